-- 0002: keep what a record says beyond the canonical columns (message content removed first).
alter table usage add column extra json;
