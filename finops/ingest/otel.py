"""OpenTelemetry GenAI spans in OTLP/JSON: one `{"resourceSpans": [...]}` document, or JSONL of them
(the collector's file exporter, one ExportTraceServiceRequest per line; its lines of metrics
`resourceMetrics` and logs `resourceLogs` are skipped with a count, any other line is quarantined).
`read` flattens every span into one record (DuckDB unnest), with its
resource and scope beside it and its events dropped (they may carry prompts).

Attributes (current names first, deprecated ones as fallbacks): `gen_ai.usage.input_tokens`
(`gen_ai.usage.prompt_tokens`, OpenInference `llm.token_count.prompt`, OpenLLMetry's first releases
`llm.usage.prompt_tokens`), `gen_ai.usage.output_tokens` (`…completion_tokens`),
`gen_ai.usage.cache_read.input_tokens` / `gen_ai.usage.cache_creation.input_tokens` (OpenLLMetry:
`gen_ai.usage.cache_read_input_tokens` / `…cache_creation_input_tokens`; OpenInference
`llm.token_count.prompt_details.cache_read` / `…cache_write`), `gen_ai.usage.reasoning.output_tokens`
(OpenLLMetry `gen_ai.usage.reasoning_tokens`), OpenInference's audio sub-counts
`llm.token_count.prompt_details.audio` / `llm.token_count.completion_details.audio` (inside the prompt and the
completion counts: moved to audio_in / audio_out, see Counting), `gen_ai.response.model` (preferred) /
`gen_ai.request.model` (`llm.model_name`, `llm.response.model` / `llm.request.model`), `gen_ai.provider.name` /
`gen_ai.system` (`llm.provider`, `llm.system`, `llm.vendor`), `gen_ai.response.id`,
`openai.response.service_tier` (and `gen_ai.openai.*`). `intValue` may be a JSON string or a number; array /
kvlist / bytes values are read as absent. The operation: `gen_ai.operation.name`, else OpenLLMetry's
`llm.request.type` (its values `completion` and `embedding` are text_completion and embeddings), else
OpenInference's span kind.

Which instrumentations put Anthropic's cache counts inside input_tokens (the spec's way): the
opentelemetry-python-contrib Anthropic instrumentation (messages_extractors.extract_usage_tokens),
OpenLLMetry's (since its prompt-caching support, PR #2175, Oct 2024) and OpenInference's (PR #1429, Mar
2025; before it, `llm.token_count.prompt` was Anthropic's uncached `input_tokens` and no cache count was
set, so there is nothing to separate). Third-party code that copies Anthropic's usage as is reports the
uncached count: the rule below tells the two apart where it can.

Counting: the spec puts cache reads and writes INSIDE `input_tokens` and reasoning INSIDE
`output_tokens`: input_uncached = input − cache_read − cache_creation. Anthropic instrumentations have
reported Anthropic's own `input_tokens` (cache EXCLUDED) instead; the rule: for an Anthropic model (or
provider) whose cache counts exceed `input_tokens`, `input_tokens` is taken as uncached. (An Anthropic
span whose uncached input happens to exceed its cache counts cannot be told apart: it is read the spec's
way.) Likewise a reasoning count above `output_tokens` means output excluded it: output = both. For
other providers cache counts above the input are quarantined. Audio (OpenInference) is a sub-count of the prompt
and of the completion, priced apart: audio_in = the audio count capped at the uncached prompt (spans do not say
how cached tokens split by modality: cached audio stays in cache_read), input_uncached = the rest; audio_out =
the completion's audio count (capped at it), output = the rest.

Only model calls count: spans of operation chat / generate_content / text_completion / embeddings (or
with no operation name but token counts). `invoke_agent` / `create_agent` / `execute_tool` spans carry
their children's totals and other spans carry no usage: skipped with a count. The platform comes from
`server.address` (Azure endpoints are labelled `openai` by some instrumentations), else the provider
name. Dedupe: `gen_ai.response.id` (the provider format's key where the id is recognisable, so a call
in both the provider log and a trace is stored once), else trace id + span id.

Several spans with one key (a re-exported span; two instrumentations of one call): the last line's is
kept. The spans of one collector line share its line number: among them the store keeps the one with
the smallest hash of its staged row (ingest._finish_batch), so the choice does not depend on their order.
A document's spans are numbered 1..n in document order, so there the last span is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from finops.arrow import int64_array, table_of
from finops.ingest import register
from finops.ingest._base import (
    Container,
    LogFormat,
    layer,
    parse_sql,
    read_all,
    staged_select,
    tier_sql,
    ts_sql,
)
from finops.ingest._common import struct
from finops.ingest._vendor import (
    direct_platform_sql,
    platform_of_provider_sql,
    provider_key_sql,
    tag_entries_sql,
    with_vendor,
)

VALUE = {"stringValue": "VARCHAR", "intValue": "VARCHAR", "doubleValue": "VARCHAR", "boolValue": "VARCHAR"}
ATTRS = [{"key": "VARCHAR", "value": VALUE}]
SPAN = {
    "traceId": "VARCHAR",
    "spanId": "VARCHAR",
    "name": "VARCHAR",
    "startTimeUnixNano": "VARCHAR",
    "attributes": ATTRS,
    "resource": {"attributes": ATTRS},
    "scope": {"name": "VARCHAR"},
}
CALL_OPS = ("chat", "generate_content", "text_completion", "embeddings")
AGENT_OPS = ("invoke_agent", "create_agent", "execute_tool")

FLATTEN = """
with src as (
    -- nested CASE: DuckDB may evaluate both sides of an AND, and json_type fails on malformed JSON
    -- coalesce: a JSON line without resourceSpans gives NULL, which neither `where ok` nor `where not ok` keeps
    select line, raw,
           case when json_valid(raw) then coalesce(json_type(raw, '$.resourceSpans') = 'ARRAY', false) else false end
               as ok
    from chunk_view
),
spans as (
    select line, rpos, spos, ppos,
           cast(json_merge_patch(sp, json_object('resource', rs -> '$.resource', 'scope', ss -> '$.scope',
                                                 'events', null, 'links', null)) as varchar) as raw
    from src,
         unnest(case when ok then json_extract(raw, '$.resourceSpans[*]') else [] end) with ordinality as a(rs, rpos),
         unnest(coalesce(json_extract(rs, '$.scopeSpans[*]'), json_extract(rs, '$.instrumentationLibrarySpans[*]'),
                         [])) with ordinality as b(ss, spos),
         unnest(coalesce(json_extract(ss, '$.spans[*]'), [])) with ordinality as c(sp, ppos)
    where ok
)
select line, rpos, spos, ppos, raw from spans
union all
select line, 0, 0, 0, raw from src where not ok
order by line, rpos, spos, ppos
"""


PICK = "coalesce(a.value.stringValue, a.value.intValue, a.value.doubleValue, a.value.boolValue)"


def _attr(key: str, where: str = "span") -> str:
    """SQL: the (text) value of the first attribute `key` of the span (where="span") or its resource
    ("res"), NULL if absent. Reads the `<where>_keys` / `<where>_vals` lists (ATTR_LISTS, computed once
    per span) instead of filtering the attribute list for every key."""
    return f"{where}_vals[list_position({where}_keys, '{key}')]"


# the attribute lists as parallel lists of keys and text values (the columns _attr reads)
ATTR_LISTS = {
    "span_keys": "list_transform(s.attributes, lambda a: a.key)",
    "span_vals": f"list_transform(s.attributes, lambda a: {PICK})",
    "res_keys": "list_transform(s.resource.attributes, lambda a: a.key)",
    "res_vals": f"list_transform(s.resource.attributes, lambda a: {PICK})",
}


# attributes that hold message content (never stored): prompts, completions, tool arguments and results
CONTENT_ATTRS = (
    "^(gen_ai\\.(prompt|completion|input\\.messages|output\\.messages|system_instructions|tool\\.call\\.|"
    "tool\\.definitions)|llm\\.(prompts|input_messages|output_messages|tools)|(input|output)\\.value)"
)


def _no_content(attrs: str) -> str:
    """SQL: an attribute list as [{key, value}] text pairs, content attributes left out."""
    return (
        f"list_transform(list_filter(coalesce({attrs}, []), lambda a: not regexp_matches(a.key, '{CONTENT_ATTRS}')), "
        f"lambda a: {{'key': a.key, 'value': {PICK}}})"
    )


def _first(*keys: str, where: str = "span") -> str:
    return "coalesce(" + ", ".join(_attr(k, where) for k in keys) + ")"


def _tokens(*keys: str) -> str:
    return f"cast(round(try_cast({_first(*keys)} as double)) as bigint)"


@register
class OTelGenAI(LogFormat):
    name = "otel"
    title = "OpenTelemetry GenAI spans (OTLP/JSON)"
    identifies = "resourceSpans[].scopeSpans[].spans[] with gen_ai.usage.* attributes"
    example = "aispend ingest traces.json  # or the collector's file exporter JSONL"
    priority = 5

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(isinstance(r.get("resourceSpans"), list) for r in records)

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        con = duckdb.connect(config={"memory_limit": "512MB", "threads": 1})
        try:
            for chunk in read_all(path, container):
                con.register("chunk_view", chunk)
                rel = con.sql(FLATTEN)
                fetch = getattr(rel, "to_arrow_table", None) or rel.arrow  # duckdb 2 / 1.x
                t: pa.Table = fetch()
                con.unregister("chunk_view")
                if container.kind == "document":  # one document: number its spans 1..n
                    line = int64_array(np.arange(1, t.num_rows + 1))
                else:
                    line = t.column("line").cast(pa.int64())
                yield table_of({"line": line, "raw": t.column("raw")})
        finally:
            con.close()

    def sql(self) -> str:
        res = "res"
        # OpenLLMetry's `llm.request.type` (LLMRequestTypeValues: chat, completion, embedding, rerank) names
        # its own values: `completion` is what its Anthropic instrumentation sets on every Messages call
        # (traceloop/openllmetry opentelemetry-instrumentation-anthropic __init__.py), `embedding` its
        # embeddings calls; both are model calls (text_completion, embeddings in the GenAI conventions).
        traceloop = f"""case lower({_attr("llm.request.type")}) when 'completion' then 'text_completion'
            when 'embedding' then 'embeddings' else lower({_attr("llm.request.type")}) end"""
        op = f"""lower(coalesce({_attr("gen_ai.operation.name")}, {traceloop},
            case oi_kind when 'LLM' then 'chat' when 'EMBEDDING' then 'embeddings'
                 when 'AGENT' then 'invoke_agent' when 'TOOL' then 'execute_tool' end))"""
        fields = {
            "op": op,
            "prov": "lower("
            + _first("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system", "llm.vendor")
            + ")",
            "model": _first(
                "gen_ai.response.model",
                "gen_ai.request.model",
                "llm.model_name",
                "llm.response.model",
                "llm.request.model",
            ),
            "tin": _tokens(
                "gen_ai.usage.input_tokens",
                "gen_ai.usage.prompt_tokens",
                "llm.token_count.prompt",
                "llm.usage.prompt_tokens",
            ),
            "tout": _tokens(
                "gen_ai.usage.output_tokens",
                "gen_ai.usage.completion_tokens",
                "llm.token_count.completion",
                "llm.usage.completion_tokens",
            ),
            "cr": _tokens(
                "gen_ai.usage.cache_read.input_tokens",
                "gen_ai.usage.cache_read_input_tokens",
                "llm.token_count.prompt_details.cache_read",
            ),
            "cw": _tokens(
                "gen_ai.usage.cache_creation.input_tokens",
                "gen_ai.usage.cache_creation_input_tokens",
                "llm.token_count.prompt_details.cache_write",
            ),
            "rs": _tokens(
                "gen_ai.usage.reasoning.output_tokens",
                "gen_ai.usage.reasoning_tokens",
                "llm.token_count.completion_details.reasoning",
            ),
            # OpenInference audio sub-counts, INSIDE llm.token_count.prompt / .completion (Arize-ai/openinference
            # spec/semantic_conventions.md: "The prompt_details.* values are sub-counts of llm.token_count.prompt")
            "ain": _tokens("llm.token_count.prompt_details.audio"),
            "aout": _tokens("llm.token_count.completion_details.audio"),
            "resp_id": _attr("gen_ai.response.id"),
            "tier": _first(
                "openai.response.service_tier",
                "gen_ai.openai.response.service_tier",
                "openai.request.service_tier",
                "gen_ai.openai.request.service_tier",
            ),
            "server": f"lower({_attr('server.address')})",
            "conversation": _attr("gen_ai.conversation.id"),
            "agent": _attr("gen_ai.agent.name"),
            "user": _first("user.id", "enduser.id"),
            "service": _attr("service.name", res),
            "environment": _first("deployment.environment.name", "deployment.environment", where=res),
            "region": f"coalesce({_attr('cloud.region')}, {_attr('cloud.region', res)})",
        }
        picked = ",\n".join(f"{v} as {k}" for k, v in fields.items())
        vendor = """coalesce(model_vendor, case
            when prov in ('openai', 'azure.ai.openai', 'az.ai.openai') then 'openai'
            when prov in ('anthropic') then 'anthropic'
            when prov like 'gcp.%' or prov in ('gemini', 'vertex_ai', 'vertexai', 'google') then 'google'
            when prov in ('deepseek', 'mistral_ai', 'mistralai', 'x_ai', 'xai', 'cohere')
                then case when prov like 'mistral%' then 'mistral' when prov = 'x_ai' then 'xai' else prov end end)"""
        platform = f"""coalesce(case
            when server like '%.openai.azure.com' or server like '%.cognitiveservices.azure.com'
                 or server like '%.services.ai.azure.com' then 'azure'
            when server like '%openrouter.ai' then 'openrouter'
            when server like '%groq.com' then 'groq'
            when server like '%deepseek.com' then 'deepseek'
            when server like 'bedrock%amazonaws.com' then 'bedrock'
            when server like '%aiplatform.googleapis.com' then 'vertex'
            when server like 'generativelanguage.googleapis.com' then 'gemini_api'
            when server like 'api.openai.com' then 'openai'
            when server like 'api.anthropic.com' then 'anthropic' end,
            {platform_of_provider_sql("prov")}, {direct_platform_sql("vendor")}, 'unknown')"""
        skip = f"""case
            when s is null then null
            when op in {AGENT_OPS} then op || ' span (its model calls are counted on their own spans)'
            when tin is null and tout is null
                then 'span without token usage (' || coalesce(op, s.name, 'unnamed') || ')'
            when op is not null and op not in {CALL_OPS} then 'span operation ' || op || ' (not a model call)'
        end"""
        problem = """case
            when tin is null then 'span has output but no input token count'
            when not excluded and cache > tin then 'cache read + creation tokens exceed input_tokens'
        end"""
        google_key = "case when vendor = 'google' and resp_id is not null then 'google:' || resp_id end"
        # the collector's file exporter writes the metrics and logs of a pipeline to the same kind of file
        # (one ExportMetricsServiceRequest / ExportLogsServiceRequest per line): not spans, not calls
        signal = """case when s is null and json_valid(raw) then case
            when json_type(raw, '$.resourceMetrics') = 'ARRAY' then 'OTLP metrics (not spans)'
            when json_type(raw, '$.resourceLogs') = 'ARRAY' then 'OTLP logs (not spans)' end end"""
        cols = staged_select(
            status="""case when s is null then case when trim(raw) = '' or signal is not null then 'skip'
                                                    else 'reject' end
                           when skip is not null then 'skip'
                           when problem is not null then 'reject' else 'ok' end""",
            reason="""case when s is null then case when trim(raw) = '' then 'blank line' when signal is not null
                                then signal else 'malformed JSON (or not an OTLP resourceSpans document)' end
                           when skip is not null then skip else problem end""",
            raw="case when (s is null and signal is null) or (skip is null and problem is not null) then raw end",
            line="line",
            dedupe_key=f"""coalesce({google_key}, {provider_key_sql("resp_id", "otel", "platform")},
                'otel:' || s.traceId || ':' || s.spanId, 'md5:' || md5(raw))""",
            record_kind="'call'",
            request_count="1",
            ts=ts_sql("s.startTimeUnixNano"),
            ts_source="'record'",
            provider="coalesce(vendor, prov, 'unknown')",
            platform="platform",
            model_raw="model",
            input_uncached="uncached - audio_in",
            cache_read="coalesce(cr, 0)",
            cache_write_5m="coalesce(cw, 0)",
            output="""case when coalesce(rs, 0) > coalesce(tout, 0) then coalesce(tout, 0) + rs
                           else coalesce(tout, 0) end - audio_out""",
            audio_in="audio_in",
            audio_out="audio_out",
            reasoning="coalesce(rs, 0)",
            service_tier=tier_sql("tier"),
            region="region",
            tags=tag_entries_sql(
                ("session", "conversation"),
                ("agent", "agent"),
                ("user", "user"),
                ("service", "service"),
                ("environment", "environment"),
            ),
            request_id="coalesce(resp_id, s.spanId)",
            extra=f"""case when s is not null then to_json({{'name': s.name, 'traceId': s.traceId, 'spanId': s.spanId,
                        'scope': s.scope.name, 'attributes': {_no_content("s.attributes")},
                        'resource': {_no_content("s.resource.attributes")}}}) end""",
        )
        spans = f"""
            select line, raw,
                   case when contains(raw, '"spanId"') then {parse_sql("raw", struct(SPAN))} end as s
            from recs"""
        kind = layer(layer(spans, **ATTR_LISTS), oi_kind=f"upper({_attr('openinference.span.kind')})")
        src = f"select line, raw, s, {picked}\nfrom ({kind})"
        src = with_vendor(src, "model", "model_vendor")
        src = layer(layer(src, vendor=vendor), platform=platform, cache="(coalesce(cr, 0) + coalesce(cw, 0))")
        src = layer(src, excluded="(vendor = 'anthropic' and cache > 0 and tin < cache)")
        # audio out of the prompt and the completion (their own rates). Spans do not split cached tokens by
        # modality: audio counts as uncached, capped at the uncached prompt (and at the completion), as
        # _common.openai_buckets does, so no bucket goes negative
        src = layer(src, uncached="case when excluded then tin else tin - cache end")
        src = layer(
            src,
            audio_in="least(coalesce(ain, 0), greatest(uncached, 0))",
            audio_out="least(coalesce(aout, 0), greatest(coalesce(tout, 0), 0))",
        )
        src = layer(src, skip=skip, problem=problem, signal=signal)
        return f"select {cols}\nfrom ({src})"
