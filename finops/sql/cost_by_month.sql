-- spend by month. grain: one row per month x provider x model (the price-table id, else the logged id).
-- From scoped_groups (sums per UTC day x model x status...: sql/report_sets.sql).
select strftime(date_trunc('month', day), '%Y-%m') as month,
       provider,
       coalesce(price_model, model) as model,
       sum(requests) as calls,
       sum(input_uncached + cache_read + cache_write_5m + cache_write_1h + audio_in) as input_tokens,
       sum(output + audio_out) as output_tokens,
       coalesce(sum(cost_usd), 0) as cost_usd,
       coalesce(sum(unpriced_requests), 0) as unpriced_calls
from scoped_groups
group by all
order by month, provider, model
