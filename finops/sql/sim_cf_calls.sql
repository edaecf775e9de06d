-- sim_ranked calls (each has a target) as calls of their target model, token counts scaled by the tokenizer ratio
-- (tau) and output by the verbosity ratio (gamma); with a cold cache every prompt token is uncached.
-- grain: one row per moved call. The body of the table macro sim_cf_calls(gamma, output_scale)
-- (finops/simulate.py): `output_scale` is 1 for the full cost and 0 for its input side (which keeps the
-- per-request fees).
select c.dedupe_key,
       c.complexity_rank,  -- unique: the key sim_rows joins on (an integer joins faster than dedupe_key)
       c.ts,
       c.record_kind,
       c.request_count,
       c.service_tier,
       c.target as price_model,
       case when f.cold then cast(round((c.input_uncached + c.cache_read + c.cache_write_5m + c.cache_write_1h)
                                        * f.tau) as bigint)
            else cast(round(c.input_uncached * f.tau) as bigint) end as input_uncached,
       case when f.cold then 0 else cast(round(c.cache_read * f.tau) as bigint) end as cache_read,
       case when f.cold then 0 else cast(round(c.cache_write_5m * f.tau) as bigint) end as cache_write_5m,
       case when f.cold then 0 else cast(round(c.cache_write_1h * f.tau) as bigint) end as cache_write_1h,
       cast(round(c.output * f.tau * gamma) as bigint) * output_scale as output,
       c.audio_in,  -- audio is not text: kept as logged (a target with no audio rate flags the call)
       cast(round(c.audio_out * gamma) as bigint) * output_scale as audio_out,
       c.web_searches  -- the same searches, at the target's per-request fee (not scaled: not tokens)
from sim_ranked c
join sim_pair f
  on f.src = c.price_model
 and f.dst = c.target
where c.target is not null

