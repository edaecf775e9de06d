"""The month-end report as Markdown (GitHub-flavoured tables): for a wiki page, a PR or an email."""

from __future__ import annotations

from typing import Any

from finops.report.fmt import change, dimension_title, money, num, pct, ratio
from finops.report.monthly import Monthly


def _esc(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[Any]], right: set[int] | None = None) -> list[str]:
    right = right or set()
    out = ["| " + " | ".join(head) + " |"]
    out.append("| " + " | ".join("---:" if i in right else "---" for i in range(len(head))) + " |")
    out += ["| " + " | ".join(_esc(c) for c in r) + " |" for r in rows]
    return [*out, ""]


def render(m: Monthly) -> str:
    """The whole report as one Markdown document."""
    c = m.currency
    h = m.headline
    lb = "at least " if m.lower_bound else ""
    lines = [f"# AI spend: {m.month}" + ("" if m.complete else " (month to date)"), ""]
    lines.append(
        f"**Total spend {lb}{money(h['total'], c)}** across {num(h['calls'])} calls "
        f"(data through {m.data_through:%Y-%m-%d %H:%M} UTC; prices {m.price_version})."
    )
    lines.append("")
    lines.append(f"- Change: {change(h['vs_previous_month'], c)}; {change(h['vs_quarter_ago'], c)}")
    f, rr = h["forecast"], h["run_rate"]
    lines.append(f"- Forecast for {f['month']}: **{money(f['amount'], c)}** ({f['method']})")
    lines.append(f"- Run-rate: {money(rr['amount'], c)} ({rr['method']})")
    if m.lower_bound:
        lines.append(
            f"- {num(h['not_fully_priced'])} record(s) not fully priced ({num(h['unpriced_calls'])} call(s) with "
            "no price at all): the total is a lower bound (see *Not fully priced*)."
        )
    lines.append("")
    if m.savings:
        s = m.savings
        a, arm = s["all_to_small"], s["armstrong_80_20"]
        lines += [
            "## Savings opportunity",
            "",
            f"*{s['quality']}*",
            "",
            f"- All calls to the small sibling: {money(s['actual'], c)} → {money(a['cost'], c)} "
            f"(saves {money(a['saving'], c)}, cost ratio {ratio(a['cost_ratio'])})",
            f"- Armstrong 80/20 (simplest 80% of movable calls moved): {money(arm['cost'], c)} "
            f"(saves {money(arm['saving'], c)}, cost ratio {ratio(arm['cost_ratio'])})",
            "",
        ]
    if m.budgets:
        lines += ["## Budgets", ""]
        lines += _table(
            ["budget", "amount", "actual", "used", f"forecast {m.budgets[0]['forecast_month']}", "status"],
            [
                [
                    b["budget"],
                    money(b["amount"], c),
                    money(b["actual"], c),
                    pct(b["used_ratio"]),
                    money(b["forecast"], c),
                    b["level"].upper(),
                ]
                for b in m.budgets
            ],
            {1, 2, 3, 4},
        )
    for dim, rows in m.breakdowns.items():
        lines += [f"## By {dimension_title(dim).lower()}", ""]
        lines += _table(
            [dimension_title(dim), "calls", "cost", "share", "previous month", "change"],
            [
                [
                    r["value"],
                    num(r["calls"]),
                    money(r["cost"], c) + (f" (+{r['unpriced_calls']} unpriced)" if r["unpriced_calls"] else ""),
                    pct(r["share"]),
                    money(r["prev_cost"], c),
                    money(r["change"], c, signed=True),
                ]
                for r in rows
            ],
            {1, 2, 3, 4, 5},
        )
    if m.movers:
        lines += ["## Top movers vs previous month", ""]
        lines += _table(
            ["", "name", "previous", "this month", "change"],
            [
                [
                    r["dimension"],
                    r["value"] + (f" ({r['status']})" if r["status"] else ""),
                    money(r["prev_cost"], c),
                    money(r["cost"], c),
                    money(r["change"], c, signed=True),
                ]
                for r in m.movers
            ],
            {2, 3, 4},
        )
    u = m.unit
    lines += ["## Unit economics", ""]
    lines += _table(
        ["measure", "value"],
        [
            ["cost per 1k calls", money(u["cost_per_1k_calls"], c)],
            ["cost per 1M tokens", money(u["cost_per_1m_tokens"], c)],
            ["cache hit rate (cache reads / prompt tokens)", pct(u["cache_hit_rate"])],
            ["saved by cache reads", money(u["cache_read_saved"], c)],
            ["paid for cache writes (premium)", money(u["cache_write_premium"], c)],
            ["net saved by caching", money(u["cache_net_saved"], c)],
            ["batch share of spend", pct(u["batch_share"])],
            ["saved by batch", money(u["batch_saved"], c)],
        ],
        {1},
    )
    lines += ["## Anomalies", "", f"Method: {m.methods['anomalies']}.", ""]
    if not m.anomalies:
        lines += ["None found.", ""]
    for a in m.anomalies:
        lines.append(
            f"- **{a.day}** {a.dimension} `{a.value}`{' (also ' + ', '.join(a.also) + ')' if a.also else ''}: "
            f"{money(a.cost_usd, c)} vs median {money(a.median_usd, c)} "
            f"(threshold {money(a.threshold_usd, c)}, {a.calls} calls)"
        )
        for t in a.top_calls:
            lines.append(
                f"  - {t['ts']:%H:%M} {t['model']} ({t['team']}) {num(t['prompt_tokens'])} prompt / "
                f"{num(t['output_tokens'])} output tokens: {money(t['cost'], c)} — "
                f"{t['source_file']}:{t['source_line']}"
            )
    lines.append("")
    if m.reconciliation:
        r = m.reconciliation
        lines += [
            "## Reconciliation",
            "",
            f"{num(r['calls'])} calls carry a cost stated by their source: billed {money(r['billed'], c)}, "
            f"computed {money(r['computed'], c)}, difference {money(r['difference'], c, signed=True)} "
            f"({pct(r['difference_ratio'], signed=True)}).",
            "",
        ]
    lines += _footer(m)
    return "\n".join(lines).rstrip() + "\n"


def _footer(m: Monthly) -> list[str]:
    c = m.currency
    out = ["## Data", ""]
    out.append(f"- Price table version **{m.price_version}**; amounts in {c}.")
    for r in m.fx:
        when = f"rate of {r['rate_date']}" if r["rate_date"] else "one rate for all months"
        out.append(f"- FX {r['month']}: 1 USD = {r['rate']} {r['currency']} ({when}; source {r['source']})")
    out.append(f"- Quarantined records in these files: {m.quarantined}.")
    if m.flagged:
        out.append(
            "- Not fully priced: "
            + "; ".join(f"{r['model']} ({r['price_status']}, {r['calls']} calls)" for r in m.flagged)
        )
    for n in m.notes:
        out.append(f"- Note: {n}")
    out.append("")
    out += _table(
        ["source file", "format", "calls", "first", "last"],
        [
            [s["source_file"], s["format"], num(s["calls"]), f"{s['first_ts']:%Y-%m-%d}", f"{s['last_ts']:%Y-%m-%d}"]
            for s in m.sources
        ],
        {2},
    )
    return out
