"""Inline SVG charts for the HTML report, drawn in Python: no JavaScript, no fonts or files fetched.

Amounts are turned into floats here for geometry only; every number printed on a chart is formatted from
the exact Decimal by fmt.money.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from finops.report.fmt import money, pct

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1", "#edc948", "#9c755f")
OTHER = "#bab0ac"
INK, MUTED, GRID = "#1f2933", "#6b7785", "#e4e7eb"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


def _nice_scale(v: float, ticks: int = 4) -> tuple[float, int]:
    """(axis max, tick count): a round step (1, 2, 2.5, 5 x 10^k) so every tick label is a round number."""
    if v <= 0:
        return 1.0, ticks
    raw = v / ticks
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= raw)
    n = max(1, math.ceil(v / step - 1e-9))
    return step * n, n


def _svg(w: int, h: int, label: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
        f'aria-label="{escape(label)}" style="{FONT};max-width:{w}px;height:auto">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, s: str, *, size: int = 11, anchor: str = "start", fill: str = MUTED, weight: str = ""
) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{w}>{escape(s)}</text>'
    )


def _y_axis(left: float, right: float, top: float, bottom: float, vmax: float, fmt: Any, ticks: int = 4) -> list[str]:
    out = []
    for i in range(ticks + 1):
        v = vmax * i / ticks
        y = bottom - (bottom - top) * i / ticks
        out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, fmt(v), anchor="end"))
    return out


def color_for(i: int, name: str) -> str:
    return OTHER if name == "other" else PALETTE[i % len(PALETTE)]


def daily_stacked(
    days: Sequence[date], models: Sequence[str], cells: dict[tuple[date, str], Decimal], currency: str
) -> str:
    """Daily spend, one bar per day, stacked by model (legend below)."""
    rows = 1 + sum(len(m) for m in models) // 90
    w, h = 860, 262 + 18 * rows
    left, right, top, bottom = 64, w - 16, 16, h - 44 - 18 * rows
    totals = {d: sum((cells.get((d, m), Decimal(0)) for m in models), Decimal(0)) for d in days}
    vmax, ticks = _nice_scale(float(max(totals.values(), default=Decimal(0))))
    body = _y_axis(left, right, top, bottom, vmax, lambda v: money(Decimal(str(round(v, 4))), currency), ticks)
    n = max(1, len(days))
    step = (right - left) / n
    bw = max(2.0, step * 0.72)
    for i, d in enumerate(days):
        x = left + i * step + (step - bw) / 2
        y = float(bottom)
        for j, m in enumerate(models):
            v = cells.get((d, m), Decimal(0))
            if not v:
                continue
            hh = float(v) / vmax * (bottom - top)
            y -= hh
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{hh:.1f}" fill="{color_for(j, m)}">'
                f"<title>{d} {escape(m)}: {money(v, currency)}</title></rect>"
            )
        if i % max(1, n // 10) == 0 or i == n - 1:
            body.append(_text(x + bw / 2, bottom + 14, f"{d:%b} {d.day}", anchor="middle", size=10))
    body.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>')
    lx, ly = float(left), bottom + 34
    for j, m in enumerate(models):
        label = m if len(m) <= 26 else m[:25] + "…"
        width = 18 + 6.4 * len(label) + 18
        if lx + width > right:
            lx, ly = left, ly + 18
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" rx="2" fill="{color_for(j, m)}"/>')
        body.append(_text(lx + 15, ly, label, fill=INK))
        lx += width
    return _svg(w, h, "Daily spend stacked by model", body)


def monthly_trend(points: Sequence[dict[str, Any]], currency: str) -> str:
    """Monthly spend bars; the forecast month drawn hatched with its amount."""
    w, h = 860, 280
    left, right, top, bottom = 64, w - 16, 24, h - 40
    vmax, ticks = _nice_scale(float(max((p["cost"] for p in points), default=Decimal(0))))
    body = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#dbe4ee"/><line x1="0" y1="0" x2="0" y2="6" stroke="{PALETTE[0]}" '
        'stroke-width="2"/></pattern></defs>'
    ]
    body += _y_axis(left, right, top, bottom, vmax, lambda v: money(Decimal(str(round(v, 4))), currency), ticks)
    n = max(1, len(points))
    step = (right - left) / n
    bw = step * 0.56
    for i, p in enumerate(points):
        x = left + i * step + (step - bw) / 2
        hh = float(p["cost"]) / vmax * (bottom - top)
        y = bottom - hh
        fc = p["kind"] == "forecast"
        fill = "url(#hatch)" if fc else PALETTE[0]
        stroke = f' stroke="{PALETTE[0]}" stroke-dasharray="4 3" stroke-width="1.5"' if fc else ""
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{max(hh, 0.5):.1f}" fill="{fill}"{stroke}>'
            f"<title>{p['month']} ({p['kind']}): {money(p['cost'], currency)}</title></rect>"
        )
        body.append(_text(x + bw / 2, y - 6, money(p["cost"], currency), anchor="middle", fill=INK, size=11))
        body.append(_text(x + bw / 2, bottom + 16, p["month"] + (" (forecast)" if fc else ""), anchor="middle"))
    body.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>')
    return _svg(w, h, "Monthly spend with forecast", body)


def cost_curve(points: Sequence[dict[str, Any]], markers: Sequence[tuple[Decimal, Decimal, str]]) -> str:
    """Cost ratio (y, 0..1 of today's spend) vs the share of calls kept on their model (x, 0..100%)."""
    w, h = 860, 300
    left, right, top, bottom = 56, w - 24, 16, h - 44

    def px(share: Decimal) -> float:
        return left + float(share) * (right - left)

    def py(r: Decimal) -> float:
        return bottom - float(r) * (bottom - top)

    body = _y_axis(left, right, top, bottom, 1.0, lambda v: f"{v:.0%}", 4)
    for i in range(0, 11, 2):
        x = left + (right - left) * i / 10
        body.append(_text(x, bottom + 16, f"{i * 10}%", anchor="middle"))
    body.append(
        _text(
            (left + right) / 2,
            bottom + 34,
            "share of movable calls kept on their current model (most complex first)",
            anchor="middle",
            fill=INK,
        )
    )
    third = Decimal(1) / 3
    body.append(
        f'<line x1="{left}" x2="{right}" y1="{py(third):.1f}" y2="{py(third):.1f}" stroke="#e15759" '
        'stroke-dasharray="5 4" stroke-width="1.2"/>'
    )
    body.append(_text(right - 4, py(third) - 6, "1/3 of today's cost", anchor="end", fill="#e15759"))
    pts = [(px(p["share_kept"]), py(p["cost_ratio"])) for p in points if p.get("cost_ratio") is not None]
    if pts:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(pts))
        area = path + f" L{pts[-1][0]:.1f},{bottom} L{pts[0][0]:.1f},{bottom} Z"
        body.append(f'<path d="{area}" fill="{PALETTE[0]}" fill-opacity="0.10" stroke="none"/>')
        body.append(f'<path d="{path}" fill="none" stroke="{PALETTE[0]}" stroke-width="2.5"/>')
    for share, r, label in markers:
        x, y = px(share), py(r)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#fff" stroke="{INK}" stroke-width="2"/>')
        anchor = "start" if share < Decimal("0.7") else "end"
        dx = 9 if anchor == "start" else -9
        body.append(_text(x + dx, y + 16, f"{label}: {pct(r, places=0)}", anchor=anchor, fill=INK, size=11))
    body.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}" stroke-width="1"/>')
    return _svg(w, h, "Cost curve of the savings scenarios", body)
