-- the report month's calls not fully priced, by model and reason. grain: one row per model x status.
select coalesce(model, '(unknown)') as model,
       price_status,
       sum(request_count) as calls,
       coalesce(sum(cost_usd), 0) as cost_usd
from month_calls
where price_status <> 'priced'
group by all
order by calls desc, model
