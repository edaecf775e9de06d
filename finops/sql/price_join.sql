-- Prices calls. grain: one row per row of {calls}, with the period, tier band and service-tier
-- modifier in force at the call's own ts, and cost_usd (exact DECIMAL(38,16)).
-- {calls} must have: ts, price_model, record_kind, service_tier and the five billed token buckets.
-- This is the ONLY place cost is computed: actual spend and counterfactuals both select from it.
select c.*,
       p.period_id,
       p.source as price_source,
       p.confidence as price_confidence,
       p.prompt_above > -1 as long_context_tier,
       coalesce(m.factor, 1) as tier_factor,
       case
           when c.price_model is null then 'unpriced_model'
           when p.model is null then 'no_price_at_date'
           when (c.input_uncached > 0 and p.input is null)
             or (c.cache_read > 0 and p.cache_read is null)
             or (c.cache_write_5m > 0 and p.cache_write_5m is null)
             or (c.cache_write_1h > 0 and p.cache_write_1h is null)
             or (c.output > 0 and p.output is null) then 'missing_rate'
           when c.service_tier <> 'standard' and m.model is null then 'tier_not_in_table'
           else 'priced'
       end as price_status,
       case when p.model is not null then
           cast((cast(c.input_uncached as decimal(38, 0)) * coalesce(p.input, 0)
                 + cast(c.cache_read as decimal(38, 0)) * coalesce(p.cache_read, 0)
                 + cast(c.cache_write_5m as decimal(38, 0)) * coalesce(p.cache_write_5m, 0)
                 + cast(c.cache_write_1h as decimal(38, 0)) * coalesce(p.cache_write_1h, 0)
                 + cast(c.output as decimal(38, 0)) * coalesce(p.output, 0))
                * coalesce(m.factor, 1) * 0.000001 as decimal(38, 16))
       end as cost_usd
from {calls} c
left join prices p
  on p.model = c.price_model
 and c.ts >= p.effective_from
 and c.ts < p.effective_to
 and (case when c.record_kind = 'bucket' then 0
           else c.input_uncached + c.cache_read + c.cache_write_5m + c.cache_write_1h end) > p.prompt_above
 and (case when c.record_kind = 'bucket' then 0
           else c.input_uncached + c.cache_read + c.cache_write_5m + c.cache_write_1h end) <= p.prompt_upto
left join price_modifiers m
  on m.model = c.price_model
 and m.service_tier = c.service_tier
 and c.ts >= m.effective_from
 and c.ts < m.effective_to
