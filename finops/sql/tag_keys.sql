-- tag keys present in the scoped calls, most used first. grain: one row per key. calls: records carrying
-- the key (from scoped_tag_sets, the sums per tag set: finops/scope.py).
select k as key, sum(records) as calls
from (select unnest(map_keys(tags)) as k, records from scoped_tag_sets where tags is not null)
group by k
order by calls desc, key
