"""SQL pieces shared by several formats (one provider's usage object read the same way everywhere)."""

from __future__ import annotations

import json
from typing import Any

from finops.ingest._base import tier_sql

# ---- OpenAI usage (Chat Completions and Responses): cached and cache-write tokens are SUBSETS of the
# prompt; reasoning is a subset of output; audio tokens are subsets of the prompt and of the completion
# (reference/log_formats.md §1, §3.1).
OPENAI_USAGE = {
    "prompt_tokens": "BIGINT",
    "completion_tokens": "BIGINT",
    "input_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "total_tokens": "BIGINT",
    "prompt_cache_hit_tokens": "BIGINT",  # DeepSeek: the cached part of prompt_tokens (hit + miss = prompt)
    "prompt_tokens_details": {"cached_tokens": "BIGINT", "cache_write_tokens": "BIGINT", "audio_tokens": "BIGINT"},
    "input_tokens_details": {"cached_tokens": "BIGINT", "cache_write_tokens": "BIGINT"},
    "completion_tokens_details": {"reasoning_tokens": "BIGINT", "audio_tokens": "BIGINT"},
    "output_tokens_details": {"reasoning_tokens": "BIGINT"},
}
OPENAI_BODY = {
    "id": "VARCHAR",
    "object": "VARCHAR",
    "created": "DOUBLE",
    "created_at": "DOUBLE",
    "model": "VARCHAR",
    "service_tier": "VARCHAR",
    "status": "VARCHAR",
    "usage": OPENAI_USAGE,
    "metadata": "JSON",
    "output": [{"type": "VARCHAR"}],
}


def openai_buckets(u: str) -> dict[str, str]:
    """Disjoint buckets from an OpenAI usage struct `u` (chat or Responses naming). Audio tokens move out of
    the prompt and completion counts into audio_in / audio_out (their own rates). The body does not say how
    cached tokens split between audio and text: audio counts as uncached, capped at the uncached prompt, so
    input_uncached never goes negative."""
    prompt = f"coalesce({u}.prompt_tokens, {u}.input_tokens)"
    cached = (
        f"coalesce({u}.prompt_tokens_details.cached_tokens, {u}.input_tokens_details.cached_tokens, "
        f"{u}.prompt_cache_hit_tokens, 0)"
    )
    write = f"coalesce({u}.prompt_tokens_details.cache_write_tokens, {u}.input_tokens_details.cache_write_tokens, 0)"
    completion = f"coalesce({u}.completion_tokens, {u}.output_tokens)"
    audio_in = f"least(coalesce({u}.prompt_tokens_details.audio_tokens, 0), greatest({prompt} - {cached} - {write}, 0))"
    audio_out = f"least(coalesce({u}.completion_tokens_details.audio_tokens, 0), greatest({completion}, 0))"
    return {
        "input_uncached": f"{prompt} - {cached} - {write} - {audio_in}",
        "cache_read": cached,
        "cache_write_5m": write,
        "output": f"{completion} - {audio_out}",
        "audio_in": audio_in,
        "audio_out": audio_out,
        "reasoning": f"coalesce({u}.completion_tokens_details.reasoning_tokens, "
        f"{u}.output_tokens_details.reasoning_tokens, 0)",
    }


def openai_usage_problem(u: str) -> str:
    """A CASE fragment: why an OpenAI usage object cannot be priced (NULL when it can)."""
    prompt = f"coalesce({u}.prompt_tokens, {u}.input_tokens)"
    out = f"coalesce({u}.completion_tokens, {u}.output_tokens)"
    cached = (
        f"coalesce({u}.prompt_tokens_details.cached_tokens, {u}.input_tokens_details.cached_tokens, "
        f"{u}.prompt_cache_hit_tokens, 0)"
    )
    write = f"coalesce({u}.prompt_tokens_details.cache_write_tokens, {u}.input_tokens_details.cache_write_tokens, 0)"
    return f"""case
        when {u} is null then 'no usage object'
        when {prompt} is null then 'usage has no prompt_tokens/input_tokens'
        when {out} is null then 'usage has no completion_tokens/output_tokens'
        when {cached} + {write} > {prompt} then 'cached + cache-write tokens exceed the prompt tokens'
    end"""


# ---- Anthropic usage: input_tokens EXCLUDES cache reads and writes; the write split by TTL is in
# cache_creation (older responses lack it: all writes are 5-minute writes).
ANTHROPIC_USAGE: dict[str, Any] = {
    "input_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "cache_creation_input_tokens": "BIGINT",
    "cache_read_input_tokens": "BIGINT",
    "cache_creation": {"ephemeral_5m_input_tokens": "BIGINT", "ephemeral_1h_input_tokens": "BIGINT"},
    "output_tokens_details": {"thinking_tokens": "BIGINT"},
    "server_tool_use": {"web_search_requests": "BIGINT"},
    "service_tier": "VARCHAR",
    "inference_geo": "VARCHAR",
    "speed": "VARCHAR",
}
# usage.iterations[]: one entry per sampling step of a request (`message`, `compaction`, `advisor_message`
# with its own `model`). The top-level counts cover the `message` steps only (reference §3.8).
ANTHROPIC_ITERATION: dict[str, Any] = {
    "type": "VARCHAR",
    "model": "VARCHAR",
    **{k: v for k, v in ANTHROPIC_USAGE.items() if k not in ("service_tier", "inference_geo", "speed")},
}
ANTHROPIC_USAGE["iterations"] = [ANTHROPIC_ITERATION]
ANTHROPIC_BODY = {
    "id": "VARCHAR",
    "type": "VARCHAR",
    "model": "VARCHAR",
    "usage": ANTHROPIC_USAGE,
}


def anthropic_buckets(u: str) -> dict[str, str]:
    w1h = f"coalesce({u}.cache_creation.ephemeral_1h_input_tokens, 0)"
    w5m = (
        f"coalesce({u}.cache_creation.ephemeral_5m_input_tokens, coalesce({u}.cache_creation_input_tokens, 0) - {w1h})"
    )
    return {
        "input_uncached": f"{u}.input_tokens",
        "cache_read": f"coalesce({u}.cache_read_input_tokens, 0)",
        "cache_write_5m": w5m,
        "cache_write_1h": w1h,
        "output": f"{u}.output_tokens",
        "reasoning": f"coalesce({u}.output_tokens_details.thinking_tokens, 0)",
        "web_searches": f"coalesce({u}.server_tool_use.web_search_requests, 0)",
    }


def anthropic_iterations_sql(source: str, usage: str, ok: str) -> str:
    """SELECT *, it_pos, it FROM source, with one more row per billed sub-call of an Anthropic request.

    Server-side sampling steps outside the answer (context `compaction`, an `advisor_message` on its own
    model) are listed in `usage.iterations` and are NOT in the top-level counts, which cover the `message`
    steps only (docs example: top level 23,000 in / 1,000 out, a compaction step of 180,000 / 3,500 beside
    it). Each such step becomes a row of its own (it_pos > 0, `it` its usage): priced on its own model,
    request_count 0 (part of the same call). `usage`: the usage struct; `ok`: a condition (the record is a
    call that is not rejected) under which the steps are added. The call's own row has it_pos 0, it NULL.
    """
    its = f"coalesce({usage}.iterations, [])"
    steps = f"list_filter(generate_series(1, len({its})), lambda i: {its}[i].type is distinct from 'message')"
    # unnest in the select list (not a lateral join: that costs 2.5x on a Claude Code tree); only a record whose
    # usage lists iterations builds a list
    pos = f"unnest(case when {usage}.iterations is not null and {ok} then list_concat([0], {steps}) else [0] end)"
    return f"""select *, case when it_pos > 0 then {its}[it_pos] end as it
    from (select *, {pos} as it_pos from ({source}))"""


def anthropic_iteration_cols(u: str, key: str, model: str) -> dict[str, str]:
    """The staged columns that differ between a call's row and its sub-call rows (anthropic_iterations_sql):
    token buckets, dedupe key (`<key>#<type>-<n>`), model and request count. `u`: the call's usage struct;
    `key`, `model`: the call's dedupe key and model expressions."""
    main, sub = anthropic_buckets(u), anthropic_buckets("it")
    sub["web_searches"] = "0"  # the request's server tool use is counted once, on its own row
    cols = {k: f"case when it_pos = 0 then {main[k]} else {sub[k]} end" for k in main}
    return {
        **cols,
        "dedupe_key": f"case when it_pos = 0 then {key} else {key} || '#' || coalesce(it.type, '') || it_pos end",
        "model_raw": f"case when it_pos = 0 then {model} else coalesce(it.model, {model}) end",
        "request_count": "case when it_pos = 0 then 1 else 0 end",
    }


def anthropic_tier(tier: str, speed: str) -> str:
    """service_tier of an Anthropic call from its usage's `service_tier` and `speed` expressions. Fast mode
    (`usage.speed == "fast"`, reference log_formats.md §3.18) is billed at its own premium rates while
    `service_tier` still says standard, so a fast call is tier 'fast' (pricing/anthropic.toml prices it, or
    flags it tier_not_in_table) and never passes for a standard one."""
    return f"(case when lower({speed}) = 'fast' then 'fast' else {tier_sql(tier)} end)"


def bedrock_tier(tier: str, latency: str, speed: str | None = None) -> str:
    """service_tier of a Bedrock call from its `serviceTier.type` and `performanceConfig.latency` (and an
    Anthropic body's `speed`) expressions: COLUMNS, each is read several times.

    Priority / Flex / Reserved are `serviceTier.type` values (priority | default | flex | reserved, AWS Bedrock
    API reference, ServiceTier; default is standard). Latency-optimized inference is asked for with
    `performanceConfig.latency = "optimized"` and billed at its own rates; when its quota is used up the call is
    served and billed at standard, which the response's performanceConfig says (AWS Bedrock user guide,
    latency-optimized-inference): so the caller passes the response's value first. A standard call served
    latency-optimized is tier `latency_optimized` (priced by a rule of that tier, else flagged
    tier_not_in_table), never a standard call."""
    base = anthropic_tier(tier, speed) if speed is not None else tier_sql(tier)
    optimized = f"lower({latency}) = 'optimized' and {base} = 'standard'"
    return f"(case when {optimized} then 'latency_optimized' else {base} end)"


def anthropic_usage_problem(u: str) -> str:
    return f"""case
        when {u} is null then 'no usage object'
        when {u}.input_tokens is null then 'usage has no input_tokens'
        when {u}.output_tokens is null then 'usage has no output_tokens'
    end"""


def struct(d: dict[str, Any]) -> str:
    """A json_transform structure literal (single quotes are not expected in it)."""
    return json.dumps(d, separators=(",", ":"))


def unwrap_py(rec: dict[str, Any]) -> dict[str, Any]:
    """The provider body of an application-log record (for sniffing): see _base.unwrap_sql."""
    for k in ("response", "body", "data"):
        v = rec.get(k)
        if isinstance(v, dict):
            return v
    return rec


def md5_key(prefix: str, id_expr: str) -> str:
    """dedupe key: '<prefix>:<id>' when the record has an id, else a hash of its raw text."""
    return f"coalesce('{prefix}:' || {id_expr}, 'md5:' || md5(raw))"


def status_cols(problem: str = "problem", skip: str | None = None) -> dict[str, str]:
    """status / reason / raw for a per-record format.

    problem: the column (computed in a layer below, see _base.layer) giving why the record is rejected
    (NULL if fine); skip: the column giving why it is not a call at all (NULL if it is one). Column
    NAMES, not expressions: each is read up to three times. Blank lines are skipped; unparseable
    records (`b` NULL) are rejected. `b` is parsed from `raw` (so it is NULL when raw is blank).
    """
    skip_sql = skip or "null"
    # a blank line never parses (b is NULL): trim(raw) (slow on long lines) is read only for those
    return {
        "status": f"""case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                      when {skip_sql} is not null then 'skip'
                      when {problem} is not null then 'reject' else 'ok' end""",
        "reason": f"""case when b is null then case when trim(raw) = '' then 'blank line'
                                              else 'malformed JSON (or not an object of this format)' end
                      when {skip_sql} is not null then {skip_sql}
                      else {problem} end""",
        "raw": f"case when b is null or {problem} is not null then raw end",
    }
