-- rows a report does not count because a finer source covers the same provider x platform x UTC day
-- (calls > usage buckets > billed cost lines; see finops/scope.py). grain: one row per provider x
-- platform x counted source x not-counted source. amount_usd: what the not-counted rows say (computed
-- cost for buckets, the billed amount for cost lines).
select provider,
       platform,
       case kept_rank when 1 then 'calls' when 2 then 'usage buckets' else 'cost lines' end as counted_from,
       case record_kind when 'bucket' then 'usage buckets' when 'cost' then 'cost lines' else record_kind end
           as not_counted,
       count(distinct utc_day(ts)) as days,
       cast(min(utc_day(ts)) as varchar) as first_day,
       cast(max(utc_day(ts)) as varchar) as last_day,
       count(*) as records,
       coalesce(sum(request_count), 0) as requests,
       coalesce(sum(case when record_kind = 'cost' then reported_cost else cost_usd end), 0) as amount_usd,
       string_agg(distinct format, ', ' order by format) as formats
from scoped_dropped
group by all
order by provider, platform, counted_from, not_counted
