-- The calls a scenario looks at. grain: one row per priced call in the scenario's scope that has a
-- smaller target (calls already on a small model, or with no sibling, are not in scope), with its
-- complexity score and its role under the policy (kept on its model, or moved).
-- Inputs (temp tables made by finops/simulate.py): sim_scope_models(prefix, exact), sim_target
-- (model -> target), sim_tag_target(value -> target), tokenizer families (sim_family), and
-- parameters $tag_key, $providers_any, $since, $until, $keep, $keep_by_spend, complexity weights $w_*.
with scoped as (
    select s.*,
           (s.input_uncached + s.cache_read + s.cache_write_5m + s.cache_write_1h + $w_output * s.output
            + $w_reasoning * s.reasoning + $w_tool * s.web_searches)
           * coalesce((select p.prior from sim_tag_prior p where p.value = s.tags[$prior_tag]), 1) as complexity
    from scoped_usage s
    where s.price_status = 'priced'
      and s.record_kind = 'call'
      and ($since is null or s.ts >= $since)
      and ($until is null or s.ts < $until)
      and ($providers_any or s.provider in (select provider from sim_providers))
      and exists (select 1 from sim_scope_models m
                  where (m.exact and s.price_model = m.prefix)
                     or (not m.exact and left(s.price_model, length(m.prefix)) = m.prefix))
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
    select *
    from targeted
    where target is not null
      and target <> price_model
),
ranked as (
    select t.*,
           row_number() over (order by complexity desc, dedupe_key) as complexity_rank,
           count(*) over () as n_calls,
           sum(cost_usd) over (order by complexity desc, dedupe_key
                               rows between unbounded preceding and 1 preceding) as spend_before,
           sum(cost_usd) over () as spend_total
    from movable t
)
select r.dedupe_key,
       r.request_id,
       r.ts,
       r.record_kind,
       r.request_count,
       r.service_tier,
       r.provider,
       r.model,
       r.price_model,
       r.tags,
       r.cost_usd as actual_usd,
       r.complexity,
       r.complexity_rank,
       r.n_calls,
       r.input_uncached, r.cache_read, r.cache_write_5m, r.cache_write_1h, r.output, r.web_searches,
       r.audio_in, r.audio_out,
       r.target,
       case
           when $top_k and not $keep_by_spend and r.complexity_rank <= round($keep * r.n_calls) then true
           when $top_k and $keep_by_spend and coalesce(r.spend_before, 0) < $keep * r.spend_total then true
           else false
       end as kept
from ranked r
