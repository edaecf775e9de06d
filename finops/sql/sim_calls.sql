-- The calls a scenario looks at and their role under its policy: kept on their model, or moved.
-- grain: one row per row of sim_rows (sim_ranked.sql's calls with their block, tokenizer pair and
-- counterfactual costs: finops/simulate.py). sim_policy holds the one row of policy parameters: top_k,
-- keep (a share), keep_by_spend.
select r.* exclude (spend_before, spend_total),
       case
           when p.top_k and not p.keep_by_spend and r.complexity_rank <= round(p.keep * r.n_calls) then true
           when p.top_k and p.keep_by_spend and coalesce(r.spend_before, 0) < p.keep * r.spend_total then true
           else false
       end as kept
from sim_rows r
cross join sim_policy p
