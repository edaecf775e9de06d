-- the models that could not be fully priced, per provider x platform x month (named in the reasons).
-- Reads `recon_days`. grain: one row per provider x platform x month.
select provider,
       platform,
       strftime(day, '%Y-%m') as month,
       string_agg(distinct model, ', ' order by model) as models
from recon_days
where calls_unpriced > 0 or buckets_unpriced > 0
group by all
