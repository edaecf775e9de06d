"""Amazon Bedrock Converse responses (`usage.inputTokens` camelCase + `stopReason` / `metrics`).

Counting: `inputTokens` EXCLUDES cache reads and writes (`totalTokens` = input + output + cache read +
cache write). Cache counts come in two spellings, often both in one object (`cacheReadInputTokens` and
`cacheReadInputTokenCount`): the first present is read, they are never added. `cacheDetails[]` splits
the writes by TTL (`1h` → cache_write_1h, the rest 5-minute); without it every write is a 5-minute write.

The body names neither the model nor the call: the model comes from the application log's envelope
(`modelId`, `model_id` or `model` beside the body, or a `modelId` added to the body), the request id
from `requestId` / `request_id` / boto3's `ResponseMetadata.RequestId` / the JavaScript SDK v3's
`$metadata.requestId` (dedupe key `bedrock:<id>`, the same key as the invocation logs give the call). A
body without a model id is quarantined. A prompt router's answer names the model it chose,
`trace.promptRouter.invokedModelId` (AWS Bedrock API reference, ConverseTrace / PromptRouterTrace): that is the
model billed, the router sent to kept as tag `prompt_router`. Time: the envelope's, else boto3's
`ResponseMetadata.HTTPHeaders.date`, else --assume-time / file mtime.

Service tier: `serviceTier.type` and `performanceConfig.latency` of the response or of a stream's metadata event
(see _common.bedrock_tier: `optimized` latency is tier latency_optimized).

ConverseStream: the SDKs yield one event per item (`messageStart`, `contentBlockStart`,
`contentBlockDelta`, `contentBlockStop`, `messageStop`, then `metadata`); logged one per line (bare or in
an envelope), only the `metadata` event is a call: it carries the stream's whole `usage` (the same
TokenUsage as Converse) and `metrics.latencyMs` (AWS Bedrock API reference, ConverseStreamMetadataEvent
and ConverseStreamOutput). The other events are skipped as stream events, never quarantined.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import ENVELOPE_BODY_KEYS, LogFormat, layer, parse_sql, staged_select, ts_sql
from finops.ingest._common import bedrock_tier, status_cols, struct, unwrap_py
from finops.ingest._vendor import extra_sql, json_map_sql, map_concat_sql, tag_entries_sql, with_vendor

CACHE_DETAIL = {"inputTokens": "BIGINT", "ttl": "VARCHAR"}
USAGE: dict[str, Any] = {
    "inputTokens": "BIGINT",
    "outputTokens": "BIGINT",
    "totalTokens": "BIGINT",
    "cacheReadInputTokens": "BIGINT",
    "cacheReadInputTokenCount": "BIGINT",
    "cacheWriteInputTokens": "BIGINT",
    "cacheWriteInputTokenCount": "BIGINT",
    "cacheDetails": [CACHE_DETAIL],
}
# TokenUsage as the Python SDK (aws-sdk-bedrock-runtime: smithy dataclasses TokenUsage, CacheDetail) and Ruby's
# to_h write it out: snake_case (input_tokens, cache_read_input_tokens, cache_details[].input_tokens, ...), read
# into the camelCase struct (usage_sql). (The Go SDK v2 marshalled with encoding/json keeps Go field names,
# `Usage.InputTokens`: not read, DuckDB struct keys cannot differ from the API's in case only.)
USAGE_FIELDS = ("inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokens", "cacheWriteInputTokens")


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


USAGE_ANY: dict[str, Any] = {
    **USAGE,
    **{_snake(k): "BIGINT" for k in USAGE_FIELDS},
    "cache_details": [{"input_tokens": "BIGINT", "ttl": "VARCHAR"}],
}


def usage_sql(x: str) -> str:
    """SQL: a usage struct of USAGE_ANY `x` (a column) as the camelCase USAGE struct, whatever its spelling."""
    fields = [f"'{k}': coalesce({x}.{k}, {x}.{_snake(k)})" for k in USAGE_FIELDS]
    fields += [f"'{k}': {x}.{k}" for k in ("cacheReadInputTokenCount", "cacheWriteInputTokenCount")]
    details = f"""coalesce({x}.cacheDetails,
        list_transform({x}.cache_details, lambda d: {{'inputTokens': d.input_tokens, 'ttl': d.ttl}}))"""
    return f"(case when {x} is not null then {{{', '.join(fields)}, 'cacheDetails': {details}}} end)"


# ConverseStreamOutput members other than `metadata` (AWS Bedrock API reference): no usage
STREAM_EVENTS = ("messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop")
BODY = {
    "usage": USAGE_ANY,
    "stopReason": "VARCHAR",
    "modelId": "VARCHAR",
    "requestId": "VARCHAR",
    "serviceTier": "JSON",
    "performanceConfig": {"latency": "VARCHAR"},  # Converse response: the latency configuration served
    "ResponseMetadata": {"RequestId": "VARCHAR", "HTTPHeaders": {"date": "VARCHAR"}},
    # the JavaScript SDK v3 puts the request id here (smithy ResponseMetadata: httpStatusCode, requestId, ...)
    "$metadata": {"requestId": "VARCHAR"},
    # a ConverseStream `metadata` event: the stream's usage, metrics, service tier, trace
    "metadata": {
        "usage": USAGE_ANY,
        "serviceTier": "JSON",
        "performanceConfig": {"latency": "VARCHAR"},
        "trace": {"promptRouter": {"invokedModelId": "VARCHAR"}},
    },
    # ConverseTrace.promptRouter.invokedModelId: the model a prompt router chose (AWS Bedrock API reference)
    "trace": {"promptRouter": {"invokedModelId": "VARCHAR"}},
    **{k: "JSON" for k in STREAM_EVENTS},
}
ENVELOPE = {
    **{k: "JSON" for k in ENVELOPE_BODY_KEYS},
    "timestamp": "VARCHAR",
    "created_at": "VARCHAR",
    "ts": "VARCHAR",
    "time": "VARCHAR",
    "modelId": "VARCHAR",
    "model_id": "VARCHAR",
    "model": "VARCHAR",
    "requestId": "VARCHAR",
    "request_id": "VARCHAR",
    "region": "VARCHAR",
    "tags": "JSON",
    "metadata": "JSON",
}
NO_MODEL = "no model id (pass --format and wrap with modelId)"


def converse_buckets(u: str) -> dict[str, str]:
    """Disjoint buckets from a Converse usage struct `u` (also used for invocation-log bodies)."""
    details = f"coalesce({u}.cacheDetails, [])"
    w1h = f"coalesce(list_sum(list_transform(list_filter({details}, lambda d: lower(d.ttl) in ('1h', '60m', '3600s')), lambda d: d.inputTokens)), 0)"  # noqa: E501
    write = (
        f"coalesce({u}.cacheWriteInputTokens, {u}.cacheWriteInputTokenCount, "
        f"list_sum(list_transform({details}, lambda d: d.inputTokens)), 0)"
    )
    return {
        "input_uncached": f"{u}.inputTokens",
        "cache_read": f"coalesce({u}.cacheReadInputTokens, {u}.cacheReadInputTokenCount, 0)",
        "cache_write_5m": f"{write} - {w1h}",
        "cache_write_1h": w1h,
        "output": f"{u}.outputTokens",
    }


@register
class BedrockConverse(LogFormat):
    name = "bedrock.converse"
    title = "Amazon Bedrock Converse responses"
    identifies = "usage.inputTokens (camelCase) + stopReason/metrics; model id from the envelope's modelId"
    example = "aispend ingest converse.jsonl  # lines like {timestamp, modelId, requestId, response: {...}}"
    has_time = False
    priority = 40

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        def one(r: dict[str, Any]) -> bool:
            b = unwrap_py(r)
            u = b.get("usage")
            if "schemaType" in r:
                return False
            if isinstance(u, dict) and "input_tokens" in u:  # snake_case SDK output; not Anthropic's (no
                # total_tokens, `type: message`) nor OpenAI Responses' (`object: response`)
                snake = "total_tokens" in u and "stop_reason" in b and "metrics" in b
                return snake and not ({"type", "object", "id", "model"} & set(b))
            if isinstance(u, dict):
                return "inputTokens" in u and ("stopReason" in b or "metrics" in b or "output" in b)
            meta = b.get("metadata")  # a ConverseStream metadata event, or the events before it
            if isinstance(meta, dict) and isinstance(meta.get("usage"), dict):
                return "inputTokens" in meta["usage"] and "metrics" in meta
            return len(b) <= 6 and any(isinstance(b.get(k), dict) for k in STREAM_EVENTS)

        return any(one(r) for r in records)

    def sql(self) -> str:
        problem = f"""case
            when u is null then 'no usage object'
            when u.inputTokens is null then 'usage has no inputTokens'
            when u.outputTokens is null then 'usage has no outputTokens'
            when model is null or trim(model) = '' then '{NO_MODEL}'
        end"""
        events = " or ".join(f"b.{k} is not null" for k in STREAM_EVENTS)
        skip = f"case when u is null and ({events}) then 'stream event without usage (ConverseStream)' end"
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key="coalesce('bedrock:' || rid, 'md5:' || md5(raw))",
            record_kind="'call'",
            request_count="1",
            ts="coalesce(env_ts, http_ts)",
            ts_source="case when env_ts is not null then 'envelope' when http_ts is not null then 'record' end",
            provider="coalesce(vendor, 'unknown')",
            platform="'bedrock'",
            model_raw="model",
            service_tier=bedrock_tier("tier", "latency"),
            region="coalesce(env.region, nullif(regexp_extract(model, '^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):', 1), ''))",  # noqa: E501
            # an envelope's `metadata` holds tags, unless it is the stream's metadata event itself
            tags=map_concat_sql(
                json_map_sql("case when b.metadata.usage is null then env.metadata end"),
                json_map_sql("env.tags"),
                tag_entries_sql(("prompt_router", "router")),
            ),
            request_id="rid",
            extra=extra_sql(nested=ENVELOPE_BODY_KEYS),
            **converse_buckets("u"),
        )
        bodies = ", ".join(f"case when json_type(env.{k}) = 'OBJECT' then env.{k} end" for k in ENVELOPE_BODY_KEYS)
        src = f"""
            select line, raw, env, {parse_sql("coalesce(cast(body as varchar), raw)", struct(BODY))} as b
            from (
                select line, raw, env, coalesce({bodies}) as body
                from (select line, raw, {parse_sql("raw", struct(ENVELOPE))} as env from recs)
            )"""
        src = layer(
            src,
            routed="""nullif(trim(coalesce(b.trace.promptRouter.invokedModelId,
                                            b.metadata.trace.promptRouter.invokedModelId)), '')""",
        )
        src = layer(
            src,
            model="coalesce(routed, env.modelId, env.model_id, b.modelId, env.model)",
            # the router the call was sent to, when a prompt router chose the model
            router="case when routed is not null then coalesce(env.modelId, env.model_id, b.modelId, env.model) end",
            rid="""coalesce(env.requestId, env.request_id, b.requestId, b.ResponseMetadata.RequestId,
                            b."$metadata".requestId)""",
            env_time="coalesce(env.timestamp, env.created_at, env.ts, env.time)",
            u_any="coalesce(b.usage, b.metadata.usage)",
            tier_json="coalesce(b.serviceTier, b.metadata.serviceTier)",
            latency="coalesce(b.performanceConfig.latency, b.metadata.performanceConfig.latency)",
        )
        src = layer(src, tier="coalesce(tier_json ->> '$.type', tier_json ->> '$')")
        src = layer(src, u=usage_sql("u_any"))
        src = layer(
            src,
            env_ts=ts_sql("env_time"),
            http_ts="try_strptime(b.ResponseMetadata.HTTPHeaders.date, '%a, %d %b %Y %H:%M:%S GMT')",
            problem=problem,
            skip=skip,
        )
        return f"select {cols}\nfrom ({with_vendor(src, 'model')})"
