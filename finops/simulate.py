"""Counterfactuals: what the same calls would cost on smaller models (price only in this version).

The cost of a moved call is computed by the same SQL as actual spend (db.price_join) on the target
model at the call's own timestamp and service tier. Quality is NOT assessed here: every number is
labelled so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb

from finops import db, pricing

NAIVE_80_20 = Decimal("0.208")  # 0.2 + 0.8 x 0.01: 80% of spend moved to a 99% cheaper model
HARVEY_RATIO = Decimal(1) / Decimal(3)  # "cut inference cost 3x with no quality loss" (routing.md §5)
HARVEY_MEASURED = Decimal("0.386")  # $368 / $954 on the 100-task LAB slice (Fireworks, June 2026)
QUALITY_LABEL = "price only, quality not assessed"
KEEP_SHARE = Decimal("0.2")


@dataclass
class Headline:
    actual_usd: Decimal
    priced_calls: int
    movable_calls: int
    all_to_small_usd: Decimal
    armstrong_usd: Decimal
    armstrong_moved_calls: int
    armstrong_kept_calls: int
    armstrong_kept_spend_usd: Decimal
    substitutions: dict[str, str]

    def ratio(self, value: Decimal) -> Decimal | None:
        return None if not self.actual_usd else value / self.actual_usd

    @property
    def all_to_small_ratio(self) -> Decimal | None:
        return self.ratio(self.all_to_small_usd)

    @property
    def armstrong_ratio(self) -> Decimal | None:
        return self.ratio(self.armstrong_usd)

    @property
    def kept_spend_share(self) -> Decimal | None:
        return self.ratio(self.armstrong_kept_spend_usd)

    def reaches_harvey(self, ratio: Decimal | None) -> bool | None:
        return None if ratio is None else ratio <= HARVEY_RATIO


def install_substitution(con: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> None:
    con.execute("create or replace temp table substitution (model varchar, target varchar)")
    if mapping:
        con.executemany("insert into substitution values (?, ?)", sorted(mapping.items()))


def headline(
    con: duckdb.DuckDBPyConnection, table: pricing.PriceTable, mapping: dict[str, str] | None = None
) -> Headline:
    """All-to-small and Armstrong 80/20 on the scoped calls (scope.set_scope must have run)."""
    mapping = pricing.substitution_map(table) if mapping is None else mapping
    install_substitution(con, mapping)
    con.execute("create or replace temp view cf_calls as " + db.sql_text("counterfactual_calls"))
    con.execute("create or replace temp view cf_priced as " + db.price_join("cf_calls"))
    row = con.execute(db.sql_text("counterfactual_headline")).fetchone()
    assert row is not None
    return Headline(
        actual_usd=Decimal(row[0]),
        priced_calls=int(row[1]),
        movable_calls=int(row[2]),
        all_to_small_usd=Decimal(row[3]),
        armstrong_moved_calls=int(row[4]),
        armstrong_kept_calls=int(row[5]),
        armstrong_usd=Decimal(row[6]),
        armstrong_kept_spend_usd=Decimal(row[7]),
        substitutions=mapping,
    )
