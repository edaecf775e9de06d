"""Terminal rendering of scenario runs (`aispend simulate`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from finops import simulate
from finops.report.render import money, num


def _q(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def band(d: dict[str, Any], fmt: Any = money) -> str:
    return f"{fmt(d['p50'])} [P10 {fmt(d['p10'])} – P90 {fmt(d['p90'])}]"


def comparison(console: Console, results: list[simulate.Result]) -> None:
    t = Table(
        title="Scenarios (each call re-priced on its target at its own date and tier)",
        title_justify="left",
        show_edge=False,
    )
    for c, j in (
        ("scenario", "left"),
        ("moved", "right"),
        ("cost ratio", "right"),
        ("savings", "right"),
        ("P10–P90", "right"),
        ("quality P50 [P10–P90]", "right"),
        ("Q", "left"),
    ):
        t.add_column(c, justify=j)  # type: ignore[arg-type]
    for r in results:
        q = r.quality
        qtxt = "not assessed" if q["p50"] is None else f"{_q(q['p50'])} [{_q(q['p10'])}–{_q(q['p90'])}]"
        ratio = "n/a" if r.cost_ratio is None else f"{r.cost_ratio:.3f}"
        n = r.data.calls_in_scope or 1
        t.add_row(
            r.scenario.name,
            f"{r.calls_moved / n:.0%}",
            ratio,
            money(r.savings_usd),
            f"{money(r.savings['p10'])}–{money(r.savings['p90'])}",
            qtxt,
            "Q4" if r.evals else r.scenario.quality.model,
        )
    console.print(t)
    console.print("Q0 price only · Q1 retention prior · Q2 routing curve · Q4 your paired evaluations", style="dim")


def curve_chart(console: Console, res: simulate.Result, width: int = 24) -> None:
    pts = {p["share_kept"]: p for p in res.curve}
    t = Table(
        title="Cost curve: spend against the share of calls kept on their model (most complex kept first)",
        title_justify="left",
        show_edge=False,
        box=None,
    )
    t.add_column("kept", justify="right")
    t.add_column("cost ratio", justify="right")
    t.add_column("", justify="left")
    t.add_column("spend kept", justify="right")
    t.add_column("markers", justify="left")
    m = res.markers
    for j in range(0, 101, 10):
        p = pts[Decimal(j) / 100]
        r = p["cost_ratio"]
        if r is None:
            continue
        marks = []
        if j == 100:
            marks.append("today")
        if j == 20:
            marks.append(f"Armstrong on this mix; naive 80/20 = {m['naive_80_20']['cost_ratio']}")
        bar = "█" * round(float(r) * width)
        t.add_row(f"{j}%", f"{r:.3f}", bar, f"{p['spend_share_kept']:.0%}", "; ".join(marks))
    console.print(t)
    sc = m["scenario"]
    console.print(
        f"  Harvey point: {m['harvey']['cost_ratio']} of cost at parity (advisor pattern, legal benchmark, "
        f"n = 100). This scenario: {sc['cost_ratio']} with {float(sc['share_kept']):.0%} of calls kept."
    )


def detail(console: Console, res: simulate.Result) -> None:
    sc = res.scenario
    n = res.data.calls_in_scope or 1
    body = Text()
    body.append(f"{sc.description}\n", style="italic")
    body.append(f"Policy: {sc.policy.kind}")
    if sc.policy.kind == "top-k":
        body.append(f", keep the {sc.policy.keep:.0%} most complex (by {sc.policy.keep_by}) on their model")
    body.append("\n")
    body.append(
        f"Calls in scope {num(n)}; moved {num(res.calls_moved)} ({res.calls_moved / n:.1%} of calls, "
        f"{(res.moved_actual_usd / res.actual_usd if res.actual_usd else 0):.1%} of spend)\n"
    )
    body.append(
        f"Not in scope: {num(res.data.not_in_scope)} priced calls ({money(res.data.not_in_scope_usd)}) already on "
        f"a small model or without a smaller sibling; {num(res.data.unpriced_excluded)} unpriced calls\n",
        style="dim",
    )
    ratio = "n/a" if res.cost_ratio is None else f"{res.cost_ratio:.4f}"
    body.append(f"Spend {money(res.actual_usd)} → {money(res.counterfactual_usd)} (cost ratio {ratio}); ", style="bold")
    body.append(f"savings {money(res.savings_usd)}, band {band(res.savings)}\n", style="bold green")
    q = res.quality
    if q["p50"] is None:
        body.append("Quality retained: not assessed\n")
    else:
        body.append(f"Quality retained {_q(q['p50'])} [P10 {_q(q['p10'])} – P90 {_q(q['p90'])}]\n")
    body.append(res.quality_note + "\n", style="yellow")
    if res.evals:
        e = res.evals
        body.append(
            f"Paired sample: {e['pairs']} pairs; all-to-small retention {e['retention_all_to_small']}, "
            f"oracle upper bound {e['oracle_upper_bound']}\n"
        )
    for p in res.data.pairs:
        if p.tau != 1.0 or p.cold:
            body.append(
                f"  {p.src} → {p.dst}: tokenizer ratio {p.tau:.2f} [{p.lo:.2f}, {p.hi:.2f}], "
                f"cache {'cold' if p.cold else 'kept'}\n",
                style="dim",
            )
    for w in res.warnings + (res.evals or {}).get("warnings", []):
        body.append(f"warning: {w}\n", style="yellow")
    console.print(Panel(body, title=f"Scenario {sc.name}", expand=False))
    sens = Table(title="Sensitivity: which assumption moves the saving most", title_justify="left", show_edge=False)
    for c in ("parameter", "savings at low", "savings at high", "swing", "retention low–high"):
        sens.add_column(c)
    for s in res.sensitivity:
        rl, rh = s.get("retention_at_low"), s.get("retention_at_high")
        sens.add_row(
            s["parameter"],
            money(s["savings_at_low"]) if s["savings_at_low"] is not None else "-",
            money(s["savings_at_high"]) if s["savings_at_high"] is not None else "-",
            money(s["swing"]),
            f"{_q(rl)}–{_q(rh)}" if rl is not None else "-",
        )
    console.print(sens)
    curve_chart(console, res)
    projection(console, res)


def projection(console: Console, res: simulate.Result) -> None:
    pr = res.projection
    if not pr.get("months"):
        return
    t = Table(
        title=f"Projection: baseline {pr['method']}; adoption {pr['ramp']}", title_justify="left", show_edge=False
    )
    for c in ("month", "baseline", "adoption", "savings P50 [P10–P90]", "cumulative P50"):
        t.add_column(c, justify="left" if c == "month" else "right")
    for m in pr["months"]:
        s = m["savings_usd"]
        t.add_row(
            m["month"],
            money(m["baseline_usd"]),
            f"{m['adoption']:.0%}",
            f"{money(s['p50'])} [{money(s['p10'])}–{money(s['p90'])}]",
            money(m["cumulative_savings_usd"]["p50"]),
        )
    console.print(t)
