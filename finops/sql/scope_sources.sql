-- which source each provider's spend was counted from (finops/scope.py): calls, usage buckets or billed
-- cost lines. grain: one row per provider x platform x source.
select provider,
       platform,
       case record_kind when 'call' then 'calls' when 'bucket' then 'usage buckets' else 'cost lines' end as source,
       count(distinct cast(ts as date)) as days,
       cast(min(cast(ts as date)) as varchar) as first_day,
       cast(max(cast(ts as date)) as varchar) as last_day,
       count(*) as records,
       coalesce(sum(request_count), 0) as requests,
       coalesce(sum(cost_usd), 0) as cost_usd,
       string_agg(distinct format, ', ' order by format) as formats
from scoped_usage
group by all
order by provider, platform, min(case record_kind when 'call' then 1 when 'bucket' then 2 else 3 end)
