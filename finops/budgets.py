"""Monthly budgets from a TOML file, and their alert levels. Validation is strict.

    currency = "USD"          # the currency the amounts are in; must match the report's
    total = "40.00"           # optional: the whole month
    [tags.team]               # tag key -> {tag value -> monthly amount}
    search = "12.50"
    [tags.project]
    webapp = "3"

Amounts are decimal strings (TOML floats are binary and are rejected). Unknown keys are errors.
Alert levels: `over` when actual > budget, `warn` when actual or the forecast reaches 80% of it, else `ok`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from finops.errors import AispendError

WARN_AT = Decimal("0.8")


class BudgetError(AispendError):
    """A budgets file cannot be used."""


@dataclass(frozen=True)
class Budget:
    scope: str  # "total" or "tag"
    key: str  # "" for total, else the tag key (team, project, ...)
    value: str  # "" for total, else the tag value
    amount: Decimal

    @property
    def label(self) -> str:
        return "total" if self.scope == "total" else f"{self.key}={self.value}"


@dataclass(frozen=True)
class Budgets:
    currency: str
    items: tuple[Budget, ...]
    source: str

    def tag_keys(self) -> list[str]:
        return sorted({b.key for b in self.items if b.scope == "tag"})


def _amount(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise BudgetError(
            f'{where}: amount {value!r} must be a decimal string, e.g. "1500.00".',
            hint="TOML numbers are binary floats or integers; money is written as a string here.",
        )
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        raise BudgetError(f"{where}: '{value}' is not a decimal amount.") from None
    if not d.is_finite() or d < 0:
        raise BudgetError(f"{where}: '{value}' must be zero or a positive amount.")
    return d


def load(path: Path) -> Budgets:
    """Read and validate a budgets TOML file."""
    path = Path(path)
    if not path.is_file():
        raise BudgetError(f"Budgets file {path} not found.")
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise BudgetError(f"{path}: not valid TOML: {e}") from None
    unknown = sorted(set(doc) - {"currency", "total", "tags"})
    if unknown:
        raise BudgetError(
            f"{path}: unknown key(s) {', '.join(unknown)}.",
            hint="Allowed: currency, total, and [tags.<key>] tables such as [tags.team].",
        )
    currency = doc.get("currency", "USD")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise BudgetError(f"{path}: currency {currency!r} is not an ISO 4217 code such as USD.")
    items: list[Budget] = []
    if "total" in doc:
        items.append(Budget("total", "", "", _amount(doc["total"], f"{path}: total")))
    tags = doc.get("tags", {})
    if not isinstance(tags, dict):
        raise BudgetError(f"{path}: tags must be tables, e.g. [tags.team].")
    for key, values in sorted(tags.items()):
        if not isinstance(values, dict) or not values:
            raise BudgetError(f'{path}: [tags.{key}] must map tag values to amounts, e.g. search = "1500".')
        for value, amount in sorted(values.items()):
            items.append(Budget("tag", key, value, _amount(amount, f"{path}: tags.{key}.{value}")))
    if not items:
        raise BudgetError(f"{path}: no budgets (set total or a [tags.<key>] table).")
    return Budgets(currency.upper(), tuple(items), path.name)


def level(actual: Decimal, forecast: Decimal | None, amount: Decimal) -> str:
    """ok / warn (actual or forecast at >= 80% of the budget) / over (actual above it)."""
    if actual > amount:
        return "over"
    if actual >= WARN_AT * amount or (forecast is not None and forecast >= WARN_AT * amount):
        return "warn"
    return "ok"
