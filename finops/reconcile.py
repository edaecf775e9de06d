"""`aispend reconcile`: what the calls cost by the price table against what was billed.

Per provider × platform × month (and per model where the billed side names models):

- computed: `cost_usd` of the usage, each day counted from its finest source (calls, else the usage
  export's buckets), exactly as the reports count it;
- per model: the same on the days the billing export covers;
- billed: the billing export's lines (OpenAI Costs API and dashboard cost CSV, Anthropic cost report,
  FOCUS BilledCost); for a month without them, the cost the calls themselves report (OpenRouter
  `usage.cost`, LiteLLM `spend`, Helicone `cost`);
- the variance (billed - computed) in USD and as a % of computed, and the reasons that explain it.
  Reasons with an amount add up to the variance exactly: billed days with no calls in the logs, days
  the usage export shows more (or less) than the logs, usage days the billing export does not cover, and the
  rate difference left on the days both describe (a discount, credit, tier or price missing from the
  price table). Reasons without an amount qualify it: unpriced models (computed is a lower bound),
  tiers not in the table, reported cost on calls.

All arithmetic is exact DECIMAL in SQL (sql/reconcile_*.sql); Python only words the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import duckdb

from finops import db

PCT = Decimal("0.01")


@dataclass
class Reason:
    code: str
    message: str
    amount_usd: Decimal | None = None  # the part of the variance it explains (None: qualitative)


@dataclass
class ModelLine:
    model: str
    computed_usd: Decimal
    billed_usd: Decimal
    variance_usd: Decimal
    variance_pct: Decimal | None


@dataclass
class Line:
    provider: str
    platform: str
    month: str
    computed_usd: Decimal
    billed_usd: Decimal | None
    billed_source: str | None  # billing export | reported on calls | None
    variance_usd: Decimal | None
    variance_pct: Decimal | None
    reasons: list[Reason] = field(default_factory=list)
    models: list[ModelLine] = field(default_factory=list)

    @property
    def explained_usd(self) -> Decimal:
        return sum((r.amount_usd for r in self.reasons if r.amount_usd is not None), Decimal(0))


@dataclass
class Reconciliation:
    price_version: str
    lines: list[Line]

    @property
    def totals(self) -> dict[str, Decimal]:
        billed = [x for x in self.lines if x.billed_usd is not None]
        computed = sum((x.computed_usd for x in billed), Decimal(0))
        billed_usd = sum((x.billed_usd or Decimal(0) for x in billed), Decimal(0))
        return {"computed_usd": computed, "billed_usd": billed_usd, "variance_usd": billed_usd - computed}


def usd(v: Decimal) -> str:
    """$1,234.57; amounts under a cent keep 4 decimals ($0.0042); negatives as -$5.00."""
    d = Decimal(v)
    sign, d = ("-" if d < 0 else ""), abs(d)
    if d != 0 and d < Decimal("0.01"):
        return f"{sign}${d.quantize(Decimal('0.0001'), ROUND_HALF_EVEN)}"
    return f"{sign}${d.quantize(Decimal('0.01'), ROUND_HALF_EVEN):,}"


def pct_of(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (part * 100 / whole).quantize(PCT, ROUND_HALF_EVEN)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or {})
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _span(first: str | None, last: str | None) -> str:
    return (first or "") if first == last else f"{first}..{last}"


def _reasons(r: dict[str, Any], unpriced_models: list[str]) -> tuple[Decimal | None, str | None, list[Reason]]:
    """(billed, billed source, reasons) for one month row of reconcile_months.sql."""
    out: list[Reason] = []
    computed = Decimal(r["computed_usd"])
    if int(r["billed_lines"]) > 0:
        billed: Decimal | None = Decimal(r["billed_usd"])
        source: str | None = "billing export"
        if r["missing_days"]:
            out.append(
                Reason(
                    "missing_calls",
                    f"{usd(r['missing_usd'])} billed on {r['missing_days']} day(s) with no calls or usage in the "
                    f"logs ({_span(r['missing_first'], r['missing_last'])}): calls missing from the logs",
                    Decimal(r["missing_usd"]),
                )
            )
        gap = Decimal(r["gap_usd"])
        more, less = Decimal(r["gap_more_usd"]), Decimal(r["gap_less_usd"])
        if r["gap_more_days"]:
            n = int(r["gap_more_requests"])
            counted = f" ({n:,} more requests)" if int(r["gap_more_export_requests"]) > 0 and n > 0 else ""
            out.append(
                Reason(
                    "export_more_usage",
                    f"on {r['gap_more_days']} day(s) the usage export holds {usd(more)} more usage at list price "
                    f"than the call logs{counted}: calls missing from the logs",
                    more,
                )
            )
        if r["gap_less_days"]:
            n = int(r["gap_less_requests"])
            counted = f" ({n:,} more calls)" if int(r["gap_less_export_requests"]) > 0 and n > 0 else ""
            out.append(
                Reason(
                    "export_less_usage",
                    f"on {r['gap_less_days']} day(s) the call logs hold {usd(-less)} more usage at list price than "
                    f"the usage export{counted}: calls the export does not cover (another organization, project "
                    "or key?)",
                    less,
                )
            )
        if r["unbilled_days"]:
            out.append(
                Reason(
                    "unbilled_usage",
                    f"{usd(r['unbilled_usd'])} computed on {r['unbilled_days']} day(s) the billing export does not "
                    f"cover ({_span(r['unbilled_first'], r['unbilled_last'])})",
                    -Decimal(r["unbilled_usd"]),
                )
            )
        residual = Decimal(r["both_billed_usd"]) - Decimal(r["both_computed_usd"]) - gap
        if r["both_days"] and residual != 0:
            base = Decimal(r["both_computed_usd"]) + gap
            p = pct_of(residual, base)
            rel = f"{abs(p)}% {'above' if residual > 0 else 'below'}" if p is not None else "different from"
            out.append(
                Reason(
                    "rates",
                    f"on the {r['both_days']} day(s) both describe, billed is {rel} the list price of the same usage "
                    f"({usd(residual)}): a discount, credit, tier or price not in the price table",
                    residual,
                )
            )
        if r["calls_reported"]:
            diff = Decimal(r["calls_reported_usd"]) - Decimal(r["calls_reported_computed_usd"])
            out.append(
                Reason(
                    "reported_on_calls",
                    f"{r['calls_reported']:,} call(s) report their own cost, {usd(r['calls_reported_usd'])}, against "
                    f"{usd(r['calls_reported_computed_usd'])} computed ({usd(diff)} apart)",
                )
            )
    elif int(r["calls_reported"]) > 0:
        billed = Decimal(r["calls_reported_usd"])
        source = "reported on calls"
        reported_computed = Decimal(r["calls_reported_computed_usd"])
        byok, byok_billed, byok_computed = (
            int(r["calls_byok"] or 0),
            Decimal(r["calls_byok_reported_usd"] or 0),
            Decimal(r["calls_byok_computed_usd"] or 0),
        )
        others = int(r["calls_reported"]) - byok
        if others:
            out.append(
                Reason(
                    "reported_differs",
                    f"the cost reported on {others:,} call(s) is {usd(billed - byok_billed)} against "
                    f"{usd(reported_computed - byok_computed)} computed from their tokens (the gateway's own price "
                    "map, discounts or fees)",
                    (billed - byok_billed) - (reported_computed - byok_computed),
                )
            )
        if byok:
            out.append(
                Reason(
                    "byok",
                    f"{byok:,} call(s) ran on your own provider key (OpenRouter BYOK): OpenRouter reported "
                    f"{usd(byok_billed)}, its fee; the provider bills their usage ({usd(byok_computed)} at list "
                    "price) to that key, outside this figure",
                    byok_billed - byok_computed,
                )
            )
        rest = computed - reported_computed
        if rest != 0:
            out.append(
                Reason(
                    "unreported_usage",
                    f"{usd(rest)} computed for usage that reports no cost of its own",
                    -rest,
                )
            )
    else:
        billed, source = None, None
        out.append(
            Reason(
                "no_billed",
                "no billed figure: ingest the provider's cost export (OpenAI Costs API or cost CSV, Anthropic "
                "cost report, FOCUS) to reconcile this month",
            )
        )
    if r["unpriced"]:
        names = ", ".join(unpriced_models) or "some models"
        out.append(
            Reason(
                "unpriced_models",
                f"{r['unpriced']:,} call(s) or bucket(s) of {names} are not fully priced: computed is a lower bound",
            )
        )
    if r["tier"]:
        out.append(
            Reason(
                "tier_not_in_table",
                f"{r['tier']:,} call(s) at tier {r['tiers']} have no tier rate in the price table (priced at standard)",
            )
        )
    return billed, source, out


def reconcile(
    con: duckdb.DuckDBPyConnection, price_version: str, since: datetime | None = None, until: datetime | None = None
) -> Reconciliation:
    """Computed against billed cost per provider × platform × month (see the module docstring)."""
    con.execute(
        "create or replace temp table recon_days as " + db.sql_text("reconcile_days"),
        {"since": since, "until": until},
    )
    months = _rows(con, db.sql_text("reconcile_months"))
    models = _rows(con, db.sql_text("reconcile_models"))
    unpriced_by = {
        (u["provider"], u["platform"], u["month"]): u["models"] for u in _rows(con, db.sql_text("reconcile_unpriced"))
    }
    lines = []
    for r in months:
        key = (r["provider"], r["platform"], r["month"])
        mine = [m for m in models if (m["provider"], m["platform"], m["month"]) == key]
        unpriced = str(unpriced_by.get(key) or "").split(", ") if unpriced_by.get(key) else []
        billed, source, reasons = _reasons(r, unpriced)
        computed = Decimal(r["computed_usd"])
        variance = None if billed is None else billed - computed
        line = Line(
            provider=r["provider"],
            platform=r["platform"],
            month=r["month"],
            computed_usd=computed,
            billed_usd=billed,
            billed_source=source,
            variance_usd=variance,
            variance_pct=None if variance is None else pct_of(variance, computed),
            reasons=reasons,
        )
        if source == "billing export":
            for m in mine:
                c, b = Decimal(m["computed_usd"]), Decimal(m["billed_usd"])
                line.models.append(ModelLine(str(m["model"]), c, b, b - c, pct_of(b - c, c)))
        lines.append(line)
    con.execute("drop table if exists recon_days")
    return Reconciliation(price_version, lines)


def to_json(rec: Reconciliation) -> dict[str, Any]:
    """The --json document: money and percentages as exact decimal strings."""

    def s(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return {
        "price_version": rec.price_version,
        "totals": {k: str(v) for k, v in rec.totals.items()},
        "lines": [
            {
                "provider": x.provider,
                "platform": x.platform,
                "month": x.month,
                "computed_usd": s(x.computed_usd),
                "billed_usd": s(x.billed_usd),
                "billed_source": x.billed_source,
                "variance_usd": s(x.variance_usd),
                "variance_pct": s(x.variance_pct),
                "explained_usd": s(x.explained_usd),
                "reasons": [{"code": r.code, "message": r.message, "amount_usd": s(r.amount_usd)} for r in x.reasons],
                "models": [
                    {
                        "model": m.model,
                        "computed_usd": s(m.computed_usd),
                        "billed_usd": s(m.billed_usd),
                        "variance_usd": s(m.variance_usd),
                        "variance_pct": s(m.variance_pct),
                    }
                    for m in x.models
                ],
            }
            for x in rec.lines
        ],
    }
