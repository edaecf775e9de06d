"""aispend's answer to `ccusage daily --json`, in one process: ingest a Claude Code tree, then a daily report.

usage: python benchmarks/aispend_daily.py TREE DB

Opens a store at DB (as the CLI does: finops.store.open_store, so the same memory_limit,
preserve_insertion_order=false and temp directory), ingests TREE (finops.ingest.ingest), then runs
tokens and cost by day and model over `scoped_usage` (the priced view every report reads). Prints one
JSON line with the day x model row count and the totals.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

DAILY = """
select cast(ts as date) as day, coalesce(price_model, model) as model, sum(request_count) as calls,
       sum(input_uncached) as input, sum(output) as output, sum(cache_write_5m + cache_write_1h) as cache_create,
       sum(cache_read) as cache_read, sum(cost_usd) as cost_usd
from scoped_usage
group by all
order by all
"""


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    from finops.ingest import ingest
    from finops.scope import set_scope
    from finops.store import open_store

    t0 = time.perf_counter()
    store = open_store(argv[1])
    ingest(store.con, [Path(argv[0])])
    set_scope(store.con)
    rows = store.con.execute(DAILY).fetchall()
    store.close()
    keys = ("calls", "input", "output", "cache_create", "cache_read")
    out = {k: int(sum(r[2 + i] or 0 for r in rows)) for i, k in enumerate(keys)}
    out["cost_usd"] = str(sum((r[7] for r in rows if r[7] is not None), start=0))
    out["groups"] = len(rows)
    out["seconds"] = round(time.perf_counter() - t0, 3)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
