"""Open the store with the price table installed and the pricing views in place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from finops import db, pricing


@dataclass
class Store:
    con: duckdb.DuckDBPyConnection
    prices: pricing.PriceTable
    path: str

    def close(self) -> None:
        self.con.close()


def open_store(db_path: Path | str | None = None, pricing_dir: Path | None = None) -> Store:
    table = pricing.load(pricing_dir)
    path = db_path or db.default_db_path()
    con = db.connect(path)
    pricing.install(con, table)
    db.create_views(con)
    return Store(con, table, str(path))
