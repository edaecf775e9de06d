"""`aispend analyze`'s headline says what is not fully priced by kind (finops/report/analyze.py, render.py):
calls apart from aggregate usage buckets, which usage and cost exports write with or without a request count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
from rich.console import Console

from finops.report import render
from finops.report.analyze import Analysis, analyze
from finops.scope import set_scope

from .helpers import add_call, store, table

DAY = datetime(2025, 6, 2, 12, tzinfo=UTC)
OTHER_DAY = datetime(2025, 6, 3, 12, tzinfo=UTC)  # a bucket on a day without calls is counted (scope.py)


def report(con: duckdb.DuckDBPyConnection) -> tuple[Analysis, str]:
    set_scope(con)
    a = analyze(con, table())
    console = Console(record=True, width=200)
    render.analysis(console, a)
    return a, console.export_text()


def priced_call(con: duckdb.DuckDBPyConnection) -> None:
    add_call(con, "gpt-4o-2024-08-06", DAY, input_uncached=1_000, output=100)


def test_only_request_less_buckets_unpriced_are_named_buckets_not_zero_calls() -> None:
    con = store()
    priced_call(con)
    add_call(con, "mystery-model-1", OTHER_DAY, input_uncached=5_000, record_kind="bucket", request_count=0)
    a, text = report(con)
    assert a.lower_bound and "at least" in text
    (line,) = [x for x in text.splitlines() if "Not fully priced" in x]
    assert "Not fully priced (see below): 1 usage bucket (no request count); the total is a lower bound" in line
    assert "call" not in line
    assert (a.totals["flagged_calls"], a.totals["flagged_buckets"], a.totals["flagged_bucket_requests"]) == (0, 1, 0)


def test_calls_and_buckets_are_counted_apart() -> None:
    con = store()
    priced_call(con)
    add_call(con, "mystery-model-1", DAY, input_uncached=10, output=1)
    add_call(con, "mystery-model-1", DAY, input_uncached=10, output=1)
    add_call(con, "mystery-model-2", OTHER_DAY, input_uncached=900, record_kind="bucket", request_count=12)
    add_call(con, "mystery-model-2", OTHER_DAY, input_uncached=90, record_kind="bucket", request_count=0)
    a, text = report(con)
    assert a.not_fully_priced == "2 calls and 2 usage buckets (12 requests)"
    assert "Not fully priced (see below): 2 calls and 2 usage buckets (12 requests);" in text
    # the bucket's requests are calls of the total, not of the per-call count
    assert a.totals["calls"] == 3 + 12 and a.totals["flagged_calls"] == 2


def test_everything_priced_says_nothing() -> None:
    con = store()
    priced_call(con)
    add_call(con, "gpt-4o-2024-08-06", OTHER_DAY, input_uncached=50, record_kind="bucket", request_count=0)
    a, text = report(con)
    assert not a.lower_bound and "Not fully priced" not in text and "at least" not in text


def test_tag_sections_equal_the_sums_over_every_call() -> None:
    """tag_keys and cost_by_tag read the sums per tag set (sql/report_sets.sql): the same figures as summing
    every call, with calls lacking a key, untagged calls, an unpriced call and two requests in one record."""
    con = store()
    tags = [
        {"team": "a", "project": "p1"},
        {"project": "p1", "team": "a"},
        {"team": "b"},
        {"team": "a", "env": "prod"},
        None,
    ]
    for i, t in enumerate(tags * 3):
        key = add_call(con, "gpt-4o-2024-08-06", DAY, input_uncached=1_000 + i, output=7 * i, request_count=1 + i % 2)
        if t is not None:
            con.execute(
                "update usage set tags = map(?::varchar[], ?::varchar[]) where dedupe_key = ?",
                [list(t), list(t.values()), key],
            )
    key = add_call(con, "mystery-model-1", DAY, input_uncached=5_000)
    con.execute("update usage set tags = map {'team': 'b'} where dedupe_key = ?", [key])
    a, _ = report(con)
    per_call = {
        k: [
            dict(zip(("value", "calls", "cost_usd", "unpriced_calls"), r, strict=True))
            for r in con.execute(
                """select coalesce(tags[$k], '(none)') as value, sum(request_count),
                          coalesce(sum(cost_usd), 0) as cost_usd,
                          coalesce(sum(request_count) filter (where cost_usd is null), 0)
                   from scoped_usage group by all order by cost_usd desc, value""",
                {"k": k},
            ).fetchall()
        ]
        for k in ("team", "project")
    }
    assert a.by_tag == per_call
    assert [(r["value"], r["calls"], r["unpriced_calls"]) for r in a.by_tag["team"]] == [
        ("a", 14, 0),
        ("(none)", 4, 0),
        ("b", 5, 1),  # the unpriced call adds no cost
    ]
    assert a.tag_keys == ["team", "project", "env"]


def test_an_80_column_report_shows_whole_model_ids_and_quality_notes() -> None:
    """Output written to a file or an 80-column terminal: model ids (and paths, reasons) fold onto more lines
    instead of being cut to `claude-3-…`, and the headline's quality notes are whole sentences (the Q2 note
    was cut at the first ' (' of its formula: 'under Q2 routing curve R(s) = r +')."""
    con = store()
    long_ids = ["claude-3-5-sonnet-20241022", "gpt-4o-mini-2024-07-18", "gemini-2.5-flash-preview-05-20"]
    for i, model in enumerate(long_ids):
        add_call(con, model, DAY, input_uncached=1_000 * (i + 1), output=100)
    add_call(con, "mystery-model-with-a-long-name-1", DAY, input_uncached=10, output=1)
    set_scope(con)
    a = analyze(con, table())
    console = Console(record=True, width=80)
    render.analysis(console, a)
    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    # a folded cell: the model column's pieces, read down the rows, spell each id
    model_col = "".join(
        line.split("│")[2].strip()
        for line in text.split("Spend by month")[1].split("Spend by")[0].splitlines()
        if line.count("│") >= 6
    )
    for model in ["claude-3-5-sonnet", "gpt-4o-mini", "gemini-2.5-flash", "mystery-model-with-a-long-name-1"]:
        assert model in model_col, (model, model_col)
    notes = [x for x in text.splitlines() if "quality retained" in x or "APGR" in x]
    assert notes and not any(x.rstrip(" │").endswith("r +") for x in notes)
    assert "APGR = " in text.replace("│", "").replace("\n", " ")


def test_the_report_sums_equal_the_sums_over_every_call_on_the_samples(tmp_path: Path) -> None:
    """analyze reads sums (scoped_groups / scoped_tag_sets, one GROUPING SETS scan: sql/report_sets.sql)
    instead of the calls. On all the samples (every format, unpriced models, tags; the usage buckets and cost
    lines the scope drops where calls cover the day), in a --since/--until window, each figure equals the same
    aggregate taken over every scoped call."""
    from finops.ingest import ingest
    from finops.scope import materialize_sums
    from finops.store import open_store

    from .conftest import SAMPLES

    s = open_store(tmp_path / "s.duckdb")
    ingest(s.con, [SAMPLES])
    set_scope(s.con, datetime(2025, 4, 1, tzinfo=UTC), datetime(2025, 8, 15, tzinfo=UTC))
    direct = """select record_kind, price_status, count(*), sum(request_count),
                       sum(request_count) filter (where cost_usd is null), sum(cost_usd), min(ts), max(ts),
                       sum(input_uncached + cache_read + cache_write_5m + cache_write_1h), sum(output), sum(reasoning)
                from scoped_usage group by all order by all"""
    summed = """select record_kind, price_status, sum(records), sum(requests), sum(unpriced_requests), sum(cost_usd),
                       min(first_ts), max(last_ts), sum(input_uncached + cache_read + cache_write_5m + cache_write_1h),
                       sum(output), sum(reasoning)
                from scoped_groups group by all order by all"""
    tags = "select tags, count(*), sum(request_count), sum(cost_usd) from scoped_usage group by all order by all"
    tag_sums = "select tags, records, calls, cost_usd from scoped_tag_sets order by all"
    want, want_tags = s.con.execute(direct).fetchall(), s.con.execute(tags).fetchall()
    assert any(r[1] == "priced" for r in want) and any(r[1] != "priced" for r in want)
    assert len(want_tags) > 3
    materialize_sums(s.con)
    assert s.con.execute(summed).fetchall() == want
    assert s.con.execute(tag_sums).fetchall() == want_tags
    n_sums = s.con.execute("select count(*) from report_sets").fetchone()
    n_calls = s.con.execute("select count(*) from scoped_usage").fetchone()
    assert n_sums and n_calls and n_sums[0] < n_calls[0]
