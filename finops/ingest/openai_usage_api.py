"""OpenAI Usage API pages (`GET /v1/organization/usage/completions`): aggregate buckets, not calls.

`{"object": "page", "data": [{"object": "bucket", "start_time", "end_time", "results": [
{"object": "organization.usage.completions.result", "input_tokens", "input_cached_tokens", ...}]}]}`
One row per result (bucket × group-by combination), record_kind 'bucket', request_count =
`num_model_requests`. Counting: `input_tokens` INCLUDES cached and cache-write tokens;
`input_uncached_tokens` (when present) excludes both. `batch: true` is the batch tier (the only place
aggregates show it). Group-by dimensions that are null mean "all" (not grouped), not "none".
A result without a model cannot be priced: it is quarantined with a hint to group by model.
A file may hold one page, a JSON array of pages, or one page per line.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select
from finops.ingest._common import struct
from finops.ingest._exports import openai_bucket_cols, openai_bucket_problem

RESULT_OBJECT = "organization.usage.completions.result"
RESULT = {
    "object": "VARCHAR",
    "input_tokens": "BIGINT",
    "input_cached_tokens": "BIGINT",
    "input_cache_write_tokens": "BIGINT",
    "input_uncached_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "input_audio_tokens": "BIGINT",
    "output_audio_tokens": "BIGINT",
    "input_image_tokens": "BIGINT",
    "output_image_tokens": "BIGINT",
    "num_model_requests": "BIGINT",
    "project_id": "VARCHAR",
    "user_id": "VARCHAR",
    "api_key_id": "VARCHAR",
    "model": "VARCHAR",
    "batch": "BOOLEAN",
    "service_tier": "VARCHAR",
}
PAGE = {
    "object": "VARCHAR",
    "data": [{"object": "VARCHAR", "start_time": "DOUBLE", "end_time": "DOUBLE", "results": [RESULT]}],
}


def page_results(rec: dict[str, Any]) -> list[dict[str, Any]]:
    data = rec.get("data")
    if rec.get("object") != "page" or not isinstance(data, list):
        return []
    return [r for b in data if isinstance(b, dict) for r in (b.get("results") or []) if isinstance(r, dict)]


@register
class OpenAIUsageAPI(LogFormat):
    name = "openai.usage_api"
    title = "OpenAI Usage API pages (completions usage buckets)"
    identifies = "object == 'page' with data[].results[].object == 'organization.usage.completions.result'"
    example = "aispend ingest usage_completions_2025-06.json"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(r.get("object") == RESULT_OBJECT for rec in records for r in page_results(rec))

    def sql(self) -> str:
        problem = openai_bucket_problem("r")
        start, end = "cast(bk.start_time as bigint)", "cast(bk.end_time as bigint)"
        cols = staged_select(
            status=f"""case when r.object is distinct from '{RESULT_OBJECT}' then 'skip'
                           when problem is not null then 'reject' else 'ok' end""",
            reason=f"""case when r.object is distinct from '{RESULT_OBJECT}'
                                then 'not a completions usage result: ' || coalesce(r.object, 'no object')
                           else problem end""",
            raw="case when problem is not null then cast(to_json(r) as varchar) end",
            line="line",
            **openai_bucket_cols("r", start, end, "r.batch"),
        )
        bad = staged_select(
            status="'reject'",
            reason="'malformed JSON (or not a usage page)'",
            raw="raw",
            line="line",
            dedupe_key="'md5:' || md5(raw)",
        )
        results = layer("select line, bk, unnest(bk.results) as r from buckets", problem=problem)
        return f"""
        with pages as (select line, raw, {parse_sql("raw", struct(PAGE))} as p from recs),
        buckets as (select line, unnest(p.data) as bk from pages where p is not null),
        results as ({results})
        select {cols} from results
        union all
        select {bad} from pages where p is null and trim(raw) <> ''
        """
