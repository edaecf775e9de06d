"""Amazon Bedrock batch inference output (`<input file>.jsonl.out` in the job's S3 output folder).

One line per input record: `{"recordId": "...", "modelInput": {...}, "modelOutput": {...}}`, or with
`"error": {"errorCode": 400, "errorMessage": "..."}` in place of modelOutput. `modelOutput` is the model's
own InvokeModel response body (a Converse response body for Converse jobs). Source: AWS Bedrock user guide,
"View the results of a batch inference job" (batch-inference-results.html), which also documents the
`manifest.json.out` beside the outputs (record, error and token totals only: no model id). Batch inference is
billed at 50% of on-demand (bedrock.toml, source aws-bedrock-batch): tier batch, whatever the body says.

Bodies read, each in its vendor's counting convention:
- Anthropic Messages (`usage.input_tokens`, cache reads and writes OUTSIDE it; _common.anthropic_buckets);
- Amazon Nova / Converse (`usage.inputTokens`, cache OUTSIDE it; bedrock_converse.converse_buckets; shape:
  Amazon Nova user guide, "Response structure highlights");
- Amazon Titan Text (`inputTextTokenCount`, `results[].tokenCount`; the AWS results page's own example) and
  Titan embeddings (`inputTextTokenCount` alone);
- Meta Llama (`prompt_token_count`, `generation_token_count`; Bedrock "Meta Llama models" page).
A body with none of these counts (e.g. Mistral's `outputs[]`) is quarantined, never counted as zero.

The model: a line names it only inside an Anthropic body (`model`). The job's modelId is in the
CreateModelInvocationJob / GetModelInvocationJob responses, not in the output folder (manifest.json.out has
none), so a Nova, Titan or Llama line is quarantined with that reason rather than priced at a guessed
model (their sizes are priced very differently). Errored records are skipped with a count (not billed).

Time: none in the line: --assume-time (the job's endTime), else the file's modification time.
Dedupe key: `anthropic:<message id>` for Anthropic bodies (`msg_bdrk_…`, the key every Anthropic format
gives a message), else a hash of the line: `recordId` is the caller's (often CALL0000001…) and repeats
across jobs. A re-run of the same output stores nothing new; two jobs with byte-identical lines (same
recordId, prompt and answer) count once. The prompt and the answer are never stored (`extra` keeps the
line's other fields).
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select
from finops.ingest._common import ANTHROPIC_USAGE, anthropic_buckets, md5_key, status_cols, struct
from finops.ingest._vendor import extra_sql, q
from finops.ingest.bedrock_converse import BODY as CONVERSE_BODY
from finops.ingest.bedrock_converse import converse_buckets

CONVERSE_USAGE: dict[str, Any] = CONVERSE_BODY["usage"]  # type: ignore[assignment]
USAGE = {**{k: v for k, v in ANTHROPIC_USAGE.items() if k != "iterations"}, **CONVERSE_USAGE}
OUTPUT = {
    "id": "VARCHAR",
    "type": "VARCHAR",
    "model": "VARCHAR",
    "usage": USAGE,
    "inputTextTokenCount": "BIGINT",  # Titan
    "results": [{"tokenCount": "BIGINT"}],
    "prompt_token_count": "BIGINT",  # Llama
    "generation_token_count": "BIGINT",
}
LINE = {"recordId": "VARCHAR", "modelOutput": OUTPUT, "error": "JSON"}
NO_MODEL = (
    "no model id: Bedrock batch output names its model only in Anthropic bodies "
    "(the job's modelId is in GetModelInvocationJob, not in the file)"
)
_FAMILY = """case when o.usage.input_tokens is not null then 'anthropic'
                  when o.usage.inputTokens is not null then 'converse'
                  when o.inputTextTokenCount is not null then 'titan'
                  when o.prompt_token_count is not null then 'llama' end"""


def _by_family(**per_family: dict[str, str]) -> dict[str, str]:
    """One CASE per token column over the body's family; a family that lacks a column gives 0."""
    cols = {c for d in per_family.values() for c in d}
    return {
        c: "case family " + " ".join(f"when '{f}' then {d.get(c, '0')}" for f, d in per_family.items()) + " end"
        for c in sorted(cols)
    }


@register
class BedrockBatch(LogFormat):
    name = "bedrock.batch"
    title = "Amazon Bedrock batch inference output (*.jsonl.out)"
    identifies = "recordId + modelInput + modelOutput (the model's response body) or error"
    example = "aispend ingest s3-output/job-id/requests.jsonl.out --assume-time 2025-06-01T12:00:00Z"
    has_time = False
    priority = 20

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            "recordId" in r and (isinstance(r.get("modelOutput"), dict) or isinstance(r.get("error"), dict))
            for r in records
        )

    def sql(self) -> str:
        failed = "b.error is not null and json_type(b.error) <> 'NULL'"
        skip = f"case when {failed} then 'failed batch record (not billed)' end"
        problem = f"""case when o is null then 'neither modelOutput nor error'
                           when family is null then 'modelOutput without token counts'
                           when family = 'anthropic' and o.usage.output_tokens is null then 'usage has no output_tokens'
                           when family = 'converse' and o.usage.outputTokens is null then 'usage has no outputTokens'
                           when family = 'llama' and o.generation_token_count is null
                               then 'no generation_token_count'
                           when o.model is null or trim(o.model) = '' then {q(NO_MODEL)} end"""
        titan_out = "coalesce(list_sum(list_transform(o.results, lambda r: r.tokenCount)), 0)"
        buckets = _by_family(
            anthropic=anthropic_buckets("o.usage"),
            converse=converse_buckets("o.usage"),
            titan={"input_uncached": "o.inputTextTokenCount", "output": titan_out},
            llama={"input_uncached": "o.prompt_token_count", "output": "o.generation_token_count"},
        )
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=md5_key("anthropic", "o.id"),
            record_kind="'call'",
            request_count="1",
            ts="null",
            ts_source="null",
            provider="case family when 'anthropic' then 'anthropic' end",
            platform="'bedrock'",
            model_raw="o.model",
            service_tier="'batch'",
            request_id="coalesce(o.id, b.recordId)",
            extra=extra_sql(drop=("modelInput", "modelOutput")),
            **buckets,
        )
        src = f"select line, raw, {parse_sql('raw', struct(LINE))} as b from recs"
        src = layer(src, o="b.modelOutput")
        src = layer(src, family=_FAMILY)
        return f"select {cols}\nfrom ({layer(src, problem=problem, skip=skip)})"
