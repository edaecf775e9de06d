"""The calls a command looks at: priced_usage filtered by --since / --until (UTC, [since, until))."""

from __future__ import annotations

from datetime import datetime

import duckdb


def set_scope(con: duckdb.DuckDBPyConnection, since: datetime | None = None, until: datetime | None = None) -> None:
    """(Re)create the temp view `scoped_usage` every report reads from."""
    where = []
    if since is not None:
        where.append(f"ts >= timestamptz '{since.isoformat()}'")
    if until is not None:
        where.append(f"ts < timestamptz '{until.isoformat()}'")
    clause = (" where " + " and ".join(where)) if where else ""
    con.execute(f"create or replace temp view scoped_usage as select * from priced_usage{clause}")
