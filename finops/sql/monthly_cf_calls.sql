-- derived calls: the report month's calls as calls of their substitution target (report_substitution),
-- at their own ts and tier. grain: one row per call whose model has a target (view body).
select r.* replace (s.target as price_model)
from resolved_usage r
join report_window w
  on r.ts >= w.month_start
 and r.ts < w.month_end
join report_substitution s
  on s.model = r.price_model
