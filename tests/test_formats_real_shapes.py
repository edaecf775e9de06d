"""Real-world variations of the supported log shapes (found in an adversarial audit against real SDK output,
reference/log_formats.md and public fixtures): each test writes a realistic record from the documented shape
and pins what aispend must count."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops import db, pricing
from finops.ingest import detect, ingest
from finops.scope import set_scope
from tests import helpers
from tests.helpers import ROOT
from tests.test_conventions import _buckets, _ingest, _ingest_files, _rows

# ------------------------------------------------------------------ OpenAI-shaped chat streams


def _chunk(cid: str, model: str, usage: Any = None, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": 1756097033,
        "model": model,
        "choices": [] if usage else [{"index": 0, "delta": {"content": "…"}, "finish_reason": None}],
    }
    if usage is not None:
        body["usage"] = usage
    body.update(kw)
    return body


def test_azure_stream_filter_frames_are_not_quarantined_and_make_it_azure(tmp_path: Path) -> None:
    """Azure OpenAI streams open with a frame of prompt filter results whose id, model and object are empty
    (and, with asynchronous filtering, send more id-less annotation frames): they are part of the stream,
    not a stream without usage, and they say the call ran on Azure."""
    frame = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [
            {"prompt_index": 0, "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}}}
        ],
    }
    note = {
        "choices": [
            {
                "content_filter_offsets": {"check_offset": 10, "start_offset": 10, "end_offset": 40},
                "content_filter_results": {"violence": {"filtered": False, "severity": "safe"}},
                "finish_reason": None,
                "index": 0,
            }
        ],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
    }
    usage = {
        "prompt_tokens": 1100,
        "completion_tokens": 12,
        "total_tokens": 1112,
        "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }
    lines = [
        frame,
        _chunk(
            "chatcmpl-AZ1",
            "gpt-4o-2024-11-20",
            choices=[{"content_filter_results": {}, "delta": {"role": "assistant"}, "finish_reason": None, "index": 0}],
        ),
        note,
        _chunk("chatcmpl-AZ1", "gpt-4o-2024-11-20", usage),
    ]
    con, res = _ingest(tmp_path, "azure_stream.jsonl", lines)
    assert res.format == "openai.chat_stream"
    assert res.quarantined == 0, res.reject_reasons
    (row,) = _rows(con)
    assert _buckets(row) == (76, 1024, 0, 0, 12, 0)
    assert row["platform"] == "azure" and row["provider"] == "openai"


def test_groq_stream_usage_in_x_groq(tmp_path: Path) -> None:
    """Groq streams put the call's usage in the finish chunk's `x_groq.usage` (no top-level usage)."""
    xg = {
        "id": "req_01jadadp0f",
        "usage": {
            "queue_time": 0.06,
            "prompt_tokens": 18,
            "prompt_time": 0.0002,
            "completion_tokens": 439,
            "completion_time": 0.79,
            "total_tokens": 457,
            "total_time": 0.79,
        },
    }
    lines = [
        _chunk("chatcmpl-e7f8", "llama-3.1-8b-instant", x_groq={"id": "req_01jadadp0f"}),
        _chunk(
            "chatcmpl-e7f8",
            "llama-3.1-8b-instant",
            choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}],
            x_groq=xg,
        ),
    ]
    con, res = _ingest(tmp_path, "groq_stream.jsonl", lines)
    assert res.quarantined == 0, res.reject_reasons
    (row,) = _rows(con)
    assert _buckets(row) == (18, 0, 0, 0, 439, 0)
    assert row["platform"] == "groq" and row["provider"] == "meta"


def test_stream_with_cumulative_usage_on_every_chunk_counts_the_last(tmp_path: Path) -> None:
    """vLLM (continuous_usage_stats) and gateways repeat a cumulative usage on every chunk, the early ones
    without completion_tokens: the last usage chunk is the call, the others are neither calls nor rejects."""
    lines = [
        _chunk("chatcmpl-v1", "meta-llama/Llama-3.1-8B-Instruct", usage=None),
        _chunk(
            "chatcmpl-v1",
            "meta-llama/Llama-3.1-8B-Instruct",
            choices=[{"index": 0, "delta": {"content": "a"}}],
            usage={"prompt_tokens": 4982, "completion_tokens": None, "total_tokens": None},
        ),
        _chunk(
            "chatcmpl-v1",
            "meta-llama/Llama-3.1-8B-Instruct",
            choices=[{"index": 0, "delta": {"content": "b"}}],
            usage={"prompt_tokens": 4982, "completion_tokens": 2, "total_tokens": 4984},
        ),
        _chunk(
            "chatcmpl-v1",
            "meta-llama/Llama-3.1-8B-Instruct",
            usage={"prompt_tokens": 4982, "completion_tokens": 57, "total_tokens": 5039},
        ),
    ]
    con, res = _ingest(tmp_path, "vllm_stream.jsonl", lines)
    assert res.quarantined == 0, res.reject_reasons
    (row,) = _rows(con, ", source_line")
    assert _buckets(row) == (4982, 0, 0, 0, 57, 0) and row["source_line"] == 4


def test_xai_stream_reasoning_outside_completion(tmp_path: Path) -> None:
    """xAI counts reasoning OUTSIDE completion_tokens (total = prompt + completion + reasoning), in streams too."""
    usage = {
        "prompt_tokens": 30,
        "completion_tokens": 10,
        "total_tokens": 240,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 200},
    }
    con, _ = _ingest(
        tmp_path, "grok_stream.jsonl", [_chunk("c-grok", "grok-3-mini"), _chunk("c-grok", "grok-3-mini", usage)]
    )
    (row,) = _rows(con)
    assert _buckets(row) == (30, 0, 0, 0, 210, 200) and row["platform"] == "xai"


# ------------------------------------------------------------------ Claude Code


def test_claude_code_on_bedrock_and_vertex_is_that_platform(tmp_path: Path) -> None:
    """Claude Code with CLAUDE_CODE_USE_BEDROCK logs Bedrock's message ids (msg_bdrk_…) and a bare model name;
    Vertex gives msg_vrtx_…: the platform (and so the price table) is Bedrock's / Vertex's, not Anthropic's."""

    def line(mid: str, model: str) -> dict[str, Any]:
        return {
            "type": "assistant",
            "timestamp": "2026-03-21T13:26:22.884Z",
            "sessionId": "4c593b01-f610-49d0-a897-ee2f537f8fc2",
            "uuid": "36416c52-" + mid[-4:],
            "requestId": "req_" + mid,
            "cwd": "/work/app",
            "version": "2.1.80",
            "message": {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": "…"}],
                "usage": {
                    "input_tokens": 1,
                    "cache_creation_input_tokens": 311,
                    "cache_read_input_tokens": 28530,
                    "cache_creation": {"ephemeral_5m_input_tokens": 311, "ephemeral_1h_input_tokens": 0},
                    "output_tokens": 25,
                },
            },
        }

    lines = [
        line("msg_bdrk_01TRwJeNivnr", "claude-opus-4-6"),
        line("msg_vrtx_01Q2aaBcdEfg", "claude-sonnet-4-5@20250929"),
        line("msg_01XyzAbc123", "claude-sonnet-4-5-20250929"),
    ]
    con, res = _ingest(tmp_path, "session.jsonl", lines)
    assert res.format == "claude_code"
    rows = _rows(con)
    assert [r["platform"] for r in rows] == ["bedrock", "vertex", "anthropic"]
    assert [_buckets(r) for r in rows] == [(1, 28530, 311, 0, 25, 0)] * 3


def test_claude_code_on_windows_tags_the_project_by_the_last_folder(tmp_path: Path) -> None:
    """Claude Code on native Windows writes `cwd` with backslashes (`"cwd":"C:\\\\Users\\\\…"`, as read from real
    transcripts by third-party loaders, e.g. TokenBBQ's claude.ts notes): the project tag is the last folder,
    as on Linux and macOS, not the whole path."""
    line = {
        "type": "assistant",
        "timestamp": "2026-03-21T13:26:22.884Z",
        "sessionId": "9b0c6f2e-5a1d-4c3b-8e7f-0a1b2c3d4e5f",
        "requestId": "req_011CWin",
        "cwd": "C:\\Users\\maria\\Desktop\\Projekte\\TokenShop",
        "gitBranch": "main",
        "version": "2.1.80",
        "message": {
            "id": "msg_01WinAbc",
            "model": "claude-sonnet-4-5-20250929",
            "usage": {"input_tokens": 3, "cache_read_input_tokens": 100, "output_tokens": 7},
        },
    }
    posix = {
        **line,
        "cwd": "/home/maria/TokenShop",
        "requestId": "req_011CPosix",
        "message": {**line["message"], "id": "msg_01PosixAbc"},
    }
    con, res = _ingest(tmp_path, "session.jsonl", [line, posix])
    assert res.format == "claude_code" and res.calls == 2
    assert [r["tags"]["project"] for r in _rows(con)] == ["TokenShop", "TokenShop"]


def test_claude_code_older_lines_without_request_id_keep_cost_usd(tmp_path: Path) -> None:
    """Transcripts of Claude Code before mid 2025 carry no `requestId` and a `costUSD` per line (ccusage's
    adapter README and fixtures; peers.md §6.2): the copies of one message still count once (key: message.id,
    as ccusage does without a requestId), the final line kept, its costUSD the reported cost, exact."""

    def line(out: int, cost: float) -> dict[str, Any]:
        return {
            "type": "assistant",
            "timestamp": "2025-05-20T08:15:02.511Z",
            "sessionId": "6a8f0c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
            "version": "0.2.125",
            "cwd": "/home/dev/webapp",
            "costUSD": cost,
            "message": {
                "id": "msg_01OldNoReq",
                "model": "claude-sonnet-4-20250514",
                "usage": {"input_tokens": 4, "cache_read_input_tokens": 13368, "output_tokens": out},
            },
        }

    con, res = _ingest(tmp_path, "old.jsonl", [line(12, 0.0043), line(284, 0.0084304)])
    assert res.calls == 1 and res.duplicates == 1
    row = con.execute("select output, reported_cost, request_id from usage").fetchone()
    assert row == (284, Decimal("0.0084304"), None)


# ------------------------------------------------------------------ Anthropic usage.iterations


def _iterations_body(mid: str) -> dict[str, Any]:
    """A Messages body after server-side compaction and an advisor consult: the top-level usage covers only
    the `message` steps; the compaction step (same model) and the advisor step (its own model) are billed
    beside it."""
    return {
        "id": mid,
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": [{"type": "compaction", "content": "…"}, {"type": "text", "text": "…"}],
        "stop_reason": "end_turn",
        "usage": {
            "input_tokens": 23000,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 1000,
            "service_tier": "standard",
            "iterations": [
                {
                    "type": "compaction",
                    "input_tokens": 180000,
                    "output_tokens": 3500,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                },
                {
                    "type": "message",
                    "input_tokens": 11000,
                    "output_tokens": 400,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                },
                {
                    "type": "advisor_message",
                    "model": "claude-opus-4-8",
                    "input_tokens": 2518,
                    "output_tokens": 610,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 120,
                    "cache_creation": {"ephemeral_5m_input_tokens": 120, "ephemeral_1h_input_tokens": 0},
                },
                {
                    "type": "message",
                    "input_tokens": 12000,
                    "output_tokens": 600,
                    "cache_read_input_tokens": 0,
                    "cache_creation_input_tokens": 0,
                },
            ],
        },
    }


def test_anthropic_iterations_outside_the_top_level_usage_are_billed(tmp_path: Path) -> None:
    lines = [{"timestamp": "2026-06-01T10:00:00Z", "response": _iterations_body("msg_01Compact")}]
    con, res = _ingest(tmp_path, "messages.jsonl", lines)
    assert res.format == "anthropic.messages" and res.quarantined == 0
    rows = _rows(con, ", request_count, dedupe_key")
    got = {(r["model"], r["request_count"]): _buckets(r) for r in rows}
    assert got == {
        ("claude-sonnet-4-6", 1): (23000, 0, 0, 0, 1000, 0),  # the answer: the message steps
        ("claude-sonnet-4-6", 0): (180000, 0, 0, 0, 3500, 0),  # compaction, same model
        ("claude-opus-4-8", 0): (2518, 0, 120, 0, 610, 0),  # the advisor, its own model
    }
    assert sorted(r["dedupe_key"] for r in rows) == [
        "anthropic:msg_01Compact",
        "anthropic:msg_01Compact#advisor_message3",
        "anthropic:msg_01Compact#compaction1",
    ]
    # the same response logged twice: still one call with its two sub-calls
    (tmp_path / "twice").mkdir()
    _, res2 = _ingest(tmp_path / "twice", "twice.jsonl", lines + lines)
    assert (res2.calls, res2.duplicates) == (3, 3)


def test_anthropic_batch_and_claude_code_iterations(tmp_path: Path) -> None:
    batch = [{"custom_id": "r1", "result": {"type": "succeeded", "message": _iterations_body("msg_01Batch")}}]
    con, res = _ingest(tmp_path, "batch_results.jsonl", batch)
    assert res.format == "anthropic.batch"
    rows = _rows(con, ", request_count")
    assert sorted((r["model"], r["request_count"], r["service_tier"]) for r in rows) == [
        ("claude-opus-4-8", 0, "batch"),
        ("claude-sonnet-4-6", 0, "batch"),
        ("claude-sonnet-4-6", 1, "batch"),
    ]
    cc = {
        "type": "assistant",
        "timestamp": "2026-06-01T10:00:00Z",
        "sessionId": "s-1",
        "requestId": "req_1",
        "cwd": "/w/app",
        "message": _iterations_body("msg_01Code"),
    }
    (tmp_path / "cc").mkdir()
    con, res = _ingest(tmp_path / "cc", "session.jsonl", [cc, cc])
    assert res.format == "claude_code" and res.calls == 3


# ------------------------------------------------------------------ Gemini / Vertex


def test_vertex_stream_chunks_without_counts_are_not_quarantined(tmp_path: Path) -> None:
    """Vertex AI streams send `usageMetadata: {"trafficType": "ON_DEMAND"}` (no counts) on every chunk before
    the last: those chunks are not rejects (nor is their text kept in quarantine); the last chunk is the call."""

    def chunk(text: str, usage: dict[str, Any]) -> dict[str, Any]:
        return {
            "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}],
            "usageMetadata": {**usage, "trafficType": "ON_DEMAND"},
            "modelVersion": "gemini-2.5-flash",
            "createTime": "2025-07-22T11:00:54.652094Z",
            "responseId": "Zm9_aL7mJ8bAxN8P",
        }

    last = {
        "promptTokenCount": 12,
        "candidatesTokenCount": 40,
        "thoughtsTokenCount": 258,
        "totalTokenCount": 310,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}],
    }
    lines = [chunk("The", {}), chunk(" weather", {}), chunk(".", last)]
    con, res = _ingest(tmp_path, "vertex_stream.jsonl", lines)
    assert res.format == "gemini" and res.quarantined == 0, res.reject_reasons
    (row,) = _rows(con)
    assert _buckets(row) == (12, 0, 0, 0, 298, 258) and row["platform"] == "vertex"
    # a stream cut before its counted chunk is still quarantined, never silently dropped
    (tmp_path / "cut").mkdir()
    _, cut = _ingest(tmp_path / "cut", "cut.jsonl", lines[:2])
    assert cut.calls == 0 and cut.quarantined == 2


def test_captured_sse_streams_and_jq_style_files_are_read(tmp_path: Path) -> None:
    """Two real ways streams and records get saved: a curl capture of a server-sent-event stream (`event:` /
    `data:` lines, CRLF or LF, ending with `data: [DONE]`) and `jq .` output (pretty-printed objects one
    after another). Both are read by the format of their payloads, with the file's line numbers."""
    from finops import db
    from finops.ingest import ingest

    anthropic = (
        "event: message_start\n"
        'data: {"type":"message_start","message":{"id":"msg_01SSE","type":"message","role":"assistant",'
        '"model":"claude-sonnet-4-5-20250929","content":[],"usage":{"input_tokens":120,'
        '"cache_read_input_tokens":30,"cache_creation_input_tokens":0,"output_tokens":1}}}\n\n'
        "event: ping\n"
        'data: {"type": "ping"}\n\n'
        ": keep-alive comment\n\n"
        "event: message_delta\n"
        'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}\n\n'
        "event: message_stop\n"
        'data: {"type":"message_stop"}\n\n'
    )
    chunk = (
        '{"id":"chatcmpl-S1","object":"chat.completion.chunk","created":1735689600,'
        '"model":"gpt-4o-mini-2024-07-18","choices":%s,"usage":%s}'
    )
    openai = (
        "data: " + chunk % ('[{"index":0,"delta":{"content":"Hi"}}]', "null") + "\r\n\r\n"
        "data: " + chunk % ("[]", '{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}') + "\r\n\r\n"
        "data: [DONE]\r\n\r\n"
    )
    body = '{\n  "id": "chatcmpl-J%d",\n  "object": "chat.completion",\n  "created": 1735689600,\n'
    body += '  "model": "gpt-4o",\n  "usage": {\n    "prompt_tokens": %d,\n    "completion_tokens": 5\n  }\n}\n'
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "anthropic.txt").write_text(anthropic)
    (logs / "openai.sse").write_bytes(openai.encode())
    (logs / "jq.json").write_text("".join(body % (i, 10 * i) for i in (1, 2, 3)))
    con = db.connect(tmp_path / "t.duckdb")
    res = {Path(r.path).name: r for r in ingest(con, [logs]).files}
    assert {k: (r.status, r.format, r.calls, r.quarantined) for k, r in res.items()} == {
        "anthropic.txt": ("ingested", "anthropic.stream", 1, 0),
        "jq.json": ("ingested", "openai.chat", 3, 0),
        "openai.sse": ("ingested", "openai.chat_stream", 1, 0),
    }
    rows = con.execute(
        "select format, source_line, input_uncached, cache_read, output from usage order by format, source_line"
    ).fetchall()
    assert rows == [
        ("anthropic.stream", 10, 120, 30, 42),  # the message_delta's data line
        ("openai.chat", 1, 10, 0, 5),
        ("openai.chat", 2, 20, 0, 5),
        ("openai.chat", 3, 30, 0, 5),
        ("openai.chat_stream", 3, 11, 0, 7),
    ]


# ------------------------------------------------------------------ Anthropic formats on Bedrock / Vertex

_CLAUDE_USAGE = {
    "input_tokens": 12,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 2048,
    "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
    "output_tokens": 1,
}


def test_anthropic_stream_from_bedrock_and_vertex_is_that_platform(tmp_path: Path) -> None:
    """InvokeModelWithResponseStream (Bedrock) and streamRawPredict (Vertex) send Anthropic's stream events with
    the platform's message id and a bare or @-versioned model name: priced by Bedrock's / Vertex's table."""

    def stream(mid: str, model: str) -> list[dict[str, Any]]:
        start = {"id": mid, "type": "message", "role": "assistant", "model": model, "content": []}
        start |= {"stop_reason": None, "stop_sequence": None, "usage": _CLAUDE_USAGE}
        return [
            {"type": "message_start", "message": start},
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
            {"type": "content_block_stop", "index": 0},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 40}},
            {"type": "message_stop"},
        ]

    lines = stream("msg_bdrk_01HJQn8aLx5", "claude-sonnet-4-20250514") + stream(
        "msg_vrtx_01AbCdEf", "claude-sonnet-4@20250514"
    )
    lines += stream("msg_01XFDUDYJgAACzvnptvVoYEL", "claude-sonnet-4-20250514")
    con, res = _ingest(tmp_path, "stream.jsonl", lines, assume_time=datetime(2025, 7, 15, 12, tzinfo=UTC))
    assert res.format == "anthropic.stream"
    rows = _rows(con)
    assert [r["platform"] for r in rows] == ["bedrock", "vertex", "anthropic"]
    assert [_buckets(r) for r in rows] == [(12, 2048, 0, 0, 40, 0)] * 3


def test_anthropic_batch_results_from_bedrock_and_vertex_are_that_platform(tmp_path: Path) -> None:
    """Message Batches results carrying Bedrock / Vertex message ids are that platform's calls."""

    def result(cid: str, mid: str) -> dict[str, Any]:
        msg = {"id": mid, "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022"}
        msg |= {"content": [{"type": "text", "text": "…"}], "stop_reason": "end_turn", "usage": _CLAUDE_USAGE}
        return {"custom_id": cid, "result": {"type": "succeeded", "message": msg}}

    lines = [result("a", "msg_bdrk_014VwiXbi91"), result("b", "msg_vrtx_01Xy"), result("c", "msg_013Zva2CMHL")]
    con, res = _ingest(tmp_path, "batch_results.jsonl", lines, assume_time=datetime(2025, 4, 20, 8, tzinfo=UTC))
    assert res.format == "anthropic.batch"
    rows = _rows(con)
    assert [r["platform"] for r in rows] == ["bedrock", "vertex", "anthropic"]
    assert all(r["service_tier"] == "batch" for r in rows)


# ------------------------------------------------------------------ claude -p (headless) output

_SID = "8f3c2a1e-5b7d-4e2f-9a1c-3d4e5f6a7b8c"
_RESULT: dict[str, Any] = {
    "type": "result",
    "subtype": "success",
    "is_error": False,
    "duration_ms": 6012,
    "duration_api_ms": 9876,
    "num_turns": 2,
    "result": "done",
    "session_id": _SID,
    "total_cost_usd": 0.0652,
    "usage": {
        "input_tokens": 6,
        "cache_creation_input_tokens": 15848,
        "cache_read_input_tokens": 26736,
        "output_tokens": 129,
        "server_tool_use": {"web_search_requests": 0},
    },
    "modelUsage": {
        "claude-sonnet-4-5-20250929": {
            "inputTokens": 6,
            "outputTokens": 129,
            "cacheReadInputTokens": 26736,
            "cacheCreationInputTokens": 15848,
            "webSearchRequests": 0,
            "costUSD": 0.0612,
            "contextWindow": 200000,
        },
        "claude-3-5-haiku-20241022": {
            "inputTokens": 512,
            "outputTokens": 40,
            "cacheReadInputTokens": 0,
            "cacheCreationInputTokens": 0,
            "webSearchRequests": 0,
            "costUSD": 0.00057,
            "contextWindow": 200000,
        },
    },
    "permission_denials": [],
    "uuid": "9a1c3d4e-0000-4000-8000-000000000001",
}


# the rows of _RESULT alone (_print_rows): one bucket per model of modelUsage, costUSD as the reported cost
_RESULT_BUCKETS = [
    ("claude-3-5-haiku-20241022", "bucket", 0, 512, 0, 0, 40, Decimal("0.00057")),
    ("claude-sonnet-4-5-20250929", "bucket", 0, 6, 26736, 15848, 129, Decimal("0.0612")),
]


def _print_rows(con: Any) -> list[tuple[Any, ...]]:
    return con.execute(
        "select model, record_kind, request_count, input_uncached, cache_read, cache_write_5m, output, reported_cost"
        " from usage order by record_kind, model"
    ).fetchall()


def _assistant(mid: str, block: dict[str, Any], out: int) -> dict[str, Any]:
    usage = {
        "input_tokens": 3,
        "cache_creation_input_tokens": 7924,
        "cache_read_input_tokens": 13368,
        "cache_creation": {"ephemeral_5m_input_tokens": 7924, "ephemeral_1h_input_tokens": 0},
        "output_tokens": out,
        "service_tier": "standard",
    }
    msg = {
        "id": mid,
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [block],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    return {
        "type": "assistant",
        "message": msg,
        "parent_tool_use_id": None,
        "session_id": _SID,
        "uuid": f"{mid}-{block['type']}",
    }


def test_claude_print_stream_json_counts_each_message_once_and_the_rest_of_the_result(tmp_path: Path) -> None:
    """`claude -p --output-format stream-json --verbose`: one assistant line per content block, each repeating
    the message's usage (anthropics/claude-code#6805), then a `result` line whose modelUsage totals the whole
    session, per model. The calls are the messages, once each. The result adds only what no assistant line
    holds: Claude Code's own side calls (here Haiku, never written as assistant lines) become a bucket of
    that model with its costUSD; a model whose total equals its messages' adds nothing (skipped with a count)."""
    init = {
        "type": "system",
        "subtype": "init",
        "cwd": "/home/dev/webapp",
        "session_id": _SID,
        "tools": ["Bash", "Read"],
        "mcp_servers": [],
        "model": "claude-sonnet-4-5-20250929",
        "permissionMode": "default",
        "apiKeySource": "none",
        "uuid": "init-1",
    }
    tool_result = {
        "type": "user",
        "session_id": _SID,
        "parent_tool_use_id": None,
        "uuid": "user-1",
        "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]},
    }
    lines = [
        init,
        _assistant("msg_01A", {"type": "thinking", "thinking": "…"}, 9),
        _assistant("msg_01A", {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {}}, 9),
        tool_result,
        _assistant("msg_01B", {"type": "text", "text": "done"}, 120),
        _RESULT,
    ]
    con, res = _ingest(tmp_path, "run.jsonl", lines, assume_time=datetime(2025, 10, 1, tzinfo=UTC))
    assert res.format == "claude_code.print"
    assert res.quarantined == 0, res.reject_reasons
    assert res.calls == 3 and res.duplicates == 1
    assert res.skip_reasons == {
        "session total (result line): its calls are the assistant lines": 1,  # the Sonnet total
        "system line": 1,
        "user line": 1,
    }
    rows = _rows(con)
    assert [_buckets(r) for r in rows] == [
        (3, 13368, 7924, 0, 9, 0),
        (3, 13368, 7924, 0, 120, 0),
        (512, 0, 0, 0, 40, 0),  # Haiku's side calls: the result's rest, with its costUSD
    ]
    assert rows[0]["tags"] == {"project": "webapp", "session": _SID}
    assert _print_rows(con)[0] == _RESULT_BUCKETS[0]


def test_claude_print_running_totals_on_bedrock_and_unmatched_model_names(tmp_path: Path) -> None:
    """With stream-json input one process answers several turns and writes a `result` after each, a running
    total of the session so far (anthropics/claude-code#83239): only the session's last result counts, the
    earlier ones are skipped. On Bedrock (CLAUDE_CODE_USE_BEDROCK) modelUsage is keyed by the Bedrock id while
    the assistant lines carry the bare model name: both name the same model, so the Sonnet total is all in the
    lines and only Haiku's side calls are added, on Bedrock. A file whose assistant models match none of the
    result's keys cannot be split: the result is skipped with a count, the lines' calls stay."""

    def turn(mid: str, out: int) -> dict[str, Any]:
        line = _assistant(mid, {"type": "text", "text": "…"}, out)
        line["message"]["model"] = "claude-sonnet-4-5-20250929"
        return line

    def result(n: int, sonnet_out: int, haiku: tuple[int, int] | None) -> dict[str, Any]:
        mu = {
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0": {
                "inputTokens": 3 * n,
                "outputTokens": sonnet_out,
                "cacheReadInputTokens": 13368 * n,
                "cacheCreationInputTokens": 7924 * n,
                "webSearchRequests": 0,
                "costUSD": 0.05 * n,
            }
        }
        if haiku:
            mu["us.anthropic.claude-3-5-haiku-20241022-v1:0"] = {
                "inputTokens": haiku[0],
                "outputTokens": haiku[1],
                "cacheReadInputTokens": 0,
                "cacheCreationInputTokens": 0,
                "webSearchRequests": 0,
                "costUSD": 0.0004,
            }
        return {**_RESULT, "num_turns": n, "modelUsage": mu, "uuid": f"result-{n}"}

    lines = [turn("msg_bdrk_01A", 50), result(1, 50, None), turn("msg_bdrk_01B", 70), result(2, 120, (480, 12))]
    con, res = _ingest(tmp_path, "turns.jsonl", lines, assume_time=datetime(2025, 10, 1, tzinfo=UTC))
    assert res.quarantined == 0, res.reject_reasons
    assert res.calls == 3 and res.skip_reasons == {
        "session total (result line): a running total, superseded by the session's last result": 1,
        "session total (result line): its calls are the assistant lines": 1,
    }
    got = con.execute("select record_kind, model, platform, input_uncached, output from usage order by source_line")
    assert got.fetchall() == [
        ("call", "claude-sonnet-4-5-20250929", "bedrock", 3, 50),
        ("call", "claude-sonnet-4-5-20250929", "bedrock", 3, 70),
        ("bucket", "claude-3-5-haiku-20241022", "bedrock", 480, 12),
    ]

    alias = turn("msg_01C", 9)
    alias["message"]["model"] = "claude-sonnet-4-5"  # an alias the result's dated key does not match
    (tmp_path / "x").mkdir()
    con, res = _ingest(tmp_path / "x", "alias.jsonl", [alias, _RESULT], assume_time=datetime(2025, 10, 1, tzinfo=UTC))
    assert res.calls == 1 and res.skip_reasons == {
        "session total (result line): its models differ from the assistant lines' (not split)": 2
    }


def test_claude_print_json_result_alone_is_one_total_per_model(tmp_path: Path) -> None:
    """`claude -p --output-format json` prints only the `result` object: its modelUsage gives each model's
    tokens and cost (Claude Code's side calls run on Haiku): one bucket row per model, costUSD as reported."""
    con, res = _ingest(
        tmp_path, "run.json", json.dumps(_RESULT, indent=2), assume_time=datetime(2025, 10, 1, tzinfo=UTC)
    )
    assert res.format == "claude_code.print" and res.quarantined == 0, res.reject_reasons
    assert _print_rows(con) == _RESULT_BUCKETS


def test_claude_print_stream_whose_assistant_lines_carry_zero_usage_counts_the_result(tmp_path: Path) -> None:
    """Some Claude Code versions (2.1.9x reported) write stream-json assistant lines with `usage` all zero and the
    real counts only in the `result` line's `modelUsage` (multica-ai/multica#728, PR #729). Assistant lines
    without a single counted token are then no evidence of the session's calls: the result's per-model totals
    are the counts (the zero lines stay, zero tokens each), never a session counted as zero."""
    zero = _assistant("msg_01Z", {"type": "text", "text": "done"}, 0)
    zero["message"]["usage"] = {"input_tokens": 0, "output_tokens": 0}
    con, res = _ingest(tmp_path, "run.jsonl", [zero, _RESULT], assume_time=datetime(2025, 10, 1, tzinfo=UTC))
    assert res.format == "claude_code.print" and res.quarantined == 0, res.reject_reasons
    assert _print_rows(con) == [*_RESULT_BUCKETS, ("claude-sonnet-4-5-20250929", "call", 1, 0, 0, 0, 0, None)]


def test_claude_print_result_of_a_session_whose_transcript_is_stored_is_not_counted_twice(tmp_path: Path) -> None:
    """`claude -p --output-format json` prints only the session total, while Claude Code also writes the same
    session's transcript (~/.claude/projects/…/<session_id>.jsonl, `sessionId` = the result's `session_id`).
    Rule: the transcript's calls win. A result total whose session already has transcript calls in the store is
    skipped with a count; a result of another session is still stored. (The other order: see
    test_claude_print_result_and_its_transcript_count_the_transcript_in_any_order.)
    Result shape: Agent SDK reference, `SDKResultMessage` / `ModelUsage`."""
    transcript = [
        {
            "type": "assistant",
            "sessionId": _SID,
            "timestamp": "2025-10-01T09:59:58.000Z",
            "requestId": "req_011CPrint1",
            "cwd": "/home/dev/webapp",
            "version": "2.0.14",
            "message": {
                "id": "msg_01PrintA",
                "model": "claude-sonnet-4-5-20250929",
                "usage": {"input_tokens": 6, "cache_read_input_tokens": 26736, "output_tokens": 129},
            },
        }
    ]
    path = tmp_path / f"{_SID}.jsonl"
    path.write_text(json.dumps(transcript[0]) + "\n")
    other = {**_RESULT, "session_id": "0b1c2d3e-0000-4000-8000-00000000beef", "uuid": "9a1c3d4e-beef"}
    (tmp_path / "run.json").write_text(json.dumps(_RESULT))
    (tmp_path / "other.json").write_text(json.dumps(other))
    con = db.connect(tmp_path / "t.duckdb")
    first = ingest(con, [path])
    assert first.files[0].format == "claude_code" and first.files[0].calls == 1
    res = ingest(con, [tmp_path / "run.json", tmp_path / "other.json"], assume_time=datetime(2025, 10, 1, tzinfo=UTC))
    same, rest = res.files
    assert same.format == "claude_code.print" and same.calls == 0 and same.quarantined == 0
    assert same.skip_reasons == {
        "session total (result line): the session's transcript is already stored (its calls count)": 2
    }
    assert rest.calls == 2  # one bucket per model of another session's total
    got = con.execute("select format, tags['session'], count(*) from usage group by all order by all").fetchall()
    assert got == [("claude_code", _SID, 1), ("claude_code.print", other["session_id"], 2)]


def _print_session(tmp_path: Path) -> tuple[Path, Path]:
    """The transcript of session _SID (two messages) and the `claude -p --output-format json` result of the same
    session (`_RESULT`: its Sonnet total and Claude Code's Haiku side calls)."""

    def line(mid: str, req: str, ts: str, out: int) -> dict[str, Any]:
        usage = {"input_tokens": 3, "cache_read_input_tokens": 13368, "cache_creation_input_tokens": 7924,
                 "output_tokens": out}  # fmt: skip
        return {
            "type": "assistant", "sessionId": _SID, "timestamp": ts, "requestId": req, "cwd": "/home/dev/webapp",
            "version": "2.0.14", "message": {"id": mid, "model": "claude-sonnet-4-5-20250929", "usage": usage},
        }  # fmt: skip

    folder = tmp_path / "projects" / "-home-dev-webapp"
    folder.mkdir(parents=True)
    transcript = folder / f"{_SID}.jsonl"
    lines = [line("msg_01PrintA", "req_011A", "2025-10-01T09:59:50.000Z", 9),
             line("msg_01PrintB", "req_011B", "2025-10-01T09:59:58.000Z", 120)]  # fmt: skip
    transcript.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = tmp_path / "run.json"
    result.write_text(json.dumps(_RESULT, indent=2))
    return transcript, result


# the result file's time: none in the file, so --assume-time; another UTC day than the transcript's calls, so
# the report's one-source-per-provider-day rule (finops/scope.py) cannot hide a double count
_RESULT_TIME = datetime(2025, 10, 2, 8, tzinfo=UTC)


def _session_store(path: Path, runs: list[list[Path]]) -> tuple[duckdb.DuckDBPyConnection, list[Any]]:
    con = db.connect(path)
    results = [ingest(con, files, assume_time=_RESULT_TIME) for files in runs]
    pricing.install(con, helpers.table())
    db.create_views(con)
    return con, results


def _counted(con: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """What the store counts: its rows (without run and lineage) and what a report totals."""
    rows = con.execute(
        "select format, record_kind, model, input_uncached, cache_read, cache_write_5m, output, reported_cost "
        "from usage order by all"
    ).fetchall()
    set_scope(con)
    total = con.execute("select count(*), sum(cost_usd) from scoped_usage").fetchone()
    return rows, total


@pytest.mark.parametrize(
    "order",
    ["result, then transcript", "transcript, then result", "one run: result first", "one run: transcript first"],
)
def test_claude_print_result_and_its_transcript_count_the_transcript_in_any_order(tmp_path: Path, order: str) -> None:
    """A `claude -p --output-format json` result totals its session per model; Claude Code also writes the
    session's transcript (one row per message, finer). Whatever the ingest order, in one run or two, the store
    counts the transcript alone. A result stored first stops counting when its transcript arrives: its rows move
    to the table `superseded` (file:line kept, with the reason and the transcript's file), counted in that run's
    summary; a result arriving after its transcript is skipped with a count. Re-ingesting either file changes
    nothing."""
    transcript, result = _print_session(tmp_path)
    alone, _ = _session_store(tmp_path / "alone.duckdb", [[transcript]])
    expected = _counted(alone)
    assert expected[1][0] == 2

    runs = {
        "result, then transcript": [[result], [transcript]],
        "transcript, then result": [[transcript], [result]],
        "one run: result first": [[result, transcript]],
        "one run: transcript first": [[transcript, result]],
    }[order]
    con, results = _session_store(tmp_path / "t.duckdb", runs)
    assert _counted(con) == expected
    moved = con.execute(
        "select source_file, source_line, model, superseded_by, reason from superseded order by model"
    ).fetchall()
    superseded = sum(r.superseded for r in results)
    skipped = sum(r.total("skipped") for r in results)
    if order in ("result, then transcript", "one run: result first"):
        reason = "session total of a claude -p result: the session's transcript is stored (its calls count)"
        assert moved == [
            (str(result), 1, "claude-3-5-haiku-20241022", str(transcript), reason),
            (str(result), 1, "claude-sonnet-4-5-20250929", str(transcript), reason),
        ]
        assert superseded == 2 and results[-1].superseded == 2 and skipped == 0
    else:
        assert moved == [] and superseded == 0 and skipped == 2

    again = ingest(con, [result, transcript], assume_time=_RESULT_TIME)
    assert [f.status for f in again.files] == ["unchanged", "unchanged"] and again.superseded == 0
    assert _counted(con) == expected
    assert len(con.execute("select * from superseded").fetchall()) == len(moved)


def test_claude_print_totals_left_by_an_interrupted_run_stop_counting_at_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is committed on its own; the totals are moved at the end of the run. A run stopped in between
    (Ctrl-C, kill) leaves the transcript stored beside its session's result: the next run, whatever it reads,
    finds the unfinished run and moves them."""
    import finops.ingest.claude_code_print as print_format

    transcript, result = _print_session(tmp_path)
    con, _ = _session_store(tmp_path / "t.duckdb", [[result]])
    real = print_format.supersede_session_totals

    def interrupted(*args: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(print_format, "supersede_session_totals", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(con, [transcript])
    assert con.execute("select count(*) from usage").fetchone() == (4,)  # both stored: the double count
    monkeypatch.setattr(print_format, "supersede_session_totals", real)
    again = ingest(con, [transcript])
    assert [f.status for f in again.files] == ["unchanged"] and again.superseded == 2
    assert con.execute("select format, count(*) from usage group by all").fetchall() == [("claude_code", 2)]


def test_claude_print_totals_that_stop_counting_are_said_in_the_ingest_summary(tmp_path: Path) -> None:
    """The run that stores a transcript after its session's `claude -p` result says on stderr how many stored
    rows stopped counting, and where they are kept."""
    from typer.testing import CliRunner

    from finops.cli import app

    transcript, result = _print_session(tmp_path)
    store = str(tmp_path / "s.duckdb")
    runner = CliRunner()
    first = runner.invoke(app, ["--db", store, "ingest", str(result), "--assume-time", "2025-10-02T08:00:00Z"])
    assert first.exit_code == 0 and "no longer counted" not in first.stderr
    second = runner.invoke(app, ["--db", store, "ingest", str(transcript)])
    assert second.exit_code == 0, second.output
    assert "2 stored row(s) no longer counted: session totals of claude -p results" in second.stderr
    assert "table 'superseded'" in second.stderr


def test_claude_print_side_calls_of_a_stream_stay_when_the_transcript_comes_later(tmp_path: Path) -> None:
    """A stream-json run's result adds only what its assistant lines do not hold: Claude Code's side calls
    (Haiku), which no transcript holds. Those rows are not a session total: they keep counting when the session's
    transcript is ingested after them, as when it came first."""
    transcript, _ = _print_session(tmp_path)
    lines = [json.loads(x) for x in transcript.read_text().splitlines()]
    stream = [_assistant(x["message"]["id"], {"type": "text", "text": "…"}, x["message"]["usage"]["output_tokens"])
              for x in lines]  # fmt: skip
    for s, x in zip(stream, lines, strict=True):
        s["message"]["usage"] = x["message"]["usage"]
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps(x) + "\n" for x in [*stream, _RESULT]))

    def haiku(con: duckdb.DuckDBPyConnection) -> list[Any]:
        return con.execute(
            "select format, record_kind, input_uncached, output from usage where model like 'claude-3-5-haiku%'"
        ).fetchall()

    first, _ = _session_store(tmp_path / "a.duckdb", [[transcript], [run]])
    later, results = _session_store(tmp_path / "b.duckdb", [[run], [transcript]])
    assert haiku(first) == haiku(later) == [("claude_code.print", "bucket", 512, 40)]
    assert results[-1].superseded == 0
    tokens = "select model, sum(input_uncached), sum(cache_read), sum(output) from usage group by all order by all"
    assert first.execute(tokens).fetchall() == later.execute(tokens).fetchall()


# ------------------------------------------------------------------ Codex CLI with other model providers


def test_codex_model_provider_names_the_platform_and_local_models_stay_unpriced(tmp_path: Path) -> None:
    """Codex's session_meta.model_provider is a key of its [model_providers.<id>] table: built-ins (ollama,
    lmstudio, `oss` in older CLIs, amazon-bedrock) or a user's own id (`azure-openai`, `openrouter-free`). Each
    call is that platform's, tagged with the id; a local model is unpriced, never priced at OpenAI's rates."""

    def rollout(n: int, provider: str, model: str) -> list[dict[str, Any]]:
        ts = "2025-10-02T09:00:00.000Z"
        meta = {
            "id": f"0199a1b2-{n}",
            "timestamp": ts,
            "cwd": "/home/dev/app",
            "originator": "codex_cli_rs",
            "cli_version": "0.46.0",
            "source": "cli",
            "model_provider": provider,
        }
        ctx = {"cwd": "/home/dev/app", "approval_policy": "on-request", "model": model, "effort": "medium"}
        u = {
            "input_tokens": 1000 * n,
            "cached_input_tokens": 0,
            "output_tokens": 10,
            "reasoning_output_tokens": 0,
            "total_tokens": 1000 * n + 10,
        }
        tc = {"type": "token_count", "info": {"total_token_usage": u, "last_token_usage": u}, "rate_limits": None}
        return [
            {"timestamp": ts, "type": t, "payload": p}
            for t, p in (("session_meta", meta), ("turn_context", ctx), ("event_msg", tc))
        ]

    cases = [
        ("ollama", "gpt-oss:20b", "ollama"),
        ("oss", "gpt-oss:20b", "ollama"),
        ("lmstudio", "openai/gpt-oss-20b", "lmstudio"),
        ("azure-openai", "gpt-5", "azure"),
        ("openrouter-free", "openai/gpt-5", "openrouter"),
        ("amazon-bedrock", "openai.gpt-oss-120b-1:0", "bedrock"),
        ("ollama", "gpt-4o-mini", "ollama"),  # a first-party name: still not OpenAI's bill (pricing/ollama.toml)
        ("openai", "gpt-5", "openai"),
    ]
    lines = [x for n, (prov, model, _) in enumerate(cases, 1) for x in rollout(n, prov, model)]
    con, res = _ingest(tmp_path, "rollout-2025-10-02T09-00-00-0199a1b2.jsonl", lines)
    assert res.format == "codex" and res.quarantined == 0, res.reject_reasons
    rows = _rows(con)
    assert [r["platform"] for r in rows] == [want for _, _, want in cases]
    assert [r["tags"].get("model_provider") for r in rows] == [p for p, _, _ in cases[:-1]] + [None]
    pricing.install(con, pricing.load(ROOT / "pricing"))
    db.create_views(con)
    local = con.execute(
        "select price_status, cost_usd from priced_usage where platform in ('ollama', 'lmstudio')"
    ).fetchall()
    assert local == [("unpriced_model", None)] * 4
    billed = con.execute("select price_status from priced_usage where platform = 'openai'").fetchall()
    assert billed == [("priced",)]


# ------------------------------------------------------------------ Gemini streams without responseId


def _gchunk(text: str, usage: dict[str, int], finish: str | None = None) -> dict[str, Any]:
    cand: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return {"candidates": [cand], "usageMetadata": usage, "modelVersion": "gemini-1.5-flash-002"}


def test_gemini_stream_without_response_id_counts_its_last_chunk(tmp_path: Path) -> None:
    """streamGenerateContent (REST, no alt=sse) returns a JSON array of chunks; API versions before responseId
    repeat a CUMULATIVE usageMetadata on each: the stream is one call, its last chunk. Finished responses in a
    row (same prompt) are separate calls; a blocked response (no candidates) is never taken for a chunk."""
    u = {"promptTokenCount": 104}
    chunks = [
        _gchunk("The", u | {"candidatesTokenCount": 1, "totalTokenCount": 105}),
        _gchunk(" quick", u | {"candidatesTokenCount": 24, "totalTokenCount": 128}),
        _gchunk(" fox.", u | {"candidatesTokenCount": 34, "totalTokenCount": 138}, finish="STOP"),
    ]
    con, res = _ingest(tmp_path, "stream.json", json.dumps(chunks, indent=2))
    assert res.format == "gemini" and res.quarantined == 0, res.reject_reasons
    assert res.calls == 1 and sum(res.skip_reasons.values()) == 2
    (row,) = _rows(con)
    assert _buckets(row) == (104, 0, 0, 0, 34, 0)

    done = u | {"candidatesTokenCount": 34, "totalTokenCount": 138}
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": u | {"totalTokenCount": 104},
        "modelVersion": "gemini-1.5-flash-002",
    }
    lines = [_gchunk("a", done, "STOP"), _gchunk("b", done, "STOP"), blocked, _gchunk("c", done, "STOP")]
    (tmp_path / "calls").mkdir()
    _, res = _ingest(tmp_path / "calls", "calls.jsonl", lines)
    assert res.calls == 4 and res.quarantined == 0, res.reject_reasons

    # the same stream captured with alt=sse (`data:` lines)
    (tmp_path / "sse").mkdir()
    sse = "".join(f"data: {json.dumps(c)}\r\n\r\n" for c in chunks)
    con, res = _ingest(tmp_path / "sse", "stream.sse", sse)
    assert res.calls == 1 and res.quarantined == 0 and _buckets(_rows(con)[0]) == (104, 0, 0, 0, 34, 0)


# ------------------------------------------------------------------ batch output files (Gemini API, Vertex, Bedrock)
# Shapes (sources cited in finops/ingest/gemini_batch.py and bedrock_batch.py): Gemini API Batch Mode results
# (ai.google.dev batch-api page; google-gemini/cookbook quickstarts/Batch_mode.ipynb prints a real results file),
# Vertex AI predictions.jsonl (GoogleCloudPlatform/generative-ai intro_batch_prediction.ipynb "Example output"),
# Bedrock `<input>.jsonl.out` (AWS Bedrock user guide, batch-inference-results.html).

_GEMINI_USAGE = {  # 1,000 prompt tokens of which 400 cached, 200 candidates, 300 thoughts
    "promptTokenCount": 1000,
    "candidatesTokenCount": 200,
    "thoughtsTokenCount": 300,
    "cachedContentTokenCount": 400,
    "totalTokenCount": 1500,
    "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1000}],
    "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 400}],
}


def _gemini_response(rid: str | None, model: str = "gemini-2.5-flash", usage: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "…"}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": usage or _GEMINI_USAGE,
        "modelVersion": model,
    }
    if rid is not None:
        body["responseId"] = rid
    return body


def _priced(con: Any) -> list[tuple[Any, ...]]:
    pricing.install(con, pricing.load(ROOT / "pricing"))
    db.create_views(con)
    return con.execute("select service_tier, price_status, cost_usd from priced_usage order by source_line").fetchall()


def test_gemini_api_batch_results_are_batch_tier_and_failed_requests_are_not_billed(tmp_path: Path) -> None:
    """Gemini API Batch Mode results file: `{"response": …, "key": …}` lines (Batch_mode.ipynb), a
    google.rpc.Status `error` line (the batch-api page's retrieval sample), and inline requests' `metadata`.
    Before gemini.batch these lines were read as logged `gemini` responses: standard tier (2x the batch
    price) and the error line skipped as 'response without usageMetadata'."""
    lines = [
        {"response": _gemini_response("6VFkaIDwEPXVjMcP4-XW6Qo"), "key": "request_1"},
        {"key": "request_2", "error": {"code": 400, "message": "Invalid argument.", "status": "INVALID_ARGUMENT"}},
        {"metadata": {"team": "search"}, "response": _gemini_response("7FFkaJK7EaWOjMcP-LvX2AQ")},
    ]
    at = datetime(2025, 8, 5, 12, tzinfo=UTC)
    con, res = _ingest(tmp_path, "batch-results.jsonl", lines, assume_time=at)
    assert res.format == "gemini.batch" and (res.calls, res.quarantined) == (2, 0)
    assert res.skip_reasons == {"failed batch request (not billed)": 1}
    rows = _rows(con)
    # cached inside the prompt, thoughts billed as output (the gemini convention)
    assert [_buckets(r) for r in rows] == [(600, 400, 0, 0, 500, 300)] * 2
    assert {(r["platform"], r["service_tier"], r["ts"], r["ts_source"]) for r in rows} == {
        ("gemini_api", "batch", at, "assumed")
    }
    assert rows[1]["tags"] == {"team": "search"}
    # google.toml gemini-2.5-flash from 2025-06-17: 0.30 in / 0.03 cache read / 2.50 out per 1M; the batch rule
    # for 2.5 models halves input and output and keeps cache reads at the standard rate (factors cache_read 1):
    # 600 x 0.15 + 400 x 0.03 + 500 x 1.25 = 90 + 12 + 625 = 727 per 1M
    assert _priced(con) == [("batch", "priced", Decimal("0.000727"))] * 2
    # a results file of bare responses (the API reference's "a single response per line") cannot be told from
    # logged responses: it is `gemini`, and --format gemini.batch reads it at the batch tier
    (tmp_path / "bare").mkdir()
    bare = [_gemini_response("8GGkaJK7EaWOjMcP-LvX2AQ"), {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}]
    _, res = _ingest(tmp_path / "bare", "bare.jsonl", bare)
    assert res.format == "gemini"
    (tmp_path / "forced").mkdir()
    con, res = _ingest(tmp_path / "forced", "bare.jsonl", bare, assume_time=at, format_name="gemini.batch")
    assert (res.calls, res.skip_reasons) == (1, {"failed batch request (not billed)": 1})
    assert _priced(con) == [("batch", "priced", Decimal("0.000727"))]


def test_vertex_batch_prediction_output_is_vertex_batch_dated_by_processed_time(tmp_path: Path) -> None:
    """Vertex AI predictions.jsonl: `{status: "", processed_time, request, response}`; a failed request has
    the error in `status` and no response (intro_batch_prediction.ipynb; the batch docs reserve `response`
    and `status` for the output). Before vertex.batch: read as `gemini`, platform gemini_api, standard tier,
    dated by the file's mtime, the failed line skipped as 'response without usageMetadata'."""
    request = {"contents": [{"role": "user", "parts": [{"text": "…"}]}], "generationConfig": {"temperature": 0.4}}
    ok = {
        "status": "",
        "processed_time": "2025-08-05T14:04:28.376+00:00",
        "request": request,
        "response": _gemini_response(None, "gemini-2.5-flash@default"),
    }
    failed = {"status": 'Bad Request: {"error": {"code": 400}}', "processed_time": "2025-08-05T14:04:29.1+00:00"}
    failed["request"] = request
    con, res = _ingest(tmp_path, "predictions.jsonl", [ok, failed])
    assert res.format == "vertex.batch" and (res.calls, res.quarantined, res.skipped) == (1, 0, 1)
    assert res.skip_reasons == {"failed batch request (not billed)": 1}
    (row,) = _rows(con)
    assert _buckets(row) == (600, 400, 0, 0, 500, 300)
    assert (row["platform"], row["service_tier"], row["model"]) == ("vertex", "batch", "gemini-2.5-flash")
    assert row["ts"] == datetime(2025, 8, 5, 14, 4, 28, 376000, tzinfo=UTC) and row["ts_source"] == "record"
    # vertex.toml inherits google.toml's batch rules: the same 727 per 1M as the Gemini API
    assert _priced(con) == [("batch", "priced", Decimal("0.000727"))]
    # the prompt and the answer are not stored; the line's other fields are
    extra = con.execute("select extra from usage").fetchone()
    assert extra is not None and json.loads(extra[0]) == {"status": "", "processed_time": ok["processed_time"]}


def _bedrock_claude(rid: str, mid: str) -> dict[str, Any]:
    usage = {"input_tokens": 1000, "cache_creation_input_tokens": 200, "cache_read_input_tokens": 3000}
    body = {"id": mid, "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022"}
    body |= {"content": [{"type": "text", "text": "…"}], "stop_reason": "end_turn", "stop_sequence": None}
    body["usage"] = usage | {"output_tokens": 100}
    return {"recordId": rid, "modelInput": {"anthropic_version": "bedrock-2023-05-31"}, "modelOutput": body}


def test_bedrock_batch_output_is_batch_and_lines_without_a_model_are_quarantined(tmp_path: Path) -> None:
    """Bedrock `<input>.jsonl.out`: `{recordId, modelInput, modelOutput}` or `error` in place of modelOutput
    (batch-inference-results.html, whose Titan example is used as is). Only Anthropic bodies name the model;
    the others (Titan, Nova, Llama) are quarantined with the reason, a body without counts too. Before
    bedrock.batch such files matched no format ('no known format': skipped whole)."""
    titan = {"recordId": "3223593EFGH", "modelInput": {"inputText": "Roses are red, violets are"}}
    titan["modelOutput"] = {
        "inputTextTokenCount": 8,
        "results": [{"tokenCount": 3, "outputText": "blue\n", "completionReason": "FINISH"}],
    }
    errored = {"recordId": "1223213ABCD", "modelInput": {"inputText": "Hello world"}}
    errored["error"] = {"errorCode": 400, "errorMessage": "bad request"}
    nova_body = {"output": {"message": {"role": "assistant", "content": [{"text": "…"}]}}, "stopReason": "end_turn"}
    nova_body["usage"] = {"inputTokens": 50, "outputTokens": 10, "totalTokens": 60}
    nova = {"recordId": "NOVA0000001", "modelInput": {"messages": []}, "modelOutput": nova_body}
    llama = {"recordId": "LLAMA000001", "modelInput": {"prompt": "…"}}
    llama["modelOutput"] = {"generation": "…", "prompt_token_count": 12, "generation_token_count": 7}
    mistral = {"recordId": "MISTRAL0001", "modelInput": {"prompt": "…"}, "modelOutput": {"outputs": [{"text": "…"}]}}
    lines = [_bedrock_claude("CALL0000001", "msg_bdrk_01Xq"), titan, errored, nova, llama, mistral]
    con, res = _ingest(tmp_path, "requests.jsonl.out", lines, assume_time=datetime(2025, 8, 5, tzinfo=UTC))
    assert res.format == "bedrock.batch" and (res.calls, res.skipped, res.quarantined) == (1, 1, 4)
    assert res.skip_reasons == {"failed batch record (not billed)": 1}
    q = con.execute("select source_line, reason from quarantine order by source_line").fetchall()
    no_model = "no model id: Bedrock batch output names its model only in Anthropic bodies"
    assert [line for line, _ in q] == [2, 4, 5, 6] and all(r.startswith(no_model) for _, r in q[:3])
    assert q[3][1] == "modelOutput without token counts"
    (row,) = _rows(con)
    # Anthropic convention: input_tokens excludes cache reads and writes
    assert _buckets(row) == (1000, 3000, 200, 0, 100, 0)
    assert (row["platform"], row["provider"], row["service_tier"]) == ("bedrock", "anthropic", "batch")
    # anthropic.toml claude-3-5-haiku from 2024-12-03 (bedrock.toml inherits it): 0.80 in, 0.08 cache read,
    # 1.00 cache write, 4.00 out per 1M; bedrock batch x 0.5: 1000 x 0.40 + 3000 x 0.04 + 200 x 0.50 + 100 x 2.00
    # = 400 + 120 + 100 + 200 = 820 per 1M
    assert _priced(con) == [("batch", "priced", Decimal("0.000820"))]


def test_batch_output_lines_are_claimed_by_one_format_and_app_logs_stay_gemini() -> None:
    """Each batch line shape is one format's; an application log that wraps a Gemini body in `response`
    beside a time (and tags under `metadata`) is still a logged `gemini` response; the Bedrock job's
    manifest.json.out (totals only) matches nothing."""
    gemini_line = {"response": _gemini_response("r1"), "key": "request-1"}
    vertex_line = {"status": "", "processed_time": "2025-08-05T14:04:28.376+00:00", "request": {}}
    vertex_line["response"] = _gemini_response(None)
    vertex_failed = {"status": "Bad Request", "processed_time": "2025-08-05T14:04:28Z", "request": {}}
    app_log = {"timestamp": "2025-08-05T14:04:28Z", "metadata": {"team": "a"}, "response": _gemini_response("r2")}
    manifest = {"totalRecordCount": 2, "processedRecordCount": 2, "successRecordCount": 1, "errorRecordCount": 1}
    manifest |= {"inputTokenCount": 1014, "outputTokenCount": 103}
    assert detect([gemini_line]) == ["gemini.batch"]
    assert detect([{"key": "request-2", "error": {"code": 400, "message": "x"}}]) == ["gemini.batch"]
    assert detect([vertex_line]) == detect([vertex_failed]) == ["vertex.batch"]
    assert detect([_bedrock_claude("CALL0000001", "msg_bdrk_01Xq")]) == ["bedrock.batch"]
    assert detect([app_log]) == detect([_gemini_response("r3")]) == ["gemini"]
    http_log = {"timestamp": "2025-08-05T14:04:28Z", "status": 200, "request": {}, "response": _gemini_response("r4")}
    assert detect([http_log]) == detect([http_log | {"status": "OK"}]) == ["gemini"]  # timed: not batch output
    assert detect([manifest], "document") == []


def test_batch_outputs_reingested_from_other_bytes_add_nothing_and_jobs_do_not_collide(tmp_path: Path) -> None:
    """A batch output downloaded again (the same lines, other bytes) stores nothing new; another job reusing
    the same request keys / record ids with other answers is stored in full (keys: responseId or the Anthropic
    message id, else a hash of the line, never the caller's `key` / `recordId`)."""
    request = {"contents": [{"role": "user", "parts": [{"text": "…"}]}]}

    def vertex(t: str, prompt: int) -> dict[str, Any]:
        usage = {"promptTokenCount": prompt, "candidatesTokenCount": 10, "totalTokenCount": prompt + 10}
        return {"status": "", "processed_time": t, "request": request, "response": _gemini_response(None, usage=usage)}

    jobs = {
        "gemini": (
            [{"key": "request-1", "response": _gemini_response("rA")}],
            [{"key": "request-1", "response": _gemini_response("rB")}],
        ),
        "vertex": ([vertex("2025-08-05T10:00:00.1Z", 100)], [vertex("2025-08-06T10:00:00.1Z", 100)]),
        "bedrock": ([_bedrock_claude("CALL0000001", "msg_bdrk_01A")], [_bedrock_claude("CALL0000001", "msg_bdrk_01B")]),
    }
    for name, (job1, job2) in jobs.items():
        d = tmp_path / name
        d.mkdir()
        text = "\n".join(json.dumps(x) for x in job1) + "\n"
        (d / "job1.jsonl").write_text(text)
        (d / "job1_again.jsonl").write_text(text + "\n")  # other bytes, the same lines
        (d / "job2.jsonl").write_text("\n".join(json.dumps(x) for x in job2) + "\n")
        con = db.connect(tmp_path / f"{name}.duckdb")
        first, again, other = ingest(con, [d / "job1.jsonl", d / "job1_again.jsonl", d / "job2.jsonl"]).files
        assert (first.calls, again.calls, again.duplicates, other.calls) == (1, 0, 1, 1), name
        assert ingest(con, [d / "job1.jsonl"]).files[0].status == "unchanged", name
        row = con.execute("select count(*), count(distinct dedupe_key) from usage").fetchone()
        assert row == (2, 2), name


# ------------------------------------------------------------------ Codex CLI rollouts of every generation


def test_codex_pre_envelope_rollout_is_recognised_and_has_no_usage(tmp_path: Path) -> None:
    """Codex CLI rollouts of mid 2025 (before `session_meta` and the `{timestamp, type, payload}` envelope) start
    with a bare header `{id, timestamp, instructions, git?}`, then `{"record_type": "state"}` markers and bare
    response items (`{type: message, role, content}`, `reasoning`, `function_call`). They recorded no
    token_count events, so they hold no usage: the file is a Codex rollout (not "no known format"), every line
    skipped with a reason that says why, nothing quarantined. Shape: codex-rs RolloutRecorder of that time, as
    parsed by session viewers (e.g. Sinity/polylogue docs/providers: "Direct" and "Legacy" generations)."""
    lines = [
        {
            "id": "c27a914d-1b2c-4d5e-8f90-0123456789ab",
            "timestamp": "2025-06-20T13:20:47.060Z",
            "instructions": None,
            "git": {"commit_hash": "9f1e2d3", "branch": "main"},
        },
        {"record_type": "state"},
        {"type": "message", "id": None, "role": "user", "content": [{"type": "input_text", "text": "list files"}]},
        {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "opaque"},
        {"type": "function_call", "id": "fc_1", "name": "shell", "arguments": '{"command":["ls"]}', "call_id": "c1"},
        {"type": "function_call_output", "call_id": "c1", "output": '{"output":"a.txt"}'},
        {"type": "message", "id": "msg_1", "role": "assistant", "content": [{"type": "output_text", "text": "a.txt"}]},
        {"record_type": "state"},
    ]
    _con, res = _ingest(tmp_path, "rollout-2025-06-20T13-20-47-c27a914d.jsonl", lines)
    assert res.format == "codex"
    assert res.calls == 0 and res.quarantined == 0, res.reject_reasons
    assert res.skip_reasons == {
        "Codex rollout written before token_count events (pre-envelope, 2025): no token usage recorded": 8
    }


def test_codex_fork_copying_its_parents_history_is_not_counted_twice(tmp_path: Path) -> None:
    """A forked Codex thread (codex-rs `InitialHistory::Forked`: "persist all rollout items as-is"; rollout
    policy: session_meta always persisted; the recorder stamps each line as it writes it) starts with its own
    session_meta, then a copy of the parent's items: the parent's session_meta and token_count events, stamped
    with the time of the fork; then its own calls, whose totals continue from the copied ones. The copied
    events are the parent's calls: stored once. The fork's own call counts its delta and is tagged with the
    fork's own session id."""

    def tc(ts: str, total: tuple[int, int, int, int], last: tuple[int, int, int, int]) -> dict[str, Any]:
        def u(t: tuple[int, int, int, int]) -> dict[str, int]:
            names = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens")
            return {**dict(zip(names, t, strict=True)), "total_tokens": t[0] + t[2]}

        info = {"total_token_usage": u(total), "last_token_usage": u(last), "model_context_window": 272000}
        return {"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": info}}

    def meta(ts: str, sid: str, **kw: Any) -> dict[str, Any]:
        payload = {"id": sid, "timestamp": ts, "cwd": "/home/dev/api", "originator": "codex_cli_rs", **kw}
        return {"timestamp": ts, "type": "session_meta", "payload": {**payload, "cli_version": "0.60.1"}}

    def ctx(ts: str) -> dict[str, Any]:
        return {"timestamp": ts, "type": "turn_context", "payload": {"cwd": "/home/dev/api", "model": "gpt-5.1-codex"}}

    parent_id, fork_id = "019a1b00-0000-7000-8000-00000000000a", "019a1b09-0000-7000-8000-00000000000b"
    copied_at = "2025-11-20T09:30:00.120Z"
    parent = [
        meta("2025-11-20T09:00:00.000Z", parent_id),
        ctx("2025-11-20T09:00:01.000Z"),
        tc("2025-11-20T09:00:09.000Z", (1000, 100, 200, 20), (1000, 100, 200, 20)),
        tc("2025-11-20T09:01:30.000Z", (1600, 300, 450, 40), (600, 200, 250, 20)),
    ]
    fork = [
        meta("2025-11-20T09:30:00.100Z", fork_id, forked_from_id=parent_id),
        *[{**line, "timestamp": copied_at} for line in parent],  # the copy, stamped at the fork
        ctx("2025-11-20T09:30:05.000Z"),
        tc("2025-11-20T09:30:20.000Z", (2300, 900, 500, 50), (700, 600, 50, 10)),
    ]
    files = [("rollout-2025-11-20T09-00-00-a.jsonl", parent), ("rollout-2025-11-20T09-30-00-b.jsonl", fork)]
    con, res = _ingest_files(tmp_path, files)
    assert [(f.format, f.calls, f.duplicates) for f in res.files] == [("codex", 2, 0), ("codex", 1, 2)]
    got = con.execute(
        "select input_uncached, cache_read, output, reasoning, tags['session'] from usage order by ts"
    ).fetchall()
    assert got == [
        (900, 100, 200, 20, parent_id),
        (400, 200, 250, 20, parent_id),
        (100, 600, 50, 10, fork_id),
    ]
