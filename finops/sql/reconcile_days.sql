-- what each source says per provider x platform x UTC day x model: computed cost of the calls and of the
-- usage buckets (priced_usage), and the billed amounts (cost lines; FOCUS token rows carry BilledCost
-- too; OpenRouter / LiteLLM calls carry a reported cost). grain: provider x platform x day x model
-- (the price-table id, else the logged id). $since / $until (TIMESTAMPTZ or NULL) bound ts.
select provider,
       platform,
       cast(ts as date) as day,
       coalesce(price_model, model) as model,
       count(*) filter (where record_kind = 'call') as calls,
       coalesce(sum(cost_usd) filter (where record_kind = 'call'), 0) as calls_usd,
       count(*) filter (where record_kind = 'call' and price_status in ('unpriced_model', 'no_price_at_date',
                                                                        'missing_rate', 'missing_fee',
                                                                        'failed_call')) as calls_unpriced,
       count(*) filter (where record_kind = 'call' and price_status = 'tier_not_in_table') as calls_tier,
       count(*) filter (where record_kind = 'call' and reported_cost is not null) as calls_reported,
       coalesce(sum(reported_cost) filter (where record_kind = 'call'), 0) as calls_reported_usd,
       coalesce(sum(cost_usd) filter (where record_kind = 'call' and reported_cost is not null), 0)
           as calls_reported_computed_usd,
       coalesce(sum(cost_usd) filter (where record_kind = 'call' and reported_cost is null), 0)
           as calls_unreported_usd,
       -- OpenRouter BYOK calls (tag byok = true): the reported cost is OpenRouter's fee only, the provider
       -- bills the usage to the caller's own key (OpenRouter usage accounting docs)
       count(*) filter (where record_kind = 'call' and reported_cost is not null and tags['byok'] = 'true')
           as calls_byok,
       coalesce(sum(reported_cost) filter (where record_kind = 'call' and tags['byok'] = 'true'), 0)
           as calls_byok_reported_usd,
       coalesce(sum(cost_usd) filter (where record_kind = 'call' and reported_cost is not null
                                         and tags['byok'] = 'true'), 0) as calls_byok_computed_usd,
       count(*) filter (where record_kind = 'bucket') as buckets,
       coalesce(sum(request_count) filter (where record_kind = 'bucket'), 0) as bucket_requests,
       coalesce(sum(cost_usd) filter (where record_kind = 'bucket'), 0) as buckets_usd,
       count(*) filter (where record_kind = 'bucket' and price_status in ('unpriced_model', 'no_price_at_date',
                                                                          'missing_rate', 'missing_fee',
                                                                          'failed_call')) as buckets_unpriced,
       count(*) filter (where record_kind = 'bucket' and price_status = 'tier_not_in_table') as buckets_tier,
       count(*) filter (where record_kind = 'cost' or (record_kind = 'bucket' and reported_cost is not null))
           as billed_lines,
       coalesce(sum(reported_cost) filter (where record_kind = 'cost'
                                              or (record_kind = 'bucket' and reported_cost is not null)), 0)
           as billed_usd,
       string_agg(distinct service_tier, ',' order by service_tier)
           filter (where price_status = 'tier_not_in_table') as tiers_not_in_table
from priced_usage
where ($since is null or ts >= $since)
  and ($until is null or ts < $until)
group by all
