"""Gateways, clouds and agents (issue 4): Bedrock Converse and invocation logs, Bedrock/Azure variants of the
provider formats, OpenRouter, OpenAI-compatible hosts, Codex CLI, LiteLLM, Langfuse, Helicone, OpenTelemetry.

Per format: a golden test of its token convention on realistic records (ugly ones included), its dedupe
rule, and its detection; plus one test that exactly one format claims each sample file."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops import db
from finops.ingest import FORMATS, FileResult, detect, ingest
from finops.ingest._base import inspect

from .conftest import SAMPLES

COLS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")
SECRET = "SECRET-PROMPT-TEXT"
SONNET4_PROFILE = (
    "us.anthropic.claude-sonnet-4-20250514-v1:0"  # message content: must never reach the store outside quarantine
)


def write(tmp_path: Path, name: str, records: list[Any] | str | bytes, *, bom: bool = False) -> Path:
    path = tmp_path / name
    if isinstance(records, bytes):
        data = records
    elif isinstance(records, str):
        data = records.encode()
    else:
        data = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in records).encode() + b"\n"
    if bom:
        data = b"\xef\xbb\xbf" + data
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def run(tmp_path: Path, *paths: Path, **kw: Any) -> tuple[duckdb.DuckDBPyConnection, list[FileResult]]:
    con = db.connect(tmp_path / "t.duckdb")
    return con, ingest(con, list(paths), **kw).files


def rows(con: duckdb.DuckDBPyConnection, where: str = "true") -> list[dict[str, Any]]:
    cur = con.execute(f"select * from usage where {where} order by source_file, source_line")
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def buckets(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[c] for c in COLS)


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    return [(int(a), b) for a, b in con.execute("select source_line, reason from quarantine order by 1").fetchall()]


def no_content_stored(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute("select count(*) from usage where contains(cast(extra as varchar), ?)", [SECRET]).fetchone()
    assert row is not None and row[0] == 0
    row = con.execute("select count(*) from usage where extra is not null").fetchone()
    assert row is not None and row[0] > 0


def test_every_new_format_is_registered() -> None:
    names = {
        "bedrock.converse",
        "bedrock.invocation_log",
        "openrouter",
        "codex",
        "litellm",
        "langfuse",
        "helicone",
        "otel",
    }
    assert names <= set(FORMATS)


# ------------------------------------------------------------------ Bedrock Converse


def converse(usage: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": SECRET}]}},
        "stopReason": "end_turn",
        "usage": usage,
        "metrics": {"latencyMs": 812},
        **extra,
    }


def test_bedrock_converse_cache_spellings_are_read_once_and_ttl_split(tmp_path: Path) -> None:
    both = {
        "inputTokens": 3,
        "outputTokens": 121,
        "totalTokens": 2072,
        "cacheReadInputTokens": 1712,
        "cacheWriteInputTokens": 236,
        "cacheReadInputTokenCount": 1712,  # the same counts again under the other spelling: never added
        "cacheWriteInputTokenCount": 236,
        "cacheDetails": [{"inputTokens": 200, "ttl": "1h"}, {"inputTokens": 36, "ttl": "5m"}],
    }
    only_count = {
        "inputTokens": 50,
        "outputTokens": 9,
        "cacheReadInputTokenCount": 900,
        "cacheWriteInputTokenCount": 40,
    }
    plain = {"inputTokens": 812, "outputTokens": 96, "totalTokens": 908}
    lines: list[Any] = [
        {
            "timestamp": "2025-07-01T10:00:00Z",
            "modelId": "us.anthropic.claude-sonnet-4-20250514-v1:0",
            "requestId": "r-1",
            "tags": {"team": "search"},
            "response": converse(both),
        },
        {
            "created_at": "2025-07-01T10:05:00Z",
            "model_id": "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "body": converse(only_count),
        },
        # boto3's dump with the model id added: time from the HTTP date header, id from ResponseMetadata
        converse(
            plain,
            modelId="amazon.nova-pro-v1:0",
            ResponseMetadata={"RequestId": "r-3", "HTTPHeaders": {"date": "Tue, 15 Jul 2025 10:00:00 GMT"}},
        ),
        converse(plain),  # no model anywhere: quarantined with a clear reason
        '{"modelId": "amazon.nova-pro-v1:0", "usage": {"inputTok',
    ]
    con, (res,) = run(tmp_path, write(tmp_path, "converse.jsonl", lines))
    assert res.format == "bedrock.converse"
    got = rows(con)
    assert [buckets(r) for r in got] == [(3, 1712, 36, 200, 121, 0), (50, 900, 40, 0, 9, 0), (812, 0, 0, 0, 96, 0)]
    assert [r["model"] for r in got] == ["claude-sonnet-4-20250514", "claude-3-5-sonnet-20240620", "nova-pro"]
    assert [r["provider"] for r in got] == ["anthropic", "anthropic", "amazon"]
    assert {r["platform"] for r in got} == {"bedrock"}
    assert got[0]["dedupe_key"] == "bedrock:r-1" and got[0]["tags"] == {"team": "search"}
    assert got[2]["ts"] == datetime(2025, 7, 15, 10, tzinfo=UTC) and got[2]["dedupe_key"] == "bedrock:r-3"
    assert quarantine(con) == [
        (4, "no model id (pass --format and wrap with modelId)"),
        (5, "malformed JSON (or not an object of this format)"),
    ]
    no_content_stored(con)


def test_bedrock_converse_and_invocation_log_share_the_request_id_key(tmp_path: Path) -> None:
    body = {"timestamp": "2025-07-01T10:00:00Z", "modelId": "amazon.nova-pro-v1:0", "requestId": "same-id"}
    a = write(tmp_path, "a.jsonl", [{**body, "response": converse({"inputTokens": 5, "outputTokens": 1})}] * 2)
    log = invocation("same-id", 5, 1)
    b = write(tmp_path, "b.jsonl", [log])
    _, res = run(tmp_path, a, b)
    assert [r.calls for r in res] == [1, 0] and [r.duplicates for r in res] == [1, 1]


def test_bedrock_converse_javascript_sdk_request_id_keys_the_call(tmp_path: Path) -> None:
    """The AWS SDK for JavaScript v3 returns the request id in `$metadata.requestId` (smithy ResponseMetadata:
    httpStatusCode, requestId, extendedRequestId, cfId, attempts, totalRetryDelay), not boto3's
    ResponseMetadata.RequestId: a logged JS response must get the key `bedrock:<id>`, the one its invocation log
    gets, or the call is counted twice."""
    meta = {"httpStatusCode": 200, "requestId": "7c1f-js", "attempts": 1, "totalRetryDelay": 0}
    body = converse({"inputTokens": 120, "outputTokens": 30, "totalTokens": 150}, **{"$metadata": meta})
    line = {"timestamp": "2025-08-15T15:29:08Z", "modelId": "amazon.nova-pro-v1:0", "response": body}
    a = write(tmp_path, "js.jsonl", [line])
    b = write(tmp_path, "inv.jsonl", [invocation("7c1f-js", 120, 30, modelId="amazon.nova-pro-v1:0")])
    con, res = run(tmp_path, a, b)
    assert [r.format for r in res] == ["bedrock.converse", "bedrock.invocation_log"]
    assert [(r.calls, r.duplicates) for r in res] == [(1, 0), (0, 1)]
    (row,) = rows(con)
    assert row["dedupe_key"] == "bedrock:7c1f-js" and row["request_id"] == "7c1f-js"


def test_bedrock_converse_snake_case_sdk_output_is_read(tmp_path: Path) -> None:
    """The Python SDK (aws-sdk-bedrock-runtime, smithy dataclasses: ConverseOutput.stop_reason, .usage, .metrics;
    TokenUsage.input_tokens, output_tokens, total_tokens, cache_read_input_tokens, cache_write_input_tokens,
    cache_details[CacheDetail(input_tokens, ttl)]) and the Ruby SDK's to_h write the same response in snake_case.
    Same counting (input excludes cache), the TTL split from cache_details; never taken for an Anthropic body."""
    usage = {
        "input_tokens": 12,
        "output_tokens": 300,
        "total_tokens": 2812,
        "cache_read_input_tokens": 2000,
        "cache_write_input_tokens": 500,
        "cache_details": [{"input_tokens": 400, "ttl": "1h"}, {"input_tokens": 100, "ttl": "5m"}],
    }
    body = {
        "output": {"message": {"role": "assistant", "content": [{"text": SECRET}]}},
        "stop_reason": "end_turn",
        "usage": usage,
        "metrics": {"latency_ms": 2210},
    }
    line = {"timestamp": "2025-08-15T15:29:08Z", "modelId": SONNET4_PROFILE, "requestId": "py-1", "response": body}
    path = write(
        tmp_path,
        "py_sdk.jsonl",
        [line, {**line, "requestId": "py-2", "response": {**body, "usage": {**usage, "cache_details": None}}}],
    )
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["bedrock.converse"]
    con, (res,) = run(tmp_path, path)
    assert res.calls == 2 and quarantine(con) == []
    assert [buckets(r) for r in rows(con)] == [(12, 2000, 100, 400, 300, 0), (12, 2000, 500, 0, 300, 0)]
    no_content_stored(con)


ROUTER = "arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1"
ROUTED = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"


def test_bedrock_prompt_router_calls_are_the_model_it_invoked(tmp_path: Path) -> None:
    """A call sent to a prompt router (its ARN as modelId) is billed as the model the router chose, which the response
    names in trace.promptRouter.invokedModelId (AWS Bedrock API reference: ConverseTrace.promptRouter,
    PromptRouterTrace.invokedModelId, a foundation-model or inference-profile ARN; a ConverseStream metadata event
    carries the same trace). The router stays as tag prompt_router. Converse bodies and invocation logs alike."""
    usage = {"inputTokens": 800, "outputTokens": 120, "totalTokens": 920}
    trace = {"promptRouter": {"invokedModelId": ROUTED}}
    env = {"timestamp": "2025-08-15T15:29:08Z", "modelId": ROUTER}
    lines = [
        {**env, "requestId": "pr-1", "response": converse(usage, trace=trace)},
        {**env, "requestId": "pr-2", "metadata": {"usage": usage, "metrics": {"latencyMs": 900}, "trace": trace}},
    ]
    log = invocation("pr-3", 800, 120, modelId=ROUTER)
    log["output"]["outputBodyJson"] = converse(usage, trace=trace)
    streamed = invocation("pr-4", 800, 120, modelId=ROUTER, operation="ConverseStream")
    streamed["output"]["outputBodyJson"] = [
        {"messageStart": {"role": "assistant"}},
        {"metadata": {"usage": usage, "metrics": {"latencyMs": 900}, "trace": trace}},
    ]
    con, res = run(tmp_path, write(tmp_path, "converse.jsonl", lines), write(tmp_path, "inv.jsonl", [log, streamed]))
    assert [(r.format, r.calls) for r in res] == [("bedrock.converse", 2), ("bedrock.invocation_log", 2)]
    got = rows(con)
    assert [r["request_id"] for r in got] == ["pr-1", "pr-2", "pr-3", "pr-4"]
    assert {(r["provider"], r["model"]) for r in got} == {("anthropic", "claude-3-5-haiku-20241022")}
    assert all(r["tags"]["prompt_router"] == ROUTER for r in got)
    assert {buckets(r) for r in got} == {(800, 0, 0, 0, 120, 0)}


def test_bedrock_converse_stream_counts_the_metadata_event_once(tmp_path: Path) -> None:
    """ConverseStream events as an application logs them, one per line (AWS Bedrock API reference,
    ConverseStreamOutput: messageStart, contentBlockStart, contentBlockDelta, contentBlockStop, messageStop, metadata;
    ConverseStreamMetadataEvent: usage (TokenUsage), metrics.latencyMs, serviceTier). Only `metadata` carries usage:
    one call per stream, the other events skipped (not quarantined), and the envelope's `metadata` key is not
    mistaken for tags when it is the stream's metadata event."""
    events: list[dict[str, Any]] = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": SECRET}, "contentBlockIndex": 0}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {
                "usage": {
                    "inputTokens": 25,
                    "outputTokens": 60,
                    "totalTokens": 1385,
                    "cacheReadInputTokens": 1200,
                    "cacheWriteInputTokens": 100,
                },
                "metrics": {"latencyMs": 1433},
                "serviceTier": {"type": "flex"},
            }
        },
    ]
    env = {"timestamp": "2025-08-15T15:29:08Z", "modelId": SONNET4_PROFILE}
    bare = [{**env, "requestId": "st-1", **e} for e in events]  # the event's key beside the envelope fields
    wrapped = [{**env, "requestId": "st-2", "tags": {"team": "search"}, "response": e} for e in events]
    con, (res,) = run(tmp_path, write(tmp_path, "stream.jsonl", bare + wrapped))
    assert res.format == "bedrock.converse"
    assert res.calls == 2 and res.skip_reasons == {"stream event without usage (ConverseStream)": 8}
    got = rows(con)
    assert [buckets(r) for r in got] == [(25, 1200, 100, 0, 60, 0)] * 2
    assert [r["dedupe_key"] for r in got] == ["bedrock:st-1", "bedrock:st-2"]
    assert [r["tags"] for r in got] == [{}, {"team": "search"}]
    assert {r["service_tier"] for r in got} == {"flex"}
    assert quarantine(con) == []
    no_content_stored(con)


# ------------------------------------------------------------------ Bedrock invocation logs


def invocation(rid: str, inp: int | None, out: int | None, **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": "2025-08-15T15:29:08Z",
        "accountId": "123456789012",
        "identity": {"arn": "arn:aws:sts::123456789012:assumed-role/search-ranker-task/session-7"},
        "region": "us-east-1",
        "inferenceRegion": "us-east-2",
        "requestId": rid,
        "operation": "Converse",
        "modelId": f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{SONNET4_PROFILE}",
        "requestMetadata": {"team": "search", "project": "ranker"},
        "input": {"inputContentType": "application/json", "inputBodyJson": {"messages": [{"content": SECRET}]}},
        "output": {"outputContentType": "application/json"},
    }
    if inp is not None:
        rec["input"]["inputTokenCount"] = inp
    if out is not None:
        rec["output"]["outputTokenCount"] = out
    rec.update(kw)
    return rec


def test_bedrock_invocation_log_counts_tags_and_non_billable(tmp_path: Path) -> None:
    cached = invocation("a", 40, 20)
    cached["input"].update(cacheReadInputTokenCount=1000, cacheWriteInputTokenCount=300)
    cached["output"]["outputBodyJson"] = {  # an InvokeModel Anthropic body: the TTL split of the writes
        "id": "msg_bdrk_01",
        "type": "message",
        "content": [{"type": "text", "text": SECRET}],
        "usage": {
            "input_tokens": 40,
            "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 200},
        },
    }
    guardrail = invocation("g", None, None)
    del guardrail["inferenceRegion"]
    guardrail["output"]["outputBodyJson"] = {
        "amazon-bedrock-guardrailAction": "INTERVENED",
        "stopReason": "guardrail_intervened",
    }
    throttled = invocation("t", None, None, errorCode="ThrottlingException")
    embed = invocation(
        "e", 321, None, modelId="amazon.titan-embed-text-v2:0", identity={"arn": "arn:aws:iam::1:user/alice"}
    )
    no_counts_in_top = invocation("b", None, None)  # counts only inside the (Converse) output body
    no_counts_in_top["output"]["outputBodyJson"] = {
        "usage": {"inputTokens": 7, "outputTokens": 3, "cacheReadInputTokens": 2}
    }
    lines = [cached, guardrail, throttled, embed, no_counts_in_top, cached, invocation("x", None, 5)]
    con, (res,) = run(tmp_path, write(tmp_path, "s3.jsonl.gz", lines))
    assert res.format == "bedrock.invocation_log"
    got = {r["request_id"]: r for r in rows(con)}
    assert [buckets(got[k]) for k in "aeb"] == [(40, 1000, 100, 200, 20, 0), (321, 0, 0, 0, 0, 0), (7, 2, 0, 0, 3, 0)]
    first = got["a"]
    assert first["model"] == "claude-sonnet-4-20250514" and first["provider"] == "anthropic"
    assert first["region"] == "us-east-2" and first["dedupe_key"] == "bedrock:a"
    assert first["tags"] == {
        "account": "123456789012",
        "role": "search-ranker-task",
        "session": "session-7",
        "team": "search",
        "project": "ranker",
    }
    assert got["e"]["tags"]["user"] == "alice" and got["e"]["provider"] == "amazon"
    assert res.skip_reasons == {
        "guardrail intervened: no tokens": 1,
        "failed call (ThrottlingException): no tokens": 1,
    }
    assert res.duplicates == 1 and quarantine(con) == [(7, "no input.inputTokenCount")]
    no_content_stored(con)


def test_bedrock_cloudwatch_wrappers_are_unwrapped(tmp_path: Path) -> None:
    def msg(rid: str) -> str:
        return json.dumps(invocation(rid, 10, 2))

    console = [{"@timestamp": "2025-08-15 15:29:08.000", "@message": msg("c1"), "@log": "1:/aws/bedrock"}]
    console.append({"@timestamp": "2025-08-15 15:29:09.000", "@message": msg("c2")})
    insights = {
        "status": "Complete",
        "statistics": {"recordsMatched": 2.0},
        "results": [
            [{"field": "@timestamp", "value": "2025-08-15 15:29:08.000"}, {"field": "@message", "value": msg("c1")}],
            [  # a `fields` query: no @message, dotted names, numbers as text
                {"field": "schemaType", "value": "ModelInvocationLog"},
                {"field": "requestId", "value": "i2"},
                {"field": "modelId", "value": "meta.llama3-3-70b-instruct-v1:0"},
                {"field": "timestamp", "value": "2025-08-15T10:00:00Z"},
                {"field": "input.inputTokenCount", "value": "33"},
                {"field": "output.outputTokenCount", "value": "7"},
                {"field": "requestMetadata.team", "value": "platform"},
            ],
        ],
    }
    events = {"events": [{"timestamp": 1755271748000, "message": msg("e1"), "ingestionTime": 1755271749000}]}
    a = write(tmp_path, "console.json", json.dumps(console, indent=4), bom=True)
    b = write(tmp_path, "insights.json", json.dumps(insights, indent=4), bom=True)
    c = write(tmp_path, "events.json", json.dumps(events))
    for p in (a, b, c):
        box = inspect(p)
        assert detect(box.sample, box.kind) == ["bedrock.invocation_log"], p.name
    con, res = run(tmp_path, a, b, c)
    assert [(r.calls, r.duplicates) for r in res] == [(2, 0), (1, 1), (1, 0)]
    llama = rows(con, "dedupe_key = 'bedrock:i2'")[0]
    assert buckets(llama) == (33, 0, 0, 0, 7, 0) and llama["tags"] == {"team": "platform"}
    assert llama["provider"] == "meta" and llama["model"] == "llama3-3-70b-instruct"


def test_bedrock_logs_insights_table_downloaded_as_csv(tmp_path: Path) -> None:
    """The CloudWatch console downloads a Logs Insights result table as CSV: the query's fields as columns
    (`fields @timestamp, @message, @logStream, @log` by default), the record JSON in `@message`, quoted with doubled
    quotes. Its rows are the records (line numbers of the CSV); a row with a cut @message is quarantined there."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["@timestamp", "@message", "@logStream", "@log"])
    for rid in ("q1", "q2"):
        out.writerow(
            [
                "2025-08-15 15:29:08.000",
                json.dumps(invocation(rid, 10, 2)),
                "aws/bedrock/modelinvocations",
                "1:/aws/bedrock",
            ]
        )
    out.writerow(["2025-08-15 15:29:09.000", json.dumps(invocation("q3", 10, 2))[:80], "s", "1:/aws/bedrock"])
    path = write(tmp_path, "logs-insights-results.csv", buf.getvalue())
    box = inspect(path)
    assert box.kind == "csv" and detect(box.sample, box.kind) == ["bedrock.invocation_log"]
    con, (res,) = run(tmp_path, path)
    assert res.format == "bedrock.invocation_log" and res.calls == 2
    assert [(r["request_id"], r["source_line"], buckets(r)) for r in rows(con)] == [
        ("q1", 2, (10, 0, 0, 0, 2, 0)),
        ("q2", 3, (10, 0, 0, 0, 2, 0)),
    ]
    assert quarantine(con) == [(4, "malformed JSON (or not an object of this format)")]


def test_bedrock_cloudwatch_subscription_payloads_are_unwrapped(tmp_path: Path) -> None:
    """What a CloudWatch Logs subscription filter sends to Firehose / Lambda: `{"messageType": "DATA_MESSAGE",
    "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id", "timestamp", "message"}]}` (AWS
    Powertools CloudWatchLogsDecode schema; boto3 put_subscription_filter: gzip-compressed payloads). Firehose writes
    the payloads to S3 back to back (no separator) or one per line; a CONTROL_MESSAGE holds no log events."""

    def payload(*rids: str, kind: str = "DATA_MESSAGE") -> dict[str, Any]:
        events = [
            {"id": f"3695{i}", "timestamp": 1755271748000, "message": json.dumps(invocation(r, 10, 2))}
            for i, r in enumerate(rids)
        ]
        return {
            "messageType": kind,
            "owner": "123456789012",
            "logGroup": "/aws/bedrock/modelinvocations",
            "logStream": "aws/bedrock/modelinvocations",
            "subscriptionFilters": ["to-firehose"],
            "logEvents": events,
        }

    control = payload(kind="CONTROL_MESSAGE")
    control["logEvents"] = [{"id": "", "timestamp": 1755271748000, "message": "CWL CONTROL MESSAGE: Checking health"}]
    back_to_back = "".join(json.dumps(x) for x in (control, payload("f1", "f2"), payload("f3")))
    a = write(tmp_path, "firehose-1-2025-08-15-15-29-08", back_to_back.encode())
    b = write(tmp_path, "firehose-2.jsonl.gz", [payload("l1"), payload("l2", "f1")])
    for path in (a, b):
        box = inspect(path)
        assert detect(box.sample, box.kind) == ["bedrock.invocation_log"], path.name
    con, res = run(tmp_path, a, b)
    assert [(r.format, r.calls, r.duplicates) for r in res] == [
        ("bedrock.invocation_log", 3, 0),
        ("bedrock.invocation_log", 2, 1),
    ]
    got = rows(con)
    assert [r["request_id"] for r in got] == ["f1", "f2", "f3", "l1", "l2"]
    assert [r["source_line"] for r in got[3:]] == [1, 2]  # a JSONL payload's events keep the file's line
    assert {buckets(r) for r in got} == {(10, 0, 0, 0, 2, 0)} and quarantine(con) == []


def test_bedrock_streamed_invocations_read_usage_from_the_event_array(tmp_path: Path) -> None:
    """Streamed calls log `output.outputBodyJson` as an array of the stream's events (reference log_formats.md §3.12).
    The cache-write TTL split is only there: Converse `metadata.usage.cacheDetails` (TokenUsage.cacheDetails, AWS
    Bedrock API reference: "Detailed breakdown of cache writes by TTL", 1h before 5m) and an Anthropic stream's
    `message_start.message.usage.cache_creation`; a stream whose top-level counts are missing takes them from its
    Converse metadata event."""
    usage = {
        "inputTokens": 40,
        "outputTokens": 90,
        "totalTokens": 1430,
        "cacheReadInputTokens": 1000,
        "cacheWriteInputTokens": 300,
        "cacheDetails": [{"inputTokens": 200, "ttl": "1h"}, {"inputTokens": 100, "ttl": "5m"}],
    }
    converse_events = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"delta": {"text": SECRET}, "contentBlockIndex": 0}},
        {"messageStop": {"stopReason": "end_turn"}},
        {"metadata": {"usage": usage, "metrics": {"latencyMs": 2100}}},
    ]
    cs = invocation("cs", 40, 90, operation="ConverseStream")
    cs["input"].update(cacheReadInputTokenCount=1000, cacheWriteInputTokenCount=300)
    cs["output"]["outputBodyJson"] = converse_events
    bare = invocation("cs-no-counts", None, None, operation="ConverseStream")  # counts only in the events
    bare["output"]["outputBodyJson"] = converse_events
    # message_start's usage: input and cache counts final, output a placeholder (the final one is in message_delta)
    start_usage: dict[str, Any] = {"input_tokens": 40, "output_tokens": 1, "cache_read_input_tokens": 1000}
    start_usage["cache_creation_input_tokens"] = 300
    start_usage["cache_creation"] = {"ephemeral_5m_input_tokens": 50, "ephemeral_1h_input_tokens": 250}
    anthropic_events = [
        {
            "type": "message_start",
            "message": {"id": "msg_bdrk_01S", "model": "claude-sonnet-4-20250514", "usage": start_usage},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": SECRET}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 90}},
        {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 40, "outputTokenCount": 90}},
    ]
    im = invocation("im", 40, 90, operation="InvokeModelWithResponseStream")
    im["input"].update(cacheReadInputTokenCount=1000, cacheWriteInputTokenCount=300)
    im["output"]["outputBodyJson"] = anthropic_events
    con, (res,) = run(tmp_path, write(tmp_path, "streams.jsonl", [cs, bare, im]))
    assert res.format == "bedrock.invocation_log" and res.calls == 3 and quarantine(con) == []
    got = {r["request_id"]: buckets(r) for r in rows(con)}
    assert got == {
        "cs": (40, 1000, 100, 200, 90, 0),
        "cs-no-counts": (40, 1000, 100, 200, 90, 0),
        "im": (40, 1000, 50, 250, 90, 0),
    }
    no_content_stored(con)


def test_bedrock_application_inference_profile_takes_the_model_from_the_body(tmp_path: Path) -> None:
    """An application inference profile ARN (`arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>`,
    AWS Bedrock user guide, inference profiles) does not name its model; an Anthropic InvokeModel body does (`model`,
    or `message_start.message.model` in a streamed body). Then the body's model is priced and the profile kept as a
    tag; a profile call without a body (text logging off, Converse bodies) stays unresolved, never guessed."""
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/k3x9q2m7w1z4"
    body = {
        "id": "msg_bdrk_01A",
        "type": "message",
        "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": SECRET}],
    }
    body["usage"] = {"input_tokens": 500, "output_tokens": 70}
    plain = invocation("p1", 500, 70, operation="InvokeModel", modelId=arn)
    plain["output"]["outputBodyJson"] = body
    streamed = invocation("p2", 500, 70, operation="InvokeModelWithResponseStream", modelId=arn)
    streamed["output"]["outputBodyJson"] = [
        {
            "type": "message_start",
            "message": {
                "id": "msg_bdrk_01B",
                "model": "claude-3-5-haiku-20241022",
                "usage": {"input_tokens": 500, "output_tokens": 1},
            },
        },
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 70}},
    ]
    hidden = invocation("p3", 500, 70, modelId=arn)  # no body
    con, (res,) = run(tmp_path, write(tmp_path, "app.jsonl", [plain, streamed, hidden]))
    assert res.calls == 3
    got = {r["request_id"]: r for r in rows(con)}
    assert [got[k]["model"] for k in ("p1", "p2")] == ["claude-3-5-haiku-20241022"] * 2
    assert [got[k]["provider"] for k in ("p1", "p2", "p3")] == ["anthropic", "anthropic", "unknown"]
    assert got["p1"]["tags"]["inference_profile"] == "k3x9q2m7w1z4"
    assert got["p3"]["model_raw"] == arn and "inference_profile" not in got["p3"]["tags"]


# ------------------------------------------------------------------ Bedrock InvokeModel (Anthropic) and Azure


def test_anthropic_body_from_bedrock_gets_platform_bedrock(tmp_path: Path) -> None:
    usage = {"input_tokens": 12, "output_tokens": 5, "cache_read_input_tokens": 3000, "cache_creation_input_tokens": 40}
    body = {"id": "msg_01X", "type": "message", "content": [{"type": "text", "text": SECRET}], "usage": usage}
    lines = [
        {"timestamp": "2025-06-01T00:00:00Z", "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0", "response": body},
        {
            "timestamp": "2025-06-01T00:01:00Z",
            "response": {**body, "id": "msg_bdrk_01Y", "model": "claude-3-5-haiku-20241022"},
        },
        {
            "timestamp": "2025-06-01T00:02:00Z",
            "response": {**body, "id": "msg_01Z", "model": "claude-3-5-haiku-20241022"},
        },
        {
            "timestamp": "2025-06-01T00:03:00Z",
            "modelId": "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
            "response": {**body, "id": "msg_bdrk_01W", "model": "claude-sonnet-4-20250514"},
        },
    ]
    con, (res,) = run(tmp_path, write(tmp_path, "invoke.jsonl", lines))
    got = rows(con)
    assert res.format == "anthropic.messages"
    assert [r["platform"] for r in got] == ["bedrock", "bedrock", "anthropic", "bedrock"]
    assert [r["model"] for r in got] == [
        "claude-3-5-sonnet-20240620",  # from the envelope's modelId: the body has none
        "claude-3-5-haiku-20241022",
        "claude-3-5-haiku-20241022",
        "claude-sonnet-4-20250514",
    ]
    assert buckets(got[0]) == (12, 3000, 40, 0, 5, 0) and {r["service_tier"] for r in got} == {"standard"}


def azure_chat(cid: str, **usage: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion",
        "created": 1746000000,
        "model": "gpt-4o-2024-11-20",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {"hate": {"filtered": False}}}],
        "choices": [{"index": 0, "message": {"content": SECRET}, "content_filter_results": {}}],
        "usage": {
            "prompt_tokens": 1000,
            "completion_tokens": 50,
            "prompt_tokens_details": {"cached_tokens": 256},
            **usage,
        },
    }


def test_azure_chat_and_responses_get_platform_azure_and_deployment(tmp_path: Path) -> None:
    url = "https://acme.openai.azure.com/openai/deployments/gpt4o-from-url/chat/completions?api-version=2024-10-21"
    chat = [
        {"timestamp": "2025-05-01T00:00:00Z", "deployment": "gpt4o-prod", "response": azure_chat("chatcmpl-A1")},
        {"timestamp": "2025-05-01T00:00:01Z", "url": url, "response": azure_chat("chatcmpl-A2")},
        {
            "id": "chatcmpl-O1",
            "object": "chat.completion",
            "created": 1746000000,
            "model": "gpt-4o-2024-08-06",
            "usage": {"prompt_tokens": 10, "completion_tokens": 2},
        },
    ]
    resp = {
        "id": "resp_az1",
        "object": "response",
        "created_at": 1746000000,
        "model": "o4-mini-2025-04-16",
        "content_filters": [{"blocked": False, "source_type": "prompt"}],
        "usage": {"input_tokens": 500, "output_tokens": 300, "output_tokens_details": {"reasoning_tokens": 256}},
    }
    con, res = run(tmp_path, write(tmp_path, "chat.jsonl", chat), write(tmp_path, "resp.json", json.dumps([resp])))
    assert [r.format for r in res] == ["openai.chat", "openai.responses"]
    got = rows(con)
    assert [(r["platform"], r["provider"]) for r in got] == [("azure", "openai")] * 2 + [
        ("openai", "openai"),
        ("azure", "openai"),
    ]
    assert [(r["tags"] or {}).get("deployment") for r in got] == ["gpt4o-prod", "gpt4o-from-url", None, None]
    assert buckets(got[0]) == (744, 256, 0, 0, 50, 0) and buckets(got[3]) == (500, 0, 0, 0, 300, 256)


# ------------------------------------------------------------------ OpenRouter


def openrouter(gid: str, model: str, **usage: Any) -> dict[str, Any]:
    return {
        "id": gid,
        "provider": "Amazon Bedrock",
        "model": model,
        "object": "chat.completion",
        "created": 1753000000,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": SECRET}}],
        "usage": usage,
    }


def test_openrouter_counts_cost_and_tags(tmp_path: Path) -> None:
    u = {
        "prompt_tokens": 5000,
        "completion_tokens": 400,
        "total_tokens": 5400,
        "cost": 0.01606,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 3000, "cache_write_tokens": 1200, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 120},
        "cost_details": {"upstream_inference_cost": None, "upstream_inference_prompt_cost": 0.0048},
        "server_tool_use_details": {"web_search_requests": 1},
    }
    byok = {"prompt_tokens": 100, "completion_tokens": 10, "cost": 2.6e-06, "is_byok": True}
    no_created = openrouter("gen-1753000123-Zb2", "openai/gpt-4o-mini", prompt_tokens=7, completion_tokens=1)
    del no_created["created"]
    lines = [
        openrouter("gen-1753000000-Aa1", "anthropic/claude-sonnet-4", **u),
        {
            "ts": "2025-07-20T08:00:00Z",
            "tags": {"team": "platform"},
            "response": openrouter("gen-1753000001-Bb1", "meta-llama/llama-3.3-70b-instruct", **byok),
        },
        no_created,
        openrouter("gen-1753000000-Aa1", "anthropic/claude-sonnet-4", **u),  # the same generation logged twice
    ]
    path = write(tmp_path, "or.jsonl", lines)
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["openrouter"]  # not openai.chat
    con, (res,) = run(tmp_path, path)
    got = sorted(rows(con), key=lambda r: str(r["request_id"]))  # a duplicate is stored from its last line
    assert res.duplicates == 1 and len(got) == 3
    assert buckets(got[0]) == (800, 3000, 1200, 0, 400, 120) and got[0]["web_searches"] == 1
    assert [r["provider"] for r in got] == ["anthropic", "meta", "openai"]
    assert {r["platform"] for r in got} == {"openrouter"}
    assert (
        got[0]["reported_cost"] == Decimal("0.016060000000") and got[0]["dedupe_key"] == "openrouter:gen-1753000000-Aa1"
    )
    assert got[0]["tags"] == {"upstream": "Amazon Bedrock", "byok": "false"}
    assert got[1]["tags"] == {"team": "platform", "upstream": "Amazon Bedrock", "byok": "true"}
    assert got[1]["reported_cost"] == Decimal("0.000002600000")
    assert got[2]["ts"] == datetime.fromtimestamp(1753000123, UTC) and got[2]["reported_cost"] is None
    no_content_stored(con)


def openrouter_stream(gid: str, model: str, usage: dict[str, Any] | None, deltas: int = 3) -> list[dict[str, Any]]:
    """An OpenRouter stream as logged: SSE payloads, every chunk with the id, provider and model; usage (when
    the request asked for it) on a last chunk with no choices."""
    head = {"id": gid, "provider": "Google Vertex", "model": model, "object": "chat.completion.chunk"}
    head |= {"created": 1753000200, "system_fingerprint": None}
    out = [
        head | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": SECRET}, "finish_reason": None}]}
        for _ in range(deltas)
    ]
    if usage is not None:
        out.append(head | {"choices": [], "usage": usage})
    return out


OR_STREAM_USAGE = {
    "prompt_tokens": 2000,
    "completion_tokens": 300,
    "total_tokens": 2300,
    "cost": 0.0013,
    "is_byok": False,
    "prompt_tokens_details": {"cached_tokens": 500, "cache_write_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 40},
    "cost_details": {"upstream_inference_cost": None},
}


def test_openrouter_stream_keeps_cost_and_upstream_and_counts_usage_once(tmp_path: Path) -> None:
    lines: list[Any] = [
        *openrouter_stream("gen-1753000200-Ss1", "google/gemini-2.5-flash", OR_STREAM_USAGE),
        "",
        *openrouter_stream("gen-1753000300-Ss2", "openai/gpt-4o-mini", None),  # usage not asked for
    ]
    no_meta = openrouter_stream("gen-1753000400-Ss3", "anthropic/claude-sonnet-4", {**OR_STREAM_USAGE, "cost": 0.02})
    for key in ("provider", "model", "created"):  # a client that logged the usage chunk bare: the stream has them
        del no_meta[-1][key]
    path = write(tmp_path, "or_stream.jsonl", lines + no_meta)
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["openrouter.stream"]  # not openai.chat_stream, not openrouter
    con, (res,) = run(tmp_path, path)
    assert res.format == "openrouter.stream" and res.calls == 2 and res.quarantined == 1
    assert "no usage chunk" in next(iter(res.reject_reasons))
    got = rows(con)
    assert [r["dedupe_key"] for r in got] == ["openrouter:gen-1753000200-Ss1", "openrouter:gen-1753000400-Ss3"]
    assert buckets(got[0]) == (1500, 500, 0, 0, 300, 40)  # OpenAI counting: cached inside prompt_tokens
    assert [r["reported_cost"] for r in got] == [Decimal("0.001300000000"), Decimal("0.020000000000")]
    assert [(r["provider"], r["platform"], r["model"]) for r in got] == [
        ("google", "openrouter", "gemini-2.5-flash"),
        ("anthropic", "openrouter", "claude-sonnet-4"),
    ]
    assert all(r["tags"] == {"upstream": "Google Vertex", "byok": "false"} for r in got)
    assert all(r["ts"] == datetime.fromtimestamp(1753000200, UTC) and r["ts_source"] == "record" for r in got)
    no_content_stored(con)


def test_openrouter_stream_and_response_of_one_generation_are_one_call(tmp_path: Path) -> None:
    """The same generation logged streamed (one app) and as a response (another) is stored once."""
    gid = "gen-1753000200-Dd1"
    stream = write(tmp_path, "stream.jsonl", openrouter_stream(gid, "google/gemini-2.5-flash", OR_STREAM_USAGE))
    body = openrouter(gid, "google/gemini-2.5-flash", **OR_STREAM_USAGE) | {"provider": "Google Vertex"}
    response = write(tmp_path, "response.jsonl", [body])
    con, results = run(tmp_path, stream, response)
    assert [(r.format, r.calls, r.duplicates) for r in results] == [("openrouter.stream", 1, 0), ("openrouter", 0, 1)]
    (row,) = rows(con)
    assert row["dedupe_key"] == f"openrouter:{gid}" and row["reported_cost"] == Decimal("0.001300000000")


def generation_stats(gid: str, model: str, **kw: Any) -> dict[str, Any]:
    """A `GET /api/v1/generation?id=` record's `data` (OpenRouter API reference, Get a generation)."""
    return {
        "id": gid,
        "upstream_id": "chatcmpl-791bcf62",
        "total_cost": 0.0015,
        "cache_discount": None,
        "upstream_inference_cost": None,
        "provider_name": "Anthropic",
        "created_at": "2025-07-20T08:00:03.433273+00:00",
        "model": model,
        "app_id": None,
        "streamed": True,
        "cancelled": False,
        "latency": 1250,
        "moderation_latency": None,
        "generation_time": 1200,
        "tokens_prompt": 4870,
        "tokens_completion": 390,
        "native_tokens_prompt": 5000,
        "native_tokens_completion": 400,
        "native_tokens_reasoning": 120,
        "native_tokens_cached": 3000,
        "native_tokens_completion_images": 0,
        "num_media_prompt": None,
        "num_search_results": None,
        "origin": "",
        "usage": 0.0015,
        "is_byok": False,
        "finish_reason": "stop",
        "native_finish_reason": "end_turn",
        "external_user": "user-123",
        "api_type": "completions",
        **kw,
    }


def test_openrouter_generation_stats_native_counts_and_total_cost(tmp_path: Path) -> None:
    """Generation stats, as saved from the API (`{"data": {...}}`), bare, or as the TypeScript SDK's camelCase object
    (GenerationResponseData: totalCost, nativeTokensPrompt, ...). The billed counts are `native_tokens_*` with the chat
    usage convention (cached inside the prompt, reasoning inside the completion; OpenRouter docs, Usage Accounting:
    counts "using the model's native tokenizer"), `tokens_*` (normalised) only without them; `total_cost` is the
    reported cost, exact; the key is the chat response's, so stats of a generation already logged add nothing."""
    camel = {
        "id": "gen-1753000002-Cc3",
        "totalCost": 0.00042,
        "createdAt": "2025-07-20T08:10:00+00:00",
        "model": "openai/gpt-4o-mini",
        "providerName": "OpenAI",
        "nativeTokensPrompt": 900,
        "nativeTokensCompletion": 50,
        "nativeTokensCached": 0,
        "isByok": True,
        "streamed": False,
    }
    normalized_only = generation_stats("gen-1753000003-Dd4", "meta-llama/llama-3.3-70b-instruct", total_cost="0.0001")
    for k in ("native_tokens_prompt", "native_tokens_completion", "native_tokens_reasoning", "native_tokens_cached"):
        normalized_only[k] = None
    lines = [
        {"data": generation_stats("gen-1753000000-Aa1", "anthropic/claude-sonnet-4")},
        camel,
        normalized_only,
        {"data": {"id": "gen-1753000004-Ee5", "total_cost": 0.0, "model": "openai/gpt-4o-mini"}},  # no counts
        {"error": {"message": "Generation not found", "code": 404}},  # asked before the stats were ready
    ]
    path = write(tmp_path, "generations.jsonl", lines)
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["openrouter.generation"]
    response = openrouter("gen-1753000000-Aa1", "anthropic/claude-sonnet-4", prompt_tokens=5000, completion_tokens=400)
    con, res = run(tmp_path, path, write(tmp_path, "responses.jsonl", [response]))
    assert [(r.format, r.calls, r.duplicates) for r in res] == [("openrouter.generation", 3, 0), ("openrouter", 0, 1)]
    got = {r["request_id"]: r for r in rows(con)}
    first = got["gen-1753000000-Aa1"]
    assert buckets(first) == (2000, 3000, 0, 0, 400, 120)
    assert (
        first["reported_cost"] == Decimal("0.001500000000") and first["dedupe_key"] == "openrouter:gen-1753000000-Aa1"
    )
    assert (first["provider"], first["platform"], first["model"]) == ("anthropic", "openrouter", "claude-sonnet-4")
    assert first["tags"] == {"upstream": "Anthropic", "byok": "false", "user": "user-123"}
    assert first["ts"] == datetime(2025, 7, 20, 8, 0, 3, 433273, tzinfo=UTC)
    assert buckets(got["gen-1753000002-Cc3"]) == (900, 0, 0, 0, 50, 0)
    assert got["gen-1753000002-Cc3"]["reported_cost"] == Decimal("0.000420000000")
    assert got["gen-1753000002-Cc3"]["tags"] == {"upstream": "OpenAI", "byok": "true"}
    assert buckets(got["gen-1753000003-Dd4"]) == (4870, 0, 0, 0, 390, 0)
    assert json.loads(got["gen-1753000003-Dd4"]["extra"])["token_counts"] == "normalized"
    assert quarantine(con) == [
        (4, "no native_tokens_prompt / tokens_prompt"),
        (5, "an error answer, no stats (fetch it again): Generation not found"),
    ]


def test_plain_openai_streams_stay_openai(tmp_path: Path) -> None:
    """A gen- id alone (other gateways use it too) does not make a stream OpenRouter's: it needs the
    upstream provider or usage.cost; OpenAI's own chunks stay with openai.chat_stream."""
    chunk = {"object": "chat.completion.chunk", "created": 1753000200, "model": "gpt-4o-mini-2024-07-18"}
    usage = {"prompt_tokens": 10, "completion_tokens": 2}
    for gid in ("chatcmpl-Pp1", "gen-1753000200-Pp2"):
        lines = [
            chunk | {"id": gid, "choices": [{"index": 0, "delta": {}}]},
            chunk | {"id": gid, "choices": [], "usage": usage},
        ]
        box = inspect(write(tmp_path, f"{gid}.jsonl", lines))
        assert detect(box.sample, box.kind) == ["openai.chat_stream"], gid


# ------------------------------------------------------------------ OpenAI-compatible hosts


def chat(cid: str, model: str, usage: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion", "created": 1748000000, "model": model, "usage": usage, **extra}


def test_openai_compatible_hosts_platform_provider_and_counts(tmp_path: Path) -> None:
    lines = [
        chat(
            "chatcmpl-g1",
            "llama-3.3-70b-versatile",
            {"queue_time": 0.02, "prompt_tokens": 900, "completion_tokens": 80},
            x_groq={"id": "req_01"},
        ),
        chat("chatcmpl-g2", "openai/gpt-oss-120b", {"queue_time": 0.05, "prompt_tokens": 90, "completion_tokens": 8}),
        # DeepSeek: hit + miss = prompt; the details object is missing on older responses
        chat(
            "ds-1",
            "deepseek-chat",
            {
                "prompt_tokens": 1000,
                "completion_tokens": 10,
                "prompt_cache_hit_tokens": 640,
                "prompt_cache_miss_tokens": 360,
            },
        ),
        chat(
            "ds-2",
            "deepseek-reasoner",
            {
                "prompt_tokens": 500,
                "completion_tokens": 900,
                "total_tokens": 1400,
                "prompt_tokens_details": {"cached_tokens": 128},
                "prompt_cache_hit_tokens": 128,
                "prompt_cache_miss_tokens": 372,
                "completion_tokens_details": {"reasoning_tokens": 700},
            },
        ),
        # xAI: reasoning OUTSIDE completion_tokens (total = prompt + completion + reasoning)
        chat(
            "x-1",
            "grok-3-mini",
            {
                "prompt_tokens": 32,
                "completion_tokens": 9,
                "total_tokens": 135,
                "prompt_tokens_details": {"cached_tokens": 6},
                "completion_tokens_details": {"reasoning_tokens": 94},
            },
        ),
        chat(
            "t-1", "meta-llama/Llama-3.3-70B-Instruct-Turbo", {"prompt_tokens": 50, "completion_tokens": 5}, prompt=[]
        ),
        chat("f-1", "accounts/fireworks/models/llama-v3p1-70b-instruct", {"prompt_tokens": 60, "completion_tokens": 6}),
        chat("m-1", "mistral-large-2411", {"prompt_tokens": 70, "completion_tokens": 7, "total_tokens": 77}),
        chat("vllm-1", "my-org/finetuned-7b", {"prompt_tokens": 80, "completion_tokens": 8}),
        chat(
            "chatcmpl-o1",
            "o3-2025-04-16",
            {
                "prompt_tokens": 100,
                "completion_tokens": 90,
                "total_tokens": 190,
                "completion_tokens_details": {"reasoning_tokens": 64},
            },
        ),
    ]
    con, (res,) = run(tmp_path, write(tmp_path, "compat.jsonl", lines))
    assert res.format == "openai.chat"
    got = {r["request_id"]: r for r in rows(con)}
    assert [(r["platform"], r["provider"]) for r in got.values()] == [
        ("groq", "meta"),
        ("groq", "openai"),
        ("deepseek", "deepseek"),
        ("deepseek", "deepseek"),
        ("xai", "xai"),
        ("together", "meta"),
        ("fireworks", "meta"),
        ("mistral", "mistral"),
        ("openai_compatible", "unknown"),
        ("openai", "openai"),
    ]
    assert buckets(got["ds-1"]) == (360, 640, 0, 0, 10, 0)
    assert buckets(got["ds-2"]) == (372, 128, 0, 0, 900, 700)
    assert buckets(got["x-1"]) == (26, 6, 0, 0, 103, 94)
    assert buckets(got["chatcmpl-o1"]) == (100, 0, 0, 0, 90, 64)  # OpenAI: reasoning stays inside


# ------------------------------------------------------------------ Codex CLI


def codex_line(kind: str, payload: dict[str, Any], ts: str = "2025-08-19T10:00:00.000Z") -> dict[str, Any]:
    return {"timestamp": ts, "type": kind, "payload": payload}


def token_count(
    total: tuple[int, int, int, int] | None, last: tuple[int, int, int, int] | None = None
) -> dict[str, Any]:
    def u(t: tuple[int, int, int, int]) -> dict[str, int]:
        return {
            "input_tokens": t[0],
            "cached_input_tokens": t[1],
            "output_tokens": t[2],
            "reasoning_output_tokens": t[3],
            "total_tokens": t[0] + t[2],
        }

    info = (
        None
        if total is None and last is None
        else {"total_token_usage": u(total) if total else None, "last_token_usage": u(last) if last else None}
    )
    return codex_line(
        "event_msg", {"type": "token_count", "info": info, "rate_limits": {"primary": {"used_percent": 4.0}}}
    )


def rollout(session: str, *events: dict[str, Any]) -> list[dict[str, Any]]:
    meta = {"id": session, "cwd": "/home/dev/webapp", "model_provider": "openai", "git": {"branch": "main"}}
    return [codex_line("session_meta", meta), *events]


def test_codex_counts_only_changes_of_the_cumulative_total(tmp_path: Path) -> None:
    def ctx(model: str) -> dict[str, Any]:
        return codex_line("turn_context", {"model": model, "cwd": "/home/dev/webapp"})

    lines = rollout(
        "s-1",
        token_count(None),  # a heartbeat before anything
        ctx("gpt-5"),
        codex_line(
            "response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": SECRET}]}
        ),
        token_count((1000, 0, 100, 64), (1000, 0, 100, 64)),
        token_count((1000, 0, 100, 64), (1000, 0, 100, 64)),  # re-emitted unchanged: not a call
        ctx("gpt-5-mini"),
        token_count((3500, 900, 300, 128), (2500, 900, 200, 64)),
        codex_line("event_msg", {"type": "agent_message", "message": SECRET}),
        token_count((3500, 900, 300, 128), (2500, 900, 200, 64)),
        token_count(None),
    )
    con, (res,) = run(tmp_path, write(tmp_path, "rollout-1.jsonl", lines))
    got = rows(con)
    assert res.format == "codex"
    assert [(r["model"], buckets(r)) for r in got] == [
        ("gpt-5", (1000, 0, 0, 0, 100, 64)),
        ("gpt-5-mini", (1600, 900, 0, 0, 200, 64)),  # delta of the totals: 2500 input of which 900 cached
    ]
    assert got[0]["tags"] == {"session": "s-1", "project": "webapp", "git_branch": "main"}
    assert {r["provider"] for r in got} == {"openai"} and {r["platform"] for r in got} == {"openai"}
    assert res.skip_reasons["token_count re-emitted with an unchanged total"] == 2
    assert res.skip_reasons["token_count without usage (info: null)"] == 2
    no_content_stored(con)


def test_codex_forks_resets_missing_model_and_copies(tmp_path: Path) -> None:
    ctx = codex_line("turn_context", {"model": "gpt-5"})
    forked = rollout(
        "s-2",
        ctx,
        token_count((90000, 80000, 5000, 0), (1200, 1000, 80, 0)),  # a fork starts at its parent's total: last only
        token_count((91500, 81000, 5100, 0), (1500, 1000, 100, 0)),
        token_count((700, 0, 40, 0), (700, 0, 40, 0)),  # the total went down (a reset): last again
    )
    no_model = rollout("s-3", token_count((10, 0, 1, 0), (10, 0, 1, 0)))
    a = write(tmp_path, "fork.jsonl", forked)
    b = write(
        tmp_path, "copy.jsonl", [*forked, {"timestamp": "2025-08-19T11:00:00Z", "type": "compacted", "payload": {}}]
    )
    c = write(tmp_path, "old.jsonl", no_model)
    con, res = run(tmp_path, a, b, c)
    assert [buckets(r) for r in rows(con, f"source_file = '{a}'")] == [
        (200, 1000, 0, 0, 80, 0),
        (500, 1000, 0, 0, 100, 0),
        (700, 0, 0, 0, 40, 0),
    ]
    assert (res[1].calls, res[1].duplicates) == (0, 3)  # the same session in another file: stored once
    assert res[2].reject_reasons == {"no model: no turn_context before this token_count (older Codex CLI)": 1}


# ------------------------------------------------------------------ LiteLLM


def spend_row(rid: str, **kw: Any) -> dict[str, Any]:
    usage = {
        "prompt_tokens": 2300,
        "completion_tokens": 120,
        "prompt_tokens_details": {"cached_tokens": 1800, "cache_creation_tokens": 300},
        "cache_read_input_tokens": 1800,
        "cache_creation_input_tokens": 300,
    }
    meta = {
        "user_api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "user_api_key_alias": "search-prod",
        "user_api_key_team_alias": "search",
        "spend_logs_metadata": {"project": "ranker"},
        "usage_object": json.dumps(usage),  # a JSON string inside the JSON string
    }
    row = {
        "request_id": rid,
        "call_type": "acompletion",
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "spend": 0.0123,
        "total_tokens": 2420,
        "prompt_tokens": 2300,
        "completion_tokens": 120,
        "startTime": "2025-05-24 09:20:46.847371",
        "model": "claude-3-7-sonnet-20250219",
        "model_group": "claude-sonnet",
        "custom_llm_provider": "anthropic",
        "user": "u-17",
        "metadata": json.dumps(meta),
        "cache_hit": "None",
        "request_tags": json.dumps(["prod", "ranker"]),
        "team_id": "0b7c2c61-1f3e-4f5e-9d67-1c2a3b4c5d6e",
        "end_user": "",
        "messages": json.dumps([{"role": "user", "content": SECRET}]),
        "response": json.dumps({"choices": [{"message": {"content": SECRET}}]}),
        "proxy_server_request": json.dumps({"messages": [{"content": SECRET}]}),
        "status": "success",
    }
    row.update(kw)
    return row


def test_litellm_spend_logs_string_in_string_and_conventions(tmp_path: Path) -> None:
    old_meta = json.dumps(
        {
            "usage_object": {
                "prompt_tokens": 5,
                "completion_tokens": 9,
                "cache_read_input_tokens": 1000,
                "cache_creation_input_tokens": 20,
            }
        }
    )
    rows_in = [
        spend_row("msg_01ABC"),
        # an older LiteLLM passed Anthropic's uncached input through: the cache counts exceed prompt_tokens
        spend_row("msg_01OLD", prompt_tokens=5, metadata=old_meta),
        spend_row(
            "chatcmpl-AZ", model="gpt-4o-2024-11-20", custom_llm_provider="azure", metadata="{}", prompt_tokens=900
        ),
        spend_row("chatcmpl-HIT", cache_hit="True", spend=0),
        spend_row("chatcmpl-FAIL", status="failure", spend=0),
    ]
    con, (res,) = run(tmp_path, write(tmp_path, "spend.json", json.dumps(rows_in, indent=2)))
    assert res.format == "litellm"
    got = {r["request_id"]: r for r in rows(con)}
    a = got["msg_01ABC"]
    assert buckets(a) == (200, 1800, 300, 0, 120, 0)
    assert a["dedupe_key"] == "anthropic:msg_01ABC" and a["reported_cost"] == Decimal("0.012300000000")
    assert a["ts"] == datetime(2025, 5, 24, 9, 20, 46, 847371, tzinfo=UTC)  # naive: UTC
    assert a["tags"] == {
        "project": "ranker",
        "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
        "api_key_alias": "search-prod",
        "team": "search",
        "team_id": "0b7c2c61-1f3e-4f5e-9d67-1c2a3b4c5d6e",
        "user": "u-17",
        "model_group": "claude-sonnet",
        "request_tags": "prod,ranker",
    }
    assert buckets(got["msg_01OLD"]) == (5, 1000, 20, 0, 120, 0)
    az = got["chatcmpl-AZ"]
    assert (az["platform"], az["provider"], az["dedupe_key"]) == ("azure", "openai", "openai:chatcmpl-AZ")
    assert res.skip_reasons == {"LiteLLM cache hit (no provider call)": 1, "failed call (not billed)": 1}
    no_content_stored(con)


def test_litellm_anthropic_cache_counting_of_each_release(tmp_path: Path) -> None:
    """LiteLLM's Anthropic `prompt_tokens` has counted the cache three ways over its releases
    (llms/anthropic/chat/transformation.py calculate_usage). The numbers below are the real ones of two
    public reports: BerriAI/litellm#13207 (v1.74.9: 88 fresh input, 120269 read, 21002 written, 4156 out,
    logged total 124513, so prompt 120357 = 88 + reads only) and BerriAI/litellm#11364 (v1.80.11: prompt
    98805 = 10 + 66360 read + 32435 written, with prompt_tokens_details.cache_creation_tokens)."""

    def row(rid: str, prompt: int, read: int, written: int, out: int, details: bool) -> dict[str, Any]:
        u: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": written,
            "prompt_tokens_details": {"cached_tokens": read},
        }
        if details:
            u["prompt_tokens_details"]["cache_creation_tokens"] = written
        meta = json.dumps({"usage_object": u, "user_api_key_alias": "agents"})
        return spend_row(rid, prompt_tokens=prompt, completion_tokens=out, total_tokens=prompt + out, metadata=meta)

    rows_in = [
        row("msg_01ReadsOnly", 120357, 120269, 21002, 4156, details=False),
        row("msg_01Both", 98805, 66360, 32435, 5120, details=True),
    ]
    path = write(tmp_path, "spend.json", json.dumps(rows_in))
    con, (res,) = run(tmp_path, path)
    got = {r["request_id"]: r for r in rows(con)}
    assert buckets(got["msg_01ReadsOnly"]) == (88, 120269, 21002, 0, 4156, 0)  # was 120357 fresh input
    assert buckets(got["msg_01Both"]) == (10, 66360, 32435, 0, 5120, 0)
    assert res.calls == 2 and quarantine(con) == []


def test_litellm_payload_and_provider_log_are_one_call(tmp_path: Path) -> None:
    provider_log = write(
        tmp_path,
        "a_provider.jsonl",
        [
            chat(
                "chatcmpl-P1",
                "llama-3.3-70b-versatile",
                {"prompt_tokens": 700, "completion_tokens": 80},
                x_groq={"id": "r"},
            )
        ],
    )
    payload = {
        "id": "chatcmpl-P1",
        "call_type": "completion",
        "status": "success",
        "custom_llm_provider": "groq",
        "startTime": 1748000000.25,
        "model": "llama-3.3-70b-versatile",
        "response_cost": 0.00042,
        "prompt_tokens": 700,
        "completion_tokens": 80,
        "metadata": {"user_api_key_hash": "abc", "user_api_key_team_alias": "support", "spend_logs_metadata": None},
        "request_tags": ["a"],
        "hidden_params": {"litellm_model_name": "groq/llama-3.3-70b-versatile"},
        "model_map_information": {},
        "response": {
            "id": "chatcmpl-P1",
            "choices": [{"message": {"content": SECRET}}],
            "usage": {"prompt_tokens": 700, "completion_tokens": 80, "prompt_tokens_details": {"cached_tokens": 100}},
        },
        "messages": [{"role": "user", "content": SECRET}],
    }
    second = {**payload, "id": "msg_01Q", "custom_llm_provider": "anthropic", "model": "claude-3-5-haiku-20241022"}
    con, res = run(tmp_path, provider_log, write(tmp_path, "b_payloads.jsonl", [payload, second]))
    assert [r.format for r in res] == ["openai.chat", "litellm"]
    assert (res[1].calls, res[1].duplicates) == (1, 1)  # the Groq call was already stored from the provider log
    (q,) = rows(con, "request_id = 'msg_01Q'")
    assert q["dedupe_key"] == "anthropic:msg_01Q" and q["ts"] == datetime(2025, 5, 23, 11, 33, 20, 250000, tzinfo=UTC)
    assert buckets(q) == (600, 100, 0, 0, 80, 0) and q["reported_cost"] == Decimal("0.000420000000")


# ------------------------------------------------------------------ Langfuse


def test_langfuse_batches_merge_events_and_map_usage_keys(tmp_path: Path) -> None:
    batch = {
        "batch": [
            {
                "id": "e1",
                "type": "trace-create",
                "timestamp": "2025-07-01T10:00:00.000Z",
                "body": {
                    "id": "t1",
                    "name": "ranker",
                    "userId": "u1",
                    "sessionId": "s1",
                    "metadata": {"team": "search"},
                    "tags": ["prod"],
                    "input": SECRET,
                },
            },
            {
                "id": "e2",
                "type": "generation-create",
                "timestamp": "2025-07-01T10:00:01.000Z",
                "body": {
                    "id": "g1",
                    "traceId": "t1",
                    "startTime": "2025-07-01T03:00:00.000-07:00",
                    "model": "gpt-4o-2024-08-06",
                    "input": [{"content": SECRET}],
                },
            },
            {
                "id": "e3",
                "type": "span-create",
                "timestamp": "2025-07-01T10:00:01.000Z",
                "body": {"id": "sp1", "traceId": "t1"},
            },
            {
                "id": "e4",
                "type": "generation-update",
                "timestamp": "2025-07-01T10:00:02.000Z",
                "body": {
                    "id": "g1",
                    "traceId": "t1",
                    "output": SECRET,
                    "usageDetails": {
                        "input": 800,
                        "input_cached_tokens": 200,
                        "output": 90,
                        "output_reasoning_tokens": 10,
                        "total": 1100,
                    },
                    "costDetails": {"total": 0.0031},
                },
            },
        ]
    }
    legacy = {
        "batch": [
            {
                "id": "e5",
                "type": "generation-create",
                "timestamp": "2025-07-01T11:00:00Z",
                "body": {
                    "id": "g2",
                    "traceId": "t2",
                    "startTime": "2025-07-01T11:00:00Z",
                    "model": "claude-3-5-haiku-20241022",
                    "usage": {"input": 120, "output": 30, "total": 150, "unit": "TOKENS", "totalCost": 0.0002},
                },
            }
        ]
    }
    chars = {
        "batch": [
            {
                "id": "e6",
                "type": "generation-create",
                "timestamp": "2025-07-01T11:00:00Z",
                "body": {
                    "id": "g3",
                    "model": "text-bison",
                    "usage": {"input": 100, "output": 10, "unit": "CHARACTERS"},
                },
            }
        ]
    }
    orphan = {
        "batch": [
            {
                "id": "e7",
                "type": "generation-create",
                "timestamp": "2025-07-01T11:00:00Z",
                "body": {"id": "g4", "model": "gpt-4o-mini"},
            }
        ]
    }
    path = write(tmp_path, "batches.jsonl", [batch, legacy, chars, orphan, batch])  # the first batch re-sent
    con, (res,) = run(tmp_path, path)
    assert res.format == "langfuse"
    got = {r["request_id"]: r for r in rows(con)}
    g1 = got["g1"]
    # disjoint keys (total = their sum): input excludes cached, output excludes reasoning
    assert buckets(g1) == (800, 200, 0, 0, 100, 10) and g1["reported_cost"] == Decimal("0.003100000000")
    assert g1["ts"] == datetime(2025, 7, 1, 10, tzinfo=UTC) and g1["dedupe_key"] == "langfuse:g1"
    assert g1["tags"] == {
        "team": "search",
        "trace": "t1",
        "trace_name": "ranker",
        "user": "u1",
        "session": "s1",
        "trace_tags": "prod",
    }
    assert buckets(got["g2"]) == (120, 0, 0, 0, 30, 0) and got["g2"]["reported_cost"] == Decimal("0.000200000000")
    assert quarantine(con) == [(3, "usage unit CHARACTERS (not tokens)"), (4, "generation without usage")]
    assert res.skip_reasons == {"trace-create event": 2, "span-create event": 2}
    no_content_stored(con)


def test_langfuse_observations_total_decides_disjoint_or_nested(tmp_path: Path) -> None:
    def obs(oid: str, model: str, details: dict[str, int], **kw: Any) -> dict[str, Any]:
        return {
            "id": oid,
            "traceId": "t9",
            "type": "GENERATION",
            "startTime": "2025-07-02T10:00:00Z",
            "model": model,
            "usageDetails": details,
            "costDetails": {"total": 0.0012},
            "input": SECRET,
            **kw,
        }

    page = {
        "data": [
            obs(
                "o1",
                "claude-sonnet-4-20250514",
                {
                    "input": 3,
                    "output": 33,
                    "cache_read_input_tokens": 1111,
                    "cache_creation_input_tokens": 418,
                    "total": 1565,
                },
                metadata={"team": "support", "nested": {"a": 1}},
            ),
            # cached and reasoning INSIDE input/output: the keys add up to more than the total
            obs(
                "o2",
                "o4-mini-2025-04-16",
                {
                    "input": 1000,
                    "input_cached_tokens": 400,
                    "output": 300,
                    "output_reasoning_tokens": 200,
                    "total": 1300,
                },
            ),
            obs(
                "o3", "gpt-4o-mini-2024-07-18", {"input": 50, "output": 5}
            ),  # no total: Langfuse's convention (disjoint)
            {"id": "o4", "traceId": "t9", "type": "SPAN", "startTime": "2025-07-02T10:00:00Z"},
        ],
        "meta": {"page": 1, "totalPages": 1},
    }
    con, (res,) = run(tmp_path, write(tmp_path, "obs.json", json.dumps(page)))
    got = {r["request_id"]: r for r in rows(con)}
    assert buckets(got["o1"]) == (3, 1111, 418, 0, 33, 0) and got["o1"]["tags"] == {"team": "support", "trace": "t9"}
    assert buckets(got["o2"]) == (600, 400, 0, 0, 300, 200)
    assert buckets(got["o3"]) == (50, 0, 0, 0, 5, 0)
    assert res.skip_reasons == {"observation of type SPAN": 1}


def test_langfuse_observations_api_v2_and_costs_without_total(tmp_path: Path) -> None:
    """Observations API v2 (GET /api/public/v2/observations, cursor pages `{"data": [...], "meta":
    {"cursor": …}}`; langfuse-client-base ObservationV2) names the model `providedModelName` (there is no
    `model`) and adds `totalCost`; agent-era observation types (AGENT, TOOL, …) are not calls. An SDK's
    ingestion event may send costDetails without `total` (Langfuse sums the other keys into it) and the
    legacy usage's totalCost "defaults to input+output" (fern commons.yml Usage)."""
    v2 = {
        "data": [
            {
                "id": "obs-agent",
                "traceId": "tr-1",
                "startTime": "2025-10-01T09:00:00.000Z",
                "projectId": "p1",
                "parentObservationId": None,
                "type": "AGENT",
                "name": "planner",
            },
            {
                "id": "obs-gen",
                "traceId": "tr-1",
                "startTime": "2025-10-01T09:00:01.000Z",
                "endTime": "2025-10-01T09:00:03.000Z",
                "projectId": "p1",
                "parentObservationId": "obs-agent",
                "type": "GENERATION",
                "name": "plan",
                "userId": "u-9",
                "sessionId": "sess-2",
                "providedModelName": "gpt-4.1-2025-04-14",
                "internalModelId": "cm1",
                "usageDetails": {"input": 1200, "input_cached_tokens": 800, "output": 64, "total": 2064},
                "costDetails": {"input": 0.0024, "input_cached_tokens": 0.0004, "output": 0.000512, "total": 0.003312},
                "totalCost": 0.003312,
            },
        ],
        "meta": {"cursor": "eyJsYXN0IjoxfQ=="},
    }
    batch = {
        "batch": [
            {
                "id": "ev1",
                "type": "generation-create",
                "timestamp": "2025-10-01T10:00:00Z",
                "body": {
                    "id": "gen-sdk",
                    "traceId": "tr-2",
                    "startTime": "2025-10-01T10:00:00Z",
                    "model": "claude-3-5-haiku-20241022",
                    "usageDetails": {"input": 100, "output": 20},
                    "costDetails": {"input": 0.00008, "output": 0.00008},
                },
            },
            {
                "id": "ev2",
                "type": "generation-create",
                "timestamp": "2025-10-01T10:00:00Z",
                "body": {
                    "id": "gen-legacy",
                    "traceId": "tr-2",
                    "startTime": "2025-10-01T10:00:00Z",
                    "model": "gpt-4o-mini",
                    "usage": {
                        "input": 10,
                        "output": 5,
                        "unit": "TOKENS",
                        "inputCost": 0.0000015,
                        "outputCost": 0.000003,
                    },
                },
            },
        ]
    }
    page = write(tmp_path, "observations_v2.json", json.dumps(v2))
    box = inspect(page)
    assert detect(box.sample, box.kind) == ["langfuse"]
    con, res = run(tmp_path, page, write(tmp_path, "ingestion.json", json.dumps(batch)))
    got = {r["request_id"]: r for r in rows(con)}
    g = got["obs-gen"]
    assert g["model_raw"] == "gpt-4.1-2025-04-14" and buckets(g) == (1200, 800, 0, 0, 64, 0)
    assert g["reported_cost"] == Decimal("0.003312000000") and g["tags"]["session"] == "sess-2"
    assert res[0].skip_reasons == {"observation of type AGENT": 1} and quarantine(con) == []
    assert got["gen-sdk"]["reported_cost"] == Decimal("0.000160000000")
    assert got["gen-legacy"]["reported_cost"] == Decimal("0.000004500000")


# ------------------------------------------------------------------ Helicone


def helicone(rid: str, **kw: Any) -> dict[str, Any]:
    rec = {
        "request_id": rid,
        "request_created_at": "2025-06-03T10:11:12.345Z",
        "request_user_id": "user-7",
        "request_properties": {"team": "search", "project": "ranker", "Helicone-Session-Id": "sess-1"},
        "request_model": "claude-sonnet-4-0",
        "response_created_at": "2025-06-03T10:11:14.000Z",
        "response_status": 200,
        "response_model": "claude-sonnet-4-20250514",
        "provider": "ANTHROPIC",
        "prompt_tokens": 12,
        "prompt_cache_read_tokens": 3000,
        "prompt_cache_write_tokens": 400,
        "completion_tokens": 250,
        "cost": 0.00512,
        "request_body": {"messages": [{"content": SECRET}]},
        "response_body": {"content": [{"text": SECRET}]},
    }
    rec.update(kw)
    return rec


def test_helicone_counts_are_disjoint(tmp_path: Path) -> None:
    lines = [
        helicone("h1"),
        helicone(
            "h2",
            request_created_at="2025-06-03 12:00:00.500",
            provider="OPENAI",
            response_model="gpt-4.1-2025-04-14",
            prompt_tokens=744,
            prompt_cache_read_tokens=256,
            prompt_cache_write_tokens=0,
            completion_tokens=50,
        ),
        helicone("h3", response_status=429, prompt_tokens=None, completion_tokens=None, prompt_cache_read_tokens=None),
        helicone("h4", prompt_tokens=None, completion_tokens=None),
        helicone("h1"),
    ]
    path = write(tmp_path, "helicone.jsonl", lines)
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["helicone"]
    con, (res,) = run(tmp_path, path)
    got = sorted(rows(con), key=lambda r: str(r["request_id"]))
    assert [buckets(r) for r in got] == [(12, 3000, 400, 0, 250, 0), (744, 256, 0, 0, 50, 0)]
    assert [(r["provider"], r["platform"]) for r in got] == [("anthropic", "anthropic"), ("openai", "openai")]
    assert got[0]["tags"] == {
        "team": "search",
        "project": "ranker",
        "Helicone-Session-Id": "sess-1",
        "user": "user-7",
        "session": "sess-1",
    }
    assert got[1]["ts"] == datetime(2025, 6, 3, 12, 0, 0, 500000, tzinfo=UTC)
    assert got[0]["reported_cost"] == Decimal("0.005120000000") and got[0]["dedupe_key"] == "helicone:h1"
    assert res.skip_reasons == {"failed request (HTTP 429): no tokens": 1} and res.duplicates == 1
    assert quarantine(con) == [(4, "no prompt/completion tokens")]
    no_content_stored(con)


# ------------------------------------------------------------------ OpenTelemetry


def attr(key: str, value: Any, number: bool = False) -> dict[str, Any]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": value if number else str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def span(sid: str, attrs: list[dict[str, Any]], name: str = "chat", kind: Any = 3) -> dict[str, Any]:
    return {
        "traceId": "5b8efff798038103d269b633813fc60c",
        "spanId": sid,
        "name": name,
        "kind": kind,
        "startTimeUnixNano": "1751364000000000000",
        "endTimeUnixNano": "1751364001000000000",
        "attributes": attrs,
        "events": [{"name": "gen_ai.content.prompt", "attributes": [attr("gen_ai.prompt", SECRET)]}],
    }


def otlp(*spans: dict[str, Any], service: str = "support-bot") -> dict[str, Any]:
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [attr("service.name", service)]},
                "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": list(spans)}],
            }
        ]
    }


def test_otel_spans_conventions_skips_and_dedupe(tmp_path: Path) -> None:
    openai_chat = [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.system", "openai"),
        attr("gen_ai.request.model", "gpt-4o"),
        attr("gen_ai.response.model", "gpt-4o-2024-08-06"),
        attr("gen_ai.response.id", "chatcmpl-X1"),
        attr("gen_ai.usage.input_tokens", 1000),
        attr("gen_ai.usage.output_tokens", 50),
        attr("gen_ai.usage.cache_read.input_tokens", 400),  # INSIDE input_tokens (spec)
        attr("gen_ai.openai.response.service_tier", "flex"),
        attr("server.address", "acme.openai.azure.com"),  # labelled openai, served by Azure
        attr("gen_ai.prompt", SECRET),
    ]
    agent = [
        attr("gen_ai.operation.name", "invoke_agent"),
        attr("gen_ai.usage.input_tokens", 5000),
        attr("gen_ai.usage.output_tokens", 500),
    ]
    old_names = [
        attr("gen_ai.system", "gcp.vertex_ai"),
        attr("gen_ai.request.model", "gemini-2.0-flash"),
        attr("gen_ai.usage.prompt_tokens", 300),
        attr("gen_ai.usage.completion_tokens", 20),
    ]
    reasoning_outside = [
        attr("gen_ai.operation.name", "chat"),
        attr("gen_ai.provider.name", "openai"),
        attr("gen_ai.request.model", "o3-2025-04-16"),
        attr("gen_ai.usage.input_tokens", 100),
        attr("gen_ai.usage.output_tokens", 10),
        attr("gen_ai.usage.reasoning.output_tokens", 64),  # above the output: output excluded it
    ]
    embeddings = [
        attr("gen_ai.operation.name", "embeddings"),
        attr("gen_ai.request.model", "text-embedding-3-small"),
        attr("gen_ai.usage.input_tokens", 42),
    ]
    doc = otlp(
        span("a1", openai_chat),
        span("a2", agent, "invoke_agent triage"),
        span("a3", [attr("http.request.method", "POST")], "POST"),
        span("a4", old_names, "generate_content", "SPAN_KIND_CLIENT"),
        span("a5", reasoning_outside),
        span("a6", embeddings),
    )
    provider_log = write(
        tmp_path,
        "b_provider.jsonl",
        [
            chat(
                "chatcmpl-X1",
                "gpt-4o-2024-08-06",
                {"prompt_tokens": 1000, "completion_tokens": 50},
                prompt_filter_results=[],
            )
        ],
    )
    path = write(tmp_path, "a_traces.json", json.dumps(doc, indent=2))
    box = inspect(path)
    assert detect(box.sample, box.kind) == ["otel"]
    con, res = run(tmp_path, path, provider_log)
    assert res[0].format == "otel" and res[0].records == 6
    got = {r["request_id"]: r for r in rows(con, "format = 'otel'")}
    x1 = got["chatcmpl-X1"]
    assert buckets(x1) == (600, 400, 0, 0, 50, 0)
    assert (x1["platform"], x1["provider"], x1["service_tier"]) == ("azure", "openai", "flex")
    assert x1["dedupe_key"] == "openai:chatcmpl-X1" and x1["tags"] == {"service": "support-bot"}
    assert x1["ts"] == datetime(2025, 7, 1, 10, tzinfo=UTC)
    assert buckets(got["a4"]) == (300, 0, 0, 0, 20, 0) and (got["a4"]["platform"], got["a4"]["provider"]) == (
        "vertex",
        "google",
    )
    assert buckets(got["a5"]) == (100, 0, 0, 0, 74, 64)
    assert buckets(got["a6"]) == (42, 0, 0, 0, 0, 0)
    assert res[0].skip_reasons == {
        "invoke_agent span (its model calls are counted on their own spans)": 1,
        "span without token usage (POST)": 1,
    }
    assert (res[1].calls, res[1].duplicates) == (0, 1)  # the same call in the provider's own log: stored once
    no_content_stored(con)


def test_otel_anthropic_input_convention_both_ways(tmp_path: Path) -> None:
    """Rule: an Anthropic span whose cache counts exceed input_tokens reports input EXCLUDING cache (as
    Anthropic does); otherwise input_tokens INCLUDES cache (the spec) and the cache counts are subtracted."""

    def anthropic(sid: str, inp: int, read: int, write_: int) -> dict[str, Any]:
        attrs = [
            attr("gen_ai.operation.name", "chat", True),
            attr("gen_ai.provider.name", "anthropic", True),
            attr("gen_ai.response.model", "claude-sonnet-4-20250514", True),
            attr("gen_ai.response.id", f"msg_{sid}", True),
            attr("gen_ai.usage.input_tokens", inp, True),
            attr("gen_ai.usage.output_tokens", 33, True),
            attr("gen_ai.usage.cache_read.input_tokens", read, True),
            attr("gen_ai.usage.cache_creation.input_tokens", write_, True),
        ]
        return span(sid, attrs, kind="SPAN_KIND_CLIENT")

    exports = [
        otlp(anthropic("excl", 3, 1111, 418)),  # Anthropic's own input_tokens: 3 uncached
        otlp(anthropic("incl", 1532, 1111, 418)),  # the spec: 3 + 1111 + 418
        otlp(anthropic("nocache", 250, 0, 0)),
        '{"resourceSpans": [{"scopeSpans": [',
    ]
    con, _ = run(tmp_path, write(tmp_path, "collector.jsonl", exports))
    got = {r["request_id"]: r for r in rows(con)}
    assert buckets(got["msg_excl"]) == buckets(got["msg_incl"]) == (3, 1111, 418, 0, 33, 0)
    assert buckets(got["msg_nocache"]) == (250, 0, 0, 0, 33, 0)
    assert got["msg_excl"]["dedupe_key"] == "anthropic:msg_excl" and got["msg_excl"]["platform"] == "anthropic"
    assert quarantine(con) == [(4, "malformed JSON (or not an OTLP resourceSpans document)")]

    other = otlp(
        span(
            "bad",
            [
                attr("gen_ai.operation.name", "chat"),
                attr("gen_ai.system", "openai"),
                attr("gen_ai.request.model", "gpt-4o"),
                attr("gen_ai.usage.input_tokens", 10),
                attr("gen_ai.usage.output_tokens", 1),
                attr("gen_ai.usage.cache_read.input_tokens", 50),
            ],
        )
    )
    con2 = db.connect(tmp_path / "u.duckdb")
    ingest(con2, [write(tmp_path, "other.json", json.dumps(other))])
    assert quarantine(con2) == [(1, "cache read + creation tokens exceed input_tokens")]


def test_otel_spans_sharing_a_key_keep_the_same_one_whatever_their_order(tmp_path: Path) -> None:
    """Two instrumentations of one call (an SDK span with the cache count, a framework span without) in one
    collector line share its line number: the stored span must not depend on their order in the batch."""

    def chat_span(sid: str, scope: str, cache: int | None) -> dict[str, Any]:
        attrs = [
            attr("gen_ai.operation.name", "chat"),
            attr("gen_ai.system", "openai"),
            attr("gen_ai.response.model", "gpt-4o-2024-08-06"),
            attr("gen_ai.response.id", "chatcmpl-Twice"),
            attr("gen_ai.usage.input_tokens", 1000),
            attr("gen_ai.usage.output_tokens", 50),
        ]
        if cache is not None:
            attrs.append(attr("gen_ai.usage.cache_read.input_tokens", cache))
        return span(sid, attrs) | {"name": scope}

    sdk, framework = chat_span("sdk1", "chat gpt-4o", 400), chat_span("fw1", "ChatOpenAI.chat", None)
    other = otlp(span("z9", [attr("gen_ai.request.model", "gpt-4o-mini"), attr("gen_ai.usage.input_tokens", 7)]))
    stored = []
    for n, batch in enumerate([(sdk, framework), (framework, sdk), (sdk, framework)]):
        d = tmp_path / f"order{n}"
        d.mkdir()
        con, (res,) = run(d, write(d, "collector.jsonl", [otlp(*batch), other]))
        assert (res.calls, res.duplicates) == (2, 1)
        (row,) = rows(con, "request_id = 'chatcmpl-Twice'")
        stored.append({k: v for k, v in row.items() if k not in ("source_file", "run_id", "ingested_at")})
    assert stored[0] == stored[1] == stored[2]
    assert stored[0]["source_line"] == 1


def test_otel_google_genai_instrumentation_counts_thoughts_inside_output(tmp_path: Path) -> None:
    """opentelemetry-python-contrib's google-genai instrumentation (generate_content.py): gen_ai.system is
    `gemini` or `vertex_ai`; input_tokens = promptTokenCount (cached content inside it), output_tokens =
    candidatesTokenCount + thoughtsTokenCount ("the sem conv recommends combining these counts"), with
    `gen_ai.usage.cache_read.input_tokens` and `gen_ai.usage.reasoning.output_tokens` beside them."""

    def gemini(sid: str, system: str) -> dict[str, Any]:
        attrs = [
            attr("gen_ai.operation.name", "generate_content"),
            attr("gen_ai.system", system),
            attr("gen_ai.request.model", "gemini-2.5-flash"),
            attr("gen_ai.usage.input_tokens", 17713),
            attr("gen_ai.usage.output_tokens", 1000),
            attr("gen_ai.usage.cache_read.input_tokens", 17379),
            attr("gen_ai.usage.reasoning.output_tokens", 800),
        ]
        return span(sid, attrs, "generate_content gemini-2.5-flash")

    con, _ = run(
        tmp_path, write(tmp_path, "genai.json", json.dumps(otlp(gemini("g1", "gemini"), gemini("g2", "vertex_ai"))))
    )
    got = {r["request_id"]: r for r in rows(con)}
    assert buckets(got["g1"]) == buckets(got["g2"]) == (334, 17379, 0, 0, 1000, 800)
    assert (got["g1"]["provider"], got["g1"]["platform"], got["g2"]["platform"]) == ("google", "gemini_api", "vertex")


def test_otel_collector_file_with_metrics_logs_and_stray_lines(tmp_path: Path) -> None:
    """The collector's file exporter writes one Export*ServiceRequest per line, and a pipeline's metrics and
    logs can go to the same file (`resourceMetrics`, `resourceLogs`). Every line is accounted for: spans are
    calls, metrics and logs lines are skipped with a count, any other JSON line is quarantined (they were
    all dropped without a trace). Some exporters write intValue and startTimeUnixNano as JSON numbers."""
    chat = span(
        "c1",
        [
            attr("gen_ai.operation.name", "chat"),
            attr("gen_ai.provider.name", "openai"),
            attr("gen_ai.request.model", "gpt-4o-mini"),
            attr("gen_ai.usage.input_tokens", 12, True),
            attr("gen_ai.usage.output_tokens", 3, True),
        ],
    ) | {"startTimeUnixNano": 1751364000000000000}
    metrics = {
        "resourceMetrics": [
            {
                "resource": {"attributes": [attr("service.name", "support-bot")]},
                "scopeMetrics": [{"scope": {"name": "openai_v2"}, "metrics": [{"name": "gen_ai.client.token.usage"}]}],
            }
        ]
    }
    logs = {"resourceLogs": [{"resource": {}, "scopeLogs": [{"scope": {}, "logRecords": [{"timeUnixNano": "1"}]}]}]}
    path = write(tmp_path, "collector.jsonl", [otlp(chat), metrics, logs, {"unrelated": True}])
    con, (res,) = run(tmp_path, path)
    (row,) = rows(con)
    assert buckets(row) == (12, 0, 0, 0, 3, 0) and row["ts"] == datetime(2025, 7, 1, 10, tzinfo=UTC)
    assert res.records == 4
    assert res.skip_reasons == {"OTLP metrics (not spans)": 1, "OTLP logs (not spans)": 1}
    assert quarantine(con) == [(4, "malformed JSON (or not an OTLP resourceSpans document)")]


def test_otel_openllmetry_spans_are_model_calls(tmp_path: Path) -> None:
    """OpenLLMetry (traceloop/openllmetry) names its operation in `llm.request.type` with its own values
    (opentelemetry-semantic-conventions-ai LLMRequestTypeValues: chat, completion, embedding, rerank): its
    Anthropic instrumentation sets `completion` on every Messages.create span, with `gen_ai.system`
    "Anthropic", `gen_ai.usage.input_tokens` = input + cache read + cache creation and the cache counts in
    `gen_ai.usage.cache_read_input_tokens` / `…cache_creation_input_tokens`; its embeddings spans say
    `embedding`. Its first releases used `llm.vendor`, `llm.request.model` / `llm.response.model` and
    `llm.usage.prompt_tokens` / `completion_tokens`; its OpenAI reasoning count is
    `gen_ai.usage.reasoning_tokens` (inside completion_tokens, as OpenAI counts it). All are model calls."""
    anthropic = [
        attr("gen_ai.system", "Anthropic"),
        attr("llm.request.type", "completion"),
        attr("gen_ai.request.model", "claude-sonnet-4-20250514"),
        attr("gen_ai.response.model", "claude-sonnet-4-20250514"),
        attr("gen_ai.response.id", "msg_01TraceloopA"),
        attr("gen_ai.usage.input_tokens", 1532),
        attr("gen_ai.usage.output_tokens", 33),
        attr("llm.usage.total_tokens", 1565),
        attr("gen_ai.usage.cache_read_input_tokens", 1111),
        attr("gen_ai.usage.cache_creation_input_tokens", 418),
        {"key": "gen_ai.response.finish_reasons", "value": {"arrayValue": {"values": [{"stringValue": "end_turn"}]}}},
    ]
    embedding = [
        attr("gen_ai.system", "openai"),
        attr("llm.request.type", "embedding"),
        attr("gen_ai.request.model", "text-embedding-3-small"),
        attr("gen_ai.usage.input_tokens", 8),
        attr("llm.usage.total_tokens", 8),
    ]
    first_releases = [
        attr("llm.vendor", "OpenAI"),
        attr("llm.request.type", "chat"),
        attr("llm.request.model", "gpt-3.5-turbo"),
        attr("llm.response.model", "gpt-3.5-turbo-0125"),
        attr("llm.usage.prompt_tokens", 100),
        attr("llm.usage.completion_tokens", 20),
        attr("llm.usage.total_tokens", 120),
    ]
    reasoning = [
        attr("gen_ai.system", "openai"),
        attr("llm.request.type", "chat"),
        attr("gen_ai.response.model", "o4-mini-2025-04-16"),
        attr("gen_ai.usage.prompt_tokens", 500),
        attr("gen_ai.usage.completion_tokens", 300),
        attr("gen_ai.usage.reasoning_tokens", 256),
    ]
    rerank = [
        attr("gen_ai.system", "Cohere"),
        attr("llm.request.type", "rerank"),
        attr("gen_ai.request.model", "rerank-v3.5"),
        attr("gen_ai.usage.input_tokens", 40),
    ]
    doc = otlp(
        span("t1", anthropic, "anthropic.chat"),
        span("t2", embedding, "openai.embeddings"),
        span("t3", first_releases, "openai.chat"),
        span("t4", reasoning, "openai.chat"),
        span("t5", rerank, "cohere.rerank"),
    )
    con, (res,) = run(tmp_path, write(tmp_path, "traceloop.json", json.dumps(doc)))
    got = {r["request_id"]: r for r in rows(con)}
    a = got["msg_01TraceloopA"]
    assert buckets(a) == (3, 1111, 418, 0, 33, 0)
    assert (a["provider"], a["platform"], a["dedupe_key"]) == ("anthropic", "anthropic", "anthropic:msg_01TraceloopA")
    assert buckets(got["t2"]) == (8, 0, 0, 0, 0, 0)
    assert buckets(got["t3"]) == (100, 0, 0, 0, 20, 0) and got["t3"]["model_raw"] == "gpt-3.5-turbo-0125"
    assert got["t3"]["provider"] == "openai"
    assert buckets(got["t4"]) == (500, 0, 0, 0, 300, 256)
    assert res.skip_reasons == {"span operation rerank (not a model call)": 1}


# ------------------------------------------------------------------ detection on the samples


def test_exactly_one_format_claims_each_sample_file(manifest: dict[str, Any]) -> None:
    checked = 0
    for entry in manifest["files"]:
        if entry["format"] in ("unknown", "empty"):
            continue
        box = inspect(SAMPLES / entry["path"])
        expected = "gemini" if entry["format"] == "vertex" else entry["format"]
        assert detect(box.sample, box.kind) == [expected], entry["path"]
        checked += 1
    assert checked >= 40


@pytest.mark.parametrize(
    "path,platforms",
    [
        ("bedrock/converse_responses.jsonl", {"bedrock"}),
        ("bedrock/invoke_model_anthropic.jsonl", {"bedrock"}),
        ("azure/chat_completions.jsonl", {"azure"}),
        ("azure/responses.json", {"azure"}),
        ("openrouter/generations.jsonl", {"openrouter"}),
        ("openrouter/chat_stream.jsonl", {"openrouter"}),
        ("groq/chat_completions.jsonl", {"groq"}),
        ("deepseek/chat_completions.jsonl", {"deepseek"}),
        ("openai_compatible/mixed_hosts.jsonl", {"together", "fireworks", "mistral", "xai"}),
    ],
)
def test_sample_platforms(tmp_path: Path, path: str, platforms: set[str]) -> None:
    con, (res,) = run(tmp_path, SAMPLES / path)
    got = {r[0] for r in con.execute("select distinct platform from usage").fetchall()}
    assert got == platforms and res.calls > 0


def test_sample_reported_costs_match_the_generator(tmp_path: Path, manifest: dict[str, Any]) -> None:
    by_path = {f["path"]: f for f in manifest["files"]}
    for path in ("openrouter/generations.jsonl", "openrouter/chat_stream.jsonl", "litellm/spend_logs.json"):
        con, _ = run(_fresh(tmp_path, path), SAMPLES / path)
        row = con.execute("select sum(reported_cost) from usage").fetchone()
        assert row is not None and row[0] == Decimal(by_path[path]["reported_cost_usd"]), path


def _fresh(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name.replace("/", "_")
    d.mkdir()
    return d


def test_otel_openinference_provider_and_system_names(tmp_path: Path) -> None:
    """OpenInference names providers and systems its own way (SemanticConventions: LLMProvider `mistralai`,
    LLMSystem `vertexai`): a Mistral call on a model id that names no vendor, and a Vertex call, get their
    vendor and platform (were: provider 'unknown', platform 'mistralai' / 'vertexai')."""

    def call(sid: str, key: str, value: str, model: str) -> dict[str, Any]:
        attrs = [
            attr("openinference.span.kind", "LLM"),
            attr(key, value),
            attr("llm.model_name", model),
            attr("llm.token_count.prompt", 1200),
            attr("llm.token_count.completion", 80),
        ]
        return span(sid, attrs, "ChatCompletion")

    mistral = call("m1", "llm.provider", "mistralai", "open-mixtral-8x22b")
    doc = otlp(mistral, call("v1", "llm.system", "vertexai", "x1"))
    con, _ = run(tmp_path, write(tmp_path, "oi.json", json.dumps(doc)))
    got = {r["model_raw"]: (r["provider"], r["platform"]) for r in rows(con)}
    assert got == {"open-mixtral-8x22b": ("mistral", "mistral"), "x1": ("google", "vertex")}
