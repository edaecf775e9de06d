-- unit economics of the report month. grain: one row.
select coalesce(sum(request_count), 0) as calls,
       coalesce(sum(request_count) filter (where price_status = 'priced'), 0) as priced_calls,
       coalesce(sum(cost_usd) filter (where price_status = 'priced'), 0) as priced_cost_usd,
       coalesce(sum(input_uncached + cache_read + cache_write_5m + cache_write_1h + output + audio_in + audio_out)
                filter (where price_status = 'priced'), 0) as priced_tokens,
       coalesce(sum(input_uncached), 0) as input_uncached,
       coalesce(sum(cache_read), 0) as cache_read,
       coalesce(sum(cache_write_5m + cache_write_1h), 0) as cache_write,
       coalesce(sum(output), 0) as output,
       coalesce(sum(request_count) filter (where service_tier = 'batch'), 0) as batch_calls,
       coalesce(sum(cost_usd) filter (where service_tier = 'batch'), 0) as batch_cost_usd,
       coalesce(sum(cost_usd), 0) as cost_usd
from month_calls
