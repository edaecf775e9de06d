-- calls not fully priced, by model and reason. grain: one row per logged model x status.
-- From scoped_groups (sums per UTC day x model x status...: sql/report_sets.sql).
select model,
       price_model,
       price_status,
       sum(requests) as calls,
       min(first_ts) as first_ts,
       max(last_ts) as last_ts,
       coalesce(sum(cost_usd), 0) as cost_usd
from scoped_groups
where price_status <> 'priced'
group by all
order by calls desc, model
