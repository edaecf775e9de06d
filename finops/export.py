"""Exports through DuckDB COPY: one row per call with its cost and the price-table version."""

from __future__ import annotations

import os
from pathlib import Path

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


def export_calls(con: duckdb.DuckDBPyConnection, version: str, output: Path, fmt: str, *, force: bool = False) -> int:
    """Write scoped_usage to CSV or Parquet atomically (temp file, then rename). Returns the row count."""
    fmt = fmt.lower()
    if fmt not in ("csv", "parquet"):
        raise UsageError(f"--format {fmt}: expected csv or parquet")
    output = Path(output)
    if output.exists() and not force:
        raise UsageError(f"{output} exists.", hint="Pass --force to overwrite it.")
    if not output.parent.exists():
        raise UsageError(f"{output.parent} does not exist.")
    cols = [c for c in CALL_COLUMNS if c != "tags"]
    # tags as a JSON text column so CSV readers and spreadsheets get one cell
    select = ", ".join(cols) + ", to_json(tags)::varchar as tags, '" + version.replace("'", "''") + "' as price_version"
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header true"
    try:
        con.execute(f"copy (select {select} from scoped_usage order by ts, dedupe_key) to '{tmp}' ({options})")
        os.replace(tmp, output)
    finally:
        if tmp.exists():
            tmp.unlink()
    row = con.execute("select count(*) from scoped_usage").fetchone()
    return int(row[0]) if row else 0
