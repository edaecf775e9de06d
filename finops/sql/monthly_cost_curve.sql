-- the cost curve: cost of the report month when the most complex share of the movable calls (those whose
-- model has a priced small sibling) stays on its model and the rest moves, at shares kept 0%, 5%, ... 100%.
-- Movable calls ranked by complexity (prompt + 4 x output tokens, ties by dedupe_key), the simplest
-- floor((1 - share) x n) move; other priced calls keep their cost. grain: one row per step (21 rows).
with movable as (
    select b.cost_usd - cf.cost_usd as saving,
           row_number() over (order by b.input_uncached + b.cache_read + b.cache_write_5m + b.cache_write_1h
                                       + 4 * b.output, b.dedupe_key) as rank_simple
    from month_calls b
    join month_cf_priced cf
      on cf.dedupe_key = b.dedupe_key
     and cf.price_status = 'priced'
    where b.price_status = 'priced'
),
totals as (
    select (select coalesce(sum(cost_usd), 0) from month_calls where price_status = 'priced') as actual_usd,
           (select count(*) from month_calls where price_status = 'priced') as priced_calls,
           (select count(*) from movable) as n
),
cum as (
    select rank_simple,
           sum(saving) over (order by rank_simple rows between unbounded preceding and current row) as saved
    from movable
),
steps as (
    select s as step, ((20 - s) * t.n) // 20 as moved, t.n, t.priced_calls, t.actual_usd
    from range(0, 21) r(s), totals t
)
select steps.step * 5 as share_kept_pct,
       steps.moved as moved_calls,
       steps.n as movable_calls,
       steps.priced_calls,
       steps.actual_usd,
       steps.actual_usd - coalesce(cum.saved, 0) as cost_usd
from steps
left join cum on cum.rank_simple = steps.moved
order by share_kept_pct
