"""Golden pricing cases: every expected cost is computed BY HAND from the published rates.

Each case prices one call through the real SQL path (tests/helpers.price → usage → resolved_usage →
priced_usage) and compares `cost_usd` with an exact Decimal written here, never one computed by our code.
Rates are USD per 1M tokens; the arithmetic is written as Σ tokens × rate, then / 1e6.

Rate sources (all quoted in /work/shared/reference/pricing.md; the table in pricing/*.toml agrees unless
noted in the case):
  o3                10 / 2.50 / 40 → 2 / 0.50 / 8 from 2025-06-10            §7.1, §11 ex. 2
  gpt-4o alias      → 2024-05-13 (5 / 15) until 2024-10-02, then → 2024-08-06 (2.50 / 1.25 / 10)   §7.1
  gpt-4o-mini       0.15 / 0.075 / 0.60                                       §7.1
  gpt-4.1           2 / 0.50 / 8                                              §7.1, §11 ex. 3
  o4-mini           1.10 / 0.275 / 4.40                                       §7.1
  gpt-5.5           5 / 0.50 / 30; >272k: 10 / 1 / 45                        §7.1, §8, §11 ex. 6
  gpt-5.6-sol       5 / 0.50 / write 6.25 / 30 (GA period, before 2026-08-21) §7.1, §9
  Claude Sonnet 4.5 3 / 0.30 / 3.75 / 6 / 15; >200k: 6 / 0.60 / 7.50 / 12 / 22.50   §7.2, §11 ex. 6
  Claude Sonnet 4   same base; >200k tier only from 2025-08-12                §7.2, §12 item 4
  Claude 3.5 Sonnet 3 / 0.30 / 3.75 / 6 / 15                                  §7.2
  Claude 3.5 Haiku  launch 1 / 0.10 / 1.25 / – / 5, then 0.80 / 0.08 / 1 / 1.60 / 4   §7.2
  Claude Opus 4.5   5 / 0.50 / 6.25 / 10 / 25                                 §7.2
  Gemini 2.5 Pro    1.25 / 0.125 / 10; >200k: 2.50 / 0.25 / 15                §7.3
  Gemini 2.5 Flash  preview 0.15 / 0.0375 / 3.50 (thinking) → GA 0.30 / 0.03 / 2.50 on 2025-06-17   §7.3
                    (preview cache read 0.25x input: pricing/google.toml source gemini25-caching, grade B)
  text-embedding-3-small 0.02 input only; ft:gpt-4o-mini-2024-07-18:* 0.30 / 0.15 / 1.20; mistral-small-2503
                    0.10 / 0.30; Fireworks llama-v3p1-70b-instruct 0.9 / 0.9   pricing/*.toml (B, datasets)
  Gemini 2.0 Flash-Lite 0.075 / – / 0.30; Gemini 1.5 Flash (post-cut) 0.075 / 0.01875 / 0.30  §7.3
  Gemini 2.0 Flash  API 0.10 / 0.025 / 0.40, audio 0.70 (§7.3); on Vertex 0.15 / 0.0375 / 0.60, audio 1.00
                    (vertex.toml: BerriAI/litellm#8320 quoting the Vertex page, B; cache = 0.25x input, C)
  batch             ×0.5 of every rate (OpenAI from 2024-04-15, Anthropic 2024-10-08, Google 2025-07-07,
                    Vertex batch prediction from 2025-02-05 (vertex.toml: Vertex docs, LiteLLM#8320):
                    pricing/*.toml [[modifiers]]; §9), except cached input (§7.1, §7.3 modifiers; genai-prices
                    0.2.3 Batch tab comments, LiteLLM *_batches): OpenAI before GPT-5 and Gemini 2.5 / 3 Flash /
                    3.1 Pro keep the STANDARD cached rate; Gemini 3.5 Flash-Lite 0.02; gpt-5.4 0.13 (>272k 0.25);
                    gpt-3.5-turbo-1106 has no batch discount at all (1 / 2)
  flex              ×0.5; o4-mini cached 0.138 (§7.1, grade A); gpt-5.4 cached 0.13 (>272k 0.25)
  gpt-5.4           2.50 / 0.25 / 15; >272k 5 / 0.50 / 22.50                  §7.1
  gpt-5 / gpt-5.4-mini  1.25 / 0.125 / 10; 0.75 / 0.075 / 4.50               §7.1
  codex-auto-review alias → gpt-5.4 from 2026-04-16, → gpt-5.6-luna (0.20 / 0.02 / 1.20) from 2026-07-30
                    (openai.toml source codex-auto-review: OpenAI's announcement via ccusage#1589; B)
  gpt-3.5-turbo-1106 / -0125  1 / 2; 0.50 / 1.50                              §7.1
  Gemini 3.1 Flash-Lite 0.25 / 0.025 / 1.50; 3.5 Flash-Lite 0.30 / 0.03 / 2.50   pricing/google.toml (B)
  OpenAI audio      (pricing/openai.toml, "audio and realtime"; text / cached text / output, then audio in / out)
                    gpt-4o-audio-preview-2024-10-01 2.50 / – / 10, audio 100 / 200; -2024-12-17 (and -2025-06-03)
                    2.50 / – / 10, audio 40 / 80; gpt-4o-mini-audio-preview 0.15 / – / 0.60, audio 10 / 20
                    gpt-4o-realtime-preview-2024-10-01 5 / 2.50 / 20, audio 100 / 200 (OpenAI's launch post, A);
                    -2024-12-17 (and -2025-06-03) 5 / 2.50 / 20, audio 40 / 80; the undated names point at the
                    2024-10-01 snapshots until 2024-12-17; gpt-4o-mini-realtime-preview 0.60 / 0.30 / 2.40, 10 / 20
                    gpt-realtime 4 / 0.40 / 16, 32 / 64; gpt-realtime-mini 0.60 / 0.06 / 2.40, 10 / 20
                    gpt-audio 2.50 / – / 10, 32 / 64; gpt-audio-mini 0.60 / – / 2.40, 10 / 20   (B, genai-prices,
                    LiteLLM, OpenAI's posts quoted); no batch rule for any of them; per-minute models unpriced
  web search        per-request fee, USD per 1,000 searches, any service tier (pricing/*.toml [[fees]]):
                    Anthropic 10 from 2025-05-07 (web search tool docs); OpenAI 10 from 2026-10-12 on the
                    models with the tool (genai-prices 0.2.3); none on Gemini, none on platform copies
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import add_call, price, store


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    model: str  # as logged (normalised)
    at: datetime
    expected: Decimal | None  # None: no cost
    tokens: dict[str, Any]
    status: str
    price_model: str | None


def case(
    case_id: str,
    model: str,
    at: str,
    expected: str | None,
    *,
    status: str = "priced",
    price_model: str | None = "",
    **tokens: Any,
) -> Case:
    """One call; `price_model` defaults to `model` (the id the call must resolve to)."""
    return Case(
        case_id,
        model,
        datetime.fromisoformat(at).replace(tzinfo=UTC),
        None if expected is None else Decimal(expected),
        tokens,
        status,
        model if price_model == "" else price_model,
    )


# two call shapes of the audio cases below: a chat completion with 3,000 prompt = 1,000 text + 2,000 audio and 800
# completion = 300 text + 500 audio; a realtime response with 1,000 text + 4,000 cached + 2,000 audio in and 200 text +
# 800 audio out
VOICE = {"input_uncached": 1_000, "audio_in": 2_000, "output": 300, "audio_out": 500}
REALTIME = {"input_uncached": 1_000, "cache_read": 4_000, "audio_in": 2_000, "output": 200, "audio_out": 800}

CASES = [
    # ---------------------------------------------------------------- period boundaries: [from, to)
    # o3 before the cut: 10,000×10 + 20,000×2.50 + 3,000×40 = 100,000 + 50,000 + 120,000 = 270,000 → 0.27
    case("o3-last-second-before-cut", "o3", "2025-06-09T23:59:59", "0.27",
         input_uncached=10_000, cache_read=20_000, output=3_000),
    # o3 at the cut: 10,000×2 + 20,000×0.50 + 3,000×8 = 20,000 + 10,000 + 24,000 = 54,000 → 0.054
    case("o3-first-second-after-cut", "o3", "2025-06-10T00:00:00", "0.054",
         input_uncached=10_000, cache_read=20_000, output=3_000),
    # ---------------------------------------------------------------- the gpt-4o alias switch (2024-10-02)
    # → gpt-4o-2024-05-13: 10,000×5 + 2,000×15 = 50,000 + 30,000 = 80,000 → 0.08
    case("gpt-4o-alias-before-switch", "gpt-4o", "2024-10-01T23:59:59", "0.08",
         price_model="gpt-4o-2024-05-13", input_uncached=10_000, output=2_000),
    # → gpt-4o-2024-08-06: 10,000×2.50 + 4,000×1.25 + 2,000×10 = 25,000 + 5,000 + 20,000 = 50,000 → 0.05
    case("gpt-4o-alias-after-switch", "gpt-4o", "2024-10-02T00:00:00", "0.05",
         price_model="gpt-4o-2024-08-06", input_uncached=10_000, cache_read=4_000, output=2_000),
    # ---------------------------------------------------------------- Codex's auto-review slug, by date
    # codex-auto-review → gpt-5.4 (2.50 / 0.25 / 15) from 2026-04-16: 10,000×2.50 + 40,000×0.25 + 2,000×15
    # = 25,000 + 10,000 + 30,000 = 65,000 → 0.065
    case("codex-auto-review-gpt-5.4", "codex-auto-review", "2026-04-16T00:00:00", "0.065",
         price_model="gpt-5.4", input_uncached=10_000, cache_read=40_000, output=2_000),
    case("codex-auto-review-last-second-on-gpt-5.4", "codex-auto-review", "2026-07-29T23:59:59", "0.065",
         price_model="gpt-5.4", input_uncached=10_000, cache_read=40_000, output=2_000),
    # → gpt-5.6-luna from 2026-07-30 (0.20 / 0.02 / 1.20): 10,000×0.20 + 40,000×0.02 + 2,000×1.20
    # = 2,000 + 800 + 2,400 = 5,200 → 0.0052
    case("codex-auto-review-gpt-5.6-luna", "codex-auto-review", "2026-07-30T00:00:00", "0.0052",
         price_model="gpt-5.6-luna", input_uncached=10_000, cache_read=40_000, output=2_000),
    # before the slug existed nothing says which model it meant: not priced
    case("codex-auto-review-before-the-slug", "codex-auto-review", "2026-04-15T23:59:59", None,
         status="unpriced_model", price_model=None, input_uncached=1_000, output=1_000),
    # ---------------------------------------------------------------- dated snapshot ids resolve to the model
    # 2,000×3 + 1,000×15 = 6,000 + 15,000 = 21,000 → 0.021
    case("snapshot-claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929", "2025-10-01", "0.021",
         price_model="claude-sonnet-4-5", input_uncached=2_000, output=1_000),
    # an unseen dated snapshot, through the 'claude-sonnet-4-5-*' pattern: 1,000×3 + 1,000×15 = 18,000 → 0.018
    case("snapshot-pattern-claude-sonnet-4-5-20260101", "claude-sonnet-4-5-20260101", "2026-01-10", "0.018",
         price_model="claude-sonnet-4-5", input_uncached=1_000, output=1_000),
    # o3 launch price: 1,000×10 + 500×40 = 10,000 + 20,000 = 30,000 → 0.03
    case("snapshot-o3-2025-04-16", "o3-2025-04-16", "2025-05-01", "0.03",
         price_model="o3", input_uncached=1_000, output=500),
    # 100,000×0.15 + 50,000×0.075 + 10,000×0.60 = 15,000 + 3,750 + 6,000 = 24,750 → 0.02475
    case("snapshot-gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", "2025-01-15", "0.02475",
         price_model="gpt-4o-mini", input_uncached=100_000, cache_read=50_000, output=10_000),
    # 'models/gemini-2.5-flash' is normalised at ingest. Reference §11 ex. 5 (prompt 12,000 incl. 8,000
    # cached; 500 candidates + 1,500 thoughts): 4,000×0.30 + 8,000×0.03 + 2,000×2.50
    # = 1,200 + 240 + 5,000 = 6,440 → 0.00644 (the oracle's value in §11)
    case("gemini-2.5-flash-ga-with-cache", "gemini-2.5-flash", "2025-08-01", "0.00644",
         input_uncached=4_000, cache_read=8_000, output=2_000),
    # ---------------------------------------------------------------- gaps closed in table 2026.11.23-6
    # Embeddings bill input only (0.02): 12,345×0.02 = 246.9 → 0.0002469
    case("text-embedding-3-small-input-only", "text-embedding-3-small", "2025-07-10", "0.0002469",
         input_uncached=12_345),
    # Batch API embeddings at half: 12,345×0.01 = 123.45 → 0.00012345
    case("text-embedding-3-small-batch", "text-embedding-3-small", "2025-07-10", "0.00012345",
         input_uncached=12_345, service_tier="batch"),
    # A fine-tuned gpt-4o-mini, through the 'ft:gpt-4o-mini-2024-07-18:*' pattern, at 0.30 / 0.15 / 1.20 (2x the
    # base model): 2,000×0.30 + 422×0.15 + 1,281×1.20 = 600 + 63.3 + 1,537.2 = 2,200.5 → 0.0022005
    case("ft-gpt-4o-mini-alias", "ft:gpt-4o-mini-2024-07-18:acme:support-v2:abc123x", "2025-07-02", "0.0022005",
         price_model="ft:gpt-4o-mini-2024-07-18", input_uncached=2_000, cache_read=422, output=1_281),
    # Gemini 2.5 Flash preview with cache hits (0.15 / 0.0375 / 3.50): 4,000×0.15 + 8,000×0.0375 + 2,000×3.50
    # = 600 + 300 + 7,000 = 7,900 → 0.0079
    case("gemini-2.5-flash-preview-with-cache", "gemini-2.5-flash-preview-04-17", "2025-05-20", "0.0079",
         price_model="gemini-2.5-flash", input_uncached=4_000, cache_read=8_000, output=2_000),
    # Mistral Small 3.1 (0.10 / 0.30): 10,000×0.10 + 2,000×0.30 = 1,000 + 600 = 1,600 → 0.0016
    case("mistral-small-2503", "mistral-small-2503", "2025-08-11", "0.0016",
         input_uncached=10_000, output=2_000),
    # Llama 3.1 70B on Fireworks (0.9 / 0.9): 1,000×0.9 + 500×0.9 = 900 + 450 = 1,350 → 0.00135
    case("fireworks-llama-v3p1-70b", "accounts/fireworks/models/llama-v3p1-70b-instruct", "2025-03-11", "0.00135",
         price_model="fireworks/llama-v3p1-70b-instruct", platform="fireworks", input_uncached=1_000, output=500),
    # Titan embeddings stay unpriced (no cited row yet): ingest keeps -v1 (0.10) and -v2:0 (0.02) apart as
    # titan-embed-text-v1 / titan-embed-text-v2, and neither may borrow a price
    case("titan-embed-text-unpriced", "titan-embed-text-v2", "2025-06-04", None,
         status="unpriced_model", price_model=None, platform="bedrock", input_uncached=1_000),
    # ---------------------------------------------------------------- long-context cliffs at N and N+1
    # Sonnet 4.5, 199,999 in: 199,999×3 + 1,000×15 = 599,997 + 15,000 = 614,997 → 0.614997 (§11 ex. 6)
    case("sonnet-4-5-prompt-199999", "claude-sonnet-4-5", "2025-10-01", "0.614997",
         input_uncached=199_999, output=1_000),
    # prompt = 150,000 + 50,000 cache reads = 200,000 (not > 200,000): base rates
    # 150,000×3 + 50,000×0.30 + 1,000×15 = 450,000 + 15,000 + 15,000 = 480,000 → 0.48
    case("sonnet-4-5-prompt-200000-incl-cache", "claude-sonnet-4-5", "2025-10-01", "0.48",
         input_uncached=150_000, cache_read=50_000, output=1_000),
    # prompt = 150,001 + 50,000 = 200,001: the whole request at tier rates, cache reads included
    # 150,001×6 + 50,000×0.60 + 1,000×22.50 = 900,006 + 30,000 + 22,500 = 952,506 → 0.952506
    case("sonnet-4-5-prompt-200001-incl-cache", "claude-sonnet-4-5", "2025-10-01", "0.952506",
         input_uncached=150_001, cache_read=50_000, output=1_000),
    # 200,001×6 + 1,000×22.50 = 1,200,006 + 22,500 = 1,222,506 → 1.222506 (§11 ex. 6)
    case("sonnet-4-5-prompt-200001", "claude-sonnet-4-5", "2025-10-01", "1.222506",
         input_uncached=200_001, output=1_000),
    # GPT-5.5, 272,000 in: 272,000×5 + 1,000×30 = 1,360,000 + 30,000 = 1,390,000 → 1.39 (§11 ex. 6)
    case("gpt-5.5-prompt-272000", "gpt-5.5", "2026-05-01", "1.39", input_uncached=272_000, output=1_000),
    # 272,001×10 + 1,000×45 = 2,720,010 + 45,000 = 2,765,010 → 2.76501 (§11 ex. 6)
    case("gpt-5.5-prompt-272001", "gpt-5.5", "2026-05-01", "2.76501", input_uncached=272_001, output=1_000),
    # Gemini 2.5 Pro, 200,000 in: 200,000×1.25 + 1,000×10 = 250,000 + 10,000 = 260,000 → 0.26
    case("gemini-2.5-pro-prompt-200000", "gemini-2.5-pro", "2025-08-01", "0.26",
         input_uncached=200_000, output=1_000),
    # 200,001×2.50 + 1,000×15 = 500,002.5 + 15,000 = 515,002.5 → 0.5150025
    case("gemini-2.5-pro-prompt-200001", "gemini-2.5-pro", "2025-08-01", "0.5150025",
         input_uncached=200_001, output=1_000),
    # Sonnet 4 before its 1M beta: no tier. 300,000×3 + 1,000×15 = 900,000 + 15,000 = 915,000 → 0.915
    case("sonnet-4-300k-before-tier", "claude-sonnet-4-20250514", "2025-08-11T23:59:59", "0.915",
         price_model="claude-sonnet-4", input_uncached=300_000, output=1_000),
    # from 2025-08-12: 300,000×6 + 1,000×22.50 = 1,800,000 + 22,500 = 1,822,500 → 1.8225 (§12 item 4)
    case("sonnet-4-300k-with-tier", "claude-sonnet-4-20250514", "2025-08-12T00:00:00", "1.8225",
         price_model="claude-sonnet-4", input_uncached=300_000, output=1_000),
    # ---------------------------------------------------------------- batch ×0.5
    # OpenAI: (100,000×2 + 20,000×8) × 0.5 = (200,000 + 160,000) × 0.5 = 180,000 → 0.18
    case("batch-openai-gpt-4.1", "gpt-4.1", "2025-05-01", "0.18",
         input_uncached=100_000, output=20_000, service_tier="batch"),
    # Anthropic, stacking with cache rates: (100,000×3 + 10,000×0.30 + 4,000×3.75 + 20,000×15) × 0.5
    # = (300,000 + 3,000 + 15,000 + 300,000) × 0.5 = 618,000 × 0.5 = 309,000 → 0.309
    case("batch-anthropic-claude-3-5-sonnet", "claude-3-5-sonnet-20241022", "2024-11-01", "0.309",
         price_model="claude-3-5-sonnet", input_uncached=100_000, cache_read=10_000, cache_write_5m=4_000,
         output=20_000, service_tier="batch"),
    # Anthropic, stacking with the >200k tier: (200,001×6 + 1,000×22.50) × 0.5 = 1,222,506 × 0.5 → 0.611253
    case("batch-anthropic-sonnet-4-5-tier", "claude-sonnet-4-5", "2025-10-01", "0.611253",
         input_uncached=200_001, output=1_000, service_tier="batch"),
    # Google: (100,000×1.25 + 20,000×10) × 0.5 = (125,000 + 200,000) × 0.5 = 162,500 → 0.1625
    case("batch-google-gemini-2.5-pro", "gemini-2.5-pro", "2025-08-01", "0.1625",
         input_uncached=100_000, output=20_000, service_tier="batch"),
    # batch before Anthropic's modifier (2024-10-08): flagged, priced at standard
    # 100,000×3 + 20,000×15 = 300,000 + 300,000 = 600,000 → 0.6
    case("batch-before-anthropic-modifier", "claude-3-5-sonnet", "2024-10-07T23:59:59", "0.6",
         status="tier_not_in_table", input_uncached=100_000, output=20_000, service_tier="batch"),
    # batch before Google's modifier (2025-07-07): 100,000×1.25 + 20,000×10 = 325,000 → 0.325
    case("batch-before-google-modifier", "gemini-2.5-pro", "2025-07-06T12:00:00", "0.325",
         status="tier_not_in_table", input_uncached=100_000, output=20_000, service_tier="batch"),
    # ---------------------------------------------------------------- batch / flex: cached input per generation
    # OpenAI before GPT-5: input and output halved, cached input at the STANDARD cached rate (0.50 for 4.1)
    # 100,000×1 + 40,000×0.50 + 10,000×4 = 100,000 + 20,000 + 40,000 = 160,000 → 0.16 (halved cache: 0.15)
    case("batch-gpt-4.1-cached-at-standard", "gpt-4.1", "2025-05-01", "0.16",
         input_uncached=100_000, cache_read=40_000, output=10_000, service_tier="batch"),
    # o4-mini: 10,000×0.55 + 100,000×0.275 + 1,000×2.20 = 5,500 + 27,500 + 2,200 = 35,200 → 0.0352
    case("batch-o4-mini-cached-at-standard", "o4-mini", "2025-05-01", "0.0352",
         input_uncached=10_000, cache_read=100_000, output=1_000, service_tier="batch"),
    # the first gpt-4o snapshot with a cache price, logged as the alias after the switch:
    # 10,000×1.25 + 20,000×1.25 + 1,000×5 = 12,500 + 25,000 + 5,000 = 42,500 → 0.0425
    case("batch-gpt-4o-alias-cached-at-standard", "gpt-4o", "2024-10-02T00:00:00", "0.0425",
         price_model="gpt-4o-2024-08-06", input_uncached=10_000, cache_read=20_000, output=1_000,
         service_tier="batch"),
    # GPT-5 era still halves cached input: 100,000×0.625 + 40,000×0.0625 + 10,000×5
    # = 62,500 + 2,500 + 50,000 = 115,000 → 0.115
    case("batch-gpt-5-cached-halved", "gpt-5", "2025-09-01", "0.115",
         input_uncached=100_000, cache_read=40_000, output=10_000, service_tier="batch"),
    # gpt-3.5-turbo-1106: the Batch table lists the standard rate, priced (not flagged):
    # 100,000×1 + 10,000×2 = 100,000 + 20,000 = 120,000 → 0.12
    case("batch-gpt-3.5-turbo-1106-is-standard", "gpt-3.5-turbo-1106", "2024-06-01", "0.12",
         input_uncached=100_000, output=10_000, service_tier="batch"),
    # its sibling 0125 is halved: 100,000×0.25 + 10,000×0.75 = 25,000 + 7,500 = 32,500 → 0.0325
    case("batch-gpt-3.5-turbo-0125-halved", "gpt-3.5-turbo-0125", "2024-06-01", "0.0325",
         input_uncached=100_000, output=10_000, service_tier="batch"),
    # gpt-5.4 batch, prompt 172,000 + 100,000 cached = 272,000 (not > 272k): cached at the published 0.13
    # 172,000×1.25 + 100,000×0.13 + 1,000×7.50 = 215,000 + 13,000 + 7,500 = 235,500 → 0.2355
    case("batch-gpt-5.4-cached-0.13-at-272000", "gpt-5.4", "2026-05-01", "0.2355",
         input_uncached=172_000, cache_read=100_000, output=1_000, service_tier="batch"),
    # prompt 272,001: the long-context band halved, cached 0.25 (half of 0.50)
    # 172,001×2.50 + 100,000×0.25 + 1,000×11.25 = 430,002.5 + 25,000 + 11,250 = 466,252.5 → 0.4662525
    case("batch-gpt-5.4-cached-0.25-at-272001", "gpt-5.4", "2026-05-01", "0.4662525",
         input_uncached=172_001, cache_read=100_000, output=1_000, service_tier="batch"),
    # flex: the same published rates (0.2355 and 0.4662525 by the same arithmetic)
    case("flex-gpt-5.4-cached-0.13-at-272000", "gpt-5.4", "2026-05-01", "0.2355",
         input_uncached=172_000, cache_read=100_000, output=1_000, service_tier="flex"),
    case("flex-gpt-5.4-cached-0.25-at-272001", "gpt-5.4", "2026-05-01", "0.4662525",
         input_uncached=172_001, cache_read=100_000, output=1_000, service_tier="flex"),
    # the gpt-5.4 rule does not catch gpt-5.4-mini (halved: 0.375 / 0.0375 / 2.25):
    # 100,000×0.375 + 100,000×0.0375 + 1,000×2.25 = 37,500 + 3,750 + 2,250 = 43,500 → 0.0435
    case("flex-gpt-5.4-mini-cached-halved", "gpt-5.4-mini", "2026-05-01", "0.0435",
         input_uncached=100_000, cache_read=100_000, output=1_000, service_tier="flex"),
    # Azure bills OpenAI's list price and takes OpenAI's flex rule: 0.2355 as above
    case("flex-azure-gpt-5.4-cached-0.13", "gpt-5.4", "2026-05-01", "0.2355", price_model="azure/gpt-5.4",
         platform="azure", input_uncached=172_000, cache_read=100_000, output=1_000, service_tier="flex"),
    # o4-mini flex, first second of flex: 10,000×0.55 + 100,000×0.138 + 1,000×2.20
    # = 5,500 + 13,800 + 2,200 = 21,500 → 0.0215 (0.1375 would give 0.02145)
    case("flex-o4-mini-cached-0.138", "o4-mini", "2025-04-17T00:00:00", "0.0215",
         input_uncached=10_000, cache_read=100_000, output=1_000, service_tier="flex"),
    # one second before flex existed: flagged, standard 10,000×1.10 + 100,000×0.275 + 1,000×4.40
    # = 11,000 + 27,500 + 4,400 = 42,900 → 0.0429
    case("flex-o4-mini-before-flex", "o4-mini", "2025-04-16T23:59:59", "0.0429", status="tier_not_in_table",
         input_uncached=10_000, cache_read=100_000, output=1_000, service_tier="flex"),
    # Gemini 2.5 Pro batch, cache reads at the standard rate in both bands. Prompt 150,000 + 50,000 = 200,000:
    # 150,000×0.625 + 50,000×0.125 + 1,000×5 = 93,750 + 6,250 + 5,000 = 105,000 → 0.105
    case("batch-gemini-2.5-pro-cached-at-standard-200000", "gemini-2.5-pro", "2025-08-01", "0.105",
         input_uncached=150_000, cache_read=50_000, output=1_000, service_tier="batch"),
    # prompt 200,001: 150,001×1.25 + 50,000×0.25 + 1,000×7.50 = 187,501.25 + 12,500 + 7,500 = 207,501.25
    case("batch-gemini-2.5-pro-cached-at-standard-200001", "gemini-2.5-pro", "2025-08-01", "0.20750125",
         input_uncached=150_001, cache_read=50_000, output=1_000, service_tier="batch"),
    # Vertex inherits Google's batch rules: 100,000×0.625 + 50,000×0.125 + 10,000×5
    # = 62,500 + 6,250 + 50,000 = 118,750 → 0.11875
    case("batch-vertex-gemini-2.5-pro-cached-at-standard", "gemini-2.5-pro", "2025-08-01", "0.11875",
         price_model="vertex/gemini-2.5-pro", platform="vertex", input_uncached=100_000, cache_read=50_000,
         output=10_000, service_tier="batch"),
    # Gemini 2.0 Flash on Vertex at Vertex's own list price (vertex.toml, table 2026.11.23-9): 0.15 / 0.0375 /
    # 0.60, audio 1.00 (BerriAI/litellm#8320 quoting the Vertex page; cache 0.25x input, the Vertex caching page's
    # 75% off for 2.0). 100,000×0.15 + 40,000×0.0375 + 10,000×0.60 = 15,000 + 1,500 + 6,000 = 22,500 → 0.0225
    case("vertex-gemini-2.0-flash-vertex-list-price", "gemini-2.0-flash", "2025-03-03", "0.0225",
         price_model="vertex/gemini-2.0-flash", platform="vertex", input_uncached=100_000, cache_read=40_000,
         output=10_000),
    # its first second (GA), with audio: 1,000,000×0.15 + 100,000×1.00 + 100,000×0.60
    # = 150,000 + 100,000 + 60,000 = 310,000 → 0.31
    case("vertex-gemini-2.0-flash-ga-second-audio", "gemini-2.0-flash-001", "2025-02-05T00:00:00", "0.31",
         price_model="vertex/gemini-2.0-flash", platform="vertex", input_uncached=1_000_000, audio_in=100_000,
         output=100_000),
    # the same call on the Gemini API keeps the API's 0.10 / 0.70 / 0.40:
    # 1,000,000×0.10 + 100,000×0.70 + 100,000×0.40 = 100,000 + 70,000 + 40,000 = 210,000 → 0.21
    case("gemini-api-2.0-flash-ga-second-audio", "gemini-2.0-flash-001", "2025-02-05T00:00:00", "0.21",
         price_model="gemini-2.0-flash", input_uncached=1_000_000, audio_in=100_000, output=100_000),
    # Vertex batch prediction before the Gemini API's Batch Mode (vertex.toml's own rules).
    # Gemini 2.0 Flash on Vertex (0.15 / 0.0375 / 0.60) at half of every rate:
    # 100,000×0.075 + 40,000×0.01875 + 10,000×0.30 = 7,500 + 750 + 3,000 = 11,250 → 0.01125
    # (standard: 0.0225 above, exactly twice)
    case("batch-vertex-gemini-2.0-flash-2025-03-half", "gemini-2.0-flash", "2025-03-03", "0.01125",
         price_model="vertex/gemini-2.0-flash", platform="vertex", input_uncached=100_000, cache_read=40_000,
         output=10_000, service_tier="batch"),
    # its first second on Vertex (2.0 Flash GA): 1,000,000×0.075 + 100,000×0.30 = 75,000 + 30,000 → 0.105
    # (the page quoted in BerriAI/litellm#8320: 'Price with Batch API' 0.075 / 0.30)
    case("batch-vertex-gemini-2.0-flash-ga-second", "gemini-2.0-flash-001", "2025-02-05T00:00:00", "0.105",
         price_model="vertex/gemini-2.0-flash", platform="vertex", input_uncached=1_000_000, output=100_000,
         service_tier="batch"),
    # after the Gemini API's Batch Mode (2025-07-07) Vertex 2.0 Flash batch stays half of VERTEX's rate, audio
    # 0.50 too: 1,000,000×0.075 + 100,000×0.50 + 100,000×0.30 = 75,000 + 50,000 + 30,000 = 155,000 → 0.155
    case("batch-vertex-gemini-2.0-flash-after-batch-mode-audio", "gemini-2.0-flash", "2025-07-07T00:00:00",
         "0.155", price_model="vertex/gemini-2.0-flash", platform="vertex", input_uncached=1_000_000,
         audio_in=100_000, output=100_000, service_tier="batch"),
    # one second earlier Vertex has no per-token 2.0 Flash price at all (batch or not)
    case("batch-vertex-gemini-2.0-flash-before-ga", "gemini-2.0-flash-001", "2025-02-04T23:59:59", None,
         status="no_price_at_date", price_model="vertex/gemini-2.0-flash", platform="vertex",
         input_uncached=1_000, output=1_000, service_tier="batch"),
    # Gemini 2.0 Flash-Lite (0.075 / 0.30) at half: 1,000,000×0.0375 + 100,000×0.15 = 37,500 + 15,000 → 0.0525
    case("batch-vertex-gemini-2.0-flash-lite-2025-03", "gemini-2.0-flash-lite", "2025-03-01", "0.0525",
         price_model="vertex/gemini-2.0-flash-lite", platform="vertex", input_uncached=1_000_000,
         output=100_000, service_tier="batch"),
    # Gemini 2.5 Pro preview, the last second before 2025-07-07: cache reads at the standard rate (the Vertex
    # discounts do not stack). Prompt 150,000 + 50,000 = 200,000 (≤200k band):
    # 150,000×0.625 + 50,000×0.125 + 1,000×5 = 93,750 + 6,250 + 5,000 = 105,000 → 0.105
    case("batch-vertex-gemini-2.5-pro-before-batch-mode-200000", "gemini-2.5-pro-preview-05-06",
         "2025-07-06T23:59:59", "0.105", price_model="vertex/gemini-2.5-pro", platform="vertex",
         input_uncached=150_000, cache_read=50_000, output=1_000, service_tier="batch"),
    # prompt 200,001, the >200k band (2.50 / 0.25 / 15) halved except cache reads:
    # 150,001×1.25 + 50,000×0.25 + 1,000×7.50 = 187,501.25 + 12,500 + 7,500 = 207,501.25 → 0.20750125
    case("batch-vertex-gemini-2.5-pro-before-batch-mode-200001", "gemini-2.5-pro", "2025-05-01", "0.20750125",
         price_model="vertex/gemini-2.5-pro", platform="vertex", input_uncached=150_001, cache_read=50_000,
         output=1_000, service_tier="batch"),
    # Gemini 2.5 Flash preview (0.15 / 0.0375 / 3.50): 100,000×0.075 + 100,000×0.0375 + 10,000×1.75
    # = 7,500 + 3,750 + 17,500 = 28,750 → 0.02875
    case("batch-vertex-gemini-2.5-flash-preview-cached-at-standard", "gemini-2.5-flash-preview-05-20",
         "2025-06-01", "0.02875", price_model="vertex/gemini-2.5-flash", platform="vertex",
         input_uncached=100_000, cache_read=100_000, output=10_000, service_tier="batch"),
    # Gemini 1.5 stays unpriced on Vertex (per-character billing), batch included
    case("batch-vertex-gemini-1.5-flash-unpriced", "gemini-1.5-flash-002", "2024-11-01", None,
         status="unpriced_model", price_model=None, platform="vertex", input_uncached=1_000, output=1_000,
         service_tier="batch"),
    # Gemini 3.1 Flash-Lite halves caching: 100,000×0.125 + 100,000×0.0125 + 10,000×0.75
    # = 12,500 + 1,250 + 7,500 = 21,250 → 0.02125
    case("batch-gemini-3.1-flash-lite-cached-halved", "gemini-3.1-flash-lite", "2026-05-01", "0.02125",
         input_uncached=100_000, cache_read=100_000, output=10_000, service_tier="batch"),
    # Gemini 3.5 Flash-Lite at its launch second: cached at the published 0.02
    # 100,000×0.15 + 100,000×0.02 + 10,000×1.25 = 15,000 + 2,000 + 12,500 = 29,500 → 0.0295
    case("batch-gemini-3.5-flash-lite-cached-0.02", "gemini-3.5-flash-lite", "2026-07-21T00:00:00", "0.0295",
         input_uncached=100_000, cache_read=100_000, output=10_000, service_tier="batch"),
    # ---------------------------------------------------------------- per-request fees: web searches
    # Sonnet 4.5, 3 searches: 10,000×3 + 1,000×15 = 30,000 + 15,000 = 45,000 → 0.045; + 3 × 10 / 1,000 = 0.03
    # → 0.075
    case("web-search-anthropic-sonnet-4-5", "claude-sonnet-4-5", "2025-10-01", "0.075",
         input_uncached=10_000, output=1_000, web_searches=3),
    # the last second before Anthropic's fee: flagged, tokens only (a lower bound):
    # 1,000×3 + 100×15 = 3,000 + 1,500 = 4,500 → 0.0045
    case("web-search-anthropic-before-the-fee", "claude-3-7-sonnet", "2025-05-06T23:59:59", "0.0045",
         status="missing_fee", input_uncached=1_000, output=100, web_searches=1),
    # the first second of it: 0.0045 + 1 × 10 / 1,000 = 0.0145
    case("web-search-anthropic-first-second", "claude-3-7-sonnet", "2025-05-07T00:00:00", "0.0145",
         input_uncached=1_000, output=100, web_searches=1),
    # batch halves the tokens, not the fee: (100,000×3 + 10,000×15) × 0.5 = 450,000 × 0.5 = 225,000 → 0.225;
    # + 2 × 10 / 1,000 = 0.02 → 0.245
    case("web-search-anthropic-batch-fee-not-halved", "claude-sonnet-4-5", "2025-10-01", "0.245",
         input_uncached=100_000, output=10_000, web_searches=2, service_tier="batch"),
    # a usage-report bucket (no request count) pays for its searches too: 1,000×3 = 3,000 → 0.003;
    # + 10 × 10 / 1,000 = 0.1 → 0.103
    case("web-search-anthropic-bucket", "claude-sonnet-4-20250514", "2025-08-01", "0.103",
         price_model="claude-sonnet-4", record_kind="bucket", request_count=0, input_uncached=1_000, web_searches=10),
    # zero searches on a model with no fee rule: nothing to flag. 10,000×0.30 + 1,000×2.50 = 5,500 → 0.0055
    case("web-search-none-needs-no-fee", "gemini-2.5-flash", "2026-11-01", "0.0055",
         input_uncached=10_000, output=1_000),
    # Gemini has no per-call grounding fee in the table (google.toml): flagged, tokens only → 0.0055
    case("web-search-gemini-is-flagged", "gemini-2.5-flash", "2026-11-01", "0.0055", status="missing_fee",
         input_uncached=10_000, output=1_000, web_searches=1),
    # OpenAI from the day the fee was verified: 10,000×1.25 + 1,000×10 = 12,500 + 10,000 = 22,500 → 0.0225;
    # + 2 × 10 / 1,000 = 0.02 → 0.0425
    case("web-search-openai-gpt-5", "gpt-5", "2026-10-12T00:00:00", "0.0425",
         input_uncached=10_000, output=1_000, web_searches=2),
    # one second earlier the fee is unknown (it depended on search context size): flagged, 0.0225
    case("web-search-openai-before-the-fee", "gpt-5", "2026-10-11T23:59:59", "0.0225", status="missing_fee",
         input_uncached=10_000, output=1_000, web_searches=2),
    # gpt-4.1-nano has no web search fee rule (no tool): 10,000×0.10 + 1,000×0.40 = 1,400 → 0.0014, flagged
    case("web-search-openai-model-without-the-tool", "gpt-4.1-nano", "2026-11-01", "0.0014", status="missing_fee",
         input_uncached=10_000, output=1_000, web_searches=1),
    # a missing token rate is reported first; the fee is still counted: 10,000×5 + 1,000×15 = 65,000 → 0.065;
    # + 1 × 10 / 1,000 = 0.01 → 0.075 (the 5,000 cache reads have no rate on this snapshot)
    case("web-search-missing-rate-wins", "gpt-4o-2024-05-13", "2026-11-01", "0.075", status="missing_rate",
         input_uncached=10_000, cache_read=5_000, output=1_000, web_searches=1),
    # Bedrock bills its own copy of Claude: no fee rule there, flagged. Regional = list × 1.1:
    # 1,000×3.30 + 100×16.50 = 3,300 + 1,650 = 4,950 → 0.00495
    case("web-search-bedrock-copy-is-flagged", "claude-sonnet-4-5-20250929", "2025-10-01", "0.00495",
         status="missing_fee", price_model="bedrock/regional/claude-sonnet-4-5", platform="bedrock",
         input_uncached=1_000, output=100, web_searches=1),
    # ---------------------------------------------------------------- each cache bucket at its own rate
    # Opus 4.5 (flat, no tier), 1,000,000 tokens in ONE bucket each: input 5; read 0.1× = 0.50;
    # 5m write 1.25× = 6.25; 1h write 2× = 10; output 25
    case("opus-4-5-bucket-input", "claude-opus-4-5", "2025-12-01", "5", input_uncached=1_000_000),
    case("opus-4-5-bucket-cache-read", "claude-opus-4-5", "2025-12-01", "0.5", cache_read=1_000_000),
    case("opus-4-5-bucket-cache-write-5m", "claude-opus-4-5", "2025-12-01", "6.25", cache_write_5m=1_000_000),
    case("opus-4-5-bucket-cache-write-1h", "claude-opus-4-5", "2025-12-01", "10", cache_write_1h=1_000_000),
    case("opus-4-5-bucket-output", "claude-opus-4-5", "2025-12-01", "25", output=1_000_000),
    # all buckets at once (prompt 56,000 < 200k): 1,000×3 + 50,000×0.30 + 2,000×3.75 + 3,000×6 + 800×15
    # = 3,000 + 15,000 + 7,500 + 18,000 + 12,000 = 55,500 → 0.0555
    case("sonnet-4-5-all-buckets", "claude-sonnet-4-5", "2025-10-01", "0.0555",
         input_uncached=1_000, cache_read=50_000, cache_write_5m=2_000, cache_write_1h=3_000, output=800),
    # OpenAI cached read (§11 ex. 3: 10,000 prompt incl. 8,000 cached): 2,000×2 + 8,000×0.50 + 500×8
    # = 4,000 + 4,000 + 4,000 = 12,000 → 0.012
    case("openai-cached-read-gpt-4.1", "gpt-4.1", "2025-05-01", "0.012",
         input_uncached=2_000, cache_read=8_000, output=500),
    # OpenAI cache write (GPT-5.6, 1.25× input): 1,000×5 + 4,000×0.50 + 2,000×6.25 + 500×30
    # = 5,000 + 2,000 + 12,500 + 15,000 = 34,500 → 0.0345
    case("openai-cache-write-gpt-5.6-sol", "gpt-5.6-sol", "2026-07-15", "0.0345",
         input_uncached=1_000, cache_read=4_000, cache_write_5m=2_000, output=500),
    # ---------------------------------------------------------------- flags
    # gpt-4o-2024-05-13 never had a cached rate: flagged, the cost is a lower bound without the cache reads
    # 10,000×5 + 1,000×15 = 50,000 + 15,000 = 65,000 → 0.065
    case("missing-rate-cache-on-gpt-4o-2024-05-13", "gpt-4o-2024-05-13", "2024-11-01", "0.065",
         status="missing_rate", input_uncached=10_000, cache_read=5_000, output=1_000),
    # Claude 3.5 Haiku's launch period lists no 1h-write rate: 1,000×1 + 500×5 = 1,000 + 2,500 = 3,500 → 0.0035
    case("missing-rate-1h-write-on-haiku-3-5-launch", "claude-3-5-haiku", "2024-11-20", "0.0035",
         status="missing_rate", input_uncached=1_000, cache_write_1h=2_000, output=500),
    case("unpriced-model", "acme-llm-9000", "2025-06-01", None,
         status="unpriced_model", price_model=None, input_uncached=1_000, output=1_000),
    # o3's first period starts 2025-04-16
    case("no-price-at-date-o3-before-launch", "o3", "2025-04-15T23:59:59", None,
         status="no_price_at_date", input_uncached=1_000, output=1_000),
    # ---------------------------------------------------------------- reasoning is inside output, at the output rate
    # o4-mini, 5,000 output of which 4,000 reasoning: 1,000×1.10 + 5,000×4.40 = 1,100 + 22,000 = 23,100 → 0.0231
    case("reasoning-inside-output-o4-mini", "o4-mini", "2025-05-01", "0.0231", input_uncached=1_000, output=5_000),
    # ---------------------------------------------------------------- price history
    # Claude 3.5 Haiku launch: 10,000×1 + 2,000×5 = 10,000 + 10,000 = 20,000 → 0.02
    case("haiku-3-5-launch-price", "claude-3-5-haiku-20241022", "2024-11-20", "0.02",
         price_model="claude-3-5-haiku", input_uncached=10_000, output=2_000),
    # after the cut (table: 2024-12-03, day C): 10,000×0.80 + 2,000×4 = 8,000 + 8,000 = 16,000 → 0.016
    case("haiku-3-5-cut-price", "claude-3-5-haiku-20241022", "2024-12-03T00:00:00", "0.016",
         price_model="claude-3-5-haiku", input_uncached=10_000, output=2_000),
    # Gemini 2.5 Flash preview (output at the 3.50 thinking rate; the reference CSV lists 0.60 non-thinking,
    # see the report): 10,000×0.15 + 2,000×3.50 = 1,500 + 7,000 = 8,500 → 0.0085
    case("gemini-2.5-flash-preview-price", "gemini-2.5-flash-preview-04-17", "2025-06-16T23:59:59", "0.0085",
         price_model="gemini-2.5-flash", input_uncached=10_000, output=2_000),
    # GA from 2025-06-17: 10,000×0.30 + 2,000×2.50 = 3,000 + 5,000 = 8,000 → 0.008
    case("gemini-2.5-flash-ga-price", "gemini-2.5-flash", "2025-06-17T00:00:00", "0.008",
         input_uncached=10_000, output=2_000),
    # ---------------------------------------------------------------- OpenAI audio tokens (audio_in / audio_out)
    # a gpt-4o-audio-preview chat completion (VOICE: 1,000 text + 2,000 audio prompt, 300 text + 500 audio
    # completion). 2024-12-17 snapshot: 1,000×2.50 + 2,000×40 + 300×10 + 500×80 = 2,500 + 80,000 + 3,000 + 40,000
    # = 125,500 → 0.1255
    case("audio-gpt-4o-audio-preview-2024-12-17", "gpt-4o-audio-preview-2024-12-17", "2025-03-01", "0.1255",
         **VOICE),
    case("audio-gpt-4o-audio-preview-2025-06-03", "gpt-4o-audio-preview-2025-06-03", "2025-07-01", "0.1255",
         price_model="gpt-4o-audio-preview-2024-12-17", **VOICE),
    # 2024-10-01 snapshot, audio 100 / 200: 2,500 + 2,000×100 + 3,000 + 500×200 = 2,500 + 200,000 + 3,000 + 100,000
    # = 305,500 → 0.3055
    case("audio-gpt-4o-audio-preview-2024-10-01", "gpt-4o-audio-preview-2024-10-01", "2024-11-01", "0.3055",
         **VOICE),
    # the undated name: → 2024-10-01 until 2024-12-17, then → 2024-12-17
    case("audio-gpt-4o-audio-preview-alias-before", "gpt-4o-audio-preview", "2024-12-16T23:59:59", "0.3055",
         price_model="gpt-4o-audio-preview-2024-10-01", **VOICE),
    case("audio-gpt-4o-audio-preview-alias-after", "gpt-4o-audio-preview", "2024-12-17T00:00:00", "0.1255",
         price_model="gpt-4o-audio-preview-2024-12-17", **VOICE),
    # no cached rate published for the audio previews: 1,000 cached tokens are flagged, cost without them
    # (1,000×2.50 + 100×10 = 2,500 + 1,000 = 3,500 → 0.0035, a lower bound)
    case("audio-gpt-4o-audio-preview-cached-missing-rate", "gpt-4o-audio-preview-2024-12-17", "2025-03-01", "0.0035",
         status="missing_rate", input_uncached=1_000, cache_read=1_000, output=100),
    # mini: 1,000×0.15 + 2,000×10 + 300×0.60 + 500×20 = 150 + 20,000 + 180 + 10,000 = 30,330 → 0.03033
    case("audio-gpt-4o-mini-audio-preview", "gpt-4o-mini-audio-preview-2024-12-17", "2025-03-01", "0.03033",
         price_model="gpt-4o-mini-audio-preview", **VOICE),
    # Realtime, the 2024-12-17 audio cut on the undated name (REALTIME: 1,000 text + 4,000 cached + 2,000 audio in,
    # 200 text + 800 audio out). Before: 1,000×5 + 4,000×2.50 + 2,000×100 + 200×20 + 800×200
    # = 5,000 + 10,000 + 200,000 + 4,000 + 160,000 = 379,000 → 0.379
    case("audio-realtime-alias-before-cut", "gpt-4o-realtime-preview", "2024-12-16T23:59:59", "0.379",
         price_model="gpt-4o-realtime-preview-2024-10-01", **REALTIME),
    # after: 5,000 + 10,000 + 2,000×40 + 4,000 + 800×80 = 5,000 + 10,000 + 80,000 + 4,000 + 64,000 = 163,000 → 0.163
    case("audio-realtime-alias-after-cut", "gpt-4o-realtime-preview", "2024-12-17T00:00:00", "0.163",
         price_model="gpt-4o-realtime-preview-2024-12-17", **REALTIME),
    # the old snapshot keeps its launch price after the cut (a dated id never moves)
    case("audio-realtime-2024-10-01-after-cut", "gpt-4o-realtime-preview-2024-10-01", "2025-01-15", "0.379",
         **REALTIME),
    case("audio-realtime-2025-06-03", "gpt-4o-realtime-preview-2025-06-03", "2025-07-01", "0.163",
         price_model="gpt-4o-realtime-preview-2024-12-17", **REALTIME),
    # mini realtime: 1,000×0.60 + 4,000×0.30 + 2,000×10 + 200×2.40 + 800×20 = 600 + 1,200 + 20,000 + 480 + 16,000
    # = 38,280 → 0.03828
    case("audio-gpt-4o-mini-realtime-preview", "gpt-4o-mini-realtime-preview-2024-12-17", "2025-03-01", "0.03828",
         price_model="gpt-4o-mini-realtime-preview", **REALTIME),
    # gpt-realtime: 1,000×4 + 10,000×0.40 + 3,000×32 + 100×16 + 1,500×64 = 4,000 + 4,000 + 96,000 + 1,600 + 96,000
    # = 201,600 → 0.2016
    case("audio-gpt-realtime-2025-08-28", "gpt-realtime-2025-08-28", "2025-09-01", "0.2016",
         price_model="gpt-realtime", input_uncached=1_000, cache_read=10_000, audio_in=3_000, output=100,
         audio_out=1_500),
    case("audio-gpt-realtime-before-launch", "gpt-realtime", "2025-08-27T23:59:59", None,
         status="no_price_at_date", input_uncached=1_000, audio_in=3_000),
    # no batch rule: priced at standard and flagged (1,000×4 + 3,000×32 = 4,000 + 96,000 = 100,000 → 0.1)
    case("audio-gpt-realtime-batch-not-in-table", "gpt-realtime", "2026-11-01", "0.1",
         status="tier_not_in_table", input_uncached=1_000, audio_in=3_000, service_tier="batch"),
    # gpt-realtime-mini: 2,000×0.60 + 10,000×0.06 + 5,000×10 + 500×2.40 + 1,000×20 = 1,200 + 600 + 50,000 + 1,200
    # + 20,000 = 73,000 → 0.073
    case("audio-gpt-realtime-mini-2025-12-15", "gpt-realtime-mini-2025-12-15", "2026-01-10", "0.073",
         price_model="gpt-realtime-mini", input_uncached=2_000, cache_read=10_000, audio_in=5_000, output=500,
         audio_out=1_000),
    # gpt-audio: 1,000×2.50 + 2,000×32 + 300×10 + 500×64 = 2,500 + 64,000 + 3,000 + 32,000 = 101,500 → 0.1015
    case("audio-gpt-audio-2025-08-28", "gpt-audio-2025-08-28", "2025-09-01", "0.1015",
         price_model="gpt-audio", **VOICE),
    # gpt-audio-mini: 1,000×0.60 + 2,000×10 + 300×2.40 + 500×20 = 600 + 20,000 + 720 + 10,000 = 31,320 → 0.03132
    case("audio-gpt-audio-mini-2025-10-06", "gpt-audio-mini-2025-10-06", "2025-11-01", "0.03132",
         price_model="gpt-audio-mini", **VOICE),
    # per-minute / per-character models have no unit in the schema: left unpriced
    case("audio-gpt-4o-transcribe-unpriced", "gpt-4o-transcribe", "2025-09-01", None,
         status="unpriced_model", price_model=None, input_uncached=100, audio_in=1_000, output=50),
    case("audio-whisper-1-unpriced", "whisper-1", "2025-09-01", None,
         status="unpriced_model", price_model=None, audio_in=1_000),
    # ---------------------------------------------------------------- zero and tiny calls
    case("zero-tokens-costs-exactly-zero", "gpt-4.1", "2025-05-01", "0"),
    # 1 token × 0.075 / 1e6 = 0.000000075
    case("one-token-at-0.075", "gemini-2.0-flash-lite", "2025-03-01", "0.000000075", input_uncached=1),
    # 1 cached token on Gemini 1.5 Flash: 0.01875 / 1e6 = 0.00000001875; under batch × 0.5 = 0.000000009375
    case("one-cached-token-at-0.01875", "gemini-1.5-flash", "2024-09-01", "0.00000001875", cache_read=1),
    case("one-cached-token-at-0.01875-batch", "gemini-1.5-flash", "2025-08-01", "0.000000009375",
         cache_read=1, service_tier="batch"),
]  # fmt: skip


@pytest.fixture(scope="module")
def priced() -> dict[str, tuple[Decimal | None, str, str | None]]:
    """All cases in ONE store (installing the table costs ~0.3 s), priced by one query of priced_usage."""
    con = store()
    for c in CASES:
        add_call(con, c.model, c.at, key=c.id, **c.tokens)
    rows = con.execute("select dedupe_key, cost_usd, price_status, price_model from priced_usage").fetchall()
    assert len(rows) == len(CASES)
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id) for c in CASES])
def test_hand_computed_case(priced: dict[str, tuple[Decimal | None, str, str | None]], c: Case) -> None:
    cost, status, price_model = priced[c.id]
    assert (status, price_model) == (c.status, c.price_model)
    if c.expected is None:
        assert cost is None
        return
    assert isinstance(cost, Decimal)
    assert cost == c.expected
    # exact decimal, not a float: at least 12 fractional digits are kept
    exponent = cost.as_tuple().exponent
    assert isinstance(exponent, int) and -exponent >= 12, f"cost {cost!r} has fewer than 12 fractional digits"


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_one_call_alone_prices_like_in_the_shared_store() -> None:
    """tests/helpers.price (one call, its own store) gives the same as the shared store: no cross-talk."""
    c = next(c for c in CASES if c.id == "sonnet-4-5-prompt-200001-incl-cache")
    assert price(c.model, c.at, **c.tokens) == (c.expected, c.status, c.price_model)


def test_tiny_cost_is_not_rounded_away() -> None:
    """A 1-token call keeps every digit: 0.075 / 1e6 is exactly 0.000000075, not 0 nor a float 7.5e-08."""
    cost, status, _ = price("gemini-2.0-flash-lite", datetime(2025, 3, 1, tzinfo=UTC), input_uncached=1)
    assert status == "priced"
    assert cost == Decimal("0.000000075")
    assert cost.as_tuple().exponent == -16  # DECIMAL(38, 16): the digits are all there
