"""Spend anomalies: days whose spend for one team or model breaks from that series' own recent history.

Method (robust to the spikes it looks for): for each day of the report month, the baseline is the
same series over the WINDOW days before it (days without calls count as zero spend; days before the
store's first call are not history). A day is an anomaly when

    spend > median + K x 1.4826 x MAD        (MAD: median absolute deviation; 1.4826 makes it a sigma)

and the excess over the median is material (at least MATERIAL_SHARE of the month's total spend), with at
least MIN_HISTORY days of history. Medians and MADs are exact Decimals. The calls that drove a day are
its costliest calls for that team or model (SQL, monthly_top_calls.sql).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

WINDOW = 28
K = Decimal("3.5")
SIGMA = Decimal("1.4826")
MIN_HISTORY = 14
MATERIAL_SHARE = Decimal("0.05")
METHOD = (
    f"day > median + {K} x 1.4826 x MAD of the same series over the {WINDOW} days before it "
    f"(zero-spend days included; at least {MIN_HISTORY} days of history; excess >= "
    f"{MATERIAL_SHARE * 100:.0f}% of the month's spend)"
)


@dataclass
class Anomaly:
    dimension: str  # team | model
    value: str
    day: date
    cost_usd: Decimal
    median_usd: Decimal
    threshold_usd: Decimal
    calls: int
    top_calls: list[dict[str, Any]] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # the same spike seen in another series ("model=x")

    @property
    def excess_usd(self) -> Decimal:
        return self.cost_usd - self.median_usd


def median(values: list[Decimal]) -> Decimal:
    s = sorted(values)
    n = len(s)
    if n == 0:
        return Decimal(0)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def detect(
    rows: list[dict[str, Any]],
    dimension: str,
    history_start: date,
    month_start: date,
    month_end: date,
    month_total: Decimal,
) -> list[Anomaly]:
    """Anomalous days in [month_start, month_end) from daily rows {day, value, calls, cost_usd}."""
    series: dict[str, dict[date, tuple[Decimal, int]]] = {}
    for r in rows:
        series.setdefault(r["value"], {})[r["day"]] = (Decimal(r["cost_usd"]), int(r["calls"]))
    floor = month_total * MATERIAL_SHARE
    found: list[Anomaly] = []
    for value, by_day in series.items():
        day = month_start
        while day < month_end:
            cost, calls = by_day.get(day, (Decimal(0), 0))
            lo = max(history_start, day - timedelta(days=WINDOW))
            history = [by_day.get(lo + timedelta(days=i), (Decimal(0), 0))[0] for i in range((day - lo).days)]
            if len(history) >= MIN_HISTORY and cost > 0:
                m = median(history)
                mad = median([abs(x - m) for x in history])
                threshold = m + K * SIGMA * mad
                if cost > threshold and cost - m >= floor:
                    found.append(Anomaly(dimension, value, day, cost, m, threshold, calls))
            day += timedelta(days=1)
    found.sort(key=lambda a: (-a.excess_usd, a.day, a.dimension, a.value))
    return found


def merge(found: list[Anomaly]) -> list[Anomaly]:
    """One row per spike: an anomaly whose day and costliest call match an earlier (larger) one is folded into
    it as `also` (a team spike and a model spike caused by the same call)."""
    kept: list[Anomaly] = []
    for a in found:
        key = a.top_calls[0]["dedupe_key"] if a.top_calls else None
        twin = next(
            (
                k
                for k in kept
                if k.day == a.day and key is not None and k.top_calls and k.top_calls[0]["dedupe_key"] == key
            ),
            None,
        )
        if twin is None:
            kept.append(a)
        else:
            twin.also.append(f"{a.dimension} {a.value}")
    return kept
