"""The calls a command looks at: priced_usage filtered by --since / --until (UTC, [since, until)),
with each provider × day counted once.

A team often has call logs AND the provider's usage export (buckets) AND its cost export (billed
lines) for the same days. All are kept in the store; reports count each provider × platform × UTC day
from its finest-grained source only: calls, else usage buckets, else billed cost lines. The rows a
report does not count for that reason are in the view `scoped_dropped`; `sql/scope_overlaps.sql` lists
them per provider and source, `sql/scope_sources.sql` says which source each provider was counted from.

The platform is part of the key because an export covers one billing account: OpenAI's Costs API
knows nothing of gpt-4o calls served by Azure or OpenRouter, so those calls must not hide it.

In `scoped_usage`, a counted cost line carries its billed amount in `cost_usd` (and `list_cost_usd`):
it is the spend of a day nothing finer describes. Its price_status stays 'billed_line', so simulations
(which re-price tokens) leave it alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb

from finops import db

KIND_RANK = "(case record_kind when 'call' then 1 when 'bucket' then 2 else 3 end)"


def _has_aggregates(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("select count(*) from (select 1 from usage where record_kind <> 'call' limit 1)").fetchone()
    return bool(row and row[0])


def set_scope(con: duckdb.DuckDBPyConnection, since: datetime | None = None, until: datetime | None = None) -> None:
    """(Re)create the temp view `scoped_usage` every report reads from (and `scoped_dropped`), and the views of
    its sums (sql/report_sets.sql): `scoped_groups` (per day x model x price status...) and `scoped_tag_sets`
    (per tag set), both reading `scoped_report_sets`. A report that reads them several times materialises
    the sums once with `materialize_sums`."""
    _scope_views(con, since, until)
    con.execute("create or replace temp view scoped_report_sets as " + db.sql_text("report_sets"))
    con.execute(
        "create or replace temp view scoped_groups as "
        "select * exclude (grouping_set, tags) from scoped_report_sets where grouping_set = 'groups'"
    )
    con.execute(
        "create or replace temp view scoped_tag_sets as "
        "select tags, records, requests as calls, cost_usd, unpriced_requests as unpriced_calls "
        "from scoped_report_sets where grouping_set = 'tags'"
    )


def materialize_sums(con: duckdb.DuckDBPyConnection) -> None:
    """Compute scoped_report_sets once (one scan of the priced calls) and point the view at the result:
    scoped_groups and scoped_tag_sets then read a few thousand rows."""
    con.execute("create or replace temp table report_sets as select * from scoped_report_sets")
    con.execute("create or replace temp view scoped_report_sets as select * from report_sets")


def _scope_views(con: duckdb.DuckDBPyConnection, since: datetime | None, until: datetime | None) -> None:
    def window(ts: str) -> list[str]:
        out = []
        if since is not None:
            out.append(f"{ts} >= timestamptz '{since.isoformat()}'")
        if until is not None:
            out.append(f"{ts} < timestamptz '{until.isoformat()}'")
        return out

    where = window("ts")
    clause = (" where " + " and ".join(where)) if where else ""
    if not _has_aggregates(con):  # only call logs: nothing can overlap
        con.execute(f"create or replace temp view scoped_usage as select * from priced_usage{clause}")
        con.execute(
            "create or replace temp view scoped_dropped as select *, 1 as kept_rank from priced_usage where false"
        )
        return
    con.execute(
        "create or replace temp table scope_days as "
        f"select provider, platform, utc_day(ts) as day, min({KIND_RANK}) as best_rank from usage{clause} "
        "group by all"
    )
    cols = {r[0] for r in con.execute("select column_name from (describe priced_usage)").fetchall()}
    money = ", ".join(
        f"cast(case when u.record_kind = 'cost' then u.reported_cost else u.{c} end as decimal(38, 16)) as {c}"
        for c in ("cost_usd", "list_cost_usd")
        if c in cols
    )
    joined = """from priced_usage u
        join scope_days d
          on d.provider = u.provider and d.platform = u.platform and d.day = utc_day(u.ts)"""
    rank = KIND_RANK.replace("record_kind", "u.record_kind")
    kept = " and ".join([*window("u.ts"), f"{rank} = d.best_rank"])
    dropped = " and ".join([*window("u.ts"), f"{rank} > d.best_rank"])
    con.execute(f"create or replace temp view scoped_usage as select u.* replace ({money}) {joined} where {kept}")
    con.execute(
        f"create or replace temp view scoped_dropped as select u.*, d.best_rank as kept_rank {joined} where {dropped}"
    )


def materialize(con: duckdb.DuckDBPyConnection, columns: Sequence[str]) -> None:
    """Price the scoped calls once: keep `columns` of scoped_usage in the temp table scoped_calls and point
    scoped_usage at it. A report runs a dozen queries over scoped_usage; each would re-run the price join
    over every call. A later query that needs another column fails with a binder error, never silently."""
    con.execute(f"create or replace temp table scoped_calls as select {', '.join(columns)} from scoped_usage")
    con.execute("create or replace temp view scoped_usage as select * from scoped_calls")
