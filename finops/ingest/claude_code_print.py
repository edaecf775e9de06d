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
- `result` totals the session per model in `modelUsage` (Agent SDK `ModelUsage`: inputTokens, outputTokens,
  cacheReadInputTokens, cacheCreationInputTokens, webSearchRequests, costUSD), Claude Code's own side calls
  included (e.g. Haiku; they are never written as assistant lines). When stream-json input keeps one process
  alive it writes a result after every turn, a running total (anthropics/claude-code#83239): only the
  session's last result counts, earlier ones are skipped with a count. Of that result, each model adds what
  its assistant lines do not hold (modelUsage minus the session's calls of that model, each message once,
  never below zero), as a `bucket` row (request_count 0; a total of several calls, so no per-call rules such
  as long-context rates apply; its costUSD as reported cost only when no line of that model exists, as it
  cannot be split). A model whose total is all in the lines adds nothing (skipped with a count). Models are
  matched by their normalised ids (a Bedrock key `us.anthropic.…-v1:0` is the lines' bare name); when some
  assistant model matches no key, the result is not split and skipped with a count. `modelUsage` does not
  split cache writes by TTL: they are counted as 5-minute writes (Claude Code's default). Resumed runs
  appended to one file (a result per process, same session) can only under-count their side calls.
- `--output-format json` prints the result alone: every model's total is a bucket, with its costUSD.
- a result total and the same session's transcript (Claude Code writes one for `-p` runs too, `sessionId` =
  `session_id`): the transcript's calls win (one row per message, finer), whatever the ingest order. A result
  without assistant lines is the whole session's total: its rows say so in `extra` (`{"counts": "session"}`;
  `"rest"` for the part beyond a stream's assistant lines). Ingested after the transcript, such a result is
  skipped with a count. Ingested before it (an earlier run, or earlier in the same run), its rows are moved
  at the end of the run that stores the transcript from `usage` to the table `superseded` (migration 0008:
  the whole row, its file and line, the run, the transcript file that supersedes it and the reason), counted
  in that run's summary (IngestResult.superseded): see supersede_session_totals. Either way the store then
  counts what the transcript alone gives, and re-ingesting either file changes nothing (unchanged bytes are
  not read; other bytes of that result are skipped, its transcript being stored). Side-call buckets of a
  stream-json file (`rest`) are not in any transcript: they stay. Rows stored before the marker existed have
  no `counts` and are left alone (re-ingest those results into a fresh store to apply the rule).
- assistant lines whose usage is all zero (stream-json of some 2.1.9x versions: the counts are only in the
  result's modelUsage, multica-ai/multica#728) are no evidence of calls: the result's totals count in full
  (the zero lines stay, zero tokens each).
- stream_event / system / user lines are skipped with a count.
No line carries a time: --assume-time, else the file's modification time. Message ids `msg_bdrk_…` /
`msg_vrtx_…` (CLAUDE_CODE_USE_BEDROCK / _VERTEX) make the platform bedrock / vertex.
"""

from __future__ import annotations

from typing import Any

import duckdb

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
ALL_IN_LINES = "session total (result line): its calls are the assistant lines"
SESSION_TOTAL = "session"  # extra.counts of a result row that totals the whole session (no assistant lines)
SUPERSEDED = "session total of a claude -p result: the session's transcript is stored (its calls count)"
# a result's count per model (modelUsage field) against its calls' sum of the same (see sql: r_<key>, sum_<key>)
REST = {
    "in": "inputTokens",
    "read": "cacheReadInputTokens",
    "write": "cacheCreationInputTokens",
    "out": "outputTokens",
    "web": "webSearchRequests",
}

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
        from finops.ingest import normalise_model_sql  # defined after the format modules are imported

        problem = f"""case when b.type = 'assistant' then {anthropic_usage_problem("b.message.usage")}
                           when b.type = 'result' and model_key is not null and mu is null
                               then 'modelUsage entry is not an object of token counts'
                           when b.type = 'result' and model_key is not null
                                and (mu.inputTokens is null or mu.outputTokens is null)
                               then 'modelUsage entry has no inputTokens / outputTokens'
                           when b.type = 'result' and model_key is null and n_models = 0
                               then 'result without modelUsage and no assistant lines: tokens per model unknown' end"""
        left = [f"r_{k}" for k in REST]
        skip = f"""case when b.type = 'result' and result_rank > 1 then
                           'session total (result line): a running total, superseded by the session''s last result'
                       when b.type = 'result' and n_models > 0 and model_key is null
                           then '{ALL_IN_LINES}'
                       when b.type = 'result' and n_models > 0 and not all_matched then
                           'session total (result line): its models differ from the assistant lines'' (not split)'
                       when b.type = 'result' and n_models = 0 and transcript_stored then
                           'session total (result line): the session''s transcript is already stored (its calls count)'
                       when b.type = 'result' and n_models > 0 and {" + ".join(left)} = 0 then '{ALL_IN_LINES}'
                       when b.type is distinct from 'assistant' and b.type is distinct from 'result'
                           then coalesce(b.type, 'untyped') || ' line'
                       when b.message.model = '<synthetic>' then 'synthetic message (local placeholder)' end"""
        a = anthropic_iteration_cols(
            "b.message.usage", "coalesce('anthropic:' || b.message.id, 'md5:' || md5(raw))", "b.message.model"
        )
        total = {  # a result line's row for one model: what its assistant lines do not hold
            "input_uncached": "r_in",
            "cache_read": "r_read",
            "cache_write_5m": "r_write",
            "cache_write_1h": "0",
            "output": "r_out",
            "reasoning": "0",
            "web_searches": "r_web",
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
            # the whole model's cost only when none of it is in assistant lines (else it cannot be split)
            reported_cost="""case when b.type = 'result' and not matched
                                  then try_cast(mu.costUSD as decimal(38, 12)) end""",
            request_id="b.message.id",
            # what a result row holds: the whole session's total (no assistant lines: superseded by the session's
            # transcript, see supersede_session_totals) or the rest beyond the lines (side calls: kept)
            extra=f"""case when b.type = 'result' then json_object('counts', case when n_models = 0
                                                                         then '{SESSION_TOTAL}' else 'rest' end) end""",
            **by_kind,
        )
        parsed = f"select line, raw, {parse_sql('raw', struct(LINE))} as b from recs"
        u = "b.message.usage"
        counted = (
            f"coalesce({u}.input_tokens, 0) + coalesce({u}.output_tokens, 0)"
            f" + coalesce({u}.cache_read_input_tokens, 0) + coalesce({u}.cache_creation_input_tokens, 0)"
        )
        # each session's calls per model: a message once (its line with the largest output); lines counting no
        # token (all-zero stream-json usage, see the docstring) are no evidence and left out
        calls = f"""select sid, m, count(*) over (partition by sid) as n_models,
                       sum_in, sum_read, sum_write, sum_out, sum_web
            from (select sid, m, sum(i) as sum_in, sum(r) as sum_read, sum(w) as sum_write, sum(o) as sum_out,
                         sum(web) as sum_web
                  from (select b.session_id as sid, {normalise_model_sql("b.message.model")} as m,
                               {u}.input_tokens as i, coalesce({u}.cache_read_input_tokens, 0) as r,
                               coalesce({u}.cache_creation_input_tokens, 0) as w, {u}.output_tokens as o,
                               coalesce({u}.server_tool_use.web_search_requests, 0) as web
                        from ({parsed})
                        where b.type = 'assistant' and b.message.model is distinct from '<synthetic>'
                              and {u}.input_tokens is not null and {u}.output_tokens is not null and ({counted}) > 0
                        qualify row_number() over (partition by coalesce(b.message.id, md5(raw))
                                                   order by {u}.output_tokens desc, line desc) = 1)
                  group by all)"""
        src = f"""select line, raw, b, b.session_id as session,
                   case when b.type = 'result' then row_number() over (partition by b.type = 'result', b.session_id
                                                                        order by line desc) end as result_rank,
                   first_value(case when b.type = 'system' then b.cwd end ignore nulls) over (order by line
                       rows between unbounded preceding and unbounded following) as init_cwd
            from ({parsed})"""
        # the session's last result line: one row per modelUsage key (unnest in the select list; the keys of a
        # JSON object, NULL → one row with a NULL key)
        keys = "case when b.type = 'result' and result_rank = 1 then json_keys(b.modelUsage) end"
        src = f"""select *, unnest(coalesce(nullif({keys}, []), [null])) as model_key from ({src})"""
        src = layer(
            src,
            mu=f"""case when model_key is not null then try(json_transform(
                       json_extract(b.modelUsage, '$.' || to_json(model_key)), '{struct(MODEL_USAGE)}')) end""",
            model_norm=f"case when model_key is not null then {normalise_model_sql('model_key')} end",
        )
        src = f"""with calls as ({calls})
            select s.*, c.m is not null as matched, coalesce(n.n_models, 0) as n_models,
                   c.sum_in, c.sum_read, c.sum_write, c.sum_out, c.sum_web
            from ({src}) s
            left join calls c on c.sid is not distinct from s.session and c.m = s.model_norm
            left join (select distinct sid, n_models from calls) n
                on s.b.type = 'result' and n.sid is not distinct from s.session"""
        # the session's transcript calls already in the store (format claude_code, tag session = session_id)
        stored = (
            """b.type = 'result' and b.session_id in (select tags['session'] from usage where format = 'claude_code')"""
        )
        src = layer(
            src,
            all_matched="count(*) filter (where matched) over (partition by line) = n_models",
            transcript_stored=f"coalesce({stored}, false)",
            # what each modelUsage count holds beyond the session's calls of that model
            **{f"r_{k}": f"greatest(coalesce(mu.{f}, 0) - coalesce(sum_{k}, 0), 0)" for k, f in REST.items()},
        )
        src = layer(src, problem=problem, skip=skip)
        src = anthropic_iterations_sql(
            src, "b.message.usage", "b is not null and b.type = 'assistant' and skip is null and problem is null"
        )
        return f"select {cols}\nfrom ({src})"


def supersede_session_totals(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """Move the stored session totals of `claude -p` results (rows of this format whose extra.counts is
    'session') whose session has transcript calls in the store (format claude_code, tag session) from `usage` to
    `superseded`, with the run, the transcript file and the reason; return how many rows moved. The same rule
    as the skip in sql() (a result ingested after its transcript), for the other order. Idempotent: once moved,
    nothing is left to move. One transaction: the rows are in exactly one of the two tables."""
    con.execute("begin transaction")
    try:
        con.execute(
            f"""create or replace temp table _session_totals as
                select dedupe_key, tags['session'] as session from usage
                where format = '{ClaudeCodePrint.name}' and record_kind = 'bucket'
                      and json_extract_string(extra, '$.counts') = '{SESSION_TOTAL}'"""
        )
        moved = 0
        if con.execute("select 1 from _session_totals limit 1").fetchall():
            con.execute(
                """create or replace temp table _superseding as
                   select t.dedupe_key, c.transcript from _session_totals t
                   join (select tags['session'] as session, min(source_file) as transcript from usage
                         where format = 'claude_code' and tags['session'] in (select session from _session_totals)
                         group by all) c on c.session = t.session"""
            )
            row = con.execute("select count(*) from _superseding").fetchone()
            moved = int(row[0]) if row else 0
            if moved:
                con.execute(
                    f"""insert into superseded by name
                        select u.*, $run as superseded_run, s.transcript as superseded_by, $reason as reason
                        from usage u join _superseding s on s.dedupe_key = u.dedupe_key
                        where u.format = '{ClaudeCodePrint.name}'""",
                    {"run": run_id, "reason": SUPERSEDED},
                )
                con.execute(
                    f"""delete from usage where format = '{ClaudeCodePrint.name}'
                        and dedupe_key in (select dedupe_key from _superseding)"""
                )
            con.execute("drop table _superseding")
        con.execute("drop table _session_totals")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return moved
