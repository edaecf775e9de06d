"""Computed cost vs the cost the source itself reports (usage.reported_cost), within 0.5% where the rule is in
the table.

Records are built here as the OpenRouter (`usage.cost`), LiteLLM (`spend`, a float) and Langfuse
(`costDetails.total`) adapters will store them: disjoint token buckets plus reported_cost, never overwritten.
Each is priced through the real SQL path (tests/helpers.py). The reported figures are what those tools
compute from the same published rates (written out by hand in each case); where a source cannot express a
rule our table has (Langfuse has no time-of-day windows), the divergence is expected and named.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.helpers import add_call, store

TOLERANCE = Decimal("0.005")

# (id, platform, logged model (normalised), model_raw, ts, buckets, service tier, reported cost, expectation)
# expectation: "match" (within 0.5%), "unpriced" (no rule here: only the reported cost is known), or a reason why
# the source is wrong and we are right.
CASES = [
    # OpenRouter usage.cost, pass-through of Anthropic's price: prompt 5,000 of which 1,000 cached, 1,000 out:
    # 4,000 × 3 + 1,000 × 0.30 + 1,000 × 15 = 27,300 → 0.0273
    (
        "openrouter-sonnet-4.5",
        "openrouter",
        "claude-sonnet-4.5",
        "anthropic/claude-sonnet-4.5",
        "2026-03-02T10:00:00",
        {"input_uncached": 4_000, "cache_read": 1_000, "output": 1_000},
        "standard",
        "0.0273",
        "match",
    ),
    # OpenRouter x-ai/grok-4.3 (1.25 / 0.20 / 2.50): 10,000 × 1.25 + 2,000 × 2.5 = 17,500 → 0.0175
    (
        "openrouter-grok-4.3",
        "openrouter",
        "x-ai/grok-4.3",
        "x-ai/grok-4.3",
        "2026-10-05T08:00:00",
        {"input_uncached": 10_000, "output": 2_000},
        "standard",
        "0.0175",
        "match",
    ),
    # OpenRouter meta-llama: routed to a host at its price; not in our table
    (
        "openrouter-llama",
        "openrouter",
        "meta-llama/llama-3.3-70b-instruct",
        "meta-llama/llama-3.3-70b-instruct",
        "2026-03-02T10:00:00",
        {"input_uncached": 10_000, "output": 2_000},
        "standard",
        "0.00124",
        "unpriced",
    ),
    # LiteLLM spend (per-token floats): gpt-4o-mini, 80,000 uncached + 20,000 cached + 2,000 out:
    # 80,000 × 0.15 + 20,000 × 0.075 + 2,000 × 0.60 = 14,700 → 0.0147 (float 0.014700000000000001)
    (
        "litellm-gpt-4o-mini",
        "openai",
        "gpt-4o-mini",
        "gpt-4o-mini",
        "2025-03-03T12:00:00",
        {"input_uncached": 80_000, "cache_read": 20_000, "output": 2_000},
        "standard",
        "0.014700000000000001",
        "match",
    ),
    # LiteLLM spend for a Bedrock regional profile: 3.30 / 16.50 (bedrock/us.anthropic.claude-sonnet-4-5-...):
    # 20,000 × 3.3 + 1,000 × 16.5 = 82,500 → 0.0825 (float 0.08249999999999999)
    (
        "litellm-bedrock-us-sonnet-4.5",
        "bedrock",
        "claude-sonnet-4-5-20250929",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "2026-06-01T09:00:00",
        {"input_uncached": 20_000, "output": 1_000},
        "standard",
        "0.08249999999999999",
        "match",
    ),
    # LiteLLM spend, OpenAI batch at 50%: gpt-4.1 2 / 8 → 1 / 4: 100,000 × 1 + 10,000 × 4 = 140,000 → 0.14
    (
        "litellm-gpt-4.1-batch",
        "openai",
        "gpt-4.1",
        "gpt-4.1-2025-04-14",
        "2025-06-01T00:00:00",
        {"input_uncached": 100_000, "output": 10_000},
        "batch",
        "0.14",
        "match",
    ),
    # Langfuse costDetails.total, Anthropic with 5m and 1h writes (Opus 4.5 5 / 0.50 / 6.25 / 10 / 25):
    # 1,000 × 5 + 5,000 × 0.5 + 2,000 × 6.25 + 3,000 × 10 + 400 × 25 = 5,000 + 2,500 + 12,500 + 30,000 + 10,000
    # = 60,000 → 0.06
    (
        "langfuse-opus-4.5-cache-writes",
        "anthropic",
        "claude-opus-4-5-20251101",
        "claude-opus-4-5-20251101",
        "2026-01-15T08:00:00",
        {"input_uncached": 1_000, "cache_read": 5_000, "cache_write_5m": 2_000, "cache_write_1h": 3_000, "output": 400},
        "standard",
        "0.06",
        "match",
    ),
    # Langfuse rounds to 6 decimals in its UI export: 0.006440 for the §11 Gemini example (ours 0.00644)
    (
        "langfuse-gemini-2.5-flash",
        "gemini_api",
        "gemini-2.5-flash",
        "models/gemini-2.5-flash",
        "2025-08-01T00:00:00",
        {"input_uncached": 4_000, "cache_read": 8_000, "output": 2_000},
        "standard",
        "0.006440",
        "match",
    ),
    # Langfuse has no time-of-day windows: it prices a DeepSeek off-peak call at the standard rate
    # (1,000,000 × 0.27 + 100,000 × 1.10 = 0.38); the call was at 20:00 UTC, off-peak: 0.135 + 0.055 = 0.19.
    (
        "langfuse-deepseek-off-peak",
        "deepseek",
        "deepseek-chat",
        "deepseek-chat",
        "2025-03-03T20:00:00",
        {"input_uncached": 1_000_000, "output": 100_000},
        "standard",
        "0.38",
        "Langfuse cannot express DeepSeek's 16:30-00:30 UTC off-peak window (reference pricing.md §5: 'time of day: "
        "none' for Langfuse); DeepSeek billed this call at the off-peak rate (§7.4, grade A)",
    ),
]


@pytest.fixture(scope="module")
def priced() -> dict[str, tuple[Decimal | None, str, Decimal | None]]:
    con = store()
    for cid, platform, model, raw, at, buckets, tier, reported, _exp in CASES:
        add_call(
            con,
            model,
            datetime.fromisoformat(at).replace(tzinfo=UTC),
            key=cid,
            platform=platform,
            model_raw=raw,
            service_tier=tier,
            reported_cost=reported,
            **buckets,
        )
    rows = con.execute("select dedupe_key, cost_usd, price_status, reported_cost from priced_usage").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.parametrize("case", [pytest.param(c, id=c[0]) for c in CASES])
def test_computed_cost_vs_reported(
    case: tuple[object, ...], priced: dict[str, tuple[Decimal | None, str, Decimal | None]]
) -> None:
    cid, expectation = str(case[0]), str(case[8])
    cost, status, reported = priced[cid]
    assert reported is not None  # reported_cost is stored as the source said it, never overwritten
    assert reported == Decimal(str(case[7])).quantize(Decimal("1e-12"))
    if expectation == "unpriced":
        assert status == "unpriced_model" and cost is None
        return
    assert status == "priced", status
    assert cost is not None
    within = abs(cost - reported) <= TOLERANCE * reported
    if expectation == "match":
        assert within, f"{cid}: ours {cost} vs reported {reported} ({(cost - reported) / reported:.4%})"
    else:
        assert not within, f"{cid}: expected a divergence ({expectation}) but ours {cost} ≈ reported {reported}"
