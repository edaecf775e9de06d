"""OpenAI Costs API pages (`GET /v1/organization/costs`): billed money per day, no tokens.

`{"object": "page", "data": [{"object": "bucket", "start_time", "end_time", "results": [
{"object": "organization.costs.result", "amount": {"value": 0.06, "currency": "usd"}, "line_item",
"project_id", ...}]}]}`. One row per result, record_kind 'cost', reported_cost = `amount.value` in USD
(a number, or a string in some exports: read exactly either way), request_count 0; a result without
`amount` (optional in the schema) is skipped with a count. `line_item` reads
like "gpt-4o-2024-08-06, input": the model is the part before the last comma. OpenAI recommends the
Costs API for financial figures; it need not match usage × list price (see `aispend reconcile`).
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer
from finops.ingest._common import struct
from finops.ingest._exports import currency_problem, openai_cost_cols, openai_page_sql
from finops.ingest._tabular import dec_sql
from finops.ingest.openai_usage_api import page_results

RESULT_OBJECT = "organization.costs.result"
RESULT = {
    "object": "VARCHAR",
    "amount": {"value": "VARCHAR", "currency": "VARCHAR"},
    "line_item": "VARCHAR",
    "project_id": "VARCHAR",
    "api_key_id": "VARCHAR",
    "quantity": "VARCHAR",
    "quantity_unit": "VARCHAR",
}
PAGE = {
    "object": "VARCHAR",
    "data": [{"object": "VARCHAR", "start_time": "DOUBLE", "end_time": "DOUBLE", "results": [RESULT]}],
}


@register
class OpenAICostsAPI(LogFormat):
    name = "openai.costs_api"
    title = "OpenAI Costs API pages (billed cost lines)"
    identifies = "object == 'page' with data[].results[].object == 'organization.costs.result' and amount.value"
    example = "aispend ingest costs_2025-06.json"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(r.get("object") == RESULT_OBJECT for rec in records for r in page_results(rec))

    def sql(self) -> str:
        problem = f"""case when r.amount is null then null
            when r.amount.value is null then 'cost result has no amount.value'
            when amount is null then 'amount.value is not a number: ' || r.amount.value
            else ({currency_problem("r.amount.currency")}) end"""
        # `amount` is optional in the API schema (openai-ruby OrganizationCostsResult: `optional :amount`): a
        # result without one bills nothing, it is skipped with a count (an amount without a value is rejected)
        skip = "case when r.amount is null then 'cost result without an amount' end"
        start, end = "cast(bk.start_time as bigint)", "cast(bk.end_time as bigint)"
        results = layer("select line, bk, unnest(bk.results) as r from buckets", amount=dec_sql("r.amount.value"))
        results = layer(results, problem=problem, skip=skip)
        cols = openai_cost_cols("amount", "r.line_item", start, end, "r.project_id", "r.api_key_id")
        return openai_page_sql(struct(PAGE), RESULT_OBJECT, "costs", results, cols, skip="skip")
