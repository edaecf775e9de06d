-- spend by the value of one tag. grain: one row per tag value ('(none)' when the call lacks the tag).
select coalesce(tags[$tag], '(none)') as value,
       sum(request_count) as calls,
       coalesce(sum(cost_usd), 0) as cost_usd,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls
from scoped_usage
group by all
order by cost_usd desc, value
