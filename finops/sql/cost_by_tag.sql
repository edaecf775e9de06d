-- spend by the value of one tag. grain: one row per tag value ('(none)' when the call lacks the tag).
-- From scoped_tag_sets (the sums per tag set: finops/scope.py).
select coalesce(tags[$tag], '(none)') as value,
       sum(calls) as calls,
       coalesce(sum(cost_usd), 0) as cost_usd,
       coalesce(sum(unpriced_calls), 0) as unpriced_calls
from scoped_tag_sets
group by all
order by cost_usd desc, value
