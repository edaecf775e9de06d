"""Gemini batch output files: Gemini API Batch Mode results and Vertex AI batch prediction output (JSONL).

Both are billed at the batch tier (about 50% of the interactive rate), a property of the file: the embedded
GenerateContentResponse does not say so. Tokens follow the Gemini convention of gemini.py (whose SQL
helpers are used): cached tokens inside `promptTokenCount`, thoughts billed as output.

Gemini API (`gemini.batch`): one line per request, `{"key": "request-1", "response": {...}}` or
`{"key": ..., "error": {...}}` (a google.rpc.Status). Sources: ai.google.dev/gemini-api/docs/batch-api
("each line is either a GenerateContentResponse or a status object"; the retrieval sample tests
`'response' in line` then `'error' in line`), and the results file printed in google-gemini/cookbook
quickstarts/Batch_mode.ipynb (lines `{"response": {responseId, usageMetadata, candidates, modelVersion},
"key": "request_1"}`). Inline requests carry `metadata` instead of `key` (google-genai InlinedRequest):
read the same way, `metadata` as tags. No time in the line: --assume-time (the batch's end time), else the
file's modification time. Platform gemini_api. A file of bare responses (no `key`) cannot be told from logged
responses and is read as `gemini`: `--format gemini.batch` reads it at the batch tier.

Vertex AI (`vertex.batch`): `prediction-model-<time>/predictions.jsonl` in the job's GCS output, one line
per request: `{"status": "", "processed_time": "2024-11-13T14:04:28.376+00:00", "request": {...},
"response": {candidates, modelVersion: "gemini-…@default", usageMetadata}}`; a failed request has a
non-empty `status` (the error text) and no response. Source: GoogleCloudPlatform/generative-ai
gemini/batch-prediction/intro_batch_prediction.ipynb ("Example output"), and the Vertex batch prediction
docs (the `response` and `status` columns are reserved for the output). Time: `processed_time`. Platform
vertex (vertex.toml prices it; its batch rules are inherited from google.toml).

Failed requests (`error`, or a non-empty `status`) are not billed: skipped with a count, never priced.
Dedupe key: `google:<responseId>` (the key gemini.py gives the same response; unique across jobs), else a
hash of the line (the request `key` repeats across jobs; the line holds the request, the answer and, on
Vertex, `processed_time`): a re-run of the same output file stores nothing new. Limit: two jobs whose
lines are byte-identical (same key, same prompt, same answer, no responseId) count once. The prompt
(`request`) and the answer (`response`) are never stored; the line's other fields are kept in `extra`.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, tags_json_sql, ts_sql
from finops.ingest._common import md5_key, status_cols, struct
from finops.ingest._vendor import extra_sql
from finops.ingest.gemini import BODY, audio_sql, is_batch_line_py, usage_cols, usage_problem_sql

NOT_BILLED = "failed batch request (not billed)"


def _gemini_like(response: Any) -> bool:
    return isinstance(response, dict) and any(k in response for k in ("usageMetadata", "modelVersion", "candidates"))


def _batch_sql(line: dict[str, Any], failed: str, **cols: str) -> str:
    """The SELECT of a batch output format: `line` the line's structure (its `response` a Gemini body), `failed`
    a condition on `b` (the parsed line) for a request that failed, `cols` the staged columns that differ (they
    read the response as `r`).

    A line that is a bare GenerateContentResponse (the API reference describes the results file as "a single
    response per line"; the files seen hold `key` + `response`) is its own response: such a file is sniffed as
    `gemini`, and `--format gemini.batch` reads it at the batch tier."""
    m = "r.usageMetadata"
    problem = f"case when r is null then 'neither a response nor an error' else {usage_problem_sql(m)} end"
    skip = f"""case when {failed} then '{NOT_BILLED}'
                    when r is not null and {m} is null then 'response without usageMetadata (blocked or empty)'
               end"""
    select = staged_select(
        **status_cols("problem", "skip"),
        line="line",
        dedupe_key=md5_key("google", "r.responseId"),
        record_kind="'call'",
        request_count="1",
        provider="'google'",
        model_raw="r.modelVersion",
        service_tier="'batch'",
        request_id="r.responseId",
        extra=extra_sql(drop=("request", "response", *BODY)),
        **usage_cols(m),
        **cols,
    )
    bare = "{" + ", ".join(f"'{k}': b.{k}" for k in BODY) + "}"
    src = f"select line, raw, {parse_sql('raw', struct({**BODY, **line}))} as b from recs"
    src = layer(
        src,
        r=f"""case when b.response is not null then b.response
                   when b.usageMetadata is not null or b.modelVersion is not null then {bare} end""",
    )
    return f"select {select}\nfrom ({layer(src, problem=problem, skip=skip, **audio_sql(m))})"


@register
class GeminiBatch(LogFormat):
    name = "gemini.batch"
    title = "Gemini API Batch Mode results file (JSONL)"
    identifies = "key (or metadata) + response (GenerateContentResponse) or error; no time"
    example = "aispend ingest batch-results.jsonl --assume-time 2025-07-01T21:30:00Z"
    has_time = False
    priority = 20

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            is_batch_line_py(r) and "request" not in r and (_gemini_like(r.get("response")) or "error" in r)
            for r in records
        )

    def sql(self) -> str:
        line = {"key": "VARCHAR", "metadata": "JSON", "response": BODY, "error": "JSON"}
        return _batch_sql(
            line,
            "b.error is not null and json_type(b.error) <> 'NULL'",
            ts="null",
            ts_source="null",
            platform="'gemini_api'",
            tags_json=tags_json_sql("b.metadata", "r.labels"),
        )


@register
class VertexBatch(LogFormat):
    name = "vertex.batch"
    title = "Vertex AI batch prediction output for Gemini (predictions.jsonl)"
    identifies = "request + status + processed_time (+ response, a GenerateContentResponse)"
    example = "aispend ingest prediction-model-2025-01-01T00:00:00.000000Z/predictions.jsonl"
    priority = 20

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            is_batch_line_py(r) and "request" in r and (_gemini_like(r.get("response")) or "response" not in r)
            for r in records
        )

    def sql(self) -> str:
        line = {"status": "JSON", "processed_time": "VARCHAR", "response": BODY}
        # `status` is "" for a request that succeeded, the error text otherwise
        failed = """(b.status is not null and json_type(b.status) <> 'NULL'
                     and coalesce(b.status ->> '$', '') <> '')"""
        return _batch_sql(
            line,
            failed,
            ts=f"coalesce({ts_sql('b.processed_time')}, {ts_sql('r.createTime')})",
            ts_source="'record'",
            platform="'vertex'",
            tags_json=tags_json_sql("r.labels"),
        )
