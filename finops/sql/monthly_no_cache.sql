-- derived calls: the report month's calls with every cache bucket billed as plain input (view body).
select r.* replace (r.input_uncached + r.cache_read + r.cache_write_5m + r.cache_write_1h as input_uncached,
                    0 as cache_read, 0 as cache_write_5m, 0 as cache_write_1h)
from resolved_usage r
join report_window w
  on r.ts >= w.month_start
 and r.ts < w.month_end
where r.cache_read + r.cache_write_5m + r.cache_write_1h > 0
