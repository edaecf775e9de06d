-- tag keys present in the scoped calls, most used first. grain: one row per key.
select k as key, count(*) as calls
from (select unnest(map_keys(tags)) as k from scoped_usage where tags is not null)
group by k
order by calls desc, key
