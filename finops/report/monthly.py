"""The month-end pack behind `aispend report monthly`: plain data in the report currency, no printing.

Everything is read from `scoped_usage` (the CLI's scope is replaced here by the report's own window)
through SQL files; what-if costs (no caching, standard tier instead of batch, a smaller model) are the
same calls re-priced by `db.price_join` on a derived relation, never Python arithmetic on rates.
Money stays exact: USD Decimals from DECIMAL(38,16) sums, converted per month by `fx.Fx` at a
precision that keeps every line summing to its total. Rounding happens only in the renderers.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from finops import budgets as budgets_mod
from finops import db, pricing, simulate
from finops.errors import AispendError, UsageError
from finops.fx import Fx
from finops.report import anomalies
from finops.scope import set_scope

TREND_MONTHS = 6
FORECAST_MONTHS = 3
RUN_RATE_DAYS = 7
RATIO = Decimal("0.000001")
TOP_MOVERS = 5
TOP_CALLS = 3
CHART_MODELS = 6
TAG_DIMENSIONS = ("team", "project", "api_key", "workspace", "feature")
FORECAST_METHOD = (
    "least-squares linear trend fitted to daily spend over the trailing {n} days ({start} to {end}), "
    "summed over the {days} days of {target} (negative days floored at zero)"
)
RUN_RATE_METHOD = "average daily spend of the last {n} days x {days} days of {target}"


class EmptyMonth(AispendError):
    """The report month has no calls, or none that could be priced."""


@dataclass
class Monthly:
    month: str
    month_start: datetime
    month_end: datetime
    complete: bool
    data_through: datetime
    currency: str
    price_version: str
    headline: dict[str, Any]
    trend: list[dict[str, Any]]
    daily_by_model: list[dict[str, Any]]
    chart_models: list[str]
    breakdowns: dict[str, list[dict[str, Any]]]
    movers: list[dict[str, Any]]
    unit: dict[str, Any]
    anomalies: list[anomalies.Anomaly]
    budgets: list[dict[str, Any]] | None
    savings: dict[str, Any] | None
    curve: list[dict[str, Any]]
    reconciliation: dict[str, Any] | None
    sources: list[dict[str, Any]]
    flagged: list[dict[str, Any]]
    quarantined: int
    fx: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    methods: dict[str, str] = field(default_factory=dict)

    @property
    def lower_bound(self) -> bool:
        # any call or usage bucket priced in part or not at all (not only calls with no price at all)
        return int(self.headline["not_fully_priced"]) > 0


def _rows(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(db.sql_text(name), params or {})
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _month_start(d: date) -> datetime:
    return datetime(d.year, d.month, 1, tzinfo=UTC)


def _add_months(t: datetime, n: int) -> datetime:
    y, m = divmod(t.year * 12 + t.month - 1 + n, 12)
    return datetime(y, m + 1, 1, tzinfo=UTC)


def _label(t: datetime) -> str:
    return f"{t:%Y-%m}"


def parse_month(value: str) -> datetime:
    """YYYY-MM → the month's first instant, UTC."""
    try:
        t = datetime.strptime(value.strip(), "%Y-%m")
    except ValueError:
        raise UsageError(f"--month {value}: expected YYYY-MM, e.g. 2025-08.") from None
    return t.replace(tzinfo=UTC)


def pick_month(first: datetime, last: datetime, month: str | None, as_of: datetime | None) -> datetime:
    """The report month: --month; else the last month complete before --as-of; else the last month the data
    reaches the last day of (data through Aug 31 or any day of September → August)."""
    if month:
        return parse_month(month)
    if as_of is not None:
        return _add_months(_month_start(as_of.date()), -1)
    d = last.date()
    if d.day == monthrange(d.year, d.month)[1]:
        return _month_start(d)
    return _add_months(_month_start(d), -1)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def trend_forecast(series: dict[date, Decimal], fit_days: list[date], target_days: list[date]) -> Decimal:
    """Σ over target_days of max(0, a + b·t), (a, b) the least-squares line through series on fit_days."""
    n = len(fit_days)
    if n < 2:
        return Decimal(0)
    xs = [Decimal(i) for i in range(n)]
    ys = [series.get(d, Decimal(0)) for d in fit_days]
    zero = Decimal(0)
    mx, my = sum(xs, zero) / n, sum(ys, zero) / n
    sxx = sum(((x - mx) ** 2 for x in xs), zero)
    b = sum(((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)), zero) / sxx
    a = my - b * mx
    base = (target_days[0] - fit_days[0]).days if target_days else 0
    return sum((max(Decimal(0), a + b * Decimal(base + i)) for i in range(len(target_days))), Decimal(0))


def _sum_days(series: dict[date, Decimal], start: date, end: date) -> Decimal:
    return sum((series.get(d, Decimal(0)) for d in _days(start, end)), Decimal(0))


def _series(rows: list[dict[str, Any]], value: str | None = None) -> dict[date, Decimal]:
    out: dict[date, Decimal] = {}
    for r in rows:
        if value is None or r["value"] == value:
            out[r["day"]] = out.get(r["day"], Decimal(0)) + Decimal(r["cost_usd"])
    return out


def build(
    con: duckdb.DuckDBPyConnection,
    table: pricing.PriceTable,
    *,
    month: str | None = None,
    as_of: datetime | None = None,
    budgets: budgets_mod.Budgets | None = None,
    fx: Fx | None = None,
) -> Monthly:
    """Everything the month-end report shows (replaces the connection's scoped_usage view)."""
    fx = fx or Fx()
    if budgets is not None and budgets.currency != fx.currency:
        raise UsageError(
            f"The budgets in {budgets.source} are in {budgets.currency}, the report in {fx.currency}.",
            hint=f"Pass --currency {budgets.currency}, or change currency in the budgets file.",
        )
    set_scope(con, None, as_of)
    span = con.execute("select min(ts), max(ts) from scoped_usage").fetchone()
    if span is None or span[0] is None:
        raise EmptyMonth("No calls in the store.", hint="Ingest logs first: aispend report monthly PATH...")
    first, last = span[0].astimezone(UTC), span[1].astimezone(UTC)
    start = pick_month(first, last, month, as_of)
    end = _add_months(start, 1)
    label = _label(start)
    cap = min(end, as_of) if as_of is not None else end
    complete = (as_of is not None and end <= as_of) or (
        as_of is None and last.date() >= (end - timedelta(days=1)).date()
    )
    through = min(last, cap - timedelta(microseconds=1))
    history = max(_month_start(first.date()), _add_months(start, -(TREND_MONTHS - 1)))
    history = min(history, start - timedelta(days=anomalies.WINDOW))
    set_scope(con, history, cap)
    # price the report's window once: every query below reads this table through scoped_usage
    con.execute("create or replace temp table report_scope as select * from scoped_usage")
    con.execute("create or replace temp view scoped_usage as select * from report_scope")
    con.execute("create or replace temp table report_window (month_start timestamptz, month_end timestamptz)")
    con.execute("insert into report_window values (?, ?)", [start, cap])
    con.execute("create or replace temp view month_calls as " + db.sql_text("monthly_calls"))

    months = {r["month"]: r for r in _rows(con, "monthly_totals", {"start": history, "end": cap})}
    cur = months.get(label)
    if cur is None or not cur["calls"]:
        have = f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        raise EmptyMonth(f"No calls in {label} (the store has calls from {have}).", hint="Pick another --month.")
    if cur["unpriced_calls"] == cur["calls"]:
        raise EmptyMonth(
            f"None of the {cur['calls']:,} calls in {label} could be priced (no prices for their models or dates).",
            hint="See 'aispend analyze' for the models to add to pricing/, or 'aispend prices list'.",
        )

    def cx(v: Any, m: str = label) -> Decimal:
        return fx.convert(Decimal(v or 0), m)

    def cxd(v: Any) -> Decimal:  # a day amount: the month of the report
        return cx(v)

    prev, quarter = _label(_add_months(start, -1)), _label(_add_months(start, -3))
    total = cx(cur["cost_usd"])

    def compare(m: str) -> dict[str, Any]:
        row = months.get(m)
        if row is None:
            return {"month": m, "cost": None, "change": None, "change_ratio": None}
        c = cx(row["cost_usd"], m)
        return {
            "month": m,
            "cost": c,
            "change": total - c,
            "change_ratio": _q((total - c) / c) if c else None,
            "lower_bound": bool(row["not_fully_priced"]),
        }

    # forecast: daily spend over the trailing months up to the last complete day of data in the month
    fit_start = max(first.date(), _add_months(start, -(FORECAST_MONTHS - 1)).date())
    fit_end = end.date() if complete else through.date()
    fit_days = _days(fit_start, fit_end)
    if complete:
        target_start, target_end = end, _add_months(end, 1)
    else:
        target_start, target_end = datetime.combine(fit_end, datetime.min.time(), UTC), end
    target_days = _days(target_start.date(), target_end.date())
    target_label = _label(_add_months(target_start, 0)) if complete else label
    daily_team = _rows(con, "daily_by", {"dim": "team", "start": history, "end": cap})
    all_series = _series(daily_team)
    trend_usd = trend_forecast(all_series, fit_days, target_days)
    mtd_usd = _sum_days(all_series, start.date(), fit_end) if not complete else Decimal(0)
    recent = fit_days[-RUN_RATE_DAYS:]
    run_rate_usd = sum((all_series.get(d, Decimal(0)) for d in recent), Decimal(0)) / max(1, len(recent))
    remaining = len(target_days)
    forecast = cx(mtd_usd + _unit_q(trend_usd))
    run_rate = cx(mtd_usd + _unit_q(run_rate_usd * remaining))
    methods = {
        "forecast": FORECAST_METHOD.format(
            n=len(fit_days),
            start=fit_days[0] if fit_days else "-",
            end=fit_days[-1] if fit_days else "-",
            days=remaining,
            target=target_label if complete else f"the rest of {label} (plus month to date)",
        ),
        "run_rate": RUN_RATE_METHOD.format(
            n=len(recent), days=remaining, target=target_label if complete else f"the rest of {label}"
        ),
        "anomalies": anomalies.METHOD,
        "cache_savings": "cache-read tokens re-priced as plain input on the same calls (price_join); "
        "net also bills cache writes as plain input",
        "batch_savings": "batch calls re-priced at the standard tier on the same calls (price_join)",
        "cost_curve": "calls ranked by prompt + 4 x output tokens; the most complex share kept, the rest "
        "re-priced on the default small sibling (price only)",
    }

    headline = {
        "total": total,
        "calls": int(cur["calls"]),
        "flagged_calls": int(cur["flagged_calls"]),
        "unpriced_calls": int(cur["unpriced_calls"]),
        "not_fully_priced": int(cur["not_fully_priced"]),
        "vs_previous_month": compare(prev),
        "vs_quarter_ago": compare(quarter),
        "forecast": {"month": target_label, "amount": forecast, "method": methods["forecast"]},
        "run_rate": {"month": target_label, "amount": run_rate, "method": methods["run_rate"]},
    }

    trend = []
    t = history if history.day == 1 else _add_months(_month_start(history.date()), 1)
    t = max(t, _add_months(start, -(TREND_MONTHS - 1)))
    while t <= start:
        m = _label(t)
        row = months.get(m)
        trend.append(
            {
                "month": m,
                "cost": cx(row["cost_usd"], m) if row else Decimal(0),
                "calls": int(row["calls"]) if row else 0,
                "kind": "actual" if m != label or complete else "month to date",
            }
        )
        t = _add_months(t, 1)
    trend.append({"month": target_label, "cost": forecast, "calls": None, "kind": "forecast"})

    keys = {r["key"] for r in _rows(con, "tag_keys")}
    dims = ["provider", "model", "service_tier"] + [k for k in TAG_DIMENSIONS if k in keys]
    if budgets is not None:
        missing = [k for k in budgets.tag_keys() if k not in keys]
        if missing:
            raise budgets_mod.BudgetError(
                f"{budgets.source}: no call carries the tag '{missing[0]}'.",
                hint=f"Tag keys in the data: {', '.join(sorted(keys)) or 'none'}.",
            )
        dims += [k for k in budgets.tag_keys() if k not in dims]
    prev_start = _add_months(start, -1)
    breakdowns: dict[str, list[dict[str, Any]]] = {}
    for dim in dims:
        rows = _rows(con, "monthly_breakdown", {"dim": dim, "start": start, "end": cap, "prev_start": prev_start})
        breakdowns[dim] = [
            {
                "value": r["value"],
                "provider": r["provider"],
                "calls": int(r["calls"]),
                "tokens": int(r["tokens"]),
                "cost": cx(r["cost_usd"]),
                "share": _q(cx(r["cost_usd"]) / total) if total else None,
                "unpriced_calls": int(r["unpriced_calls"]),
                "prev_cost": cx(r["prev_cost_usd"], prev),
                "change": cx(r["cost_usd"]) - cx(r["prev_cost_usd"], prev),
            }
            for r in rows
        ]

    for dim in [d for d in breakdowns if d in TAG_DIMENSIONS]:
        in_budgets = budgets is not None and dim in budgets.tag_keys()
        if not in_budgets and all(r["value"] == "(none)" for r in breakdowns[dim]):
            del breakdowns[dim]  # no call of these two months carries the tag: nothing to show
    movers = []
    for dim in ("model", "team"):
        for r in breakdowns.get(dim, []):
            if r["change"] != 0:
                status = "new" if not r["prev_cost"] else ("stopped" if not r["cost"] else "")
                movers.append({"dimension": dim, **r, "status": status})
    movers.sort(key=lambda r: (-abs(r["change"]), r["dimension"], r["value"]))
    movers = movers[: TOP_MOVERS * 2]

    unit = _unit(con, cx)

    month_total_usd = Decimal(cur["cost_usd"])
    found: list[anomalies.Anomaly] = []
    for dim in ("team", "model"):
        rows = daily_team if dim == "team" else _rows(con, "daily_by", {"dim": dim, "start": history, "end": cap})
        found += anomalies.detect(rows, dim, first.date(), start.date(), cap.date(), month_total_usd)
    found.sort(key=lambda a: (-a.excess_usd, a.day, a.dimension, a.value))
    for a in found:
        day0 = datetime.combine(a.day, datetime.min.time(), UTC)
        a.top_calls = [
            {**r, "cost": cxd(r["cost_usd"])}
            for r in _rows(
                con,
                "monthly_top_calls",
                {
                    "dim": a.dimension,
                    "value": a.value,
                    "day_start": day0,
                    "day_end": day0 + timedelta(days=1),
                    "limit": TOP_CALLS,
                },
            )
        ]
        a.cost_usd, a.median_usd, a.threshold_usd = cxd(a.cost_usd), cxd(a.median_usd), cxd(a.threshold_usd)
    found = anomalies.merge(found)

    daily_model = _rows(con, "daily_by", {"dim": "model", "start": start, "end": cap})
    chart_models = [r["value"] for r in breakdowns["model"] if r["cost"] > 0][:CHART_MODELS]
    daily: dict[tuple[date, str], Decimal] = {}
    for r in daily_model:
        key = (r["day"], r["value"] if r["value"] in chart_models else "other")
        daily[key] = daily.get(key, Decimal(0)) + cxd(r["cost_usd"])
    if any(k[1] == "other" for k in daily):
        chart_models.append("other")
    daily_by_model = [{"day": d, "model": m, "cost": c} for (d, m), c in sorted(daily.items())]

    budget_rows = None
    if budgets is not None:
        budget_rows = []
        series_by_key = {"team": daily_team}
        for b in budgets.items:
            if b.scope == "total":
                actual, fc = total, forecast
            else:
                line = next((r for r in breakdowns[b.key] if r["value"] == b.value), None)
                actual = line["cost"] if line else Decimal(0)
                if b.key not in series_by_key:
                    series_by_key[b.key] = _rows(con, "daily_by", {"dim": b.key, "start": history, "end": cap})
                series = _series(series_by_key[b.key], b.value)
                mtd = _sum_days(series, start.date(), fit_end) if not complete else Decimal(0)
                fc = cx(mtd + _unit_q(trend_forecast(series, fit_days, target_days)))
            budget_rows.append(
                {
                    "budget": b.label,
                    "scope": b.scope,
                    "key": b.key,
                    "value": b.value,
                    "amount": b.amount,
                    "actual": actual,
                    "used_ratio": _q(actual / b.amount) if b.amount else None,
                    "forecast": fc,
                    "forecast_month": target_label,
                    "level": budgets_mod.level(actual, fc, b.amount),
                }
            )

    savings, curve, notes = _savings(con, table, start, cap, cx)
    rec = _rows(con, "monthly_reconcile")[0]
    reconciliation = None
    if rec["calls"]:
        billed, computed = cx(rec["billed_usd"]), cx(rec["computed_usd"])
        reconciliation = {
            "calls": int(rec["calls"]),
            "billed": billed,
            "computed": computed,
            "difference": billed - computed,
            "difference_ratio": _q((billed - computed) / computed) if computed else None,
            "unpriced_calls": int(rec["unpriced_calls"]),
        }
    sources = _rows(con, "monthly_sources")
    qrow = con.execute(
        "select count(*) from quarantine where source_file in (select source_file from month_calls)"
    ).fetchone()
    fx_rows = []
    if not fx.identity and fx.single is not None:
        fx_rows.append(
            {"month": "all", "currency": fx.currency, "rate": fx.single, "rate_date": None, "source": fx.source}
        )
    elif not fx.identity:
        for m in sorted(fx.used):
            mr = fx.used[m]
            fx_rows.append(
                {"month": m, "currency": fx.currency, "rate": mr.rate, "rate_date": mr.rate_date, "source": mr.source}
            )
    return Monthly(
        month=label,
        month_start=start,
        month_end=end,
        complete=complete,
        data_through=through,
        currency=fx.currency,
        price_version=table.version,
        headline=headline,
        trend=trend,
        daily_by_model=daily_by_model,
        chart_models=chart_models,
        breakdowns=breakdowns,
        movers=movers,
        unit=unit,
        anomalies=found,
        budgets=budget_rows,
        savings=savings,
        curve=curve,
        reconciliation=reconciliation,
        sources=sources,
        flagged=[{**r, "cost": cx(r["cost_usd"])} for r in _rows(con, "monthly_flagged")],
        quarantined=int(qrow[0]) if qrow else 0,
        fx=fx_rows,
        notes=notes,
        methods=methods,
    )


def _unit(con: duckdb.DuckDBPyConnection, cx: Any) -> dict[str, Any]:
    u = _rows(con, "monthly_unit")[0]
    for view, sql in (
        ("month_no_cache_reads", "monthly_no_cache_reads"),
        ("month_no_cache", "monthly_no_cache"),
        ("month_standard_tier", "monthly_standard_tier"),
    ):
        con.execute(f"create or replace temp view {view} as " + db.sql_text(sql))
        con.execute(f"create or replace temp view {view}_priced as " + db.price_join(view))
    s = _rows(con, "monthly_savings")[0]
    prompt = u["input_uncached"] + u["cache_read"] + u["cache_write"]
    cost, priced_cost = cx(u["cost_usd"]), cx(u["priced_cost_usd"])
    return {
        "calls": int(u["calls"]),
        "priced_calls": int(u["priced_calls"]),
        "cost_per_1k_calls": _unit_q(priced_cost * 1000 / u["priced_calls"]) if u["priced_calls"] else None,
        "cost_per_1m_tokens": _unit_q(priced_cost * 1_000_000 / u["priced_tokens"]) if u["priced_tokens"] else None,
        "tokens": {
            "input_uncached": int(u["input_uncached"]),
            "cache_read": int(u["cache_read"]),
            "cache_write": int(u["cache_write"]),
            "output": int(u["output"]),
        },
        "cache_hit_rate": _q(Decimal(u["cache_read"]) / prompt) if prompt else None,
        "cache_read_saved": cx(s["cache_read_saved_usd"]),
        "cache_net_saved": cx(s["cache_net_saved_usd"]),
        "cache_write_premium": cx(s["cache_read_saved_usd"]) - cx(s["cache_net_saved_usd"]),
        "batch_calls": int(u["batch_calls"]),
        "batch_cost": cx(u["batch_cost_usd"]),
        "batch_share": _q(cx(u["batch_cost_usd"]) / cost) if cost else None,
        "batch_saved": cx(s["batch_saved_usd"]),
    }


def _unit_q(v: Decimal) -> Decimal:
    """Averages and estimates (not sums of lines) to 10 places."""
    return v.quantize(Decimal("0.0000000001"))


def _q(r: Decimal | None) -> Decimal | None:
    """A ratio to 6 places (ratios are shown, not summed)."""
    return None if r is None else r.quantize(RATIO)


def _savings(
    con: duckdb.DuckDBPyConnection, table: pricing.PriceTable, start: datetime, cap: datetime, cx: Any
) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[str]]:
    """The default scenarios (simulate.headline) and the cost curve, each guarded: the report renders without."""
    notes: list[str] = []
    savings = None
    curve: list[dict[str, Any]] = []
    mapping = pricing.substitution_map(table)
    try:
        con.execute("create or replace temp table report_substitution (model varchar, target varchar)")
        if mapping:
            con.executemany("insert into report_substitution values (?, ?)", sorted(mapping.items()))
        con.execute("create or replace temp view month_cf_calls as " + db.sql_text("monthly_cf_calls"))
        con.execute("create or replace temp view month_cf_priced as " + db.price_join("month_cf_calls"))
        for r in _rows(con, "monthly_cost_curve"):
            actual = Decimal(r["actual_usd"])
            curve.append(
                {
                    "share_kept": Decimal(r["share_kept_pct"]) / 100,
                    "moved_calls": int(r["moved_calls"]),
                    "cost": cx(r["cost_usd"]),
                    "cost_ratio": _q(Decimal(r["cost_usd"]) / actual) if actual else None,
                    "source": "report SQL (monthly_cost_curve.sql)",
                }
            )
    except (duckdb.Error, AispendError) as e:
        notes.append(f"The cost curve could not be computed: {e}")
    set_scope(con, start, cap)
    try:
        h = simulate.headline(con, table)
        savings = {
            "quality": simulate.QUALITY_LABEL,
            "actual": cx(h.actual_usd),
            "all_to_small": {
                "cost": cx(h.all_to_small_usd),
                "saving": cx(h.actual_usd) - cx(h.all_to_small_usd),
                "cost_ratio": _q(h.all_to_small_ratio),
                "movable_calls": h.movable_calls,
            },
            "armstrong_80_20": {
                "cost": cx(h.armstrong_usd),
                "saving": cx(h.actual_usd) - cx(h.armstrong_usd),
                "cost_ratio": _q(h.armstrong_ratio),
                "moved_calls": h.armstrong_moved_calls,
                "kept_calls": h.armstrong_kept_calls,
                "kept_spend_share": _q(h.kept_spend_share),
            },
            "priced_calls": h.priced_calls,
            "substitutions": dict(h.substitutions),
        }
    except Exception as e:  # another module's code: the report must render without it
        notes.append(f"The savings scenarios could not be computed: {type(e).__name__}: {e}")
    return savings, curve, notes


def _plain(v: Any) -> Any:
    if isinstance(v, Decimal):
        return format(v, "f")  # never exponent notation ("0E-16")
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items() if not k.startswith("_")}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def to_json(m: Monthly) -> dict[str, Any]:
    """The --json document: money as exact decimal strings in `currency`, times ISO 8601 UTC."""
    doc: dict[str, Any] = _plain(
        {
            "report": "monthly",
            "month": m.month,
            "complete": m.complete,
            "data_through": m.data_through,
            "currency": m.currency,
            "price_version": m.price_version,
            "total_is_lower_bound": m.lower_bound,
            "headline": m.headline,
            "trend": m.trend,
            "breakdowns": m.breakdowns,
            "top_movers": m.movers,
            "unit_economics": m.unit,
            "anomalies": [
                {
                    "dimension": a.dimension,
                    "value": a.value,
                    "day": a.day,
                    "cost": a.cost_usd,
                    "median": a.median_usd,
                    "threshold": a.threshold_usd,
                    "calls": a.calls,
                    "top_calls": a.top_calls,
                    "also": a.also,
                }
                for a in m.anomalies
            ],
            "budgets": m.budgets,
            "savings": m.savings,
            "cost_curve": m.curve,
            "reconciliation": m.reconciliation,
            "sources": m.sources,
            "not_fully_priced": m.flagged,
            "quarantined_records": m.quarantined,
            "fx": m.fx,
            "methods": m.methods,
            "notes": m.notes,
        }
    )
    return doc
