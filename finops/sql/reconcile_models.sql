-- computed against billed cost per provider x platform x month x model, on the days the billing export
-- covers (days with billed lines), so a model's figures compare the same days. Reads `recon_days`; each
-- day's usage is counted from its finest source (calls, else usage buckets), as reports do.
with day_kind as (
    select provider, platform, day, sum(calls) > 0 as has_calls
    from recon_days
    group by all
    having sum(billed_lines) > 0
)
select r.provider,
       r.platform,
       strftime(r.day, '%Y-%m') as month,
       r.model,
       sum(case when k.has_calls then r.calls_usd else r.buckets_usd end) as computed_usd,
       sum(r.billed_usd) as billed_usd,
       sum(r.billed_lines) as billed_lines,
       sum(case when k.has_calls then r.calls_unpriced else r.buckets_unpriced end) as unpriced
from recon_days r
join day_kind k using (provider, platform, day)
group by all
having sum(r.billed_lines) > 0 or sum(case when k.has_calls then r.calls else r.buckets end) > 0
order by month, r.provider, r.platform, r.model
