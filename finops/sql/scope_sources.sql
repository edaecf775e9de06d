-- which source each provider's spend was counted from (finops/scope.py): calls, usage buckets or billed
-- cost lines. grain: one row per provider x platform x source.
-- From scoped_groups (sums per UTC day x model x status...: sql/report_sets.sql), summed by day and format.
with by_day as (
    select provider,
           platform,
           record_kind,
           day,
           format,
           sum(records) as records,
           sum(requests) as requests,
           sum(cost_usd) as cost_usd
    from scoped_groups
    group by all
)
select provider,
       platform,
       case record_kind when 'call' then 'calls' when 'bucket' then 'usage buckets' else 'cost lines' end as source,
       count(distinct day) as days,
       cast(min(day) as varchar) as first_day,
       cast(max(day) as varchar) as last_day,
       sum(records) as records,
       coalesce(sum(requests), 0) as requests,
       coalesce(sum(cost_usd), 0) as cost_usd,
       string_agg(distinct format, ', ' order by format) as formats
from by_day
group by all
order by provider, platform, min(case record_kind when 'call' then 1 when 'bucket' then 2 else 3 end)
