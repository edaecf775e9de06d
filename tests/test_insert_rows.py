"""db.insert_rows: Python rows into a typed table, exactly (the price tables of every fresh store go this way)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import pytest

from finops import db, pricing

TABLE = """create table t (
    s varchar, n bigint, d decimal(18, 10), f decimal(9, 4), ts timestamptz, day date, ok boolean, big hugeint
)"""


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("set TimeZone = 'UTC'")
    c.execute(TABLE)
    return c


def test_values_round_trip_exactly(con: duckdb.DuckDBPyConnection) -> None:
    rows = [
        ("gpt-4o", 272_000, Decimal("0.0000001234"), Decimal("0.5"), datetime(2024, 10, 2, tzinfo=UTC),
         date(2024, 10, 2), True, 2**70),
        # a Decimal in exponent form, a negative one, an offset that is not UTC, text with quotes and non-ASCII
        ("o'neil \"x\" é", -1, Decimal("1E+1"), Decimal("-0.0001"),
         datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=-8))), date(1999, 12, 31), False, -(2**64)),
        (None, None, None, None, None, None, None, None),
        ("", 0, Decimal("0"), Decimal("0E-4"), datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC), date(2026, 1, 1),
         None, 0),
    ]  # fmt: skip
    db.insert_rows(con, "t", rows)
    got = con.execute("select * from t").fetchall()
    assert len(got) == 4

    def utc(r: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in r)

    assert sorted(map(utc, got), key=repr) == sorted(map(utc, rows), key=repr)
    # the -08:00 time is stored as its UTC instant
    assert con.execute("select ts from t where n = -1").fetchone() == (datetime(2025, 3, 1, 17, 30, tzinfo=UTC),)


def test_a_column_of_another_type_goes_as_a_list_parameter() -> None:
    c = duckdb.connect()
    c.execute("create table l (name varchar, tags varchar[], x double)")
    db.insert_rows(c, "l", [("a", ["x", "y"], 0.25), ("b", None, None)])
    assert c.execute("select * from l order by name").fetchall() == [("a", ["x", "y"], 0.25), ("b", None, None)]


def test_empty_rows_insert_nothing(con: duckdb.DuckDBPyConnection) -> None:
    db.insert_rows(con, "t", [])
    assert con.execute("select count(*) from t").fetchone() == (0,)


def _insert_bound(con: duckdb.DuckDBPyConnection, name: str, rows: list[tuple[object, ...]]) -> None:
    """The reference: every value bound by the driver (one list parameter per column)."""
    described = con.execute(f"describe {name}").fetchall()
    cols = ", ".join(f"unnest($c{i}::{r[1]}[])" for i, r in enumerate(described))
    con.execute(f"insert into {name} select {cols}", {f"c{i}": [r[i] for r in rows] for i in range(len(described))})


def test_price_tables_equal_values_bound_by_the_driver() -> None:
    table = pricing.load()
    fast, ref = db.connect(":memory:"), db.connect(":memory:")
    pricing.install(fast, table, force=True)
    expected = {
        "prices": pricing.price_rows(table),
        "rate_card": pricing.rate_card_rows(table),
        "price_modifiers": pricing.modifier_rows(table),
        "price_windows": pricing.window_rows(table),
        "price_fees": pricing.fee_rows(table),
    }
    for name, rows in expected.items():
        _insert_bound(ref, name, rows)
        got = fast.execute(f"select * from {name} order by all").fetchall()
        assert len(got) == len(rows) > 0, name
        assert got == ref.execute(f"select * from {name} order by all").fetchall(), name
