"""Exports beyond `export calls`: JSONL, month-partitioned Parquet, daily / monthly / scenarios, FOCUS 1.3,
CSV formula neutralisation and atomic writes."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from finops import export
from finops.cli import app
from finops.scope import set_scope

from . import helpers
from .conftest import ROOT, SAMPLES

runner = CliRunner()
VERSION = (ROOT / "pricing" / "VERSION").read_text().strip()
FOCUS_REQUIRED = {
    "BilledCost": "DECIMAL",
    "BillingAccountId": "VARCHAR",
    "BillingAccountName": "VARCHAR",
    "BillingCurrency": "VARCHAR",
    "BillingPeriodStart": "TIMESTAMP WITH TIME ZONE",
    "BillingPeriodEnd": "TIMESTAMP WITH TIME ZONE",
    "ChargeCategory": "VARCHAR",
    "ChargeClass": "VARCHAR",
    "ChargeDescription": "VARCHAR",
    "ChargeFrequency": "VARCHAR",
    "ChargePeriodStart": "TIMESTAMP WITH TIME ZONE",
    "ChargePeriodEnd": "TIMESTAMP WITH TIME ZONE",
    "ConsumedQuantity": "DECIMAL",
    "ConsumedUnit": "VARCHAR",
    "ContractedCost": "DECIMAL",
    "ContractedUnitPrice": "DECIMAL",
    "EffectiveCost": "DECIMAL",
    "HostProviderName": "VARCHAR",
    "InvoiceIssuerName": "VARCHAR",
    "ListCost": "DECIMAL",
    "ListUnitPrice": "DECIMAL",
    "PricingCategory": "VARCHAR",
    "PricingQuantity": "DECIMAL",
    "PricingUnit": "VARCHAR",
    "ProviderName": "VARCHAR",
    "PublisherName": "VARCHAR",
    "RegionId": "VARCHAR",
    "ResourceId": "VARCHAR",
    "ServiceCategory": "VARCHAR",
    "ServiceName": "VARCHAR",
    "ServiceProviderName": "VARCHAR",
    "ServiceSubcategory": "VARCHAR",
    "SkuId": "VARCHAR",
    "SkuMeter": "VARCHAR",
    "SkuPriceDetails": "VARCHAR",
    "SkuPriceId": "VARCHAR",
    "SubAccountId": "VARCHAR",
    "Tags": "VARCHAR",
}


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def said(res: Any) -> str:
    return " ".join(res.stderr.split())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Decimal, Decimal, int, int, Decimal]:
    """The sample store and, through the same scoped_usage the exports read: total spend, priced spend, rows,
    calls and priced list spend."""
    from finops.store import open_store

    db = tmp_path_factory.mktemp("exports") / "s.duckdb"
    res = run("--db", str(db), "ingest", str(SAMPLES))
    assert res.exit_code == 0, res.output
    s = open_store(db)
    set_scope(s.con)
    row = s.con.execute(
        "select sum(cost_usd), sum(cost_usd) filter (where price_status = 'priced'), count(*), sum(request_count), "
        "sum(list_cost_usd) filter (where price_status = 'priced') from scoped_usage"
    ).fetchone()
    s.close()
    assert row is not None
    return db, Decimal(row[0]), Decimal(row[1]), int(row[2]), int(row[3]), Decimal(row[4])


Store = tuple[Path, Decimal, Decimal, int, int, Decimal]


def test_calls_jsonl_keeps_money_exact(store: Store, tmp_path: Path) -> None:
    db, total, _, calls, _, _ = store
    out = tmp_path / "calls.jsonl"
    res = run("--db", str(db), "export", "calls", "--format", "jsonl", "-o", str(out))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == calls
    assert sum(Decimal(r["cost_usd"]) for r in rows if r["cost_usd"] is not None) == total
    assert all(isinstance(r["cost_usd"], str | None) and r["price_version"] == VERSION for r in rows)


def test_parquet_partitioned_by_month_reads_back_in_duckdb(store: Store, tmp_path: Path) -> None:
    db, total, _, calls, _, _ = store
    out = tmp_path / "lake" / "calls"
    out.parent.mkdir()
    res = run("--db", str(db), "export", "calls", "--format", "parquet", "--partition", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [f"month=2025-0{m}" for m in range(3, 9)]
    glob = f"{out}/*/*.parquet"
    (n, s, v, months) = duckdb.execute(
        f"select count(*), sum(cost_usd), min(price_version), count(distinct month) "
        f"from read_parquet('{glob}', hive_partitioning = true)"
    ).fetchone() or (0, 0, "", 0)
    assert (n, s, v, months) == (calls, total, VERSION, 6)
    meta = duckdb.execute(f"select value from parquet_kv_metadata('{glob}') where key = 'price_version'").fetchall()
    assert meta and all(m[0] == VERSION.encode() for m in meta)
    # the same folder again: refused, then replaced whole with --force
    assert run("--db", str(db), "export", "calls", "--format", "parquet", "--partition", "-o", str(out)).exit_code == 2
    res = run(
        "--db",
        str(db),
        "export",
        "calls",
        "--format",
        "parquet",
        "--partition",
        "--since",
        "2025-08-01",
        "-o",
        str(out),
        "--force",
    )
    assert res.exit_code == 0 and [p.name for p in out.iterdir()] == ["month=2025-08"]
    assert [p.name for p in out.parent.iterdir()] == ["calls"]  # no temp folders left
    bad = run("--db", str(db), "export", "calls", "--format", "csv", "--partition", "-o", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "--partition needs --format parquet" in said(bad)


def test_daily_monthly_and_scenarios(store: Store, tmp_path: Path) -> None:
    db, total, priced, _, calls, _ = store
    for kind in ("daily", "monthly"):
        for fmt in ("csv", "parquet"):
            out = tmp_path / f"{kind}.{fmt}"
            res = run("--db", str(db), "export", kind, "--format", fmt, "-o", str(out))
            assert res.exit_code == 0, res.output
            reader = f"read_csv('{out}', types = {{'cost_usd': 'VARCHAR'}})" if fmt == "csv" else f"'{out}'"
            (s, n, v) = duckdb.execute(
                f"select sum(cast(cost_usd as decimal(38, 16))), sum(calls), min(price_version) from {reader}"
            ).fetchone() or (0, 0, "")
            assert (s, n, v) == (total, calls, VERSION), (kind, fmt)
    out = tmp_path / "scenarios.csv"
    res = run("--db", str(db), "export", "scenarios", "-o", str(out))
    assert res.exit_code == 0, res.output
    rows = {r["scenario"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == {"all_to_small", "armstrong_80_20"}
    for r in rows.values():
        assert Decimal(r["actual_usd"]) == priced and r["quality"] == "price only, quality not assessed"
        assert Decimal(r["savings_usd"]) == Decimal(r["actual_usd"]) - Decimal(r["cost_usd"])


@pytest.fixture(scope="module")
def focus(store: Store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    db = store[0]
    folder = tmp_path_factory.mktemp("focus")
    paths = folder / "focus.parquet", folder / "focus.csv"
    for p in paths:
        res = run("--db", str(db), "export", "focus", "-o", str(p))
        assert res.exit_code == 0, res.output
        assert "not fully priced are left out" in said(res)
    return paths


def test_focus_columns_present_and_typed(focus: tuple[Path, Path]) -> None:
    parquet, csv_path = focus
    types = dict(
        duckdb.execute(f"select column_name, column_type from (describe select * from '{parquet}')").fetchall()
    )
    for col, typ in FOCUS_REQUIRED.items():
        assert col in types, col
        assert types[col].startswith(typ), (col, types[col])
    assert all(
        c in FOCUS_REQUIRED or c.startswith("x_")
        for c in types
        if c
        not in (
            "CapacityReservationId",
            "CapacityReservationStatus",
            "CommitmentDiscountCategory",
            "CommitmentDiscountId",
            "CommitmentDiscountName",
            "CommitmentDiscountStatus",
            "CommitmentDiscountType",
            "InvoiceId",
            "PricingCurrency",
            "RegionName",
            "ResourceName",
            "ResourceType",
            "SubAccountName",
        )
    ), "custom columns carry the x_ prefix"
    header = csv_path.read_text().splitlines()[0].split(",")
    assert header == list(types)
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    for row in csv.DictReader(csv_path.open()):
        assert stamp.match(row["ChargePeriodStart"]) and stamp.match(row["BillingPeriodEnd"])
        break


def test_focus_invariants(focus: tuple[Path, Path], store: Store) -> None:
    parquet, csv_path = focus
    rel = f"'{parquet}'"
    bad = duckdb.execute(
        f"""select
              count(*) filter (where ListCost <> ListUnitPrice * PricingQuantity),
              count(*) filter (where EffectiveCost > ListCost),
              count(*) filter (where BilledCost <> EffectiveCost),
              count(*) filter (where ChargePeriodEnd <= ChargePeriodStart),
              count(*) filter (where BillingPeriodEnd <= BillingPeriodStart
                                  or ChargePeriodStart < BillingPeriodStart or ChargePeriodEnd > BillingPeriodEnd),
              count(*) filter (where BilledCost is null or ListCost is null or BillingCurrency <> 'USD'),
              count(*) filter (where ChargeCategory <> 'Usage' or ChargeClass is not null),
              count(*) filter (where ServiceCategory <> 'AI and Machine Learning'
                                  or ServiceSubcategory <> 'Generative AI'),
              count(*) filter (where SkuMeter <> 'Web Search Requests'
                                 and (PricingUnit <> '1000000 Tokens' or ConsumedUnit <> 'Tokens'
                                      or PricingQuantity * 1000000 <> ConsumedQuantity)),
              count(*) filter (where SkuMeter = 'Web Search Requests'
                                 and (PricingUnit <> '1000 Requests' or ConsumedUnit <> 'Requests'
                                      or PricingQuantity * 1000 <> ConsumedQuantity)),
              count(*) filter (where ServiceProviderName is null or HostProviderName is null
                                  or InvoiceIssuerName is null or SkuPriceId is null),
              count(*) filter (where x_PriceVersion <> '{VERSION}')
            from {rel}"""
    ).fetchone()
    assert bad == (0,) * 12
    # the sample's Anthropic web searches are a per-request charge of their own (pricing/anthropic.toml [[fees]])
    searches = duckdb.execute(
        f"select sum(ConsumedQuantity), min(ListUnitPrice), max(ListUnitPrice) from {rel} "
        "where SkuMeter = 'Web Search Requests'"
    ).fetchone()
    assert searches is not None and searches[0] > 0 and searches[1] == searches[2] == Decimal("10")
    (total,) = duckdb.execute(f"select sum(BilledCost) from {rel}").fetchone() or (None,)
    assert total == store[2]  # every priced call's cost, exactly
    (list_total,) = duckdb.execute(f"select sum(ListCost) from {rel}").fetchone() or (None,)
    assert list_total == store[5]
    # one row per day x provider x model x price x charge: no two rows share a key
    (dups,) = duckdb.execute(
        f"select count(*) from (select ChargePeriodStart, SkuPriceId, ServiceName, Tags, RegionId, count(*) c "
        f"from {rel} group by all having c > 1)"
    ).fetchone() or (1,)
    assert dups == 0
    for details, tags in duckdb.execute(f"select SkuPriceDetails, Tags from {rel} limit 50").fetchall():
        assert all(k.startswith("x_") for k in json.loads(details))
        assert isinstance(json.loads(tags), dict)
    # the CSV carries the same exact decimals
    (csv_total,) = duckdb.execute(
        f"select sum(cast(BilledCost as decimal(38, 16))) from read_csv('{csv_path}', all_varchar = true)"
    ).fetchone() or (None,)
    assert csv_total == store[2]


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    con = helpers.store()
    t = datetime(2025, 8, 3, tzinfo=UTC)
    helpers.add_call(con, '=HYPERLINK("http://x")', t, input_uncached=10, output=1, key="-2+3")
    helpers.add_call(con, "gpt-4o-mini", t, input_uncached=10, output=1, key="@SUM(A1)")
    set_scope(con)
    out = tmp_path / "calls.csv"
    export.export_calls(con, VERSION, out, "csv")
    rows = list(csv.DictReader(out.open()))
    assert {r["dedupe_key"] for r in rows} == {"'-2+3", "'@SUM(A1)"}
    assert any(r["model_raw"] == '\'=HYPERLINK("http://x")' for r in rows)
    assert all(not re.match(r"^[=+\-@\t\r]", v) for r in rows for v in r.values() if v)
    daily = tmp_path / "daily.csv"
    export.export_daily(con, VERSION, daily, "csv")
    assert "'=hyperlink" in daily.read_text().lower()


def test_writes_are_atomic_and_paths_checked(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), export.atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
    target.write_text("old")
    with pytest.raises(export.OutputError, match="exists"):
        export.check_output(target, force=False)
    afile = tmp_path / "file.txt"
    afile.write_text("")
    with pytest.raises(export.OutputError, match="does not exist"):
        export.check_output(afile / "x.csv", force=False)
    con = helpers.store()
    set_scope(con)
    with pytest.raises(export.UsageError, match="expected one of csv, parquet, jsonl"):
        export.export_calls(con, VERSION, tmp_path / "c.xml", "xml")
    with pytest.raises(export.UsageError, match=r"\.csv or \.parquet"):
        export.export_focus(con, VERSION, tmp_path / "f.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "out.csv"]


def test_export_commands_have_help_with_an_example() -> None:
    for cmd in ("calls", "daily", "monthly", "scenarios", "focus"):
        res = run("export", cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.stdout, cmd


def test_dash_writes_text_exports_to_standard_output(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o -` is standard output for CSV and JSON lines (the same bytes as the file export), never a file
    named '-'; Parquet, binary, is refused."""
    db, _, _, calls, _, _ = store
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "calls.csv"
    assert run("--db", str(db), "export", "calls", "-o", str(out)).exit_code == 0
    res = run("--db", str(db), "export", "calls", "-o", "-")
    assert res.exit_code == 0, res.output
    assert res.stdout_bytes == out.read_bytes()
    assert "calls to standard output" in said(res)
    res = run("--db", str(db), "export", "calls", "--format", "jsonl", "-o", "-")
    assert len(res.stdout.splitlines()) == calls
    res = run("--db", str(db), "export", "focus", "-o", "-")
    assert res.exit_code == 0 and res.stdout.startswith("BilledCost,")
    res = run("--db", str(db), "export", "calls", "--format", "parquet", "-o", "-")
    assert res.exit_code == 2 and "Parquet is binary" in said(res)
    assert not (tmp_path / "-").exists()
