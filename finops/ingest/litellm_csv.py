"""LiteLLM proxy spend logs (`LiteLLM_SpendLogs`) exported as CSV (or Parquet): one row per request.

Columns from LiteLLM's schema.prisma: `request_id, call_type, api_key (hashed), spend, total_tokens,
prompt_tokens, completion_tokens, startTime, endTime, model, model_group, custom_llm_provider, user,
metadata, cache_hit, request_tags, team_id, end_user, status, session_id, ...`. In an export `metadata`
and `request_tags` are JSON-encoded strings; cache counts live in `metadata.usage_object` (itself
sometimes a JSON string). Counting: LiteLLM reports usage the OpenAI way, so `prompt_tokens` INCLUDES
cache reads (`prompt_tokens_details.cached_tokens` / `cache_read_input_tokens`) and cache writes
(`cache_creation_input_tokens`), except where a LiteLLM release counted Anthropic's differently
(uncached_prompt_sql). `spend` is LiteLLM's own estimate → reported_cost. `startTime` is
naive: read as UTC. Proxy cache hits (`cache_hit` = True) never reached a provider and failed requests
are skipped. `messages`/`response` columns are never read into the store.

Dedupe: the same rule as the JSON LiteLLM format: the provider's id when `request_id` looks like one
(`chatcmpl-…`, `msg_…`, …), so a call also in the provider's own logs is stored once; else
`litellm:<request_id>`.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, staged_select, ts_sql
from finops.ingest._tabular import blank_sql, bool_sql, dec_sql, int_sql, q, tab_status
from finops.ingest._vendor import (
    direct_platform_sql,
    json_map_sql,
    json_value_sql,
    map_concat_sql,
    platform_of_provider_sql,
    provider_key_sql,
    tag_entries_sql,
    with_vendor,
)
from finops.ingest.litellm import uncached_prompt_sql

COLUMNS = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "user",
    "metadata",
    "cache_hit",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "status",
    "session_id",
)


@register
class LiteLLMCSV(LogFormat):
    name = "litellm.csv"
    title = "LiteLLM proxy spend logs (LiteLLM_SpendLogs as CSV/Parquet)"
    identifies = "CSV header with request_id, call_type, spend and startTime"
    example = "aispend ingest LiteLLM_SpendLogs.csv"
    containers = ("csv", "parquet")
    columns = COLUMNS

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        keys = set(records[0]) if records else set()
        return {"call_type", "spend", "startTime"} <= keys

    def sql(self) -> str:
        model = f"coalesce(nullif(trim({q('model')}), ''), nullif(trim({q('model_group')}), ''))"
        step1 = f"""select *, {model} as _model, {platform_of_provider_sql(q("custom_llm_provider"))} as _named,
                   {json_value_sql(f"try(cast({q('metadata')} as json))")} as _meta,
                   {int_sql(q("prompt_tokens"))} as _prompt, {int_sql(q("completion_tokens"))} as _completion,
                   {ts_sql(q("startTime"))} as _ts, {dec_sql(q("spend"))} as _spend
            from recs"""
        step2 = layer(with_vendor(step1, "_model", "_vendor"), _uo=json_value_sql("(_meta -> '$.usage_object')"))

        def uo_int(*paths: str) -> str:
            return "coalesce(" + ", ".join(f"try_cast(_uo ->> '{p}' as bigint)" for p in paths) + ", 0)"

        step3 = f"""select *, coalesce(_named, {direct_platform_sql("_vendor")}, 'unknown') as _platform,
                   {uo_int("$.prompt_tokens_details.cached_tokens", "$.cache_read_input_tokens")} as _cached,
                   {uo_int("$.cache_creation_input_tokens")} as _write,
                   {uo_int("$.completion_tokens_details.reasoning_tokens")} as _reasoning
            from ({step2})"""
        skip = f"""case when {bool_sql(q("cache_hit"))} then 'LiteLLM cache hit: never sent to a provider'
            when lower(coalesce({q("status")}, 'success')) not in ('success', '') then
                'failed request (status ' || {q("status")} || '): not billed' end"""
        problem = f"""case when _model is null then 'no model'
            when _prompt is null or _completion is null then 'no prompt_tokens / completion_tokens'
            when _ts is null then 'startTime is not a time'
            when {q("spend")} is not null and _spend is null then 'spend is not a number: ' || {q("spend")}
            end"""
        rtags = json_value_sql(f"try(cast({q('request_tags')} as json))")
        tags = map_concat_sql(
            tag_entries_sql(
                ("team", f"coalesce(_meta ->> '$.user_api_key_team_alias', {q('team_id')})"),
                ("team_id", q("team_id")),
                ("user", q("user")),
                ("end_user", q("end_user")),
                ("api_key", f"left({q('api_key')}, 16)"),
                ("api_key_alias", "_meta ->> '$.user_api_key_alias'"),
                ("session", q("session_id")),
                ("model_group", q("model_group")),
                ("request_tags", f"array_to_string(try(cast({rtags} as varchar[])), ',')"),
            ),
            json_map_sql("(_meta -> '$.spend_logs_metadata')"),
        )
        cols = staged_select(
            **tab_status(COLUMNS, "_problem", "_skip"),
            line="line",
            dedupe_key=f"""coalesce({provider_key_sql(q("request_id"), "litellm", "_platform")},
                'md5:' || md5(concat_ws('|', {q("startTime")}, _model, _prompt, _completion)))""",
            record_kind="'call'",
            request_count="1",
            ts="_ts",
            ts_source="'record'",
            provider="coalesce(_vendor, _named, 'unknown')",
            platform="_platform",
            model_raw="_model",
            input_uncached=uncached_prompt_sql("_prompt", "_cached", "_write"),
            cache_read="_cached",
            cache_write_5m="_write",
            output="_completion",
            reasoning="_reasoning",
            service_tier="'standard'",
            tags=tags,
            reported_cost="_spend",
            request_id=q("request_id"),
            extra="json_object(" + ", ".join(f"'{c}', {q(c)}" for c in ("call_type", "model_group", "model_id")) + ")",
        )
        checks = layer(step3, _blank=blank_sql(COLUMNS), _problem=problem, _skip=skip)
        return f"select {cols}\nfrom ({checks})"
