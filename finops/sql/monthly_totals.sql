-- spend per month in [$start, $end). grain: one row per month that has calls.
select strftime(date_trunc('month', ts), '%Y-%m') as month,
       sum(request_count) as calls,
       coalesce(sum(request_count) filter (where price_status <> 'priced'), 0) as flagged_calls,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls,
       -- rows whose cost is missing or partial (calls and request-less usage buckets; billed lines are whole)
       count(*) filter (where price_status not in ('priced', 'billed_line')) as not_fully_priced,
       coalesce(sum(cost_usd), 0) as cost_usd
from scoped_usage
where ts >= $start
  and ts < $end
group by all
order by month
