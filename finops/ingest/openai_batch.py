"""OpenAI Batch API output files: one `{id: batch_req_…, custom_id, response{status_code, body}, error}` per line.

Tier is batch (50%) whatever the embedded body says (it says `service_tier: default`). The body is a
normal Chat Completions or Responses object. Failed requests (`error`, or a non-200 status) are not
billed and are skipped with a count.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, tags_json_sql
from finops.ingest._common import OPENAI_BODY, md5_key, openai_buckets, openai_usage_problem, status_cols, struct

BATCH_LINE = {
    "id": "VARCHAR",
    "custom_id": "VARCHAR",
    "response": {"status_code": "BIGINT", "request_id": "VARCHAR", "body": OPENAI_BODY},
    "error": "JSON",
}


@register
class OpenAIBatch(LogFormat):
    name = "openai.batch"
    title = "OpenAI Batch API output (JSONL)"
    identifies = "custom_id + response.body (+ id 'batch_req_…'); error lines have response null"
    example = "aispend ingest batch_output.jsonl"
    priority = 20

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            "custom_id" in r
            and (
                (isinstance(r.get("response"), dict) and "body" in r["response"])
                or ("error" in r and r.get("response") is None)
            )
            for r in records
        )

    def sql(self) -> str:
        problem = openai_usage_problem("b.response.body.usage")
        skip = """case when b.response is null or coalesce(b.response.status_code, 200) <> 200
                            or (b.error is not null and json_type(b.error) <> 'NULL')
                       then 'failed batch request (not billed)' end"""
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=md5_key("openai", "coalesce(b.response.body.id, b.id)"),
            record_kind="'call'",
            request_count="1",
            ts="to_timestamp(coalesce(b.response.body.created, b.response.body.created_at))",
            ts_source="'record'",
            provider="'openai'",
            platform="'openai'",
            model_raw="b.response.body.model",
            service_tier="'batch'",
            tags_json=tags_json_sql("b.response.body.metadata"),
            request_id="coalesce(b.response.request_id, b.response.body.id)",
            **openai_buckets("b.response.body.usage"),
        )
        src = f"select line, raw, {parse_sql('raw', struct(BATCH_LINE))} as b from recs"
        return f"select {cols}\nfrom ({layer(src, problem=problem, skip=skip)})"
