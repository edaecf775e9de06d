-- 0007: the default substitution map (pricing.substitution_map: model id -> its small sibling) is stored
-- with the price table, so a report on a store that already holds the table's digest reads it from here
-- instead of parsing pricing/*.toml (finops/store.py). Replaced by pricing.install() like the other tables.
create table price_substitutions (
    position  integer not null,   -- the map's order (reports print it in this order)
    model     varchar primary key,
    target    varchar not null
);

delete from price_meta;  -- the next open installs the table again, filling price_substitutions
