-- rejected records by reason. grain: one row per reason, with the first place it happened.
select reason,
       count(*) as records,
       min(source_file || ':' || coalesce(cast(source_line as varchar), '?')) as example
from quarantine
group by reason
order by records desc, reason
