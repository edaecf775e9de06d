"""FinOps FOCUS billing exports (CSV or Parquet, FOCUS 1.0-1.3): one row per charge line.

Every row is already priced: `BilledCost` (what the invoice says) is kept as reported_cost;
`EffectiveCost`, `ListCost`, `ContractedCost` go to extra. A usage row of tokens with a known model and
token type becomes a 'bucket' whose tokens are priced like any other usage (and reconciled against its
BilledCost): the type comes from `SkuPriceDetails` {"TokenDirection": Input|Output, "TokenCacheAction":
Uncached|Read|Write} (FOCUS 1.3 / 1.5 draft), else from the `SkuMeter` text ("Cache Read Input Tokens").
`ConsumedQuantity` is in raw tokens (a unit like "1000 Tokens" multiplies it); `PricingQuantity` is in
pricing units and is not used. Anything else (taxes, credits, purchases, non-token usage, rows without a
model) is a 'cost' line. The time is `ChargePeriodStart`. Money other than USD is quarantined.
Provider: `SkuPriceDetails.ModelDeveloper`, else the model's vendor, else the service provider;
platform: the host (`HostProviderName`, else `ServiceProviderName`/`ProviderName`): Microsoft → azure,
AWS → bedrock, Google Cloud → vertex.

Custom columns: a provider's own columns "MUST be prefixed with a consistent x_ prefix" (FOCUS spec, Column
Naming and Ordering), e.g. Microsoft's `x_SkuMeterName`, `x_ResourceGroupName`. They are kept, as text,
in extra under their own names (`read` gathers every `x_` column of the file into one struct `_x`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from finops.ingest import register
from finops.ingest._base import Container, LogFormat, layer, read_all, staged_select, ts_sql
from finops.ingest._exports import currency_problem, key_sql
from finops.ingest._tabular import blank_sql, dec_sql, q, tab_status
from finops.ingest._vendor import with_vendor

COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingAccountId",
    "SubAccountId",
    "SubAccountName",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingCategory",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceProviderName",
    "HostProviderName",
    "InvoiceIssuerName",
    "ServiceName",
    "ServiceCategory",
    "ResourceId",
    "ResourceName",
    "RegionId",
    "SkuId",
    "SkuPriceId",
    "SkuMeter",
    "SkuPriceDetails",
    "CommitmentDiscountId",
    "Tags",
)


def _detail(key: str) -> str:
    d = q("SkuPriceDetails")
    plain, custom = f"try(json_extract_string({d}, '$.{key}'))", f"try(json_extract_string({d}, '$.x_{key}'))"
    return f"nullif(trim(coalesce({plain}, {custom})), '')"


def _slug(expr: str) -> str:
    return f"nullif(trim(regexp_replace(lower(trim({expr})), '[^a-z0-9]+', '_', 'g'), '_'), '')"


def _company(expr: str, host: bool) -> str:
    """A company name → our provider (host=False) or platform (host=True) id."""
    s = f"lower(trim({expr}))"
    cloud = (
        f"""when {s} like 'microsoft%' or {s} like '%azure%' then 'azure'
            when {s} like 'amazon%' or {s} = 'aws' then 'bedrock'
            when {s} like 'google cloud%' or {s} = 'gcp' then 'vertex'"""
        if host
        else ""
    )
    return f"""(case when {expr} is null or trim({expr}) = '' then null
        {cloud}
        when {s} like 'openai%' or {s} = 'open ai' then 'openai'
        when {s} like 'anthropic%' then 'anthropic'
        when {s} like 'google%' then 'google'
        else {_slug(expr)} end)"""


@register
class Focus(LogFormat):
    name = "focus"
    title = "FinOps FOCUS billing export (1.0-1.3; CSV or Parquet)"
    identifies = "columns BilledCost and ChargePeriodStart"
    example = "aispend ingest focus_2025-06.csv"
    containers = ("csv", "parquet")
    columns = COLUMNS

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        keys = set(records[0]) if records else set()
        return "BilledCost" in keys and "ChargePeriodStart" in keys

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        """The declared columns, plus `_x`: the file's custom `x_` columns as one struct (NULL without any)."""
        custom = [c for c in container.columns if c.lower().startswith("x_") and c not in COLUMNS]
        for t in read_all(path, container, (*COLUMNS, *custom)):
            if custom:
                x = pa.StructArray.from_arrays([t.column(c).combine_chunks() for c in custom], names=custom)
                t = t.drop_columns(custom)
            else:
                x = pa.nulls(t.num_rows, pa.string())
            yield t.append_column("_x", x)

    def sql(self) -> str:
        meter = f"lower(coalesce({q('SkuMeter')}, ''))"
        unit = f"lower(coalesce({q('ConsumedUnit')}, ''))"
        scale = f"""(case when regexp_matches({unit}, '^[0-9]') then
                        try_cast(regexp_extract({unit}, '^([0-9.]+)', 1) as double)
                        * (case when regexp_matches({unit}, '^[0-9.]+\\s*k') then 1e3
                                when regexp_matches({unit}, '^[0-9.]+\\s*m') then 1e6 else 1 end)
                     else 1 end)"""
        step1 = f"""select *, {dec_sql(q("BilledCost"))} as _billed, {ts_sql(q("ChargePeriodStart"))} as _ts,
                   coalesce({_detail("ModelId")}, {_detail("ModelName")}) as _model, {meter} as _meter,
                   {unit} as _unit,
                   cast(round(try_cast({q("ConsumedQuantity")} as double) * {scale}) as bigint) as _qty,
                   {_detail("TokenDirection")} as _dir_detail, {_detail("TokenCacheAction")} as _cache_detail,
                   {_detail("ModelDeveloper")} as _developer
            from recs"""
        step2 = """select *,
                   lower(coalesce(_dir_detail,
                       case when _meter like '%output%' or _meter like '%completion%' then 'output'
                            when _meter like '%input%' or _meter like '%prompt%' or _meter like '%cache%' then 'input'
                       end)) as _direction,
                   lower(coalesce(_cache_detail,
                       case when _meter like '%cache read%' or _meter like '%cached%' or _meter like '%cache hit%'
                                then 'read'
                            when _meter like '%cache write%' or _meter like '%cache creation%' then 'write'
                            else 'uncached' end)) as _cache
            from ({step1})""".replace("{step1}", step1)
        category = q("ChargeCategory")
        step3 = f"""select *, (lower(coalesce({category}, 'usage')) = 'usage' and _unit like '%token%'
                   and _model is not null and _direction in ('input', 'output')
                   and _qty is not null and _qty >= 0) as _is_tokens
            from ({step2})"""

        def bucket(name: str) -> str:
            cond = {
                "input_uncached": "_direction = 'input' and _cache not in ('read', 'write')",
                "cache_read": "_direction = 'input' and _cache = 'read'",
                "cache_write_5m": "_direction = 'input' and _cache = 'write' and _meter not like '%1h%'",
                "cache_write_1h": "_direction = 'input' and _cache = 'write' and _meter like '%1h%'",
                "output": "_direction = 'output'",
            }[name]
            return f"(case when _is_tokens and {cond} then _qty else 0 end)"

        problem = f"""case when {q("BilledCost")} is null then 'no BilledCost'
            when _billed is null then 'BilledCost is not a number: ' || {q("BilledCost")}
            when _ts is null then 'ChargePeriodStart is not a time: '
                 || coalesce({q("ChargePeriodStart")}, 'empty')
            else ({currency_problem(q("BillingCurrency"))}) end"""
        developer = _company("_developer", host=False)
        service = _company("_service_name", host=False)
        host = _company("_host_name", host=True)
        tags = f"""map_concat(
            coalesce(try(json_transform({q("Tags")}, '"MAP(VARCHAR, VARCHAR)"')), map()),
            map_from_entries(list_filter([
                {{'key': 'sub_account_id', 'value': {q("SubAccountId")}}},
                {{'key': 'sub_account', 'value': {q("SubAccountName")}}}], lambda x: x.value is not null)))"""
        cols = staged_select(
            **tab_status(COLUMNS, "_problem"),
            line="line",
            dedupe_key=key_sql(
                "focus",
                *(q(c) for c in COLUMNS if c not in ("ProviderName", "PublisherName", "InvoiceIssuerName")),
                'to_json("_x")',  # rows that differ only in custom columns are different charges
            ),
            record_kind="case when _is_tokens then 'bucket' else 'cost' end",
            request_count="0",
            ts="_ts",
            ts_source="'record'",
            provider=f"coalesce({developer}, _vendor, {service}, 'unknown')",
            platform=f"coalesce({host}, 'unknown')",
            model_raw=f"""coalesce(_model, nullif(trim({q("ChargeDescription")}), ''),
                nullif(trim({q("SkuMeter")}), ''), nullif(trim({q("ServiceName")}), ''),
                '(' || lower(coalesce({q("ChargeCategory")}, 'charge')) || ')')""",
            input_uncached=bucket("input_uncached"),
            cache_read=bucket("cache_read"),
            cache_write_5m=bucket("cache_write_5m"),
            cache_write_1h=bucket("cache_write_1h"),
            output=bucket("output"),
            service_tier=f"""case when lower(coalesce({q("PricingCategory")}, '')) = 'committed' then 'committed'
                when {meter} like '%batch%' then 'batch' else 'standard' end""",
            region=f"nullif(trim({q('RegionId')}), '')",
            tags=tags,
            reported_cost="_billed",
            extra=f"""json_merge_patch(json_object('charge_period_end', {q("ChargePeriodEnd")},
                'charge_category', {q("ChargeCategory")},
                'charge_class', {q("ChargeClass")}, 'effective_cost', {q("EffectiveCost")},
                'list_cost', {q("ListCost")},
                'contracted_cost', {q("ContractedCost")}, 'sku_id', {q("SkuId")}, 'sku_meter', {q("SkuMeter")},
                'consumed_quantity', {q("ConsumedQuantity")}, 'consumed_unit', {q("ConsumedUnit")},
                'pricing_category', {q("PricingCategory")}, 'service_name', {q("ServiceName")}),
                coalesce(to_json("_x"), '{{}}'))""",
        )
        checks = layer(
            with_vendor(step3, "_model", "_vendor"),
            _blank=blank_sql(COLUMNS),
            _problem=problem,
            _service_name=f"coalesce({q('ServiceProviderName')}, {q('ProviderName')}, {q('PublisherName')})",
            _host_name=f"coalesce({q('HostProviderName')}, {q('ServiceProviderName')}, {q('ProviderName')}, "
            f"{q('InvoiceIssuerName')})",
        )
        return f"select {cols}\nfrom ({checks})"
