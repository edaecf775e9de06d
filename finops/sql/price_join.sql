-- Prices calls. grain: one row per row of {calls}, with the period, tier band, time-of-day window,
-- service-tier rule and contract rule in force at the call's own ts, and two exact DECIMAL(38,16) costs:
-- list_cost_usd (the public table: FOCUS ListCost) and cost_usd (after the user's contract: EffectiveCost;
-- equal to list_cost_usd when no contract is loaded).
-- {calls} must have: ts, price_model, record_kind, service_tier, the seven billed token buckets (five text,
-- audio_in, audio_out) and web_searches. A prompt's size (for the tier bands) counts its audio too.
-- This is the ONLY place cost is computed: actual spend and counterfactuals both select from it.
--
-- rate_card holds the list rate of every (model, service tier, window, validity, prompt band), composed
-- from periods, tiers, windows and modifiers when the table is installed (finops/pricing.py), so a call
-- costs one dot product. Windows are matched on the call's wall-clock time in the window's own zone, as
-- local epoch seconds: epoch(ts) + utc_offset where the zone kept one offset over the window's validity
-- (Asia/Shanghai, UTC: checked at install), else epoch(timezone(tz, ts)) (Spark: from_utc_timestamp).
-- Local day = floor(local / 86400); its weekday bit in days_mask is (day + 3) % 7 (bit 0 = Monday; the
-- epoch began on a Thursday); the second of the day must lie in [start_sec, end_sec). Every join is equi +
-- range: no ASOF, and the zone arithmetic only runs for calls of models that have windows.
-- Per-request fees (price_fees, USD per 1,000 requests, tier-independent): web_searches x web_search / 1000
-- is part of list_cost_usd. A call with web searches and no fee in force is flagged missing_fee (its cost
-- is a lower bound), never priced at zero. The fee rule's source is carried as fee_source.
-- A call logged as failed (service_tier 'failed': a Bedrock invocation with an errorCode that still logged
-- token counts, whose billing the provider does not document) joins no rate: flagged failed_call, cost null.
-- Contract: per bucket the committed rate, else the list rate x (1 - discount), and fees x (1 - discount); a
-- discount-only rule is one multiplication of list_cost_usd (exact to 16 places). contract_discount (a
-- fraction) and committed_cost_usd (the call at committed rates, when the rule has any) are carried for audit.
select x.*,
       case when x.list_cost_usd is null then null
            when x.contract_rule is null then x.list_cost_usd
            when x.committed_cost_usd is not null then x.committed_cost_usd
            else cast(x.list_cost_usd * (1 - x.contract_discount) as decimal(38, 16))
       end as cost_usd
from (
select c.*,
       r.period_id,
       r.source as price_source,
       r.confidence as price_confidence,
       r.long_context as long_context_tier,
       coalesce(r.tier_factor, 1) as tier_factor,
       nullif(r.window_id, '') as price_window,
       f.web_search as web_search_rate,
       f.source as fee_source,
       k.rule_id as contract_rule,
       case
           when c.record_kind = 'cost' then 'billed_line'  -- billed money, no tokens: reported_cost holds it
           when c.service_tier = 'failed' then 'failed_call'  -- counted, never priced as a normal call
           when c.price_model is null then 'unpriced_model'
           when r.model is null then 'no_price_at_date'
           when (c.input_uncached > 0 and r.input is null)
             or (c.cache_read > 0 and r.cache_read is null)
             or (c.cache_write_5m > 0 and r.cache_write_5m is null)
             or (c.cache_write_1h > 0 and r.cache_write_1h is null)
             or (c.output > 0 and r.output is null)
             or (c.audio_in > 0 and r.audio_in is null)
             or (c.audio_out > 0 and r.audio_out is null) then 'missing_rate'
           when c.web_searches > 0 and f.web_search is null then 'missing_fee'
           when not r.tier_known then 'tier_not_in_table'
           else 'priced'
       end as price_status,
       case when r.model is not null then
           cast((cast(c.input_uncached as decimal(38, 0)) * coalesce(r.input, 0)
                 + cast(c.cache_read as decimal(38, 0)) * coalesce(r.cache_read, 0)
                 + cast(c.cache_write_5m as decimal(38, 0)) * coalesce(r.cache_write_5m, 0)
                 + cast(c.cache_write_1h as decimal(38, 0)) * coalesce(r.cache_write_1h, 0)
                 + cast(c.output as decimal(38, 0)) * coalesce(r.output, 0)
                 + cast(c.audio_in as decimal(38, 0)) * coalesce(r.audio_in, 0)
                 + cast(c.audio_out as decimal(38, 0)) * coalesce(r.audio_out, 0))
                * 0.000001
                + cast(c.web_searches as decimal(38, 0)) * coalesce(f.web_search, 0) * 0.001 as decimal(38, 16))
       end as list_cost_usd,
       k.discount as contract_discount,
       case when r.model is not null and (k.input is not null or k.cache_read is not null
                                          or k.cache_write_5m is not null or k.cache_write_1h is not null
                                          or k.output is not null or k.audio_in is not null
                                          or k.audio_out is not null) then
           cast((cast(c.input_uncached as decimal(38, 0)) * coalesce(k.input, r.input * (1 - k.discount), 0)
                 + cast(c.cache_read as decimal(38, 0)) * coalesce(k.cache_read, r.cache_read * (1 - k.discount), 0)
                 + cast(c.cache_write_5m as decimal(38, 0)) * coalesce(k.cache_write_5m, r.cache_write_5m * (1 - k.discount), 0)
                 + cast(c.cache_write_1h as decimal(38, 0)) * coalesce(k.cache_write_1h, r.cache_write_1h * (1 - k.discount), 0)
                 + cast(c.output as decimal(38, 0)) * coalesce(k.output, r.output * (1 - k.discount), 0)
                 + cast(c.audio_in as decimal(38, 0)) * coalesce(k.audio_in, r.audio_in * (1 - k.discount), 0)
                 + cast(c.audio_out as decimal(38, 0)) * coalesce(k.audio_out, r.audio_out * (1 - k.discount), 0))
                * 0.000001
                + cast(c.web_searches as decimal(38, 0)) * coalesce(f.web_search * (1 - k.discount), 0) * 0.001
                as decimal(38, 16))
       end as committed_cost_usd
from {calls} c
left join price_windows w
  on w.model = c.price_model
 and c.ts >= w.effective_from
 and c.ts < w.effective_to
 and (w.days_mask >> cast((floor(coalesce(epoch(c.ts) + w.utc_offset, epoch(timezone(w.tz, c.ts))) / 86400) + 3) % 7
                         as integer)) & 1 = 1
 and coalesce(epoch(c.ts) + w.utc_offset, epoch(timezone(w.tz, c.ts))) % 86400 >= w.start_sec
 and coalesce(epoch(c.ts) + w.utc_offset, epoch(timezone(w.tz, c.ts))) % 86400 < w.end_sec
left join rate_card r
  on r.model = c.price_model
 and c.record_kind <> 'cost'  -- cost lines are never priced: cost_usd stays null
 and c.service_tier <> 'failed'  -- nor failed calls (failed_call)
 and r.service_tier = case when c.service_tier in ('standard', 'batch', 'flex', 'priority', 'scale', 'fast',
                                                   'latency_optimized')
                           then c.service_tier else 'other' end
 and r.window_id = coalesce(w.window_id, '')
 and c.ts >= r.effective_from
 and c.ts < r.effective_to
 and (case when c.record_kind = 'bucket' then 0
           else c.input_uncached + c.cache_read + c.cache_write_5m + c.cache_write_1h + c.audio_in end)
     > r.prompt_above
 and (case when c.record_kind = 'bucket' then 0
           else c.input_uncached + c.cache_read + c.cache_write_5m + c.cache_write_1h + c.audio_in end)
     <= r.prompt_upto
left join price_fees f
  on f.model = c.price_model
 and c.record_kind <> 'cost'
 and c.ts >= f.effective_from
 and c.ts < f.effective_to
left join contract_rules k
  on k.model = c.price_model
 and k.service_tier = c.service_tier
 and c.ts >= k.effective_from
 and c.ts < k.effective_to
) x
