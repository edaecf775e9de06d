-- FOCUS 1.3 cost and usage rows for the priced calls of scoped_usage. grain: one row per UTC day x provider x
-- platform x model x rate-card row (period, validity, tier band, time window, service tier) x contract rule x
-- team/project tags x charge (a token bucket, or a per-request fee: web_search, priced per 1,000 requests).
-- Unit prices are looked up in the rate_card row (and contract rule) price_join used for each call, so
-- ListCost = ListUnitPrice x PricingQuantity exactly and, without a contract, the rows sum exactly to the
-- priced spend. $price_version is stamped on every row (x_PriceVersion).
with calls as (
    select cast(c.ts as date) as day,
           c.provider,
           c.platform,
           c.region,
           c.price_model,
           c.period_id,
           c.long_context_tier,
           c.service_tier,
           c.tier_factor,
           coalesce(c.price_window, '') as window_id,
           c.contract_rule,
           r.effective_from as rate_from,
           r.input as l_input, r.cache_read as l_cache_read, r.cache_write_5m as l_cache_write_5m,
           r.cache_write_1h as l_cache_write_1h, r.output as l_output,
           r.audio_in as l_audio_in, r.audio_out as l_audio_out,
           k.discount,
           k.input as k_input, k.cache_read as k_cache_read, k.cache_write_5m as k_cache_write_5m,
           k.cache_write_1h as k_cache_write_1h, k.output as k_output,
           k.audio_in as k_audio_in, k.audio_out as k_audio_out,
           r.source as price_source,
           r.confidence as price_confidence,
           c.tags['team'] as team,
           c.tags['project'] as project,
           c.request_count,
           c.input_uncached,
           c.cache_read,
           c.cache_write_5m,
           c.cache_write_1h,
           c.output,
           c.audio_in,
           c.audio_out,
           c.web_searches,
           c.web_search_rate,
           c.fee_source
    from scoped_usage c
    join rate_card r
      on r.model = c.price_model
     and r.period_id = c.period_id
     and r.long_context = c.long_context_tier
     and r.window_id = coalesce(c.price_window, '')
     and r.service_tier = case when c.service_tier in ('standard', 'batch', 'flex', 'priority', 'scale', 'fast',
                                                       'latency_optimized')
                               then c.service_tier else 'other' end
     and c.ts >= r.effective_from
     and c.ts < r.effective_to
    left join contract_rules k
      on k.rule_id = c.contract_rule
     and k.model = c.price_model
     and k.service_tier = c.service_tier
     and c.ts >= k.effective_from
     and c.ts < k.effective_to
    where c.price_status = 'priced'
),
charges as (
    select c.*,
           b.bucket,
           case b.bucket
               when 'input' then c.input_uncached
               when 'cache_read' then c.cache_read
               when 'cache_write_5m' then c.cache_write_5m
               when 'cache_write_1h' then c.cache_write_1h
               when 'audio_in' then c.audio_in
               when 'audio_out' then c.audio_out
               when 'web_search' then c.web_searches
               else c.output
           end as tokens,
           case b.bucket
               when 'input' then l_input
               when 'cache_read' then l_cache_read
               when 'cache_write_5m' then l_cache_write_5m
               when 'cache_write_1h' then l_cache_write_1h
               when 'audio_in' then l_audio_in
               when 'audio_out' then l_audio_out
               when 'web_search' then web_search_rate
               else l_output
           end as list_rate,
           case b.bucket
               when 'input' then k_input
               when 'cache_read' then k_cache_read
               when 'cache_write_5m' then k_cache_write_5m
               when 'cache_write_1h' then k_cache_write_1h
               when 'audio_in' then k_audio_in
               when 'audio_out' then k_audio_out
               when 'web_search' then null  -- fees: list x (1 - discount), as in price_join
               else k_output
           end as committed_rate,
           case when b.bucket = 'web_search' then c.fee_source else c.price_source end as charge_source
    from calls c
    cross join (values ('input'), ('cache_read'), ('cache_write_5m'), ('cache_write_1h'), ('output'), ('audio_in'),
                       ('audio_out'), ('web_search')) as b(bucket)
),
grouped as (
    select day, provider, platform, region, price_model, period_id, long_context_tier, service_tier, tier_factor,
           window_id, contract_rule, rate_from, charge_source as price_source, price_confidence, team, project, bucket,
           list_rate, committed_rate, discount,
           sum(tokens) as tokens,
           sum(request_count) as calls
    from charges
    group by all
    having sum(tokens) > 0
),
rated as (
    select g.*,
           case g.platform
               when 'openai' then 'OpenAI'
               when 'anthropic' then 'Anthropic'
               when 'gemini_api' then 'Google'
               when 'vertex' then 'Google Cloud'
               when 'bedrock' then 'Amazon Web Services'
               when 'azure' then 'Microsoft'
               when 'openrouter' then 'OpenRouter'
               else g.platform
           end as company,
           case g.platform
               when 'openai' then 'OpenAI API'
               when 'anthropic' then 'Anthropic API'
               when 'gemini_api' then 'Gemini API'
               when 'vertex' then 'Vertex AI'
               when 'bedrock' then 'Amazon Bedrock'
               when 'azure' then 'Azure OpenAI'
               when 'openrouter' then 'OpenRouter'
               else g.platform
           end as service,
           case g.provider
               when 'openai' then 'OpenAI'
               when 'anthropic' then 'Anthropic'
               when 'google' then 'Google'
               else g.provider
           end as publisher,
           cast(g.list_rate as decimal(38, 10)) as unit_price,
           cast(case when g.contract_rule is null then g.list_rate
                     else coalesce(g.committed_rate, g.list_rate * (1 - g.discount)) end as decimal(38, 10))
               as contracted_price,
           cast(cast(g.tokens as decimal(38, 0)) / case when g.bucket = 'web_search' then 1000 else 1000000 end
                as decimal(38, 6)) as pricing_quantity,
           g.bucket = 'web_search' as is_fee
    from grouped g
)
select cast(contracted_price * pricing_quantity as decimal(38, 16)) as BilledCost,
       platform as BillingAccountId,
       company as BillingAccountName,
       'USD' as BillingCurrency,
       cast(date_trunc('month', day) as timestamptz) as BillingPeriodStart,
       cast(date_trunc('month', day) + interval 1 month as timestamptz) as BillingPeriodEnd,
       cast(null as varchar) as CapacityReservationId,
       cast(null as varchar) as CapacityReservationStatus,
       'Usage' as ChargeCategory,
       cast(null as varchar) as ChargeClass,
       price_model || ' ' || replace(bucket, '_', ' ') || case when is_fee then ' requests' else ' tokens' end
           || case when service_tier <> 'standard' then ' (' || service_tier || ')' else '' end
           || case when long_context_tier and not is_fee then ' (long context)' else '' end as ChargeDescription,
       'Usage-Based' as ChargeFrequency,
       cast(day as timestamptz) as ChargePeriodStart,
       cast(day + interval 1 day as timestamptz) as ChargePeriodEnd,
       cast(null as varchar) as CommitmentDiscountCategory,
       cast(null as varchar) as CommitmentDiscountId,
       cast(null as varchar) as CommitmentDiscountName,
       cast(null as varchar) as CommitmentDiscountStatus,
       cast(null as varchar) as CommitmentDiscountType,
       cast(tokens as decimal(38, 0)) as ConsumedQuantity,
       case when is_fee then 'Requests' else 'Tokens' end as ConsumedUnit,
       cast(contracted_price * pricing_quantity as decimal(38, 16)) as ContractedCost,
       contracted_price as ContractedUnitPrice,
       cast(contracted_price * pricing_quantity as decimal(38, 16)) as EffectiveCost,
       company as HostProviderName,
       cast(null as varchar) as InvoiceId,
       company as InvoiceIssuerName,
       cast(unit_price * pricing_quantity as decimal(38, 16)) as ListCost,
       unit_price as ListUnitPrice,
       case when contract_rule is null then 'Standard' else 'Committed' end as PricingCategory,
       'USD' as PricingCurrency,
       pricing_quantity as PricingQuantity,
       case when is_fee then '1000 Requests' else '1000000 Tokens' end as PricingUnit,
       company as ProviderName,
       publisher as PublisherName,
       region as RegionId,
       region as RegionName,
       cast(null as varchar) as ResourceId,
       cast(null as varchar) as ResourceName,
       cast(null as varchar) as ResourceType,
       'AI and Machine Learning' as ServiceCategory,
       service as ServiceName,
       company as ServiceProviderName,
       'Generative AI' as ServiceSubcategory,
       provider || '/' || price_model || '/' || bucket as SkuId,
       case bucket
           when 'input' then 'Input Tokens'
           when 'cache_read' then 'Cache Read Tokens'
           when 'cache_write_5m' then 'Cache Write Tokens (5 min)'
           when 'cache_write_1h' then 'Cache Write Tokens (1 h)'
           when 'audio_in' then 'Audio Input Tokens'
           when 'audio_out' then 'Audio Output Tokens'
           when 'web_search' then 'Web Search Requests'
           else 'Output Tokens'
       end as SkuMeter,
       json_object('x_ModelId', price_model, 'x_TokenType', bucket, 'x_ServiceTier', service_tier,
                   'x_LongContext', long_context_tier, 'x_PricePeriod', period_id,
                   'x_TierFactor', cast(tier_factor as varchar), 'x_TimeWindow', nullif(window_id, ''),
                   'x_ContractRule', contract_rule)::varchar as SkuPriceDetails,
       price_model || '/' || period_id || '/' || case when long_context_tier then 'long' else 'base' end
           || '/' || service_tier || case when window_id <> '' then '/' || window_id else '' end
           || '/' || strftime(rate_from, '%Y-%m-%dT%H:%M:%SZ') || '/' || bucket as SkuPriceId,
       cast(null as varchar) as SubAccountId,
       cast(null as varchar) as SubAccountName,
       to_json(map_from_entries(list_filter([{'k': 'team', 'v': team}, {'k': 'project', 'v': project}],
                                            lambda x: x.v is not null)))::varchar as Tags,
       calls as x_Calls,
       price_source as x_PriceSource,
       price_confidence as x_PriceConfidence,
       $price_version as x_PriceVersion
from rated
order by ChargePeriodStart, ProviderName, SkuPriceId, Tags
