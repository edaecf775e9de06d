-- calls not fully priced, by model and reason. grain: one row per logged model x status.
select model,
       price_model,
       price_status,
       sum(request_count) as calls,
       min(ts) as first_ts,
       max(ts) as last_ts,
       coalesce(sum(cost_usd), 0) as cost_usd
from scoped_usage
where price_status <> 'priced'
group by all
order by calls desc, model
