"""OpenRouter chat responses: the OpenAI shape with a `gen-…` id, the upstream `provider`, and
`usage.cost` (credits = USD), `usage.is_byok`, `usage.cost_details`.

Counting is OpenAI's: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` and
`cache_write_tokens`; `completion_tokens` INCLUDES reasoning. `usage.cost` is what OpenRouter charged:
stored as reported_cost (for BYOK calls, tag `byok=true`, the upstream bills you separately: it is not
the full spend). Model ids are `vendor/model` (`anthropic/claude-sonnet-4.5`): the provider is the
vendor; the platform is openrouter; the upstream that served the call (`provider`) is tag `upstream`.
Time: `created`, else the unix seconds in the id, else the envelope. Dedupe: `openrouter:<id>`.

Streams (`openrouter.stream`): the same body as `chat.completion.chunk` lines, every chunk repeating the
`gen-…` id, `provider` and `model`; usage (with `cost`) comes once, on the final chunk, and only that chunk
is a call. Its dedupe key is the non-stream one, so a generation logged both ways is stored once.

Generation stats (`openrouter.generation`): what `GET /api/v1/generation?id=gen-…` returns, `{"data": {"id",
"total_cost", "created_at", "model", "provider_name", "tokens_prompt", "tokens_completion",
"native_tokens_prompt", "native_tokens_completion", "native_tokens_reasoning", "native_tokens_cached",
"is_byok", "upstream_inference_cost", "cache_discount", "streamed", "cancelled", …}}` (OpenRouter API
reference, Get a generation; the TypeScript SDK's GenerationResponseData spells the same fields in camelCase:
`totalCost`, `nativeTokensPrompt`, … and is read too), saved one per line or as an array, bare or under
`data`. The `native_tokens_*` counts are the provider's own, the ones billed and the ones a chat response's
`usage` reports ("prompt and completion token counts using the model's native tokenizer", OpenRouter docs,
Usage Accounting): read with the chat convention, cached INSIDE the prompt, reasoning INSIDE the completion.
`tokens_*` are OpenRouter's normalised (GPT-4o tokenizer) counts: used only when the native ones are absent,
and said so in extra. An error answer (`{"error": {"message": "Generation not found", "code": 404}}`, what the
endpoint says until a generation is accounted) is quarantined, to be fetched again. Cache writes are not in
the stats: they count as uncached input. `total_cost` is the reported cost; the key is the chat response's
(`openrouter:<id>`), so a generation seen both as a response and as stats is stored once.
"""

from __future__ import annotations

import copy
from typing import Any

from finops.ingest import register
from finops.ingest._base import (
    ENVELOPE_BODY_KEYS,
    LogFormat,
    envelope_ts_sql,
    layer,
    staged_select,
    tags_sql,
    tier_sql,
    ts_sql,
    unwrap_sql,
)
from finops.ingest._common import OPENAI_BODY, md5_key, openai_buckets, openai_usage_problem, status_cols, struct
from finops.ingest._common import unwrap_py as unwrap_body
from finops.ingest._vendor import (
    chat_buckets,
    extra_sql,
    is_openrouter_py,
    map_concat_sql,
    tag_entries_sql,
    with_vendor,
)

BODY: dict[str, Any] = copy.deepcopy(OPENAI_BODY)
BODY["provider"] = "VARCHAR"
BODY["usage"].update(
    {
        "cost": "VARCHAR",
        "is_byok": "BOOLEAN",
        "server_tool_use_details": {"web_search_requests": "BIGINT"},
    }
)


def _is_chunk(body: dict[str, Any]) -> bool:
    return body.get("object") == "chat.completion.chunk"


ID_SECS = "try_cast(nullif(regexp_extract(b.id, '^gen-([0-9]{9,11})-', 1), '') as double)"


def _columns(status: dict[str, str], created: str, upstream: str) -> str:
    """The staged columns of one OpenRouter call, for the body `b` (a response, or a stream's usage chunk).

    created / upstream: SQL for the call's unix time and serving provider, which a stream may carry on
    other chunks than the one with usage. The layer below gives `id_secs` and `vendor`."""
    ts = f"coalesce(to_timestamp(coalesce({created}, id_secs)), {envelope_ts_sql()})"
    ts_source = f"case when coalesce({created}, id_secs) is not null then 'record' else 'envelope' end"
    gateway_tags = tag_entries_sql(
        ("upstream", upstream),
        ("byok", "case when b.usage.is_byok then 'true' when not b.usage.is_byok then 'false' end"),
    )
    return staged_select(
        **status,
        line="line",
        dedupe_key=md5_key("openrouter", "b.id"),
        record_kind="'call'",
        request_count="1",
        ts=ts,
        ts_source=ts_source,
        provider="coalesce(vendor, 'unknown')",
        platform="'openrouter'",
        model_raw="model",
        service_tier=tier_sql("b.service_tier"),
        tags=map_concat_sql(tags_sql("env.tags", "env.metadata", "b.metadata"), gateway_tags),
        reported_cost="try_cast(b.usage.cost as decimal(38, 12))",
        request_id="b.id",
        web_searches="coalesce(b.usage.server_tool_use_details.web_search_requests, 0)",
        extra=extra_sql(nested=ENVELOPE_BODY_KEYS),
        **chat_buckets("b.usage", "'openrouter'"),
    )


@register
class OpenRouter(LogFormat):
    name = "openrouter"
    title = "OpenRouter chat responses"
    identifies = "id 'gen-…' + top-level provider, usage.cost / usage.is_byok"
    example = "aispend ingest openrouter_generations.jsonl"
    priority = 40

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(is_openrouter_py(b := unwrap_body(r)) and not _is_chunk(b) for r in records)

    def sql(self) -> str:
        cols = _columns(status_cols("problem"), "b.created", "b.provider")
        src = layer(
            unwrap_sql(struct(BODY), bare="b.object is not null and b.usage is not null"),
            problem=openai_usage_problem("b.usage"),
            id_secs=ID_SECS,
            model="b.model",
        )
        return f"select {cols}\nfrom ({with_vendor(src, 'model')})"


@register
class OpenRouterStream(LogFormat):
    name = "openrouter.stream"
    title = "OpenRouter streamed chat responses"
    identifies = "object == 'chat.completion.chunk' with id 'gen-…' + provider / usage.cost (usage on the final chunk)"
    example = "aispend ingest openrouter_stream.jsonl"
    priority = 40
    whole_file = True

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(is_openrouter_py(b := unwrap_body(r)) and _is_chunk(b) for r in records)

    def sql(self) -> str:
        """Only a usage chunk is a call (usage counted once); a stream whose chunks have no usage at all is
        quarantined once (its last chunk), never counted as zero. Model, provider and created are read from
        any chunk of the stream, as some clients log a usage chunk without them."""
        status = {
            "status": """case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                              when b.usage is not null then case when problem is null then 'ok' else 'reject' end
                              when not stream_has_usage and from_end = 1 then 'reject' else 'skip' end""",
            "reason": """case when b is null then case when trim(raw) = '' then 'blank line'
                                   else 'malformed JSON (or not an object of this format)' end
                              when b.usage is not null then problem
                              when not stream_has_usage and from_end = 1
                                  then 'stream has no usage chunk (request did not ask for usage)'
                              else 'stream chunk without usage' end""",
            "raw": """case when b is null or (b.usage is not null and problem is not null)
                                or (b.usage is null and not stream_has_usage and from_end = 1) then raw end""",
        }
        cols = _columns(status, "coalesce(b.created, stream_created)", "coalesce(b.provider, stream_provider)")
        chunks = f"""
            select *,
                   bool_or(b.usage is not null) over s as stream_has_usage,
                   row_number() over (partition by b.id order by line desc) as from_end,
                   max(nullif(b.provider, '')) over s as stream_provider,
                   max(nullif(b.model, '')) over s as stream_model,
                   max(b.created) over s as stream_created
            from ({unwrap_sql(struct(BODY), bare="b.object is not null")})
            window s as (partition by b.id)
        """
        src = layer(
            chunks,
            problem=openai_usage_problem("b.usage"),
            id_secs=ID_SECS,
            model="coalesce(nullif(b.model, ''), stream_model)",
        )
        return f"select {cols}\nfrom ({with_vendor(src, 'model')})"


# Generation stats: the REST API's snake_case name → the TypeScript SDK's camelCase one
GENERATION_FIELDS = {
    "id": "VARCHAR",
    "total_cost": "VARCHAR",  # text, so the amount stays exact
    "upstream_inference_cost": "VARCHAR",
    "created_at": "VARCHAR",
    "model": "VARCHAR",
    "provider_name": "VARCHAR",
    "tokens_prompt": "BIGINT",
    "tokens_completion": "BIGINT",
    "native_tokens_prompt": "BIGINT",
    "native_tokens_completion": "BIGINT",
    "native_tokens_reasoning": "BIGINT",
    "native_tokens_cached": "BIGINT",
    "is_byok": "BOOLEAN",
    "service_tier": "VARCHAR",
    "external_user": "VARCHAR",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


GENERATION = {
    **GENERATION_FIELDS,
    **{_camel(k): v for k, v in GENERATION_FIELDS.items() if "_" in k},
    "error": {"message": "VARCHAR", "code": "VARCHAR"},  # the answer while the stats are not ready (404)
}


def _is_generation(rec: dict[str, Any]) -> bool:
    b = unwrap_body(rec)
    return str(b.get("id", "")).startswith("gen-") and any(
        k in b for k in ("total_cost", "native_tokens_prompt", "totalCost", "nativeTokensPrompt")
    )


@register
class OpenRouterGeneration(LogFormat):
    name = "openrouter.generation"
    title = "OpenRouter generation stats (GET /api/v1/generation)"
    identifies = "id 'gen-…' with total_cost / native_tokens_prompt (bare or under data)"
    example = "aispend ingest openrouter_generation_stats.jsonl"
    priority = 40

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(_is_generation(r) for r in records)

    def sql(self) -> str:
        def f(name: str) -> str:  # a field under either spelling
            return f"coalesce(b.{name}, b.{_camel(name)})" if "_" in name else f"b.{name}"

        native = f"{f('native_tokens_prompt')} is not null"
        problem = """case
            when b.error is not null
                then 'an error answer, no stats (fetch it again): ' || coalesce(b.error.message, b.error.code, '')
            when u.prompt_tokens is null then 'no native_tokens_prompt / tokens_prompt'
            when u.completion_tokens is null then 'no native_tokens_completion / tokens_completion'
            when coalesce(u.prompt_tokens_details.cached_tokens, 0) > u.prompt_tokens
                then 'native_tokens_cached exceeds the prompt tokens'
        end"""
        # the stats as a chat usage struct (the same convention), so the buckets are openai_buckets'
        prompt = f"""case when {native} then {f("native_tokens_prompt")} else {f("tokens_prompt")} end"""
        usage = f"""{{'prompt_tokens': {prompt},
            'completion_tokens': case when {native} then {f("native_tokens_completion")}
                                      else {f("tokens_completion")} end,
            'input_tokens': null::bigint, 'output_tokens': null::bigint, 'prompt_cache_hit_tokens': null::bigint,
            'prompt_tokens_details': {{'cached_tokens': {f("native_tokens_cached")}, 'cache_write_tokens': null::bigint,
                                      'audio_tokens': null::bigint}},
            'input_tokens_details': {{'cached_tokens': null::bigint, 'cache_write_tokens': null::bigint}},
            'completion_tokens_details': {{'reasoning_tokens': {f("native_tokens_reasoning")},
                                          'audio_tokens': null::bigint}},
            'output_tokens_details': {{'reasoning_tokens': null::bigint}}}}"""
        tags = map_concat_sql(
            tags_sql("env.tags", "env.metadata"),
            tag_entries_sql(
                ("upstream", f("provider_name")),
                ("byok", f"case when {f('is_byok')} then 'true' when not {f('is_byok')} then 'false' end"),
                ("user", f("external_user")),
            ),
        )
        created = f("created_at")
        cols = staged_select(
            **status_cols("problem"),
            line="line",
            dedupe_key=md5_key("openrouter", "b.id"),
            record_kind="'call'",
            request_count="1",
            ts=f"coalesce({ts_sql('created')}, {envelope_ts_sql()})",
            ts_source="case when created is not null then 'record' else 'envelope' end",
            provider="coalesce(vendor, 'unknown')",
            platform="'openrouter'",
            model_raw="b.model",
            service_tier=tier_sql(f("service_tier")),
            tags=tags,
            reported_cost=f"try_cast({f('total_cost')} as decimal(38, 12))",
            request_id="b.id",
            extra=f"""json_merge_patch({extra_sql(nested=ENVELOPE_BODY_KEYS)},
                json_object('token_counts', case when {native} then 'native' else 'normalized' end))""",
            **openai_buckets("u"),
        )
        src = layer(
            unwrap_sql(
                struct(GENERATION), bare="b.id is not null and (b.total_cost is not null or b.totalCost is not null)"
            ),
            u=usage,
            created=created,
        )
        src = layer(src, problem=problem)
        return f"select {cols}\nfrom ({with_vendor(src, 'b.model')})"
