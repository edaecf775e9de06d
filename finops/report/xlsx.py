"""The month-end report as an Excel workbook for finance: a Summary sheet and pivot-ready data sheets.

Money cells are numeric (openpyxl writes the exact Decimal text; Excel reads it as a number) with a currency
number format, never text. Data sheets are Excel tables with one header row, so a pivot table or Power Query
reads them as they are. The workbook's timestamps come from the report, so the same data gives the same file.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from finops.report.fmt import SYMBOLS, dimension_title
from finops.report.monthly import Monthly

HEAD_FILL = PatternFill("solid", fgColor="DCE6F0")
BOLD = Font(bold=True)
PERCENT = "0.0%"
INTEGER = "#,##0"


def money_format(currency: str, places: int = 2) -> str:
    """An Excel number format: "$"#,##0.00 for USD, #,##0.00 "CHF" where there is no symbol."""
    frac = "." + "0" * places if places else ""
    sym = SYMBOLS.get(currency)
    if sym:
        return f'"{sym}"#,##0{frac};-"{sym}"#,##0{frac}'
    return f'#,##0{frac} "{currency}";-#,##0{frac} "{currency}"'


def _num(v: Any) -> Any:
    return Decimal(v) if isinstance(v, Decimal) else v


def _sheet_table(
    ws: Worksheet, name: str, head: list[str], rows: list[list[Any]], formats: dict[int, str], widths: dict[int, int]
) -> None:
    ws.append(head)
    for r in rows:
        ws.append([_num(v) for v in r])
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    for i, f in formats.items():
        for row in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            for cell in row:
                cell.number_format = f
    ws.freeze_panes = "A2"
    if rows:
        ref = f"A1:{get_column_letter(len(head))}{len(rows) + 1}"
        t = Table(displayName=name, ref=ref)
        t.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(t)


def write(m: Monthly, daily: list[dict[str, Any]], path: Path) -> None:
    """Write the workbook to `path` (the caller makes it atomic). `daily`: pack.daily_rows (cost converted)."""
    c = m.currency
    money, fine = money_format(c), money_format(c, 4)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Summary"
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 18
    ws.column_dimensions["E"].width = 60
    ws.append([f"AI spend report — {m.month_start:%B %Y}" + ("" if m.complete else " (month to date)")])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"Amounts in {c}; price table {m.price_version}; data through {m.data_through:%Y-%m-%d %H:%M} UTC"])
    ws.append([])
    h = m.headline

    def line(label: str, value: Any, fmt: str | None = None, note: str = "") -> None:
        ws.append([label, _num(value), None, None, note])
        cell = ws.cell(row=ws.max_row, column=2)
        if fmt:
            cell.number_format = fmt

    line("Total spend" + (" (at least: some records not fully priced)" if m.lower_bound else ""), h["total"], money)
    ws.cell(row=ws.max_row, column=1).font = BOLD
    for key, label in (("vs_previous_month", "previous month"), ("vs_quarter_ago", "same month a quarter ago")):
        cmp = h[key]
        line(f"Spend {cmp['month']} ({label})", cmp["cost"], money)
        line(f"Change vs {cmp['month']}", cmp["change"], money)
        line(f"Change vs {cmp['month']} (%)", cmp["change_ratio"], PERCENT)
    line(f"Forecast {h['forecast']['month']}", h["forecast"]["amount"], money, h["forecast"]["method"])
    line(f"Run-rate {h['run_rate']['month']}", h["run_rate"]["amount"], money, h["run_rate"]["method"])
    line("Calls", h["calls"], INTEGER)
    line("Calls not priced", h["unpriced_calls"], INTEGER)
    u = m.unit
    ws.append([])
    ws.append(["Unit economics"])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    line("Cost per 1,000 calls", u["cost_per_1k_calls"], fine)
    line("Cost per 1M tokens", u["cost_per_1m_tokens"], fine)
    line("Cache hit rate", u["cache_hit_rate"], PERCENT)
    line("Saved by cache reads", u["cache_read_saved"], money)
    line("Net saved by caching", u["cache_net_saved"], money)
    line("Batch share of spend", u["batch_share"], PERCENT)
    line("Saved by batch", u["batch_saved"], money)
    if m.savings:
        s = m.savings
        ws.append([])
        ws.append([f"Savings opportunity ({s['quality']})"])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        line("All to the small sibling: cost", s["all_to_small"]["cost"], money)
        line("All to the small sibling: saving", s["all_to_small"]["saving"], money)
        line("Armstrong 80/20: cost", s["armstrong_80_20"]["cost"], money)
        line("Armstrong 80/20: saving", s["armstrong_80_20"]["saving"], money)
    if m.reconciliation:
        r = m.reconciliation
        ws.append([])
        line("Billed (stated by source)", r["billed"], money)
        line("Computed for the same calls", r["computed"], money)
        line("Difference", r["difference"], money)
    ws.append([])
    ws.append(["Price table version", m.price_version])
    for fxr in m.fx:
        ws.append(
            [
                f"FX {fxr['month']}: {fxr['currency']} per USD",
                _num(fxr["rate"]),
                str(fxr["rate_date"] or ""),
                None,
                fxr["source"],
            ]
        )
    ws.append(["Quarantined records (not counted)", m.quarantined])
    for n in m.notes:
        ws.append(["Note", None, None, None, n])

    sheets: list[tuple[str, str]] = []
    for dim, rows in m.breakdowns.items():
        title = f"By {dimension_title(dim).lower()}"[:31]
        sheets.append((title, dim))
        _sheet_table(
            wb.create_sheet(title),
            "By_" + dim,
            [
                dimension_title(dim),
                "calls",
                "tokens",
                f"cost ({c})",
                "share",
                f"previous month ({c})",
                f"change ({c})",
                "unpriced calls",
            ],
            [
                [
                    r["value"],
                    r["calls"],
                    r["tokens"],
                    r["cost"],
                    r["share"],
                    r["prev_cost"],
                    r["change"],
                    r["unpriced_calls"],
                ]
                for r in rows
            ],
            {1: INTEGER, 2: INTEGER, 3: money, 4: PERCENT, 5: money, 6: money, 7: INTEGER},
            {0: 34, 1: 10, 2: 14, 3: 14, 4: 9, 5: 18, 6: 14, 7: 14},
        )
    _sheet_table(
        wb.create_sheet("Daily"),
        "Daily",
        [
            "day",
            "month",
            "provider",
            "platform",
            "model",
            "service tier",
            "team",
            "project",
            "calls",
            "input uncached",
            "cache read",
            "cache write",
            "output",
            "unpriced calls",
            f"cost ({c})",
        ],
        [
            [
                r["day"],
                r["month"],
                r["provider"],
                r["platform"],
                r["model"],
                r["service_tier"],
                r["team"],
                r["project"],
                r["calls"],
                r["input_uncached"],
                r["cache_read"],
                r["cache_write"],
                r["output"],
                r["unpriced_calls"],
                r["cost"],
            ]
            for r in daily
        ],
        {0: "yyyy-mm-dd", 8: INTEGER, 9: INTEGER, 10: INTEGER, 11: INTEGER, 12: INTEGER, 13: INTEGER, 14: fine},
        {0: 12, 1: 9, 2: 11, 3: 11, 4: 30, 5: 12, 6: 12, 7: 16, 14: 14},
    )
    if m.budgets:
        _sheet_table(
            wb.create_sheet("Budgets"),
            "Budgets",
            ["budget", f"amount ({c})", f"actual ({c})", "used", f"forecast ({c})", "forecast month", "status"],
            [
                [b["budget"], b["amount"], b["actual"], b["used_ratio"], b["forecast"], b["forecast_month"], b["level"]]
                for b in m.budgets
            ],
            {1: money, 2: money, 3: PERCENT, 4: money},
            {0: 24, 1: 14, 2: 14, 3: 9, 4: 14, 5: 14, 6: 9},
        )
    _sheet_table(
        wb.create_sheet("Anomalies"),
        "Anomalies",
        [
            "day",
            "by",
            "name",
            f"spend ({c})",
            f"median ({c})",
            f"threshold ({c})",
            "calls",
            "top call",
            f"top call cost ({c})",
            "source",
        ],
        [
            [
                a.day,
                a.dimension,
                a.value,
                a.cost_usd,
                a.median_usd,
                a.threshold_usd,
                a.calls,
                a.top_calls[0]["dedupe_key"] if a.top_calls else None,
                a.top_calls[0]["cost"] if a.top_calls else None,
                f"{a.top_calls[0]['source_file']}:{a.top_calls[0]['source_line']}" if a.top_calls else None,
            ]
            for a in m.anomalies
        ],
        {0: "yyyy-mm-dd", 3: money, 4: money, 5: money, 8: fine},
        {0: 12, 2: 24, 7: 40, 9: 50},
    )
    _sheet_table(
        wb.create_sheet("Sources"),
        "Sources",
        ["source file", "format", "calls", "first call (UTC)", "last call (UTC)", "sha256"],
        [
            [s["source_file"], s["format"], s["calls"], _naive(s["first_ts"]), _naive(s["last_ts"]), s["sha256"]]
            for s in m.sources
        ],
        {2: INTEGER, 3: "yyyy-mm-dd hh:mm", 4: "yyyy-mm-dd hh:mm"},
        {0: 70, 1: 18, 3: 18, 4: 18, 5: 66},
    )
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            cell.alignment = Alignment(vertical="top")
    stamp = _naive(m.data_through)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "aispend"
    wb.properties.title = f"AI spend {m.month}"
    wb.save(str(path))


def _naive(t: datetime | None) -> datetime | None:
    """Excel has no time zones: UTC wall time."""
    return None if t is None else t.replace(tzinfo=None)
