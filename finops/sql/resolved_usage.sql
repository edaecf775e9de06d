-- usage with the price-table model each call resolves to, at the call's own time.
-- grain: one row per usage row. Order of trust: an alias in force at ts, a canonical id or exact
-- match name, else the longest prefix pattern (dated snapshots). No match: price_model is null.
with names_seen as (
    select distinct model
    from usage
),
by_prefix as (
    select d.model,
           arg_max(p.model, length(p.pattern)) as price_model
    from names_seen d
    join model_patterns p
      on left(d.model, length(p.pattern)) = p.pattern
    group by d.model
)
select u.*,
       coalesce(n.model, bp.price_model) as price_model
from usage u
left join model_names n
  on n.name = u.model
 and u.ts >= n.valid_from
 and u.ts < n.valid_to
left join by_prefix bp
  on bp.model = u.model
