"""Simon Willison's `llm` CLI log database (`logs.db`, SQLite; `llm logs path` prints where it is).

Reads the `responses` table (and `turns`, where newer versions keep the same columns): `model`,
`resolved_model`, `datetime_utc` (naive UTC), `input_tokens`, `output_tokens`, `token_details` (JSON
text) — never the `prompt`/`response` text columns. One call per row. Counting follows the plugin that
wrote the row, known from the model's vendor: OpenAI `input_tokens` = prompt_tokens (INCLUDES
`token_details.prompt_tokens_details.cached_tokens`); Anthropic `input_tokens` EXCLUDES cache
(`cache_read_input_tokens`, `cache_creation_input_tokens` in token_details); Gemini `input_tokens` =
promptTokenCount (includes `cachedContentTokenCount`), `thoughtsTokenCount` is kept as reasoning (recent
llm-gemini counts it in output_tokens; versions before its fix for llm-gemini#75 did not, and such rows
under-count output). Rows logged before llm 0.19 have no token counts: quarantined.
The same call in both tables (a migrated database) is stored once: the dedupe key is the call's time,
model and counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from finops.arrow import string_array
from finops.ingest import register
from finops.ingest._base import Container, LogFormat, layer, staged_select, ts_sql
from finops.ingest._exports import key_sql, tags_map_sql
from finops.ingest._tabular import blank_sql, int_sql, q, sqlite_rows, tab_status
from finops.ingest._vendor import direct_platform_sql, with_vendor

TABLES = ("responses", "turns")
NEEDED = {"model", "input_tokens", "output_tokens"}
COLUMNS = (
    "id",
    "model",
    "resolved_model",
    "datetime_utc",
    "input_tokens",
    "output_tokens",
    "token_details",
    "conversation_id",
    "duration_ms",
)


def _detail(path: str) -> str:
    return f"coalesce(try_cast(try(json_extract_string({q('token_details')}, '{path}')) as bigint), 0)"


@register
class LlmLogs(LogFormat):
    name = "llm_logs"
    title = "simonw/llm logs.db (SQLite)"
    identifies = "a SQLite file with a `responses` (or `turns`) table holding model, input_tokens, output_tokens"
    example = 'aispend ingest "$(llm logs path)"'
    containers = ("sqlite",)
    columns = COLUMNS

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(r.get("table") in TABLES and set(r.get("columns", [])) >= NEEDED for r in records)

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        for t in container.sample:
            if t.get("table") in TABLES and set(t.get("columns", [])) >= NEEDED:
                name = str(t["table"])
                for chunk in sqlite_rows(path, name, COLUMNS):
                    yield chunk.append_column("_table", string_array([name] * chunk.num_rows))

    def sql(self) -> str:
        model = f"coalesce(nullif(trim({q('resolved_model')}), ''), nullif(trim({q('model')}), ''))"
        details = {
            "_oa_cached": "$.prompt_tokens_details.cached_tokens",
            "_an_read": "$.cache_read_input_tokens",
            "_an_write": "$.cache_creation_input_tokens",
            "_an_1h": "$.cache_creation.ephemeral_1h_input_tokens",
            "_g_cached": "$.cachedContentTokenCount",
            "_oa_reasoning": "$.completion_tokens_details.reasoning_tokens",
            "_g_thoughts": "$.thoughtsTokenCount",
        }
        step1 = f"""select *, {model} as _model, {int_sql(q("input_tokens"))} as _inp,
                   {int_sql(q("output_tokens"))} as _out, {ts_sql(q("datetime_utc"))} as _ts,
                   {", ".join(f"{_detail(path)} as {name}" for name, path in details.items())}
            from recs"""
        step2 = with_vendor(step1, "_model", "_vendor")
        problem = """case when _model is null then 'no model'
            when _inp is null or _out is null then 'no token counts (logged by llm before 0.19)'
            when _ts is null then 'datetime_utc is not a time'
            when _vendor = 'openai' and _oa_cached > _inp then 'cached tokens exceed input_tokens'
            when _vendor = 'google' and _g_cached > _inp then 'cached tokens exceed input_tokens' end"""
        cols = staged_select(
            **tab_status(COLUMNS, "_problem"),
            line="line",
            dedupe_key=key_sql("llm", q("datetime_utc"), "_model", "_inp", "_out", q("token_details")),
            record_kind="'call'",
            request_count="1",
            ts="_ts",
            ts_source="'record'",
            provider="coalesce(_vendor, 'unknown')",
            platform=f"coalesce({direct_platform_sql('_vendor')}, 'unknown')",
            model_raw="_model",
            input_uncached="""case _vendor when 'openai' then _inp - _oa_cached
                when 'google' then _inp - _g_cached else _inp end""",
            cache_read="case _vendor when 'openai' then _oa_cached when 'google' then _g_cached "
            "when 'anthropic' then _an_read else 0 end",
            cache_write_5m="case when _vendor = 'anthropic' then _an_write - _an_1h else 0 end",
            cache_write_1h="case when _vendor = 'anthropic' then _an_1h else 0 end",
            output="_out",
            reasoning="greatest(_oa_reasoning, _g_thoughts)",
            service_tier="'standard'",
            tags=tags_map_sql({"session": q("conversation_id"), "llm_table": "_table"}),
            request_id=q("id"),
        )
        checks = layer(step2, _blank=blank_sql(COLUMNS), _problem=problem)
        return f"select {cols}\nfrom ({checks})"
