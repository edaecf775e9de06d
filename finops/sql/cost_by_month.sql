-- spend by month. grain: one row per month x provider x model (the price-table id, else the logged id).
-- Summed by UTC day first: the month of a timestamp is then computed once per day, not once per call.
with by_day as (
    select utc_day(ts) as day,
           provider,
           coalesce(price_model, model) as model,
           sum(request_count) as calls,
           sum(input_uncached + cache_read + cache_write_5m + cache_write_1h + audio_in) as input_tokens,
           sum(output + audio_out) as output_tokens,
           sum(cost_usd) as cost_usd,
           sum(request_count) filter (where cost_usd is null) as unpriced_calls
    from scoped_usage
    group by all
)
select strftime(date_trunc('month', day), '%Y-%m') as month,
       provider,
       model,
       sum(calls) as calls,
       sum(input_tokens) as input_tokens,
       sum(output_tokens) as output_tokens,
       coalesce(sum(cost_usd), 0) as cost_usd,
       coalesce(sum(unpriced_calls), 0) as unpriced_calls
from by_day
group by all
order by month, provider, model
