"""Codex CLI session rollouts (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`): `{timestamp, type, payload}`
lines of type session_meta, turn_context, event_msg, response_item, compacted.

Usage is in `event_msg` lines with `payload.type == "token_count"`: `payload.info.total_token_usage` is
CUMULATIVE for the session and Codex re-emits it unchanged (rate-limit / UI refreshes), so a call is
counted only when the total CHANGES, as the difference from the previous total (in line order, per
session). The first total of a session, a total that went down (a reset) and events without totals use
`last_token_usage` instead (a forked session starts from its parent's total: its first event counts only
its own last call). `info: null` events are heartbeats (skipped).

Older rollouts (Codex CLI of mid 2025, before this envelope) are a bare header `{id, timestamp, instructions,
git?}`, `{"record_type": "state"}` markers and bare response items: they recorded no token counts, so such a
file is recognised and each of its lines skipped with that reason (never "no known format").

Counting: `cached_input_tokens` is INSIDE `input_tokens`; `reasoning_output_tokens` is INSIDE
`output_tokens`. The model is the latest `turn_context.payload.model` before the event (an event before
any turn_context is quarantined: older CLIs did not log the model). Tags: session id, project (last
part of the cwd), git branch. Dedupe: session id + the cumulative totals, so the same session read from
two files (sessions/ and archived_sessions/) is stored once.

Forks and sub-agent threads (codex-rs `InitialHistory::Forked`: "persist all rollout items as-is") start their
own rollout with their own `session_meta`, then a copy of the parent's items, its `session_meta` and
token_count events included, stamped with the time of the copy (the recorder writes each line's timestamp as
it writes it), then their own calls, whose totals continue from the copied ones. The key's session is the
latest `session_meta` before the event, so a copied event has the parent's key and is stored once (it is
the parent's call); the `session` tag is the file's first `session_meta`, the thread that made the call.
ccusage dedupes across files by (timestamp, model, tokens) instead (its branch-history fixture copies lines
with their original timestamps) and skips a sub-agent's same-second replay burst.

Platform: `session_meta.payload.model_provider` (turn_context does not carry one), a key of Codex's
`[model_providers.<id>]` table: built-in ids (openai, ollama, lmstudio, azure, amazon-bedrock, and `oss`, the
older id of the local Ollama provider) or a user's own (`azure-openai`, `openrouter`, `ollama-remote`, …). A
user's id naming a known host (azure, openrouter, ollama, lm studio, bedrock) is that platform; any other
non-OpenAI id is kept, lowercased, as the platform. No model_provider (older CLIs, or the default) is openai.
Every non-OpenAI id is also the `model_provider` tag, so such calls stay visible in reports. Pricing: a
platform without a price file falls back to first-party names (finops/sql/resolved_usage.sql), so a local
server's model is priced only when its exact name is a vendor's listed model (at that list price);
local names such as `gpt-oss:20b` or `devstral:24b` stay unpriced_model, never OpenAI's rates.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, ts_sql
from finops.ingest._common import struct
from finops.ingest._vendor import extra_sql, platform_of_provider_sql, tag_entries_sql, with_vendor

USAGE = {
    "input_tokens": "BIGINT",
    "cached_input_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "reasoning_output_tokens": "BIGINT",
    "total_tokens": "BIGINT",
}
LINE = {
    "timestamp": "VARCHAR",
    "type": "VARCHAR",
    "payload": {
        "type": "VARCHAR",
        "id": "VARCHAR",
        "cwd": "VARCHAR",
        "model": "VARCHAR",
        "model_provider": "VARCHAR",
        "git": {"branch": "VARCHAR"},
        "info": {"total_token_usage": USAGE, "last_token_usage": USAGE},
    },
}
LINE_TYPES = {"session_meta", "turn_context", "event_msg", "response_item", "compacted"}
# Rollouts written before the envelope (Codex CLI of mid 2025): a bare header line `{id, timestamp,
# instructions, git?}`, `{"record_type": "state"}` markers and bare response items of these types.
BARE_ITEM_TYPES = {"message", "reasoning", "function_call", "function_call_output", "local_shell_call"}
PRE_ENVELOPE = "Codex rollout written before token_count events (pre-envelope, 2025): no token usage recorded"


def _platform_sql(provider: str) -> str:
    """SQL: the platform of a Codex `model_provider` id (see the module docstring); `provider`: a column."""
    p = f"lower(trim({provider}))"
    return f"""(case when {provider} is null or trim({provider}) = '' then 'openai'
        when {p} = 'oss' or contains({p}, 'ollama') then 'ollama'
        when regexp_matches({p}, 'lm[-_ ]?studio') then 'lmstudio'
        when contains({p}, 'azure') then 'azure'
        when contains({p}, 'openrouter') then 'openrouter'
        when contains({p}, 'bedrock') then 'bedrock'
        else {platform_of_provider_sql(provider)} end)"""


def _delta(field: str) -> str:
    return f"coalesce(tot.{field}, 0) - coalesce(prev.{field}, 0)"


@register
class Codex(LogFormat):
    name = "codex"
    title = "Codex CLI session rollouts (JSONL)"
    identifies = "type in session_meta/turn_context/event_msg/response_item + payload; payload.type token_count"
    example = "aispend ingest ~/.codex/sessions/"
    whole_file = True
    priority = 10

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        if any(r.get("type") in LINE_TYPES and isinstance(r.get("payload"), dict) for r in records):
            return True
        # a pre-envelope rollout: its header, then state markers or bare response items (never a usage object)
        head = records[0] if records else {}
        return (
            "id" in head
            and "timestamp" in head
            and "type" not in head
            and any(
                r.get("record_type") == "state" or (r.get("type") in BARE_ITEM_TYPES and "usage" not in r)
                for r in records[1:]
            )
        )

    def sql(self) -> str:
        upto = "rows between unbounded preceding and current row"
        before = "rows between unbounded preceding and 1 preceding"
        delta = "{" + ", ".join(f"'{f}': {_delta(f)}" for f in USAGE) + "}"
        types = ", ".join(f"'{t}'" for t in sorted(LINE_TYPES))
        mode = """case
            when not is_tc then null
            when tot is null and last is null then null
            when tot is null then 'last'
            when prev is null or coalesce(tot.total_tokens, 0) < coalesce(prev.total_tokens, 0)
                then case when last is not null then 'last' else 'total' end
            when tot is not distinct from prev then 'same'
            else 'delta' end"""
        skip = f"""case
            when not enveloped then '{PRE_ENVELOPE}'
            when b.type is distinct from 'event_msg' then coalesce(b.type, 'untyped') || ' line'
            when not is_tc then 'event_msg (' || coalesce(b.payload.type, 'untyped') || ')'
            when mode is null then 'token_count without usage (info: null)'
            when mode = 'same' then 'token_count re-emitted with an unchanged total'
        end"""
        problem = """case
            when model is null then 'no model: no turn_context before this token_count (older Codex CLI)'
            when u.input_tokens is null or u.output_tokens is null then 'token usage without input/output tokens'
            when coalesce(u.cached_input_tokens, 0) > u.input_tokens then 'cached_input_tokens exceed input_tokens'
        end"""
        key = """case when session is not null and tot is not null
                      then 'codex:' || session || ':' || coalesce(tot.total_tokens, 0) || ':'
                           || coalesce(tot.input_tokens, 0) || ':' || coalesce(tot.output_tokens, 0)
                      else 'md5:' || md5(raw) end"""
        cols = staged_select(
            status="""case when b is null then case when trim(raw) = '' then 'skip' else 'reject' end
                           when skip is not null then 'skip'
                           when problem is not null then 'reject' else 'ok' end""",
            reason="""case when b is null then case when trim(raw) = '' then 'blank line'
                                else 'malformed JSON (or not an object of this format)' end
                           when skip is not null then skip else problem end""",
            raw="case when b is null or (skip is null and problem is not null) then raw end",
            line="line",
            dedupe_key=key,
            record_kind="'call'",
            request_count="1",
            ts=ts_sql("b.timestamp"),
            ts_source="'record'",
            provider="coalesce(vendor, 'openai')",
            platform="platform",
            model_raw="model",
            input_uncached="u.input_tokens - coalesce(u.cached_input_tokens, 0)",
            cache_read="coalesce(u.cached_input_tokens, 0)",
            output="u.output_tokens",
            reasoning="coalesce(u.reasoning_output_tokens, 0)",
            service_tier="'standard'",
            tags=tag_entries_sql(
                ("session", "own_session"),
                ("project", "nullif(regexp_extract(cwd, '([^/\\\\]+)[/\\\\]*$', 1), '')"),
                ("git_branch", "branch"),
                ("model_provider", "case when platform <> 'openai' then model_provider end"),
            ),
            extra=extra_sql(),
        )
        src = f"""
            select *, case mode when 'delta' then {delta} when 'last' then last when 'total' then tot end as u
            from (
                select *, {mode} as mode
                from (
                    select *,
                        last_value(case when is_tc and tot is not null then tot end ignore nulls)
                            over (partition by session order by line {before}) as prev
                    from (
                        select line, raw, b,
                            coalesce(b.type = 'event_msg' and b.payload.type = 'token_count', false) as is_tc,
                            coalesce(bool_or(b.payload is not null and b.type in ({types})) over (), false)
                                as enveloped,
                            b.payload.info.total_token_usage as tot,
                            b.payload.info.last_token_usage as last,
                            last_value(case when b.type = 'session_meta' then b.payload.id end ignore nulls)
                                over (order by line {upto}) as session,
                            first_value(case when b.type = 'session_meta' then b.payload.id end ignore nulls)
                                over (order by line rows between unbounded preceding and unbounded following)
                                as own_session,
                            last_value(case when b.type = 'turn_context' then b.payload.model end ignore nulls)
                                over (order by line {upto}) as model,
                            last_value(case when b.type in ('session_meta', 'turn_context') then b.payload.cwd end
                                ignore nulls) over (order by line {upto}) as cwd,
                            last_value(case when b.type = 'session_meta' then b.payload.model_provider end
                                ignore nulls) over (order by line {upto}) as model_provider,
                            last_value(case when b.type = 'session_meta' then b.payload.git.branch end
                                ignore nulls) over (order by line {upto}) as branch
                        from (select line, raw, {parse_sql("raw", struct(LINE))} as b from recs)
                    )
                )
            )"""
        src = layer(with_vendor(src, "model"), skip=skip, problem=problem, platform=_platform_sql("model_provider"))
        return f"select {cols}\nfrom ({src})"
