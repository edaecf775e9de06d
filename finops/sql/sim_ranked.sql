-- The calls a scenario looks at, ranked. grain: one row per priced call in the scenario's scope that has
-- a smaller target (calls already on a small model, or with no sibling, are not in scope), with its
-- complexity score, its rank (most complex first) and the spend ranked before it. The policy (which calls
-- stay on their model) is applied on top by sim_calls.sql, so scenarios that differ only in policy share
-- this table (finops/simulate.py, collect).
-- Inputs (temp tables made by finops/simulate.py): sim_scope_models(prefix, exact), sim_target
-- (model -> target), sim_tag_target(value -> target), sim_tag_prior(value -> prior), sim_providers, the
-- macro sim_tags_ok, and parameters $tag_key, $per_tag, $providers_any, $since, $until, $prior_tag,
-- $has_priors (sim_tag_prior has rows: without, the tags are not read), complexity weights $w_*;
-- the spend_before placeholder below is filled in by finops/simulate.py.
with scoped as (
    select s.*,
           (s.input_uncached + s.cache_read + s.cache_write_5m + s.cache_write_1h + $w_output * s.output
            + $w_reasoning * s.reasoning + $w_tool * s.web_searches)
           * coalesce(p.prior, 1) as complexity
    from scoped_usage s
    left join sim_tag_prior p on $has_priors and p.value = s.tags[$prior_tag]  -- one row per value at most
    where s.price_status = 'priced'
      and s.record_kind = 'call'
      and ($since is null or s.ts >= $since)
      and ($until is null or s.ts < $until)
      and ($providers_any or s.provider in (select provider from sim_providers))
      and s.price_model in (select p.model from price_models p  -- a priced call's model is a price_models id
                            where exists (select 1 from sim_scope_models m
                                          where (m.exact and p.model = m.prefix)
                                             or (not m.exact and left(p.model, length(m.prefix)) = m.prefix)))
      and sim_tags_ok(s.tags)
),
targeted as (
    select s.*,
           coalesce(tt.target, case when $per_tag then null else st.target end) as target
    from scoped s
    left join sim_target st on st.model = s.price_model
    left join sim_tag_target tt on $per_tag and tt.value = s.tags[$tag_key]
),
movable as (
    select dedupe_key, ts, record_kind, request_count, service_tier, price_model, target, cost_usd, complexity,
           input_uncached, cache_read, cache_write_5m, cache_write_1h, output, audio_in, audio_out, web_searches
    from targeted
    where target is not null
      and target <> price_model
)
-- narrow rows only: sorting the wide ones (tags, ids) costs several times more. The columns a rare
-- consumer needs besides these (tags, request_id, logged model) are joined from usage by dedupe_key.
-- The count and spend of these calls (n_calls, spend_total) are summed afterwards from this table
-- (finops/simulate.py): counting them here kept a second copy of every row (10M calls: 3.5 GB peak).
select m.dedupe_key,
       m.ts,
       m.record_kind,
       m.request_count,
       m.service_tier,
       m.price_model,
       m.cost_usd as actual_usd,
       m.complexity,
       row_number() over (order by m.complexity desc, m.dedupe_key) as complexity_rank,
       m.input_uncached, m.cache_read, m.cache_write_5m, m.cache_write_1h, m.output,
       m.audio_in, m.audio_out, m.web_searches,  -- sim_cf_calls: audio and the per-request fees on the target
       m.target,
       {spend_before} as spend_before  -- a top-k policy kept by spend only (simulate.SPEND_BEFORE), else null
from movable m
