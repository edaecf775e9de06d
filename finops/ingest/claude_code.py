"""Claude Code session transcripts (`~/.claude/projects/<project>/<session>.jsonl`).

Claude Code writes one line per content block; every line of a message repeats its `message.id`,
`requestId` and input/cache usage while `output_tokens` GROWS. One call per message is kept: the line
with the largest output (the final one). Sidechain replays repeat a `message.id` under a new
`requestId`: the non-sidechain copy wins. `<synthetic>` messages (local placeholders) are skipped.
Usage follows Anthropic's convention (input excludes cache). Claude Code on Amazon Bedrock or Google Vertex
(CLAUDE_CODE_USE_BEDROCK / _VERTEX) logs the platform's message ids (`msg_bdrk_…`, `msg_vrtx_…`) beside a bare
model name: those calls are platform bedrock / vertex, priced by that platform's table.

Tags: project (the cwd's last folder, `/` or `\\` paths), session (`sessionId`), git_branch, agent (`agentId`,
set in sub-agent transcripts). `costUSD` (written by versions
before mid 2025) is the reported cost. The layout (flat `<session>.jsonl`, nested session folders, sub-agent
files, several roots such as `CLAUDE_CONFIG_DIR` entries or `~/.config/claude/projects`) does not matter: every
file is read by what its lines say, and copies of a message across files are stored once.

Where ccusage (ryoppippi/ccusage, rust/crates/ccusage/src/adapter/claude/mod.rs) counts differently, on
purpose:
- key: ccusage keys a line on (`message.id`, `requestId`) and merges a sidechain copy into the parent's by
  `message.id`; here the key is `message.id` alone (the API's id of one response), so two non-sidechain copies
  of a message under different `requestId`s count once here, twice there. Lines without `requestId` (older
  versions, some gateways) key on `message.id` in both. A line with neither id is kept once per distinct text
  here; ccusage counts every such line.
- the copy kept: here the non-sidechain one, then the largest `output_tokens`, then the last line; ccusage
  keeps the largest input + output + cache total (the same line, since copies repeat the input and cache counts).
- `<synthetic>` messages: skipped here; ccusage keeps their (zero) tokens under no model.
- project: here the cwd's last folder; ccusage uses the `projects/` directory name (the encoded cwd).
- only `type: assistant` lines are calls here; ccusage reads any line with `message.usage` (real transcripts
  carry usage on assistant lines only).
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, ts_sql
from finops.ingest._common import (
    ANTHROPIC_BODY,
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
    "sessionId": "VARCHAR",
    "timestamp": "VARCHAR",
    "requestId": "VARCHAR",
    "isSidechain": "BOOLEAN",
    "cwd": "VARCHAR",
    "gitBranch": "VARCHAR",
    "agentId": "VARCHAR",
    "costUSD": "VARCHAR",
    "message": ANTHROPIC_BODY,
}
LINE_TYPES = {"user", "assistant", "summary", "system", "progress", "file-history-snapshot", "queue-operation"}


@register
class ClaudeCode(LogFormat):
    name = "claude_code"
    title = "Claude Code session transcripts (JSONL)"
    identifies = "sessionId + type in user/assistant/summary/...; assistant lines carry message.usage"
    example = "aispend ingest ~/.claude/projects/"
    priority = 10

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any("sessionId" in r or (r.get("type") == "summary" and "leafUuid" in r) for r in records) and any(
            r.get("type") in LINE_TYPES for r in records
        )

    def sql(self) -> str:
        problem = anthropic_usage_problem("b.message.usage")
        skip = """case when b.type is distinct from 'assistant' then coalesce(b.type, 'untyped') || ' line'
                       when b.message.model = '<synthetic>' then 'synthetic message (local placeholder)' end"""
        cols = staged_select(
            **status_cols("problem", "skip"),
            line="line",
            pref="""(case when coalesce(b.isSidechain, false) then 0 else 1 end) * 1000000000000
                    + coalesce(b.message.usage.output_tokens, 0)""",
            record_kind="'call'",
            ts=ts_sql("b.timestamp"),
            ts_source="'record'",
            provider="'anthropic'",
            platform=anthropic_platform_sql("b.message.id"),
            service_tier=anthropic_tier("b.message.usage.service_tier", "b.message.usage.speed"),
            region="b.message.usage.inference_geo",
            # a JSON object per line, made a MAP (empty values dropped) once per distinct object when stored
            # project: the cwd's last folder (`/` or, on native Windows, `\\`)
            tags_json="""json_object('project', regexp_extract(b.cwd, '[^/\\\\]+$'), 'session', b.sessionId,
                                     'git_branch', b.gitBranch, 'agent', b.agentId)""",
            reported_cost="try_cast(b.costUSD as decimal(38, 12))",
            request_id="b.requestId",
            **anthropic_iteration_cols(
                "b.message.usage",
                "coalesce('anthropic:' || b.message.id, 'claude_code:' || b.requestId, 'md5:' || md5(raw))",
                "b.message.model",
            ),
        )
        src = f"select line, raw, {parse_sql('raw', struct(LINE))} as b from recs"
        src = layer(src, problem=problem, skip=skip)
        src = anthropic_iterations_sql(src, "b.message.usage", "b is not null and skip is null and problem is null")
        return f"select {cols}\nfrom ({src})"
