-- what caching and batch saved in the report month: actual cost vs the same calls re-priced by price_join
-- without cache reads / without any caching / at the standard tier. Only calls priced both ways count.
-- grain: one row.
with reads as (
    select coalesce(sum(alt.cost_usd - a.cost_usd), 0) as saved, count(*) as calls
    from month_calls a
    join month_no_cache_reads_priced alt on alt.dedupe_key = a.dedupe_key and alt.price_status = 'priced'
    where a.price_status = 'priced'
),
all_cache as (
    select coalesce(sum(alt.cost_usd - a.cost_usd), 0) as saved, count(*) as calls
    from month_calls a
    join month_no_cache_priced alt on alt.dedupe_key = a.dedupe_key and alt.price_status = 'priced'
    where a.price_status = 'priced'
),
batch as (
    select coalesce(sum(alt.cost_usd - a.cost_usd), 0) as saved,
           count(*) as calls,
           coalesce(sum(alt.cost_usd), 0) as standard_cost
    from month_calls a
    join month_standard_tier_priced alt on alt.dedupe_key = a.dedupe_key and alt.price_status = 'priced'
    where a.price_status = 'priced'
)
select reads.saved as cache_read_saved_usd,
       reads.calls as cache_read_calls,
       all_cache.saved as cache_net_saved_usd,
       all_cache.calls as cache_calls,
       batch.saved as batch_saved_usd,
       batch.calls as batch_repriced_calls
from reads, all_cache, batch
