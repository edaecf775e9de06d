"""Gemini API and Vertex AI `generateContent` responses (and their streamed chunks).

Counting: `promptTokenCount` INCLUDES `cachedContentTokenCount`; `thoughtsTokenCount` is OUTSIDE
`candidatesTokenCount` and billed as output; `toolUsePromptTokenCount` is billed as input.
Streams repeat `responseId` with a CUMULATIVE usageMetadata: the largest chunk wins; Vertex stream chunks
before the last carry `usageMetadata` with no counts (only `trafficType`): skipped when a chunk of the same
response has counts, else quarantined (a stream cut before its usage). Vertex bodies
carry `createTime` and `usageMetadata.trafficType`; Gemini API bodies carry no time. Lines of batch output
files (is_batch_line_py) are not read here but by gemini_batch.py, at the batch tier.

Streams without `responseId` (API versions before it was sent): nothing names the stream, so its chunks are
recognised by order. A chunk is superseded (skipped with a count) when it is an unfinished stream chunk (it
has candidates, none with a `finishReason`) and the NEXT record is an id-less chunk of the same model whose
cumulative counts did not go down: a captured stream (a JSON array from streamGenerateContent, SSE `data:`
lines, or consecutive lines) counts once, on its last chunk. A finished response (finishReason) or a blocked
one (no candidates) is never superseded, so separate calls in a row are all counted. Limits: two id-less
streams interleaved in one file cannot be told apart (each chunk followed by the other stream's is counted);
a large file read in several batches may count one extra chunk where a batch ends inside a stream.

Audio: `promptTokensDetails` / `candidatesTokensDetails` split the counts by modality. AUDIO prompt tokens
that are not cached (`cacheTokensDetails`) move from input_uncached to audio_in, AUDIO candidates from output
to audio_out (their own rates; image, video and document tokens are billed at the text rate). Cached audio
stays in cache_read, at the text cache rate.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import (
    ENVELOPE_TIME_KEYS,
    LogFormat,
    envelope_ts_sql,
    layer,
    staged_select,
    tags_json_sql,
    tier_sql,
    ts_sql,
    unwrap_sql,
)
from finops.ingest._common import md5_key, status_cols, struct, unwrap_py

BODY = {
    "responseId": "VARCHAR",
    "modelVersion": "VARCHAR",
    "createTime": "VARCHAR",
    "usageMetadata": {
        "promptTokenCount": "BIGINT",
        "candidatesTokenCount": "BIGINT",
        "thoughtsTokenCount": "BIGINT",
        "cachedContentTokenCount": "BIGINT",
        "toolUsePromptTokenCount": "BIGINT",
        "totalTokenCount": "BIGINT",
        "promptTokensDetails": [{"modality": "VARCHAR", "tokenCount": "BIGINT"}],
        "candidatesTokensDetails": [{"modality": "VARCHAR", "tokenCount": "BIGINT"}],
        "cacheTokensDetails": [{"modality": "VARCHAR", "tokenCount": "BIGINT"}],
        "trafficType": "VARCHAR",
        "serviceTier": "VARCHAR",
    },
    "labels": "JSON",
    "candidates": [{"finishReason": "VARCHAR"}],
}


def _modality(details: str, modality: str) -> str:
    """SQL: the tokens of one modality in a Gemini `*TokensDetails` list (0 when absent)."""
    return (
        f"coalesce(list_sum(list_transform(list_filter(coalesce({details}, []), "
        f"lambda d: upper(d.modality) = '{modality}'), lambda d: d.tokenCount)), 0)"
    )


def is_batch_line_py(r: dict[str, Any]) -> bool:
    """Whether a record is a line of a Gemini batch output file, read by gemini_batch.py (tier batch), not as a
    logged response: Gemini API Batch Mode (`key` or `metadata` beside `response` / `error`, no time) or Vertex
    AI batch prediction (`request` + `status` beside `response`, `processed_time`)."""
    if "custom_id" in r or "recordId" in r:
        return False
    if "request" in r and "status" in r:  # Vertex AI batch prediction: status "" or the error text
        timed = any(k in r for k in ENVELOPE_TIME_KEYS)  # an application log's HTTP status, request and response
        return "processed_time" in r or (isinstance(r["status"], str) and "response" in r and not timed)
    answered = isinstance(r.get("response"), dict) or isinstance(r.get("error"), dict)
    return answered and ("key" in r or "metadata" in r) and not any(k in r for k in ENVELOPE_TIME_KEYS)


def usage_problem_sql(m: str) -> str:
    """SQL: why a Gemini usageMetadata struct `m` cannot be priced (NULL when it can)."""
    return f"""case when {m}.promptTokenCount is null then 'usageMetadata has no promptTokenCount'
                    when coalesce({m}.cachedContentTokenCount, 0) > {m}.promptTokenCount
                        then 'cachedContentTokenCount exceeds promptTokenCount' end"""


def audio_sql(m: str) -> dict[str, str]:
    """SQL for the columns `audio_in` / `audio_out` of a usageMetadata struct `m` (computed in a layer below
    usage_cols, which reads them by name)."""
    audio_in = f"""least(greatest({_modality(m + ".promptTokensDetails", "AUDIO")}
                                  - {_modality(m + ".cacheTokensDetails", "AUDIO")}, 0),
                         greatest({m}.promptTokenCount - coalesce({m}.cachedContentTokenCount, 0), 0))"""
    spoken = _modality(m + ".candidatesTokensDetails", "AUDIO")
    return {"audio_in": audio_in, "audio_out": f"least({spoken}, coalesce({m}.candidatesTokenCount, 0))"}


def usage_cols(m: str) -> dict[str, str]:
    """The token columns of a usageMetadata struct `m` (Gemini API and Vertex: the counting convention in the
    module docstring), reading the `audio_in` / `audio_out` columns of audio_sql."""
    return {
        "input_uncached": (
            f"{m}.promptTokenCount - coalesce({m}.cachedContentTokenCount, 0)"
            f" + coalesce({m}.toolUsePromptTokenCount, 0) - audio_in"
        ),
        "cache_read": f"coalesce({m}.cachedContentTokenCount, 0)",
        "output": f"coalesce({m}.candidatesTokenCount, 0) + coalesce({m}.thoughtsTokenCount, 0) - audio_out",
        "audio_in": "audio_in",
        "audio_out": "audio_out",
        "reasoning": f"coalesce({m}.thoughtsTokenCount, 0)",
    }


@register
class Gemini(LogFormat):
    name = "gemini"
    title = "Gemini API / Vertex AI generateContent responses"
    identifies = "usageMetadata.promptTokenCount + modelVersion (Vertex: createTime, trafficType)"
    example = "aispend ingest generate_content.jsonl"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            ("usageMetadata" in (b := unwrap_py(r)) or "modelVersion" in b) and not is_batch_line_py(r) for r in records
        )

    def sql(self) -> str:
        m = "b.usageMetadata"
        problem = usage_problem_sql(m)
        skip = f"""case when {m} is null then 'response without usageMetadata (blocked or empty)'
                        when not counted and call_counted
                            then 'stream chunk without token counts (the call is counted on a later chunk)'
                        when superseded
                            then 'stream chunk without responseId (usage is cumulative: counted on the last chunk)'
                   end"""
        vertex = f"(b.createTime is not null or {m}.trafficType is not null)"
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key=md5_key("google", "b.responseId"),
            pref=f"coalesce({m}.totalTokenCount, {m}.promptTokenCount + coalesce({m}.candidatesTokenCount, 0))",
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce({ts_sql('b.createTime')}, {envelope_ts_sql()})",
            ts_source="case when b.createTime is not null then 'record' else 'envelope' end",
            provider="'google'",
            platform=f"case when {vertex} then 'vertex' else 'gemini_api' end",
            model_raw="b.modelVersion",
            **usage_cols(m),
            service_tier=tier_sql(f"coalesce({m}.trafficType, {m}.serviceTier)"),
            tags_json=tags_json_sql("env.tags", "env.metadata", "b.labels"),
            request_id="b.responseId",
        )
        src = unwrap_sql(struct(BODY), bare="b.usageMetadata is not null and b.modelVersion is not null")
        # Vertex streams send `usageMetadata: {"trafficType": …}` alone on every chunk before the last
        counts = ("promptTokenCount", "candidatesTokenCount", "totalTokenCount")
        counted = "(" + " or ".join(f"{m}.{c} is not null" for c in counts) + ")"
        src = layer(src, counted=counted)
        src = layer(
            src,
            call_counted="case when b.responseId is null then counted "
            "else bool_or(counted) over (partition by b.responseId) end",
        )
        # the next parsed record (blank lines sit between SSE `data:` lines)
        src = layer(src, nxt="lead(b) over (partition by b is null order by line)")
        total = "coalesce({u}.totalTokenCount, {u}.promptTokenCount + coalesce({u}.candidatesTokenCount, 0))"
        unfinished = (
            "len(b.candidates) > 0 and len(list_filter(b.candidates, lambda c: c.finishReason is not null)) = 0"
        )
        src = layer(
            src,
            superseded=f"""coalesce(b.responseId is null and nxt.responseId is null and nxt.usageMetadata is not null
                and nxt.modelVersion is not distinct from b.modelVersion and {unfinished}
                and (not counted or {total.format(u=m)} <= {total.format(u="nxt.usageMetadata")}), false)""",
        )
        src = layer(src, problem=problem, skip=skip, **audio_sql(m))
        return f"select {cols}\nfrom ({src})"
