"""Terminal rendering of `aispend reconcile` (rich)."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from finops.reconcile import Reconciliation, usd


def _pct(p: Decimal | None) -> str:
    return "n/a" if p is None else f"{p:+}%"


def _signed(v: Decimal | None) -> str:
    if v is None:
        return "n/a"
    return ("+" if v > 0 else "-" if v < 0 else "") + usd(abs(v))


def reconciliation(console: Console, rec: Reconciliation) -> None:
    if not rec.lines:
        console.print("Nothing to reconcile: the store holds no calls or billing lines for this period.")
        return
    t = Table(
        title=f"Computed (price table {rec.price_version}) against billed cost",
        title_justify="left",
        title_style="bold",
        show_edge=False,
        pad_edge=False,
    )
    for name, justify in (
        ("month", "left"),
        ("provider", "left"),
        ("platform", "left"),
        ("computed", "right"),
        ("billed", "right"),
        ("billed from", "left"),
        ("variance", "right"),
        ("% of computed", "right"),
    ):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for x in rec.lines:
        t.add_row(
            x.month,
            x.provider,
            x.platform,
            usd(x.computed_usd),
            "n/a" if x.billed_usd is None else usd(x.billed_usd),
            x.billed_source or "-",
            _signed(x.variance_usd),
            _pct(x.variance_pct),
        )
    console.print(t)
    tot = rec.totals
    console.print(
        f"Months with a billed figure: computed {usd(tot['computed_usd'])}, billed {usd(tot['billed_usd'])}, "
        f"variance {_signed(tot['variance_usd'])}."
    )
    for x in rec.lines:
        if x.billed_usd is None:  # the table says n/a; the footer says what to ingest
            continue
        console.print(f"\n[bold]{x.month} {x.provider} ({x.platform})[/bold]: variance {_signed(x.variance_usd)}")
        for r in x.reasons:
            amount = f"{_signed(r.amount_usd)}  " if r.amount_usd is not None else ""
            console.print(f"  {amount}{r.message}", markup=False, highlight=False)
        if x.models:
            mt = Table(
                show_edge=False, pad_edge=False, box=None, title="  by model, on the days billed", title_justify="left"
            )
            for name, justify in (("model", "left"), ("computed", "right"), ("billed", "right"), ("variance", "right")):
                mt.add_column(name, justify=justify)  # type: ignore[arg-type]
            for m in x.models:
                mt.add_row(m.model, usd(m.computed_usd), usd(m.billed_usd), _signed(m.variance_usd))
            console.print(mt)
    missing = sorted({f"{x.provider} ({x.platform})" for x in rec.lines if x.billed_usd is None})
    if missing:
        console.print(
            f"\nNo billed figure for: {', '.join(missing)}. Ingest the provider's cost export "
            "(OpenAI Costs API / cost CSV, Anthropic cost report, FOCUS) to reconcile them.",
            style="dim",
        )
