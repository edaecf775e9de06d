"""Anthropic fast mode from logs: a usage object that says `"speed": "fast"` (reference log_formats.md §3.18;
Anthropic's fast-mode page: the response usage carries `speed`, "fast" or "standard") is ingested as
service_tier 'fast' by every format that reads Anthropic usage, and priced at the fast rule of
pricing/anthropic.toml. Expected costs are computed BY HAND (USD per 1M tokens, Σ tokens × rate / 1e6):

  Claude Opus 4.6 (flat from 2026-03-13)  5 / 0.50 / 6.25 / 10 / 25; fast 6x = 30 / 3 / 37.50 / 60 / 150
  Claude Opus 4.8                         5 / 0.50 / 6.25 / 10 / 25; fast 2x = 10 / 1 / 12.50 / 20 / 50
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from finops import db, pricing
from finops.ingest import ingest
from tests.helpers import table


def _store_with(tmp_path: Path, name: str, lines: list[Any] | dict[str, Any], **kw: Any) -> duckdb.DuckDBPyConnection:
    """Ingest one file into a store that has the real price table installed."""
    path = tmp_path / name
    if isinstance(lines, dict):
        path.write_text(json.dumps(lines), encoding="utf-8")
    else:
        path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    con = db.connect(":memory:")
    pricing.install(con, table())
    db.create_views(con)
    ingest(con, [path], **kw)
    return con


def _priced(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return con.execute(
        "select request_id, service_tier, price_model, price_status, tier_factor, cost_usd "
        "from priced_usage order by source_line, request_id"
    ).fetchall()


def _claude_code_line(msg_id: str, speed: str | None, ts: str) -> dict[str, Any]:
    """An assistant line as Claude Code 2.1 writes it (Opus 4.6, 1-hour cache writes, /fast toggled)."""
    usage: dict[str, Any] = {
        "input_tokens": 6,
        "cache_creation_input_tokens": 2048,
        "cache_read_input_tokens": 35000,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 2048},
        "output_tokens": 812,
        "service_tier": "standard",
        "inference_geo": "global",
        "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0},
    }
    if speed is not None:
        usage["speed"] = speed
    return {
        "parentUuid": "0b6f1c2e-2d1f-4b8e-9a55-3c1e0f7a9d10",
        "isSidechain": False,
        "userType": "external",
        "cwd": "/home/dev/webapp",
        "sessionId": "5f3c2b1a-7e9d-4c21-8a6b-2d4e6f8a0b1c",
        "version": "2.1.39",
        "gitBranch": "main",
        "message": {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": "claude-opus-4-6",
            "content": [{"type": "text", "text": "…"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": usage,
        },
        "requestId": "req_" + msg_id[4:],
        "type": "assistant",
        "uuid": "9a1d" + msg_id[-8:],
        "timestamp": ts,
    }


def test_claude_code_fast_line_is_priced_at_the_fast_rate(tmp_path: Path) -> None:
    lines = [
        {"type": "user", "sessionId": "5f3c2b1a-7e9d-4c21-8a6b-2d4e6f8a0b1c", "message": {"role": "user"}},
        _claude_code_line("msg_01FastAAAAAAAAAAAAAAAAAAA", "fast", "2026-03-20T09:15:02.114Z"),
        _claude_code_line("msg_01StdBBBBBBBBBBBBBBBBBBBB", "standard", "2026-03-20T09:16:40.020Z"),
        _claude_code_line("msg_01OldCCCCCCCCCCCCCCCCCCCC", None, "2026-03-20T09:17:10.500Z"),  # before `speed`
    ]
    con = _store_with(tmp_path, "session.jsonl", lines)
    rows = _priced(con)
    # fast, 6x: 6×30 + 35,000×3 + 2,048×60 + 812×150 = 180 + 105,000 + 122,880 + 121,800 = 349,860 → 0.34986
    # standard: 6×5 + 35,000×0.50 + 2,048×10 + 812×25 = 30 + 17,500 + 20,480 + 20,300 = 58,310 → 0.05831
    assert rows == [
        ("req_01FastAAAAAAAAAAAAAAAAAAA", "fast", "claude-opus-4-6", "priced", Decimal("6"), Decimal("0.34986")),
        ("req_01StdBBBBBBBBBBBBBBBBBBBB", "standard", "claude-opus-4-6", "priced", Decimal("1"), Decimal("0.05831")),
        ("req_01OldCCCCCCCCCCCCCCCCCCCC", "standard", "claude-opus-4-6", "priced", Decimal("1"), Decimal("0.05831")),
    ]


def test_messages_body_with_speed_fast_on_opus_4_8(tmp_path: Path) -> None:
    body = {
        "id": "msg_01Opus48Fast",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": "…"}],
        "usage": {
            "input_tokens": 1000,
            "cache_read_input_tokens": 20000,
            "output_tokens": 500,
            "service_tier": "standard",
            "speed": "FAST",  # case does not matter
        },
    }
    con = _store_with(tmp_path, "messages.jsonl", [{"ts": "2026-07-01T12:00:00Z", "response": body}])
    # 2x: 1,000×10 + 20,000×1 + 500×50 = 10,000 + 20,000 + 25,000 = 55,000 → 0.055
    assert _priced(con) == [("msg_01Opus48Fast", "fast", "claude-opus-4-8", "priced", Decimal("2"), Decimal("0.055"))]


def test_fast_mode_after_its_rule_ended_is_flagged_not_priced_as_standard(tmp_path: Path) -> None:
    """Opus 4.8 fast mode was removed on 2026-11-30 (pricing/anthropic.toml): a fast call after that keeps its
    tier and is flagged tier_not_in_table at the standard rate, a lower bound. 1,000×5 + 500×25 = 17,500."""
    body = {
        "id": "msg_01Late",
        "type": "message",
        "model": "claude-opus-4-8",
        "usage": {"input_tokens": 1000, "output_tokens": 500, "speed": "fast"},
    }
    con = _store_with(tmp_path, "late.jsonl", [{"ts": "2026-11-30T00:00:00Z", "response": body}])
    assert _priced(con) == [
        ("msg_01Late", "fast", "claude-opus-4-8", "tier_not_in_table", Decimal("1"), Decimal("0.0175"))
    ]


def test_stream_reads_speed_from_message_start(tmp_path: Path) -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_01StreamFast",
            "type": "message",
            "model": "claude-opus-4-8",
            "usage": {"input_tokens": 1000, "output_tokens": 1, "service_tier": "standard", "speed": "fast"},
        },
    }
    lines = [
        start,
        {"type": "content_block_start", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 500}},
        {"type": "message_stop"},
    ]
    con = _store_with(tmp_path, "events.jsonl", lines, assume_time=datetime(2026, 7, 1, tzinfo=UTC))
    # 1,000×10 + 500×50 = 35,000 → 0.035
    assert _priced(con) == [("msg_01StreamFast", "fast", "claude-opus-4-8", "priced", Decimal("2"), Decimal("0.035"))]


def test_usage_report_grouped_by_speed(tmp_path: Path) -> None:
    def result(speed: str | None) -> dict[str, Any]:
        return {
            "uncached_input_tokens": 1000,
            "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
            "cache_read_input_tokens": 0,
            "output_tokens": 500,
            "server_tool_use": {"web_search_requests": 0},
            "model": "claude-opus-4-8",
            "service_tier": "standard",
            "context_window": "0-200k",
            "speed": speed,
        }

    report = {
        "data": [
            {"starting_at": "2026-07-01T00:00:00Z", "ending_at": "2026-07-02T00:00:00Z", "results": [result("fast")]},
            {"starting_at": "2026-07-02T00:00:00Z", "ending_at": "2026-07-03T00:00:00Z", "results": [result(None)]},
        ],
        "has_more": False,
        "next_page": None,
    }
    con = _store_with(tmp_path, "usage_report.json", report)
    rows = con.execute("select service_tier, cost_usd from priced_usage order by ts").fetchall()
    # fast: 1,000×10 + 500×50 = 35,000 → 0.035; standard: 1,000×5 + 500×25 = 17,500 → 0.0175
    assert rows == [("fast", Decimal("0.035")), ("standard", Decimal("0.0175"))]


def test_bedrock_invocation_log_body_with_speed_fast_is_flagged(tmp_path: Path) -> None:
    """Bedrock's copies of Claude inherit only the batch rule (pricing/bedrock.toml): a body that says fast is
    tier 'fast' and flagged, never silently priced as a standard call."""
    rec = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2026-07-01T12:00:00Z",
        "accountId": "123456789012",
        "region": "us-east-1",
        "requestId": "4b0e5d3c-1111-4c2a-9d0e-7a6b5c4d3e2f",
        "operation": "InvokeModel",
        "modelId": "global.anthropic.claude-opus-4-8-v1:0",
        "input": {"inputContentType": "application/json", "inputTokenCount": 1000},
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "id": "msg_bdrk_01Fast",
                "type": "message",
                "model": "claude-opus-4-8",
                "usage": {"input_tokens": 1000, "output_tokens": 500, "speed": "fast"},
            },
            "outputTokenCount": 500,
        },
    }
    con = _store_with(tmp_path, "invocations.jsonl", [rec])
    ((tier, status),) = con.execute("select service_tier, price_status from priced_usage").fetchall()
    assert (tier, status) == ("fast", "tier_not_in_table")
