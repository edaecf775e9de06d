"""`aispend report monthly`: the month-end pack on sample_logs/ and on small hand-made stores."""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from finops import budgets, fx
from finops.cli import app
from finops.report import anomalies, monthly, pack, render_monthly

from . import helpers
from .conftest import ROOT, SAMPLES

runner = CliRunner()
AS_OF = "2025-09-01"


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def said(res: Any) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(res.stderr.split())


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("monthly") / "s.duckdb"
    res = run("--db", str(db), "ingest", str(SAMPLES))
    assert res.exit_code == 0, res.output
    return db


@pytest.fixture(scope="module")
def built(store: Path) -> Any:
    """The report built once through the core API (renderers are tested on it without rebuilding)."""
    from finops.store import open_store

    s = open_store(store)
    m = monthly.build(s.con, s.prices, as_of=datetime(2025, 9, 1, tzinfo=UTC))
    yield s, m
    s.close()


@pytest.fixture(scope="module")
def doc(built: Any) -> dict[str, Any]:
    """The --json document of the same report (the CLI path is exercised by the other tests)."""
    data: dict[str, Any] = json.loads(json.dumps(monthly.to_json(built[1])))
    return data


@pytest.fixture
def no_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests about other parts skip the scenario engine (the slow part); the report must render without it."""
    from finops import simulate

    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("scenario engine unavailable")

    monkeypatch.setattr(simulate, "headline", boom)


def D(v: str) -> Decimal:
    return Decimal(v)


def test_headline_on_the_sample_logs(doc: dict[str, Any]) -> None:
    assert doc["month"] == "2025-08" and doc["complete"] is True and doc["currency"] == "USD"
    assert doc["price_version"] == (ROOT / "pricing" / "VERSION").read_text().strip()
    h = doc["headline"]
    total = D(h["total"])
    assert total > 0 and isinstance(h["total"], str)
    prev, quarter = h["vs_previous_month"], h["vs_quarter_ago"]
    assert (prev["month"], quarter["month"]) == ("2025-07", "2025-05")
    assert D(prev["change"]) == total - D(prev["cost"])
    assert D(quarter["change"]) == total - D(quarter["cost"])
    # the trend holds the same monthly totals, then the forecast
    trend = {t["month"]: t for t in doc["trend"]}
    assert D(trend["2025-08"]["cost"]) == total and D(trend["2025-07"]["cost"]) == D(prev["cost"])
    assert doc["trend"][-1]["kind"] == "forecast" and doc["trend"][-1]["month"] == "2025-09"
    assert "least-squares" in h["forecast"]["method"] and D(h["forecast"]["amount"]) >= 0
    assert "last 7 days" in h["run_rate"]["method"]
    # the fine-tuned model has no price: the total is a lower bound, and says so
    assert h["unpriced_calls"] >= 1 and doc["total_is_lower_bound"] is True


def test_every_breakdown_sums_to_the_total(doc: dict[str, Any]) -> None:
    total = D(doc["headline"]["total"])
    prev = D(doc["headline"]["vs_previous_month"]["cost"])
    assert {"provider", "model", "service_tier", "team", "project"} <= set(doc["breakdowns"])
    for dim, rows in doc["breakdowns"].items():
        assert sum(D(r["cost"]) for r in rows) == total, dim
        assert sum(D(r["prev_cost"]) for r in rows) == prev, dim
        assert sum(r["calls"] for r in rows) == doc["headline"]["calls"], dim
    movers = doc["top_movers"]
    assert movers and all(abs(D(a["change"])) >= abs(D(b["change"])) for a, b in itertools.pairwise(movers))


def test_unit_economics_anomalies_savings_and_footer(doc: dict[str, Any]) -> None:
    u = doc["unit_economics"]
    assert D(u["cache_read_saved"]) > 0 and D(u["cache_net_saved"]) <= D(u["cache_read_saved"])
    assert D(u["cache_write_premium"]) == D(u["cache_read_saved"]) - D(u["cache_net_saved"])
    assert 0 < D(u["cache_hit_rate"]) < 1 and D(u["cost_per_1k_calls"]) > 0
    assert "E" not in u["cache_write_premium"]
    assert doc["anomalies"], "the sample has spiky days (a 240k-token Sonnet call on 2025-08-27)"
    a = doc["anomalies"][0]
    assert D(a["cost"]) > D(a["threshold"]) >= D(a["median"]) and a["top_calls"]
    assert a["top_calls"][0]["source_file"] and "MAD" in doc["methods"]["anomalies"]
    s = doc["savings"]
    assert s["quality"] == "price only, quality not assessed"
    curve = doc["cost_curve"]
    assert len(curve) == 21 and D(curve[-1]["cost"]) == D(s["actual"])
    assert D(curve[0]["cost"]) == D(s["all_to_small"]["cost"])
    costs = [D(p["cost"]) for p in curve]
    assert costs == sorted(costs)
    rec = doc["reconciliation"]  # gateway logs (LiteLLM, Helicone) state what they billed
    assert rec is not None and rec["calls"] > 0
    assert D(rec["difference"]) == D(rec["billed"]) - D(rec["computed"])
    assert doc["sources"] and doc["quarantined_records"] >= 1


def test_default_month_follows_the_data_and_as_of(store: Path, no_scenarios: None) -> None:
    no_as_of = json.loads(run("--db", str(store), "report", "monthly", "--json").stdout)
    assert no_as_of["month"] == "2025-08"  # data through Aug 31: August is complete
    assert no_as_of["savings"] is None and "scenario engine unavailable" in no_as_of["notes"][0]
    july = json.loads(run("--db", str(store), "report", "monthly", "--as-of", "2025-08-15", "--json").stdout)
    assert july["month"] == "2025-07" and july["complete"] is True
    part = json.loads(
        run("--db", str(store), "report", "monthly", "--month", "2025-08", "--as-of", "2025-08-16", "--json").stdout
    )
    assert part["complete"] is False and part["headline"]["forecast"]["month"] == "2025-08"
    assert D(part["headline"]["forecast"]["amount"]) >= D(part["headline"]["total"]) * 0  # never negative
    assert part["data_through"] < "2025-08-16"


def test_savings_from_caching_and_batch_are_repriced_by_the_same_join() -> None:
    con = helpers.store()
    t = datetime(2025, 8, 5, 12, tzinfo=UTC)
    helpers.add_call(con, "claude-sonnet-4-20250514", t, input_uncached=1000, cache_read=1_000_000, output=1000)
    helpers.add_call(con, "gpt-4o-mini", t, input_uncached=1_000_000, service_tier="batch")
    m = monthly.build(con, helpers.table(), month="2025-08")
    # 1M cache-read tokens x ($3.00 input - $0.30 cache read) per 1M
    assert m.unit["cache_read_saved"] == Decimal("2.7")
    # gpt-4o-mini 1M input: $0.15 standard, $0.075 batch
    assert m.unit["batch_saved"] == Decimal("0.075") and m.unit["batch_cost"] == Decimal("0.075")
    assert m.headline["total"] == Decimal("0.393")


def test_budgets_alert_levels_and_strict_file(
    store: Path, doc: dict[str, Any], tmp_path: Path, no_scenarios: None
) -> None:
    total = D(doc["headline"]["total"])
    team = {r["value"]: D(r["cost"]) for r in doc["breakdowns"]["team"]}
    f = tmp_path / "budgets.toml"
    f.write_text(
        f'currency = "USD"\ntotal = "{total * D("1.1"):.2f}"\n[tags.team]\n'
        f'search = "{team["search"] / 2:.2f}"\nsupport = "{team["support"] * 100:.2f}"\n'
    )
    res = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "--budgets", str(f), "--json")
    assert res.exit_code == 0, res.output
    rows = {b["budget"]: b for b in json.loads(res.stdout)["budgets"]}
    assert rows["team=search"]["level"] == "over"  # actual = 2 x budget
    assert rows["team=support"]["level"] == "ok"  # 1% of its budget
    assert rows["total"]["level"] == "warn"  # actual = 91% of the budget
    assert D(rows["team=search"]["actual"]) == team["search"]
    assert budgets.level(Decimal(1), Decimal("8"), Decimal(10)) == "warn"
    for text, needle in (
        ('total = "1"\nteams = {}\n', "unknown key(s) teams"),
        ("total = 12.5\n", "decimal string"),
        ('[tags.team]\nsearch = "-1"\n', "positive"),
        ('[tags.division]\nx = "1"\n', "no call carries the tag 'division'"),
        ('currency = "EUR"\ntotal = "1"\n', "in EUR, the report in USD"),
    ):
        f.write_text(text)
        bad = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "--budgets", str(f))
        assert bad.exit_code != 0 and "Error:" in said(bad) and needle in said(bad), (text, said(bad))


def test_currency_conversion_is_exact_and_stated(
    store: Path, doc: dict[str, Any], tmp_path: Path, no_scenarios: None
) -> None:
    rates = tmp_path / "fx.csv"
    rates.write_text(
        "date,currency,rate\n2025-08-29,EUR,0.9231\n2025-08-31,EUR,0.5\n2025-07-31,EUR,0.9\n"
        "2025-06-30,EUR,0.88\n2025-05-30,EUR,0.89\n2025-04-30,EUR,0.91\n2025-03-31,EUR,0.92\n2025-08-29,GBP,0.8\n"
    )
    res = run(
        "--db",
        str(store),
        "report",
        "monthly",
        "--as-of",
        AS_OF,
        "--currency",
        "EUR",
        "--fx-rates",
        str(rates),
        "--json",
    )
    assert res.exit_code == 0, res.output
    eur = json.loads(res.stdout)
    assert eur["currency"] == "EUR"
    # Aug 31 2025 is a Sunday: the last business day is Friday Aug 29
    aug = next(r for r in eur["fx"] if r["month"] == "2025-08")
    assert (aug["rate"], aug["rate_date"], aug["source"]) == ("0.9231", "2025-08-29", "fx.csv")
    total = D(eur["headline"]["total"])
    assert total == D(doc["headline"]["total"]) * D("0.9231")
    for rows in eur["breakdowns"].values():
        assert sum(D(r["cost"]) for r in rows) == total
    assert D(eur["headline"]["vs_previous_month"]["cost"]) == D(doc["headline"]["vs_previous_month"]["cost"]) * D("0.9")
    one = run(
        "--db", str(store), "report", "monthly", "--as-of", AS_OF, "--currency", "EUR", "--fx-rate", "0.5", "--json"
    )
    assert D(json.loads(one.stdout)["headline"]["total"]) == D(doc["headline"]["total"]) / 2
    rates.write_text("date,currency,rate,note\n2025-08-29,EUR,0.9,x\n")
    bad = run("--db", str(store), "report", "monthly", "--currency", "EUR", "--fx-rates", str(rates))
    assert bad.exit_code != 0 and "unknown: note" in said(bad)
    rates.write_text("date,currency,rate\n2025-08-29,EUR,zero\n")
    bad = run("--db", str(store), "report", "monthly", "--currency", "EUR", "--fx-rates", str(rates))
    assert bad.exit_code != 0 and "not a decimal number" in said(bad)
    rates.write_text("date,currency,rate\n2025-08-29,EUR,0.9\n")  # no rate for July: the trend needs it
    bad = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "--currency", "EUR", "--fx-rates", str(rates))
    assert bad.exit_code != 0 and "No EUR rate for 2025-07" in said(bad)
    with pytest.raises(fx.FxError, match="only apply"):
        fx.load("USD", rate="0.9")


def test_outputs_refuse_to_overwrite_and_leave_nothing_half_written(
    store: Path, tmp_path: Path, no_scenarios: None
) -> None:
    out = tmp_path / "report.html"
    ok = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "-o", str(out))
    assert ok.exit_code == 0, ok.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    again = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "-o", str(out))
    assert again.exit_code == 2 and "exists" in said(again) and "--force" in said(again)
    forced = run("--db", str(store), "report", "monthly", "--as-of", AS_OF, "-o", str(out), "--force")
    assert forced.exit_code == 0
    missing = run("--db", str(store), "report", "monthly", "-o", str(tmp_path / "nope" / "r.md"))
    assert missing.exit_code == 2 and "does not exist" in said(missing)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_bad_months_are_clear_errors(store: Path) -> None:
    empty = run("--db", str(store), "report", "monthly", "--month", "2025-11")
    assert empty.exit_code == 1 and "Error: No calls in 2025-11" in said(empty)
    bad = run("--db", str(store), "report", "monthly", "--month", "August")
    assert bad.exit_code == 2 and "expected YYYY-MM" in said(bad)
    con = helpers.store()
    helpers.add_call(con, "acme-unknown-model", datetime(2025, 8, 3, tzinfo=UTC), input_uncached=10, output=10)
    with pytest.raises(monthly.EmptyMonth, match="could be priced"):
        monthly.build(con, helpers.table(), month="2025-08")


def test_xlsx_has_typed_money_cells(built: Any, doc: dict[str, Any], tmp_path: Path) -> None:
    s, m = built
    out = pack.write(s.con, m, fx.Fx(), "xlsx", tmp_path / "report.xlsx", force=False)
    wb = openpyxl.load_workbook(out)
    assert {"Summary", "Daily", "By model", "By team", "Anomalies", "Sources"} <= set(wb.sheetnames)
    total = wb["Summary"]["B4"]
    assert total.data_type == "n" and "$" in total.number_format
    assert Decimal(str(total.value)) == D(doc["headline"]["total"])
    daily = wb["Daily"]
    head = [c.value for c in daily[1]]
    cost_col = head.index("cost (USD)")
    cells = [row[cost_col] for row in daily.iter_rows(min_row=2)]
    assert cells and all(c.data_type == "n" and "$" in c.number_format for c in cells)
    assert abs(sum(Decimal(str(c.value)) for c in cells) - D(doc["headline"]["total"])) < Decimal("1e-9")
    assert daily.tables and {"day", "provider", "model", "team"} <= set(head)


def test_terminal_and_markdown_render(built: Any, tmp_path: Path) -> None:
    from rich.console import Console

    _s, m = built
    console = Console(record=True, width=100, file=open(os.devnull, "w"))  # noqa: SIM115
    render_monthly.render(console, m)
    text = console.export_text()
    for needle in ("Total spend at least $", "By team", "Forecast 2025-09", "Anomalies", "Savings opportunity"):
        assert needle in text, needle
    md = pack.text(m, "md")
    assert md.startswith("# AI spend: 2025-08") and "| Team | calls | cost |" in md


def test_anomaly_detector_on_a_hand_made_series() -> None:
    from datetime import date, timedelta

    start = date(2025, 8, 1)
    rows = [
        {"day": start - timedelta(days=i), "value": "a", "calls": 1, "cost_usd": Decimal("1.0") + Decimal(i % 3) / 10}
        for i in range(1, 29)
    ]
    rows.append({"day": start + timedelta(days=2), "value": "a", "calls": 5, "cost_usd": Decimal("9")})
    found = anomalies.detect(rows, "team", start - timedelta(days=40), start, start + timedelta(days=5), Decimal(20))
    assert [(a.day, a.value) for a in found] == [(start + timedelta(days=2), "a")]
    assert found[0].median_usd == Decimal("1.1")


def test_report_help_has_an_example() -> None:
    res = run("report", "monthly", "--help")
    assert res.exit_code == 0 and "Example:" in res.stdout
    assert os.environ.get("AISPEND_DB")  # isolated by conftest


def test_a_month_is_a_lower_bound_when_only_a_usage_bucket_is_unpriced(tmp_path: Path, no_scenarios: None) -> None:
    """Every call priced, but an Anthropic usage-report bucket (no request count) for a model the table
    does not know: the month's total misses that bucket's cost, so it must say 'at least'."""
    from finops.store import open_store

    logs = tmp_path / "logs"
    logs.mkdir()
    call = {"id": "chatcmpl-m1", "object": "chat.completion", "created": 1752537600, "model": "gpt-4o-2024-08-06",
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}  # fmt: skip
    (logs / "calls.jsonl").write_text(json.dumps(call) + "\n")
    bucket = {"uncached_input_tokens": 500, "cache_creation": {"ephemeral_1h_input_tokens": 0,
              "ephemeral_5m_input_tokens": 0}, "cache_read_input_tokens": 0, "output_tokens": 50,
              "server_tool_use": {"web_search_requests": 0}, "api_key_id": None, "workspace_id": None,
              "model": "k3x9q2m7w1z4", "service_tier": "standard", "context_window": "0-200k"}  # fmt: skip
    report = {"data": [{"starting_at": "2025-07-15T00:00:00Z", "ending_at": "2025-07-16T00:00:00Z",
                        "results": [bucket]}], "has_more": False, "next_page": None}  # fmt: skip
    (logs / "usage_report.json").write_text(json.dumps(report))
    db = tmp_path / "s.duckdb"
    assert run("--db", str(db), "ingest", str(logs)).exit_code == 0
    s = open_store(db)
    try:
        m = monthly.build(s.con, s.prices, month="2025-07")
    finally:
        s.close()
    h = m.headline
    assert (h["calls"], h["unpriced_calls"], h["not_fully_priced"]) == (1, 0, 1)
    assert m.lower_bound
