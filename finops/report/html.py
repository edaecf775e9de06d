"""The month-end report as one self-contained HTML page: inline CSS, inline SVG, no script, no network.

A Content-Security-Policy meta tag forbids every fetch and script, so the page renders the same offline,
in a mail client's preview or printed to PDF (print CSS: A4, no broken tables or charts).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from finops.report import charts
from finops.report.fmt import dimension_title, money, num, pct, ratio
from finops.report.monthly import Monthly

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

CSS = """
:root{--ink:#1f2933;--muted:#6b7785;--line:#e4e7eb;--soft:#f5f7fa;--accent:#4e79a7;--ok:#2f855a;--warn:#b7791f;
--over:#c53030}
*{box-sizing:border-box}
body{margin:0;background:#eef1f5;color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
Helvetica,Arial,sans-serif;-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:960px;margin:24px auto;background:#fff;padding:36px 44px;border-radius:10px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
header{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:22px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 10px;padding-bottom:4px;
border-bottom:1px solid var(--line)}h3{font-size:14px;margin:16px 0 6px;color:var(--muted);font-weight:600}
.sub{color:var(--muted);font-size:13px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:18px 0 8px}
.kpi{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.kpi .label{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.kpi .value{font-size:24px;font-weight:700;margin-top:2px;font-variant-numeric:tabular-nums}
.kpi .note{font-size:12px;color:var(--muted)}
.up{color:var(--over)}.down{color:var(--ok)}
.summary{background:#f0f5fb;border-left:4px solid var(--accent);padding:10px 14px;margin:14px 0;border-radius:4px}
.warnbox{background:#fffaf0;border-left:4px solid var(--warn);padding:8px 14px;margin:10px 0;border-radius:4px}
table{width:100%;border-collapse:collapse;margin:4px 0 10px;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:11px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600;
background:var(--soft)}
td.n,th.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:700;border-top:2px solid var(--ink)}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:0 24px}.grid2>div{min-width:0}
.grid2 th,.grid2 td{padding:5px 5px}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11px;font-weight:700;color:#fff}
.pill.ok{background:var(--ok)}.pill.warn{background:var(--warn)}.pill.over{background:var(--over)}
.bar{display:inline-block;height:8px;background:var(--accent);border-radius:2px;vertical-align:middle}
figure{margin:6px 0 14px}figcaption{font-size:12px;color:var(--muted);margin-top:2px}
.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.small{font-size:12px;color:var(--muted)}
footer{margin-top:30px;border-top:1px solid var(--line);padding-top:12px;font-size:12px;color:var(--muted)}
footer table{font-size:12px}
@media (max-width:720px){.kpis{grid-template-columns:1fr 1fr}.grid2{grid-template-columns:1fr}
main{padding:20px}}
@page{size:A4;margin:14mm}
@media print{body{background:#fff;font-size:12px}main{box-shadow:none;margin:0;max-width:none;padding:0}
h2{break-after:avoid}table,figure,.kpis,.kpi,.summary{break-inside:avoid}tr{break-inside:avoid}}
"""


def _e(v: Any) -> str:
    return escape(str(v))


def _table(head: list[tuple[str, bool]], rows: list[list[str]], total: list[str] | None = None) -> str:
    """head: (title, numeric). Cells are already escaped HTML."""
    th = "".join(f'<th class="n">{_e(t)}</th>' if n else f"<th>{_e(t)}</th>" for t, n in head)
    body = []
    for r in rows + ([total] if total else []):
        tds = "".join(f'<td class="n">{c}</td>' if head[i][1] else f"<td>{c}</td>" for i, c in enumerate(r))
        body.append(f'<tr class="total">{tds}</tr>' if r is total else f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _signed(v: Decimal, c: str) -> str:
    cls = "up" if v > 0 else ("down" if v < 0 else "")
    return f'<span class="{cls}">{_e(money(v, c, signed=True))}</span>'


def _kpi(label: str, value: str, note: str = "") -> str:
    return (
        f'<div class="kpi"><div class="label">{_e(label)}</div><div class="value">{value}</div>'
        f'<div class="note">{note}</div></div>'
    )


def _change_note(cmp: dict[str, Any], c: str) -> tuple[str, str]:
    if cmp.get("cost") is None:
        return "n/a", f"no data for {_e(cmp['month'])}"
    r = cmp.get("change_ratio")
    cls = "up" if cmp["change"] > 0 else "down"
    value = f'<span class="{cls}">{_e(pct(r, signed=True))}</span>' if r is not None else "new"
    return value, f"{_e(money(cmp['change'], c, signed=True))} vs {_e(cmp['month'])} ({_e(money(cmp['cost'], c))})"


def summary_sentence(m: Monthly) -> str:
    """One plain-English paragraph: the number, the change and what drove it."""
    c, h = m.currency, m.headline
    lb = "at least " if m.lower_bound else ""
    prev = h["vs_previous_month"]
    parts = [f"AI spend for {m.month} was {lb}{money(h['total'], c)}"]
    if prev.get("cost") is not None and prev.get("change_ratio") is not None:
        verb = "up" if prev["change"] > 0 else "down"
        parts[0] += f", {verb} {pct(abs(prev['change_ratio']))} from {money(prev['cost'], c)} in {prev['month']}"
    s = parts[0] + "."
    drivers = [r for r in m.movers if r["change"] > 0][:2]
    if drivers:
        s += (
            " The largest increases: "
            + " and ".join(f"{r['dimension']} {r['value']} ({money(r['change'], c, signed=True)})" for r in drivers)
            + "."
        )
    top = m.breakdowns.get("model", [])[:1]
    if top and top[0]["share"] is not None:
        s += f" {top[0]['value']} is {pct(top[0]['share'], places=0)} of spend."
    if m.anomalies:
        s += f" {len(m.anomalies)} unusual day(s) flagged below."
    s += f" Forecast for {h['forecast']['month']}: {money(h['forecast']['amount'], c)}."
    return s


def _breakdown(m: Monthly, dim: str) -> str:
    c = m.currency
    rows = m.breakdowns[dim]
    biggest = max((r["cost"] for r in rows), default=Decimal(0)) or Decimal(1)
    body = []
    for r in rows:
        width = int((60 if dim == "model" else 36) * float(r["cost"] / biggest)) if r["cost"] > 0 else 0
        unpriced = f'<br><span class="small">+{r["unpriced_calls"]} unpriced</span>' if r["unpriced_calls"] else ""
        body.append(
            [
                _e(r["value"]),
                _e(num(r["calls"])),
                _e(money(r["cost"], c)) + unpriced,
                f'<span class="bar" style="width:{width}px"></span> {_e(pct(r["share"]))}',
                _signed(r["change"], c),
            ]
        )
    total = [
        "Total",
        _e(num(sum(r["calls"] for r in rows))),
        _e(money(sum((r["cost"] for r in rows), Decimal(0)), c)),
        "",
        _signed(sum((r["change"] for r in rows), Decimal(0)), c),
    ]
    head = [(dimension_title(dim), False), ("calls", True), ("cost", True), ("share", True), ("vs prev.", True)]
    return f"<h3>By {_e(dimension_title(dim).lower())}</h3>" + _table(head, body, total)


def render(m: Monthly) -> str:
    """The whole report as one HTML document (a str)."""
    c, h = m.currency, m.headline
    lb = "at least " if m.lower_bound else ""
    title = f"AI spend report — {m.month_start:%B %Y}" + ("" if m.complete else " (month to date)")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body><main>",
        f'<header><h1>{_e(title)}</h1><div class="sub">{_e(num(h["calls"]))} calls · '
        f"{_e(m.month_start.date())} to {_e(m.data_through.date())} (UTC) · amounts in {_e(c)} · "
        f"price table {_e(m.price_version)}</div></header>",
    ]
    prev_v, prev_n = _change_note(h["vs_previous_month"], c)
    q_v, q_n = _change_note(h["vs_quarter_ago"], c)
    f = h["forecast"]
    total_note = (
        f"{_e(num(h['unpriced_calls']))} call(s) unpriced: a lower bound" if m.lower_bound else "all calls priced"
    )
    out.append('<section class="kpis">')
    out.append(_kpi("Total spend", (_e("≥ ") if lb else "") + _e(money(h["total"], c)), total_note))
    out.append(_kpi("vs previous month", prev_v, prev_n))
    out.append(_kpi("vs 3 months ago", q_v, q_n))
    out.append(
        _kpi(f"Forecast {f['month']}", _e(money(f["amount"], c)), f"run-rate {_e(money(h['run_rate']['amount'], c))}")
    )
    out.append("</section>")
    out.append(f'<p class="summary">{_e(summary_sentence(m))}</p>')
    if m.lower_bound:
        out.append(
            f'<p class="warnbox">{_e(num(h["unpriced_calls"]))} call(s) could not be priced (models or dates missing '
            "from the price table), so the total is a lower bound. See <em>Data</em> below.</p>"
        )
    if m.budgets:
        out.append("<h2>Budgets</h2>")
        rows = [
            [
                _e(b["budget"]),
                _e(money(b["amount"], c)),
                _e(money(b["actual"], c)),
                _e(pct(b["used_ratio"], places=0)),
                _e(money(b["forecast"], c)),
                f'<span class="pill {b["level"]}">{_e(b["level"].upper())}</span>',
            ]
            for b in m.budgets
        ]
        head = [
            ("budget", False),
            ("monthly budget", True),
            ("actual", True),
            ("used", True),
            (f"forecast {m.budgets[0]['forecast_month']}", True),
            ("status", False),
        ]
        out.append(_table(head, rows))
        out.append(
            '<p class="small">WARN when actual or forecast reaches 80% of the budget; OVER when actual exceeds it.</p>'
        )

    out.append("<h2>Spend over time</h2>")
    days = sorted({r["day"] for r in m.daily_by_model})
    all_days = _month_days(m)
    cells = {(r["day"], r["model"]): r["cost"] for r in m.daily_by_model}
    out.append(
        f"<figure>{charts.daily_stacked(all_days or days, m.chart_models, cells, c)}"
        f"<figcaption>Daily spend in {_e(m.month)}, stacked by model (UTC days).</figcaption></figure>"
    )
    out.append(
        f"<figure>{charts.monthly_trend(m.trend, c)}<figcaption>Monthly spend; the hatched bar is the forecast: "
        f"{_e(f['method'])}.</figcaption></figure>"
    )

    out.append("<h2>Where the money went</h2>")
    dims = list(m.breakdowns)
    big = [d for d in dims if d in ("model",)]
    small = [d for d in dims if d not in big]
    for d in big:
        out.append(_breakdown(m, d))
    out.append('<div class="grid2">' + "".join(f"<div>{_breakdown(m, d)}</div>" for d in small) + "</div>")

    if m.movers:
        out.append("<h2>Top movers vs previous month</h2>")
        rows = [
            [
                _e(r["dimension"]),
                _e(r["value"]) + (f' <span class="small">({_e(r["status"])})</span>' if r["status"] else ""),
                _e(money(r["prev_cost"], c)),
                _e(money(r["cost"], c)),
                _signed(r["change"], c),
            ]
            for r in m.movers
        ]
        out.append(
            _table([("", False), ("name", False), ("previous", True), ("this month", True), ("change", True)], rows)
        )

    out.append(_savings(m))
    out.append(_anomalies(m))
    out.append(_unit(m))
    if m.reconciliation:
        r = m.reconciliation
        out.append("<h2>Reconciliation</h2>")
        out.append(
            f"<p>{_e(num(r['calls']))} calls carry a cost stated by their source: billed {_e(money(r['billed'], c))}, "
            f"computed {_e(money(r['computed'], c))}, difference {_signed(r['difference'], c)} "
            f"({_e(pct(r['difference_ratio'], signed=True))}). Full reconciliation: <code>aispend reconcile</code>.</p>"
        )
    out.append(_footer(m))
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def _month_days(m: Monthly) -> list[date]:
    from datetime import timedelta

    start = m.month_start.date()
    end = min(m.month_end.date(), m.data_through.date() + timedelta(days=1))
    return [start + timedelta(days=i) for i in range((end - start).days)]


def _unit(m: Monthly) -> str:
    c, u = m.currency, m.unit
    rows = [
        ["Cost per 1,000 calls", _e(money(u["cost_per_1k_calls"], c))],
        ["Cost per 1M tokens", _e(money(u["cost_per_1m_tokens"], c))],
        ["Cache hit rate (cache reads / prompt tokens)", _e(pct(u["cache_hit_rate"]))],
        ["Saved by cache reads", _e(money(u["cache_read_saved"], c))],
        ["Premium paid for cache writes", _e(money(u["cache_write_premium"], c))],
        ["Net saved by caching", "<strong>" + _e(money(u["cache_net_saved"], c)) + "</strong>"],
        ["Batch share of spend", _e(pct(u["batch_share"]))],
        ["Saved by batch", _e(money(u["batch_saved"], c))],
    ]
    return (
        "<h2>Unit economics</h2>"
        + _table([("measure", False), ("value", True)], rows)
        + '<p class="small">Savings re-price the same calls through the same price table: '
        + f"{_e(m.methods['cache_savings'])}; {_e(m.methods['batch_savings'])}.</p>"
    )


def _anomalies(m: Monthly) -> str:
    c = m.currency
    out = ["<h2>Anomalies</h2>", f'<p class="small">Method: {_e(m.methods["anomalies"])}.</p>']
    if not m.anomalies:
        return "".join(out) + "<p>No unusual days this month.</p>"
    rows = []
    for a in m.anomalies:
        drivers = "<br>".join(
            f"{_e(t['ts'].strftime('%H:%M'))} {_e(t['model'])} · {_e(t['team'])} · "
            f"{_e(num(t['prompt_tokens']))} prompt tok · "
            f"<strong>{_e(money(t['cost'], c))}</strong> "
            f'<span class="mono small">{_e(t["source_file"])}:{_e(t["source_line"])}</span>'
            for t in a.top_calls
        )
        rows.append(
            [
                f'<span style="white-space:nowrap">{_e(a.day.strftime("%a %b %d"))}</span>',
                _e(a.dimension),
                _e(a.value) + (f'<br><span class="small">also {_e(", ".join(a.also))}</span>' if a.also else ""),
                _e(money(a.cost_usd, c)),
                _e(money(a.median_usd, c)),
                drivers,
            ]
        )
    head = [
        ("day", False),
        ("by", False),
        ("name", False),
        ("spend", True),
        ("usual (median)", True),
        ("driven by", False),
    ]
    return "".join(out) + _table(head, rows)


def _savings(m: Monthly) -> str:
    c = m.currency
    out = ["<h2>Savings opportunity</h2>"]
    s = m.savings
    if s is None:
        out.append('<p class="small">The savings scenarios are not available for this report.</p>')
    else:
        a, arm = s["all_to_small"], s["armstrong_80_20"]
        out.append(
            f"<p><em>{_e(s['quality'].capitalize())}:</em> each call re-priced on a smaller sibling at its own "
            "date and tier. These are price differences, not a promise of equal quality.</p>"
        )
        rows = [
            [
                "All calls to the small sibling",
                _e(money(a["cost"], c)),
                _e(money(a["saving"], c)),
                _e(ratio(a["cost_ratio"])),
            ],
            [
                "Armstrong 80/20: simplest 80% of movable calls moved",
                _e(money(arm["cost"], c)),
                _e(money(arm["saving"], c)),
                _e(ratio(arm["cost_ratio"])),
            ],
        ]
        out.append(_table([("scenario", False), ("cost", True), ("saving", True), ("cost ratio", True)], rows))
    if m.curve:
        markers = [(Decimal(1), Decimal(1), "today")]
        if s is not None:
            if s["all_to_small"]["cost_ratio"] is not None:
                markers.append((Decimal(0), s["all_to_small"]["cost_ratio"], "all to small"))
            if s["armstrong_80_20"]["cost_ratio"] is not None:
                markers.append((Decimal("0.2"), s["armstrong_80_20"]["cost_ratio"], "80/20"))
        out.append(
            f"<figure>{charts.cost_curve(m.curve, markers)}<figcaption>Cost curve: cost as a share of today's "
            "spend when the most complex share of calls stays on its model and the rest moves "
            f"({_e(m.methods['cost_curve'])}).</figcaption></figure>"
        )
    return "".join(out)


def _footer(m: Monthly) -> str:
    c = m.currency
    items = [
        f"Price table version <strong>{_e(m.price_version)}</strong>. Amounts in {_e(c)}, rounded for display only; "
        "totals are exact sums of their lines."
    ]
    for r in m.fx:
        when = f"rate of {r['rate_date']} (last business day)" if r["rate_date"] else "one rate for every month"
        items.append(
            f"FX {_e(r['month'])}: 1 USD = {_e(r['rate'])} {_e(r['currency'])}, {_e(when)}, source {_e(r['source'])}."
        )
    items.append(f"Quarantined records in these files (not counted): {_e(m.quarantined)}.")
    if m.flagged:
        items.append(
            "Not fully priced: "
            + "; ".join(f"{_e(r['model'])} ({_e(r['price_status'])}, {_e(r['calls'])} calls)" for r in m.flagged)
            + "."
        )
    items += [f"Note: {_e(n)}" for n in m.notes]
    rows = [
        [
            f'<span class="mono">{_e(s["source_file"])}</span>',
            _e(s["format"]),
            _e(num(s["calls"])),
            _e(f"{s['first_ts']:%Y-%m-%d} to {s['last_ts']:%Y-%m-%d}"),
        ]
        for s in m.sources
    ]
    return (
        "<footer><h2>Data</h2><p>"
        + "<br>".join(items)
        + "</p>"
        + _table([("source file", False), ("format", False), ("calls", True), ("period", False)], rows)
        + "<p>Generated by aispend from call logs priced at each call's own date. "
        + f"Forecast: {_e(m.headline['forecast']['method'])}.</p></footer>"
    )
