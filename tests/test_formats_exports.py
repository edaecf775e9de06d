"""Aggregate exports and tabular formats: each format's counting convention and money units, buckets
against calls, exact CSV line numbers, containers (CSV, Parquet, SQLite, .zst, large JSON arrays), and
that every sample is detected as exactly one format."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from finops import db, pricing
from finops.errors import UsageError
from finops.ingest import FORMATS, detect, ingest
from finops.ingest._base import inspect

from .conftest import SAMPLES

COLS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")
MINE = {
    "openai.usage_api",
    "openai.costs_api",
    "openai.dashboard_csv",
    "anthropic.usage_report",
    "anthropic.cost_report",
    "focus",
    "llm_logs",
    "helicone.csv",
    "litellm.csv",
    "generic",
}
_TABLE: pricing.PriceTable | None = None


def _store() -> duckdb.DuckDBPyConnection:
    global _TABLE
    if _TABLE is None:
        _TABLE = pricing.load(None)
    con = db.connect(":memory:")
    pricing.install(con, _TABLE)
    db.create_views(con)
    return con


def _write(tmp_path: Path, name: str, data: str | bytes | Any) -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _ingest(con: duckdb.DuckDBPyConnection, *paths: Path, **kw: Any) -> list[Any]:
    return ingest(con, list(paths), **kw).files


def _rows(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict[str, Any]]:
    cur = con.execute(
        f"select record_kind, request_count, ts, provider, platform, model_raw, model, {', '.join(COLS)}, "
        f"web_searches, service_tier, region, tags, reported_cost, source_line, dedupe_key, extra "
        f"from usage where {where} order by source_line, dedupe_key"
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _tok(r: dict[str, Any]) -> tuple[int, ...]:
    return tuple(r[c] for c in COLS)


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# ------------------------------------------------------------------ OpenAI Usage API / Costs API


def _usage_page(results: list[dict[str, Any]], start: int = 1748736000) -> dict[str, Any]:
    return {
        "object": "page",
        "data": [{"object": "bucket", "start_time": start, "end_time": start + 86400, "results": results}],
        "has_more": False,
        "next_page": None,
    }


def _usage_result(**kw: Any) -> dict[str, Any]:
    r = {
        "object": "organization.usage.completions.result",
        "input_tokens": 10_000,
        "output_tokens": 500,
        "input_cached_tokens": 4_000,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "num_model_requests": 12,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": "gpt-4o-mini-2024-07-18",
        "batch": None,
    }
    r.update(kw)
    return r


def test_openai_usage_api_input_includes_cached_and_writes(tmp_path: Path) -> None:
    page = _usage_page(
        [
            _usage_result(),  # input 10,000 of which 4,000 cached
            _usage_result(model="gpt-4.1-2025-04-14", input_cache_write_tokens=1_000, batch=True, project_id="proj_1"),
            _usage_result(model="o3-2025-04-16", input_uncached_tokens=5_500, input_cache_write_tokens=500),
            _usage_result(model=None),  # not grouped by model: cannot be priced
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "usage.json", page))
    assert res.format == "openai.usage_api"
    assert res.calls == 3 and res.quarantined == 1
    assert "group_by=model" in next(iter(res.reject_reasons))
    rows = {r["model_raw"]: r for r in _rows(con)}
    mini = rows["gpt-4o-mini-2024-07-18"]
    assert _tok(mini) == (6_000, 4_000, 0, 0, 500, 0)
    assert (mini["record_kind"], mini["request_count"], mini["service_tier"]) == ("bucket", 12, "standard")
    assert mini["tags"] == {}  # null group-by dimensions mean "all": no tag
    gpt41 = rows["gpt-4.1-2025-04-14"]
    assert _tok(gpt41) == (5_000, 4_000, 1_000, 0, 500, 0)
    assert gpt41["service_tier"] == "batch" and gpt41["tags"] == {"project_id": "proj_1"}
    assert _tok(rows["o3-2025-04-16"])[:3] == (5_500, 4_000, 500)  # input_uncached_tokens wins when present
    assert str(mini["ts"]) == "2025-06-01 00:00:00+00:00"
    # buckets are priced at the base band: 6,000 x 0.15 + 4,000 x 0.075 + 500 x 0.60 per 1M
    cost = con.execute(
        "select cost_usd, price_status from priced_usage where model_raw = 'gpt-4o-mini-2024-07-18'"
    ).fetchone()
    assert cost == (Decimal("0.0015"), "priced")


def test_openai_costs_api_amount_number_or_string_is_exact(tmp_path: Path) -> None:
    results = [
        {
            "object": "organization.costs.result",
            "amount": {"value": 0.06, "currency": "usd"},
            "line_item": "gpt-4o-2024-08-06, input",
            "project_id": "proj_1",
        },
        {
            "object": "organization.costs.result",
            "amount": {"value": "0.123456789012", "currency": "usd"},
            "line_item": "gpt-4o-2024-08-06, output",
            "project_id": "proj_1",
        },
        {
            "object": "organization.costs.result",
            "amount": {"value": 2.5, "currency": "usd"},
            "line_item": "web search tool calls",
            "project_id": None,
        },
        {"object": "organization.costs.result", "amount": {"value": 1, "currency": "eur"}, "line_item": "x"},
        # `amount` is optional in the schema (openai-ruby OrganizationCostsResult): nothing billed, skipped
        {"object": "organization.costs.result", "line_item": None, "project_id": "proj_2", "quantity": None},
    ]
    page = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1748736000, "end_time": 1748822400, "results": results}],
    }
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "costs.json", [page]))  # a JSON array of pages
    assert res.format == "openai.costs_api" and res.calls == 3 and res.quarantined == 1
    assert res.reject_reasons == {"amount in EUR: only USD is supported": 1}
    assert res.skip_reasons == {"cost result without an amount": 1}
    rows = sorted(_rows(con), key=lambda r: r["reported_cost"])  # one page: every row is on line 1
    assert [r["reported_cost"] for r in rows] == [Decimal("0.06"), Decimal("0.123456789012"), Decimal("2.5")]
    assert [r["model_raw"] for r in rows] == ["gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "web search tool calls"]
    assert all(r["record_kind"] == "cost" and r["request_count"] == 0 and _tok(r) == (0,) * 6 for r in rows)
    assert json.loads(rows[0]["extra"])["token_type"] == "input"
    priced = con.execute("select distinct price_status, cost_usd from priced_usage").fetchall()
    assert priced == [("billed_line", None)]  # billed money is never re-priced


def test_openai_dashboard_csvs_floats_false_blank_rows(tmp_path: Path) -> None:
    activity = (
        "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,"
        "batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens\n"
        "1748736000.0,1748822400.0,2025-06-01T00:00:00+00:00,2025-06-02T00:00:00+00:00,,12.0,,,"
        "gpt-4o-mini-2024-07-18,FALSE,,10000.0,500.0,4000.0,\n"
        ",,,,,,,,,,,,,,\n"
        "1748822400,1748908800,2025-06-02T00:00:00+00:00,2025-06-03T00:00:00+00:00,,,,,,,,,,,\n"
    )
    costs = (
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,"
        "organization_id,organization_name\n"
        "1748736000,1748822400,2025-06-01T00:00:00+00:00,2025-06-02T00:00:00+00:00,0.8958740000000000,usd,"
        '"gpt-4o-mini-2024-07-18, input",proj_1,org-1,Acme\n'
    )
    con = _store()
    # the same bucket from the API page first: the CSV row is the same bucket (same dedupe key)
    api = _write(tmp_path, "usage.json", _usage_page([_usage_result(batch=False)]))
    a_res, act_res, cost_res = _ingest(
        con, api, _write(tmp_path, "activity.csv", activity), _write(tmp_path, "costs.csv", costs)
    )
    assert a_res.calls == 1
    assert act_res.format == cost_res.format == "openai.dashboard_csv"
    assert (act_res.calls, act_res.duplicates, act_res.skipped) == (0, 1, 2)
    assert act_res.skip_reasons == {"blank row": 1, "row without amount or usage (an empty day)": 1}
    (c,) = _rows(con, "record_kind = 'cost'")
    assert c["reported_cost"] == Decimal("0.895874") and c["model_raw"] == "gpt-4o-mini-2024-07-18"
    # alone, the CSV gives the same bucket as the API
    con2 = _store()
    _ingest(con2, tmp_path / "activity.csv")
    (b,) = _rows(con2)
    assert _tok(b) == (6_000, 4_000, 0, 0, 500, 0) and b["request_count"] == 12 and b["source_line"] == 2


def test_openai_usage_buckets_move_audio_out_of_text_input_and_output(tmp_path: Path) -> None:
    """OpenAI's Usage API schema (openai-ruby SDK, OrganizationUsageCompletionsResult): `input_tokens` "including
    cached and cache-write tokens ... text, audio, and image tokens", `output_tokens` "across text, audio, and image
    outputs", `input_audio_tokens` "uncached audio input tokens" (beside `input_cached_audio_tokens`),
    `output_audio_tokens` "audio output tokens". Audio is priced at its own rates, so it leaves input_uncached and
    output for audio_in / audio_out (as on calls), in the API page and in the dashboard activity CSV alike; never more
    audio than the uncached input."""
    realtime = _usage_result(
        model="gpt-4o-realtime-preview-2024-12-17",
        input_tokens=50_000,
        input_cached_tokens=20_000,
        input_uncached_tokens=30_000,
        input_text_tokens=6_000,
        input_cached_text_tokens=5_000,
        input_audio_tokens=24_000,
        input_cached_audio_tokens=15_000,
        output_tokens=9_000,
        output_text_tokens=1_000,
        output_audio_tokens=8_000,
        num_model_requests=40,
    )
    # older pages: no uncached/cached split per modality; audio never exceeds the uncached input
    old = _usage_result(model="gpt-4o-audio-preview-2024-12-17", input_tokens=3_000, input_cached_tokens=2_000)
    old.update(input_audio_tokens=2_500, output_tokens=700, output_audio_tokens=650)
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "usage.json", _usage_page([realtime, old])))
    assert res.calls == 2 and res.quarantined == 0
    got = {
        r[0]: r[1:]
        for r in con.execute(
            "select model_raw, input_uncached, cache_read, output, audio_in, audio_out from usage"
        ).fetchall()
    }
    assert got == {
        "gpt-4o-realtime-preview-2024-12-17": (6_000, 20_000, 1_000, 24_000, 8_000),
        "gpt-4o-audio-preview-2024-12-17": (0, 2_000, 50, 1_000, 650),
    }
    activity = (
        "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,"
        "batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,"
        "output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens\n"
        "1748736000,1748822400,2025-06-01T00:00:00+00:00,2025-06-02T00:00:00+00:00,,40.0,,,"
        "gpt-4o-realtime-preview-2024-12-17,FALSE,,50000.0,9000.0,20000.0,30000.0,6000.0,1000.0,5000.0,24000.0,"
        "15000.0,8000.0\n"
    )
    con2 = _store()
    (csv_res,) = _ingest(con2, _write(tmp_path, "activity.csv", activity))
    assert csv_res.format == "openai.dashboard_csv" and csv_res.calls == 1
    row = con2.execute("select input_uncached, cache_read, output, audio_in, audio_out from usage").fetchone()
    assert row == (6_000, 20_000, 1_000, 24_000, 8_000)


# ------------------------------------------------------------------ Anthropic reports


def _report(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": [{"starting_at": "2025-08-01T00:00:00Z", "ending_at": "2025-08-02T00:00:00Z", "results": results}],
        "has_more": False,
        "next_page": None,
    }


def test_anthropic_usage_report_buckets_are_disjoint(tmp_path: Path) -> None:
    usage = _report(
        [
            {
                "uncached_input_tokens": 1500,
                "cache_creation": {"ephemeral_1h_input_tokens": 1000, "ephemeral_5m_input_tokens": 500},
                "cache_read_input_tokens": 200,
                "output_tokens": 500,
                "server_tool_use": {"web_search_requests": 10},
                "api_key_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
                "workspace_id": None,
                "model": "claude-sonnet-4-20250514",
                "service_tier": "batch",
                "context_window": "0-200k",
            }
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "usage_report.json", usage))
    assert res.format == "anthropic.usage_report"
    (r,) = _rows(con)
    assert _tok(r) == (1500, 200, 500, 1000, 500, 0) and r["web_searches"] == 10
    assert (r["record_kind"], r["request_count"], r["service_tier"]) == ("bucket", 0, "batch")
    assert r["tags"] == {"api_key_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT"}


def test_anthropic_cost_report_amounts_are_cents(tmp_path: Path) -> None:
    cost = _report(
        [
            {
                "currency": "USD",
                "amount": "123.45",
                "workspace_id": "wrkspc_1",
                "description": "Claude Sonnet 4 Usage",
                "cost_type": "tokens",
                "model": "claude-sonnet-4-20250514",
                "token_type": "output_tokens",
                "service_tier": "standard",
                "context_window": "0-200k",
            },
            {"currency": "USD", "amount": "0.00001", "description": "Web Search", "cost_type": "web_search"},
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "cost_report.json", cost))
    assert res.format == "anthropic.cost_report"
    rows = sorted(_rows(con), key=lambda r: r["reported_cost"], reverse=True)
    assert [r["reported_cost"] for r in rows] == [Decimal("1.2345"), Decimal("0.0000001")]  # cents → USD
    assert [r["model_raw"] for r in rows] == ["claude-sonnet-4-20250514", "Web Search"]
    assert all(r["record_kind"] == "cost" for r in rows)


# ------------------------------------------------------------------ FOCUS

FOCUS_HEADER = [
    "BillingAccountId",
    "BillingCurrency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ChargeCategory",
    "ChargeDescription",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "ServiceProviderName",
    "HostProviderName",
    "ServiceName",
    "SkuMeter",
    "SkuPriceDetails",
    "Tags",
]


def _focus_row(**kw: Any) -> list[Any]:
    base = {
        "BillingAccountId": "acct-1",
        "BillingCurrency": "USD",
        "ChargeCategory": "Usage",
        "ChargePeriodStart": "2025-06-01T00:00:00Z",
        "ChargePeriodEnd": "2025-06-02T00:00:00Z",
        "ConsumedUnit": "Tokens",
        "PricingUnit": "1M Tokens",
        "ServiceProviderName": "OpenAI",
        "HostProviderName": "OpenAI",
        "ServiceName": "OpenAI API",
    }
    base.update(kw)
    return [base.get(h, "") for h in FOCUS_HEADER]


def test_focus_token_rows_are_buckets_other_rows_cost_lines(tmp_path: Path) -> None:
    details = {"ModelDeveloper": "OpenAI", "ModelId": "gpt-4o-2024-08-06"}
    text = _csv(
        [
            FOCUS_HEADER,
            _focus_row(
                BilledCost="12.60",
                ConsumedQuantity="4200000",
                SkuMeter="Input Tokens",
                Tags='{"team":"search"}',
                SkuPriceDetails=json.dumps({**details, "TokenDirection": "Input", "TokenCacheAction": "Uncached"}),
            ),
            _focus_row(
                BilledCost="1.5",
                ConsumedQuantity="1200",
                ConsumedUnit="1000 Tokens",  # 1.2M tokens
                SkuPriceDetails=json.dumps({**details, "TokenDirection": "Input", "TokenCacheAction": "Read"}),
            ),
            _focus_row(
                BilledCost="3",
                ConsumedQuantity="300000",
                SkuMeter="Output Tokens",  # type from SkuMeter
                SkuPriceDetails=json.dumps(details),
            ),
            _focus_row(
                BilledCost="-5.00",
                ChargeCategory="Credit",
                ChargeDescription="Promo credit",
                ConsumedQuantity="",
                ConsumedUnit="",
            ),
            _focus_row(
                BilledCost="0.50",
                ChargeCategory="Usage",
                ConsumedQuantity="2",
                ConsumedUnit="Requests",
                SkuMeter="Web search calls",
                SkuPriceDetails=json.dumps(details),
            ),
            _focus_row(BilledCost="3.00", BillingCurrency="EUR", ChargeCategory="Tax", ConsumedQuantity=""),
            _focus_row(
                BilledCost="2",
                ConsumedQuantity="1000000",
                SkuMeter="Input Tokens",
                HostProviderName="Microsoft",
                ServiceProviderName="Microsoft",
                SkuPriceDetails=json.dumps({"ModelId": "gpt-4o-2024-08-06", "TokenDirection": "Input"}),
            ),
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "focus.csv", text))
    assert res.format == "focus" and res.calls == 6 and res.quarantined == 1
    rows = {r["source_line"]: r for r in _rows(con)}
    assert _tok(rows[2]) == (4_200_000, 0, 0, 0, 0, 0) and rows[2]["record_kind"] == "bucket"
    assert rows[2]["reported_cost"] == Decimal("12.6") and rows[2]["tags"] == {"team": "search"}
    assert _tok(rows[3]) == (0, 1_200_000, 0, 0, 0, 0)
    assert _tok(rows[4]) == (0, 0, 0, 0, 300_000, 0)
    assert (rows[5]["record_kind"], rows[5]["reported_cost"], rows[5]["model_raw"]) == (
        "cost",
        Decimal("-5"),
        "Promo credit",
    )
    assert rows[6]["record_kind"] == "cost"  # requests, not tokens
    assert (rows[2]["provider"], rows[2]["platform"]) == ("openai", "openai")
    assert (rows[8]["provider"], rows[8]["platform"]) == ("openai", "azure")
    # token rows are priced like usage (4.2M x 2.50 = 10.50) and keep what was billed
    cost = con.execute("select cost_usd, reported_cost from priced_usage where source_line = 2").fetchone()
    assert cost == (Decimal("10.5"), Decimal("12.6"))


def test_focus_custom_x_columns_are_kept_and_tell_rows_apart(tmp_path: Path) -> None:
    """FOCUS spec, Column Naming and Ordering: custom columns "MUST be prefixed with a consistent x_ prefix" (e.g.
    Microsoft's x_SkuMeterName, x_ResourceGroupName). They are unknown fields to keep (in extra, by name), and two
    charges that differ only in them are two rows, not one row and a duplicate. A FOCUS 1.0 file (ProviderName,
    PublisherName; no ServiceProviderName / HostProviderName, which 1.3 uses) reads the same way, CSV or Parquet."""
    header = [
        "BilledCost",
        "EffectiveCost",
        "BillingCurrency",
        "ChargeCategory",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ConsumedQuantity",
        "ConsumedUnit",
        "ProviderName",
        "PublisherName",
        "InvoiceIssuerName",
        "ServiceName",
        "SkuId",
        "SkuPriceDetails",
        "x_SkuMeterName",
        "x_ResourceGroupName",
    ]
    details = json.dumps({"ModelId": "gpt-4o-2024-08-06", "TokenDirection": "Input", "TokenCacheAction": "Uncached"})
    common = ["Usage", "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z", "1000000", "Tokens"]
    common += ["Microsoft", "Microsoft", "Microsoft", "Azure OpenAI", "DZH318Z0BQ4L", details]
    rows = [
        ["2.50", "2.50", "USD", *common, "gpt-4o-0806 Inp glbl Tokens", "rg-search"],
        ["2.50", "2.50", "USD", *common, "gpt-4o-0806 Inp glbl Tokens", "rg-support"],
    ]
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "focus_1_0.csv", _csv([header, *rows])))
    assert res.format == "focus" and (res.calls, res.duplicates) == (2, 0)
    got = _rows(con)
    assert [json.loads(r["extra"])["x_ResourceGroupName"] for r in got] == ["rg-search", "rg-support"]
    assert {json.loads(r["extra"])["x_SkuMeterName"] for r in got} == {"gpt-4o-0806 Inp glbl Tokens"}
    assert {(r["provider"], r["platform"], _tok(r)) for r in got} == {("openai", "azure", (1_000_000, 0, 0, 0, 0, 0))}
    table = pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)})
    pq.write_table(table, tmp_path / "focus_1_0.parquet")
    con2 = _store()
    (pres,) = _ingest(con2, tmp_path / "focus_1_0.parquet")
    assert pres.format == "focus" and pres.calls == 2
    assert sorted(json.loads(r["extra"])["x_ResourceGroupName"] for r in _rows(con2)) == ["rg-search", "rg-support"]


# ------------------------------------------------------------------ llm logs.db (SQLite)


def _llm_db(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    con = sqlite3.connect(path)
    con.execute(
        "create table responses (id text primary key, model text, resolved_model text, prompt text, response text,"
        " conversation_id text, duration_ms integer, datetime_utc text, input_tokens integer, output_tokens integer,"
        " token_details text)"
    )
    con.executemany("insert into responses values (?,?,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    con.close()
    return path


def test_llm_logs_conventions_per_plugin(tmp_path: Path) -> None:
    secret = "SECRET PROMPT TEXT"
    path = _llm_db(
        tmp_path / "logs.db",
        [
            (
                "a",
                "gpt-4o-mini",
                None,
                secret,
                secret,
                "c1",
                500,
                "2025-06-01T10:00:00.123456",
                1500,
                200,
                json.dumps(
                    {
                        "prompt_tokens_details": {"cached_tokens": 1024},
                        "completion_tokens_details": {"reasoning_tokens": 64},
                    }
                ),
            ),
            (
                "b",
                "claude-3.5-sonnet",
                "claude-3-5-sonnet-20241022",
                secret,
                secret,
                "c1",
                600,
                "2025-06-01T11:00:00",
                10,
                300,
                json.dumps({"cache_read_input_tokens": 2000, "cache_creation_input_tokens": 500}),
            ),
            (
                "c",
                "gemini-2.5-flash",
                None,
                secret,
                secret,
                "c2",
                600,
                "2025-06-02T11:00:00",
                1000,
                300,
                json.dumps({"thoughtsTokenCount": 100, "cachedContentTokenCount": 400}),
            ),
            ("d", "gpt-4o", None, secret, secret, "c2", 600, "2024-01-02T11:00:00", None, None, None),
        ],
    )
    assert inspect(path).kind == "sqlite"
    con = _store()
    (res,) = _ingest(con, path)
    assert res.format == "llm_logs" and res.calls == 3 and res.quarantined == 1
    rows = {r["model_raw"]: r for r in _rows(con)}
    assert _tok(rows["gpt-4o-mini"]) == (476, 1024, 0, 0, 200, 64)  # OpenAI: input includes cached
    assert _tok(rows["claude-3-5-sonnet-20241022"]) == (10, 2000, 500, 0, 300, 0)  # Anthropic: excludes cache
    assert _tok(rows["gemini-2.5-flash"]) == (600, 400, 0, 0, 300, 100)
    assert rows["gemini-2.5-flash"]["platform"] == "gemini_api"
    assert rows["gpt-4o-mini"]["tags"] == {"session": "c1", "llm_table": "responses"}
    stored = con.execute("select string_agg(raw, '') from quarantine").fetchone()
    assert stored is not None and secret not in str(stored[0])  # prompt text is never read


def test_sqlite_without_llm_tables_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    c = sqlite3.connect(path)
    c.execute("create table t (a int)")
    c.commit()
    c.close()
    (res,) = _ingest(_store(), path)
    assert res.status == "skipped" and "SQLite" in (res.note or "")


# ------------------------------------------------------------------ Helicone and LiteLLM CSV

HELICONE_HEADER = [
    "response_id",
    "response_created_at",
    "response_status",
    "request_created_at",
    "request_body",
    "request_properties",
    "request_user_id",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "prompt_cache_read_tokens",
    "prompt_cache_write_tokens",
    "latency",
    "cost",
]


def test_helicone_csv_prompt_excludes_cache_and_lines_are_exact(tmp_path: Path) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "…"}]}, indent=2)  # 8 lines
    text = _csv(
        [
            HELICONE_HEADER,
            [
                "chatcmpl-XYZ",
                "2025-06-01T10:00:01.000Z",
                "200",
                "2025-06-01T10:00:00.000Z",
                body,
                json.dumps({"team": "support", "Helicone-Session-Id": "s9"}),
                "u7",
                "gpt-4o-mini",
                "500",
                "20",
                "1024",
                "0",
                "900",
                "0.0000870",
            ],
            [
                "msg_01ABC",
                "2025-06-01T11:00:01.000Z",
                "200",
                "2025-06-01T11:00:00.000Z",
                body,
                "{}",
                "u7",
                "claude-3-5-haiku-20241022",
                "300",
                "40",
                "2048",
                "512",
                "800",
                "0.0004",
            ],
            [
                "chatcmpl-ERR",
                "2025-06-01T12:00:01.000Z",
                "429",
                "2025-06-01T12:00:00.000Z",
                "{}",
                "{}",
                "u7",
                "gpt-4o-mini",
                "0",
                "0",
                "0",
                "0",
                "100",
                "0",
            ],
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "helicone.csv", text))
    assert res.format == "helicone.csv" and res.calls == 2
    assert res.skip_reasons == {"failed request (HTTP 429): not billed": 1}
    rows = _rows(con)
    assert [r["source_line"] for r in rows] == [2, 10]  # the first row's body spans lines 2-9
    assert _tok(rows[0]) == (500, 1024, 0, 0, 20, 0)
    assert _tok(rows[1]) == (300, 2048, 512, 0, 40, 0)
    assert rows[0]["dedupe_key"] == "openai:chatcmpl-XYZ" and rows[1]["dedupe_key"] == "anthropic:msg_01ABC"
    assert rows[0]["tags"]["team"] == "support" and rows[0]["reported_cost"] == Decimal("0.000087")
    assert (rows[1]["provider"], rows[1]["platform"]) == ("anthropic", "anthropic")


def test_helicone_row_of_a_call_already_logged_is_stored_once(tmp_path: Path) -> None:
    chat = {
        "id": "chatcmpl-XYZ",
        "object": "chat.completion",
        "created": 1748772000,
        "model": "gpt-4o-mini",
        "usage": {"prompt_tokens": 1524, "completion_tokens": 20, "prompt_tokens_details": {"cached_tokens": 1024}},
    }
    text = _csv(
        [
            HELICONE_HEADER,
            [
                "chatcmpl-XYZ",
                "2025-06-01T10:00:01.000Z",
                "200",
                "2025-06-01T10:00:00.000Z",
                "{}",
                "{}",
                "u7",
                "gpt-4o-mini",
                "500",
                "20",
                "1024",
                "0",
                "900",
                "0.0000870",
            ],
        ]
    )
    con = _store()
    a, b = _ingest(con, _write(tmp_path, "a_chat.jsonl", chat), _write(tmp_path, "b_helicone.csv", text))
    assert (a.calls, b.calls, b.duplicates) == (1, 0, 1)


def test_helicone_export_of_the_current_api_json_and_csv_are_one_call(tmp_path: Path) -> None:
    """Helicone's export tool (examples/export/typescript/index.ts) writes the records of
    POST /v1/request/query-clickhouse as JSONL, or as CSV with 12 fixed columns. The current API
    (jawn getRequestsClickhouse) returns the model as `request_model` (so the CSV's `model` column is
    empty), `reasoning_tokens` beside `completion_tokens` with total_tokens = prompt + completion +
    reasoning, and `cost` in USD; a Helicone-made UUID `response_id`. Helicone's Python export example
    names the cost `costUSD`. The same request in both exports is one call; a CSV row whose model is
    nowhere (no body exported) is quarantined with a hint, its row kept."""
    rid, resp = "4f0b6a8e-2d1c-4c3e-9a57-0d7e1b2c3a4f", "a1c2e3f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
    record = {
        "response_id": resp,
        "response_created_at": "2025-09-02T08:00:03.120Z",
        "response_status": 200,
        "request_id": rid,
        "request_created_at": "2025-09-02T08:00:00.000Z",
        "request_user_id": "u-3",
        "request_properties": {"Helicone-Session-Id": "s-44"},
        "provider": "OPENAI",
        "delay_ms": 3120,
        "request_model": "o4-mini-2025-04-16",
        "total_tokens": 1900,
        "completion_tokens": 200,
        "reasoning_tokens": 640,
        "prompt_tokens": 1060,
        "prompt_cache_read_tokens": 1024,
        "prompt_cache_write_tokens": 0,
        "cost": 0.0060616,
        "request_body": {"helicone_message": "fetching body from signed_url..."},
    }
    python_export = {k: v for k, v in record.items() if k != "cost"} | {
        "request_id": "5e1d",
        "response_id": "6f2e",
        "costUSD": 0.0031,
        "total_tokens": 1260,  # prompt + completion: this record's completion already holds the reasoning
    }
    placeholder = json.dumps({"helicone_message": "fetching body from signed_url..."})
    header = [*HELICONE_HEADER[:9], "completion_tokens", "latency", "cost"]
    body = json.dumps({"model": "o4-mini", "messages": [{"role": "user", "content": "…"}]})  # --include-body
    row = [resp, "2025-09-02T08:00:03.120Z", "200", "2025-09-02T08:00:00.000Z", body, "{}", "u-3", ""]
    row += ["1060", "200", "", "0.0060616"]
    body_row = ["7a3f", "2025-09-02T09:00:03Z", "200", "2025-09-02T09:00:00Z", json.dumps({"model": "gpt-4.1-mini"})]
    body_row += ["{}", "u-3", "", "100", "10", "", "0.000056"]
    no_model = ["8b4a", "2025-09-02T10:00:03Z", "200", "2025-09-02T10:00:00Z", placeholder, "{}", "", "", "50"]
    no_model += ["5", "", "0.00002"]
    con = _store()
    a, b = _ingest(
        con,
        _write(tmp_path, "a_export.jsonl", json.dumps(record) + "\n" + json.dumps(python_export) + "\n"),
        _write(tmp_path, "b_export.csv", _csv([header, row, body_row, no_model])),
    )
    assert (a.format, a.calls, b.format, b.calls, b.duplicates) == ("helicone", 2, "helicone.csv", 1, 1)
    (line, reason, raw) = con.execute("select source_line, reason, raw from quarantine").fetchone() or (0, "", "")
    assert (line, reason) == (
        4,
        "no model: the model column is empty and request_body names none (export with --include-body)",
    )
    assert json.loads(raw)["response_id"] == "8b4a"
    got = {r["dedupe_key"]: r for r in _rows(con)}
    j = got[f"helicone:{resp}"]
    assert _tok(j) == (1060, 1024, 0, 0, 840, 640) and j["reported_cost"] == Decimal("0.006061600000")
    assert j["model_raw"] == "o4-mini-2025-04-16"
    py = got["helicone:6f2e"]
    assert py["reported_cost"] == Decimal("0.003100000000") and _tok(py) == (1060, 1024, 0, 0, 200, 640)
    assert got["helicone:7a3f"]["model_raw"] == "gpt-4.1-mini"


LITELLM_HEADER = [
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "model",
    "model_group",
    "custom_llm_provider",
    "user",
    "metadata",
    "cache_hit",
    "request_tags",
    "team_id",
    "end_user",
    "messages",
    "response",
    "session_id",
    "status",
]


def test_litellm_csv_prompt_includes_cache_json_in_strings(tmp_path: Path) -> None:
    uo = json.dumps({"prompt_tokens": 2600, "cache_read_input_tokens": 2000, "cache_creation_input_tokens": 500})
    meta = json.dumps({"user_api_key_team_alias": "search", "usage_object": uo, "spend_logs_metadata": {"f": "rag"}})
    text = _csv(
        [
            LITELLM_HEADER,
            [
                "msg_01XyZ",
                "acompletion",
                "88dc28d0f030c55ed4ab77ed8faf0981",
                "0.01",
                "2650",
                "2600",
                "50",
                "2025-06-01 10:00:00.123456",
                "",
                "claude-sonnet-4-20250514",
                "claude",
                "anthropic",
                "u1",
                meta,
                "False",
                '["prod","rag"]',
                "t1",
                "",
                "[]",
                "line one\nline two",
                "s1",
                "success",
            ],
            [
                "5f0c2a58-8bd9-4d5c-9e54-0f3e0c9f6f7e",
                "acompletion",
                "x",
                "0.0002",
                "130",
                "100",
                "30",
                "2025-06-01 11:00:00",
                "",
                "gpt-4o-mini",
                "gpt-4o-mini-eu",
                "azure",
                "",
                "{}",
                "None",
                "[]",
                "",
                "",
                "[]",
                "{}",
                "",
                "success",
            ],
            [
                "c1",
                "acompletion",
                "x",
                "0",
                "100",
                "60",
                "40",
                "2025-06-01 12:00:00",
                "",
                "gpt-4o",
                "",
                "openai",
                "",
                "{}",
                "True",
                "[]",
                "",
                "",
                "[]",
                "{}",
                "",
                "success",
            ],
            [
                "c2",
                "acompletion",
                "x",
                "0",
                "100",
                "60",
                "40",
                "2025-06-01 12:00:00",
                "",
                "gpt-4o",
                "",
                "openai",
                "",
                "{}",
                "False",
                "[]",
                "",
                "",
                "[]",
                "{}",
                "",
                "failure",
            ],
        ]
    )
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "LiteLLM_SpendLogs.csv", text))
    assert res.format == "litellm.csv" and res.calls == 2
    assert res.skip_reasons == {
        "LiteLLM cache hit: never sent to a provider": 1,
        "failed request (status failure): not billed": 1,
    }
    a, b = _rows(con)
    assert _tok(a) == (100, 2000, 500, 0, 50, 0)  # 2600 prompt = 100 uncached + 2000 read + 500 written
    assert a["dedupe_key"] == "anthropic:msg_01XyZ" and a["reported_cost"] == Decimal("0.01")
    assert str(a["ts"]) == "2025-06-01 10:00:00.123456+00:00"  # naive startTime read as UTC
    assert a["tags"]["team"] == "search" and a["tags"]["request_tags"] == "prod,rag" and a["tags"]["f"] == "rag"
    assert b["source_line"] == 4  # the first row's response spans two lines
    assert (b["provider"], b["platform"]) == ("openai", "azure")


def test_litellm_csv_anthropic_rows_of_the_releases_that_added_only_cache_reads(tmp_path: Path) -> None:
    """BerriAI/litellm#13207 (v1.74.9): an Anthropic call with 88 fresh input, 120269 cache reads and 21002
    cache writes was logged with prompt_tokens 120357 (input + reads: those releases' calculate_usage did
    not add the writes) and total_tokens 124513. A valid row: it is stored with 88 fresh input (it was
    quarantined because its cache counts exceed prompt_tokens)."""
    uo = json.dumps(
        {
            "prompt_tokens": 120357,
            "completion_tokens": 4156,
            "total_tokens": 124513,
            "cache_read_input_tokens": 120269,
            "cache_creation_input_tokens": 21002,
            "prompt_tokens_details": {"cached_tokens": 120269},
        }
    )
    row = ["msg_01Agent", "acompletion", "k", "0.1227", "124513", "120357", "4156", "2025-08-01 09:00:00", ""]
    row += ["claude-sonnet-4-20250514", "claude", "anthropic", "", json.dumps({"usage_object": uo}), "False"]
    row += ["[]", "", "", "[]", "{}", "", "success"]
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "LiteLLM_SpendLogs.csv", _csv([LITELLM_HEADER, row])))
    assert res.format == "litellm.csv" and res.calls == 1
    (a,) = _rows(con)
    assert _tok(a) == (88, 120269, 21002, 0, 4156, 0) and a["reported_cost"] == Decimal("0.1227")


# ------------------------------------------------------------------ generic CSV with a mapping

MAPPING = """
[columns]
Created = "ts"
"Model Name" = "model"
Prompt = "input"
Cached = "cache_read"
Completion = "output"
"Cost (cents)" = "cost"
Team = "tag:team"
[units]
tokens = 1000
cost = "cents"
[time]
format = "%d/%m/%Y %H:%M"
"""


def test_generic_csv_with_mapping(tmp_path: Path) -> None:
    data = _write(
        tmp_path,
        "usage.csv",
        "Created,Model Name,Prompt,Cached,Completion,Cost (cents),Team\n"
        "01/06/2025 10:00,gpt-4o-mini-2024-07-18,1.5,1,0.2,12.5,search\n"
        "bad,gpt-4o-mini-2024-07-18,1,0,1,1,x\n",
    )
    mapping = _write(tmp_path, "map.toml", MAPPING)
    con = _store()
    (skipped,) = _ingest(con, data)
    assert skipped.status == "skipped" and "--mapping" in (skipped.note or "")
    (res,) = _ingest(con, data, mapping=mapping)
    assert res.format == "generic" and res.calls == 1 and res.quarantined == 1
    (r,) = _rows(con)
    assert _tok(r) == (500, 1000, 0, 0, 200, 0)  # thousands; input includes the cached part
    assert (r["provider"], r["platform"], r["record_kind"]) == ("openai", "openai", "call")
    assert r["reported_cost"] == Decimal("0.125") and r["tags"] == {"team": "search"}
    assert str(r["ts"]) == "2025-06-01 10:00:00+00:00"


def test_generic_mapping_errors_are_usage_errors(tmp_path: Path) -> None:
    data = _write(tmp_path, "usage.csv", "a,b\n1,2\n")
    for text, needle in (
        ('[columns]\na = "nonsense"\n', "unknown field"),
        ('[columns]\na = "ts"\n', "model"),
        ("not toml [", "not valid TOML"),
    ):
        with pytest.raises(UsageError, match=needle):
            _ingest(_store(), data, mapping=_write(tmp_path, "m.toml", text))
    with pytest.raises(UsageError, match="no such file"):
        _ingest(_store(), data, mapping=tmp_path / "missing.toml")


# ------------------------------------------------------------------ containers and line numbers


def test_csv_lines_exact_with_malformed_rows(tmp_path: Path) -> None:
    """A row with the wrong number of fields switches to the exact reader: it is quarantined with its line
    and the rows after it keep their true line numbers."""
    rows = [LITELLM_HEADER]
    for i in range(6):
        rows.append(
            [
                f"id{i}",
                "acompletion",
                "x",
                "0.001",
                "110",
                "100",
                "10",
                f"2025-06-01 10:0{i}:00",
                "",
                "gpt-4o-mini",
                "",
                "openai",
                "",
                "{}",
                "None",
                "[]",
                "",
                "",
                "[]",
                "a\nb" if i == 1 else "{}",
                "",
                "success",
            ]
        )
    text = _csv(rows)
    lines = text.splitlines(keepends=True)
    lines.insert(5, "only,three,fields\n")  # after row id2, which ends on line 5 (id1 spans lines 3-4)
    con = _store()
    (res,) = _ingest(con, _write(tmp_path, "spend.csv", "".join(lines)))
    assert res.calls == 6 and res.quarantined == 1
    assert [r["source_line"] for r in _rows(con)] == [2, 3, 5, 7, 8, 9]
    q = con.execute("select source_line, reason, raw from quarantine").fetchone()
    assert q is not None and q[0] == 6 and "3 fields" in q[1] and q[2] == "only,three,fields"


def test_zstd_csv_and_parquet_read_like_csv(tmp_path: Path) -> None:
    text = _csv(
        [
            HELICONE_HEADER,
            [
                "chatcmpl-Z1",
                "2025-06-01T10:00:01.000Z",
                "200",
                "2025-06-01T10:00:00.000Z",
                "{}",
                "{}",
                "u7",
                "gpt-4o-mini",
                "500",
                "20",
                "1024",
                "0",
                "900",
                "0.0000870",
            ],
        ]
    )
    zst = _write(tmp_path, "helicone.csv.zst", zstandard.ZstdCompressor().compress(text.encode()))
    table = pa.table(
        {
            h: pa.array([v])
            for h, v in zip(HELICONE_HEADER, next(csv.reader(io.StringIO(text.splitlines()[1]))), strict=True)
        }
    ).set_column(HELICONE_HEADER.index("prompt_tokens"), "prompt_tokens", pa.array([500], pa.int64()))
    pq.write_table(table, tmp_path / "helicone.parquet")
    assert inspect(tmp_path / "helicone.parquet").kind == "parquet"
    for path in (zst, tmp_path / "helicone.parquet"):
        con = _store()
        (res,) = _ingest(con, path)
        assert res.format == "helicone.csv" and res.calls == 1, path
        (r,) = _rows(con)
        assert _tok(r) == (500, 1024, 0, 0, 20, 0)


def test_large_json_array_is_streamed_not_loaded(tmp_path: Path) -> None:
    def body(i: int) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{i:08d}",
            "object": "chat.completion",
            "created": 1748772000 + i,
            "model": "gpt-4o-mini-2024-07-18",
            "pad": "x" * 300,
            "usage": {"prompt_tokens": 100 + i, "completion_tokens": 10, "prompt_tokens_details": {"cached_tokens": 0}},
        }

    n = 5000
    big = _write(tmp_path, "big.json", json.dumps([body(i) for i in range(n)], indent=1))
    assert big.stat().st_size > (1 << 20)
    c = inspect(big)
    assert c.kind == "array" and c.document is None and len(c.sample) == 40
    zst = _write(tmp_path, "big.json.zst", zstandard.ZstdCompressor().compress(big.read_bytes()))
    for path in (big, zst):
        con = _store()
        (res,) = _ingest(con, path)
        assert res.format == "openai.chat" and res.calls == n, path
        got = con.execute("select min(source_line), max(source_line), sum(input_uncached) from usage").fetchone()
        assert got == (1, n, sum(100 + i for i in range(n)))
        # element k sits on line k + 1, as for a small array
        assert con.execute("select source_line from usage where request_id = 'chatcmpl-00000123'").fetchone() == (124,)


# ------------------------------------------------------------------ detection


def test_every_sample_is_exactly_one_format(manifest: dict[str, Any]) -> None:
    for entry in manifest["files"]:
        if entry["format"] in ("unknown", "empty"):
            continue
        path = SAMPLES / entry["path"]
        c = inspect(path)
        names = detect(c.sample, c.kind)
        expected = "gemini" if entry["format"] == "vertex" else entry["format"]
        assert names == [expected], (entry["path"], names)


def test_export_formats_do_not_claim_other_containers(tmp_path: Path) -> None:
    """JSON formats never sniff CSV rows and tabular formats never sniff JSON records."""
    for name in MINE:
        f = FORMATS[name]
        if name in ("openai.usage_api", "openai.costs_api", "anthropic.usage_report", "anthropic.cost_report"):
            assert "csv" not in f.containers
        else:
            assert "jsonl" not in f.containers and "document" not in f.containers
    page = _usage_page([_usage_result()])
    assert detect([page], "jsonl") == ["openai.usage_api"]
    assert detect([page], "csv") == []
    assert detect([{"start_time_iso": "x", "amount_value": "1"}], "csv") == ["openai.dashboard_csv"]
    assert detect([{"start_time_iso": "x", "amount_value": "1"}], "jsonl") == []


def test_generic_sample_reads_with_its_mapping(tmp_path: Path, manifest: dict[str, Any]) -> None:
    (entry,) = [e for e in manifest["files"] if e["path"] == "generic/gateway_2025-04.csv"]
    want = entry["with_mapping"]
    con = _store()
    (res,) = _ingest(con, SAMPLES / entry["path"], mapping=SAMPLES / want["mapping"])
    assert res.format == want["format"] and res.calls == want["billable_calls"]
    got = con.execute(f"select {', '.join(f'sum({c})' for c in COLS)} from usage").fetchone()
    assert got is not None
    assert dict(zip(COLS, (int(v or 0) for v in got), strict=True)) == want["tokens"]
