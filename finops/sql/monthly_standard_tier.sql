-- derived calls: the report month's batch calls at the standard tier (view body).
select r.* replace ('standard' as service_tier)
from resolved_usage r
join report_window w
  on r.ts >= w.month_start
 and r.ts < w.month_end
where r.service_tier = 'batch'
