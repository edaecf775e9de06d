-- the costliest calls of one day [$day_start, $day_end) for one value of $dim (as in monthly_breakdown).
-- grain: one row per call, top $limit by cost.
select ts,
       provider,
       coalesce(price_model, model, '(unknown)') as model,
       coalesce(tags['team'], '(none)') as team,
       service_tier,
       input_uncached + cache_read + cache_write_5m + cache_write_1h + audio_in as prompt_tokens,
       output + audio_out as output_tokens,
       cost_usd,
       source_file,
       source_line,
       dedupe_key
from scoped_usage
where ts >= $day_start
  and ts < $day_end
  and cost_usd is not null
  and case $dim
          when 'provider' then provider
          when 'platform' then platform
          when 'model' then coalesce(price_model, model, '(unknown)')
          when 'service_tier' then service_tier
          else coalesce(tags[$dim], '(none)')
      end = $value
order by cost_usd desc, ts, dedupe_key
limit $limit
