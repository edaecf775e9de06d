"""Anthropic Messages API responses (`type: message`): one JSON, a JSON array, or JSONL.

Counting: `input_tokens` EXCLUDES cache reads and cache writes; writes are split by TTL in
`cache_creation.{ephemeral_5m,ephemeral_1h}_input_tokens` (older bodies: all writes are 5-minute).
The body carries no time: it comes from the envelope (`timestamp`, `created_at`, `ts`, `time`), else
--assume-time, else the file's modification time.

Bedrock InvokeModel returns this body (without service_tier): the platform is bedrock when the id is
Bedrock's (`msg_bdrk_…`) or the envelope's `modelId` is a Bedrock id (`[us.]anthropic.…`) or ARN, which
also stands in for a missing `model`; Vertex rawPredict ids (`msg_vrtx_…`) give platform vertex.

Fast mode: `usage.speed == "fast"` makes the call service_tier 'fast' (its own premium rates; `service_tier`
still says standard on such calls). The same rule holds in every format that reads Anthropic usage.

Sub-calls (`usage.iterations` of type compaction / advisor_message) are outside the top-level counts: each
is a row of its own (see _common.anthropic_iterations_sql).
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, envelope_ts_sql, layer, staged_select, tags_json_sql, unwrap_sql
from finops.ingest._common import (
    ANTHROPIC_BODY,
    anthropic_iteration_cols,
    anthropic_iterations_sql,
    anthropic_tier,
    anthropic_usage_problem,
    md5_key,
    status_cols,
    struct,
    unwrap_py,
)
from finops.ingest._vendor import anthropic_platform_sql


@register
class AnthropicMessages(LogFormat):
    name = "anthropic.messages"
    title = "Anthropic Messages API responses"
    identifies = "type == 'message' with usage.input_tokens (bare, or under response/body/data)"
    example = "aispend ingest messages.jsonl --assume-time 2025-07-01T00:00:00Z"
    has_time = False

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            (b := unwrap_py(r)).get("type") == "message" and isinstance(b.get("usage"), dict) and "sessionId" not in r
            for r in records
        )

    def sql(self) -> str:
        model_id = """(case when contains(raw, '"modelId"') then try(json_extract_string(raw, '$.modelId')) end)"""
        bedrock_id = "'^(arn:aws[a-z-]*:bedrock:|((us|eu|apac|global|us-gov|jp|au|ca)\\.)?anthropic\\.)'"
        platform = f"""case when regexp_matches(coalesce(model_id, ''), {bedrock_id}) then 'bedrock'
                            else {anthropic_platform_sql("b.id")} end"""
        cols = staged_select(
            **status_cols("problem"),
            line="line",
            record_kind="'call'",
            ts=envelope_ts_sql(),
            ts_source="'envelope'",
            provider="'anthropic'",
            platform=platform,
            service_tier=anthropic_tier("b.usage.service_tier", "b.usage.speed"),
            region="b.usage.inference_geo",
            tags_json=tags_json_sql("env.tags", "env.metadata"),
            request_id="b.id",
            **anthropic_iteration_cols("b.usage", md5_key("anthropic", "b.id"), "coalesce(b.model, model_id)"),
        )
        src = layer(
            unwrap_sql(struct(ANTHROPIC_BODY), bare="b.type is not null and b.usage is not null"),
            problem=anthropic_usage_problem("b.usage"),
            model_id=model_id,
        )
        src = anthropic_iterations_sql(src, "b.usage", "b is not null and problem is null")
        return f"select {cols}\nfrom ({src})"
