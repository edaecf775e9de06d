-- headline totals of the scoped calls. grain: one row.
select count(*) as records,
       coalesce(sum(request_count), 0) as calls,
       coalesce(sum(request_count) filter (where price_status = 'priced'), 0) as priced_calls,
       -- not fully priced, by kind: calls (per-call records) apart from aggregate usage buckets (usage and
       -- cost exports), which may carry no request count at all; billed cost lines are never priced
       coalesce(sum(request_count) filter (where price_status <> 'priced' and record_kind = 'call'), 0)
           as flagged_calls,
       count(*) filter (where price_status <> 'priced' and record_kind = 'bucket') as flagged_buckets,
       coalesce(sum(request_count) filter (where price_status <> 'priced' and record_kind = 'bucket'), 0)
           as flagged_bucket_requests,
       coalesce(sum(request_count) filter (where cost_usd is null), 0) as unpriced_calls,
       coalesce(sum(cost_usd), 0) as cost_usd,
       min(ts) as first_ts,
       max(ts) as last_ts,
       coalesce(sum(input_uncached), 0) as input_uncached,
       coalesce(sum(cache_read), 0) as cache_read,
       coalesce(sum(cache_write_5m), 0) as cache_write_5m,
       coalesce(sum(cache_write_1h), 0) as cache_write_1h,
       coalesce(sum(output), 0) as output,
       coalesce(sum(reasoning), 0) as reasoning
from scoped_usage
