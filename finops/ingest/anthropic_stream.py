"""Anthropic streamed Messages: `message_start`, content events, `message_delta`, `message_stop`.

`message_start.message.usage` holds the input and cache counts and a placeholder output; each
`message_delta.usage` is CUMULATIVE (and may update input after a server tool ran). The call is the
last `message_delta` of each message, merged over its `message_start`; deltas are never summed.
Deltas carry no id: they belong to the message_start before them in the file. Bedrock's
InvokeModelWithResponseStream and Vertex's streamRawPredict send the same events with their own message ids
(`msg_bdrk_…`, `msg_vrtx_…`): platform bedrock / vertex.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, envelope_ts_sql, staged_select, tags_sql, unwrap_sql
from finops.ingest._common import ANTHROPIC_BODY, ANTHROPIC_USAGE, anthropic_tier, struct, unwrap_py
from finops.ingest._vendor import anthropic_platform_sql

EVENT = {"type": "VARCHAR", "message": ANTHROPIC_BODY, "usage": ANTHROPIC_USAGE}
STREAM_TYPES = {
    "message_start",
    "message_delta",
    "message_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "ping",
}


@register
class AnthropicStream(LogFormat):
    name = "anthropic.stream"
    title = "Anthropic Messages stream events"
    identifies = "type in message_start / message_delta / content_block_* (SSE payloads, one per line)"
    example = "aispend ingest stream_events.jsonl --assume-time 2025-07-15T12:00:00Z"
    whole_file = True
    has_time = False

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(unwrap_py(r).get("type") == "message_start" for r in records) and all(
            unwrap_py(r).get("type") in STREAM_TYPES or unwrap_py(r).get("type") == "error" for r in records
        )

    def sql(self) -> str:
        u = "s.start_usage"
        d = "s.b.usage"
        cols = staged_select(
            status="""case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                          when b.type = 'message_delta' and line = last_delta then 'ok'
                          when b.type = 'message_start' and last_delta is null then 'reject'
                          else 'skip' end""",
            reason="""case when b is null then case when trim(raw) = '' then 'blank line'
                               else 'malformed JSON (or not an object of this format)' end
                          when b.type = 'message_delta' and line = last_delta then null
                          when b.type = 'message_start' and last_delta is null
                              then 'stream ended before message_delta: output tokens unknown'
                          else 'stream event (' || coalesce(b.type, '?') || ')' end""",
            raw="case when b is null or (b.type = 'message_start' and last_delta is null) then raw end",
            line="line",
            dedupe_key="coalesce('anthropic:' || msg_id, 'md5:' || md5(raw))",
            record_kind="'call'",
            request_count="1",
            ts=envelope_ts_sql("start_env_time"),
            ts_source="'envelope'",
            provider="'anthropic'",
            platform=anthropic_platform_sql("msg_id"),
            model_raw="msg_model",
            input_uncached=f"coalesce({d}.input_tokens, {u}.input_tokens)",
            cache_read=f"coalesce({d}.cache_read_input_tokens, {u}.cache_read_input_tokens, 0)",
            cache_write_5m=(
                f"coalesce({d}.cache_creation.ephemeral_5m_input_tokens, "
                f"{u}.cache_creation.ephemeral_5m_input_tokens, "
                f"coalesce({d}.cache_creation_input_tokens, {u}.cache_creation_input_tokens, 0) - "
                f"coalesce({d}.cache_creation.ephemeral_1h_input_tokens, "
                f"{u}.cache_creation.ephemeral_1h_input_tokens, 0))"
            ),
            cache_write_1h=(
                f"coalesce({d}.cache_creation.ephemeral_1h_input_tokens, "
                f"{u}.cache_creation.ephemeral_1h_input_tokens, 0)"
            ),
            output=f"{d}.output_tokens",
            reasoning=f"coalesce({d}.output_tokens_details.thinking_tokens, 0)",
            web_searches=(
                f"coalesce({d}.server_tool_use.web_search_requests, {u}.server_tool_use.web_search_requests, 0)"
            ),
            service_tier=anthropic_tier(f"{u}.service_tier", f"coalesce({d}.speed, {u}.speed)"),
            region=f"{u}.inference_geo",
            tags=tags_sql("start_env.tags", "start_env.metadata"),
            request_id="msg_id",
        )
        return f"""
        with e as (
            select *,
                   last_value(case when b.type = 'message_start' then line end ignore nulls)
                       over (order by line rows between unbounded preceding and current row) as start_line
            from ({unwrap_sql(struct(EVENT))})
        ), s as (
            select e.*, st.b.message.id as msg_id, st.b.message.model as msg_model,
                   st.b.message.usage as start_usage, st.env as start_env, st.env_time as start_env_time,
                   max(case when e.b.type = 'message_delta' then e.line end)
                       over (partition by e.start_line) as last_delta
            from e left join e st on st.line = e.start_line
        )
        select {cols}
        from s
        """
