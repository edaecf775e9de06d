-- spend by month. grain: one row per month x provider x model (the price-table id, else the logged id).
select strftime(date_trunc('month', ts), '%Y-%m') as month,
       provider,
       coalesce(price_model, model) as model,
       sum(request_count) as calls,
       sum(input_uncached + cache_read + cache_write_5m + cache_write_1h + audio_in) as input_tokens,
       sum(output + audio_out) as output_tokens,
       coalesce(sum(cost_usd), 0) as cost_usd,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls
from scoped_usage
group by all
order by month, provider, model
