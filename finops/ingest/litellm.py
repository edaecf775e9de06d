"""LiteLLM proxy spend: `LiteLLM_SpendLogs` rows exported as JSON (a list or JSONL), and the
StandardLoggingPayload its logging callbacks emit (S3, GCS, Datadog, …).

Rows: `request_id`, `call_type`, `spend` (LiteLLM's own estimate, stored as reported_cost), `startTime`
(naive: UTC), `model` / `model_group` / `custom_llm_provider`, `api_key` (already a hash: tag
`api_key`), `team_id`, `user`, `end_user`, and `metadata` / `request_tags` as JSON-encoded STRINGS; the
cache tokens live only in `metadata.usage_object`, itself often a string inside the string.
Payloads: `id`, `response_cost`, unix `startTime`, `metadata` object (`user_api_key_hash`, `…_alias`,
`…_team_id`, …), `hidden_params`, `model_map_information`, `response.usage`.

Counting (LiteLLM's usage is OpenAI-shaped): `prompt_tokens` INCLUDES the cache reads
(`prompt_tokens_details.cached_tokens` or `cache_read_input_tokens`) and the cache writes
(`cache_creation_input_tokens`), except for Anthropic calls logged by the LiteLLM releases that added
only the reads (see uncached_prompt_sql): the numbers tell which. Reasoning is inside
`completion_tokens`. Failed calls and LiteLLM cache hits (no provider call) are skipped.

Dedupe: `request_id` / `id` is usually the provider's id; the key is then the provider format's own
(`openai:chatcmpl-…`, `anthropic:msg_…`, `openrouter:gen-…`), so a call found both in provider logs and
in LiteLLM is stored once; other ids of OpenAI-compatible providers → `openai:<id>`, the rest
`litellm:<id>`.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, tier_sql
from finops.ingest._common import status_cols, struct
from finops.ingest._vendor import (
    direct_platform_sql,
    extra_sql,
    is_litellm_py,
    json_map_sql,
    json_value_sql,
    map_concat_sql,
    naive_utc_ts_sql,
    platform_of_provider_sql,
    provider_key_sql,
    tag_entries_sql,
    with_vendor,
)


def uncached_prompt_sql(prompt: str, read: str, write: str) -> str:
    """SQL: the uncached input of a LiteLLM usage whose `prompt_tokens` is `prompt`, cache reads `read` and
    cache writes `write` (columns). LiteLLM's Anthropic usage has counted three ways over its releases
    (BerriAI/litellm llms/anthropic/chat/transformation.py `calculate_usage`):
    - reads and writes added to Anthropic's `input_tokens` (its first prompt-caching code, and again from
      about v1.77: issue #11364's v1.80.11 row has 98805 prompt = 10 + 66360 read + 32435 written);
    - only the reads added (the releases in between: issue #13207, v1.74.9: 88 input + 120269 read +
      21002 written logged as prompt 120357, total 124513 with 4156 output);
    - neither (before cache counts were read; third-party code passing Anthropic's usage through).
    The counts tell them apart: reads + writes within prompt → both inside; reads within prompt but not
    the writes → only the reads; reads above prompt → neither. (An Anthropic call logged by the middle
    releases whose fresh input is at least its cache writes reads as the first case; it cannot be told
    apart from the numbers.)"""
    return f"""(case when {read} + {write} <= {prompt} then {prompt} - {read} - {write}
                     when {read} <= {prompt} then {prompt} - {read}
                     else {prompt} end)"""


ROW = {
    "request_id": "VARCHAR",
    "id": "VARCHAR",
    "call_type": "VARCHAR",
    "api_key": "VARCHAR",
    "spend": "VARCHAR",
    "response_cost": "VARCHAR",
    "prompt_tokens": "BIGINT",
    "completion_tokens": "BIGINT",
    "startTime": "VARCHAR",
    "model": "VARCHAR",
    "model_group": "VARCHAR",
    "custom_llm_provider": "VARCHAR",
    "user": "VARCHAR",
    "end_user": "VARCHAR",
    "team_id": "VARCHAR",
    "organization_id": "VARCHAR",
    "session_id": "VARCHAR",
    "status": "VARCHAR",
    "cache_hit": "VARCHAR",
    "metadata": "JSON",
    "request_tags": "JSON",
    "response": "JSON",
    "hidden_params": {"litellm_model_name": "VARCHAR", "response_cost": "VARCHAR"},
}
USAGE = {
    "prompt_tokens": "BIGINT",
    "completion_tokens": "BIGINT",
    "cache_read_input_tokens": "BIGINT",
    "cache_creation_input_tokens": "BIGINT",
    "prompt_tokens_details": {
        "cached_tokens": "BIGINT",
        "cache_creation_tokens": "BIGINT",
        "cache_creation_token_details": {"ephemeral_1h_input_tokens": "BIGINT"},
    },
    "completion_tokens_details": {"reasoning_tokens": "BIGINT"},
}
META = {
    "user_api_key": "VARCHAR",
    "user_api_key_hash": "VARCHAR",
    "user_api_key_alias": "VARCHAR",
    "user_api_key_team_id": "VARCHAR",
    "user_api_key_team_alias": "VARCHAR",
    "user_api_key_org_id": "VARCHAR",
    "user_api_key_user_id": "VARCHAR",
    "user_api_key_end_user_id": "VARCHAR",
    "spend_logs_metadata": "JSON",
    "usage_object": "JSON",
}


@register
class LiteLLM(LogFormat):
    name = "litellm"
    title = "LiteLLM SpendLogs rows and StandardLoggingPayload"
    identifies = "call_type + spend + startTime (SpendLogs); response_cost + hidden_params (logging payload)"
    example = "aispend ingest litellm_spend_logs.json"
    priority = 30

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(is_litellm_py(r) for r in records)

    def sql(self) -> str:
        # every sub-expression used more than once is a column of a layer below the staged SELECT
        w1h = "least(cw, coalesce(us.prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens, 0))"
        skip = """case
            when lower(b.status) in ('failure', 'failed', 'error') then 'failed call (not billed)'
            when lower(b.cache_hit) = 'true' then 'LiteLLM cache hit (no provider call)'
        end"""
        problem = """case
            when prompt is null and b.completion_tokens is null then 'no prompt_tokens / completion_tokens'
            when prompt is null then 'no prompt_tokens'
        end"""
        tags_list = "array_to_string(try(json_transform(tags_json, '[\"VARCHAR\"]')), ',')"
        columns = tag_entries_sql(
            ("api_key", "coalesce(b.api_key, md.user_api_key_hash, md.user_api_key)"),
            ("api_key_alias", "md.user_api_key_alias"),
            ("team", "coalesce(md.user_api_key_team_alias, b.team_id, md.user_api_key_team_id)"),
            ("team_id", "coalesce(b.team_id, md.user_api_key_team_id)"),
            ("organization", "coalesce(b.organization_id, md.user_api_key_org_id)"),
            ("user", "coalesce(b.user, md.user_api_key_user_id)"),
            ("end_user", "coalesce(b.end_user, md.user_api_key_end_user_id)"),
            ("session", "b.session_id"),
            ("model_group", "b.model_group"),
            ("request_tags", f"nullif({tags_list}, '')"),
        )
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=f"coalesce({provider_key_sql('rid', 'litellm', 'platform')}, 'md5:' || md5(raw))",
            record_kind="'call'",
            request_count="1",
            ts=naive_utc_ts_sql("b.startTime"),
            ts_source="'record'",
            provider="""coalesce(vendor, case platform when 'openai' then 'openai' when 'azure' then 'openai'
                        when 'anthropic' then 'anthropic' when 'gemini_api' then 'google' end, 'unknown')""",
            platform="platform",
            model_raw="model",
            input_uncached=uncached_prompt_sql("prompt", "cr", "cw"),
            cache_read="cr",
            cache_write_5m="cw - w1h",
            cache_write_1h="w1h",
            output="coalesce(b.completion_tokens, us.completion_tokens, 0)",
            reasoning="coalesce(us.completion_tokens_details.reasoning_tokens, 0)",
            service_tier=tier_sql("resp ->> '$.service_tier'"),
            tags=map_concat_sql(json_map_sql("md_json -> '$.spend_logs_metadata'"), columns),
            reported_cost="""try_cast(coalesce(b.spend, b.response_cost, b.hidden_params.response_cost)
                              as decimal(38, 12))""",
            request_id="rid",
            extra=extra_sql(drop=("response", "proxy_server_request")),
        )
        usage = f"""coalesce(
            try(json_transform({json_value_sql("md_json -> '$.usage_object'")}, '{struct(USAGE)}')),
            try(json_transform(resp -> '$.usage', '{struct(USAGE)}')))"""
        src = f"select line, raw, {parse_sql('raw', struct(ROW))} as b from recs"
        src = layer(
            src,
            md_json=json_value_sql("b.metadata"),
            tags_json=json_value_sql("b.request_tags"),
            resp=json_value_sql("b.response"),
        )
        src = layer(src, us=usage, md=f"try(json_transform(md_json, '{struct(META)}'))")
        src = layer(
            src,
            model="coalesce(nullif(trim(b.model), ''), b.hidden_params.litellm_model_name, b.model_group)",
            rid="coalesce(b.request_id, b.id)",
            prompt="coalesce(b.prompt_tokens, us.prompt_tokens)",
            cr="coalesce(us.prompt_tokens_details.cached_tokens, us.cache_read_input_tokens, 0)",
            cw="coalesce(us.cache_creation_input_tokens, us.prompt_tokens_details.cache_creation_tokens, 0)",
        )
        src = layer(
            with_vendor(src, "model"),
            platform=f"coalesce({platform_of_provider_sql('b.custom_llm_provider')}, "
            f"{direct_platform_sql('vendor')}, 'unknown')",
            w1h=w1h,
            problem=problem,
            skip=skip,
        )
        return f"select {cols}\nfrom ({src})"
