"""Scenarios: every policy against hand-computed Decimal costs, quality models, bands, curve, projection."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from finops import scenario, simulate
from finops.cli import app
from finops.evals import EvalSample
from finops.scope import set_scope

from .conftest import SAMPLES
from .helpers import add_call, store, table

T = datetime(2025, 1, 15, tzinfo=UTC)  # gpt-4o-2024-08-06: 2.50 / 1.25 / 10; gpt-4o-mini: 0.15 / 0.075 / 0.60


def _store(tags: bool = False) -> Any:
    con = store()
    # complexity = prompt + 4 x output: B 4e6 > A 1e6 > C 5e5 > D 50
    add_call(con, "gpt-4o-2024-08-06", T, input_uncached=1_000_000, key="A")  # 2.50  -> 0.15
    add_call(con, "gpt-4o-2024-08-06", T, output=1_000_000, key="B")  # 10.00 -> 0.60
    add_call(con, "gpt-4o-2024-08-06", T, input_uncached=100_000, output=100_000, key="C")  # 1.25 -> 0.075
    add_call(con, "gpt-4o-2024-08-06", T, input_uncached=10, output=10, key="D")  # 0.000125 -> 0.0000075
    add_call(con, "gpt-4o-mini", T, input_uncached=1_000_000, key="S")  # already small: not in scope
    if tags:
        con.execute("update usage set tags = map {'team': 'a'} where dedupe_key in ('A', 'B')")
        con.execute("update usage set tags = map {'team': 'b'} where dedupe_key in ('C', 'D')")
    set_scope(con)
    return con


def _sc(policy: dict[str, Any], **extra: Any) -> scenario.Scenario:
    return scenario.parse({"name": "t", "policy": policy, **extra})


ACTUAL = Decimal("13.750125")
SMALL = Decimal("0.8250075")


@pytest.mark.parametrize(
    "policy,expected",
    [
        ({"kind": "all-to-small"}, SMALL),
        # keep 25% of 4 calls = B (most complex): 10 + 0.15 + 0.075 + 0.0000075
        ({"kind": "top-k", "keep": 0.25}, Decimal("10.2250075")),
        # keep by spend 80%: B (spend before 0) and A (10 < 11.0001) kept; C and D move
        ({"kind": "top-k", "keep": 0.8, "keep_by": "spend"}, Decimal("12.5750075")),
        ({"kind": "top-k", "keep": 0.0}, SMALL),
        ({"kind": "top-k", "keep": 1.0}, ACTUAL),
        # cascade: every call to the small model, 15% escalate and pay both: 0.8250075 + 0.15 x 13.750125
        ({"kind": "cascade", "escalation": {"value": 0.15}}, Decimal("2.88752625")),
        # a judge costing 10% of the small call: 1.1 x 0.8250075 + 0.15 x 13.750125
        ({"kind": "cascade", "escalation": {"value": 0.15}, "judge_cost": 0.1}, Decimal("2.97002700")),
        # advisor: 0.9 x small + 0.1 x frontier
        ({"kind": "advisor", "advisor_share": {"value": 0.1}}, Decimal("2.11751925")),
    ],
)
def test_policy_costs_are_exact(policy: dict[str, Any], expected: Decimal) -> None:
    con = _store()
    res = simulate.run(con, table(), _sc(policy), samples=50, projection=False)
    assert res.actual_usd == ACTUAL
    assert res.counterfactual_usd == expected
    assert res.savings_usd == ACTUAL - expected
    assert res.data.calls_in_scope == 4 and res.data.not_in_scope == 1


def test_per_tag_map_moves_only_mapped_teams() -> None:
    con = _store(tags=True)
    sc = _sc({"kind": "per-tag", "tag": "team", "targets": {"a": "gpt-4o-mini"}})
    res = simulate.run(con, table(), sc, samples=50, projection=False)
    assert res.data.calls_in_scope == 2  # team b has no target: not in scope
    assert res.actual_usd == Decimal("12.50") and res.counterfactual_usd == Decimal("0.75")


def test_cross_vendor_tokenizer_ratio_and_cold_cache() -> None:
    con = store()
    add_call(con, "claude-3-5-sonnet-20241022", T, input_uncached=1_160_000, cache_read=116_000, key="X")
    set_scope(con)
    sc = _sc({"kind": "all-to-small"}, substitution={"claude-3-5-sonnet": "gpt-4o-mini"})
    res = simulate.run(con, table(), sc, samples=50, projection=False)
    (pair,) = res.data.pairs
    assert pair.cold and pair.tau == pytest.approx(1 / 1.16)
    # Claude tokens -> OpenAI tokens: (1,160,000 + 116,000 cold cache) / 1.16 = 1,100,000 uncached at 0.15
    assert res.counterfactual_usd == Decimal("0.165")
    # actual: 1.16M x 3 + 116k x 0.30 = 3.48 + 0.0348
    assert res.actual_usd == Decimal("3.5148")
    assert res.sensitivity[0]["parameter"] == "tokenizer ratio"  # no output tokens: verbosity cannot matter


def test_target_without_price_at_the_call_date_stays_with_a_warning() -> None:
    con = store()
    add_call(con, "gpt-4o-2024-05-13", datetime(2024, 6, 1, tzinfo=UTC), input_uncached=1000, key="early")
    set_scope(con)
    res = simulate.run(con, table(), _sc({"kind": "all-to-small"}), samples=20, projection=False)
    assert res.counterfactual_usd == res.actual_usd  # gpt-4o-mini launched 2024-07-18
    assert any("no price at their date" in w for w in res.warnings)


def test_bad_scenarios_name_the_field_and_value() -> None:
    with pytest.raises(scenario.ScenarioError, match=r"policy.keep.*1.5"):
        _sc({"kind": "top-k", "keep": 1.5})
    with pytest.raises(scenario.ScenarioError, match="per-tag policy needs"):
        _sc({"kind": "per-tag"})
    con = _store()
    sc = _sc({"kind": "all-to-small"}, substitution={"gpt-4o-2024-08-06": "gpt-9-nano"})
    with pytest.raises(scenario.ScenarioError, match=r"substitution.gpt-4o-2024-08-06 = 'gpt-9-nano'"):
        simulate.run(con, table(), sc, samples=20)
    with pytest.raises(scenario.ScenarioError, match="colour: Extra inputs are not permitted"):
        scenario.parse({"name": "x", "policy": {"kind": "all-to-small"}, "colour": "red"})


# ------------------------------------------------------------------ quality


@pytest.mark.parametrize("apgr,expected", [(0.5, 0.880), (0.6, 0.8925), (0.7, 0.9108), (0.8, 0.9386)])
def test_q2_routing_curve_matches_the_reference_examples(apgr: float, expected: float) -> None:
    # routing.md §9.4: at s = 0.2, r = 0.85 -> 0.880 (APGR 0.5), 0.893 (0.6), 0.911 (0.7), 0.939 (0.8)
    assert simulate.retention_q2(0.85, apgr, 0.2) == pytest.approx(expected, abs=5e-4)


def test_q2_random_router_is_linear() -> None:
    for r, s in itertools.product((0.6, 0.84, 0.95), (0.0, 0.2, 0.5, 1.0)):
        assert simulate.retention_q2(r, 0.5, s) == pytest.approx(r + s * (1 - r))


def _sample(orig: list[float], cand: list[float], roles: list[str], kind: str = "top-k") -> EvalSample:
    return EvalSample(
        path="x",
        orig=np.array(orig),
        cand=np.array(cand),
        role=np.array(roles),
        tags=[None] * len(orig),
        tag_key=None,
        kind=kind,
        rows=2 * len(orig),
        matched_ids=len(orig),
        unmatched_ids=0,
        incomplete=0,
    )


def test_q4_all_to_small_is_mean_small_over_mean_original() -> None:
    ev = _sample([1.0, 0.8, 0.6, 0.9], [0.9, 0.8, 0.3, 0.9], ["moved"] * 4)
    assert ev.all_to_small() == pytest.approx(2.9 / 3.3)
    assert ev.policy_retention(0.0, 0.0) == pytest.approx(2.9 / 3.3)


def test_q4_random_policy_keeping_share_s_retains_r_plus_s_times_1_minus_r() -> None:
    orig, cand = [1.0, 0.8, 0.6, 0.9, 0.7], [0.9, 0.8, 0.3, 0.9, 0.1]
    r = sum(cand) / sum(orig)
    n = len(orig)
    for k in range(n + 1):  # every subset of k kept calls: the exact expectation of random routing
        vals = []
        for kept in itertools.combinations(range(n), k):
            roles = ["kept" if i in kept else "moved" for i in range(n)]
            vals.append(_sample(orig, cand, roles).policy_retention(0.0, 0.0))
        s = k / n
        assert sum(vals) / len(vals) == pytest.approx(r + s * (1 - r))


def test_q4_oracle_upper_bound_moves_the_cheapest_losses() -> None:
    # two calls move; losses are 0.1, 0, 0.3, 0 -> the oracle moves the two zero-loss calls
    ev = _sample([1.0, 0.8, 0.6, 0.9], [0.9, 0.8, 0.3, 0.9], ["moved", "moved", "kept", "kept"])
    assert ev.oracle() == pytest.approx(1.0)
    assert ev.policy_retention(0.0, 0.0) == pytest.approx((0.9 + 0.8 + 0.6 + 0.9) / 3.3)


def _evals_file(tmp_path: Path, rows: list[tuple[str, str, Any]]) -> Path:
    p = tmp_path / "evals.csv"
    p.write_text("request_id,model,score\n" + "\n".join(f"{a},{b},{c}" for a, b, c in rows) + "\n")
    return p


def test_q4_from_file_end_to_end(tmp_path: Path) -> None:
    con = _store()
    rows = []
    for key, o, c in (("A", 0.9, 0.9), ("B", 0.8, 0.85), ("C", 0.7, 0.7), ("D", 1.0, 1.0)):
        rows += [(key, "gpt-4o-2024-08-06", o), (key, "gpt-4o-mini-2024-07-18", c)]
    rows.append(("ZZZ", "gpt-4o", 0.5))  # matches no call: a warning with counts
    res = simulate.run(
        con,
        table(),
        _sc({"kind": "all-to-small"}),
        evals_path=_evals_file(tmp_path, rows),
        samples=200,
        projection=False,
    )
    assert res.evals is not None and res.evals["pairs"] == 4 and res.evals["unmatched_request_ids"] == 1
    assert res.evals["retention_all_to_small"] == f"{(0.9 + 0.85 + 0.7 + 1.0) / (0.9 + 0.8 + 0.7 + 1.0):.6f}"
    assert "no measurable quality loss" in res.quality_note  # every candidate >= original: band reaches 1.0


def test_q4_loss_is_reported_as_loss(tmp_path: Path) -> None:
    con = _store()
    rows = []
    for key in "ABCD":
        rows += [(key, "gpt-4o-2024-08-06", 0.9), (key, "gpt-4o-mini", 0.5)]
    res = simulate.run(
        con,
        table(),
        _sc({"kind": "all-to-small"}),
        evals_path=_evals_file(tmp_path, rows),
        samples=100,
        projection=False,
    )
    assert "quality loss measured" in res.quality_note
    assert res.quality["p90"] is not None and res.quality["p90"] < 1.0


def test_evals_bad_input(tmp_path: Path) -> None:
    con = _store()
    sc = _sc({"kind": "all-to-small"})
    bad = _evals_file(tmp_path, [("A", "gpt-4o-2024-08-06", 0.9), ("A", "gpt-4o-mini", 1.5)])
    with pytest.raises(scenario.ScenarioError, match=r"evals.csv:3: score = 1.5 is outside \[0, 1\]"):
        simulate.run(con, table(), sc, evals_path=bad, samples=20)
    none = _evals_file(tmp_path, [("nope", "gpt-4o", 0.9)])
    with pytest.raises(scenario.ScenarioError, match="none of its 1 request_id"):
        simulate.run(con, table(), sc, evals_path=none, samples=20)
    q4 = _sc({"kind": "all-to-small"}, quality={"model": "Q4"})
    with pytest.raises(scenario.ScenarioError, match="needs a paired evaluation file"):
        simulate.run(con, table(), q4, samples=20)


def test_price_only_never_claims_quality() -> None:
    con = _store()
    res = simulate.run(con, table(), _sc({"kind": "all-to-small"}), samples=20, projection=False)
    assert res.quality == {"p10": None, "p50": None, "p90": None}
    assert res.quality_note.startswith("Q0 price only")


# ------------------------------------------------------------------ bands, curve, projection


def test_runs_are_seeded_and_bands_bracket_the_exact_value() -> None:
    sc = scenario.preset("armstrong-80-20")
    a = simulate.run(_store(), table(), sc, samples=200, projection=False)
    b = simulate.run(_store(), table(), sc, samples=200, projection=False)
    assert a.savings == b.savings and a.quality == b.quality
    assert a.savings["p10"] <= a.savings["p50"] <= a.savings["p90"]
    q = a.quality
    assert q["p10"] is not None and q["p90"] is not None and q["p10"] <= q["p90"] <= 1.0


def test_cost_curve_ends_at_today_and_at_all_to_small() -> None:
    res = simulate.run(_store(), table(), _sc({"kind": "all-to-small"}), samples=20, projection=False)
    first, last = res.curve[0], res.curve[-1]
    assert first["share_kept"] == 0 and first["cost_usd"] == SMALL
    assert last["share_kept"] == 1 and last["cost_usd"] == ACTUAL and last["cost_ratio"] == 1
    ratios = [p["cost_ratio"] for p in res.curve]
    assert ratios == sorted(ratios)  # keeping more on the frontier never costs less
    assert res.markers["naive_80_20"]["cost_ratio"] == "0.208"


def _monthly_store(months: list[tuple[int, int]]) -> Any:
    con = store()
    for i, (month, tokens) in enumerate(months):
        add_call(con, "gpt-4o-2024-08-06", datetime(2025, month, 10, tzinfo=UTC), input_uncached=tokens, key=f"m{i}")
    set_scope(con)
    return con


def test_projection_refuses_short_history_without_growth() -> None:
    con = _monthly_store([(1, 400_000), (2, 800_000)])
    with pytest.raises(scenario.ScenarioError, match="fewer than 3"):
        simulate.run(con, table(), _sc({"kind": "all-to-small"}), samples=20)
    res = simulate.run(con, table(), _sc({"kind": "all-to-small"}), samples=20, growth=0.10, horizon=3)
    base = [m["baseline_usd"] for m in res.projection["months"]]
    # last month 0.8M tokens x 2.50 = $2.00, growing 10% a month
    assert base == [Decimal("2.20"), Decimal("2.42"), Decimal("2.66")]
    assert "stated growth" in res.projection["method"]


def test_projection_linear_trend_and_ramp() -> None:
    con = _monthly_store([(1, 400_000), (2, 800_000), (3, 1_200_000)])  # $1, $2, $3
    sc = _sc({"kind": "all-to-small"}, projection={"horizon": 4, "ramp_months": 2})
    res = simulate.run(con, table(), sc, samples=20)
    months = res.projection["months"]
    assert [m["month"] for m in months] == ["2025-04", "2025-05", "2025-06", "2025-07"]
    assert [m["baseline_usd"] for m in months] == [Decimal("4.00"), Decimal("5.00"), Decimal("6.00"), Decimal("7.00")]
    assert [m["adoption"] for m in months] == [0.5, 1.0, 1.0, 1.0]
    # all-to-small on gpt-4o -> mini input: ratio 0.15 / 2.50 = 0.06; month 1 saves 4 x 0.5 x 0.94
    assert months[0]["savings_usd"]["p50"] == Decimal("1.88")
    assert months[-1]["cumulative_savings_usd"]["p50"] == sum(m["savings_usd"]["p50"] for m in months)


# ------------------------------------------------------------------ CLI

runner = CliRunner()


def test_cli_simulate_preset_prints_curve_band_and_projection(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    res = runner.invoke(
        app, ["--db", db, "simulate", str(SAMPLES), "--preset", "armstrong-80-20"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    for needle in (
        "Scenario armstrong-80-20",
        "Cost curve",
        "P10",
        "P90",
        "Projection",
        "Sensitivity",
        "Q2 routing curve",
        "naive 80/20 = 0.208",
        "Harvey point",
    ):
        assert needle in res.stdout, needle
    doc = json.loads(runner.invoke(app, ["--db", db, "simulate", "--json", "--samples", "50"]).stdout)
    names = [s["scenario"] for s in doc["scenarios"]]
    assert names == ["advisor", "all-to-small", "armstrong-80-20", "cascade"]
    for s in doc["scenarios"]:
        for key in (
            "scenario",
            "policy",
            "quality_model",
            "calls_in_scope",
            "calls_moved",
            "share_calls_moved",
            "share_spend_moved",
            "cost_actual_usd",
            "cost_counterfactual_usd",
            "cost_ratio",
            "savings_usd",
            "quality_retained",
            "curve",
            "projection",
        ):
            assert key in s, key
        assert set(s["savings_usd"]) >= {"p10", "p50", "p90"} and len(s["curve"]) == 101
        assert len(s["projection"]["months"]) == 18
        assert Decimal(s["cost_actual_usd"]) - Decimal(s["cost_counterfactual_usd"]) == Decimal(
            s["savings_usd"]["exact"]
        )
    listed = runner.invoke(app, ["simulate", "--list"]).stdout
    assert all(n in listed for n in names)


def test_q1_retention_prior_per_tag() -> None:
    con = _store(tags=True)
    sc = _sc(
        {"kind": "all-to-small"},
        quality={"model": "Q1", "tag": "team", "retention": {"value": 0.8}, "retention_by_tag": {"a": 0.9, "b": 0.5}},
    )
    res = simulate.run(con, table(), sc, samples=20, projection=False)
    # every call moves: 1 - (2 x (1 - 0.9) + 2 x (1 - 0.5)) / 4 = 0.7
    assert res.quality["p50"] == pytest.approx(0.7)


def test_tag_prior_in_the_complexity_score_changes_who_stays() -> None:
    con = _store(tags=True)
    sc = _sc({"kind": "top-k", "keep": 0.5}, complexity={"tag": "team", "tag_priors": {"b": 1e9}})
    res = simulate.run(con, table(), sc, samples=20, projection=False)
    # team b (C, D) now ranks most complex and stays: 1.25 + 0.000125 + A and B on mini (0.15 + 0.60)
    assert res.counterfactual_usd == Decimal("2.000125")


def test_curve_at_the_policy_share_equals_the_top_k_policy() -> None:
    con = store()
    for i in range(7):  # 7 calls: keep 20% -> round(1.4) = 1 call, the curve must agree
        add_call(con, "gpt-4o-2024-08-06", T, input_uncached=1000 * (i + 1), output=100 * i, key=f"k{i}")
    set_scope(con)
    res = simulate.run(con, table(), _sc({"kind": "top-k", "keep": 0.2}), samples=20, projection=False)
    at20 = next(p for p in res.curve if p["share_kept"] == Decimal("0.2"))
    assert at20["cost_usd"] == res.counterfactual_usd
    assert res.calls_moved == 6
