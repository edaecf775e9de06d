-- The first counterfactuals, price only. grain: one row.
-- every priced call ranked by the complexity score (price-weighted size: prompt + 4 x output tokens,
-- reasoning included; ties by dedupe_key); cf = the call re-priced on its default small sibling at its
-- own ts and tier (priced by the same price_join as actual spend).
with ranked as (
    select b.dedupe_key,
           b.request_count,
           b.cost_usd,
           cf.cost_usd as cf_cost,
           cf.price_status = 'priced' as movable,
           row_number() over (order by b.complexity, b.dedupe_key) as rank_simple,
           count(*) over () as n
    from (select *, input_uncached + cache_read + cache_write_5m + cache_write_1h + 4 * output as complexity
          from scoped_usage where price_status = 'priced') b
    left join cf_priced cf on cf.dedupe_key = b.dedupe_key
)
select coalesce(sum(cost_usd), 0) as actual_usd,
       count(*) as priced_calls,
       count(*) filter (where movable) as movable_calls,
       coalesce(sum(case when movable then cf_cost else cost_usd end), 0) as all_to_small_usd,
       count(*) filter (where rank_simple <= floor(0.8 * n) and movable) as armstrong_moved_calls,
       count(*) filter (where rank_simple > floor(0.8 * n)) as armstrong_kept_calls,
       coalesce(sum(case when rank_simple <= floor(0.8 * n) and movable then cf_cost else cost_usd end), 0)
           as armstrong_usd,
       coalesce(sum(cost_usd) filter (where rank_simple > floor(0.8 * n)), 0) as armstrong_kept_spend_usd
from ranked
