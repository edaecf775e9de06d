"""`aispend reconcile`: computed against billed cost, with hand-computed variances and reasons.

gpt-4o-mini list rates (pricing/openai.toml): input 0.15, cached input 0.075, output 0.60 USD per 1M tokens.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from typer.testing import CliRunner

from finops import db, pricing
from finops.cli import app
from finops.reconcile import reconcile, to_json
from finops.scope import set_scope

from .conftest import SAMPLES

MINI = "gpt-4o-mini-2024-07-18"
D = Decimal
_TABLE: pricing.PriceTable | None = None


def _store() -> duckdb.DuckDBPyConnection:
    global _TABLE
    if _TABLE is None:
        _TABLE = pricing.load(None)
    con = db.connect(":memory:")
    pricing.install(con, _TABLE)
    db.create_views(con)
    return con


def _add(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    day: int,
    model: str = MINI,
    *,
    month: int = 6,
    requests: int | None = None,
    input_uncached: int = 0,
    cache_read: int = 0,
    output: int = 0,
    reported: str | None = None,
    provider: str = "openai",
    platform: str = "openai",
    tier: str = "standard",
) -> None:
    n = con.execute("select count(*) from usage").fetchone()
    key = f"t:{n[0] if n else 0}"
    con.execute(
        """insert into usage by name
           select $key as dedupe_key, $kind as record_kind, $requests as request_count, $ts as ts,
                  'record' as ts_source, $provider as provider, $platform as platform, $model as model_raw,
                  lower($model) as model, $iu as input_uncached, $cr as cache_read, 0 as cache_write_5m,
                  0 as cache_write_1h, $out as output, 0 as reasoning, 0 as web_searches, $tier as service_tier,
                  cast($reported as decimal(38, 12)) as reported_cost, 'test' as source_file, 1 as source_line,
                  'test' as format, 1 as run_id""",
        {
            "key": key,
            "kind": kind,
            "requests": requests if requests is not None else (1 if kind == "call" else 0),
            "ts": datetime(2025, month, day, 12, tzinfo=UTC),
            "provider": provider,
            "platform": platform,
            "model": model,
            "iu": input_uncached,
            "cr": cache_read,
            "out": output,
            "tier": tier,
            "reported": reported,
        },
    )


def _reasons(line: Any) -> dict[str, Decimal | None]:
    return {r.code: r.amount_usd for r in line.reasons}


def test_billing_export_month_variance_and_reasons() -> None:
    con = _store()
    # June 2: two logged calls (1M input each: $0.15 + $0.15); the usage export saw 3 requests (3M input:
    # $0.45); the Costs API billed that at 10% off: $0.405
    _add(con, "call", 2, input_uncached=1_000_000)
    _add(con, "call", 2, input_uncached=1_000_000)
    _add(con, "bucket", 2, requests=3, input_uncached=3_000_000)
    _add(con, "cost", 2, reported="0.405")
    # June 3: a logged call (1M output: $0.60), nothing billed yet
    _add(con, "call", 3, output=1_000_000)
    # June 4: billed $1.00, no calls in the logs at all
    _add(con, "cost", 4, reported="1.00")
    rec = reconcile(con, "test")
    (line,) = rec.lines
    assert (line.provider, line.platform, line.month) == ("openai", "openai", "2025-06")
    assert line.computed_usd == D("0.90")  # 0.30 (June 2 calls) + 0.60 (June 3)
    assert line.billed_usd == D("1.405") and line.billed_source == "billing export"
    assert line.variance_usd == D("0.505")
    assert line.variance_pct == D("56.11")  # of computed
    assert _reasons(line) == {
        "missing_calls": D("1.00"),  # billed on June 4, no calls
        "export_more_usage": D("0.15"),  # June 2: the export holds one more request than the logs
        "unbilled_usage": D("-0.60"),  # June 3 is not in the billing export
        "rates": D("-0.045"),  # the rest: 10% below list on the $0.45 both describe
    }
    assert line.explained_usd == line.variance_usd
    rates = next(r for r in line.reasons if r.code == "rates")
    assert "10.00% below" in rates.message
    gap = next(r for r in line.reasons if r.code == "export_more_usage")
    assert "1 more requests" in gap.message and "calls missing from the logs" in gap.message
    # per model, on the billed days only (June 2 and 4)
    (m,) = line.models
    assert (m.model, m.computed_usd, m.billed_usd, m.variance_usd) == ("gpt-4o-mini", D("0.30"), D("1.405"), D("1.105"))
    doc = to_json(rec)
    jl = doc["lines"][0]
    assert jl["variance_usd"] == "0.5050000000000000" and jl["variance_pct"] == "56.11"
    assert isinstance(jl["billed_usd"], str) and doc["totals"]["variance_usd"] == jl["variance_usd"]
    assert [r["amount_usd"] for r in jl["reasons"]] == [
        "1.000000000000",
        "0.1500000000000000",
        "-0.6000000000000000",
        "-0.0450000000000000",
    ]


def test_reported_cost_on_calls_when_no_billing_export() -> None:
    con = _store()
    # July: a gateway call that reports its cost ($0.20 against $0.15 computed), and a call that reports none
    _add(con, "call", 1, month=7, input_uncached=1_000_000, reported="0.20", platform="openrouter")
    _add(con, "call", 2, month=7, output=1_000_000, platform="openrouter")
    (line,) = reconcile(con, "test").lines
    assert line.billed_source == "reported on calls"
    assert (line.computed_usd, line.billed_usd, line.variance_usd) == (D("0.75"), D("0.20"), D("-0.55"))
    assert _reasons(line) == {"reported_differs": D("0.05"), "unreported_usage": D("-0.60")}
    assert line.explained_usd == line.variance_usd


def test_unpriced_tier_and_no_billed_reasons() -> None:
    con = _store()
    _add(con, "call", 5, model="acme-private-model", input_uncached=1000)
    _add(con, "call", 5, input_uncached=1_000_000, tier="reserved-capacity")
    _add(con, "cost", 5, reported="0.50")
    _add(
        con,
        "call",
        6,
        month=8,
        input_uncached=1000,
        provider="anthropic",
        platform="anthropic",
        model="claude-3-5-haiku-20241022",
    )
    status = dict(con.execute("select model_raw, price_status from priced_usage where record_kind = 'call'").fetchall())
    assert status["acme-private-model"] == "unpriced_model"
    assert status[MINI] == "tier_not_in_table"
    rec = reconcile(con, "test")
    june = next(x for x in rec.lines if x.month == "2025-06")
    codes = _reasons(june)
    assert codes["unpriced_models"] is None and codes["tier_not_in_table"] is None
    assert "acme-private-model" in next(r.message for r in june.reasons if r.code == "unpriced_models")
    assert "reserved-capacity" in next(r.message for r in june.reasons if r.code == "tier_not_in_table")
    aug = next(x for x in rec.lines if x.month == "2025-08")
    assert aug.billed_usd is None and aug.variance_usd is None and _reasons(aug) == {"no_billed": None}
    assert rec.totals["billed_usd"] == D("0.50")  # months without a billed figure are left out of the totals


def test_anthropic_cents_reconcile_exactly(tmp_path: Path) -> None:
    """The cost report's '15.00' is 15 cents: 1M haiku-3.5 input tokens at $0.80 would be 80 cents."""
    con = _store()
    _add(
        con,
        "call",
        14,
        month=7,
        provider="anthropic",
        platform="anthropic",
        model="claude-3-5-haiku-20241022",
        input_uncached=187_500,
    )  # 187,500 x 0.80 / 1M = $0.15
    report = {
        "data": [
            {
                "starting_at": "2025-07-14T00:00:00Z",
                "ending_at": "2025-07-15T00:00:00Z",
                "results": [
                    {
                        "currency": "USD",
                        "amount": "15.00",
                        "model": "claude-3-5-haiku-20241022",
                        "cost_type": "tokens",
                        "description": "Claude Haiku 3.5 Usage - Input Tokens",
                        "token_type": "uncached_input_tokens",
                    }
                ],
            }
        ]
    }
    path = tmp_path / "cost_report.json"
    path.write_text(json.dumps(report))
    from finops.ingest import ingest

    ingest(con, [path])
    (line,) = reconcile(con, "test").lines
    assert (line.computed_usd, line.billed_usd, line.variance_usd) == (D("0.15"), D("0.15"), D("0"))
    assert line.reasons == []


def test_overlapping_sources_count_once_in_reports_but_all_reconcile() -> None:
    con = _store()
    _add(con, "call", 2, input_uncached=1_000_000)
    _add(con, "bucket", 2, requests=3, input_uncached=3_000_000)
    _add(con, "cost", 2, reported="0.405")
    _add(con, "bucket", 3, requests=2, output=1_000_000)  # no calls that day: the bucket counts
    _add(con, "cost", 4, reported="1.00")  # nothing finer that day: the billed line counts
    set_scope(con)
    rows = con.execute(
        "select record_kind, cost_usd, price_status from scoped_usage order by ts, record_kind"
    ).fetchall()
    assert rows == [("call", D("0.15"), "priced"), ("bucket", D("0.60"), "priced"), ("cost", D("1.00"), "billed_line")]
    total = con.execute("select sum(cost_usd), sum(request_count) from scoped_usage").fetchone()
    assert total == (D("1.75"), 3)
    (line,) = reconcile(con, "test").lines
    assert line.computed_usd == D("0.75")  # June 2 calls + June 3 bucket
    assert line.billed_usd == D("1.405")


def test_reconcile_cli_json_on_the_samples(tmp_path: Path, manifest: dict[str, Any]) -> None:
    runner = CliRunner()
    res = runner.invoke(
        app,
        ["--db", str(tmp_path / "s.duckdb"), "reconcile", str(SAMPLES / "openai"), "--json"],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    june = next(x for x in doc["lines"] if x["month"] == "2025-06" and x["platform"] == "openai")
    assert june["billed_source"] == "billing export"
    assert D(june["billed_usd"]) == D(manifest["aggregates"]["openai/costs_api_2025-06-01_14.json"]["billed_usd"])
    codes = {r["code"] for r in june["reasons"]}
    assert {"export_more_usage", "unbilled_usage", "rates"} <= codes
    assert sum(D(r["amount_usd"]) for r in june["reasons"] if r["amount_usd"] is not None) == D(june["variance_usd"])
    rates = next(r for r in june["reasons"] if r["code"] == "rates")
    assert "10.00% below" in rates["message"]  # the sample's negotiated discount
    text = runner.invoke(app, ["--db", str(tmp_path / "s.duckdb"), "reconcile"], catch_exceptions=False)
    assert "billing export" in text.stdout and "calls missing from the logs" in text.stdout
    assert runner.invoke(app, ["reconcile", "--help"]).stdout.count("Example:") == 1


def test_logs_with_more_usage_than_the_export() -> None:
    con = _store()
    _add(con, "call", 2, input_uncached=1_000_000)  # $0.15
    _add(con, "call", 2, input_uncached=1_000_000)  # $0.15: this one's key is not in the export
    _add(con, "bucket", 2, requests=1, input_uncached=1_000_000)
    _add(con, "cost", 2, reported="0.15")
    (line,) = reconcile(con, "test").lines
    assert (line.computed_usd, line.billed_usd, line.variance_usd) == (D("0.30"), D("0.15"), D("-0.15"))
    assert _reasons(line) == {"export_less_usage": D("-0.15")}
    assert "1 more calls" in line.reasons[0].message


def test_byok_calls_are_explained_apart_from_the_gateways_price() -> None:
    """OpenRouter BYOK (usage.is_byok, tag byok=true): usage.cost is OpenRouter's fee only, the provider bills
    the tokens to the caller's own key (OpenRouter usage-accounting docs). The variance they make is its own
    reason, not 'the gateway's own price map'; the reasons still add up to the variance."""
    con = _store()
    _add(con, "call", 1, month=7, input_uncached=1_000_000, reported="0.20", platform="openrouter")
    # BYOK: $0.60 of output at list price, OpenRouter reports its 5% fee
    _add(con, "call", 2, month=7, output=1_000_000, reported="0.03", platform="openrouter")
    con.execute("update usage set tags = map {'byok': 'true'} where dedupe_key = 't:1'")
    (line,) = reconcile(con, "test").lines
    assert (line.computed_usd, line.billed_usd) == (D("0.75"), D("0.23"))
    assert _reasons(line) == {"reported_differs": D("0.05"), "byok": D("-0.57")}
    assert line.explained_usd == line.variance_usd == D("-0.52")
    (byok,) = [r for r in line.reasons if r.code == "byok"]
    assert "1 call(s) ran on your own provider key" in byok.message and "$0.03" in byok.message
