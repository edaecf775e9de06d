-- The scoped calls summed twice in one scan (GROUPING SETS), for the reports that need sums, not calls:
--   'groups': per UTC day x provider x platform x logged model x price-table model x price status x record
--             kind x format (scoped_groups: totals, spend by month, calls not fully priced, sources);
--   'tags':   per tag set, a call's whole tags map, null when it has none (scoped_tag_sets: tag keys, spend
--             by tag). There are far fewer groups than calls (1M benchmark calls: about 2,100 groups and
--             40 tag sets), and a sum of group sums is exact (DECIMAL), so the reports read these rows
--             instead of every call, and `aispend analyze` never holds the calls themselves (a 10M-call
--             store needed 4 GB for them).
-- grain: one row per group of either set.
select case when grouping(tags) = 1 then 'groups' else 'tags' end as grouping_set,
       utc_day(ts) as day,
       provider,
       platform,
       model,
       price_model,
       price_status,
       record_kind,
       format,
       tags,
       count(*) as records,
       sum(request_count) as requests,
       sum(request_count) filter (where cost_usd is null) as unpriced_requests,
       sum(cost_usd) as cost_usd,
       sum(input_uncached) as input_uncached,
       sum(cache_read) as cache_read,
       sum(cache_write_5m) as cache_write_5m,
       sum(cache_write_1h) as cache_write_1h,
       sum(output) as output,
       sum(reasoning) as reasoning,
       sum(audio_in) as audio_in,
       sum(audio_out) as audio_out,
       min(ts) as first_ts,
       max(ts) as last_ts
from scoped_usage
group by grouping sets ((day, provider, platform, model, price_model, price_status, record_kind, format), (tags))
