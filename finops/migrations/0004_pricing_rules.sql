-- 0004: price rules finance can audit (issue 6). Platform-scoped names, time-of-day windows,
-- modifiers with explicit rates or per-bucket factors, and a user contract layered on list prices.
-- Every table here is derived from pricing/*.toml (and --contract) and replaced by pricing.install().

-- names and patterns may be scoped to a serving platform ('' = any platform) and a route
-- ('' = any; bedrock: 'global' | 'regional', read from the logged id's inference-profile prefix)
alter table model_names add column platform varchar default '';
alter table model_names add column route varchar default '';
alter table model_patterns add column platform varchar default '';
alter table model_patterns add column route varchar default '';

alter table price_models add column vendor varchar;
alter table price_models add column platform varchar;

-- platforms that have a price file; fallback = 'none' means a name the file does not know stays unpriced
-- on that platform instead of taking the vendor's first-party price
create table price_platforms (
    platform    varchar primary key,
    fallback    varchar not null      -- first_party | none
);

-- service-tier rules, one row per (model, tier, validity, prompt band). Per bucket the rate is the
-- explicit rate if given, else the band's list rate x the bucket factor.
drop table price_modifiers;
create table price_modifiers (
    model           varchar not null,
    service_tier    varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    prompt_above    bigint not null,
    prompt_upto     bigint not null,
    factor          decimal(9, 4),         -- the rule's overall factor (null: explicit rates only)
    f_input         decimal(9, 4) not null,
    f_cache_read    decimal(9, 4) not null,
    f_cache_write_5m decimal(9, 4) not null,
    f_cache_write_1h decimal(9, 4) not null,
    f_output        decimal(9, 4) not null,
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

-- time-of-day windows: one row per (model, window, local time segment). A call is in the window when
-- its local time in `tz` falls in [start_sec, end_sec) on an ISO weekday whose bit is set in days_mask
-- (bit 0 = Monday). Rates: explicit, else the period's rate x factor.
create table price_windows (
    model           varchar not null,
    window_id       varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    tz              varchar not null,
    utc_offset      integer,               -- seconds; set when tz kept one offset over [effective_from, effective_to)
    days_mask       integer not null,
    start_sec       integer not null,
    end_sec         integer not null,
    factor          decimal(9, 4),
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

-- the rate card: the list rate of every (model, service tier, window, validity, prompt band), composed at
-- install time from periods, tier bands, windows and modifiers, so pricing a call is one equi + range join
-- and a dot product. service_tier 'other' holds any tier the ingesters may emit beyond the known ones.
-- tier_known = false: no rule for that tier here, priced at the standard rate (status tier_not_in_table).
create table rate_card (
    model           varchar not null,
    service_tier    varchar not null,
    window_id       varchar not null,      -- '' = outside every time-of-day window
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    prompt_above    bigint not null,
    prompt_upto     bigint not null,
    period_id       varchar not null,
    input           decimal(18, 10),
    cache_read      decimal(18, 10),
    cache_write_5m  decimal(18, 10),
    cache_write_1h  decimal(18, 10),
    output          decimal(18, 10),
    tier_known      boolean not null,
    tier_factor     decimal(9, 4),
    long_context    boolean not null,
    source          varchar not null,
    confidence      varchar not null
);

-- the user's contract (--contract / AISPEND_CONTRACT), resolved to one non-overlapping rule per
-- (model, service tier, time). Effective rate per bucket: explicit committed rate, else list x (1 - discount).
create table contract_rules (
    model           varchar not null,
    service_tier    varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    rule_id         varchar not null,
    discount        decimal(12, 8) not null,   -- fraction: 0.2 = 20% off
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6)
);

-- credits are reported per month, never netted into a call's cost
create table contract_credits (
    month           date not null,
    provider        varchar,
    amount_usd      decimal(18, 6) not null,
    rule_id         varchar not null,
    note            varchar
);

create table contract_meta (
    path            varchar not null,
    name            varchar,
    digest          varchar not null
);

-- force the next open to reinstall the price table into the new shapes
delete from price_meta;
