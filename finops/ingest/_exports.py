"""SQL shared by the aggregate-export formats (usage buckets and billed cost lines).

Record kinds: a usage export row is a `bucket` (tokens of many requests, `request_count` of them where
the source says); a billing row is a `cost` line (money the provider billed, no tokens, request_count
0, `reported_cost` = the amount in USD). Both keep the dimensions they were grouped by as tags; a
dimension the export was not grouped by is NULL, meaning "all", and is left out of the tags.

Dedupe keys are built from the bucket's own identity (start, end and every group-by dimension), so the
same bucket read from the API page and from the dashboard CSV is stored once.
"""

from __future__ import annotations

from finops.ingest._base import parse_sql, staged_select, tier_sql
from finops.ingest._tabular import bool_sql


def key_sql(prefix: str, *parts: str) -> str:
    """'<prefix>:' || md5 of the parts (NULL parts as '')."""
    joined = ", ".join(f"coalesce(cast({p} as varchar), '')" for p in parts)
    return f"'{prefix}:' || md5(concat_ws('|', {joined}))"


def tags_map_sql(pairs: dict[str, str]) -> str:
    """MAP of tag key → value for the non-empty values among pairs (key → SQL expression)."""
    entries = ", ".join(f"{{'key': '{k}', 'value': cast({v} as varchar)}}" for k, v in pairs.items())
    return f"map_from_entries(list_filter([{entries}], lambda x: x.value is not null and trim(x.value) <> ''))"


def openai_bucket_cols(r: str, start: str, end: str, batch: str) -> dict[str, str]:
    """Staged columns shared by the OpenAI Usage API page and the dashboard activity CSV.

    r: a row with the Usage API result field names as BIGINT / VARCHAR; start/end: unix seconds (BIGINT);
    batch: a BOOLEAN expression. `input_tokens` INCLUDES cached and cache-write tokens, of text, audio and
    image; `input_uncached_tokens` (newer exports) excludes both and is used when present; `output_tokens`
    covers text, audio and image output (OpenAI's Usage API schema, as generated into the openai-ruby SDK's
    OrganizationUsageCompletionsResult). Audio moves out into audio_in / audio_out (their own rates, as for
    calls: _common.openai_buckets): `input_audio_tokens` is the UNCACHED audio input (newer schema, beside
    `input_cached_audio_tokens`; older docs said "including cached tokens": either way it is capped at the
    uncached input, so input_uncached never goes negative) and `output_audio_tokens` a part of output_tokens.
    Cached audio stays in cache_read (no cached-audio bucket).
    """
    cached = f"coalesce({r}.input_cached_tokens, 0)"
    write = f"coalesce({r}.input_cache_write_tokens, 0)"
    uncached = f"coalesce({r}.input_uncached_tokens, {r}.input_tokens - {cached} - {write})"
    audio_in = f"least(coalesce({r}.input_audio_tokens, 0), greatest({uncached}, 0))"
    audio_out = f"least(coalesce({r}.output_audio_tokens, 0), greatest(coalesce({r}.output_tokens, 0), 0))"
    return {
        "dedupe_key": key_sql(
            "openai.usage",
            start,
            end,
            f"{r}.project_id",
            f"{r}.user_id",
            f"{r}.api_key_id",
            f"{r}.model",
            f"{batch}",
            f"{r}.service_tier",
        ),
        "pref": f"{r}.num_model_requests",
        "record_kind": "'bucket'",
        "request_count": f"coalesce({r}.num_model_requests, 0)",
        "ts": f"to_timestamp({start})",
        "ts_source": "'record'",
        "provider": "'openai'",
        "platform": "'openai'",
        "model_raw": f"{r}.model",
        "input_uncached": f"{uncached} - {audio_in}",
        "cache_read": cached,
        "cache_write_5m": write,
        "output": f"coalesce({r}.output_tokens, 0) - {audio_out}",
        "audio_in": audio_in,
        "audio_out": audio_out,
        "service_tier": f"(case when {batch} then 'batch' else {tier_sql(r + '.service_tier')} end)",
        "tags": tags_map_sql(
            {"project_id": f"{r}.project_id", "user_id": f"{r}.user_id", "api_key_id": f"{r}.api_key_id"}
        ),
        "extra": f"""json_object('bucket_end', cast(to_timestamp({end}) as varchar),
            'input_audio_tokens', {r}.input_audio_tokens, 'output_audio_tokens', {r}.output_audio_tokens,
            'input_image_tokens', {r}.input_image_tokens, 'output_image_tokens', {r}.output_image_tokens,
            'batch', {batch})""",
    }


def openai_bucket_problem(r: str) -> str:
    cached = f"coalesce({r}.input_cached_tokens, 0)"
    write = f"coalesce({r}.input_cache_write_tokens, 0)"
    return f"""case
        when {r}.model is null or trim({r}.model) = ''
            then 'usage bucket has no model (export with group_by=model so it can be priced)'
        when {r}.input_tokens is null and {r}.input_uncached_tokens is null then 'usage bucket has no input_tokens'
        when {r}.output_tokens is null then 'usage bucket has no output_tokens'
        when {r}.input_uncached_tokens is null and {cached} + {write} > {r}.input_tokens
            then 'cached + cache-write tokens exceed input_tokens'
    end"""


def openai_cost_cols(amount: str, line_item: str, start: str, end: str, project: str, api_key: str) -> dict[str, str]:
    """A billed line of the OpenAI Costs API / dashboard cost CSV. amount: DECIMAL dollars.

    `line_item` reads like "gpt-4o-2024-08-06, input": the model is what precedes the last comma; the
    token type (input, output, cached input, ...) is kept in extra.
    """
    model = f"nullif(trim(regexp_extract({line_item}, '^(.*),[^,]*$', 1)), '')"
    return {
        "dedupe_key": key_sql("openai.cost", start, end, line_item, project, api_key),
        "record_kind": "'cost'",
        "request_count": "0",
        "ts": f"to_timestamp({start})",
        "ts_source": "'record'",
        "provider": "'openai'",
        "platform": "'openai'",
        "model_raw": f"coalesce({model}, nullif(trim({line_item}), ''), '(all line items)')",
        "service_tier": f"case when lower({line_item}) like '%batch%' then 'batch' else 'standard' end",
        "tags": tags_map_sql({"project_id": project, "api_key_id": api_key}),
        "reported_cost": amount,
        "extra": f"""json_object('bucket_end', cast(to_timestamp({end}) as varchar), 'line_item', {line_item},
            'token_type', nullif(trim(regexp_extract({line_item}, ',([^,]*)$', 1)), ''))""",
    }


def currency_problem(currency: str) -> str:
    return f"""case when {currency} is not null and lower(trim({currency})) not in ('usd', '')
        then 'amount in ' || upper({currency}) || ': only USD is supported' end"""


__all__ = [
    "bool_sql",
    "currency_problem",
    "key_sql",
    "openai_bucket_cols",
    "openai_bucket_problem",
    "openai_cost_cols",
    "tags_map_sql",
]


def openai_page_sql(
    page_struct: str, result_object: str, kind: str, results: str, cols: dict[str, str], skip: str = "null"
) -> str:
    """The SELECT of an OpenAI organization Usage or Costs API page: one row per result of each bucket.

    results: a query over `buckets(line, bk)` giving `line`, `r` (a result) and `problem` (why it cannot
    be stored, or NULL); cols: the staged columns read from them; skip: a column of `results` saying why a
    result holds nothing to store (NULL: it does). A result of another object type is skipped, a page
    that is not JSON (or not a page) rejected whole. kind names them in reasons ("completions usage",
    "costs")."""
    staged = staged_select(
        status=f"""case when r.object is distinct from '{result_object}' then 'skip'
                       when {skip} is not null then 'skip'
                       when problem is not null then 'reject' else 'ok' end""",
        reason=f"""case when r.object is distinct from '{result_object}'
                            then 'not a {kind} result: ' || coalesce(r.object, 'no object')
                       when {skip} is not null then {skip}
                       else problem end""",
        raw="case when problem is not null then cast(to_json(r) as varchar) end",
        line="line",
        **cols,
    )
    bad = staged_select(
        status="'reject'",
        reason=f"'malformed JSON (or not a {kind.split()[-1]} page)'",
        raw="raw",
        line="line",
        dedupe_key="'md5:' || md5(raw)",
    )
    return f"""
    with pages as (select line, raw, {parse_sql("raw", page_struct)} as p from recs),
    buckets as (select line, unnest(p.data) as bk from pages where p is not null),
    results as ({results})
    select {staged} from results
    union all
    select {bad} from pages where p is null and trim(raw) <> ''
    """
