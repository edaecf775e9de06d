"""Anthropic Message Batches results: `{custom_id, result{type, message}}` per line, in any order.

Tier is batch (50%) regardless of `message.usage.service_tier`. `errored`, `canceled` and `expired`
results are not billed and are skipped with a count. The file carries no time: --assume-time (the
batch's `ended_at`), else the file's modification time. Message ids from Bedrock / Vertex (`msg_bdrk_…`,
`msg_vrtx_…`) make the platform bedrock / vertex (their own price tables), as in every Anthropic format.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select
from finops.ingest._common import (
    ANTHROPIC_BODY,
    anthropic_iteration_cols,
    anthropic_iterations_sql,
    anthropic_usage_problem,
    md5_key,
    status_cols,
    struct,
)
from finops.ingest._vendor import anthropic_platform_sql

LINE = {"custom_id": "VARCHAR", "result": {"type": "VARCHAR", "message": ANTHROPIC_BODY}}


@register
class AnthropicBatch(LogFormat):
    name = "anthropic.batch"
    title = "Anthropic Message Batches results (JSONL)"
    identifies = "custom_id + result.type in succeeded / errored / canceled / expired"
    example = "aispend ingest batch_results.jsonl --assume-time 2025-04-20T08:00:00Z"
    has_time = False
    priority = 20

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any("custom_id" in r and isinstance(r.get("result"), dict) and "type" in r["result"] for r in records)

    def sql(self) -> str:
        problem = anthropic_usage_problem("b.result.message.usage")
        skip = """case when b.result.type is distinct from 'succeeded'
                       then 'batch result ' || coalesce(b.result.type, 'without type') || ' (not billed)' end"""
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            record_kind="'call'",
            ts="null",
            ts_source="null",
            provider="'anthropic'",
            platform=anthropic_platform_sql("b.result.message.id"),
            service_tier="'batch'",
            region="b.result.message.usage.inference_geo",
            request_id="b.result.message.id",
            **anthropic_iteration_cols(
                "b.result.message.usage", md5_key("anthropic", "b.result.message.id"), "b.result.message.model"
            ),
        )
        src = f"select line, raw, {parse_sql('raw', struct(LINE))} as b from recs"
        src = layer(src, problem=problem, skip=skip)
        src = anthropic_iterations_sql(
            src, "b.result.message.usage", "b is not null and skip is null and problem is null"
        )
        return f"select {cols}\nfrom ({src})"
