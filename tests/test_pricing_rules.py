"""Billing rules of issue 6, priced through the real SQL path (usage → resolved_usage → priced_usage).

Every expected cost is computed BY HAND here from the rates in pricing/*.toml (each case names them), never
by our code. Rates are USD per 1M tokens. Covers: time-of-day windows in the provider's zone (DeepSeek 2025
off-peak across UTC midnight; 2026 Beijing peak windows, the weekday rule's start), fast mode, priority and
flex (factors, explicit rates, per-bucket factors, explicit long-context rates), platform prices (Bedrock
global vs regional, Azure, Vertex, OpenRouter), contracts (discount, committed rate, precedence, credits),
and bad input (windows, platforms, contracts).
"""

from __future__ import annotations

import shutil
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finops import db, pricing
from finops.errors import PriceFileError
from tests.helpers import ROOT, add_call, price, store, table

D = Decimal
M = 1_000_000


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def priced(model: str, at: str, **kw: Any) -> tuple[Decimal | None, str, str | None]:
    return price(model, ts(at), **kw)


def row(con: Any, key: str, cols: str = "cost_usd, price_status, price_model") -> tuple[Any, ...]:
    r = con.execute(f"select {cols} from priced_usage where dedupe_key = ?", [key]).fetchone()
    assert r is not None
    return tuple(r)


# ------------------------------------------------------------------ DeepSeek 2025: off-peak 16:30-00:30 UTC daily
# deepseek-chat standard 0.27 / 0.07 / 1.10, off-peak 0.135 / 0.035 / 0.55 (from 2025-02-26T16:30Z)
# 1M in + 1M out: standard 0.27 + 1.10 = 1.37; off-peak 0.135 + 0.55 = 0.685
ONE_AND_ONE = {"input_uncached": M, "output": M}

WINDOW_2025 = [
    ("before-the-discount-existed", "2025-02-26T16:29:59", "1.37"),
    ("first-off-peak-second", "2025-02-26T16:30:00", "0.685"),
    ("tail-before-the-start-is-not-off-peak", "2025-02-26T00:10:00", "1.37"),
    ("last-standard-second", "2025-03-03T16:29:59", "1.37"),
    ("off-peak-evening", "2025-03-03T20:00:00", "0.685"),
    ("after-utc-midnight-still-off-peak", "2025-03-04T00:29:59", "0.685"),
    ("off-peak-ends-00-30", "2025-03-04T00:30:00", "1.37"),
    ("saturday-is-the-same", "2025-03-08T23:00:00", "0.685"),
    # V3.1: 0.56 / 0.07 / 1.68 from 2025-09-05T16:00Z, night discount cancelled: 0.56 + 1.68 = 2.24
    ("last-second-before-v31", "2025-09-05T15:59:59", "1.37"),
    ("v31-no-night-discount", "2025-09-05T20:00:00", "2.24"),
    # V3.2 from 2025-09-29: 0.28 + 0.42 = 0.70
    ("v32", "2025-10-01T20:00:00", "0.70"),
]


@pytest.mark.parametrize(("at", "expected"), [pytest.param(a, e, id=i) for i, a, e in WINDOW_2025])
def test_deepseek_2025_off_peak_window(at: str, expected: str) -> None:
    cost, status, model = priced("deepseek-chat", at, **ONE_AND_ONE)
    assert (cost, status, model) == (D(expected), "priced", "deepseek-chat")


def test_deepseek_reasoner_off_peak_is_75_percent() -> None:
    # R1 0.55 / 0.14 / 2.19, off-peak 0.135 / 0.035 / 0.55
    # 100k in + 200k cached + 50k out, standard: 55,000 + 28,000 + 109,500 = 192,500 → 0.1925
    kw = {"input_uncached": 100_000, "cache_read": 200_000, "output": 50_000}
    assert priced("deepseek-reasoner", "2025-05-05T10:00:00", **kw)[0] == D("0.1925")
    # off-peak: 13,500 + 7,000 + 27,500 = 48,000 → 0.048
    assert priced("deepseek-reasoner", "2025-05-05T22:00:00", **kw)[0] == D("0.048")


# ------------------------------------------------------------------ DeepSeek 2026: peak windows in Beijing time
# deepseek-v4-flash from 2026-08-16T16:00Z: off-peak 0.22 / 0.007 / 0.66; peak (09-12, 14-18 Asia/Shanghai =
# 01-04, 06-10 UTC) 0.44 / 0.014 / 1.32. Every day until 2026-08-22T16:00Z (= 2026-08-23 00:00 Beijing), then
# Monday-Friday only. 1M + 1M: off-peak 0.88, peak 1.76. V4.1 from 2026-09-10: 0.15 / 0.60 (0.75), peak 1.50.
WINDOW_2026 = [
    ("flat-before-peak-pricing", "2026-08-16T03:00:00", "0.42"),  # 0.14 + 0.28, before 2026-08-16T16:00Z
    ("thu-08-59-beijing-off-peak", "2026-08-20T00:59:59", "0.88"),
    ("thu-09-00-beijing-peak", "2026-08-20T01:00:00", "1.76"),
    ("thu-11-59-beijing-peak", "2026-08-20T03:59:59", "1.76"),
    ("thu-12-00-beijing-off-peak", "2026-08-20T04:00:00", "0.88"),
    ("thu-14-00-beijing-peak", "2026-08-20T06:00:00", "1.76"),
    ("thu-18-00-beijing-off-peak", "2026-08-20T10:00:00", "0.88"),
    ("sat-before-weekday-rule-peak", "2026-08-22T03:00:00", "1.76"),
    ("sun-09-00-beijing-after-rule-off-peak", "2026-08-23T01:00:00", "0.88"),
    ("mon-09-00-beijing-peak", "2026-08-24T01:00:00", "1.76"),
    ("sun-v41-off-peak", "2026-09-13T03:00:00", "0.75"),
    ("mon-v41-peak", "2026-09-14T01:00:00", "1.50"),
    ("fri-v41-18-00-beijing", "2026-09-18T10:00:00", "0.75"),
]


@pytest.mark.parametrize(("at", "expected"), [pytest.param(a, e, id=i) for i, a, e in WINDOW_2026])
def test_deepseek_2026_peak_windows(at: str, expected: str) -> None:
    cost, status, _ = priced("deepseek-v4-flash", at, **ONE_AND_ONE)
    assert (cost, status) == (D(expected), "priced")


def test_deepseek_v4_pro_peak_with_cache() -> None:
    # peak 1.32 / 0.044 / 3.96: 100,000 × 1.32 + 1,000,000 × 0.044 + 10,000 × 3.96
    # = 132,000 + 44,000 + 39,600 = 215,600 → 0.2156
    kw = {"input_uncached": 100_000, "cache_read": M, "output": 10_000}
    assert priced("deepseek-v4-pro", "2026-09-14T02:00:00", **kw)[0] == D("0.2156")
    # off-peak 0.66 / 0.022 / 1.98: 66,000 + 22,000 + 19,800 = 107,800 → 0.1078
    assert priced("deepseek-v4-pro", "2026-09-14T12:00:00", **kw)[0] == D("0.1078")


def test_window_id_and_retirement() -> None:
    con = store()
    k1 = add_call(con, "deepseek-v4-flash", ts("2026-09-14T01:00:00"), input_uncached=1)
    k2 = add_call(con, "deepseek-v4-flash", ts("2026-09-13T01:00:00"), input_uncached=1)
    k3 = add_call(con, "deepseek-chat", ts("2026-07-24T16:00:00"), input_uncached=1)  # retired
    assert row(con, k1, "price_window")[0] == "deepseek-v41-flash-peak"
    assert row(con, k2, "price_window")[0] is None
    assert row(con, k3, "price_status")[0] == "no_price_at_date"


# ------------------------------------------------------------------ a window across local midnight, weekday rule

ACME = """
provider = "acme"

[sources.s]
url = "https://acme.example/pricing"

[[models]]
id = "acme-one"
name = "Acme One"

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  source = "s"
  confidence = "A"
  input = "1"
  output = "2"

    [[models.periods.windows]]
    name = "late"
    tz = "Asia/Shanghai"
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    times = ["22:00-02:00"]
    from = 2025-06-01T00:00:00Z
    factor = "0.5"
"""


def acme_dir(tmp_path: Path, text: str = ACME, name: str = "acme") -> Path:
    d = tmp_path / "prices"
    d.mkdir(exist_ok=True)
    shutil.copy(ROOT / "pricing" / "VERSION", d / "VERSION")
    (d / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return d


MIDNIGHT = [
    # 1M in + 1M out: 1 + 2 = 3; in the window ×0.5 = 1.5. Asia/Shanghai = UTC+8.
    ("fri-23-00-beijing-in", "2025-06-06T15:00:00", "1.5"),
    ("sat-01-00-beijing-tail-of-friday-in", "2025-06-06T17:00:00", "1.5"),
    ("sat-02-00-beijing-out", "2025-06-06T18:00:00", "3"),
    ("sat-23-00-beijing-out", "2025-06-07T15:00:00", "3"),
    ("mon-01-00-beijing-tail-of-sunday-out", "2025-06-08T17:00:00", "3"),
    ("mon-22-00-beijing-in", "2025-06-09T14:00:00", "1.5"),
    ("tue-01-59-59-beijing-in", "2025-06-09T17:59:59", "1.5"),
    ("before-the-window-starts", "2025-05-30T15:00:00", "3"),
]


@pytest.mark.parametrize(("at", "expected"), [pytest.param(a, e, id=i) for i, a, e in MIDNIGHT])
def test_window_across_local_midnight(tmp_path: Path, at: str, expected: str) -> None:
    con = store(pricing.load(acme_dir(tmp_path)))
    key = add_call(con, "acme-one", ts(at), **ONE_AND_ONE)
    assert row(con, key, "cost_usd, price_status") == (D(expected), "priced")


# ------------------------------------------------------------------ service tiers


def test_fast_mode_opus_4_8() -> None:
    # Opus 4.8 5 / 0.50 / 6.25 / 10 / 25, fast ×2 = 10 / 1 / 12.50 / 20 / 50
    # 10,000 × 10 + 5,000 × 1 + 2,000 × 12.5 + 1,000 × 20 + 3,000 × 50 = 100,000 + 5,000 + 25,000 + 20,000 + 150,000
    kw = {
        "input_uncached": 10_000,
        "cache_read": 5_000,
        "cache_write_5m": 2_000,
        "cache_write_1h": 1_000,
        "output": 3_000,
    }
    assert priced("claude-opus-4-8", "2026-06-10", service_tier="fast", **kw) == (D("0.3"), "priced", "claude-opus-4-8")
    # fast mode for Opus 4.8 removed 2026-11-30: standard rate, flagged
    assert priced("claude-opus-4-8", "2026-12-01", service_tier="fast", **kw) == (
        D("0.15"),
        "tier_not_in_table",
        "claude-opus-4-8",
    )


def test_priority_explicit_rates_gpt_4o() -> None:
    # gpt-4o alias → gpt-4o-2024-08-06; priority 4.25 / 2.125 / 17 from 2026-10-12
    # 10,000 × 4.25 + 4,000 × 2.125 + 2,000 × 17 = 42,500 + 8,500 + 34,000 = 85,000 → 0.085
    kw = {"input_uncached": 10_000, "cache_read": 4_000, "output": 2_000}
    assert priced("gpt-4o", "2026-11-01", service_tier="priority", **kw) == (D("0.085"), "priced", "gpt-4o-2024-08-06")
    # before: standard 25,000 + 5,000 + 20,000 = 50,000 → 0.05, flagged
    assert priced("gpt-4o", "2026-10-01", service_tier="priority", **kw)[:2] == (D("0.05"), "tier_not_in_table")


def test_priority_factor_nano_and_flex_o3() -> None:
    # gpt-4.1-nano priority 2×: 12,345 × 0.2 + 678 × 0.8 = 2,469 + 542.4 = 3,011.4 → 0.0030114
    assert priced("gpt-4.1-nano", "2026-11-01", service_tier="priority", input_uncached=12_345, output=678)[0] == D(
        "0.0030114"
    )
    # o3 flex ×0.5 (2025-06-10 prices 2 / 0.50 / 8): (20,000 + 10,000 + 24,000) × 0.5 = 27,000 → 0.027
    kw = {"input_uncached": 10_000, "cache_read": 20_000, "output": 3_000}
    assert priced("o3", "2025-07-01", service_tier="flex", **kw)[:2] == (D("0.027"), "priced")


def test_per_bucket_factors_groq_batch() -> None:
    # groq gpt-oss-120b 0.15 / 0.075 / 0.60; batch: input and output ×0.5, cached input ×1
    # 10,000 × 0.075 + 10,000 × 0.075 + 1,000 × 0.30 = 750 + 750 + 300 = 1,800 → 0.0018
    kw = {"input_uncached": 10_000, "cache_read": 10_000, "output": 1_000}
    # logged by Groq's API as openai/gpt-oss-120b, normalised by ingest to gpt-oss-120b, on platform 'groq'
    assert on("groq", "openai/gpt-oss-120b", "2026-11-01", service_tier="batch", **kw) == (
        D("0.0018"),
        "priced",
        "groq/openai/gpt-oss-120b",
        "groq",
    )
    # the same name elsewhere is not Groq's price (hosts price open-weight models themselves)
    assert on("together", "openai/gpt-oss-120b", "2026-11-01", **kw)[2] != "groq/openai/gpt-oss-120b"


def test_explicit_batch_rates_with_a_long_context_band_xai() -> None:
    # grok-4.3 batch: ≤199,999 prompt 1 / 0.16 / 2; above 2 / 0.32 / 4
    # 100,000 × 1 + 1,000 × 2 = 102,000 → 0.102
    assert priced("grok-4.3", "2026-11-01", service_tier="batch", input_uncached=100_000, output=1_000)[0] == D("0.102")
    # 250,000 × 2 + 1,000 × 4 = 504,000 → 0.504
    assert priced("grok-4.3", "2026-11-01", service_tier="batch", input_uncached=250_000, output=1_000)[0] == D("0.504")


def test_unknown_service_tier_is_flagged_at_standard() -> None:
    # gpt-4.1 2 / 8: 1,000 × 2 + 1,000 × 8 = 10,000 → 0.01
    assert priced("gpt-4.1", "2025-06-01", service_tier="auto", input_uncached=1_000, output=1_000)[:2] == (
        D("0.01"),
        "tier_not_in_table",
    )


# ------------------------------------------------------------------ platforms


def on(platform: str, raw: str, at: str, **kw: Any) -> tuple[Any, ...]:
    con = store()
    from finops.ingest import normalise_model_sql

    model = con.execute(f"select {normalise_model_sql('?')}", [raw]).fetchone()
    assert model is not None
    key = add_call(con, model[0], ts(at), platform=platform, model_raw=raw, **kw)
    return row(con, key, "cost_usd, price_status, price_model, price_platform")


def test_bedrock_global_endpoint_is_anthropic_list_price() -> None:
    # Sonnet 4.5 3 / 15: 1M + 1M = 18
    assert on("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-06-01", **ONE_AND_ONE) == (
        D("18"),
        "priced",
        "bedrock/claude-sonnet-4-5",
        "bedrock",
    )


def test_bedrock_regional_profile_is_ten_percent_more() -> None:
    # 3.30 + 16.50 = 19.80
    assert on("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "2026-06-01", **ONE_AND_ONE)[:3] == (
        D("19.8"),
        "priced",
        "bedrock/regional/claude-sonnet-4-5",
    )
    # long context (before 2026-04-30): >200k 6 / 22.50 × 1.1 = 6.60 / 24.75
    # 300,000 × 6.6 + 1,000 × 24.75 = 1,980,000 + 24,750 = 2,004,750 → 2.00475
    arn = "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert on("bedrock", arn, "2026-01-10", input_uncached=300_000, output=1_000)[0] == D("2.00475")


def test_bedrock_older_claude_and_batch_and_llama() -> None:
    # Claude 3.5 Sonnet on Bedrock = 3 / 15 on every endpoint; batch ×0.5: (3 + 15) / 2 = 9
    assert on(
        "bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "2024-09-01", service_tier="batch", **ONE_AND_ONE
    )[:3] == (D("9"), "priced", "bedrock/claude-3-5-sonnet")
    # Llama 3.3 70B on Bedrock 0.72 / 0.72
    assert on("bedrock", "meta.llama3-3-70b-instruct-v1:0", "2025-06-01", **ONE_AND_ONE)[:3] == (
        D("1.44"),
        "priced",
        "bedrock/llama3-3-70b-instruct",
    )
    # a name Bedrock's file does not know is not priced at a first-party rate (fallback = "none")
    assert on("bedrock", "gpt-4o", "2025-06-01", **ONE_AND_ONE)[1] == "unpriced_model"


def test_azure_inherits_openai_with_aliases_and_vertex_excludes_per_character_models() -> None:
    # azure: gpt-4o alias → gpt-4o-2024-05-13 before 2024-10-02: 5 + 15 = 20
    assert on("azure", "gpt-4o", "2024-09-01", **ONE_AND_ONE)[:3] == (D("20"), "priced", "azure/gpt-4o-2024-05-13")
    # vertex: Gemini 2.5 Pro = API price 1.25 / 10 (≤200k): 100,000 × 1.25 + 100,000 × 10 = 1,125,000 → 1.125;
    # Gemini 1.5 was billed per character: unpriced, flagged
    assert on("vertex", "gemini-2.5-pro", "2025-08-01", input_uncached=100_000, output=100_000)[:3] == (
        D("1.125"),
        "priced",
        "vertex/gemini-2.5-pro",
    )
    assert on("vertex", "gemini-1.5-flash", "2025-01-01", **ONE_AND_ONE)[1] == "unpriced_model"


def test_vertex_batch_prediction_before_the_gemini_api_batch_mode() -> None:
    """Vertex's own batch rules (vertex.toml) end where the inherited Gemini API rules start (2025-07-07): the
    price does not jump at the seam (Vertex's own 2.0 Flash keeps its rule on both sides); the Gemini API itself
    had no batch tier before that day (flagged, standard rate)."""
    con = store()
    from finops.ingest import normalise_model_sql

    def call(platform: str, raw: str, at: str, **kw: Any) -> str:
        model = con.execute(f"select {normalise_model_sql('?')}", [raw]).fetchone()
        assert model is not None
        return add_call(con, model[0], ts(at), platform=platform, model_raw=raw, service_tier="batch", **kw)

    cols = "cost_usd, price_status, price_model"
    # Gemini 2.5 Flash GA 0.30 / 0.03 / 2.50 on Vertex: batch 0.15 / 0.03 (cache at standard) / 1.25:
    # 1M × 0.15 + 1M × 0.03 + 1M × 1.25 = 1.43 on both sides of the seam
    flash = {"input_uncached": M, "cache_read": M, "output": M}
    before = call("vertex", "gemini-2.5-flash", "2025-07-06T23:59:59", **flash)
    after = call("vertex", "gemini-2.5-flash", "2025-07-07T00:00:00", **flash)
    # Gemini 2.0 Flash at Vertex's own 0.15 / 0.0375 / 0.60 (vertex.toml, 2026.11.23-9): batch halves every rate,
    # on both sides of the seam (no Gemini API rule takes over): 0.075 + 0.01875 + 0.30 = 0.39375
    before20 = call("vertex", "gemini-2.0-flash", "2025-07-06T23:59:59", **flash)
    after20 = call("vertex", "gemini-2.0-flash", "2025-07-07T00:00:00", **flash)
    # the Gemini API (first party) before its Batch Mode: standard 0.30 + 0.03 + 2.50 = 2.83, flagged
    api = call("", "gemini-2.5-flash", "2025-07-06T23:59:59", **flash)
    for key in (before, after):
        assert row(con, key, cols) == (D("1.43"), "priced", "vertex/gemini-2.5-flash")
    for key in (before20, after20):
        assert row(con, key, cols) == (D("0.39375"), "priced", "vertex/gemini-2.0-flash")
    assert row(con, api, cols) == (D("2.83"), "tier_not_in_table", "gemini-2.5-flash")


def test_codex_auto_review_on_the_platform_codex_writes() -> None:
    """Codex rollouts under ChatGPT sign-in have no model_provider: platform 'openai' (finops/ingest/codex.py),
    which has no price file and falls back to first-party names, where the dated codex-auto-review alias is."""
    # 100,000 in + 100,000 out (under the 272k cliff). gpt-5.4 2.50 / 15: 0.25 + 1.50 = 1.75;
    # gpt-5.6-luna after the 2026-07-30 cut 0.20 / 1.20: 0.02 + 0.12 = 0.14
    tokens = {"input_uncached": 100_000, "output": 100_000}
    assert on("openai", "codex-auto-review", "2026-06-01", **tokens)[:3] == (D("1.75"), "priced", "gpt-5.4")
    assert on("openai", "codex-auto-review", "2026-08-01", **tokens)[:3] == (D("0.14"), "priced", "gpt-5.6-luna")


def test_openrouter_ids_map_to_the_upstream_price() -> None:
    # anthropic/claude-sonnet-4.5 → claude-sonnet-4.5 (ingest) → Sonnet 4.5 3 / 15
    assert on("openrouter", "anthropic/claude-sonnet-4.5", "2026-06-01", **ONE_AND_ONE)[:3] == (
        D("18"),
        "priced",
        "openrouter/claude-sonnet-4-5",
    )
    # x-ai/grok-4 → grok-4-0709 3 / 15
    assert on("openrouter", "x-ai/grok-4", "2026-06-01", **ONE_AND_ONE)[:3] == (
        D("18"),
        "priced",
        "openrouter/grok-4-0709",
    )
    # open-weight models are routed to many hosts at other prices: z-ai/glm-5.1 is NOT given Z.ai's price there
    assert on("openrouter", "z-ai/glm-5.1", "2026-06-01", **ONE_AND_ONE)[1] == "unpriced_model"
    # ...while Z.ai's own API is 1.40 / 4.40 = 5.80 for 1M + 1M (the seed model; genai-prices gives 5.80, reference 8)
    assert priced("glm-5.1", "2026-06-01", **ONE_AND_ONE) == (D("5.8"), "priced", "glm-5.1")


def test_same_name_on_first_party_platform_keeps_first_party_id() -> None:
    assert priced("claude-sonnet-4-5-20250929", "2026-06-01", **ONE_AND_ONE) == (D("18"), "priced", "claude-sonnet-4-5")


# ------------------------------------------------------------------ contracts

CONTRACT = """
name = "Acme enterprise agreement"

[[rules]]
id = "anthropic-20"
provider = "anthropic"
from = 2026-01-01T00:00:00Z
to = 2027-01-01T00:00:00Z
discount = "20"

[[rules]]
id = "opus-45-10"
models = ["claude-opus-4-5"]
from = 2026-01-01T00:00:00Z
to = 2027-01-01T00:00:00Z
discount = "10"

[[rules]]
id = "gpt55-commit"
models = ["gpt-5.5"]
from = 2026-05-01T00:00:00Z
input = "4"
cache_read = "0.40"
output = "24"

[[credits]]
provider = "openai"
amount_per_month = "500"
from = 2026-01-01T00:00:00Z
to = 2026-04-01T00:00:00Z
note = "launch credits"
"""


def contract_table(tmp_path: Path, text: str = CONTRACT) -> pricing.PriceTable:
    f = tmp_path / "contract.toml"
    f.write_text(textwrap.dedent(text), encoding="utf-8")
    return pricing.load(ROOT / "pricing", contract=f)


def test_contract_discount_committed_rate_and_precedence(tmp_path: Path) -> None:
    con = store(contract_table(tmp_path))
    cols = "list_cost_usd, cost_usd, contract_rule"
    # Sonnet 4.5 1M + 1M: list 18; 20% off → 14.40
    k = add_call(con, "claude-sonnet-4-5", ts("2026-06-01"), **ONE_AND_ONE)
    assert row(con, k, cols) == (D("18"), D("14.4"), "anthropic-20")
    # Opus 4.5 5 / 25: list 30; the model rule (10%) beats the provider rule → 27
    k = add_call(con, "claude-opus-4-5", ts("2026-06-01"), **ONE_AND_ONE)
    assert row(con, k, cols) == (D("30"), D("27"), "opus-45-10")
    # GPT-5.5 committed 4 / 0.40 / 24 (list 5 / 0.50 / 30), 100k + 100k cached + 100k out:
    # list 500,000 + 50,000 + 3,000,000 = 3,550,000 → 3.55; committed 400,000 + 40,000 + 2,400,000 → 2.84
    small = {"input_uncached": 100_000, "cache_read": 100_000, "output": 100_000}
    k = add_call(con, "gpt-5.5", ts("2026-06-01"), **small)
    assert row(con, k, cols) == (D("3.55"), D("2.84"), "gpt55-commit")
    # committed rates hold for standard calls only (default); a batch call keeps the list batch price 1.775
    k = add_call(con, "gpt-5.5", ts("2026-06-01"), service_tier="batch", **small)
    assert row(con, k, cols) == (D("1.775"), D("1.775"), None)
    # before the contract starts: list (100k + 100k: 300,000 + 1,500,000 → 1.8)
    k = add_call(con, "claude-sonnet-4-5", ts("2025-12-31T23:59:59"), input_uncached=100_000, output=100_000)
    assert row(con, k, cols) == (D("1.8"), D("1.8"), None)
    # Bedrock's copy of Claude is billed by AWS: an Anthropic contract does not touch it
    k = add_call(
        con,
        "claude-sonnet-4-5-20250929",
        ts("2026-06-01"),
        platform="bedrock",
        model_raw="global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        **ONE_AND_ONE,
    )
    assert row(con, k, cols) == (D("18"), D("18"), None)
    credits = con.execute("select month, provider, amount_usd from contract_credits order by month").fetchall()
    assert [(str(m), p, a) for m, p, a in credits] == [
        ("2026-01-01", "openai", D("500")),
        ("2026-02-01", "openai", D("500")),
        ("2026-03-01", "openai", D("500")),
    ]


def test_contract_applies_to_per_request_fees(tmp_path: Path) -> None:
    """A percent-off rule discounts the web-search fee with the tokens; committed rates leave the fee at list
    (less the rule's discount, none here): the fee is list x (1 - discount) in both cost paths."""
    con = store(contract_table(tmp_path))
    cols = "list_cost_usd, cost_usd, contract_rule, price_status"
    # Sonnet 4.5 1M + 1M = 18, + 100 searches × 10 / 1,000 = 1 → list 19; 20% off → 15.20
    k = add_call(con, "claude-sonnet-4-5", ts("2026-06-01"), web_searches=100, **ONE_AND_ONE)
    assert row(con, k, cols) == (D("19"), D("15.2"), "anthropic-20", "priced")
    # GPT-5.5 committed 4 / 0.40 / 24: list 3.55 + 5 × 10 / 1,000 = 0.05 → 3.60; committed 2.84 + 0.05 → 2.89
    small = {"input_uncached": 100_000, "cache_read": 100_000, "output": 100_000}
    k = add_call(con, "gpt-5.5", ts("2026-11-01"), web_searches=5, **small)
    assert row(con, k, cols) == (D("3.6"), D("2.89"), "gpt55-commit", "priced")


def test_no_contract_means_cost_equals_list_and_a_contract_does_not_outlive_its_session(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = db.connect(path)
    pricing.install(con, contract_table(tmp_path))
    assert con.execute("select count(*) from contract_rules").fetchone() != (0,)
    con.close()
    con = db.connect(path)
    pricing.install(con, table())  # opened without a contract
    assert con.execute("select count(*) from contract_rules").fetchone() == (0,)
    db.create_views(con)
    k = add_call(con, "claude-sonnet-4-5", ts("2026-06-01"), **ONE_AND_ONE)
    assert row(con, k, "list_cost_usd, cost_usd") == (D("18"), D("18"))
    con.close()


BAD_CONTRACTS = [
    (
        "model-unknown",
        'models = ["claude-opus-4-5"]',
        'models = ["claude-opus-9"]',
        ["contract.toml", "rules[1]", "models", "claude-opus-9"],
    ),
    (
        "provider-unknown",
        'provider = "anthropic"',
        'provider = "anthropik"',
        ["contract.toml", "rules[0]", "provider", "anthropik"],
    ),
    ("float-discount", 'discount = "20"', "discount = 20.0", ["contract.toml", "rules[0]", "discount"]),
    ("discount-over-100", 'discount = "20"', 'discount = "120"', ["contract.toml", "rules[0]", "discount"]),
    ("unknown-key", 'discount = "20"', 'discount = "20"\ndiscont = "5"', ["contract.toml", "rules[0]", "discont"]),
    (
        "committed-rate-on-a-pattern",
        'models = ["gpt-5.5"]',
        'models = ["gpt-5*"]',
        ["contract.toml", "rules[2]", "exactly one model"],
    ),
    (
        "two-rules-same-specificity",
        'id = "opus-45-10"\nmodels = ["claude-opus-4-5"]',
        'id = "opus-45-10"\nprovider = "anthropic"',
        ["contract.toml", "rules[0]", "rules[1]", "same specificity"],
    ),
]


@pytest.mark.parametrize(("old", "new", "words"), [pytest.param(*b[1:], id=b[0]) for b in BAD_CONTRACTS])
def test_bad_contract_is_rejected(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    text = textwrap.dedent(CONTRACT)
    assert text.count(old) == 1, old
    with pytest.raises(PriceFileError) as e:
        contract_table(tmp_path, text.replace(old, new))
    for w in words:
        assert w in e.value.message, f"{w!r} not in: {e.value.message}"


# ------------------------------------------------------------------ bad price files (new schema parts)

BAD_FILES = [
    ("window-without-time-zone", '    tz = "Asia/Shanghai"\n', "", ["acme.toml", "acme-one", "windows[0]", "tz"]),
    (
        "window-unknown-zone",
        'tz = "Asia/Shanghai"',
        'tz = "Asia/Beijing"',
        ["acme.toml", "acme-one", "windows[0]", "time zone"],
    ),
    ("window-bad-time", 'times = ["22:00-02:00"]', 'times = ["22:00-26:00"]', ["acme.toml", "acme-one", "times"]),
    ("window-bad-weekday", 'weekdays = ["mon",', 'weekdays = ["monday",', ["acme.toml", "acme-one", "weekdays"]),
    (
        "window-partial-rates",
        '    factor = "0.5"\n',
        '    input = "0.5"\n',
        ["acme.toml", "acme-one", "windows[0]", "output"],
    ),
    (
        "windows-overlap",
        '    factor = "0.5"\n',
        '    factor = "0.5"\n\n    [[models.periods.windows]]\n    tz = "Asia/Shanghai"\n    times = ["01:00-03:00"]\n'
        '    factor = "0.8"\n',
        ["acme.toml", "acme-one", "overlap"],
    ),
    (
        "window-outside-period",
        "from = 2025-06-01T00:00:00Z\n    factor",
        "from = 2024-06-01T00:00:00Z\n    factor",
        ["acme.toml", "acme-one", "windows[0]", "inside the period"],
    ),
    ("factor-too-precise", 'factor = "0.5"', 'factor = "0.12345"', ["acme.toml", "acme-one", "factor"]),
]


@pytest.mark.parametrize(("old", "new", "words"), [pytest.param(*b[1:], id=b[0]) for b in BAD_FILES])
def test_bad_window_is_rejected(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    text = textwrap.dedent(ACME)
    assert text.count(old) == 1, old
    with pytest.raises(PriceFileError) as e:
        pricing.load(acme_dir(tmp_path, text.replace(old, new)))
    for w in words:
        assert w in e.value.message, f"{w!r} not in: {e.value.message}"


PLATFORM = """
provider = "cloudy"
platform = "bedrock"

[sources.s]
url = "https://cloudy.example"

[[inherit]]
provider = "acme"
from = 2025-01-01T00:00:00Z
source = "s"

[[models]]
id = "bedrock/acme-two"
name = "Acme Two"
match = ["acme-two"]

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  source = "s"
  confidence = "B"
  input = "1"
  output = "1"
"""

BAD_PLATFORM = [
    ("inherit-unknown-provider", 'provider = "acme"', 'provider = "acmee"', ["cloudy.toml", "inherit[0]", "acmee"]),
    (
        "platform-id-without-prefix",
        'id = "bedrock/acme-two"',
        'id = "acme-two-b"',
        ["cloudy.toml", "acme-two-b", "bedrock/"],
    ),
    (
        "unknown-route",
        'name = "Acme Two"',
        'name = "Acme Two"\nroute = "moon"',
        ["cloudy.toml", "bedrock/acme-two", "route", "moon"],
    ),
    ("inherit-in-first-party-file", 'platform = "bedrock"\n', "", ["cloudy.toml", "inherit"]),
]


@pytest.mark.parametrize(("old", "new", "words"), [pytest.param(*b[1:], id=b[0]) for b in BAD_PLATFORM])
def test_bad_platform_file_is_rejected(tmp_path: Path, old: str, new: str, words: list[str]) -> None:
    d = acme_dir(tmp_path)
    text = textwrap.dedent(PLATFORM)
    assert text.count(old) == 1, old
    (d / "cloudy.toml").write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(PriceFileError) as e:
        pricing.load(d)
    for w in words:
        assert w in e.value.message, f"{w!r} not in: {e.value.message}"


def test_platform_file_inherits_windows_and_failed_install_keeps_the_old_table(tmp_path: Path) -> None:
    d = acme_dir(tmp_path)
    (d / "cloudy.toml").write_text(textwrap.dedent(PLATFORM), encoding="utf-8")
    t = pricing.load(d)
    con = store(t)
    # the copy keeps acme's late-night window: Friday 23:00 Beijing, 1M + 1M at ×0.5 = 1.5
    k = add_call(con, "acme-one", ts("2025-06-06T15:00:00"), platform="bedrock", **ONE_AND_ONE)
    assert row(con, k, "cost_usd, price_model") == (D("1.5"), "bedrock/acme-one")
    # an explicit platform entry wins over the inherited copy of the same name
    (d / "cloudy.toml").write_text(textwrap.dedent(PLATFORM).replace('["acme-two"]', '["acme-two", "acme-one"]'))
    con2 = store(pricing.load(d))
    k = add_call(con2, "acme-one", ts("2025-06-06T15:00:00"), platform="bedrock", **ONE_AND_ONE)
    assert row(con2, k, "cost_usd, price_model") == (D("2"), "bedrock/acme-two")
    before = con.execute("select count(*) from rate_card").fetchone()
    broken = pricing.load(d)
    broken.expanded[0].entry.periods[0].__dict__["input"] = "not-a-number"  # corrupt after validation
    pricing._CARD_CACHE.clear()
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back
        pricing.install(con, broken, force=True)
    assert con.execute("select count(*) from rate_card").fetchone() == before


def test_the_cost_path_stays_a_range_join() -> None:
    """DESIGN.md: validity intervals joined with >= / <, never ASOF; one statement prices every call."""
    for name in ("price_join", "resolved_usage"):
        code = "\n".join(line.split("--")[0] for line in db.sql_text(name).lower().splitlines())
        assert "asof" not in code and "lateral" not in code, name
