"""OpenAI dashboard exports (CSV from platform.openai.com/usage): the cost CSV and the activity CSV.

Cost CSV (`amount_value`): one billed line per day × line item × project → record_kind 'cost',
reported_cost = amount_value (USD). Activity CSV (`num_model_requests`): the Usage API's buckets with
the same column names → record_kind 'bucket' (input_tokens INCLUDES cached and cache-write tokens).
Both share the dedupe keys of the API formats (openai.usage_api, openai.costs_api), so a bucket seen in
the API page and in the CSV is stored once. Spreadsheet round-trips are expected: integers written as
floats (`10.0`), booleans as `FALSE`, long decimals, rows for empty days with every value blank.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import TOKEN_COLUMNS, LogFormat, layer, staged_select, ts_sql
from finops.ingest._exports import currency_problem, openai_bucket_cols, openai_bucket_problem, openai_cost_cols
from finops.ingest._tabular import blank_sql, bool_sql, dec_sql, int_sql, q, tab_status

TOKEN_FIELDS = (
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_uncached_tokens",
    "input_cache_write_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "output_image_tokens",
)
TEXT_FIELDS = ("project_id", "user_id", "api_key_id", "model", "service_tier")
COLUMNS = (
    "start_time",
    "end_time",
    "start_time_iso",
    "end_time_iso",
    "amount_value",
    "amount_currency",
    "line_item",
    "organization_id",
    "project_name",
    "batch",
    *TOKEN_FIELDS,
    *TEXT_FIELDS,
)


def _merge(kind: str, a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    """One SELECT for two row kinds: each staged column is `case when kind then a else b end`."""
    out = {}
    for name in sorted(set(a) | set(b)):
        none = "0" if name in TOKEN_COLUMNS else "null"
        x, y = a.get(name, none), b.get(name, none)
        out[name] = x if x == y else f"(case when {kind} then {x} else {y} end)"
    return out


@register
class OpenAIDashboardCSV(LogFormat):
    name = "openai.dashboard_csv"
    title = "OpenAI dashboard export CSV (cost or activity)"
    identifies = "CSV header with start_time_iso and amount_value (cost) or num_model_requests (activity)"
    example = "aispend ingest openai_costs_2025-06.csv openai_activity_2025-06.csv"
    containers = ("csv", "parquet")
    columns = COLUMNS

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        keys = set(records[0]) if records else set()
        return "start_time_iso" in keys and ("amount_value" in keys or "num_model_requests" in keys)

    def sql(self) -> str:
        has_usage = " or ".join(f"{q(c)} is not null" for c in ("num_model_requests", "input_tokens", "output_tokens"))
        cost_problem = f"""case when _amount is null then 'amount_value is not a number: ' || {q("amount_value")}
            else ({currency_problem(q("amount_currency"))}) end"""
        problem = f"""case when _start is null then 'no start_time / start_time_iso'
            when _is_cost then ({cost_problem}) else ({openai_bucket_problem("r")}) end"""
        skip = f"case when not _is_cost and not ({has_usage}) then 'row without amount or usage (an empty day)' end"
        cols = _merge(
            "_is_cost",
            openai_cost_cols("_amount", q("line_item"), "_start", "_end", q("project_id"), q("api_key_id")),
            openai_bucket_cols("r", "_start", "_end", "_batch"),
        )
        select = staged_select(**tab_status(COLUMNS, "_problem", "_skip"), line="line", **cols)
        fields = ", ".join(
            [f"'{c}': {int_sql(q(c))}" for c in TOKEN_FIELDS]
            + [f"'{c}': nullif(trim({q(c)}), '')" for c in TEXT_FIELDS]
        )
        src = layer(
            "select * from recs",
            r=f"{{{fields}}}",
            _is_cost=f"{q('amount_value')} is not null",
            _start=f"coalesce({int_sql(q('start_time'))}, cast(epoch({ts_sql(q('start_time_iso'))}) as bigint))",
            _end=f"coalesce({int_sql(q('end_time'))}, cast(epoch({ts_sql(q('end_time_iso'))}) as bigint))",
            _amount=dec_sql(q("amount_value")),
            _batch=bool_sql(q("batch")),
        )
        src = layer(src, _blank=blank_sql(COLUMNS), _problem=problem, _skip=skip)
        return f"select {select}\nfrom ({src})"
