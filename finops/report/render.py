"""Terminal rendering (rich). The only module besides cli.py that prints."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from finops import simulate
from finops.report.analyze import Analysis
from finops.report.fmt import table as _table


def money(v: Any) -> str:
    d = Decimal(v or 0)
    if d != 0 and abs(d) < Decimal("0.01"):
        return f"${d.quantize(Decimal('0.0001'), ROUND_HALF_EVEN)}"
    return f"${d.quantize(Decimal('0.01'), ROUND_HALF_EVEN):,}"


def num(v: Any) -> str:
    return f"{int(v or 0):,}"


def ratio(r: Decimal | None) -> str:
    return "n/a" if r is None else f"{r:.3f}"


def pct(r: Decimal | None) -> str:
    return "n/a" if r is None else f"{r * 100:.1f}%"


def analysis(console: Console, a: Analysis) -> None:
    t = a.totals
    if not t["records"]:
        console.print("No calls in the store for this period. Ingest logs first: aispend ingest PATH")
        return
    span = f"{t['first_ts']:%Y-%m-%d} → {t['last_ts']:%Y-%m-%d}"
    head = Text()
    head.append("Total spend ", style="bold")
    head.append(("at least " if a.lower_bound else "") + money(t["cost_usd"]), style="bold green")
    head.append(f"   {num(t['calls'])} calls, {span} (UTC), prices {a.price_version}\n")
    head.append(
        f"Tokens: {num(t['input_uncached'])} input, {num(t['cache_read'])} cache read, "
        f"{num(t['cache_write_5m'] + t['cache_write_1h'])} cache write, {num(t['output'])} output "
        f"(of which {num(t['reasoning'])} reasoning)"
    )
    if a.lower_bound:
        head.append(
            f"\nNot fully priced (see below): {a.not_fully_priced}; the total is a lower bound.",
            style="yellow",
        )
    console.print(Panel(head, title="aispend analyze", expand=False))

    months = _table(
        "Spend by month, provider and model",
        [
            ("month", "left"),
            ("provider", "left"),
            ("model", "left"),
            ("calls", "right"),
            ("input tok", "right"),
            ("output tok", "right"),
            ("cost", "right"),
        ],
    )
    current = None
    for r in a.by_month:
        if current is not None and r["month"] != current:
            months.add_section()
        current = r["month"]
        cost = money(r["cost_usd"]) + (f" (+{num(r['unpriced_calls'])} unpriced)" if r["unpriced_calls"] else "")
        months.add_row(
            r["month"],
            r["provider"],
            r["model"],
            num(r["calls"]),
            num(r["input_tokens"]),
            num(r["output_tokens"]),
            cost,
        )
    console.print(months)

    for key, rows in a.by_tag.items():
        tt = _table(f"Spend by {key}", [(key, "left"), ("calls", "right"), ("cost", "right"), ("share", "right")])
        total = Decimal(t["cost_usd"]) or Decimal(1)
        for r in rows:
            tt.add_row(r["value"], num(r["calls"]), money(r["cost_usd"]), pct(Decimal(r["cost_usd"]) / total))
        console.print(tt)

    if a.flagged:
        ft = _table(
            "Calls not fully priced",
            [("model", "left"), ("why", "left"), ("calls", "right"), ("seen", "left"), ("counted", "right")],
        )
        for r in a.flagged:
            ft.add_row(
                r["model"],
                r["price_status"],
                num(r["calls"]),
                f"{r['first_ts']:%Y-%m-%d}..{r['last_ts']:%Y-%m-%d}",
                money(r["cost_usd"]),
            )
        console.print(ft)
        if a.models_to_add:
            console.print(f"Add to pricing/: {', '.join(a.models_to_add)} (see 'aispend prices list').", style="yellow")
    if a.quarantine:
        qt = _table(
            "Quarantined records (not counted)", [("reason", "left"), ("records", "right"), ("first at", "left")]
        )
        for r in a.quarantine:
            qt.add_row(r["reason"], num(r["records"]), r["example"])
        console.print(qt)
    sources(console, a)
    headline(console, a)


def headline(console: Console, a: Analysis) -> None:
    h = a.headline
    body = Text()
    body.append(
        f"{simulate.QUALITY_LABEL}; each call re-priced on its target at its own date and tier\n", style="italic"
    )
    saving = h.actual_usd - h.all_to_small_usd
    body.append(
        f"All to the small sibling: {money(h.actual_usd)} → {money(h.all_to_small_usd)} "
        f"(cost ratio {ratio(h.all_to_small_ratio)}, saves {money(saving)}; "
        f"{num(h.movable_calls)} of {num(h.priced_calls)} priced calls have a smaller sibling)\n"
    )
    body.append(
        f"Armstrong 80/20 on your mix: of those {num(h.movable_calls)} calls, the 20% most complex "
        f"({num(h.armstrong_kept_calls)}) stay and the simplest 80% ({num(h.armstrong_moved_calls)}) move: "
        f"cost ratio {ratio(h.armstrong_scope_ratio)} on them, {ratio(h.armstrong_ratio)} on the whole "
        f"bill ({money(h.armstrong_usd)}).\n"
    )
    body.append(
        f"  The kept 20% of calls hold {pct(h.kept_spend_share)} of their spend; the naive "
        f"0.2 + 0.8 × 0.01 = {simulate.NAIVE_80_20} assumes they hold 20%.\n"
    )
    reach = h.reaches_harvey(h.armstrong_ratio)
    body.append("Harvey line (1/3 of cost, the '3x' reference): ")
    body.append("reached" if reach else "not reached", style="green" if reach else "yellow")
    body.append(
        f" by Armstrong 80/20 on this mix; all-to-small "
        f"{'reaches' if h.reaches_harvey(h.all_to_small_ratio) else 'does not reach'} it.\n"
    )
    for r in h.results:
        q = r.quality
        if q["p50"] is not None:
            body.append(
                f"  {r.scenario.name}: quality retained {q['p50']:.2f} [P10 {q['p10']:.2f} – "
                f"P90 {q['p90']:.2f}] under {simulate.quality_brief(r.quality_note)}\n",
                style="dim",
            )
    body.append(
        "Complexity score: prompt tokens + 4 × output tokens (a post-hoc size proxy; see README). "
        "Details and bands: aispend simulate.",
        style="dim",
    )
    console.print(Panel(body, title="What if calls went to smaller models?", expand=False))


def _signed_money(v: Any) -> str:
    d = Decimal(v or 0)
    return ("-" if d < 0 else "") + money(abs(d))


def sources(console: Console, a: Analysis) -> None:
    """Which source each provider was counted from, and the overlaps not counted (finops/scope.py)."""
    if not a.overlaps and all(r["source"] == "calls" for r in a.sources):
        return
    st = _table(
        "Sources counted (each provider x day once: calls > usage buckets > cost lines)",
        [
            ("provider", "left"),
            ("platform", "left"),
            ("source", "left"),
            ("days", "right"),
            ("span", "left"),
            ("records", "right"),
            ("cost", "right"),
        ],
    )
    for r in a.sources:
        st.add_row(
            r["provider"],
            r["platform"],
            r["source"],
            num(r["days"]),
            f"{r['first_day']}..{r['last_day']}",
            num(r["records"]),
            money(r["cost_usd"]),
        )
    console.print(st)
    for r in a.overlaps:
        console.print(
            f"Overlap: {r['provider']} ({r['platform']}) has {r['counted_from']} and {r['not_counted']} on "
            f"{num(r['days'])} day(s) ({r['first_day']}..{r['last_day']}): counted the {r['counted_from']}, not "
            f"the {num(r['records'])} row(s) of {r['not_counted']} ({_signed_money(r['amount_usd'])}).",
            style="yellow",
        )
    if a.overlaps:
        console.print("Compare the sources with 'aispend reconcile'.", style="dim")
