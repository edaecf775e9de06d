"""Claude Code headless output: `claude -p --output-format stream-json --verbose` (JSONL), `--output-format json`
(one `result` object; with --verbose a JSON array of every event).

Lines: `{type: system, subtype: init, model, session_id, cwd, …}`, `{type: assistant, message: {id, model,
usage}, session_id, parent_tool_use_id}`, `{type: user, …}`, with --include-partial-messages
`{type: stream_event, event: {…}}`, and last `{type: result, subtype, total_cost_usd, usage, modelUsage,
num_turns, session_id}`. Counting:
- the assistant lines are the calls. Like the transcripts (claude_code), Claude Code writes one line per
  content block and every line repeats the message's usage (anthropics/claude-code#6805): one call per
  `message.id`, the line with the largest output wins. The key is `anthropic:<message id>`, the transcripts'
  own: the same session ingested from ~/.claude/projects is not counted twice.
- `result` is a TOTAL of those calls (and, when stream-json input keeps one process alive, a running total
  of every turn so far: anthropics/claude-code#83239). With assistant lines in the file it is skipped with a
  count (its `total_cost_usd` restates their cost). Without any (`--output-format json`) it is the only
  record: one `bucket` row per model of `modelUsage` (tokens and `costUSD` as reported cost; a session total
  is several calls, so no per-call rules such as long-context rates apply). `modelUsage` does not split cache
  writes by TTL: they are counted as 5-minute writes (Claude Code's default).
- a result total and the same session's transcript (Claude Code writes one for `-p` runs too, `sessionId` =
  `session_id`): the transcript's calls win. A result whose session already has claude_code calls in the store
  is skipped with a count. Limit: ingested the other way round (the result first, its transcript later) both
  are kept, a double count of that session: a format cannot remove a stored row (that needs a rule in the
  pipeline). Ingest transcripts first (`aispend ingest ~/.claude/projects/` before result files).
- assistant lines whose usage is all zero (stream-json of some 2.1.9x versions: the counts are only in the
  result's modelUsage, multica-ai/multica#728) do not count as calls for this rule: the result's per-model
  totals are then stored as above (the zero lines stay, zero tokens each).
- stream_event / system / user lines are skipped with a count.
No line carries a time: --assume-time, else the file's modification time. Message ids `msg_bdrk_…` /
`msg_vrtx_…` (CLAUDE_CODE_USE_BEDROCK / _VERTEX) make the platform bedrock / vertex.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select
from finops.ingest._common import (
    ANTHROPIC_BODY,
    ANTHROPIC_USAGE,
    anthropic_iteration_cols,
    anthropic_iterations_sql,
    anthropic_tier,
    anthropic_usage_problem,
    status_cols,
    struct,
)
from finops.ingest._vendor import anthropic_platform_sql

LINE = {
    "type": "VARCHAR",
    "subtype": "VARCHAR",
    "session_id": "VARCHAR",
    "uuid": "VARCHAR",
    "cwd": "VARCHAR",
    "parent_tool_use_id": "VARCHAR",
    "message": ANTHROPIC_BODY,
    "usage": ANTHROPIC_USAGE,
    "total_cost_usd": "VARCHAR",
    "modelUsage": "JSON",
}
EVENT_TYPES = {"system", "assistant", "user", "result", "stream_event"}

# one modelUsage entry (camelCase, Claude Code's own accounting)
MODEL_USAGE = {
    "inputTokens": "BIGINT",
    "outputTokens": "BIGINT",
    "cacheReadInputTokens": "BIGINT",
    "cacheCreationInputTokens": "BIGINT",
    "webSearchRequests": "BIGINT",
    "costUSD": "VARCHAR",
}


@register
class ClaudeCodePrint(LogFormat):
    name = "claude_code.print"
    title = "Claude Code headless output (claude -p --output-format stream-json / json)"
    identifies = "session_id (snake_case) + type in system/assistant/user/result; result has total_cost_usd"
    example = "aispend ingest run.jsonl --assume-time 2025-09-01T10:00:00Z"
    whole_file = True  # a result line counts only when the file has no assistant line
    has_time = False
    priority = 10

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            "session_id" in r
            and "sessionId" not in r
            and r.get("type") in EVENT_TYPES
            and ("total_cost_usd" in r or "modelUsage" in r or r.get("subtype") == "init" or "message" in r)
            for r in records
        )

    def sql(self) -> str:
        problem = f"""case when b.type = 'assistant' then {anthropic_usage_problem("b.message.usage")}
                           when b.type = 'result' and model_key is not null and mu is null
                               then 'modelUsage entry is not an object of token counts'
                           when b.type = 'result' and model_key is not null
                                and (mu.inputTokens is null or mu.outputTokens is null)
                               then 'modelUsage entry has no inputTokens / outputTokens'
                           when b.type = 'result' and model_key is null and not has_calls
                               then 'result without modelUsage and no assistant lines: tokens per model unknown' end"""
        skip = """case when b.type = 'result' and has_calls
                           then 'session total (result line): its calls are the assistant lines'
                       when b.type = 'result' and transcript_stored then
                           'session total (result line): the session''s transcript is already stored (its calls count)'
                       when b.type is distinct from 'assistant' and b.type is distinct from 'result'
                           then coalesce(b.type, 'untyped') || ' line'
                       when b.message.model = '<synthetic>' then 'synthetic message (local placeholder)' end"""
        a = anthropic_iteration_cols(
            "b.message.usage", "coalesce('anthropic:' || b.message.id, 'md5:' || md5(raw))", "b.message.model"
        )
        total = {  # a result line's row for one model (no assistant line in the file)
            "input_uncached": "mu.inputTokens",
            "cache_read": "coalesce(mu.cacheReadInputTokens, 0)",
            "cache_write_5m": "coalesce(mu.cacheCreationInputTokens, 0)",
            "cache_write_1h": "0",
            "output": "mu.outputTokens",
            "reasoning": "0",
            "web_searches": "coalesce(mu.webSearchRequests, 0)",
            "dedupe_key": """'claude_code.result:' || coalesce(b.session_id || ':' || b.uuid, md5(raw))
                              || ':' || model_key""",
            "model_raw": "model_key",
            "request_count": "0",  # not known: num_turns counts turns, not API calls (as usage-report buckets)
        }
        by_kind = {k: f"case when b.type = 'result' then {total[k]} else {a[k]} end" for k in a}
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            pref="coalesce(b.message.usage.output_tokens, 0)",
            record_kind="case when b.type = 'result' then 'bucket' else 'call' end",
            ts="null",
            ts_source="null",
            provider="'anthropic'",
            platform=f"""case when b.type = 'result' then case
                                  when regexp_matches(lower(model_key), '^((us|eu|apac|global|jp|au)\\.)?anthropic\\.')
                                      then 'bedrock'
                                  when contains(model_key, '@') then 'vertex' else 'anthropic' end
                              else {anthropic_platform_sql("b.message.id")} end""",
            service_tier=anthropic_tier("b.message.usage.service_tier", "b.message.usage.speed"),
            region="b.message.usage.inference_geo",
            tags_json="""json_object('project', regexp_extract(init_cwd, '[^/\\\\]+$'), 'session', b.session_id,
                                     'subagent_of', b.parent_tool_use_id)""",
            reported_cost="case when b.type = 'result' then try_cast(mu.costUSD as decimal(38, 12)) end",
            request_id="b.message.id",
            **by_kind,
        )
        # has_calls: an assistant line whose usage counts any token (all-zero lines are no evidence: docstring)
        src = f"""select line, raw, b,
                   coalesce(bool_or(b.type = 'assistant' and (coalesce(b.message.usage.input_tokens, 0)
                       + coalesce(b.message.usage.output_tokens, 0)
                       + coalesce(b.message.usage.cache_read_input_tokens, 0)
                       + coalesce(b.message.usage.cache_creation_input_tokens, 0)) > 0) over (), false) as has_calls,
                   first_value(case when b.type = 'system' then b.cwd end ignore nulls) over (order by line
                       rows between unbounded preceding and unbounded following) as init_cwd
            from (select line, raw, {parse_sql("raw", struct(LINE))} as b from recs)"""
        # a result line without assistant lines: one row per modelUsage key (unnest in the select list; the
        # keys of a JSON object, NULL → one row with a NULL key)
        keys = "case when b.type = 'result' and not has_calls then json_keys(b.modelUsage) end"
        src = f"""select *, unnest(coalesce(nullif({keys}, []), [null])) as model_key from ({src})"""
        src = layer(
            src,
            mu=f"""case when model_key is not null then try(json_transform(
                       json_extract(b.modelUsage, '$.' || to_json(model_key)), '{struct(MODEL_USAGE)}')) end""",
        )
        # the session's transcript calls already in the store (format claude_code, tag session = session_id)
        stored = """b.type = 'result' and not has_calls and b.session_id in (
                        select tags['session'] from usage where format = 'claude_code')"""
        src = layer(src, transcript_stored=f"coalesce({stored}, false)")
        src = layer(src, problem=problem, skip=skip)
        src = anthropic_iterations_sql(
            src, "b.message.usage", "b is not null and b.type = 'assistant' and skip is null and problem is null"
        )
        return f"select {cols}\nfrom ({src})"
