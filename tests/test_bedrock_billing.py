"""Bedrock billing rules read from invocation logs and Converse responses: calls that failed yet logged token
counts, and the service tier a call ran at (Priority / Flex tiers, latency-optimized inference)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from typer.testing import CliRunner

from finops import db, pricing
from finops.cli import app
from finops.ingest import ingest
from finops.reconcile import reconcile

from .helpers import ROOT, price, table
from .test_formats_gateways import invocation as gateway_invocation

runner = CliRunner()
NOVA_PRO = "amazon.nova-pro-v1:0"


def invocation(rid: str, inp: int | None, out: int | None, **kw: Any) -> dict[str, Any]:
    """A ModelInvocationLog record (tests/test_formats_gateways.py's) for Nova Pro, priced by bedrock.toml."""
    return gateway_invocation(rid, inp, out, **{"modelId": NOVA_PRO, "timestamp": "2026-02-10T09:14:03Z", **kw})


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


# ------------------------------------------------------------------ service tiers: Priority / Flex, latency-optimized

HAIKU35 = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


def converse_body(**kw: Any) -> dict[str, Any]:
    """A Converse response as logged in output.outputBodyJson (AWS Bedrock API reference, Converse: output,
    stopReason, usage, metrics, and performanceConfig / serviceTier when the request set them)."""
    body: dict[str, Any] = {
        "output": {"message": {"role": "assistant", "content": [{"text": "…"}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1000, "outputTokens": 200, "totalTokens": 1200},
        "metrics": {"latencyMs": 412},
    }
    body.update(kw)
    return body


def with_bodies(rec: dict[str, Any], request: dict[str, Any], response: dict[str, Any] | list[Any]) -> dict[str, Any]:
    rec["input"]["inputBodyJson"] = {"messages": [{"role": "user", "content": [{"text": "…"}]}], **request}
    rec["output"]["outputBodyJson"] = response
    return rec


def tiered_calls() -> list[dict[str, Any]]:
    optimized = {"performanceConfig": {"latency": "optimized"}}
    calls = [
        # served latency-optimized: the response says so (AWS user guide, latency-optimized-inference)
        with_bodies(invocation("lat-1", 1000, 200, modelId=HAIKU35), optimized, converse_body(**optimized)),
        # asked for it, but the quota was used up: served and billed at standard, and the response says standard
        with_bodies(
            invocation("lat-2", 1000, 200, modelId=HAIKU35),
            optimized,
            converse_body(performanceConfig={"latency": "standard"}),
        ),
        # a stream: the served configuration is in the metadata event
        with_bodies(
            invocation("lat-3", 1000, 200, modelId=HAIKU35, operation="ConverseStream"),
            optimized,
            [
                {"messageStart": {"role": "assistant"}},
                {"messageStop": {"stopReason": "end_turn"}},
                {"metadata": {"usage": {"inputTokens": 1000, "outputTokens": 200}, **optimized}},
            ],
        ),
    ]
    # Priority / Flex (AWS user guide, service-tiers-inference: ServiceTier.type priority | default | flex | reserved)
    # on the response as on the request (flx-1's response does not repeat it: the request's is read); reserved
    # has no rule in the table (its capacity is billed per tokens-per-minute, not per token)
    tiers = {"pri-1": "priority", "flx-1": "flex", "def-1": "default", "res-1": "reserved"}
    for rid, tier in tiers.items():
        asked = {"serviceTier": {"type": tier}}
        calls.append(with_bodies(invocation(rid, 1000, 200), asked, converse_body(**({} if rid == "flx-1" else asked))))
    return calls


def test_bedrock_service_tiers_are_read_from_the_log_and_priced_by_tier(tmp_path: Path) -> None:
    """The tier a call was served at: the response's `serviceTier.type` / `performanceConfig.latency` (a stream's
    metadata event), else the request's. Nova Pro (bedrock.toml, from 2025-11-18): priority 1.75x, flex 0.5x;
    default is standard. A tier the table has no rule for (reserved; latency_optimized, whose rates are not in
    the table) is flagged tier_not_in_table at the standard rate, never passed off as a standard call."""
    con = store_with(tmp_path, "invocations.jsonl", tiered_calls())
    got = {k: v[:3] for k, v in priced(con).items()}
    # Claude 3.5 Haiku on Bedrock = Anthropic's list price from 2024-12-03: 0.80 in, 4 out: 1000 x 0.8 + 200 x 4
    haiku = Decimal("0.0016")
    # Nova Pro standard 0.8 / 3.2: 1000 x 0.8 + 200 x 3.2 = 1440 → 0.00144
    assert got == {
        "lat-1": ("latency_optimized", "tier_not_in_table", haiku),
        "lat-2": ("standard", "priced", haiku),
        "lat-3": ("latency_optimized", "tier_not_in_table", haiku),
        "pri-1": ("priority", "priced", Decimal("0.00252")),
        "flx-1": ("flex", "priced", Decimal("0.00072")),
        "def-1": ("standard", "priced", Decimal("0.00144")),
        "res-1": ("reserved", "tier_not_in_table", Decimal("0.00144")),
    }


def test_a_latency_optimized_rate_prices_latency_optimized_calls(tmp_path: Path) -> None:
    """The table can hold latency-optimized rates as a `latency_optimized` modifier (explicit rates): a call
    served latency-optimized is then priced at them, a standard call of the same model is not."""
    pricing_dir = tmp_path / "pricing"
    shutil.copytree(ROOT / "pricing", pricing_dir)
    with (pricing_dir / "bedrock.toml").open("a", encoding="utf-8") as f:
        f.write(
            """
[[modifiers]]
service_tier = "latency_optimized"
models = ["bedrock/claude-3-5-haiku"]
input = "1"
output = "5"
from = 2024-12-03T00:00:00Z
source = "aws-bedrock-pricing"
confidence = "C"
note = "test rates"
"""
        )
    con = store_with(tmp_path, "invocations.jsonl", tiered_calls()[:3], pricing.load(pricing_dir))
    got = {k: v[:3] for k, v in priced(con).items()}
    assert got == {
        "lat-1": ("latency_optimized", "priced", Decimal("0.002")),  # 1000 x 1 + 200 x 5 = 2000
        "lat-2": ("standard", "priced", Decimal("0.0016")),
        "lat-3": ("latency_optimized", "priced", Decimal("0.002")),
    }


def test_converse_responses_carry_their_tier(tmp_path: Path) -> None:
    """A logged Converse response says how it was served: `performanceConfig.latency` and `serviceTier.type`."""
    lines = [
        {
            "modelId": HAIKU35,
            "requestId": "c-lat",
            "timestamp": "2026-02-10T09:14:03Z",
            "response": converse_body(performanceConfig={"latency": "optimized"}),
        },
        {
            "modelId": NOVA_PRO,
            "requestId": "c-pri",
            "timestamp": "2026-02-10T09:14:03Z",
            "response": converse_body(serviceTier={"type": "priority"}),
        },
    ]
    con = store_with(tmp_path, "converse.jsonl", lines)
    got = {k: v[:2] for k, v in priced(con).items()}
    assert got == {"c-lat": ("latency_optimized", "tier_not_in_table"), "c-pri": ("priority", "priced")}


def test_priority_and_flex_rules_start_at_their_launch() -> None:
    """Priority / Flex launched on 2025-11-18 (AWS What's New): a priority call the second before is flagged at the
    standard rate, from that day it pays 1.75x (Nova Pro input 0.8 → 1.4 per 1M)."""
    kw: dict[str, Any] = {"platform": "bedrock", "provider": "amazon", "model_raw": NOVA_PRO, "input_uncached": 1000}
    before = datetime(2025, 11, 17, 23, 59, 59, tzinfo=UTC)
    launch = datetime(2025, 11, 18, tzinfo=UTC)
    assert price("nova-pro", before, service_tier="priority", **kw)[:2] == (Decimal("0.0008"), "tier_not_in_table")
    assert price("nova-pro", launch, service_tier="priority", **kw)[:2] == (Decimal("0.0014"), "priced")
    assert price("nova-pro", launch, service_tier="flex", **kw)[:2] == (Decimal("0.0004"), "priced")
    assert price("nova-premier", launch, service_tier="flex", **kw)[1] == "tier_not_in_table"


# ------------------------------------------------------------------ CloudWatch Logs exported to S3


def test_cloudwatch_export_to_s3_lines_are_read_with_their_line_numbers(tmp_path: Path) -> None:
    """CreateExportTask objects: gzipped text, each line `<ISO 8601 time> <event message>` (the invocation log).
    A BOM, a truncated message and a line without a message are kept apart; the rest are calls."""
    import gzip

    msgs = [json.dumps(invocation(f"r{i}", 100 + i, 10)) for i in range(3)]
    lines = [
        f"2026-02-10T09:14:03.120Z {msgs[0]}",
        f"2026-02-10T09:14:04.000Z {msgs[1][:40]}",  # truncated
        f"2026-02-10T09:14:05.500Z {msgs[2]}",
        "2026-02-10T09:14:06Z {not json",
    ]
    path = tmp_path / "exportedlogs" / "task-1" / "aws-bedrock-invocations" / "000000.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(("\ufeff" + "\n".join(lines) + "\n").encode()))
    con = db.connect(":memory:")
    res = ingest(con, [tmp_path]).files[0]
    assert (res.status, res.format, res.calls, res.quarantined) == ("ingested", "bedrock.invocation_log", 2, 2)
    assert con.execute("select request_id, source_line, input_uncached from usage order by 1").fetchall() == [
        ("r0", 1, 100),
        ("r2", 3, 102),
    ]
    assert con.execute("select list(source_line order by source_line) from quarantine").fetchone() == ([2, 4],)
