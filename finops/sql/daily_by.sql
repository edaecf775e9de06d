-- daily spend by one dimension ($dim as in monthly_breakdown) in [$start, $end).
-- grain: one row per day x value that has calls (days without calls are absent: zero-fill in Python).
select cast(ts as date) as day,
       case $dim
           when 'provider' then provider
           when 'platform' then platform
           when 'model' then coalesce(price_model, model, '(unknown)')
           when 'service_tier' then service_tier
           else coalesce(tags[$dim], '(none)')
       end as value,
       sum(request_count) as calls,
       coalesce(sum(cost_usd), 0) as cost_usd
from scoped_usage
where ts >= $start
  and ts < $end
group by all
order by day, value
