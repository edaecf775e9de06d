-- 0001: the store. Never edit once merged; add 0002_... instead.

-- one row per billable call, or per aggregate bucket (record_kind = 'bucket') for usage exports.
-- token buckets are DISJOINT: cost is a plain dot product with the rates.
create table usage (
    dedupe_key      varchar   not null,   -- provider request id where the source has one
    record_kind     varchar   not null,   -- call | bucket
    request_count   bigint    not null,   -- 1 for a call
    ts              timestamptz not null, -- call time, UTC
    ts_source       varchar   not null,   -- record | envelope | assumed | file_mtime
    provider        varchar   not null,   -- model vendor: openai, anthropic, google, ...
    platform        varchar   not null,   -- serving platform: openai, anthropic, gemini_api, vertex, bedrock, azure, ...
    model_raw       varchar,              -- as logged
    model           varchar,              -- normalised id (prefixes stripped, lowercase); resolved to a price at query time
    input_uncached  bigint    not null,   -- prompt tokens billed at the base input rate
    cache_read      bigint    not null,
    cache_write_5m  bigint    not null,
    cache_write_1h  bigint    not null,
    output          bigint    not null,   -- all billed output, reasoning included
    reasoning       bigint    not null,   -- informational subset of output
    web_searches    bigint    not null,
    service_tier    varchar   not null,   -- standard | batch | flex | priority | scale
    region          varchar,
    tags            map(varchar, varchar),
    reported_cost   decimal(38, 12),      -- a cost the source itself states; never overwritten
    request_id      varchar,
    source_file     varchar   not null,
    source_line     bigint,
    format          varchar   not null,
    run_id          bigint    not null
);

create table ingest_runs (
    run_id      bigint primary key,
    started_at  timestamptz not null,
    finished_at timestamptz,
    command     varchar,
    aispend_version varchar
);

-- one row per ingested file content: re-ingesting the same bytes is a no-op
create table files (
    sha256       varchar primary key,
    path         varchar not null,
    size_bytes   bigint  not null,
    format       varchar not null,
    run_id       bigint  not null,
    records      bigint  not null,  -- records read
    calls        bigint  not null,  -- rows added to usage
    duplicates   bigint  not null,  -- calls already in the store or repeated in the file
    quarantined  bigint  not null,
    skipped      bigint  not null,  -- records that are not calls (stream deltas, user turns, ...)
    ts_note      varchar,           -- how time was found when the records carry none
    ingested_at  timestamptz not null
);

-- every rejected record, with where it came from and why
create table quarantine (
    run_id      bigint  not null,
    source_file varchar not null,
    source_line bigint,
    format      varchar,
    reason      varchar not null,
    raw         varchar
);

-- the price table, replaced as a whole whenever pricing/ changes (see finops/pricing.py)
create table price_meta (
    version     varchar not null,
    digest      varchar not null,
    source_dir  varchar not null,
    loaded_at   timestamptz not null
);

create table price_models (
    model       varchar primary key,
    provider    varchar not null,
    name        varchar not null
);

-- one row per (model, period, tier band): the band holds prompts with prompt_above < prompt <= prompt_upto
create table prices (
    model           varchar not null,
    provider        varchar not null,
    period_id       varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    prompt_above    bigint not null,
    prompt_upto     bigint not null,
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

-- exact names (canonical ids, match entries, moving aliases) with their validity
create table model_names (
    name        varchar not null,
    model       varchar not null,
    valid_from  timestamptz not null,
    valid_to    timestamptz not null,
    kind        varchar not null     -- id | match | alias
);

-- trailing-* patterns, stored as the prefix before the '*'
create table model_patterns (
    pattern     varchar not null,
    model       varchar not null
);

create table price_modifiers (
    model           varchar not null,
    service_tier    varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    factor          decimal(9, 4) not null,
    source          varchar not null
);
