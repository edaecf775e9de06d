"""Writes the month-end report in the format asked for (md, html, xlsx), atomically; no printing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from finops import db
from finops.errors import UsageError
from finops.export import atomic_output
from finops.fx import Fx
from finops.report.monthly import Monthly

FORMATS = ("terminal", "md", "html", "xlsx")
SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".xlsx": "xlsx"}


def pick_format(fmt: str | None, output: Path | None) -> str:
    """--format, else the output file's suffix, else terminal."""
    if fmt:
        f = fmt.lower()
        if f not in FORMATS:
            raise UsageError(f"--format {fmt}: expected one of {', '.join(FORMATS)}.")
        return f
    if output is not None:
        f = SUFFIXES.get(output.suffix.lower(), "")
        if not f:
            raise UsageError(f"Cannot tell the format of {output}.", hint="Pass --format md, html or xlsx.")
        return f
    return "terminal"


def daily_rows(con: duckdb.DuckDBPyConnection, m: Monthly, fx: Fx) -> list[dict[str, Any]]:
    """The pivot-ready daily rows of the report month (sql/daily_spend.sql), cost in the report currency."""
    cur = con.execute(db.sql_text("daily_spend"), {"start": m.month_start, "end": m.month_end})
    cols = [d[0] for d in cur.description or []]
    rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["cost"] = fx.convert(r["cost_usd"], m.month)
    return rows


def text(m: Monthly, fmt: str) -> str:
    """The report as md or html text."""
    if fmt == "md":
        from finops.report import markdown

        return markdown.render(m)
    from finops.report import html

    return html.render(m)


def write(con: duckdb.DuckDBPyConnection, m: Monthly, fx: Fx, fmt: str, output: Path, *, force: bool) -> Path:
    """Write the report to `output` (temp file, then rename; an existing file needs force)."""
    with atomic_output(output, force) as tmp:
        if fmt == "xlsx":
            from finops.report import xlsx

            xlsx.write(m, daily_rows(con, m, fx), tmp)
        elif fmt in ("md", "html"):
            tmp.write_text(text(m, fmt), encoding="utf-8")
        else:
            raise UsageError(f"--format {fmt} cannot be written to a file.", hint="Use md, html or xlsx with -o.")
    return output
