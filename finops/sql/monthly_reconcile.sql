-- billed vs computed for the report month's calls whose source states a cost. grain: one row.
select coalesce(sum(request_count), 0) as calls,
       coalesce(sum(reported_cost), 0) as billed_usd,
       coalesce(sum(cost_usd), 0) as computed_usd,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls
from month_calls
where reported_cost is not null
