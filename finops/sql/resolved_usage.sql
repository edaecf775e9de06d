-- usage with the price-table model each call resolves to, at the call's own time.
-- grain: one row per usage row.
-- Names are scoped: a platform's price file (bedrock, azure, vertex, openrouter) names the models it
-- bills itself, optionally for one route (bedrock: 'global' when the logged id carries a global.
-- inference-profile prefix, else 'regional'); first-party names ('' platform) hold everywhere unless the
-- call's platform file says fallback = 'none'. Order of trust for a (name, platform, route):
--   1. a name of the platform for this route, 2. a name of the platform for any route, 3. a first-party
--   name; within a level an exact name (id, match, or an alias in force at ts) beats a prefix pattern,
--   and the longest pattern wins. No match: price_model is null (unpriced_model), never a guess.
with keys as (
    select distinct
           model,
           platform,
           case when platform <> 'bedrock' then ''
                when lower(model_raw) like 'global.%' or lower(model_raw) like '%/global.%' then 'global'
                else 'regional' end as route
    from usage
),
candidates as (
    select k.model, k.platform, k.route, n.model as price_model, n.valid_from, n.valid_to, n.platform as price_platform,
           case when n.platform = '' then 4 when n.route = '' then 2 else 0 end as rank
    from keys k
    join model_names n
      on n.name = k.model
     and (n.platform = '' or (n.platform = k.platform and n.route in ('', k.route)))
    union all
    select k.model, k.platform, k.route,
           arg_max(p.model, length(p.pattern)) as price_model,
           timestamptz '1970-01-01 00:00:00+00' as valid_from,
           timestamptz '2200-01-01 00:00:00+00' as valid_to,
           any_value(p.platform) as price_platform,
           case when p.platform = '' then 5 when p.route = '' then 3 else 1 end as rank
    from keys k
    join model_patterns p
      on left(k.model, length(p.pattern)) = p.pattern
     and (p.platform = '' or (p.platform = k.platform and p.route in ('', k.route)))
    group by k.model, k.platform, k.route, p.platform, p.route
),
allowed as (
    select c.*
    from candidates c
    left join price_platforms pp on pp.platform = c.platform
    where c.price_platform <> '' or coalesce(pp.fallback, 'first_party') = 'first_party'
),
name_map as (
    select distinct model, platform, route, price_model, valid_from, valid_to, nullif(price_platform, '') as price_platform
    from allowed
    qualify rank = min(rank) over (partition by model, platform, route)
)
select u.*,
       n.price_model,
       n.price_platform
from usage u
left join name_map n
  on n.model = u.model
 and n.platform = u.platform
 and n.route = case when u.platform <> 'bedrock' then ''
                    when lower(u.model_raw) like 'global.%' or lower(u.model_raw) like '%/global.%' then 'global'
                    else 'regional' end
 and u.ts >= n.valid_from
 and u.ts < n.valid_to
