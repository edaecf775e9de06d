"""Exports through DuckDB COPY: one row per call with its cost and the price-table version."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from finops.errors import UsageError

CALL_COLUMNS = (
    "ts",
    "provider",
    "platform",
    "model_raw",
    "model",
    "price_model",
    "record_kind",
    "request_count",
    "input_uncached",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "audio_in",
    "audio_out",
    "reasoning",
    "web_searches",
    "service_tier",
    "region",
    "tags",
    "reported_cost",
    "request_id",
    "dedupe_key",
    "source_file",
    "source_line",
    "format",
    "price_status",
    "period_id",
    "tier_factor",
    "cost_usd",
)


def export_calls(
    con: duckdb.DuckDBPyConnection,
    version: str,
    output: Path,
    fmt: str,
    *,
    force: bool = False,
    partition: bool = False,
) -> int:
    """Write scoped_usage (one row per call) as CSV, Parquet or JSONL, atomically. Returns the row count."""
    cols = [c for c in CALL_COLUMNS if c != "tags"]
    # tags as a JSON text column so CSV readers and spreadsheets get one cell
    select = (
        ", ".join(cols)
        + ", strftime(date_trunc('month', ts), '%Y-%m') as month, to_json(tags)::varchar as tags, "
        + "$price_version as price_version"
    )
    sql = f"select {select} from scoped_usage order by ts, dedupe_key"
    return copy_query(con, sql, {"price_version": version}, output, fmt, force=force, partition=partition)


# ---------------------------------------------------------------- shared machinery (issue 5)

FORMATS = ("csv", "parquet", "jsonl")
# a cell a spreadsheet would run as a formula (OWASP "CSV injection"): prefixed with ' in every CSV export
FORMULA_START = "^[=+\\-@\\t\\r]"


class OutputError(UsageError):
    """An output path that cannot be written (exists without --force, missing or read-only folder)."""


STDOUT = "-"  # -o -: write CSV or JSON lines to standard output


def destination(output: Path | str) -> str:
    """How a message names where an export went."""
    return "standard output" if str(output) == STDOUT else str(output)


def check_output(output: Path, force: bool) -> Path:
    """Refuse an existing path without --force and a folder that is missing or not writable."""
    output = Path(output)
    if output.exists() and not force:
        raise OutputError(f"{output} exists.", hint="Pass --force to overwrite it.")
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"Cannot write {output}: the folder {parent} does not exist.", hint="Create it first.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write {output}: the folder {parent} is not writable.")
    return output


@contextlib.contextmanager
def atomic_output(output: Path, force: bool = False) -> Iterator[Path]:
    """Yield a temp path beside `output`; on success rename it into place (a file or a whole folder), else
    remove it: a failed or interrupted write never leaves a half-written output behind."""
    output = check_output(output, force)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        if not tmp.exists():
            raise OutputError(f"Nothing was written to {output}.")
        if output.exists() and (tmp.is_dir() or output.is_dir()):
            old = output.with_name(f".{output.name}.old-{uuid.uuid4().hex[:8]}")
            os.replace(output, old)
            os.replace(tmp, output)
            _remove(old)
        else:
            os.replace(tmp, output)
    except duckdb.IOException as e:
        raise OutputError(f"Cannot write {output}: {e}") from None
    except OSError as e:
        raise OutputError(f"Cannot write {output}: {e.strerror or e}.") from None
    finally:
        if tmp.exists():
            _remove(tmp)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _columns(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(r[0]), str(r[1]).upper()) for r in con.execute(f"describe {sql}", params or {}).fetchall()]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def neutralise_csv(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> str:
    """Wrap `sql` so every text cell starting with = + - @ tab or CR gets a leading ' (numbers untouched)."""
    parts = []
    for name, ctype in _columns(con, sql, params):
        q = _ident(name)
        if ctype == "VARCHAR":
            parts.append(f"case when regexp_matches({q}, '{FORMULA_START}') then chr(39) || {q} else {q} end as {q}")
        else:
            parts.append(q)
    return f"select {', '.join(parts)} from ({sql})"


def _exact_json(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> str:
    """JSON readers parse numbers as floats: DECIMAL columns go out as exact decimal strings."""
    parts = []
    for name, ctype in _columns(con, sql, params):
        q = _ident(name)
        parts.append(f"cast({q} as varchar) as {q}" if ctype.startswith("DECIMAL") else q)
    return f"select {', '.join(parts)} from ({sql})"


def copy_query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any],
    output: Path,
    fmt: str,
    *,
    force: bool = False,
    partition: bool = False,
) -> int:
    """COPY the rows of `sql` to `output` as csv / parquet / jsonl, atomically; returns the row count.

    partition=True writes a folder of Parquet files, one sub-folder per month (month=YYYY-MM/) from the
    query's `month` column: the hive layout DuckDB, Spark, Trino and Athena read as one table.
    A `price_version` parameter also goes into the Parquet key-value metadata.
    """
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt}: expected one of {', '.join(FORMATS)}.")
    if partition and fmt != "parquet":
        raise UsageError("--partition needs --format parquet.")
    to_stdout = str(output) == STDOUT
    if to_stdout and fmt == "parquet":
        raise UsageError("-o -: Parquet is binary, write it to a file.", hint="Or use --format csv or jsonl.")
    if fmt == "csv":
        sql = neutralise_csv(con, sql, params)
    elif fmt == "jsonl":
        sql = _exact_json(con, sql, params)
    options = {
        "csv": "format csv, header true",
        "jsonl": "format json",
        "parquet": "format parquet, compression zstd",
    }[fmt]
    version = params.get("price_version")
    if fmt == "parquet" and version is not None:
        options += ", kv_metadata {price_version: '" + str(version).replace("'", "''") + "'}"
    if partition:
        options += ", partition_by (month), filename_pattern 'part_{i}'"
    if to_stdout:
        # the same bytes as a file export: DuckDB writes a private temporary file, copied out in blocks
        with tempfile.TemporaryDirectory(prefix="aispend-export-") as d:
            tmp = Path(d) / f"out.{fmt}"
            written = con.execute(f"copy ({sql}) to '{_sql_path(tmp)}' ({options})", params).fetchone()
            sys.stdout.flush()
            with open(tmp, "rb") as f:
                shutil.copyfileobj(f, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    else:
        with atomic_output(Path(output), force) as tmp:
            written = con.execute(f"copy ({sql}) to '{_sql_path(tmp)}' ({options})", params).fetchone()
    return int(written[0]) if written else 0  # COPY returns the rows it wrote (the query is not run again)


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


# ---------------------------------------------------------------- more exports (issue 5)

FOCUS_VERSION = "1.3"


def export_daily(
    con: duckdb.DuckDBPyConnection,
    version: str,
    output: Path,
    fmt: str,
    *,
    force: bool = False,
    partition: bool = False,
) -> int:
    """One row per UTC day x provider x platform x model x service tier x team x project (sql/daily_spend.sql)."""
    sql = "select *, $price_version as price_version from (" + _daily_sql() + ")"
    return copy_query(con, sql, {"price_version": version}, output, fmt, force=force, partition=partition)


def _daily_sql() -> str:
    from finops import db

    # daily_spend.sql takes [$start, $end): scoped_usage is already scoped, so the bounds are open
    return (
        db.sql_text("daily_spend")
        .replace("$start", "timestamptz '0001-01-01 00:00:00+00'")
        .replace("$end", "timestamptz '9999-12-31 00:00:00+00'")
    )


def export_monthly(
    con: duckdb.DuckDBPyConnection,
    version: str,
    output: Path,
    fmt: str,
    *,
    force: bool = False,
    partition: bool = False,
) -> int:
    """One row per month x provider x model (sql/cost_by_month.sql)."""
    from finops import db

    sql = "select *, $price_version as price_version from (" + db.sql_text("cost_by_month") + ")"
    return copy_query(con, sql, {"price_version": version}, output, fmt, force=force, partition=partition)


def export_scenarios(con: duckdb.DuckDBPyConnection, table: Any, output: Path, fmt: str, *, force: bool = False) -> int:
    """The default savings scenarios (simulate.headline) over scoped_usage: one row per scenario."""
    from finops import simulate

    h = simulate.headline(con, table)
    rows = [
        ("all_to_small", h.all_to_small_usd, h.movable_calls),
        ("armstrong_80_20", h.armstrong_usd, h.armstrong_moved_calls),
    ]
    con.execute(
        "create or replace temp table export_scenarios (scenario varchar, quality varchar, actual_usd decimal(38, 16), "
        "cost_usd decimal(38, 16), savings_usd decimal(38, 16), cost_ratio decimal(18, 6), moved_calls bigint, "
        "priced_calls bigint)"
    )
    for name, cost, moved in rows:
        r = (cost / h.actual_usd).quantize(Decimal("0.000001")) if h.actual_usd else None
        con.execute(
            "insert into export_scenarios values (?, ?, ?, ?, ?, ?, ?, ?)",
            [name, simulate.QUALITY_LABEL, h.actual_usd, cost, h.actual_usd - cost, r, moved, h.priced_calls],
        )
    sql = "select *, $price_version as price_version from export_scenarios order by scenario"
    return copy_query(con, sql, {"price_version": table.version}, output, fmt, force=force)


def export_focus(con: duckdb.DuckDBPyConnection, version: str, output: Path, *, force: bool = False) -> int:
    """FOCUS 1.3 cost and usage rows (sql/focus_charges.sql) to .csv or .parquet, chosen by the suffix.

    Timestamps are typed in Parquet and ISO 8601 UTC text ('2025-08-01T00:00:00Z') in CSV."""
    from finops import db

    suffix = ".csv" if str(output) == STDOUT else Path(output).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise UsageError(f"{output}: a FOCUS export is a .csv or .parquet file.")
    sql = db.sql_text("focus_charges")
    if suffix == ".csv":
        stamps = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
        repl = ", ".join(f"strftime({c}, '%Y-%m-%dT%H:%M:%SZ') as {c}" for c in stamps)
        sql = f"select * replace ({repl}) from ({sql})"
    return copy_query(con, sql, {"price_version": version}, output, suffix.lstrip("."), force=force)


def unpriced_calls(con: duckdb.DuckDBPyConnection) -> int:
    """Calls in scope that have no cost (left out of FOCUS, which needs a price)."""
    row = con.execute(
        "select coalesce(sum(request_count), 0) from scoped_usage where price_status <> 'priced'"
    ).fetchone()
    return int(row[0]) if row else 0
