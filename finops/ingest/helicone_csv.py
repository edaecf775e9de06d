"""Helicone request export as CSV (`npx @helicone/export --format csv`, or the dashboard's export).

Columns (Helicone's export README): `response_id, response_created_at, response_status,
request_created_at, request_body, request_properties, request_user_id, model, prompt_tokens,
completion_tokens, latency, cost`; fuller exports add `request_id`, `provider`,
`prompt_cache_read_tokens`, `prompt_cache_write_tokens`, `reasoning_tokens`; Helicone's Python export
example (examples/export/python/export.py) writes every HeleconeRequest field with pandas, the cost as
`costUSD`. The `model` column of the TypeScript tool is left empty by the current API, which returns
the model as `request_model` (jawn getRequestsClickhouse: `model AS request_model`): the model is then
`request_model`, else the `model` of `request_body` (with --include-body); a row with none is
quarantined with that hint. Counting: Helicone's `prompt_tokens` are the
fresh, uncached prompt tokens; cache reads and writes are separate counts (Helicone's own cost code adds
them on top: packages/cost `costOfPrompt`); `reasoning_tokens` is outside `completion_tokens` as in the
JSON format (helicone.reasoning_outside_sql). `cost` (else `costUSD`) is Helicone's estimate in USD →
reported_cost.
Bodies (`request_body`, `response_body`) are never stored (only `request_body`'s model is read; a
rejected row's quarantine keeps its text). Rows with a non-2xx status are not billed calls and are
skipped. The dedupe key (helicone.helicone_key_sql) is the provider's id when `response_id` is one
(`chatcmpl-…`, `msg_…`), so a call also in the provider's own logs is stored once, and is the JSON
format's key for the same request.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, staged_select, ts_sql
from finops.ingest._tabular import blank_sql, dec_sql, int_sql, q, tab_status
from finops.ingest._vendor import (
    direct_platform_sql,
    json_map_sql,
    map_concat_sql,
    platform_of_provider_sql,
    tag_entries_sql,
    with_vendor,
)
from finops.ingest.helicone import helicone_key_sql, reasoning_outside_sql

COLUMNS = (
    "request_id",
    "response_id",
    "response_created_at",
    "response_status",
    "request_created_at",
    "request_properties",
    "request_user_id",
    "provider",
    "model",
    "request_model",
    "response_model",
    "prompt_tokens",
    "completion_tokens",
    "prompt_cache_read_tokens",
    "prompt_cache_write_tokens",
    "total_tokens",
    "reasoning_tokens",
    "cost",
    "costUSD",
    "request_body",
)


@register
class HeliconeCSV(LogFormat):
    name = "helicone.csv"
    title = "Helicone request export (CSV)"
    identifies = "CSV header with response_id, response_created_at and prompt_tokens/cost"
    example = "aispend ingest helicone_export.csv"
    containers = ("csv", "parquet")
    columns = COLUMNS

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        keys = set(records[0]) if records else set()
        return {"response_id", "response_created_at"} <= keys and bool({"prompt_tokens", "cost"} & keys)

    def sql(self) -> str:
        names = ("response_model", "model", "request_model")
        body_model = f"""case when json_valid({q("request_body")})
            then nullif(trim(json_extract_string({q("request_body")}, '$.model')), '') end"""
        model = "coalesce(" + ", ".join(f"nullif(trim({q(c)}), '')" for c in names) + f", {body_model})"
        step1 = f"""select *, {model} as _model, {platform_of_provider_sql(q("provider"))} as _named,
                   {int_sql(q("prompt_tokens"))} as _prompt, {int_sql(q("completion_tokens"))} as _completion,
                   {int_sql(q("response_status"))} as _status,
                   {dec_sql(f"coalesce({q('cost')}, {q('costUSD')})")} as _cost,
                   {int_sql(q("reasoning_tokens"))} as _reasoning, {int_sql(q("total_tokens"))} as _total,
                   coalesce({ts_sql(q("request_created_at"))}, {ts_sql(q("response_created_at"))}) as _ts
            from recs"""
        step2 = with_vendor(step1, "_model", "_vendor")
        step3 = f"select *, coalesce(_named, {direct_platform_sql('_vendor')}, 'unknown') as _platform from ({step2})"
        skip = """case when _status is not null and (_status < 200 or _status >= 300)
            then 'failed request (HTTP ' || _status || '): not billed' end"""
        problem = f"""case when _model is null
                then 'no model: the model column is empty and request_body names none (export with --include-body)'
            when _prompt is null or _completion is null then 'no prompt_tokens / completion_tokens'
            when _ts is null then 'no request time'
            when coalesce({q("cost")}, {q("costUSD")}) is not null and _cost is null
                then 'cost is not a number: ' || coalesce({q("cost")}, {q("costUSD")})
            end"""
        cols = staged_select(
            **tab_status(COLUMNS, "_problem", "_skip"),
            line="line",
            dedupe_key=f"""coalesce({helicone_key_sql(q("response_id"), q("request_id"))},
                'md5:' || md5(concat_ws('|', {q("response_created_at")}, _model, _prompt, _completion)))""",
            record_kind="'call'",
            request_count="1",
            ts="_ts",
            ts_source="'record'",
            provider="coalesce(_vendor, _named, 'unknown')",
            platform="_platform",
            model_raw="_model",
            input_uncached="_prompt",
            cache_read=f"coalesce({int_sql(q('prompt_cache_read_tokens'))}, 0)",
            cache_write_5m=f"coalesce({int_sql(q('prompt_cache_write_tokens'))}, 0)",
            output=f"_completion + {reasoning_outside_sql('_reasoning', '_total', '_prompt', '_completion')}",
            reasoning="coalesce(_reasoning, 0)",
            service_tier="'standard'",
            tags=map_concat_sql(json_map_sql(q("request_properties")), tag_entries_sql(("user", q("request_user_id")))),
            reported_cost="_cost",
            request_id=f"coalesce(nullif(trim({q('response_id')}), ''), {q('request_id')})",
        )
        checks = layer(step3, _blank=blank_sql(COLUMNS), _problem=problem, _skip=skip)
        return f"select {cols}\nfrom ({checks})"
