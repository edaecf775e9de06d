"""Currency conversion for reports: USD (the price table's currency) to one report currency.

A rate is the amount of the report currency that 1 USD buys (EUR 0.9231 means $1 = €0.9231).
Rates come from a dated file (CSV `date,currency,rate` or TOML `[[rate]]` entries) or one `--fx-rate`.
Each month is converted at the rate of its last business day (Mon-Fri); when the file has no rate that
day (a holiday), the latest earlier rate in the same month is used. No rate in the month is an error,
never a silent fallback. All arithmetic is Decimal at a precision that keeps conversion exact, so
converted lines still sum to the converted total.
"""

from __future__ import annotations

import csv
import tomllib
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any

from finops.errors import AispendError

BASE = "USD"
PRECISION = 80  # enough digits that DECIMAL(38,16) x rate is exact


class FxError(AispendError):
    """An FX rates file or --fx-rate value cannot be used."""


@dataclass(frozen=True)
class MonthRate:
    month: str  # YYYY-MM
    rate: Decimal
    rate_date: date | None  # None for a single --fx-rate
    source: str


@dataclass
class Fx:
    """Converts USD amounts of a month into `currency`."""

    currency: str = BASE
    single: Decimal | None = None
    rates: dict[date, Decimal] = field(default_factory=dict)
    source: str = "none (amounts in USD)"
    used: dict[str, MonthRate] = field(default_factory=dict)

    @property
    def identity(self) -> bool:
        return self.currency == BASE

    def month_rate(self, month: str) -> MonthRate:
        """The rate used for `month` (YYYY-MM): its last business day, or the latest earlier one in the month."""
        if month in self.used:
            return self.used[month]
        if self.identity:
            mr = MonthRate(month, Decimal(1), None, "USD, no conversion")
        elif self.single is not None:
            mr = MonthRate(month, self.single, None, self.source)
        else:
            first, _last = _month_bounds(month)
            day = last_business_day(month)
            found = [d for d in self.rates if first <= d <= day]
            if not found:
                have = f"{min(self.rates)}..{max(self.rates)}" if self.rates else "nothing"
                raise FxError(
                    f"No {self.currency} rate for {month} in {self.source} (it covers {have}).",
                    hint=f"Add a rate dated on or before {day} in that month, or pass one rate with --fx-rate.",
                )
            d = max(found)
            mr = MonthRate(month, self.rates[d], d, self.source)
        self.used[month] = mr
        return mr

    def convert(self, amount: Decimal, month: str) -> Decimal:
        """`amount` USD of `month` in the report currency, exact (no rounding)."""
        if self.identity:
            return amount
        rate = self.month_rate(month).rate
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return amount * rate


def _month_bounds(month: str) -> tuple[date, date]:
    y, m = (int(x) for x in month.split("-"))
    return date(y, m, 1), date(y, m, monthrange(y, m)[1])


def last_business_day(month: str) -> date:
    """The month's last Monday-Friday (public holidays are not known here)."""
    d = _month_bounds(month)[1]
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def _currency(value: Any, where: str) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise FxError(f"{where}: currency '{value}' is not an ISO 4217 code such as EUR.")
    return code


def _rate(value: Any, where: str) -> Decimal:
    if isinstance(value, float):
        raise FxError(f'{where}: rate {value!r} must be a decimal string ("0.9231"), not a float.')
    try:
        r = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise FxError(f"{where}: rate '{value}' is not a decimal number.") from None
    if not r.is_finite() or r <= 0:
        raise FxError(f"{where}: rate '{value}' must be a positive number.")
    return r


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise FxError(f"{where}: date '{value}' is not YYYY-MM-DD.") from None


def _entries_csv(path: Path) -> list[tuple[str, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        cols = reader.fieldnames or []
        unknown = sorted(set(cols) - {"date", "currency", "rate"})
        missing = sorted({"date", "currency", "rate"} - set(cols))
        if unknown or missing:
            raise FxError(
                f"{path}: columns must be date,currency,rate"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""),
            )
        return [(f"{path}:{i}", dict(row)) for i, row in enumerate(reader, start=2)]


def _entries_toml(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise FxError(f"{path}: not valid TOML: {e}") from None
    unknown = sorted(set(doc) - {"rate", "source"})
    if unknown:
        raise FxError(f"{path}: unknown key(s) {', '.join(unknown)}; expected [[rate]] entries and source.")
    out = []
    for i, entry in enumerate(doc.get("rate", []), start=1):
        if not isinstance(entry, dict):
            raise FxError(f"{path}: rate #{i} must be a table with date, currency, rate.")
        bad = sorted(set(entry) - {"date", "currency", "rate"})
        if bad:
            raise FxError(f"{path}: rate #{i}: unknown key(s) {', '.join(bad)}; expected date, currency, rate.")
        out.append((f"{path} rate #{i}", entry))
    return out


def load(currency: str, *, rates_file: Path | None = None, rate: str | None = None) -> Fx:
    """An Fx for `currency` from a rates file or one rate; USD needs neither."""
    code = _currency(currency, "--currency")
    if code == BASE:
        if rates_file or rate:
            raise FxError("--fx-rates / --fx-rate only apply with --currency other than USD.")
        return Fx()
    if rates_file and rate:
        raise FxError("Pass either --fx-rates FILE or --fx-rate R, not both.")
    if rate is not None:
        return Fx(currency=code, single=_rate(rate, "--fx-rate"), source=f"--fx-rate {rate} (per USD)")
    if rates_file is None:
        raise FxError(
            f"--currency {code} needs rates.", hint="Pass --fx-rates FILE (date,currency,rate) or --fx-rate R."
        )
    path = Path(rates_file)
    if not path.is_file():
        raise FxError(f"FX rates file {path} not found.")
    entries = _entries_toml(path) if path.suffix.lower() == ".toml" else _entries_csv(path)
    rates: dict[date, Decimal] = {}
    for where, e in entries:
        if _currency(e.get("currency"), where) != code:
            continue
        d = _date(e.get("date"), where)
        r = _rate(e.get("rate"), where)
        if d in rates and rates[d] != r:
            raise FxError(f"{where}: two different {code} rates for {d}.")
        rates[d] = r
    if not rates:
        raise FxError(f"{path} has no {code} rates.")
    return Fx(currency=code, rates=rates, source=path.name)
