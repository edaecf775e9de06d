"""OpenAI Responses API objects (`object: response`), and Responses streams (`response.completed`).

Counting: `input_tokens` INCLUDES `input_tokens_details.cached_tokens` (and `cache_write_tokens`);
`output_tokens` INCLUDES reasoning. Built-in web searches are counted from `output[]` items.
A stream's `response.created` / `response.in_progress` events carry no usage and are skipped; the
`response.completed` event's `response` object is the call. Azure OpenAI bodies (`content_filters`)
get platform azure and, when the envelope names it, the deployment as tag `deployment`.
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
    md5_key,
    openai_buckets,
    openai_usage_problem,
    status_cols,
    struct,
    unwrap_py,
)
from finops.ingest._vendor import azure_deployment_sql, map_concat_sql, tag_entries_sql


@register
class OpenAIResponses(LogFormat):
    name = "openai.responses"
    title = "OpenAI Responses API objects and stream events"
    identifies = "object == 'response' with usage.input_tokens; stream events type 'response.*'"
    example = "aispend ingest responses.json"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(unwrap_py(r).get("object") == "response" for r in records)

    def sql(self) -> str:
        event = "coalesce(env.type, json_extract_string(raw, '$.type'))"
        # guarded: json_extract_string fails on malformed JSON (b is NULL then: the record is rejected anyway)
        skip = f"""case when b is not null and b.usage is null then case when {event} like 'response.%'
                       then 'stream event without usage (' || {event} || ')' end end"""
        tag_sources = ("env.tags", "env.metadata", "b.metadata")  # the first JSON object among them
        azure_tags = map_concat_sql(tags_sql(*tag_sources), tag_entries_sql(("deployment", azure_deployment_sql())))
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=md5_key("openai", "b.id"),
            pref="case when b.usage is null then 0 else 1 end",
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce(to_timestamp(b.created_at), {envelope_ts_sql()})",
            ts_source="case when b.created_at is not null then 'record' else 'envelope' end",
            provider="'openai'",
            platform="case when azure then 'azure' else 'openai' end",
            model_raw="b.model",
            service_tier=tier_sql("b.service_tier"),
            tags=f"case when azure then {azure_tags} end",
            tags_json=f"case when not azure then {tags_json_sql(*tag_sources)} end",
            request_id="b.id",
            web_searches="len(list_filter(coalesce(b.output, []), lambda x: x.type = 'web_search_call'))",
            **openai_buckets("b.usage"),
        )
        src = layer(
            unwrap_sql(struct(OPENAI_BODY), bare="b.object is not null and b.usage is not null"),
            problem=openai_usage_problem("b.usage"),
            skip=skip,
            azure="""contains(raw, '"content_filters"')""",  # Azure OpenAI's Responses objects
        )
        return f"select {cols}\nfrom ({src})"
