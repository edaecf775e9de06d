-- the pivot-ready daily table: one row per UTC day x provider x platform x model x service tier x team x project
-- in [$start, $end), with token buckets and cost (unpriced calls counted, their cost absent).
select cast(ts as date) as day,
       strftime(date_trunc('month', ts), '%Y-%m') as month,
       provider,
       platform,
       coalesce(price_model, model, '(unknown)') as model,
       service_tier,
       coalesce(tags['team'], '(none)') as team,
       coalesce(tags['project'], '(none)') as project,
       sum(request_count) as calls,
       sum(input_uncached) as input_uncached,
       sum(cache_read) as cache_read,
       sum(cache_write_5m + cache_write_1h) as cache_write,
       sum(output) as output,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls,
       coalesce(sum(cost_usd), 0) as cost_usd
from scoped_usage
where ts >= $start
  and ts < $end
group by all
order by day, provider, model, service_tier, team, project, platform
