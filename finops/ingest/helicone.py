"""Helicone request exports as JSON or JSONL (`npx @helicone/export`, `POST /v1/request/query-clickhouse`):
one `HeliconeRequest` per record (`request_id`, `request_created_at`, `response_created_at`,
`request_model` / `response_model`, `provider`, token counts, `cost`, `request_properties`).

Counting: Helicone stores DISJOINT counts: `prompt_tokens` EXCLUDES `prompt_cache_read_tokens` and
`prompt_cache_write_tokens` (its OpenAI body processor subtracts the cached tokens; its Anthropic
processor stores Anthropic's `input_tokens`), and the prompt / completion audio tokens are separate
(added back to input / output here, as the provider formats count them). `reasoning_tokens` (exported
since Helicone's usage processors, packages/cost/usage/openAIUsageProcessor.ts: output =
completion - audio - reasoning) is OUTSIDE `completion_tokens`: the export's `total_tokens` is
prompt + completion + reasoning (valhalla/jawn getRequestsClickhouse); it is added to output, unless
`total_tokens` equals prompt + completion (reasoning inside, an older record). Cache writes are 5-minute
writes. `cost` (USD, Helicone's estimate: the API divides its stored nano-dollars by
COST_PRECISION_MULTIPLIER), else `costUSD` (the HeliconeRequest type and Helicone's Python export
example) → reported_cost.

Model: `response_model`, else `model_override`, `request_model`, `model`. Platform: Helicone's
`provider` (OPENAI, AZURE, ANTHROPIC, OPENROUTER, …); provider: the model's vendor. Time:
`request_created_at` (naive times are UTC), else `response_created_at`. Failed requests (non-2xx
status) without tokens are skipped. Tags: `request_properties` (custom properties and Helicone-*
headers), `user` (request_user_id), `session` (Helicone-Session-Id). Dedupe: the CSV format's key
(helicone_key_sql: `response_id` first, the only id the export tool's CSV has, else
`helicone:<request_id>`), so the JSON and the CSV export of one request are one call. CSV exports are
a separate format.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select
from finops.ingest._common import status_cols, struct
from finops.ingest._vendor import (
    extra_sql,
    json_map_sql,
    map_concat_sql,
    naive_utc_ts_sql,
    platform_of_provider_sql,
    provider_key_sql,
    tag_entries_sql,
    with_vendor,
)


def helicone_key_sql(response_id: str, request_id: str) -> str:
    """SQL: the dedupe key of a Helicone request, the same in its JSON and CSV exports: `response_id`
    (the only id the export tool's CSV writes: examples/export/typescript/index.ts) through
    provider_key_sql, else `helicone:<request_id>`; NULL when neither is given. Arguments: columns.
    Helicone makes its own (UUID) response ids: only a provider-shaped id (`chatcmpl-…`, `msg_…`) is
    taken as the provider's, never an other id of an OpenAI-compatible platform (the platform is not
    the same in both exports: the CSV has no provider column)."""
    return f"""coalesce({provider_key_sql(f"nullif(trim({response_id}), '')", "helicone")},
                'helicone:' || nullif(trim({request_id}), ''))"""


def reasoning_outside_sql(reasoning: str, total: str, prompt: str, completion: str) -> str:
    """SQL: the reasoning tokens to add to Helicone's `completion_tokens`: all of them, unless `total`
    (total_tokens) equals prompt + completion, which says completion already held them. Arguments:
    columns or expressions of the row (NULL reasoning: 0)."""
    return f"""(case when {total} is not null and {total} = {prompt} + {completion} then 0
                     else coalesce({reasoning}, 0) end)"""


ROW = {
    "request_id": "VARCHAR",
    "request_created_at": "VARCHAR",
    "response_created_at": "VARCHAR",
    "request_user_id": "VARCHAR",
    "request_properties": "JSON",
    "properties": "JSON",
    "request_model": "VARCHAR",
    "model_override": "VARCHAR",
    "response_model": "VARCHAR",
    "model": "VARCHAR",
    "provider": "VARCHAR",
    "response_status": "BIGINT",
    "prompt_tokens": "BIGINT",
    "completion_tokens": "BIGINT",
    "prompt_cache_write_tokens": "BIGINT",
    "prompt_cache_read_tokens": "BIGINT",
    "prompt_audio_tokens": "BIGINT",
    "completion_audio_tokens": "BIGINT",
    "reasoning_tokens": "BIGINT",
    "total_tokens": "BIGINT",
    "response_id": "VARCHAR",
    "cost": "VARCHAR",
    "costUSD": "VARCHAR",
    "cost_usd": "VARCHAR",
}


@register
class Helicone(LogFormat):
    name = "helicone"
    title = "Helicone request exports (JSON / JSONL)"
    identifies = "request_id + response_created_at + request_model/response_model/provider"
    example = "aispend ingest helicone_export.jsonl"
    priority = 30

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            "request_id" in r
            and "response_created_at" in r
            and ("request_model" in r or "response_model" in r or "provider" in r)
            for r in records
        )

    def sql(self) -> str:
        model = (
            "coalesce(nullif(b.response_model, ''), nullif(b.model_override, ''), nullif(b.request_model, ''), b.model)"
        )
        no_tokens = "coalesce(b.prompt_tokens, 0) + coalesce(b.completion_tokens, 0) = 0"
        skip = f"""case when b.response_status is not null and (b.response_status < 200 or b.response_status > 299)
                            and {no_tokens}
                       then 'failed request (HTTP ' || b.response_status || '): no tokens' end"""
        problem = """case
            when b.prompt_tokens is null and b.completion_tokens is null then 'no prompt/completion tokens'
            when b.prompt_tokens is null then 'no prompt_tokens' end"""
        reasoning_outside = reasoning_outside_sql(
            "b.reasoning_tokens", "b.total_tokens", "b.prompt_tokens", "b.completion_tokens"
        )
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=f"coalesce({helicone_key_sql('b.response_id', 'b.request_id')}, 'md5:' || md5(raw))",
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce({naive_utc_ts_sql('b.request_created_at')}, {naive_utc_ts_sql('b.response_created_at')})",
            ts_source="'record'",
            provider="""coalesce(vendor, case lower(b.provider) when 'openai' then 'openai'
                         when 'azure' then 'openai' when 'anthropic' then 'anthropic' when 'google' then 'google' end,
                         'unknown')""",
            platform="platform",
            model_raw="model",
            input_uncached="b.prompt_tokens + coalesce(b.prompt_audio_tokens, 0)",
            cache_read="coalesce(b.prompt_cache_read_tokens, 0)",
            cache_write_5m="coalesce(b.prompt_cache_write_tokens, 0)",
            output=f"coalesce(b.completion_tokens, 0) + coalesce(b.completion_audio_tokens, 0) + {reasoning_outside}",
            reasoning="coalesce(b.reasoning_tokens, 0)",
            service_tier="'standard'",
            tags=map_concat_sql(
                "props",
                tag_entries_sql(("user", "b.request_user_id"), ("session", "props['Helicone-Session-Id']")),
            ),
            reported_cost="try_cast(coalesce(b.cost, b.costUSD, b.cost_usd) as decimal(38, 12))",
            request_id="b.request_id",
            extra=extra_sql(drop=("request_body", "response_body", "llmSchema", "signed_body_url")),
        )
        src = f"select line, raw, {parse_sql('raw', struct(ROW))} as b from recs"
        src = layer(
            src,
            model=model,
            props=json_map_sql("coalesce(b.request_properties, b.properties)"),
            platform=f"coalesce({platform_of_provider_sql('b.provider')}, 'unknown')",
        )
        src = layer(with_vendor(src, "model"), problem=problem, skip=skip)
        return f"select {cols}\nfrom ({src})"
