"""The embedded DuckDB store: open (with limits and migrations), run named SQL files."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from finops.errors import DatabaseError

DEFAULT_DB_NAME = "aispend.duckdb"
LOCK_WAIT_SECONDS = 10.0


def default_db_path() -> Path:
    """`$AISPEND_DB`, else `$XDG_DATA_HOME/aispend/aispend.duckdb` (default `~/.local/share/aispend/`)."""
    env = os.environ.get("AISPEND_DB")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aispend" / DEFAULT_DB_NAME


def default_memory_limit() -> str:
    """Half the RAM, at most 4 GB, at least 1 GB (dedup of 10M ids needs ~512 MB; performance.md §6)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    mb = max(1024, min(4096, total // 2 // (1 << 20)))
    return f"{mb}MB"


def configured_memory_limit(explicit: str | None = None) -> str:
    """The memory_limit a store is opened with: `explicit`, else $AISPEND_MEMORY_LIMIT, else the default."""
    return explicit or os.environ.get("AISPEND_MEMORY_LIMIT") or default_memory_limit()


def sql_text(name: str) -> str:
    """The text of finops/sql/<name>.sql."""
    return (resources.files("finops") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def _migrations() -> list[tuple[str, str]]:
    folder = resources.files("finops") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(n, (folder / n).read_text(encoding="utf-8")) for n in names]


def _open(path: Path, config: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(str(path), config=config)
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise DatabaseError(f"Cannot open the store {path}: {e}") from e
            if time.monotonic() > deadline:
                raise DatabaseError(
                    f"The store {path} is in use by another aispend process.",
                    hint="Wait for it to finish, or use another store with --db PATH.",
                ) from e
            time.sleep(0.2)


def connect(
    path: Path | str | None = None,
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store, with a memory limit and a temp dir beside it; apply migrations."""
    if path is None:
        path = default_db_path()
    memory = str(path) == ":memory:"
    config: dict[str, Any] = {
        "memory_limit": configured_memory_limit(memory_limit),
        "preserve_insertion_order": False,
        # No row-group vacuum in checkpoints. Each large insert leaves a few part-filled row groups (one per
        # thread); merging them rewrites every row group after the first (a 3M-call store: 2.5 s at close,
        # 10M: 3.5 GB peak), in whichever command checkpoints next. Left alone they cost more row groups
        # (10M calls: 109, 82 at the fewest). Deletes are rare here (price tables, an interrupted ingest).
        "max_vacuum_tasks": 0,
    }
    if threads:
        config["threads"] = threads
    if not memory:
        path = Path(path).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / (path.name + ".tmp")
        config["temp_directory"] = str(tmp)
        con = _open(path, config)
    else:
        con = duckdb.connect(":memory:", config=config)
    con.execute("set TimeZone = 'UTC'")
    con.execute("set enable_progress_bar = false")  # aispend reports its own progress on stderr
    migrate(con)
    return con


def release_cache(con: duckdb.DuckDBPyConnection) -> None:
    """Give back the blocks DuckDB keeps cached after a large write (they are in the database file): the
    buffer pool holds them up to memory_limit, so a report right after a 10M-call ingest started from 2 GB
    and peaked at 3.2 GB. Lowering the limit evicts them; the limit is then set back to the configured one
    (for a connection opened by connect() without an explicit memory_limit)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # the read buffers pyarrow's allocator keeps for reuse
    con.execute("set memory_limit = '64MB'")
    con.execute(f"set memory_limit = '{configured_memory_limit()}'")  # (current_setting rounds: '3.8 GiB')


def _as_text(value: Any) -> str | None:
    """A value of a price or files row as the text DuckDB casts back to the column's type (exact: a Decimal
    in positional notation, a datetime in ISO 8601 with its offset). None for a type it does not take."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return None


def insert_rows(con: duckdb.DuckDBPyConnection, table_name: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk insert of Python rows (tuples in the table's column order).

    Each column goes to DuckDB as an Arrow string array (built from buffers) that SQL casts to the column's
    type: binding Python values one by one costs about 3 us each (the price tables hold some 160,000:
    0.45 s of every fresh store's start), and pa.array would import pandas (0.3-0.7 s). Rows holding
    another type (a list, a float) go as one list parameter per column, unnested by DuckDB."""
    if not rows:
        return
    from finops.arrow import string_array, table_of

    described = con.execute(f"describe {table_name}").fetchall()
    columns = [[row[i] for row in rows] for i in range(len(described))]
    texts = [[None if v is None else _as_text(v) for v in values] for values in columns]
    if any(None in ts and any(t is None and v is not None for t, v in zip(ts, vs, strict=True))
           for ts, vs in zip(texts, columns, strict=True)):  # fmt: skip
        cols = ", ".join(f"unnest($c{i}::{r[1]}[])" for i, r in enumerate(described))
        con.execute(f"insert into {table_name} select {cols}", {f"c{i}": v for i, v in enumerate(columns)})
        return
    view = f"_rows_{table_name}"
    con.register(view, table_of({f"c{i}": string_array(t) for i, t in enumerate(texts)}))
    try:
        cols = ", ".join(f"cast(c{i} as {r[1]})" for i, r in enumerate(described))
        con.execute(f"insert into {table_name} select {cols} from {view}")
    finally:
        con.unregister(view)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations in order, each in its own transaction; return the names applied."""
    con.execute("create table if not exists _migrations (name varchar primary key, applied_at timestamptz)")
    done = {r[0] for r in con.execute("select name from _migrations").fetchall()}
    applied = []
    for name, text in _migrations():
        if name in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(text)
            con.execute("insert into _migrations values (?, now())", [name])
            con.execute("commit")
        except duckdb.Error as e:
            con.execute("rollback")
            raise DatabaseError(f"Migration {name} failed: {e}") from e
        applied.append(name)
    return applied


def price_join(calls: str) -> str:
    """The one pricing SQL (sql/price_join.sql) applied to a relation of calls."""
    return sql_text("price_join").replace("{calls}", calls)


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Session views: resolved_usage (model → price-table id at ts) and priced_usage (cost per call); the
    macro utc_day(ts), the UTC date of a timestamptz. cast(ts as date) gives the same date (the session
    time zone is UTC) but converts every value through ICU's calendar: about 8x slower, 0.08 s per 1M calls
    in each query that groups calls by day."""
    con.execute("create or replace temp macro utc_day(ts) as cast(make_timestamp(epoch_us(ts)) as date)")
    con.execute("create or replace temp view resolved_usage as " + sql_text("resolved_usage"))
    con.execute("create or replace temp view priced_usage as " + price_join("resolved_usage"))
