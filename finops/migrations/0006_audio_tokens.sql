-- 0006: audio tokens as their own billed buckets. OpenAI (prompt_tokens_details.audio_tokens,
-- completion_tokens_details.audio_tokens) and Gemini (promptTokensDetails / candidatesTokensDetails by
-- modality) report audio INSIDE the prompt and completion counts, and price it apart from text. The buckets
-- stay DISJOINT: ingest moves audio out of input_uncached / output into these columns, so cost is still one
-- dot product. Image and video tokens are billed at the text rate by both: they stay in input_uncached.

alter table usage add column audio_in bigint default 0;   -- uncached audio prompt tokens (not in input_uncached)
alter table usage add column audio_out bigint default 0;  -- audio output tokens (not in output)

-- the derived price tables gain the two rates (pricing.BUCKETS order); pricing.install() refills them
drop table prices;
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
    audio_in        decimal(18, 6),
    audio_out       decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

drop table price_modifiers;
create table price_modifiers (
    model           varchar not null,
    service_tier    varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    prompt_above    bigint not null,
    prompt_upto     bigint not null,
    factor          decimal(9, 4),
    f_input         decimal(9, 4) not null,
    f_cache_read    decimal(9, 4) not null,
    f_cache_write_5m decimal(9, 4) not null,
    f_cache_write_1h decimal(9, 4) not null,
    f_output        decimal(9, 4) not null,
    f_audio_in      decimal(9, 4) not null,
    f_audio_out     decimal(9, 4) not null,
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    audio_in        decimal(18, 6),
    audio_out       decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

drop table price_windows;
create table price_windows (
    model           varchar not null,
    window_id       varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    tz              varchar not null,
    utc_offset      integer,
    days_mask       integer not null,
    start_sec       integer not null,
    end_sec         integer not null,
    factor          decimal(9, 4),
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    audio_in        decimal(18, 6),
    audio_out       decimal(18, 6),
    source          varchar not null,
    confidence      varchar not null
);

drop table rate_card;
create table rate_card (
    model           varchar not null,
    service_tier    varchar not null,
    window_id       varchar not null,
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
    audio_in        decimal(18, 10),
    audio_out       decimal(18, 10),
    tier_known      boolean not null,
    tier_factor     decimal(9, 4),
    long_context    boolean not null,
    source          varchar not null,
    confidence      varchar not null
);

drop table contract_rules;
create table contract_rules (
    model           varchar not null,
    service_tier    varchar not null,
    effective_from  timestamptz not null,
    effective_to    timestamptz not null,
    rule_id         varchar not null,
    discount        decimal(12, 8) not null,
    input           decimal(18, 6),
    cache_read      decimal(18, 6),
    cache_write_5m  decimal(18, 6),
    cache_write_1h  decimal(18, 6),
    output          decimal(18, 6),
    audio_in        decimal(18, 6),
    audio_out       decimal(18, 6)
);

-- force the next open to reinstall the price table into the new shapes
delete from price_meta;
