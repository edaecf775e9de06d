"""Anthropic Admin API reports: the usage report (token buckets) and the cost report (billed lines).

Usage (`GET /v1/organizations/usage_report/messages`): `{"data": [{"starting_at", "ending_at",
"results": [{"uncached_input_tokens", "cache_creation": {"ephemeral_5m_input_tokens",
"ephemeral_1h_input_tokens"}, "cache_read_input_tokens", "output_tokens", "server_tool_use":
{"web_search_requests"}, "model", "service_tier", "workspace_id", "api_key_id", ...}]}]}` → record_kind
'bucket'. The buckets are already disjoint. The report gives no request count: request_count is 0
(unknown), so call counts do not include these buckets. Buckets grouped by `context_window`
'200k-1M' are still priced at the base band (a known limit: no per-request prompt size).

Cost (`GET /v1/organizations/cost_report`): results with `amount` (a decimal STRING in the lowest
currency unit: CENTS, "123.45" = $1.2345), `currency`, `cost_type`, `description`, optional `model`,
`token_type`, `service_tier` → record_kind 'cost', reported_cost in USD. Priority-tier spend is
reported to be missing from the cost report.
"""

from __future__ import annotations

from typing import Any

from finops.ingest import register
from finops.ingest._base import LogFormat, layer, parse_sql, staged_select, tier_sql, ts_sql
from finops.ingest._common import anthropic_tier, struct
from finops.ingest._exports import currency_problem, key_sql, tags_map_sql
from finops.ingest._tabular import dec_sql

USAGE_RESULT = {
    "uncached_input_tokens": "BIGINT",
    "cache_creation": {"ephemeral_5m_input_tokens": "BIGINT", "ephemeral_1h_input_tokens": "BIGINT"},
    "cache_creation_input_tokens": "BIGINT",
    "cache_read_input_tokens": "BIGINT",
    "output_tokens": "BIGINT",
    "server_tool_use": {"web_search_requests": "BIGINT"},
    "api_key_id": "VARCHAR",
    "workspace_id": "VARCHAR",
    "model": "VARCHAR",
    "service_tier": "VARCHAR",
    "context_window": "VARCHAR",
    "inference_geo": "VARCHAR",
    "speed": "VARCHAR",
    "account_id": "VARCHAR",
    "service_account_id": "VARCHAR",
}
COST_RESULT = {
    "amount": "VARCHAR",
    "currency": "VARCHAR",
    "cost_type": "VARCHAR",
    "description": "VARCHAR",
    "model": "VARCHAR",
    "token_type": "VARCHAR",
    "service_tier": "VARCHAR",
    "context_window": "VARCHAR",
    "workspace_id": "VARCHAR",
    "inference_geo": "VARCHAR",
}


def _page(result: dict[str, Any]) -> str:
    return struct({"data": [{"starting_at": "VARCHAR", "ending_at": "VARCHAR", "results": [result]}]})


def _results(rec: dict[str, Any]) -> list[dict[str, Any]]:
    data = rec.get("data")
    if not isinstance(data, list):
        return []
    return [
        r
        for b in data
        if isinstance(b, dict) and "starting_at" in b
        for r in (b.get("results") or [])
        if isinstance(r, dict)
    ]


def _bad() -> str:
    return staged_select(
        status="'reject'",
        reason="'malformed JSON (or not a report page)'",
        raw="raw",
        line="line",
        dedupe_key="'md5:' || md5(raw)",
    )


def _from(result: dict[str, Any], select: str, *layers: dict[str, str]) -> str:
    """The report's results (`line`, bucket `bk`, result `r`), each of `layers` adding columns computed
    once per result (_base.layer), and its malformed records."""
    results = "select line, bk, unnest(bk.results) as r from buckets"
    for cols in layers:
        results = layer(results, **cols)
    return f"""
        with pages as (select line, raw, {parse_sql("raw", _page(result))} as p from recs),
        buckets as (select line, unnest(p.data) as bk from pages where p is not null),
        results as ({results})
        select {select} from results
        union all
        select {_bad()} from pages where p is null and trim(raw) <> ''
        """


@register
class AnthropicUsageReport(LogFormat):
    name = "anthropic.usage_report"
    title = "Anthropic Admin API usage report (token buckets)"
    identifies = "data[].starting_at with results[].uncached_input_tokens"
    example = "aispend ingest anthropic_usage_2025-06.json"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any("uncached_input_tokens" in r for rec in records for r in _results(rec))

    def sql(self) -> str:
        w1h = "coalesce(r.cache_creation.ephemeral_1h_input_tokens, 0)"
        w5m = (
            f"coalesce(r.cache_creation.ephemeral_5m_input_tokens, coalesce(r.cache_creation_input_tokens, 0) - {w1h})"
        )
        problem = """case
            when r.model is null or trim(r.model) = ''
                then 'usage bucket has no model (export with group_by[]=model so it can be priced)'
            when r.uncached_input_tokens is null then 'usage bucket has no uncached_input_tokens'
            when r.output_tokens is null then 'usage bucket has no output_tokens'
            when bk.starting_at is null then 'bucket has no starting_at' end"""
        cols = staged_select(
            status="case when problem is not null then 'reject' else 'ok' end",
            reason="problem",
            raw="case when problem is not null then cast(to_json(r) as varchar) end",
            line="line",
            dedupe_key=key_sql(
                "anthropic.usage",
                "bk.starting_at",
                "bk.ending_at",
                "r.api_key_id",
                "r.workspace_id",
                "r.model",
                "r.service_tier",
                "r.context_window",
                "r.inference_geo",
                "r.speed",
                "r.account_id",
                "r.service_account_id",
            ),
            record_kind="'bucket'",
            request_count="0",
            ts=ts_sql("bk.starting_at"),
            ts_source="'record'",
            provider="'anthropic'",
            platform="'anthropic'",
            model_raw="r.model",
            input_uncached="r.uncached_input_tokens",
            cache_read="coalesce(r.cache_read_input_tokens, 0)",
            cache_write_5m=w5m,
            cache_write_1h=w1h,
            output="r.output_tokens",
            web_searches="coalesce(r.server_tool_use.web_search_requests, 0)",
            service_tier=anthropic_tier("r.service_tier", "r.speed"),
            region="r.inference_geo",
            tags=tags_map_sql(
                {"workspace_id": "r.workspace_id", "api_key_id": "r.api_key_id", "account_id": "r.account_id"}
            ),
            extra="""json_object('bucket_end', bk.ending_at, 'context_window', r.context_window, 'speed', r.speed,
                                 'requests_known', false)""",
        )
        return _from(USAGE_RESULT, cols, {"problem": problem})


@register
class AnthropicCostReport(LogFormat):
    name = "anthropic.cost_report"
    title = "Anthropic Admin API cost report (billed lines; amounts in cents)"
    identifies = "data[].starting_at with results[].amount (string, cents) + currency + cost_type/description"
    example = "aispend ingest anthropic_cost_2025-06.json"

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(
            "amount" in r and "currency" in r and ("cost_type" in r or "description" in r)
            for rec in records
            for r in _results(rec)
        )

    def sql(self) -> str:
        usd = "cast(cents * 0.01 as decimal(38, 12))"
        problem = f"""case when r.amount is null then 'cost result has no amount'
            when cents is null then 'amount is not a number: ' || r.amount
            when bk.starting_at is null then 'bucket has no starting_at'
            else ({currency_problem("r.currency")}) end"""
        cols = staged_select(
            status="case when problem is not null then 'reject' else 'ok' end",
            reason="problem",
            raw="case when problem is not null then cast(to_json(r) as varchar) end",
            line="line",
            dedupe_key=key_sql(
                "anthropic.cost",
                "bk.starting_at",
                "bk.ending_at",
                "r.workspace_id",
                "r.description",
                "r.cost_type",
                "r.model",
                "r.token_type",
                "r.service_tier",
                "r.context_window",
                "r.inference_geo",
            ),
            record_kind="'cost'",
            request_count="0",
            ts=ts_sql("bk.starting_at"),
            ts_source="'record'",
            provider="'anthropic'",
            platform="'anthropic'",
            model_raw="coalesce(nullif(trim(r.model), ''), nullif(trim(r.description), ''), '(all models)')",
            service_tier=tier_sql("r.service_tier"),
            region="r.inference_geo",
            tags=tags_map_sql({"workspace_id": "r.workspace_id"}),
            reported_cost=usd,
            extra="""json_object('bucket_end', bk.ending_at, 'amount_cents', r.amount, 'cost_type', r.cost_type,
                                 'description', r.description, 'token_type', r.token_type,
                                 'context_window', r.context_window)""",
        )
        return _from(COST_RESULT, cols, {"cents": dec_sql("r.amount")}, {"problem": problem})
