"""OpenAI Chat Completions responses (`object: chat.completion`): one JSON, a JSON array, or JSONL.

Counting: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` (and `cache_write_tokens`);
`completion_tokens` INCLUDES reasoning tokens. Time: `created` (unix s), else the envelope's time.
Batch tier is invisible here (see openai.batch).

The same shape comes from Azure OpenAI (content-filter blocks → platform azure, the envelope's
deployment name → tag `deployment`) and from OpenAI-compatible hosts: the platform is read from marker
fields (Groq `x_groq` / `usage.queue_time`, DeepSeek `usage.prompt_cache_hit_tokens`) or the model id,
the provider from the model id (_vendor.chat_platform_sql). DeepSeek's `prompt_cache_hit_tokens` is the
cached part of `prompt_tokens` (hit + miss = prompt). xAI counts reasoning OUTSIDE `completion_tokens`
(total = prompt + completion + reasoning): it is added to output there. OpenRouter bodies belong to the
openrouter format.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import (
    LogFormat,
    envelope_ts_sql,
    layer,
    staged_select,
    tags_json_sql,
    tags_sql,
    tier_sql,
    unwrap_sql,
)
from finops.ingest._common import (
    OPENAI_BODY,
    OPENAI_USAGE,
    md5_key,
    openai_usage_problem,
    status_cols,
    struct,
    unwrap_py,
)
from finops.ingest._vendor import (
    azure_deployment_sql,
    chat_buckets,
    chat_platform_sql,
    is_litellm_py,
    is_openrouter_py,
    map_concat_sql,
    tag_entries_sql,
    with_vendor,
)

CHAT_BODY: dict[str, Any] = {
    **OPENAI_BODY,
    "prompt_filter_results": "JSON",  # Azure OpenAI
    "x_groq": "JSON",  # Groq
    "usage": {**OPENAI_USAGE, "queue_time": "DOUBLE"},  # Groq
}
TAG_SOURCES = ("env.tags", "env.metadata", "b.metadata")  # the first JSON object among them


@register
class OpenAIChat(LogFormat):
    name = "openai.chat"
    title = "OpenAI Chat Completions responses"
    identifies = "object == 'chat.completion' with usage.prompt_tokens (bare, or under response/body/data)"
    example = "aispend ingest chat_completions.jsonl"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            (b := unwrap_py(r)).get("object") == "chat.completion" and not is_openrouter_py(b) and not is_litellm_py(r)
            for r in records
        )

    def sql(self) -> str:
        # markers read from the parsed body (scanning the raw text for them costs more)
        platform = chat_platform_sql(
            "model_low",
            azure="b.prompt_filter_results is not null",
            groq="(b.x_groq is not null or b.usage.queue_time is not null)",
            deepseek="b.usage.prompt_cache_hit_tokens is not null",
            vendor="vendor",
        )
        azure_tags = map_concat_sql(tags_sql(*TAG_SOURCES), tag_entries_sql(("deployment", azure_deployment_sql())))
        cols = staged_select(
            **status_cols("problem"),
            line="line",
            dedupe_key=md5_key("openai", "b.id"),
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce(to_timestamp(b.created), {envelope_ts_sql()})",
            ts_source="case when b.created is not null then 'record' else 'envelope' end",
            provider="coalesce(vendor, case when platform in ('openai', 'azure') then 'openai' end, 'unknown')",
            platform="platform",
            model_raw="b.model",
            service_tier=tier_sql("b.service_tier"),
            tags=f"case when platform = 'azure' then {azure_tags} end",
            tags_json=f"case when platform is distinct from 'azure' then {tags_json_sql(*TAG_SOURCES)} end",
            request_id="b.id",
            **chat_buckets("b.usage", "platform"),
        )
        # vendor, platform, problem and the tag map are computed once per record (each is used several times)
        src = with_vendor(
            unwrap_sql(struct(CHAT_BODY), bare="b.object is not null and b.usage is not null"),
            "b.model",
            low="model_low",
        )
        src = layer(
            src,
            platform=platform,
            problem=openai_usage_problem("b.usage"),
        )
        return f"select {cols}\nfrom ({src})"
