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
from finops.ingest._base import LogFormat, layer
from finops.ingest._common import struct
from finops.ingest._exports import openai_bucket_cols, openai_bucket_problem, openai_page_sql

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
        results = layer("select line, bk, unnest(bk.results) as r from buckets", problem=problem)
        cols = openai_bucket_cols("r", start, end, "r.batch")
        return openai_page_sql(struct(PAGE), RESULT_OBJECT, "completions usage", results, cols)
