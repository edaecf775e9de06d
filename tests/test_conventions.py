"""One golden test per provider counting convention (reference/log_formats.md §1), on realistic records,
including the ugly ones (nulls, floats for ints, string numbers, envelopes, BOMs, spaces, streams)."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops import db
from finops.ingest import ingest

COLS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")


def _ingest(tmp_path: Path, name: str, lines: list[Any] | str, **kw: Any) -> tuple[duckdb.DuckDBPyConnection, Any]:
    path = tmp_path / name
    if isinstance(lines, str):
        data = lines.encode()
    else:
        data = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines).encode() + b"\n"
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    con = db.connect(tmp_path / "t.duckdb")
    return con, ingest(con, [path], **kw).files[0]


def _ingest_files(
    tmp_path: Path, files: list[tuple[str, list[Any]]], **kw: Any
) -> tuple[duckdb.DuckDBPyConnection, Any]:
    """Write each (name, records) as a JSONL file and ingest them all in one run, in this order."""
    paths = []
    for name, lines in files:
        paths.append(tmp_path / name)
        paths[-1].write_text("".join(json.dumps(x) + "\n" for x in lines))
    con = db.connect(tmp_path / "t.duckdb")
    return con, ingest(con, paths, **kw)


def _rows(con: duckdb.DuckDBPyConnection, extra: str = "") -> list[dict[str, Any]]:
    cols = ", ".join(COLS) + ", model, service_tier, provider, platform, ts, ts_source, tags" + extra
    cur = con.execute(f"select {cols} from usage order by source_line")
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _buckets(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[c] for c in COLS)


# ------------------------------------------------------------------ OpenAI


def test_openai_chat_cached_and_reasoning_are_subsets(tmp_path: Path) -> None:
    body = {
        "id": "chatcmpl-A1",
        "object": "chat.completion",
        "created": 1748754882,
        "model": "o3-mini-2025-01-31",
        "service_tier": "default",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "…"}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": 1000,
            "completion_tokens": 300,
            "total_tokens": 1300,
            "prompt_tokens_details": {"cached_tokens": 800, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 200, "rejected_prediction_tokens": 5},
        },
    }
    con, _res = _ingest(tmp_path, "chat.jsonl", [body])
    (row,) = _rows(con)
    # uncached = 1000 - 800; output keeps reasoning (200 of 300) and rejected predictions inside
    assert _buckets(row) == (200, 800, 0, 0, 300, 200)
    assert row["service_tier"] == "standard" and row["provider"] == "openai"
    assert row["ts"] == datetime.fromtimestamp(1748754882, UTC) and row["ts_source"] == "record"


def test_openai_chat_ugly_records(tmp_path: Path) -> None:
    lines = [
        # details null (compat servers), numbers as floats and strings, keys in another order, spaces
        '{ "usage" : { "completion_tokens" : 10.0, "prompt_tokens" : "120", "prompt_tokens_details" : null },'
        ' "model" : "gpt-4o-mini-2024-07-18", "object" : "chat.completion",'
        ' "id" : "chatcmpl-B", "created" : 1735689600 }',
        # new cache_write_tokens (GPT-5.6+): a subset of the prompt too
        json.dumps(
            {
                "id": "chatcmpl-C",
                "object": "chat.completion",
                "created": 1735689601,
                "model": "gpt-5.6-sol",
                "usage": {
                    "prompt_tokens": 8576,
                    "completion_tokens": 50,
                    "prompt_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 4418},
                },
            }
        ),
        "",  # a blank line is skipped, not quarantined
        '{"id": "chatcmpl-D", "object": "chat.completion", "created": 1735689602, "model": "gpt-4o", "usa',
        json.dumps({"id": "chatcmpl-E", "object": "chat.completion", "created": 1735689603, "model": "gpt-4o"}),
        json.dumps(
            {
                "id": "chatcmpl-F",
                "object": "chat.completion",
                "created": 1735689604,
                "model": "gpt-4o",
                "usage": {"prompt_tokens": 10, "completion_tokens": -3},
            }
        ),
        json.dumps(
            {
                "id": "chatcmpl-G",
                "object": "chat.completion",
                "created": 1735689605,
                "model": "gpt-4o",
                "usage": {"prompt_tokens": 10, "completion_tokens": 3, "prompt_tokens_details": {"cached_tokens": 50}},
            }
        ),
    ]
    con, res = _ingest(tmp_path, "ugly.jsonl", lines)
    rows = _rows(con)
    assert [_buckets(r) for r in rows] == [(120, 0, 0, 0, 10, 0), (8576 - 100 - 4418, 100, 4418, 0, 50, 0)]
    q = con.execute("select source_line, reason from quarantine order by source_line").fetchall()
    assert q == [
        (4, "malformed JSON (or not an object of this format)"),
        (5, "no usage object"),
        (6, "negative token count: output=-3"),
        (7, "cached + cache-write tokens exceed the prompt tokens"),
    ]
    assert res.skip_reasons == {"blank line": 1}
    raw = con.execute("select raw from quarantine where source_line = 4").fetchone()
    assert raw is not None and raw[0].endswith('"usa')


def test_openai_responses_and_web_search(tmp_path: Path) -> None:
    resp = {
        "id": "resp_1",
        "object": "response",
        "created_at": 1765322923,
        "status": "incomplete",
        "model": "gpt-5-mini-2025-08-07",
        "service_tier": "flex",
        "metadata": {"team": "search"},
        "output": [{"type": "reasoning"}, {"type": "web_search_call"}, {"type": "message"}],
        "usage": {
            "input_tokens": 20000,
            "input_tokens_details": {"cached_tokens": 15000},
            "output_tokens": 3000,
            "output_tokens_details": {"reasoning_tokens": 2500},
            "total_tokens": 23000,
        },
    }
    path = tmp_path / "responses.json"
    path.write_text(json.dumps([resp], indent=2))
    con = db.connect(tmp_path / "t.duckdb")
    ingest(con, [path])
    (row,) = _rows(con, ", web_searches")
    assert _buckets(row) == (5000, 15000, 0, 0, 3000, 2500)
    assert row["web_searches"] == 1 and row["service_tier"] == "flex" and row["tags"] == {"team": "search"}


def test_openai_responses_stream_counts_the_completed_event_only(tmp_path: Path) -> None:
    base = {"id": "resp_2", "object": "response", "created_at": 1765322923, "model": "gpt-5-2025-08-07"}
    lines = [
        {"type": "response.created", "response": {**base, "status": "in_progress", "usage": None}},
        {"type": "response.output_text.delta", "delta": "…"},
        {
            "type": "response.completed",
            "response": {**base, "status": "completed", "usage": {"input_tokens": 100, "output_tokens": 7}},
        },
    ]
    con, res = _ingest(tmp_path, "rstream.jsonl", lines)
    assert [_buckets(r) for r in _rows(con)] == [(100, 0, 0, 0, 7, 0)]
    assert res.quarantined == 0


def test_openai_chat_stream_usage_only_on_last_chunk(tmp_path: Path) -> None:
    def chunk(i: str, usage: Any = None, choices: Any = None) -> dict[str, Any]:
        return {
            "id": i,
            "object": "chat.completion.chunk",
            "created": 1740000000,
            "model": "gpt-4o-2024-08-06",
            "choices": choices if choices is not None else [{"index": 0, "delta": {"content": "…"}}],
            "usage": usage,
        }

    lines = [
        chunk("chatcmpl-S1"),
        chunk("chatcmpl-S1"),
        chunk(
            "chatcmpl-S1",
            {"prompt_tokens": 50, "completion_tokens": 9, "prompt_tokens_details": {"cached_tokens": 0}},
            [],
        ),
        chunk("chatcmpl-S2"),
        chunk("chatcmpl-S2"),  # a stream without include_usage: cannot be priced
    ]
    con, res = _ingest(tmp_path, "stream.jsonl.gz", lines)
    assert [_buckets(r) for r in _rows(con)] == [(50, 0, 0, 0, 9, 0)]
    assert res.quarantined == 1 and "include_usage" in next(iter(res.reject_reasons))
    q = con.execute("select source_line from quarantine").fetchall()
    assert q == [(5,)]


def test_openai_batch_is_batch_tier_whatever_the_body_says(tmp_path: Path) -> None:
    ok = {
        "id": "batch_req_1",
        "custom_id": "request-2",
        "response": {
            "status_code": 200,
            "request_id": "r1",
            "body": {
                "id": "chatcmpl-X",
                "object": "chat.completion",
                "created": 1746000000,
                "model": "gpt-4o-mini-2024-07-18",
                "service_tier": "default",
                "usage": {"prompt_tokens": 40, "completion_tokens": 4},
            },
        },
        "error": None,
    }
    failed = {"id": "batch_req_2", "custom_id": "request-3", "response": None, "error": {"code": "x", "message": "y"}}
    con, res = _ingest(tmp_path, "batch.jsonl", [failed, ok])
    (row,) = _rows(con)
    assert row["service_tier"] == "batch" and _buckets(row) == (40, 0, 0, 0, 4, 0)
    assert res.skip_reasons == {"failed batch request (not billed)": 1} and res.quarantined == 0


# ------------------------------------------------------------------ Anthropic


def test_anthropic_input_excludes_cache_and_writes_split_by_ttl(tmp_path: Path) -> None:
    usage = {
        "input_tokens": 3,
        "cache_creation_input_tokens": 418,
        "cache_read_input_tokens": 1111,
        "cache_creation": {"ephemeral_5m_input_tokens": 18, "ephemeral_1h_input_tokens": 400},
        "output_tokens": 33,
        "service_tier": "standard",
        "inference_geo": "us",
    }
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "usage": usage,
    }
    old = {  # before the TTL split existed: every write is a 5-minute write
        "id": "msg_2",
        "type": "message",
        "model": "claude-3-5-haiku-20241022",
        "usage": {
            "input_tokens": 10,
            "cache_creation_input_tokens": 50,
            "cache_read_input_tokens": 0,
            "output_tokens": 5,
        },
    }
    lines = [
        {"ts": "2025-10-01T10:00:00Z", "metadata": {"team": "support"}, "response": body},
        {"time": 1759312800, "body": old},
    ]
    con, _ = _ingest(tmp_path, "messages.jsonl", lines)
    rows = _rows(con, ", region")
    assert [_buckets(r) for r in rows] == [(3, 1111, 18, 400, 33, 0), (10, 0, 50, 0, 5, 0)]
    assert rows[0]["ts"] == datetime(2025, 10, 1, 10, tzinfo=UTC) and rows[0]["ts_source"] == "envelope"
    assert rows[1]["ts"] == datetime.fromtimestamp(1759312800, UTC)
    assert rows[0]["tags"] == {"team": "support"} and rows[0]["region"] == "us"


def test_bare_body_without_time_uses_assume_time_or_mtime(tmp_path: Path) -> None:
    body = {
        "id": "msg_3",
        "type": "message",
        "model": "claude-3-5-haiku-20241022",
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    path = tmp_path / "bare.json"
    path.write_text(json.dumps(body, indent=2))
    stamp = datetime(2025, 3, 3, 3, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    con = db.connect(tmp_path / "a.duckdb")
    res = ingest(con, [path]).files[0]
    (row,) = _rows(con)
    assert row["ts"] == datetime(2025, 3, 3, 3, tzinfo=UTC) and row["ts_source"] == "file_mtime"
    assert res.ts_note and "modification time" in res.ts_note
    con2 = db.connect(tmp_path / "b.duckdb")
    ingest(con2, [path], assume_time=datetime(2025, 1, 2, tzinfo=UTC))
    (row2,) = _rows(con2)
    assert row2["ts"] == datetime(2025, 1, 2, tzinfo=UTC) and row2["ts_source"] == "assumed"


def test_anthropic_stream_takes_the_last_cumulative_delta(tmp_path: Path) -> None:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_S",
            "type": "message",
            "model": "claude-sonnet-4-20250514",
            "usage": {"input_tokens": 2293, "cache_read_input_tokens": 100, "output_tokens": 1},
        },
    }
    lines = [
        start,
        {"type": "content_block_start", "index": 0},
        {"type": "ping"},
        {"type": "message_delta", "delta": {"stop_reason": None}, "usage": {"output_tokens": 40}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"input_tokens": 4714, "output_tokens": 503},
        },
        {"type": "message_stop"},
        {"type": "message_start", "message": {**start["message"], "id": "msg_T"}},  # cut before any delta
    ]
    con, res = _ingest(tmp_path, "events.jsonl", lines, assume_time=datetime(2025, 7, 1, tzinfo=UTC))
    assert [_buckets(r) for r in _rows(con)] == [(4714, 100, 0, 0, 503, 0)]
    assert res.reject_reasons == {"stream ended before message_delta: output tokens unknown": 1}


def test_anthropic_batch_results(tmp_path: Path) -> None:
    msg = {
        "id": "msg_B",
        "type": "message",
        "model": "claude-3-5-haiku-20241022",
        "usage": {"input_tokens": 20, "output_tokens": 2, "service_tier": "batch"},
    }
    lines = [
        {"custom_id": "a", "result": {"type": "succeeded", "message": msg}},
        {"custom_id": "b", "result": {"type": "errored", "error": {"type": "error", "error": {"type": "x"}}}},
        {"custom_id": "c", "result": {"type": "expired"}},
    ]
    con, res = _ingest(tmp_path, "results.jsonl", lines)
    (row,) = _rows(con)
    assert row["service_tier"] == "batch" and _buckets(row) == (20, 0, 0, 0, 2, 0)
    assert sum(res.skip_reasons.values()) == 2 and res.quarantined == 0


def _claude_line(
    out: int, req: str = "req_1", side: bool = False, mid: str = "msg_C", model: str = "claude-opus-4-20250514"
) -> dict[str, Any]:
    """An assistant line of a Claude Code transcript (one copy of message `mid`, `out` output tokens so far)."""
    return {
        "type": "assistant",
        "sessionId": "s1",
        "timestamp": "2026-02-12T10:00:00.000Z",
        "requestId": req,
        "isSidechain": side,
        "cwd": "/home/dev/webapp",
        "message": {
            "id": mid,
            "model": model,
            "content": [{"type": "text", "text": "…"}],
            "usage": {
                "input_tokens": 4,
                "cache_creation_input_tokens": 100,
                "cache_read_input_tokens": 9000,
                "output_tokens": out,
            },
        },
    }


def test_claude_code_keeps_the_final_line_of_each_message(tmp_path: Path) -> None:
    line = _claude_line
    lines = [
        {"type": "summary", "summary": "…", "leafUuid": "u"},
        {"type": "user", "sessionId": "s1", "message": {"role": "user", "content": "…"}},
        line(25),
        line(173),
        line(472),
        line(472, req="req_2", side=True),  # sidechain replay of the same message
        line(0, mid="msg_syn", model="<synthetic>"),
    ]
    text = "\n".join(json.dumps(x, separators=(", ", ": ")) for x in lines) + "\n"  # written with spaces
    con, res = _ingest(tmp_path, "session.jsonl", text)
    (row,) = _rows(con, ", request_id")
    assert _buckets(row) == (4, 9000, 100, 0, 472, 0)
    assert row["request_id"] == "req_1" and row["tags"]["project"] == "webapp"
    assert res.duplicates == 3 and res.skip_reasons["synthetic message (local placeholder)"] == 1


def test_claude_code_copies_in_a_batch_keep_the_largest_then_the_last_line(tmp_path: Path) -> None:
    """Small files are stored in batches; one record per line: the copy kept is the first file's, then the
    largest output (wherever it is in the file), then the non-sidechain one, then the last line."""
    first = [
        _claude_line(900, "req_A1", mid="msg_A"),  # the largest first
        _claude_line(30, "req_A2", mid="msg_A"),
        _claude_line(50, "req_B1", mid="msg_B"),
        _claude_line(50, "req_B2", mid="msg_B"),  # a tie: the last line wins
        _claude_line(70, "req_C1", mid="msg_C"),
        _claude_line(70, "req_C2", side=True, mid="msg_C"),  # a sidechain replay after the main copy loses
        _claude_line(5, "req_D1", side=True, mid="msg_D"),
        _claude_line(5, "req_D2", mid="msg_D"),
    ]
    second = [_claude_line(5000, "req_A3", mid="msg_A"), _claude_line(1, "req_E1", mid="msg_E")]
    con, res = _ingest_files(tmp_path, [("a.jsonl", first), ("b.jsonl", second)])
    assert [(f.status, f.calls, f.duplicates) for f in res.files] == [("ingested", 4, 4), ("ingested", 1, 1)]
    rows = con.execute("select request_id, output, source_line from usage order by request_id").fetchall()
    assert rows == [("req_A1", 900, 1), ("req_B2", 50, 4), ("req_C1", 70, 5), ("req_D2", 5, 8), ("req_E1", 1, 2)]


# ------------------------------------------------------------------ Gemini / Vertex


def test_gemini_thoughts_are_output_and_cached_is_inside_prompt(tmp_path: Path) -> None:
    body = {
        "candidates": [{"content": {"parts": [{"text": "…"}], "role": "model"}, "finishReason": "STOP"}],
        "modelVersion": "models/gemini-2.5-flash",
        "responseId": "r1",
        "usageMetadata": {
            "promptTokenCount": 17713,
            "candidatesTokenCount": 68,
            "thoughtsTokenCount": 821,
            "cachedContentTokenCount": 17379,
            "toolUsePromptTokenCount": 5,
            "totalTokenCount": 18607,
        },
    }
    bom = b"\xef\xbb\xbf"
    path = tmp_path / "gemini.jsonl"
    path.write_bytes(bom + json.dumps({"timestamp": "2025-08-01T00:00:00Z", "data": body}).encode() + b"\n")
    con = db.connect(tmp_path / "t.duckdb")
    ingest(con, [path])
    (row,) = _rows(con)
    # uncached = 17713 - 17379 + 5 (tool-use prompt); output = 68 candidates + 821 thoughts
    assert _buckets(row) == (339, 17379, 0, 0, 889, 821)
    assert row["model"] == "gemini-2.5-flash" and row["platform"] == "gemini_api"


def test_gemini_stream_is_cumulative_and_vertex_has_its_own_time(tmp_path: Path) -> None:
    def chunk(p: int, c: int) -> dict[str, Any]:
        return {
            "modelVersion": "gemini-2.5-pro",
            "responseId": "r2",
            "createTime": "2025-07-01T12:00:00.123456Z",
            "usageMetadata": {
                "promptTokenCount": p,
                "candidatesTokenCount": c,
                "totalTokenCount": p + c,
                "trafficType": "ON_DEMAND_FLEX",
            },
        }

    con, res = _ingest(tmp_path, "vertex.jsonl", [chunk(104, 1), chunk(128, 10), chunk(1767, 12)])
    (row,) = _rows(con)
    assert _buckets(row) == (1767, 0, 0, 0, 12, 0)
    assert row["platform"] == "vertex" and row["service_tier"] == "flex" and row["ts_source"] == "record"
    assert res.duplicates == 2


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("us.anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet-20240620"),
        (
            "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
            "claude-sonnet-4-20250514",
        ),
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("openai/gpt-4o", "gpt-4o"),
        ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929"),
        ("deepseek-v3", "deepseek-v3"),
        ("GPT-4o-2024-08-06", "gpt-4o-2024-08-06"),
        # Bedrock: the -vN:M revision goes, a model's own version stays (Titan Embeddings v1 and v2 are
        # two models at two prices, as are Titan Image Generator v1/v2, Cohere Embed v3/v4, Claude 2.0/2.1)
        ("amazon.titan-embed-text-v1", "titan-embed-text-v1"),
        ("amazon.titan-embed-text-v2:0", "titan-embed-text-v2"),
        ("amazon.titan-image-generator-v2:0", "titan-image-generator-v2"),
        ("cohere.embed-english-v3", "embed-english-v3"),
        ("cohere.embed-v4:0", "embed-v4"),
        ("anthropic.claude-v2", "claude-v2"),
        ("anthropic.claude-v2:1", "claude-v2:1"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022"),
        ("global.anthropic.claude-opus-4-8-v1:0", "claude-opus-4-8"),
        ("ca.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001"),
        ("amazon.nova-pro-v1:0", "nova-pro"),
        ("mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct"),
        ("openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0", "titan-embed-text-v2"),
        # Vertex resource names (batch prediction output, gateways) and the @default version
        ("projects/p-1/locations/us-central1/publishers/google/models/gemini-2.5-pro", "gemini-2.5-pro"),
        ("publishers/google/models/gemini-2.0-flash-001@default", "gemini-2.0-flash-001"),
        ("publishers/anthropic/models/claude-sonnet-4-5@20250929", "claude-sonnet-4-5-20250929"),
    ],
)
def test_model_ids_are_normalised(raw: str, expected: str) -> None:
    from finops.ingest import normalise_model_sql

    con = duckdb.connect()
    row = con.execute("select " + normalise_model_sql("?"), [raw]).fetchone()
    assert row is not None and row[0] == expected
