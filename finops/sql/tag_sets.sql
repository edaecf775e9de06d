-- spend per tag set (a call's whole tags map, null when it has none). grain: one row per distinct tags.
-- tag_keys.sql and cost_by_tag.sql read these sums instead of every call (there are usually far fewer tag
-- sets than calls: 320 in the 1M benchmark), and summing the sums of a set is exact (DECIMAL).
select tags,
       count(*) as records,
       sum(request_count) as calls,
       sum(cost_usd) as cost_usd,
       sum(request_count) filter (where cost_usd is null) as unpriced_calls
from scoped_usage
group by tags
