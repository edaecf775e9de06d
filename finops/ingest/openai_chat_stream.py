"""OpenAI streamed Chat Completions: one `chat.completion.chunk` per line (SSE payloads).

Usage appears only on the final chunk (`choices: []`) and only when the request set
`stream_options.include_usage`; every chunk repeats the same `id`. A stream with no usage chunk cannot
be priced: it is quarantined once (its last chunk), never counted as zero.

Other hosts stream the same chunks: Groq puts the usage of a stream in the finish chunk's `x_groq.usage`;
vLLM (`continuous_usage_stats`) and gateways repeat a CUMULATIVE usage on every chunk (LiteLLM's Bedrock
chunks carry `prompt_tokens` with `completion_tokens: null` until the end): the stream's LAST usage chunk
is the call, earlier ones are skipped. Azure OpenAI sends content-filter frames with an empty `id` (the
prompt's `prompt_filter_results` first, annotations later): they belong to the stream around them, are
skipped, and make that stream platform azure. Platform and provider are read as openai.chat reads them
(marker fields, then the model id); xAI's reasoning outside completion_tokens is added to output.
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
from finops.ingest._common import OPENAI_BODY, OPENAI_USAGE, md5_key, openai_usage_problem, struct, unwrap_py
from finops.ingest._vendor import (
    azure_deployment_sql,
    chat_buckets,
    chat_platform_sql,
    is_openrouter_py,
    map_concat_sql,
    tag_entries_sql,
    with_vendor,
)

USAGE = {**OPENAI_USAGE, "queue_time": "DOUBLE"}  # Groq
CHUNK: dict[str, Any] = {**OPENAI_BODY, "usage": USAGE, "x_groq": {"id": "VARCHAR", "usage": USAGE}}
TAG_SOURCES = ("env.tags", "env.metadata", "b.metadata")


@register
class OpenAIChatStream(LogFormat):
    name = "openai.chat_stream"
    title = "OpenAI Chat Completions stream chunks"
    identifies = "object == 'chat.completion.chunk' (usage on the final chunk)"
    example = "aispend ingest chat_stream.jsonl.gz"
    whole_file = True

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        # OpenRouter's chunks have this shape too: openrouter.stream reads them (cost, upstream provider)
        return any(
            (b := unwrap_py(r)).get("object") == "chat.completion.chunk" and not is_openrouter_py(b) for r in records
        )

    def sql(self) -> str:
        platform = chat_platform_sql(
            "model_low",
            azure="azure",
            groq="(b.x_groq is not null or u.queue_time is not null)",
            deepseek="u.prompt_cache_hit_tokens is not null",
            vendor="vendor",
        )
        azure_tags = map_concat_sql(tags_sql(*TAG_SOURCES), tag_entries_sql(("deployment", azure_deployment_sql())))
        cols = staged_select(
            status="""case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                          when line = last_usage then case when problem is not null then 'reject' else 'ok' end
                          when not stream_has_usage and from_end = 1 and sid is not null then 'reject'
                          else 'skip' end""",
            reason="""case when b is null then case when trim(raw) = '' then 'blank line'
                               else 'malformed JSON (or not an object of this format)' end
                          when line = last_usage then problem
                          when not stream_has_usage and from_end = 1 and sid is not null
                              then 'stream has no usage chunk (request did not set stream_options.include_usage)'
                          when u is not null then 'stream chunk with usage before the stream''s last (cumulative)'
                          when coalesce(b.id, '') = '' then 'content-filter frame without id (Azure)'
                          else 'stream chunk without usage' end""",
            raw="""case when b is null or (line = last_usage and problem is not null)
                             or (not stream_has_usage and from_end = 1 and sid is not null) then raw end""",
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
            **chat_buckets("u", "platform"),
        )
        marker = """(contains(raw, '"prompt_filter_results"') or contains(raw, '"content_filter_results"'))"""
        # an id-less frame (Azure's filter results) belongs to the next stream in the file, else the one before
        after = "rows between current row and unbounded following"
        before = "rows between unbounded preceding and current row"
        src = layer(
            unwrap_sql(struct(CHUNK)),
            u="case when b.usage is not null then b.usage else b.x_groq.usage end",
            own_id="nullif(b.id, '')",
        )
        src = layer(
            src,
            sid=f"""coalesce(own_id, first_value(own_id ignore nulls) over (order by line {after}),
                                     last_value(own_id ignore nulls) over (order by line {before}))""",
        )
        src = f"""
            select *,
                   bool_or(u is not null) over (partition by sid) as stream_has_usage,
                   max(case when u is not null then line end) over (partition by sid) as last_usage,
                   row_number() over (partition by sid order by line desc) as from_end,
                   bool_or({marker}) over (partition by sid) as azure
            from ({src})"""
        src = with_vendor(src, "b.model", low="model_low")
        src = layer(src, platform=platform, problem=openai_usage_problem("u"))
        return f"select {cols}\nfrom ({src})"
