"""End to end through the CLI on sample_logs/, as a user runs it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from finops.cli import app

from .conftest import ROOT, SAMPLES

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Any]:
    db = tmp_path_factory.mktemp("cli") / "s.duckdb"
    first = run("--db", str(db), "analyze", str(SAMPLES))
    assert first.exit_code == 0, first.output
    doc = json.loads(run("--db", str(db), "analyze", "--json").stdout)
    return db, doc, first


def test_analyze_prints_the_report_and_the_headline(analyzed: tuple[Path, dict[str, Any], Any], manifest: Any) -> None:
    _db, _doc, first = analyzed
    out = first.stdout
    for needle in (
        "Total spend at least $",
        "Spend by month, provider and model",
        "Spend by team",
        "Calls not fully priced",
        "Quarantined records",
        "Armstrong 80/20",
        "0.208",
        "Harvey line",
        "price only, quality not assessed",
    ):
        assert needle in out, needle
    # every sample but the unknown and empty ones; the generator's rejected records (sample_logs/MANIFEST.json)
    ingested = sum(1 for f in manifest["files"] if f["format"] not in ("unknown", "empty"))
    assert f"Ingest run 1: {ingested} file(s) ingested" in first.stderr
    assert f"{manifest['total']['rejected_records']} quarantined" in first.stderr
    assert "modification time" in first.stderr  # bare bodies dated by mtime, said once per file


def test_json_totals_equal_the_sum_of_their_lines(analyzed: tuple[Path, dict[str, Any], Any], manifest: Any) -> None:
    _db, doc, _ = analyzed
    total = Decimal(doc["totals"]["cost_usd"])
    assert total > 0
    assert sum(Decimal(r["cost_usd"]) for r in doc["by_month"]) == total
    assert sum(Decimal(r["cost_usd"]) for r in doc["by_tag"]["team"]) == total
    assert sum(r["calls"] for r in doc["by_month"]) == doc["totals"]["calls"] == manifest["total"]["billable_calls"]
    assert doc["totals"]["cost_is_lower_bound"] is True
    # priced since table 2026.11.23-6 (fine-tuned gpt-4o-mini rates); the deliberate no-price model stays listed
    assert "ft:gpt-4o-mini-2024-07-18:acme:support-v2:abc123x" not in doc["models_to_add"]
    assert "k3x9q2m7w1z4" in doc["models_to_add"]
    assert doc["price_version"] == (ROOT / "pricing" / "VERSION").read_text().strip()
    assert sum(r["records"] for r in doc["quarantine"]) == manifest["total"]["rejected_records"]
    cf = doc["counterfactual"]
    assert cf["quality"] == "price only, quality not assessed"
    assert Decimal(cf["all_to_small"]["cost_usd"]) < Decimal(cf["actual_usd"])
    arm = cf["armstrong_80_20"]
    assert arm["naive_cost_ratio"] == "0.208"
    assert arm["moved_calls"] + arm["kept_calls"] <= cf["priced_calls"]
    assert Decimal(cf["armstrong_80_20"]["cost_usd"]) >= Decimal(cf["all_to_small"]["cost_usd"])
    months = sorted({r["month"] for r in doc["by_month"]})
    assert months == ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08"]


def test_second_analyze_changes_nothing(analyzed: tuple[Path, dict[str, Any], Any], manifest: Any) -> None:
    db, doc, _ = analyzed
    again = run("--db", str(db), "analyze", str(SAMPLES), "--json")
    assert again.exit_code == 0
    ingested = sum(1 for f in manifest["files"] if f["format"] not in ("unknown", "empty"))
    assert f"0 file(s) ingested, {ingested} unchanged" in again.stderr
    assert json.loads(again.stdout)["totals"] == doc["totals"]


def test_since_until_filter(analyzed: tuple[Path, dict[str, Any], Any]) -> None:
    db, doc, _ = analyzed
    res = run("--db", str(db), "analyze", "--since", "2025-06-01", "--until", "2025-07-01", "--json")
    part = json.loads(res.stdout)
    assert {r["month"] for r in part["by_month"]} == {"2025-06"}
    june = [r for r in doc["by_month"] if r["month"] == "2025-06"]
    assert Decimal(part["totals"]["cost_usd"]) == sum(Decimal(r["cost_usd"]) for r in june)


def test_strict_fails_on_quarantine_and_unpriced(tmp_path: Path) -> None:
    res = run("--db", str(tmp_path / "s.duckdb"), "analyze", str(SAMPLES / "openai"), "--strict")
    assert res.exit_code == 1
    assert "Error: --strict: 4 record(s) quarantined" in res.stderr


def test_export_csv_and_parquet_read_back(analyzed: tuple[Path, dict[str, Any], Any], tmp_path: Path) -> None:
    db, doc, _ = analyzed
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"calls.{fmt}"
        res = run("--db", str(db), "export", "calls", "--format", fmt, "-o", str(out))
        assert res.exit_code == 0, res.output
        # CSV: read the money column as text, so the check sees the exact written decimals
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        opts = ", types = {'cost_usd': 'VARCHAR'}" if fmt == "csv" else ""
        (row,) = duckdb.sql(
            f"select count(*), sum(cast(cost_usd as decimal(38, 16))), min(price_version) from {reader}('{out}'{opts})"
        ).fetchall()
        assert row[0] == doc["totals"]["calls"]
        assert row[1] == Decimal(doc["totals"]["cost_usd"])
        assert row[2] == doc["price_version"]
    again = run("--db", str(db), "export", "calls", "--format", "csv", "-o", str(tmp_path / "calls.csv"))
    assert again.exit_code == 2 and "--force" in again.stderr


def test_prices_commands() -> None:
    listed = run("prices", "list", "--json")
    models = {r["model"] for r in json.loads(listed.stdout)}
    assert {"gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-pro"} <= models
    show = run("prices", "show", "gpt-4o", "--json")
    docs = json.loads(show.stdout)
    assert [d["model"] for d in docs] == ["gpt-4o-2024-05-13", "gpt-4o-2024-08-06"]
    assert all(p["source"] for d in docs for p in d["periods"])
    o3 = json.loads(run("prices", "show", "o3-2025-04-16", "--json").stdout)[0]
    assert [p["input"] for p in o3["periods"]] == ["10", "2"]
    missing = run("prices", "show", "no-such-model")
    assert missing.exit_code == 2 and "No model 'no-such-model'" in missing.stderr
    assert run("prices", "check").exit_code == 0


def test_formats_and_quarantine(analyzed: tuple[Path, dict[str, Any], Any]) -> None:
    db, _, _ = analyzed
    out = run("formats").stdout
    for name in ("openai.chat", "openai.batch", "anthropic.stream", "claude_code", "gemini"):
        assert name in out
    q = run("--db", str(db), "quarantine").stdout
    assert "chat_completions.jsonl:" in q and "negative token count: output=" in q


def test_bad_paths_and_options(tmp_path: Path) -> None:
    res = run("--db", str(tmp_path / "s.duckdb"), "analyze", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "No such file or directory" in res.stderr
    res = run("--db", str(tmp_path / "s.duckdb"), "ingest", str(SAMPLES / "openai"), "--format", "nope")
    assert res.exit_code == 2 and "Unknown format 'nope'" in res.stderr
    res = run("--db", str(tmp_path / "s.duckdb"), "analyze", "--since", "June")
    assert res.exit_code == 2 and "--since" in res.stderr


def test_every_command_has_help_with_an_example() -> None:
    for cmd in (
        ["analyze"],
        ["ingest"],
        ["formats"],
        ["quarantine"],
        ["prices", "list"],
        ["prices", "show"],
        ["prices", "check"],
        ["export", "calls"],
    ):
        res = run(*cmd, "--help")
        assert res.exit_code == 0 and "Example:" in res.stdout, cmd
