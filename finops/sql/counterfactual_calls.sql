-- priced calls that have a target in `substitution` (model -> target), as calls of the target model.
-- grain: one row per moved call; price_join turns it into the counterfactual cost.
select c.dedupe_key,
       c.ts,
       c.record_kind,
       c.request_count,
       c.service_tier,
       c.input_uncached,
       c.cache_read,
       c.cache_write_5m,
       c.cache_write_1h,
       c.output,
       c.price_model as actual_model,
       s.target as price_model
from scoped_usage c
join substitution s
  on s.model = c.price_model
where c.price_status = 'priced'
