"""Text formatting shared by the renderers: the only place amounts are rounded (half-even)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from rich.table import Table

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
CENT = Decimal("0.01")


def money(v: Any, currency: str = "USD", *, signed: bool = False) -> str:
    """$1,234.56; amounts under a cent show 4 places ($0.0042); other currencies as '1,234.56 CHF'."""
    if v is None:
        return "n/a"
    d = Decimal(v)
    places = Decimal("0.0001") if d != 0 and abs(d) < CENT else CENT
    q = d.quantize(places, ROUND_HALF_EVEN)
    sign = "-" if q < 0 else ("+" if signed and q > 0 else "")
    body = f"{abs(q):,}"
    sym = SYMBOLS.get(currency)
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency}"


def pct(r: Any, *, signed: bool = False, places: int = 1) -> str:
    if r is None:
        return "n/a"
    v = Decimal(r) * 100
    s = f"{v:+.{places}f}%" if signed else f"{v:.{places}f}%"
    return s


def num(v: Any) -> str:
    return "n/a" if v is None else f"{int(v):,}"


def ratio(r: Any) -> str:
    return "n/a" if r is None else f"{Decimal(r):.3f}"


def change(m: dict[str, Any], currency: str) -> str:
    """'+$4.96 (+70.5%) vs 2025-07' or 'no data for 2025-05'."""
    if m.get("cost") is None:
        return f"no data for {m['month']}"
    rel = f" ({pct(m['change_ratio'], signed=True)})" if m.get("change_ratio") is not None else ""
    return f"{money(m['change'], currency, signed=True)}{rel} vs {m['month']}"


DIMENSION_TITLES = {
    "provider": "Provider",
    "model": "Model",
    "service_tier": "Service tier",
    "team": "Team",
    "project": "Project",
    "api_key": "API key",
    "workspace": "Workspace",
    "feature": "Feature",
}


def dimension_title(dim: str) -> str:
    return DIMENSION_TITLES.get(dim, dim.replace("_", " ").capitalize())


SHORT_TEXT = ("month", "provider", "platform", "why", "seen")  # short words: kept whole, other text folds


def table(title: str, columns: Iterable[tuple[str, str]]) -> Table:
    """A report table whose text columns (model ids, file paths, reasons) fold onto more lines instead of
    being cut with an ellipsis: on an 80-column terminal, or in output written to a file (80 columns too),
    the cut ids (`claude-3-…`) hid which model a row was. SHORT_TEXT columns stay on one line."""
    t = Table(title=title, title_justify="left", title_style="bold", show_edge=False, pad_edge=False)
    for name, justify in columns:
        if justify == "right":
            t.add_column(name, justify="right")
        else:
            t.add_column(name, justify="left", overflow="fold", no_wrap=name in SHORT_TEXT)
    return t
