"""The spend report behind `aispend analyze`: plain data, no printing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb

from finops import db, pricing, simulate
from finops.scope import materialize_sums

REPORT_TAGS = ("team", "project")


def _s(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass
class Analysis:
    price_version: str
    totals: dict[str, Any]
    by_month: list[dict[str, Any]]
    by_tag: dict[str, list[dict[str, Any]]]
    flagged: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]
    headline: simulate.Headline
    tag_keys: list[str] = field(default_factory=list)
    # where each provider's spend was counted from, and what was not counted because a finer source
    # covers the same provider x day (finops/scope.py)
    sources: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def lower_bound(self) -> bool:
        # flagged rows include usage buckets without a request count (Anthropic usage report)
        t = self.totals
        return int(t["flagged_calls"]) > 0 or int(t["flagged_buckets"]) > 0 or bool(self.flagged)

    @property
    def not_fully_priced(self) -> str:
        """What makes the total a lower bound, named by kind ('3 calls and 2 usage buckets (no request
        count)'): a usage or cost export's bucket is not a call, and may hold no request count, so counting
        it as calls said '0 calls' when only buckets were unpriced."""
        t = self.totals
        calls, buckets, requests = (int(t[k]) for k in ("flagged_calls", "flagged_buckets", "flagged_bucket_requests"))
        parts = []
        if calls:
            parts.append(f"{calls:,} call{_s(calls)}")
        if buckets:
            held = f"{requests:,} request{_s(requests)}" if requests else "no request count"
            parts.append(f"{buckets:,} usage bucket{_s(buckets)} ({held})")
        if not parts:  # flagged rows whose records count no request (a call logged with request_count 0)
            n = len(self.flagged)
            parts.append(f"{n:,} group{_s(n)} of records")
        return " and ".join(parts)

    @property
    def models_to_add(self) -> list[str]:
        return sorted({r["model"] for r in self.flagged if r["price_status"] in ("unpriced_model", "no_price_at_date")})


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or {})
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def analyze(con: duckdb.DuckDBPyConnection, table: pricing.PriceInfo) -> Analysis:
    """Everything `aispend analyze` shows, over `scoped_usage` (see scope.set_scope)."""
    # totals, months, flagged calls, sources and the tag sections read sums (scoped_groups, scoped_tag_sets):
    # one scan of the priced calls computes them all; the scenarios read the calls themselves
    materialize_sums(con)
    totals = _rows(con, db.sql_text("totals"))[0]
    keys = [r["key"] for r in _rows(con, db.sql_text("tag_keys"))]
    shown = [k for k in REPORT_TAGS if k in keys] or keys[:2]
    by_tag = {k: _rows(con, db.sql_text("cost_by_tag"), {"tag": k}) for k in shown}
    return Analysis(
        price_version=table.version,
        totals=totals,
        by_month=_rows(con, db.sql_text("cost_by_month")),
        by_tag=by_tag,
        flagged=[r for r in _rows(con, db.sql_text("flagged")) if r["price_status"] != "billed_line"],
        quarantine=_rows(con, db.sql_text("quarantine_summary")),
        headline=simulate.headline(con, table),
        tag_keys=keys,
        sources=_rows(con, db.sql_text("scope_sources")),
        overlaps=_rows(con, db.sql_text("scope_overlaps")),
    )


def to_json(a: Analysis) -> dict[str, Any]:
    """The --json document: money as exact decimal strings, times as ISO 8601 UTC."""
    h = a.headline

    def conv(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    def ratio(r: Decimal | None) -> str | None:
        return None if r is None else str(r.quantize(Decimal("0.000001")))

    doc: dict[str, Any] = conv(
        {
            "price_version": a.price_version,
            "totals": {**a.totals, "cost_is_lower_bound": a.lower_bound},
            "by_month": a.by_month,
            "by_tag": a.by_tag,
            "flagged": a.flagged,
            "models_to_add": a.models_to_add,
            "quarantine": a.quarantine,
            "sources": a.sources,
            "overlaps": a.overlaps,
            "counterfactual": {
                "quality": simulate.QUALITY_LABEL,
                "actual_usd": h.actual_usd,
                "priced_calls": h.priced_calls,
                "movable_calls": h.movable_calls,
                "all_to_small": {
                    "cost_usd": h.all_to_small_usd,
                    "cost_ratio": ratio(h.all_to_small_ratio),
                    "savings_usd": h.actual_usd - h.all_to_small_usd,
                    "reaches_harvey_third": h.reaches_harvey(h.all_to_small_ratio),
                },
                "armstrong_80_20": {
                    "cost_usd": h.armstrong_usd,
                    "cost_ratio": ratio(h.armstrong_ratio),
                    "cost_ratio_on_moved_models": ratio(h.armstrong_scope_ratio),
                    "savings_usd": h.actual_usd - h.armstrong_usd,
                    "moved_calls": h.armstrong_moved_calls,
                    "kept_calls": h.armstrong_kept_calls,
                    "kept_spend_share": ratio(h.kept_spend_share),
                    "naive_cost_ratio": str(simulate.NAIVE_80_20),
                    "reaches_harvey_third": h.reaches_harvey(h.armstrong_ratio),
                    "complexity_score": "prompt tokens + 4 x output tokens (reasoning included)",
                },
                "harvey_reference_ratio": str(simulate.HARVEY_MEASURED),
                "substitutions": h.substitutions,
            },
        }
    )
    return doc
