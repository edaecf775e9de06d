"""Langfuse: ingestion batches (`{"batch": [{id, type, timestamp, body}, …]}` as the SDKs and LiteLLM
post them) and observations exports (`GET /api/public/observations` pages `{"data": [...]}`, or the
observations as a JSON list / JSONL).

Generations are the calls: ingestion events `generation-create` / `generation-update` (and
`observation-*` / observations of type GENERATION or EMBEDDING). The events of one observation id are
merged (a later event's non-null field wins), so a create without usage plus an update with it is one
call; traces (`trace-create`) in the same file give the call's tags (user, session, trace name, tags,
environment, metadata). Spans, events, scores and traces are skipped with a count.

Counting: `usageDetails` keys are free-form and mapped by name (case-insensitive): `*total*` is a sum,
never added; `cache_read|cached|cache_hit` → cache_read; `cache_creation|cache_write` → cache writes
(`…1h…` → 1-hour); `reasoning|thought|thinking` → reasoning; other `input|prompt` keys → input;
`output|completion` keys → output. Langfuse's own convention makes these keys DISJOINT (its OpenAI
mapping subtracts `input_cached_tokens` from `input` and `output_reasoning_tokens` from `output`; total =
their sum): output = output keys + reasoning. When the keys add up to MORE than a given `total`, the
sender put cache and reasoning INSIDE input and output (OpenAI style): they are subtracted instead.
Legacy `usage{input, output, total, unit}` (or `promptTokens`/`completionTokens`) is used when there are
no usageDetails; a unit other than TOKENS is quarantined. `costDetails.total` (else the v2 API's
`totalCost`, `calculatedTotalCost`, legacy `usage.totalCost`, the sum of costDetails' other keys, legacy
`usage.inputCost` + `outputCost`) → reported_cost. Model: `model`, else `providedModelName` (the
name of the model in Observations API v2, GET /api/public/v2/observations: langfuse-client-base
ObservationV2, whose `model` field is gone). Time: `startTime`, else the event's `timestamp` (offsets are
honoured). Dedupe: `langfuse:<observation id>`.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, staged_select, ts_sql
from finops.ingest._common import struct
from finops.ingest._vendor import (
    direct_platform_sql,
    extra_sql,
    json_map_sql,
    map_concat_sql,
    tag_entries_sql,
    with_vendor,
)

OBS = {
    "id": "VARCHAR",
    "traceId": "VARCHAR",
    "type": "VARCHAR",
    "name": "VARCHAR",
    "startTime": "VARCHAR",
    "timestamp": "VARCHAR",
    "model": "VARCHAR",
    "providedModelName": "VARCHAR",
    "usageDetails": "JSON",
    "usage": {
        "input": "BIGINT",
        "output": "BIGINT",
        "promptTokens": "BIGINT",
        "completionTokens": "BIGINT",
        "unit": "VARCHAR",
        "totalCost": "VARCHAR",
        "inputCost": "VARCHAR",
        "outputCost": "VARCHAR",
    },
    "costDetails": "JSON",
    "totalCost": "VARCHAR",
    "calculatedTotalCost": "VARCHAR",
    "metadata": "JSON",
    "environment": "VARCHAR",
    "userId": "VARCHAR",
    "sessionId": "VARCHAR",
    "release": "VARCHAR",
    "tags": "JSON",
}
EVENT_TYPES = ("generation-", "embedding-", "trace-", "span-", "event-", "observation-", "score-", "sdk-log")
CALL_OBSERVATIONS = ("GENERATION", "EMBEDDING")
# the other observation types (Langfuse's agent types, 2025: AGENT, TOOL, CHAIN, RETRIEVER, EVALUATOR, GUARDRAIL)
OTHER_OBSERVATIONS = ("SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "GUARDRAIL")

# usageDetails key classes, checked in this order (a key belongs to the first class it matches)
_CLASSES = (
    ("total", "total"),
    ("cache_read", "cache_read|cached|cache_hit"),
    ("cache_1h", "(cache_creation|cache_write).*1h"),
    ("cache_write", "cache_creation|cache_write"),
    ("reasoning", "reasoning|thought|thinking"),
    ("input", "input|prompt"),
    ("output", "output|completion"),
)


def _class_sql(key: str) -> str:
    whens = " ".join(f"when regexp_matches(lower({key}), '{rx}') then '{c}'" for c, rx in _CLASSES)
    return f"(case {whens} end)"


def _sum(cls: str) -> str:
    return f"coalesce(list_sum(list_transform(list_filter(ue, lambda e: e.c = '{cls}'), lambda e: e.v)), 0)"


@register
class Langfuse(LogFormat):
    name = "langfuse"
    title = "Langfuse ingestion batches and observations exports"
    identifies = "batch[].type generation-create/update; observations (type GENERATION) with usageDetails"
    example = "aispend ingest langfuse_observations.json"
    whole_file = True
    priority = 30

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        def event(e: Any) -> bool:
            return isinstance(e, dict) and str(e.get("type", "")).startswith(EVENT_TYPES) and "body" in e

        def observation(o: Any) -> bool:
            return (
                isinstance(o, dict)
                and "traceId" in o
                and str(o.get("type", "")).upper() in (*CALL_OBSERVATIONS, *OTHER_OBSERVATIONS)
                and ("usageDetails" in o or "costDetails" in o or "usage" in o or "startTime" in o)
            )

        for r in records:
            items = r.get("batch") if isinstance(r.get("batch"), list) else r.get("data")
            if isinstance(items, list) and any(event(e) or observation(e) for e in items[:40]):
                return True
            if event(r) or observation(r):
                return True
        return False

    def sql(self) -> str:
        cats = _class_sql("e.key")
        known = "in ('cache_read', 'cache_1h', 'cache_write', 'reasoning', 'input', 'output')"
        s_all = "coalesce(list_sum(list_transform(list_filter(ue, lambda e: e.c " + known + "), lambda e: e.v)), 0)"
        total = "list_max(list_transform(list_filter(ue, lambda e: e.c = 'total'), lambda e: e.v))"
        has_details = "len(list_filter(ue, lambda e: e.c " + known + ")) > 0"
        legacy_in = "coalesce(g.usage.input, g.usage.promptTokens)"
        legacy_out = "coalesce(g.usage.output, g.usage.completionTokens)"
        unit_bad = "upper(coalesce(g.usage.unit, 'TOKENS')) not in ('TOKENS', 'TOKEN')"
        problem = f"""case
            when has_details then null
            when {legacy_in} is null and {legacy_out} is null then 'generation without usage'
            when {unit_bad} then 'usage unit ' || g.usage.unit || ' (not tokens)'
        end"""

        def det(a: str, b: str) -> str:
            return f"case when has_details then {a} else {b} end"

        meta = map_concat_sql(
            "map_from_entries(list_filter(coalesce(map_entries(" + json_map_sql("g.metadata") + "), []), "
            "lambda x: not (starts_with(x.value, '{') or starts_with(x.value, '['))))",
            json_map_sql("t.metadata"),
        )
        trace_tags = tag_entries_sql(
            ("trace", "g.traceId"),
            ("trace_name", "t.name"),
            ("user", "coalesce(t.userId, g.userId)"),
            ("session", "coalesce(t.sessionId, g.sessionId)"),
            ("environment", "coalesce(g.environment, t.environment)"),
            ("release", "t.release"),
            ("trace_tags", "nullif(array_to_string(try(json_transform(t.tags, '[\"VARCHAR\"]')), ','), '')"),
        )
        calls = staged_select(
            status="case when problem is null then 'ok' else 'reject' end",
            reason="problem",
            raw="case when problem is not null then raw end",
            line="line",
            dedupe_key="'langfuse:' || gid",
            record_kind="'call'",
            request_count="1",
            ts=ts_sql("ts_text"),
            ts_source="'record'",
            provider="coalesce(vendor, 'unknown')",
            platform=f"coalesce({direct_platform_sql('vendor')}, 'unknown')",
            model_raw="g.model",
            input_uncached=det("case when subset then u_in - u_cr - u_cw - u_c1h else u_in end", legacy_in),
            cache_read=det("u_cr", "0"),
            cache_write_5m=det("u_cw", "0"),
            cache_write_1h=det("u_c1h", "0"),
            output=det("case when subset then u_out else u_out + u_rs end", f"coalesce({legacy_out}, 0)"),
            reasoning=det("u_rs", "0"),
            service_tier="'standard'",
            tags=map_concat_sql(meta, trace_tags),
            reported_cost="""coalesce(try_cast(coalesce(cost_map['total'], g.totalCost, g.calculatedTotalCost,
                                                        g.usage.totalCost) as decimal(38, 12)),
                              cost_sum,
                              try_cast(g.usage.inputCost as decimal(38, 12))
                                  + try_cast(g.usage.outputCost as decimal(38, 12)))""",
            request_id="gid",
            extra=extra_sql("raw", nested=("body",)),
        )
        others = staged_select(
            status="case when trim(raw) = '' then 'skip' when ev is null then 'reject' else 'skip' end",
            reason="""case when trim(raw) = '' then 'blank line'
                           when ev is null then 'malformed JSON (or not a Langfuse batch / observation)'
                           when kind = 'observation' then 'observation of type ' || coalesce(o.type, 'unknown')
                           else kind || ' event' end""",
            raw="case when ev is null and trim(raw) <> '' then raw end",
            line="line",
        )
        ue = f"""list_transform(
                       coalesce(map_entries(try(json_transform(g.usageDetails, '"MAP(VARCHAR, DOUBLE)"'))), []),
                       lambda e: {{'c': {cats}, 'v': cast(round(coalesce(e.value, 0)) as bigint)}})"""
        sums = {c: _sum(c) for c in ("input", "output", "cache_read", "cache_1h", "cache_write", "reasoning")}
        cost_map = """try(json_transform(g.costDetails, '"MAP(VARCHAR, VARCHAR)"'))"""
        calls_sql = layer(
            "select * from gens", ue=ue, ts_text="coalesce(g.startTime, g.timestamp, ets)", cost_map=cost_map
        )
        # costDetails without `total` (an SDK's ingestion event): its keys are disjoint (Langfuse sums the
        # non-total keys into `total` itself: the ApiObservation docs), so their sum is the cost
        cost_sum = """list_sum(list_transform(list_filter(coalesce(map_entries(cost_map), []),
                                                          lambda e: lower(e.key) <> 'total'),
                                              lambda e: try_cast(e.value as decimal(38, 12))))"""
        calls_sql = layer(calls_sql, cost_sum=cost_sum)
        calls_sql = layer(
            calls_sql,
            has_details=has_details,
            total=total,
            s_all=s_all,
            u_in=sums["input"],
            u_out=sums["output"],
            u_cr=sums["cache_read"],
            u_c1h=sums["cache_1h"],
            u_cw=sums["cache_write"],
            u_rs=sums["reasoning"],
        )
        calls_sql = layer(calls_sql, subset="(total is not null and s_all > total)", problem=problem)
        calls_sql = with_vendor(calls_sql, "g.model")
        return f"""
        with src as (  -- nested CASEs: DuckDB may evaluate both sides of an AND (json_type fails on bad JSON)
            select line, raw, case when json_valid(raw) then json_type(raw) end as jt,
                   case when json_valid(raw) then json_type(raw, '$.batch') end as batch_t,
                   case when json_valid(raw) then json_type(raw, '$.data') end as data_t
            from recs
        ),
        ev as (
            select line, raw, pos, ev from src,
            unnest(case when batch_t = 'ARRAY' then json_extract(raw, '$.batch[*]')
                        when data_t = 'ARRAY' then json_extract(raw, '$.data[*]')
                        when jt = 'OBJECT' then [raw::json] else [null::json] end)
                with ordinality as u(ev, pos)
        ),
        p as (
            select line, raw, ev, line * 1000000 + pos as seq,
                   case when json_type(ev, '$.body') = 'OBJECT' then ev ->> '$.type' else 'observation' end as kind,
                   ev ->> '$.timestamp' as ets,
                   try(json_transform(case when json_type(ev, '$.body') = 'OBJECT' then ev -> '$.body' else ev end,
                                      '{struct(OBS)}')) as o
            from ev
        ),
        flagged as (
            select *, ev is not null and (
                kind like 'generation-%' or kind like 'embedding-%'
                or ((kind like 'observation-%' or kind = 'observation')
                    and upper(o.type) in ('GENERATION', 'EMBEDDING'))
            ) as is_call
            from p
        ),
        gens as (
            select coalesce(o.id, 'line:' || line || ':' || seq) as gid,
                   min(line) as line,
                   arg_max(cast(ev as varchar), seq) as raw,
                   arg_max(ets, seq) filter (where ets is not null) as ets,
                   {{
                       'traceId': arg_max(o.traceId, seq) filter (where o.traceId is not null),
                       'startTime': arg_max(o.startTime, seq) filter (where o.startTime is not null),
                       'timestamp': arg_max(o.timestamp, seq) filter (where o.timestamp is not null),
                       'model': arg_max(coalesce(o.model, o.providedModelName), seq)
                           filter (where coalesce(o.model, o.providedModelName) is not null),
                       'usageDetails': arg_max(o.usageDetails, seq)
                           filter (where o.usageDetails is not null and json_type(o.usageDetails) = 'OBJECT'),
                       'usage': arg_max(o.usage, seq) filter (where o.usage is not null),
                       'costDetails': arg_max(o.costDetails, seq)
                           filter (where o.costDetails is not null and json_type(o.costDetails) = 'OBJECT'),
                       'totalCost': arg_max(o.totalCost, seq) filter (where o.totalCost is not null),
                       'calculatedTotalCost': arg_max(o.calculatedTotalCost, seq)
                           filter (where o.calculatedTotalCost is not null),
                       'metadata': arg_max(o.metadata, seq) filter (where o.metadata is not null),
                       'environment': arg_max(o.environment, seq) filter (where o.environment is not null),
                       'userId': arg_max(o.userId, seq) filter (where o.userId is not null),
                       'sessionId': arg_max(o.sessionId, seq) filter (where o.sessionId is not null)
                   }} as g
            from flagged where is_call
            group by all
        ),
        traces as (
            select o.id as tid,
                   arg_max(o.name, seq) filter (where o.name is not null) as name,
                   arg_max(o.userId, seq) filter (where o.userId is not null) as userId,
                   arg_max(o.sessionId, seq) filter (where o.sessionId is not null) as sessionId,
                   arg_max(o.environment, seq) filter (where o.environment is not null) as environment,
                   arg_max(o.release, seq) filter (where o.release is not null) as release,
                   arg_max(o.tags, seq) filter (where o.tags is not null) as tags,
                   arg_max(o.metadata, seq) filter (where o.metadata is not null) as metadata
            from flagged where kind like 'trace-%' and o.id is not null
            group by o.id
        ),
        calls as ({calls_sql})
        select {calls} from calls left join traces t on t.tid = calls.g.traceId
        union all
        select {others} from flagged where not is_call
        """
