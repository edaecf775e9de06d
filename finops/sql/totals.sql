-- headline totals of the scoped calls. grain: one row. From scoped_groups (sums per day x model x status...:
-- sql/report_sets.sql): records = count of rows, requests = their request counts.
select coalesce(sum(records), 0) as records,
       coalesce(sum(requests), 0) as calls,
       coalesce(sum(requests) filter (where price_status = 'priced'), 0) as priced_calls,
       -- not fully priced, by kind: calls (per-call records) apart from aggregate usage buckets (usage and
       -- cost exports), which may carry no request count at all; billed cost lines are never priced
       coalesce(sum(requests) filter (where price_status <> 'priced' and record_kind = 'call'), 0)
           as flagged_calls,
       coalesce(sum(records) filter (where price_status <> 'priced' and record_kind = 'bucket'), 0) as flagged_buckets,
       coalesce(sum(requests) filter (where price_status <> 'priced' and record_kind = 'bucket'), 0)
           as flagged_bucket_requests,
       coalesce(sum(unpriced_requests), 0) as unpriced_calls,
       coalesce(sum(cost_usd), 0) as cost_usd,
       min(first_ts) as first_ts,
       max(last_ts) as last_ts,
       coalesce(sum(input_uncached), 0) as input_uncached,
       coalesce(sum(cache_read), 0) as cache_read,
       coalesce(sum(cache_write_5m), 0) as cache_write_5m,
       coalesce(sum(cache_write_1h), 0) as cache_write_1h,
       coalesce(sum(output), 0) as output,
       coalesce(sum(reasoning), 0) as reasoning
from scoped_groups
