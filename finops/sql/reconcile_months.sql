-- computed against billed cost per provider x platform x month, with the pieces that explain the
-- variance (finops/reconcile.py turns them into reasons). Reads `recon_days` (reconcile_days.sql).
-- Each day's usage is counted from its finest source (calls, else usage buckets), as reports do.
-- Identity: billed - computed = missing_usd - unbilled_usd + gap_usd + (both_billed_usd - both_computed_usd
-- - gap_usd), where gap_usd is counted on days with billed lines only.
with d as (
    select provider, platform, day,
           sum(calls) as calls,
           sum(calls_usd) as calls_usd,
           sum(buckets) as buckets,
           sum(bucket_requests) as bucket_requests,
           sum(buckets_usd) as buckets_usd,
           sum(billed_lines) as billed_lines,
           sum(billed_usd) as billed_usd,
           sum(calls_reported) as calls_reported,
           sum(calls_reported_usd) as calls_reported_usd,
           sum(calls_reported_computed_usd) as calls_reported_computed_usd,
           sum(calls_unreported_usd) as calls_unreported_usd,
           sum(calls_byok) as calls_byok,
           sum(calls_byok_reported_usd) as calls_byok_reported_usd,
           sum(calls_byok_computed_usd) as calls_byok_computed_usd,
           case when sum(calls) > 0 then sum(calls_unpriced) else sum(buckets_unpriced) end as unpriced,
           case when sum(calls) > 0 then sum(calls_tier) else sum(buckets_tier) end as tier,
           string_agg(distinct tiers_not_in_table, ',') as tiers
    from recon_days
    group by all
),
e as (
    select *,
           strftime(day, '%Y-%m') as month,
           case when calls > 0 then calls_usd else buckets_usd end as usage_usd,
           calls > 0 or buckets > 0 as has_usage,
           billed_lines > 0 as has_billed
    from d
)
select provider,
       platform,
       month,
       sum(usage_usd) as computed_usd,
       sum(billed_lines) as billed_lines,
       sum(billed_usd) as billed_usd,
       sum(calls) as calls,
       sum(buckets) as buckets,
       sum(calls_reported) as calls_reported,
       sum(calls_reported_usd) as calls_reported_usd,
       sum(calls_reported_computed_usd) as calls_reported_computed_usd,
       sum(calls_unreported_usd) as calls_unreported_usd,
       sum(calls_byok) as calls_byok,
       sum(calls_byok_reported_usd) as calls_byok_reported_usd,
       sum(calls_byok_computed_usd) as calls_byok_computed_usd,
       count(*) filter (where has_billed and not has_usage) as missing_days,
       coalesce(sum(billed_usd) filter (where has_billed and not has_usage), 0) as missing_usd,
       cast(min(day) filter (where has_billed and not has_usage) as varchar) as missing_first,
       cast(max(day) filter (where has_billed and not has_usage) as varchar) as missing_last,
       count(*) filter (where has_usage and not has_billed) as unbilled_days,
       coalesce(sum(usage_usd) filter (where has_usage and not has_billed), 0) as unbilled_usd,
       cast(min(day) filter (where has_usage and not has_billed) as varchar) as unbilled_first,
       cast(max(day) filter (where has_usage and not has_billed) as varchar) as unbilled_last,
       count(*) filter (where has_usage and has_billed) as both_days,
       coalesce(sum(billed_usd) filter (where has_usage and has_billed), 0) as both_billed_usd,
       coalesce(sum(usage_usd) filter (where has_usage and has_billed), 0) as both_computed_usd,
       -- days with calls and usage buckets (and billed lines): the export holds more usage than the logs
       -- (calls missing from the logs) or less (calls the export does not cover), netted per day
       count(*) filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd > calls_usd) as gap_more_days,
       coalesce(sum(buckets_usd - calls_usd)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd > calls_usd), 0)
           as gap_more_usd,
       coalesce(sum(bucket_requests - calls)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd > calls_usd), 0)
           as gap_more_requests,
       coalesce(sum(bucket_requests)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd > calls_usd), 0)
           as gap_more_export_requests,
       count(*) filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd < calls_usd) as gap_less_days,
       coalesce(sum(buckets_usd - calls_usd)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd < calls_usd), 0)
           as gap_less_usd,
       coalesce(sum(calls - bucket_requests)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd < calls_usd), 0)
           as gap_less_requests,
       coalesce(sum(bucket_requests)
                filter (where calls > 0 and buckets > 0 and has_billed and buckets_usd < calls_usd), 0)
           as gap_less_export_requests,
       coalesce(sum(buckets_usd - calls_usd) filter (where calls > 0 and buckets > 0 and has_billed), 0) as gap_usd,
       sum(unpriced) as unpriced,
       sum(tier) as tier,
       string_agg(distinct tiers, ',') as tiers
from e
group by all
order by month, provider, platform
