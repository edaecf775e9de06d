"""Bedrock billing rules read from invocation logs and Converse responses: calls that failed yet logged token
counts, and the service tier a call ran at (Priority / Flex tiers, latency-optimized inference)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from typer.testing import CliRunner

from finops import db, pricing
from finops.cli import app
from finops.ingest import ingest
from finops.reconcile import reconcile

from .helpers import table
from .test_formats_gateways import invocation as gateway_invocation

runner = CliRunner()
NOVA_PRO = "amazon.nova-pro-v1:0"


def invocation(rid: str, inp: int | None, out: int | None, **kw: Any) -> dict[str, Any]:
    """A ModelInvocationLog record (tests/test_formats_gateways.py's) for Nova Pro, priced by bedrock.toml."""
    return gateway_invocation(rid, inp, out, **{"modelId": NOVA_PRO, **kw})


def store_with(tmp_path: Path, name: str, records: list[dict[str, Any]], tbl: Any = None) -> duckdb.DuckDBPyConnection:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    con = db.connect(":memory:")
    pricing.install(con, tbl or table())
    db.create_views(con)
    ingest(con, [path])
    return con


def priced(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Any, ...]]:
    rows = con.execute(
        "select request_id, service_tier, price_status, cost_usd, tags from priced_usage order by request_id"
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


# ------------------------------------------------------------------ failed calls that logged token counts


def test_failed_call_with_token_counts_is_counted_flagged_and_not_priced(tmp_path: Path) -> None:
    """A call whose log has an errorCode AND token counts (a ConverseStream cut by ModelStreamErrorException)
    was priced as a normal call before. AWS documents no billing rule for a call that ends in an error, so it
    is kept (its tokens counted), tagged with its error code, and flagged `failed_call` with no cost: the total
    becomes a lower bound instead of silently including it. A failed call without counts is still skipped."""
    ok = invocation("ok-1", 1000, 200)
    cut = invocation("cut-1", 1200, 85, operation="ConverseStream", errorCode="ModelStreamErrorException")
    throttled = invocation("thr-1", None, None, errorCode="ThrottlingException")
    con = store_with(tmp_path, "invocations.jsonl", [ok, cut, throttled])
    got = priced(con)
    assert set(got) == {"ok-1", "cut-1"}
    # bedrock.toml nova-pro: 0.8 in / 3.2 out per 1M: 1000 x 0.8 + 200 x 3.2 = 1440 → 0.00144
    assert got["ok-1"][:3] == ("standard", "priced", Decimal("0.00144"))
    tier, status, cost, tags = got["cut-1"]
    assert (tier, status, cost) == ("failed", "failed_call", None)
    assert tags["error_code"] == "ModelStreamErrorException" and tags["team"] == "search"
    row = con.execute("select input_uncached, output from usage where request_id = 'cut-1'").fetchone()
    assert row == (1200, 85)
    # reconcile names it among what is not fully priced (computed is a lower bound)
    (line,) = reconcile(con, "test").lines
    assert any(r.code == "unpriced_models" and "nova-pro" in r.message for r in line.reasons)


def test_failed_call_shows_in_the_reports_flagged_output(tmp_path: Path) -> None:
    """The reason is visible where a user looks for what was not priced: `analyze` lists the call under the
    flagged rows (`failed_call`) and says the total is a lower bound."""
    path = tmp_path / "invocations.jsonl"
    lines = [invocation("ok-1", 1000, 200), invocation("cut-1", 1200, 85, errorCode="ModelTimeoutException")]
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "analyze", str(path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    flagged = [(r["model"], r["price_status"], r["calls"]) for r in doc["flagged"]]
    assert flagged == [("nova-pro", "failed_call", 1)]
    assert doc["totals"]["cost_is_lower_bound"] is True
    assert Decimal(doc["totals"]["cost_usd"]) == Decimal("0.00144")
    text = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "analyze"])
    assert "failed_call" in text.stdout
