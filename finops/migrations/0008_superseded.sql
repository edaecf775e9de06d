-- 0008: rows taken out of `usage` because a finer record of the same calls was stored after them, so that what is
-- counted does not depend on the order files are ingested in (finops/ingest/claude_code_print.py: a `claude -p`
-- session total, then the session's transcript). Nothing is dropped silently: each row is kept whole, with the
-- run that moved it, the file that supersedes it and why. The usage columns, then those three; a migration that
-- adds a usage column adds it here too (rows are moved BY NAME: a missing column fails loudly, never silently).
create table superseded as select * from usage limit 0;
alter table superseded add column superseded_run bigint;
alter table superseded add column superseded_by varchar;
alter table superseded add column reason varchar;
