"""Amazon Bedrock model-invocation logs (`schemaType: ModelInvocationLog`), as delivered to S3 (JSONL,
often .json.gz) or exported from CloudWatch Logs.

CloudWatch exports are unwrapped first (`read`): a JSON list of `{"@message": "<json>", "@timestamp", …}`
(console / PowerShell export, often with a UTF-8 BOM), Logs Insights results
`{"results": [[{"field", "value"}, …]]}` (the `@message` field, else the row's fields rebuilt into an
object; or that table downloaded as CSV from the console, with an `@message` column),
`{"events": [{"message": …}]}` (GetLogEvents / FilterLogEvents), and the payload a CloudWatch
Logs subscription filter sends to Firehose / Lambda / Kinesis, `{"messageType": "DATA_MESSAGE", "owner",
"logGroup", "logStream", "subscriptionFilters", "logEvents": [{"id", "timestamp", "message"}]}` (AWS
Powertools CloudWatchLogsDecode schema; boto3 put_subscription_filter docs), which Firehose writes to S3
one after another, with or without newlines (`CONTROL_MESSAGE` payloads hold no records). JSONL lines
wrapping a record in `@message` are unwrapped in SQL.

Counting: `input.inputTokenCount` EXCLUDES cache (`input.cacheReadInputTokenCount`,
`input.cacheWriteInputTokenCount` are separate); `output.outputTokenCount` is the output. When the top-level
counts are missing, the counts inside `output.outputBodyJson.usage` (Anthropic snake_case or Converse
camelCase, same convention) are used; the body's TTL split (Anthropic
`cache_creation.ephemeral_1h_input_tokens`, Converse `cacheDetails`) splits the writes, else all are 5-minute
writes. Calls a guardrail blocked carry no token counts: skipped (not billed), as are failed calls
(`errorCode`) without counts. A failed call that still logged token counts (a stream cut by
ModelStreamErrorException, a ModelTimeoutException) is kept, tagged `error_code`, with service tier `failed`:
AWS documents no billing rule for a call that ends in an error (aws.amazon.com/bedrock/pricing: "charged for
every input token processed and every output token generated", nothing on failed calls; the Bedrock user
guide's troubleshooting-api-error-codes page: causes and retries, no billing), so priced_usage flags it
`failed_call` without a cost, never as a normal call, and the total says "at least". Dedupe: `requestId` (key
`bedrock:<requestId>`, shared with bedrock.converse). Model: `modelId` (ARNs and inference profiles are
normalised at insert); an application inference profile ARN (`…:application-inference-profile/<id>`) names no
model, so the model the response body names (an Anthropic InvokeModel body's `model`, also in a stream's
`message_start`) is used, with the profile kept as tag `inference_profile` (without a body the profile stays
the model: unpriced). A prompt router's ARN names no model either: the response's
`trace.promptRouter.invokedModelId` (AWS Bedrock API reference, ConverseTrace / PromptRouterTrace; a stream's
metadata event carries the same trace) is the model billed, the router kept as tag `prompt_router`.
Service tier (_common.bedrock_tier): the log's `serviceTier`, else the Converse response's `serviceTier` /
`performanceConfig` (a stream's metadata event), else the request's (`input.inputBodyJson`); `type` default is
standard, `performanceConfig.latency == "optimized"` is tier latency_optimized.
Region: where the call ran (`inferenceRegion`), else where it was made (`region`). Tags:
`requestMetadata`, plus the caller from `identity.arn` (role and session of an assumed role, or the IAM
user) and `account`.

Streamed calls (ConverseStream, InvokeModelWithResponseStream) log `output.outputBodyJson` as an ARRAY
of the stream's events: the usage of a Converse stream is in its `metadata` event, the cache-write TTL
split of an Anthropic stream in `message_start.message.usage.cache_creation`; both are read from the array.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from finops.arrow import int64_array, string_array, table_of
from finops.ingest import register
from finops.ingest._base import (
    Container,
    LogFormat,
    layer,
    parse_sql,
    read_all,
    staged_select,
    ts_sql,
)
from finops.ingest._common import bedrock_tier, status_cols, struct
from finops.ingest._vendor import extra_sql, json_map_sql, map_concat_sql, tag_entries_sql, with_vendor

SCHEMA = "ModelInvocationLog"
BODY_USAGE = {
    "input_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "cache_read_input_tokens": "BIGINT",
    "cache_creation_input_tokens": "BIGINT",
    "cache_creation": {"ephemeral_1h_input_tokens": "BIGINT"},
    "inputTokens": "BIGINT",
    "outputTokens": "BIGINT",
    "cacheReadInputTokens": "BIGINT",
    "cacheReadInputTokenCount": "BIGINT",
    "cacheWriteInputTokens": "BIGINT",
    "cacheWriteInputTokenCount": "BIGINT",
    "cacheDetails": [{"inputTokens": "BIGINT", "ttl": "VARCHAR"}],
    "speed": "VARCHAR",  # an Anthropic body's fast mode (see _common.anthropic_tier)
}
# the tier a Converse request / response names (AWS Bedrock API reference, Converse: serviceTier (ServiceTier,
# `type`), performanceConfig (PerformanceConfiguration, `latency`); a stream's metadata event carries both)
TIER_FIELDS: dict[str, Any] = {"serviceTier": "JSON", "performanceConfig": {"latency": "VARCHAR"}}
RECORD = {
    "schemaType": "VARCHAR",
    "timestamp": "VARCHAR",
    "accountId": "VARCHAR",
    "identity": {"arn": "VARCHAR"},
    "region": "VARCHAR",
    "inferenceRegion": "VARCHAR",
    "requestId": "VARCHAR",
    "operation": "VARCHAR",
    "modelId": "VARCHAR",
    "requestMetadata": "JSON",
    "errorCode": "VARCHAR",
    "serviceTier": "JSON",
    "input": {
        "inputTokenCount": "BIGINT",
        "cacheReadInputTokenCount": "BIGINT",
        "cacheWriteInputTokenCount": "BIGINT",
        # what a Converse request asked for (the response says what it was served at: read first)
        "inputBodyJson": TIER_FIELDS,
    },
    "output": {
        "outputTokenCount": "BIGINT",
        "outputBodyJson": {
            "usage": BODY_USAGE,
            "model": "VARCHAR",
            "trace": {"promptRouter": {"invokedModelId": "VARCHAR"}},
            **TIER_FIELDS,
        },
    },
}


def _message(obj: Any) -> str:
    """A wrapped log message as JSON text (CloudWatch keeps it as a string; some tools as an object)."""
    return obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))


def _insights_row(row: Any) -> str:
    """One Logs Insights result row → the logged record: its `@message`, else its fields as an object
    (`input.inputTokenCount` → {"input": {"inputTokenCount": …}}; numbers given as text are parsed)."""
    fields = {f.get("field"): f.get("value") for f in row if isinstance(f, dict)} if isinstance(row, list) else {}
    if "@message" in fields:
        return _message(fields["@message"])
    out: dict[str, Any] = {}
    for name, value in fields.items():
        if not isinstance(name, str) or name.startswith("@"):
            continue
        node = out
        *parents, leaf = name.split(".")
        for p in parents:
            nxt = node.setdefault(p, {})
            node = nxt if isinstance(nxt, dict) else {}
        node[leaf] = int(value) if isinstance(value, str) and value.isdigit() else value
    return json.dumps(out, separators=(",", ":"))


def _is_subscription(doc: Any) -> bool:
    """A CloudWatch Logs subscription payload (`messageType` + `logEvents`)."""
    return isinstance(doc, dict) and isinstance(doc.get("logEvents"), list) and "messageType" in doc


def unwrap_cloudwatch(doc: Any) -> list[str] | None:
    """The records of a CloudWatch export as JSON texts, or None when `doc` is not such an export."""
    if isinstance(doc, dict) and isinstance(doc.get("results"), list):
        return [_insights_row(row) for row in doc["results"]]
    if isinstance(doc, dict) and isinstance(doc.get("events"), list):
        return [_message(e.get("message")) if isinstance(e, dict) else _message(e) for e in doc["events"]]
    if _is_subscription(doc):  # a CONTROL_MESSAGE (a health check) carries no log records
        events = doc["logEvents"] if doc.get("messageType") == "DATA_MESSAGE" else []
        return [_message(e.get("message")) if isinstance(e, dict) else _message(e) for e in events]
    if isinstance(doc, list) and any(_is_subscription(x) for x in doc[:40]):
        # Firehose: payloads one after another (anything else in the list holds no records)
        return [t for x in doc for t in (unwrap_cloudwatch(x) if _is_subscription(x) else None) or []]
    if isinstance(doc, list) and any(isinstance(x, dict) and "@message" in x for x in doc[:40]):
        return [_message(x.get("@message")) if isinstance(x, dict) else _message(x) for x in doc]
    return None


def _records(texts: list[str]) -> pa.Table:
    return table_of({"line": int64_array(np.arange(1, len(texts) + 1, dtype=np.int64)), "raw": string_array(texts)})


def _is_log(r: Any) -> bool:
    if isinstance(r, str):
        try:
            r = json.loads(r)
        except ValueError:
            return False
    return isinstance(r, dict) and r.get("schemaType") == SCHEMA


@register
class BedrockInvocationLog(LogFormat):
    name = "bedrock.invocation_log"
    title = "Amazon Bedrock model-invocation logs (S3 JSONL, CloudWatch exports)"
    identifies = "schemaType == 'ModelInvocationLog' (also in CloudWatch @message / results / events, S3 exports)"
    example = "aispend ingest AWSLogs/123456789012/BedrockModelInvocationLogs/"
    priority = 5
    # csv: a Logs Insights table downloaded as CSV (the query's fields as columns, `@message` among them)
    containers = ("jsonl", "timestamped", "document", "array", "csv")

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        for r in records:
            if _is_log(r) or ("@message" in r and _is_log(r["@message"])):
                return True
            wrapped = unwrap_cloudwatch(r) if ("results" in r or "events" in r or "logEvents" in r) else None
            if wrapped and any(_is_log(x) for x in wrapped[:40]):
                return True
        return False

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        if container.kind == "csv":  # each row's @message (a row the CSV reader could not split: its text)
            for t in read_all(path, container, ("@message",)):
                yield table_of({"line": t.column("line"), "raw": pc.coalesce(t.column("@message"), t.column("_raw"))})
        elif container.kind == "document":
            doc = container.document
            texts = unwrap_cloudwatch(doc)
            if texts is None:
                items = doc if isinstance(doc, list) else [doc]
                texts = [_message(x) for x in items]
            yield _records(texts)
        elif container.kind == "jsonl" and any(_is_subscription(r) for r in container.sample):
            # subscription payloads one per line (Firehose with a newline delimiter): each line's events,
            # numbered by the line they came from
            for table in read_all(path, container):
                lines, texts = [], []
                for line, raw in zip(table.column("line").to_pylist(), table.column("raw").to_pylist(), strict=True):
                    try:
                        doc = json.loads(raw)
                    except ValueError:
                        doc = None
                    got = unwrap_cloudwatch(doc) if _is_subscription(doc) else None
                    for text in got if got is not None else [raw]:
                        lines.append(line)
                        texts.append(text)
                yield table_of({"line": int64_array(lines), "raw": string_array(texts)})
        else:  # JSONL, or a large JSON array streamed by DuckDB: "@message" is unwrapped in SQL
            yield from read_all(path, container)

    def sql(self) -> str:
        inp = "coalesce(b.input.inputTokenCount, bu.input_tokens, bu.inputTokens)"
        out = "coalesce(b.output.outputTokenCount, bu.output_tokens, bu.outputTokens)"
        read = "coalesce(b.input.cacheReadInputTokenCount, bu.cache_read_input_tokens, bu.cacheReadInputTokens, bu.cacheReadInputTokenCount, 0)"  # noqa: E501
        write = "coalesce(b.input.cacheWriteInputTokenCount, bu.cache_creation_input_tokens, bu.cacheWriteInputTokens, bu.cacheWriteInputTokenCount, 0)"  # noqa: E501
        details_1h = "list_sum(list_transform(list_filter(coalesce(bu.cacheDetails, []), lambda d: lower(d.ttl) = '1h'), lambda d: d.inputTokens))"  # noqa: E501
        w1h = f"least(t_write, coalesce(bu.cache_creation.ephemeral_1h_input_tokens, {details_1h}, stream_1h, 0))"
        streamed = "b.operation like '%Stream'"
        # a stream's events (outputBodyJson is an array): the last Converse `metadata` event's usage, and the
        # 1h cache writes an Anthropic stream's message_start reports
        last = "list_filter(json_extract(rec, '$.output.outputBodyJson[*].{}'), lambda x: x is not null)[-1]"
        stream_usage = (
            f"case when {streamed} then json_transform({last.format('metadata.usage')}, '{struct(BODY_USAGE)}') end"
        )
        path_1h = "message.usage.cache_creation.ephemeral_1h_input_tokens"
        stream_1h = f"case when {streamed} then try_cast({last.format(path_1h)} as bigint) end"
        body = "b.output.outputBodyJson"
        # an application inference profile hides the model: the body's own `model`, where it names one
        first_model = "try(json_extract_string(rec, '$.output.outputBodyJson[0].message.model'))"
        # a prompt router (`…:default-prompt-router/…`, `…:prompt-router/…`) names the model it chose in the
        # response's trace.promptRouter.invokedModelId (a stream's: its metadata event's trace)
        routed = f"""coalesce({body}.trace.promptRouter.invokedModelId, case when {streamed} then
            {last.format("metadata.trace.promptRouter.invokedModelId")} ->> '$' end)"""
        app_profile = "contains(b.modelId, ':application-inference-profile/')"
        body_model = f"""coalesce(nullif(trim({routed}), ''),
            case when {app_profile} then nullif(trim(coalesce({body}.model, {first_model})), '') end)"""
        model = "coalesce(body_model, b.modelId)"
        guardrail = (
            'regexp_matches(rec, \'"amazon-bedrock-guardrailAction"\\s*:\\s*"INTERVENED"|'
            '"stopReason"\\s*:\\s*"guardrail_intervened"\')'
        )
        skip = f"""case
            when b.schemaType is distinct from '{SCHEMA}'
                then 'not a ModelInvocationLog record (schemaType ' || coalesce(b.schemaType, 'missing') || ')'
            when t_in is null and t_out is null and {guardrail} then 'guardrail intervened: no tokens'
            when t_in is null and t_out is null and b.errorCode is not null
                then 'failed call (' || b.errorCode || '): no tokens'
        end"""
        problem = """case
            when t_in is null and t_out is null then 'no token counts (input.inputTokenCount, output.outputTokenCount)'
            when t_in is null then 'no input.inputTokenCount'
        end"""
        arn = "b.identity.arn"
        caller = tag_entries_sql(
            ("account", "b.accountId"),
            ("role", f"nullif(regexp_extract({arn}, ':assumed-role/([^/]+)', 1), '')"),
            ("session", f"nullif(regexp_extract({arn}, ':assumed-role/[^/]+/(.+)$', 1), '')"),
            ("user", f"nullif(regexp_extract({arn}, ':user/(.+)$', 1), '')"),
            ("error_code", "b.errorCode"),
        )
        profile = tag_entries_sql(
            (
                "inference_profile",
                f"case when body_model is not null and {app_profile} then regexp_extract(b.modelId, '[^/]+$') end",
            ),
            (
                "prompt_router",
                "case when body_model is not null and contains(b.modelId, 'prompt-router/') then b.modelId end",
            ),
        )
        # the tier served: the log's own serviceTier, the response's (a stream's metadata event), the request's
        tier_json = f"""coalesce(b.serviceTier, {body}.serviceTier,
            case when {streamed} then {last.format("metadata.serviceTier")} end, b.input.inputBodyJson.serviceTier)"""
        latency = f"""coalesce({body}.performanceConfig.latency,
            case when {streamed} then {last.format("metadata.performanceConfig.latency")} ->> '$' end,
            b.input.inputBodyJson.performanceConfig.latency)"""
        served = bedrock_tier("tier", "latency", "bu.speed")
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            dedupe_key="coalesce('bedrock:' || b.requestId, 'md5:' || md5(rec))",
            pref="case when t_in is null then 0 else 1 end",
            record_kind="'call'",
            request_count="1",
            ts=ts_sql("b.timestamp"),
            ts_source="'record'",
            provider="coalesce(vendor, 'unknown')",
            platform="'bedrock'",
            model_raw="model",
            input_uncached="t_in",
            cache_read="t_read",
            cache_write_5m="t_write - w1h",
            cache_write_1h="w1h",
            output="coalesce(t_out, 0)",
            # a failed call that logged tokens: no documented billing, flagged failed_call (module docstring)
            service_tier=f"case when b.errorCode is not null then 'failed' else {served} end",
            region="coalesce(b.inferenceRegion, b.region)",
            tags=map_concat_sql(caller, profile, json_map_sql("b.requestMetadata")),
            request_id="b.requestId",
            extra=extra_sql("rec"),
        )
        # status_cols reads `raw`: the record text, unwrapped from a JSONL line's "@message" if need be
        src = f"""
            select line, rec as raw, rec, bu, b, stream_1h, body_model from (
                select line, rec, b, coalesce(b.output.outputBodyJson.usage, {stream_usage}) as bu,
                       {stream_1h} as stream_1h, {body_model} as body_model
                from (
                    select line, rec, {parse_sql("rec", struct(RECORD))} as b
                    from (
                        select line, case when contains(raw, '"@message"')
                                          then coalesce(try(json_extract_string(raw, '$."@message"')), raw)
                                          else raw end as rec
                        from recs
                    )
                )
            )"""
        src = layer(src, t_in=inp, t_out=out, t_read=read, t_write=write, tier_json=tier_json, latency=latency)
        src = layer(src, tier="coalesce(tier_json ->> '$.type', tier_json ->> '$')")
        src = layer(with_vendor(layer(src, model=model), "model"), w1h=w1h, skip=skip, problem=problem)
        return f"select {cols}\nfrom ({src})"
