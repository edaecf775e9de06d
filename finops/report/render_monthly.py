"""The month-end report in the terminal (rich). Prints; called only by cli.py."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from finops.report.fmt import change, dimension_title, money, num, pct, ratio
from finops.report.fmt import table as _table
from finops.report.monthly import Monthly

LEVEL_STYLE = {"ok": "green", "warn": "yellow", "over": "bold red"}


def render(console: Console, m: Monthly, *, top: int = 8) -> None:
    c, h = m.currency, m.headline
    head = Text()
    head.append("Total spend ", style="bold")
    head.append(("at least " if m.lower_bound else "") + money(h["total"], c), style="bold green")
    head.append(f"   {num(h['calls'])} calls, prices {m.price_version}\n")
    head.append(f"{change(h['vs_previous_month'], c)}; {change(h['vs_quarter_ago'], c)}\n")
    f, rr = h["forecast"], h["run_rate"]
    head.append(f"Forecast {f['month']}: {money(f['amount'], c)}   run-rate {money(rr['amount'], c)}\n")
    head.append(f"Forecast method: {f['method']}.", style="dim")
    if m.lower_bound:
        head.append(
            f"\n{num(h['not_fully_priced'])} record(s) not fully priced ({num(h['unpriced_calls'])} call(s) with "
            "no price at all): the total is a lower bound.",
            style="yellow",
        )
    title = f"AI spend {m.month}" + ("" if m.complete else " (month to date)")
    console.print(Panel(head, title=title, expand=False))

    if m.budgets:
        bt = _table(
            "Budgets",
            [
                ("budget", "left"),
                ("amount", "right"),
                ("actual", "right"),
                ("used", "right"),
                (f"forecast {m.budgets[0]['forecast_month']}", "right"),
                ("status", "left"),
            ],
        )
        for b in m.budgets:
            bt.add_row(
                b["budget"],
                money(b["amount"], c),
                money(b["actual"], c),
                pct(b["used_ratio"]),
                money(b["forecast"], c),
                Text(b["level"].upper(), style=LEVEL_STYLE[b["level"]]),
            )
        console.print(bt)
    for dim, rows in m.breakdowns.items():
        t = _table(
            f"By {dimension_title(dim).lower()}",
            [
                (dimension_title(dim), "left"),
                ("calls", "right"),
                ("cost", "right"),
                ("share", "right"),
                ("vs prev.", "right"),
            ],
        )
        for r in rows[:top]:
            t.add_row(
                r["value"], num(r["calls"]), money(r["cost"], c), pct(r["share"]), money(r["change"], c, signed=True)
            )
        if len(rows) > top:
            rest = rows[top:]
            t.add_row(
                f"({len(rest)} more)",
                num(sum(r["calls"] for r in rest)),
                money(sum(r["cost"] for r in rest), c),
                "",
                "",
            )
        console.print(t)
    if m.movers:
        t = _table(
            "Top movers vs previous month",
            [("", "left"), ("name", "left"), ("previous", "right"), ("this month", "right"), ("change", "right")],
        )
        for r in m.movers:
            t.add_row(
                r["dimension"],
                r["value"],
                money(r["prev_cost"], c),
                money(r["cost"], c),
                money(r["change"], c, signed=True),
            )
        console.print(t)
    u = m.unit
    console.print(
        f"[bold]Unit economics[/bold]: {money(u['cost_per_1k_calls'], c)} per 1k calls, "
        f"{money(u['cost_per_1m_tokens'], c)} per 1M tokens; cache hit rate {pct(u['cache_hit_rate'])}, caching saved "
        f"{money(u['cache_net_saved'], c)} net; batch {pct(u['batch_share'])} of spend, "
        f"saved {money(u['batch_saved'], c)}."
    )
    if m.anomalies:
        t = _table(
            "Anomalies",
            [
                ("day", "left"),
                ("by", "left"),
                ("name", "left"),
                ("spend", "right"),
                ("median", "right"),
                ("top call", "left"),
            ],
        )
        for a in m.anomalies:
            tc = a.top_calls[0] if a.top_calls else None
            t.add_row(
                str(a.day),
                a.dimension,
                a.value,
                money(a.cost_usd, c),
                money(a.median_usd, c),
                f"{money(tc['cost'], c)} {tc['source_file']}:{tc['source_line']}" if tc else "",
            )
        console.print(t)
        console.print(f"Method: {m.methods['anomalies']}.", style="dim")
    else:
        console.print("Anomalies: none.")
    if m.savings:
        s = m.savings
        console.print(
            f"[bold]Savings opportunity[/bold] ({s['quality']}): all to the small sibling saves "
            f"{money(s['all_to_small']['saving'], c)} (cost ratio {ratio(s['all_to_small']['cost_ratio'])}); "
            f"Armstrong 80/20 saves {money(s['armstrong_80_20']['saving'], c)} "
            f"(cost ratio {ratio(s['armstrong_80_20']['cost_ratio'])})."
        )
    if m.reconciliation:
        r = m.reconciliation
        console.print(
            f"Reconciliation: billed {money(r['billed'], c)} vs computed {money(r['computed'], c)} on "
            f"{num(r['calls'])} calls ({money(r['difference'], c, signed=True)})."
        )
    for fxr in m.fx:
        when = f"rate of {fxr['rate_date']}" if fxr["rate_date"] else "one rate"
        console.print(
            f"FX {fxr['month']}: 1 USD = {fxr['rate']} {fxr['currency']} ({when}, {fxr['source']})", style="dim"
        )
    console.print(
        f"Prices {m.price_version}; {len(m.sources)} source file(s); {m.quarantined} quarantined record(s); "
        f"{num(h['unpriced_calls'])} unpriced call(s).",
        style="dim",
    )
    for n in m.notes:
        console.print(f"Note: {n}", style="yellow")
