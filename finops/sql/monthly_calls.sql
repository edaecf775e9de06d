-- the report month's calls: scoped_usage within report_window. grain: one row per call (view body).
select u.*
from scoped_usage u
join report_window w
  on u.ts >= w.month_start
 and u.ts < w.month_end
