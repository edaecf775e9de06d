"""No double counting: a directory mixing every format (call logs, usage exports, billing exports) gives the
same totals as ingesting each file alone and summing, minus the overlaps the report documents."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops import db, pricing
from finops.ingest import expand, ingest
from finops.report.analyze import analyze
from finops.scope import set_scope

from . import helpers
from .conftest import SAMPLES

MAPPING = SAMPLES / "generic" / "mapping.toml"
TOKENS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")
_TABLE: pricing.PriceTable | None = None


def _table() -> pricing.PriceTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = pricing.load(None)
    return _TABLE


def _store() -> duckdb.DuckDBPyConnection:
    con = db.connect(":memory:")
    pricing.install(con, _table())
    db.create_views(con)
    return con


def _totals(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, Any]:
    money = (
        "case when record_kind = 'cost' then reported_cost else cost_usd end"
        if view == "scoped_dropped"
        else "cost_usd"
    )
    row = con.execute(
        f"select count(*), coalesce(sum(request_count), 0), coalesce(sum({money}), 0), "
        f"{', '.join(f'coalesce(sum({t}), 0)' for t in TOKENS)} from {view}"
    ).fetchone()
    assert row is not None
    return dict(zip(("rows", "requests", "cost", *TOKENS), row, strict=True))


@pytest.fixture(scope="module")
def combined() -> duckdb.DuckDBPyConnection:
    con = _store()
    ingest(con, [SAMPLES], mapping=MAPPING)
    set_scope(con)
    return con


def test_mixed_directory_equals_sum_of_files_minus_overlaps(combined: duckdb.DuckDBPyConnection) -> None:
    """counted (combined) = sum over files ingested alone - calls in two files (kept once, first file wins)
    - rows a finer source covers (scope_overlaps)."""
    names = ("rows", "requests", "cost", *TOKENS)
    alone = dict.fromkeys(names, Decimal(0))
    repeated = dict.fromkeys(names, Decimal(0))
    seen: set[str] = set()
    con = _store()
    money = "case when record_kind = 'cost' then reported_cost else cost_usd end"
    for path in expand([SAMPLES]):
        for table in ("usage", "files", "quarantine", "ingest_runs"):
            con.execute(f"delete from {table}")
        ingest(con, [path], mapping=MAPPING)
        rows = con.execute(
            f"select dedupe_key, 1, request_count, coalesce({money}, 0), {', '.join(TOKENS)} from priced_usage"
        ).fetchall()
        for key, *vals in rows:
            for k, v in zip(names, vals, strict=True):
                alone[k] += v
                if key in seen:
                    repeated[k] += v
            seen.add(key)
    stored = combined.execute("select count(*) from usage").fetchone()
    assert stored is not None and stored[0] == alone["rows"] - repeated["rows"]
    dropped = _totals(combined, "scoped_dropped")
    counted = _totals(combined, "scoped_usage")
    assert dropped["rows"] > 0 and repeated["rows"] > 0
    for k in names:
        assert counted[k] == alone[k] - repeated[k] - dropped[k], k


def test_overlaps_are_the_export_rows(combined: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    """Every sample export covers days the call logs cover: reports count the calls and list every export
    row as an overlap, by provider, platform and source."""
    aggregates = manifest["aggregates"]
    overlaps = combined.execute(db.sql_text("scope_overlaps")).fetchall()
    assert sum(r[7] for r in overlaps) == sum(a["billable_calls"] for a in aggregates.values())
    assert {(r[0], r[1], r[2], r[3]) for r in overlaps} == {
        ("anthropic", "anthropic", "calls", "cost lines"),
        ("anthropic", "anthropic", "calls", "usage buckets"),
        ("openai", "openai", "calls", "cost lines"),
        ("openai", "openai", "calls", "usage buckets"),
    }
    kinds = combined.execute("select distinct record_kind from scoped_usage").fetchall()
    assert kinds == [("call",)]
    billed = sum(Decimal(a["billed_usd"]) for a in aggregates.values() if "billed_usd" in a)
    focus_tokens = combined.execute(
        "select sum(reported_cost) from scoped_dropped where record_kind = 'bucket' and format = 'focus'"
    ).fetchone()
    cost_lines = combined.execute("select sum(reported_cost) from scoped_dropped where record_kind = 'cost'").fetchone()
    assert focus_tokens is not None and cost_lines is not None
    assert cost_lines[0] + focus_tokens[0] == billed


def test_analyze_reports_sources_and_overlaps(combined: duckdb.DuckDBPyConnection) -> None:
    a = analyze(combined, _table())
    assert {r["source"] for r in a.sources} == {"calls"}
    assert {(r["provider"], r["not_counted"]) for r in a.overlaps} >= {("openai", "usage buckets")}
    assert not any(r["price_status"] == "billed_line" for r in a.flagged)


def test_a_day_without_calls_counts_the_export(tmp_path: Path) -> None:
    """An export day no call log covers is counted from the export (buckets before cost lines)."""
    page = (SAMPLES / "openai" / "usage_api_2025-06-01_14.jsonl").read_text().splitlines()[0]
    (tmp_path / "usage.jsonl").write_text(page + "\n")
    con = _store()
    ingest(con, [tmp_path / "usage.jsonl", SAMPLES / "openai" / "costs_api_2025-06-01_14.json"])
    set_scope(con)
    kinds = dict(con.execute("select record_kind, count(*) from scoped_usage group by all").fetchall())
    dropped = dict(con.execute("select record_kind, count(*) from scoped_dropped group by all").fetchall())
    # days 1-7 have usage buckets (counted) and cost lines (not counted); days 8-14 only cost lines
    days = dict(
        con.execute("select record_kind, count(distinct cast(ts as date)) from scoped_usage group by all").fetchall()
    )
    assert days == {"bucket": 7, "cost": 7}
    assert set(kinds) == {"bucket", "cost"} and set(dropped) == {"cost"}


def test_utc_day_is_the_date_of_the_timestamp_in_utc() -> None:
    """utc_day (db.create_views) replaces cast(ts as date) in the day groupings: the same date at the edges
    of a day, before 1970 (epoch_us is negative there) and for NULL."""
    con = helpers.store()
    rows = con.execute(
        """
        select t, utc_day(t) as fast, cast(t as date) as slow
        from unnest([timestamptz '2025-02-28 23:59:59.999999+00', timestamptz '2025-03-01 00:00:00+00',
                     timestamptz '2025-03-01 00:30:00+01', timestamptz '1969-12-31 23:59:59.999999+00',
                     timestamptz '1900-01-01 00:00:00.5+00', null]) as u(t)
        """
    ).fetchall()
    assert [r[1] for r in rows] == [r[2] for r in rows]
    assert [str(r[1]) for r in rows] == ["2025-02-28", "2025-03-01", "2025-02-28", "1969-12-31", "1900-01-01", "None"]
