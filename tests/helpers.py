"""Price single calls through the real SQL path (usage table → priced_usage), for pricing tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from finops import db, pricing

ROOT = Path(__file__).resolve().parent.parent
_TABLE: pricing.PriceTable | None = None


def table() -> pricing.PriceTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = pricing.load(ROOT / "pricing")
    return _TABLE


def store(price_table: pricing.PriceTable | None = None) -> duckdb.DuckDBPyConnection:
    con = db.connect(":memory:")
    pricing.install(con, price_table or table())
    db.create_views(con)
    return con


def add_call(
    con: duckdb.DuckDBPyConnection,
    model: str,
    ts: datetime,
    *,
    input_uncached: int = 0,
    cache_read: int = 0,
    cache_write_5m: int = 0,
    cache_write_1h: int = 0,
    output: int = 0,
    audio_in: int = 0,
    audio_out: int = 0,
    web_searches: int = 0,
    service_tier: str = "standard",
    key: str | None = None,
    record_kind: str = "call",
    request_count: int = 1,
    provider: str = "test",
    platform: str = "test",
    model_raw: str | None = None,
    reported_cost: Decimal | str | None = None,
) -> str:
    n = con.execute("select count(*) from usage").fetchone()
    key = key or f"test:{n[0] if n else 0}"
    con.execute(
        """insert into usage (dedupe_key, record_kind, request_count, ts, ts_source, provider, platform, model_raw,
               model, input_uncached, cache_read, cache_write_5m, cache_write_1h, output, reasoning, web_searches,
               service_tier, request_id, source_file, source_line, format, run_id, reported_cost, audio_in, audio_out)
           values (?, ?, ?, ?, 'record', ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 'test', 1, 'test', 1, ?, ?, ?)""",
        [
            key,
            record_kind,
            request_count,
            ts,
            provider,
            platform,
            model_raw or model,
            model.lower(),
            input_uncached,
            cache_read,
            cache_write_5m,
            cache_write_1h,
            output,
            web_searches,
            service_tier,
            key,
            reported_cost,
            audio_in,
            audio_out,
        ],
    )
    return key


def price(model: str, ts: datetime, **kw: Any) -> tuple[Decimal | None, str, str | None]:
    """(cost_usd, price_status, price_model) of one call priced by priced_usage."""
    con = store()
    key = add_call(con, model, ts, **kw)
    row = con.execute(
        "select cost_usd, price_status, price_model from priced_usage where dedupe_key = ?", [key]
    ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]
