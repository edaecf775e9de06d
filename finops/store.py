"""Open the store with the price table installed and the pricing views in place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from finops import db, pricing


@dataclass
class Store:
    """The open store. `prices` (the parsed price table) is loaded on first use: when the store already
    holds the table of `pricing_dir` (same digest), a report reads what it needs from the store instead
    (`version`, `substitution_map`: the pricing.PriceInfo a report or scenario takes)."""

    con: duckdb.DuckDBPyConnection
    path: str
    pricing_dir: Path
    _prices: pricing.PriceTable | None = None

    @property
    def prices(self) -> pricing.PriceTable:
        if self._prices is None:
            self._prices = pricing.load(self.pricing_dir)
            pricing.install(self.con, self._prices)
        return self._prices

    @property
    def version(self) -> str:
        if self._prices is not None:
            return self._prices.version
        row = self.con.execute("select version from price_meta").fetchone()
        return str(row[0]) if row else self.prices.version

    def substitution_map(self) -> dict[str, str]:
        if self._prices is not None:
            return self._prices.substitution_map()
        return dict(self.con.execute("select model, target from price_substitutions order by position").fetchall())

    def model_ids(self) -> set[str]:
        return self.prices.model_ids()

    def close(self) -> None:
        self.con.close()


def _has_contract(con: duckdb.DuckDBPyConnection) -> bool:
    counts = " + ".join(f"(select count(*) from {t})" for t in pricing.CONTRACT_TABLES)
    row = con.execute(f"select {counts}").fetchone()
    return bool(row and row[0])


def open_store(db_path: Path | str | None = None, pricing_dir: Path | None = None) -> Store:
    path = db_path or db.default_db_path()
    con = db.connect(path)
    store = Store(con, str(path), Path(pricing_dir or pricing.default_pricing_dir()))
    if os.environ.get("AISPEND_CONTRACT") or pricing.installed_digest(con) != pricing.table_digest(store.pricing_dir):
        store.prices  # noqa: B018 (parse the files and install the table now)
    elif _has_contract(con):
        pricing.install_contract(con, None)  # as pricing.install does: no contract outlives its session
    db.create_views(con)
    return store
