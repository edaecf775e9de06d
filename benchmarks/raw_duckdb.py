"""The raw-DuckDB baseline: the same work as aispend, written as plain DuckDB SQL in one process.

usage:
  python benchmarks/raw_duckdb.py ingest JSONL DB     read_json (explicit columns) -> CTAS into a persistent DB
  python benchmarks/raw_duckdb.py report DB           price join + GROUP BY month, model from that table
  python benchmarks/raw_duckdb.py e2e JSONL DB        ingest then report, in one process
  python benchmarks/raw_duckdb.py claude TREE DB      Claude Code tree -> table (one row per message) -> daily x model

Settings are aispend's (finops/db.py): memory_limit = finops.db.default_memory_limit() (or
$AISPEND_MEMORY_LIMIT), preserve_insertion_order = false, temp_directory beside the DB file, TimeZone UTC.
The table has aispend's flattened, typed `usage` shape (same disjoint token buckets, tags as a MAP);
it is a plain CTAS: no dedupe, no quarantine, no line numbers. Prices are the same rows aispend loads
(finops.pricing.price_rows), joined the way finops/sql/price_join.sql does (model + [from, to) + prompt
band, exact DECIMAL cost). Model names resolve through the price table's exact names (id and match).
Prints one JSON line: {"seconds": ..., "rows": ..., "cost_usd": ...}.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import duckdb

OPENAI_COLUMNS = (
    "{id: 'VARCHAR', created: 'BIGINT', model: 'VARCHAR', service_tier: 'VARCHAR', "
    "usage: 'STRUCT(prompt_tokens BIGINT, completion_tokens BIGINT, "
    "prompt_tokens_details STRUCT(cached_tokens BIGINT), completion_tokens_details STRUCT(reasoning_tokens BIGINT))', "
    "metadata: 'MAP(VARCHAR, VARCHAR)'}"
)

CLAUDE_COLUMNS = (
    "{type: 'VARCHAR', timestamp: 'TIMESTAMPTZ', requestId: 'VARCHAR', isSidechain: 'BOOLEAN', "
    "message: 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT, "
    "cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT, "
    "cache_creation STRUCT(ephemeral_5m_input_tokens BIGINT, ephemeral_1h_input_tokens BIGINT)))'}"
)

COST = """cast((cast(u.input_uncached as decimal(38, 0)) * coalesce(p.input, 0)
         + cast(u.cache_read as decimal(38, 0)) * coalesce(p.cache_read, 0)
         + cast(u.cache_write_5m as decimal(38, 0)) * coalesce(p.cache_write_5m, 0)
         + cast(u.cache_write_1h as decimal(38, 0)) * coalesce(p.cache_write_1h, 0)
         + cast(u.output as decimal(38, 0)) * coalesce(p.output, 0)) * 0.000001 as decimal(38, 16))"""

PRICE_JOIN = """
from usage u
left join names n on n.name = u.model
left join prices p
  on p.model = n.model
 and u.ts >= p.effective_from and u.ts < p.effective_to
 and u.input_uncached + u.cache_read + u.cache_write_5m + u.cache_write_1h > p.prompt_above
 and u.input_uncached + u.cache_read + u.cache_write_5m + u.cache_write_1h <= p.prompt_upto
"""


def connect(db: str, fresh: bool) -> duckdb.DuckDBPyConnection:
    from finops.db import default_memory_limit

    for p in (db, db + ".wal"):
        if fresh and os.path.exists(p):
            os.remove(p)
    config: dict[str, Any] = {
        "memory_limit": os.environ.get("AISPEND_MEMORY_LIMIT") or default_memory_limit(),
        "preserve_insertion_order": False,
        "temp_directory": db + ".tmp",
    }
    con = duckdb.connect(db, config=config)
    con.execute("set TimeZone = 'UTC'")
    return con


def load_prices(con: duckdb.DuckDBPyConnection) -> None:
    """The same price rows as aispend's `prices` table, and the exact model names (id, match)."""
    import pyarrow as pa

    from finops import pricing

    table = pricing.load()
    cols = ["model", "provider", "period_id", "effective_from", "effective_to", "prompt_above", "prompt_upto"]
    cols += ["input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "source", "confidence"]
    rows = pricing.price_rows(table)
    prices_arrow = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})  # noqa: F841 (read by DuckDB)
    con.execute("""create or replace temp table prices as
        select model, provider, period_id, effective_from::timestamptz as effective_from,
               effective_to::timestamptz as effective_to, prompt_above::bigint as prompt_above,
               prompt_upto::bigint as prompt_upto, input::decimal(18, 6) as input,
               cache_read::decimal(18, 6) as cache_read, cache_write_5m::decimal(18, 6) as cache_write_5m,
               cache_write_1h::decimal(18, 6) as cache_write_1h, output::decimal(18, 6) as output, source, confidence
        from prices_arrow""")
    pairs = [(m.id, m.id) for _, m in table.models()]
    pairs += [(x, m.id) for _, m in table.models() for x in m.match if not x.endswith("*")]
    names_arrow = pa.table({"name": [p[0] for p in pairs], "model": [p[1] for p in pairs]})  # noqa: F841
    con.execute("create or replace temp table names as select * from names_arrow")


def ingest_openai(con: duckdb.DuckDBPyConnection, jsonl: str) -> int:
    con.execute(f"""
    create table usage as
    select id as dedupe_key, 'call' as record_kind, 1::bigint as request_count, to_timestamp(created) as ts,
           'record' as ts_source, 'openai' as provider, 'openai' as platform, model as model_raw, lower(model) as model,
           usage.prompt_tokens - coalesce(usage.prompt_tokens_details.cached_tokens, 0) as input_uncached,
           coalesce(usage.prompt_tokens_details.cached_tokens, 0) as cache_read,
           0::bigint as cache_write_5m, 0::bigint as cache_write_1h,
           usage.completion_tokens as output,
           coalesce(usage.completion_tokens_details.reasoning_tokens, 0) as reasoning,
           0::bigint as web_searches,
           case when service_tier is null or service_tier = 'default' then 'standard' else service_tier end
             as service_tier,
           metadata as tags, id as request_id, '{jsonl}' as source_file
    from read_json('{jsonl}', format = 'newline_delimited', columns = {OPENAI_COLUMNS})
    """)
    row = con.execute("select count(*) from usage").fetchone()
    return int(row[0]) if row else 0


def report(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    rows = con.execute(f"""
    select strftime(date_trunc('month', u.ts), '%Y-%m') as month, coalesce(n.model, u.model) as model,
           sum(u.request_count) as calls, sum({COST}) as cost_usd
    {PRICE_JOIN}
    group by all order by all
    """).fetchall()
    return len(rows), str(sum((r[3] for r in rows if r[3] is not None), start=0))


def claude(con: duckdb.DuckDBPyConnection, tree: str) -> tuple[int, str]:
    """One row per message (the line with the largest output, as aispend keeps), then daily x model."""
    con.execute(f"""
    create table usage as
    select dedupe_key, ts, model, input_uncached, cache_read, cache_write_5m, cache_write_1h, output
    from (
        select 'anthropic:' || message.id as dedupe_key, timestamp as ts, lower(message.model) as model,
               message.usage.input_tokens as input_uncached,
               coalesce(message.usage.cache_read_input_tokens, 0) as cache_read,
               coalesce(message.usage.cache_creation.ephemeral_5m_input_tokens,
                        message.usage.cache_creation_input_tokens, 0) as cache_write_5m,
               coalesce(message.usage.cache_creation.ephemeral_1h_input_tokens, 0) as cache_write_1h,
               message.usage.output_tokens as output
        from read_json('{tree}/projects/*/*.jsonl', format = 'newline_delimited', columns = {CLAUDE_COLUMNS})
        where type = 'assistant'
        qualify row_number() over (partition by message.id order by message.usage.output_tokens desc) = 1
    )
    """)
    rows = con.execute(f"""
    select cast(u.ts as date) as day, coalesce(n.model, u.model) as model, count(*) as calls,
           sum(u.input_uncached) as i, sum(u.output) as o, sum(u.cache_write_5m + u.cache_write_1h) as cw,
           sum(u.cache_read) as cr, sum({COST}) as cost_usd
    {PRICE_JOIN}
    group by all order by all
    """).fetchall()
    return len(rows), str(sum((r[7] for r in rows if r[7] is not None), start=0))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("ingest", "report", "e2e", "claude"):
        print(__doc__, file=sys.stderr)
        return 2
    cmd, db = argv[0], argv[-1]
    t0 = time.perf_counter()
    con = connect(db, fresh=cmd != "report")
    out: dict[str, Any] = {}
    if cmd in ("ingest", "e2e"):
        out["rows"] = ingest_openai(con, argv[1])
    if cmd in ("report", "e2e", "claude"):
        load_prices(con)
    if cmd == "claude":
        out["groups"], out["cost_usd"] = claude(con, argv[1])
    if cmd in ("report", "e2e"):
        out["groups"], out["cost_usd"] = report(con)
    con.close()
    out["seconds"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
