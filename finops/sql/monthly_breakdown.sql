-- spend by one dimension ($dim: provider, platform, model, service_tier, or a tag key) in the report
-- month [$start, $end) and the month before [$prev_start, $start). grain: one row per value.
with t as (
    select case $dim
               when 'provider' then provider
               when 'platform' then platform
               when 'model' then coalesce(price_model, model, '(unknown)')
               when 'service_tier' then service_tier
               else coalesce(tags[$dim], '(none)')
           end as value,
           provider,
           ts,
           request_count,
           input_uncached + cache_read + cache_write_5m + cache_write_1h + output + audio_in + audio_out as tokens,
           cost_usd
    from scoped_usage
    where ts >= $prev_start
      and ts < $end
)
select value,
       min(provider) as provider,
       coalesce(sum(request_count) filter (where ts >= $start), 0) as calls,
       coalesce(sum(tokens) filter (where ts >= $start), 0) as tokens,
       coalesce(sum(cost_usd) filter (where ts >= $start), 0) as cost_usd,
       coalesce(sum(request_count) filter (where ts >= $start and cost_usd is null), 0) as unpriced_calls,
       coalesce(sum(cost_usd) filter (where ts < $start), 0) as prev_cost_usd
from t
group by value
order by cost_usd desc, prev_cost_usd desc, value
