-- where the report month's calls came from: one row per source file, with its ingest record.
select m.source_file,
       any_value(m.format) as format,
       sum(m.request_count) as calls,
       min(m.ts) as first_ts,
       max(m.ts) as last_ts,
       any_value(f.sha256) as sha256,
       any_value(f.quarantined) as quarantined,
       any_value(f.ingested_at) as ingested_at
from month_calls m
left join files f on f.path = m.source_file
group by m.source_file
order by calls desc, m.source_file
