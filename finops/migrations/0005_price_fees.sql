-- 0005: per-request fees (pricing/README.md [[fees]]). A web search is billed per request, not per token:
-- usage.web_searches x web_search / 1000 is part of a call's cost (sql/price_join.sql). Derived from
-- pricing/*.toml and replaced by pricing.install(), like every price table.

-- one row per (model, fee rule): the fees in force over [effective_from, effective_to); rules never overlap
-- for one model. A null fee is unknown, not zero: a call that used the feature is flagged missing_fee.
create table price_fees (
    model           varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    web_search      decimal(18, 6),        -- USD per 1,000 web-search requests
    source          varchar not null,
    confidence      varchar not null
);

-- force the next open to reinstall the price table (the fees were not installed before)
delete from price_meta;
