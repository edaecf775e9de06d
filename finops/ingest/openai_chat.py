"""OpenAI Chat Completions responses (`object: chat.completion`): one JSON, a JSON array, or JSONL.

Counting: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (and `cache_write_tokens`);
`completion_tokens` INCLUDES reasoning tokens. Time: `created` (unix s), else the envelope's time.
Batch tier is invisible here (see openai.batch).
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, envelope_ts_sql, staged_select, tags_sql, tier_sql, unwrap_sql
from finops.ingest._common import (
    OPENAI_BODY,
    md5_key,
    openai_buckets,
    openai_usage_problem,
    status_cols,
    struct,
    unwrap_py,
)


@register
class OpenAIChat(LogFormat):
    name = "openai.chat"
    title = "OpenAI Chat Completions responses"
    identifies = "object == 'chat.completion' with usage.prompt_tokens (bare, or under response/body/data)"
    example = "aispend ingest chat_completions.jsonl"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(unwrap_py(r).get("object") == "chat.completion" for r in records)

    def sql(self) -> str:
        problem = openai_usage_problem("b.usage")
        cols = staged_select(
            **status_cols(problem),
            line="line",
            dedupe_key=md5_key("openai", "b.id"),
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce(to_timestamp(b.created), {envelope_ts_sql()})",
            ts_source="case when b.created is not null then 'record' else 'envelope' end",
            provider="'openai'",
            platform="'openai'",
            model_raw="b.model",
            service_tier=tier_sql("b.service_tier"),
            tags=tags_sql("env.tags", "env.metadata", "b.metadata"),
            request_id="b.id",
            **openai_buckets("b.usage"),
        )
        return f"""
        select {cols}
        from ({unwrap_sql(struct(OPENAI_BODY))})
        """
