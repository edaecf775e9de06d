"""OpenAI streamed Chat Completions: one `chat.completion.chunk` per line (SSE payloads).

Usage appears only on the final chunk (`choices: []`) and only when the request set
`stream_options.include_usage`; every chunk repeats the same `id`. A stream with no usage chunk cannot
be priced: it is quarantined once (its last chunk), never counted as zero.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, envelope_ts_sql, staged_select, tags_json_sql, tier_sql, unwrap_sql
from finops.ingest._common import OPENAI_BODY, md5_key, openai_buckets, struct, unwrap_py
from finops.ingest._vendor import is_openrouter_py


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
        cols = staged_select(
            status="""case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                          when b.usage is not null then 'ok'
                          when not stream_has_usage and from_end = 1 then 'reject' else 'skip' end""",
            reason="""case when b is null then case when trim(raw) = '' then 'blank line'
                               else 'malformed JSON (or not an object of this format)' end
                          when b.usage is not null then null
                          when not stream_has_usage and from_end = 1
                              then 'stream has no usage chunk (request did not set stream_options.include_usage)'
                          else 'stream chunk without usage' end""",
            raw="case when b is null or (not stream_has_usage and from_end = 1) then raw end",
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
            tags_json=tags_json_sql("env.tags", "env.metadata", "b.metadata"),
            request_id="b.id",
            **openai_buckets("b.usage"),
        )
        return f"""
        with c as (
            select *,
                   bool_or(b.usage is not null) over (partition by b.id) as stream_has_usage,
                   row_number() over (partition by b.id order by line desc) as from_end
            from ({unwrap_sql(struct(OPENAI_BODY))})
        )
        select {cols}
        from c
        """
