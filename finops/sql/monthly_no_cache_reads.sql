-- derived calls: the report month's calls with cache reads billed as plain input (view body over
-- resolved_usage, priced by price_join). The prompt size is unchanged, so the same tier band applies.
select r.* replace (r.input_uncached + r.cache_read as input_uncached, 0 as cache_read)
from resolved_usage r
join report_window w
  on r.ts >= w.month_start
 and r.ts < w.month_end
where r.cache_read > 0
