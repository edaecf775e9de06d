"""Audio tokens (migration 0006): OpenAI and Gemini report audio INSIDE the prompt and completion counts
(reference log_formats.md §1, §3.1, §3.13); ingest moves it into the disjoint audio_in / audio_out buckets,
priced at the model's own audio rates, and flags a call with audio on a model that has none. Expected costs are
computed BY HAND (USD per 1M tokens):

  Gemini 2.5 Flash (GA)  input 0.30 / cache read 0.03 / output 2.50 / audio in 1.00; batch: input, output and
                         audio x0.5, cache reads at the standard rate (pricing/google.toml)
  Gemini 2.5 Pro         1.25 / 0.125 / 10, no audio rate in the table
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from finops import db, pricing
from finops.ingest import ingest
from tests.helpers import add_call, price, store, table
from tests.test_pricing_table import write_dir

BUCKETS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "audio_in", "audio_out")


def _ingest(tmp_path: Path, name: str, lines: list[Any], **kw: Any) -> duckdb.DuckDBPyConnection:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    con = db.connect(":memory:")
    pricing.install(con, table())
    db.create_views(con)
    ingest(con, [path], **kw)
    return con


def _rows(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    cols = ", ".join(BUCKETS)
    return con.execute(
        f"select request_id, {cols}, price_status, cost_usd from priced_usage order by source_line"
    ).fetchall()


def test_openai_audio_is_moved_out_of_prompt_and_completion(tmp_path: Path) -> None:
    def body(rid: str, prompt: int, cached: int, audio_p: int, completion: int, audio_c: int) -> dict[str, Any]:
        return {
            "id": rid,
            "object": "chat.completion",
            "created": 1754000000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": None}}],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": audio_p},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": audio_c},
            },
            "service_tier": "default",
        }

    lines = [
        body("chatcmpl-audio", 1200, 0, 1000, 300, 250),
        # 800 of the 1,000 prompt tokens cached: audio is capped at the 200 uncached ones
        body("chatcmpl-cached", 1000, 800, 500, 100, 0),
        body("chatcmpl-text", 1000, 0, 0, 100, 0),
    ]
    con = _ingest(tmp_path, "chat.jsonl", lines)
    rows = _rows(con)
    # gpt-4o-mini 0.15 / 0.075 / 0.60 has no audio rate: audio calls are flagged, priced without the audio
    # (200×0.15 + 50×0.60 = 30 + 30 = 60 → 0.00006; 800×0.075 + 100×0.60 = 60 + 60 = 120 → 0.00012)
    assert rows == [
        ("chatcmpl-audio", 200, 0, 0, 0, 50, 1000, 250, "missing_rate", Decimal("0.00006")),
        ("chatcmpl-cached", 0, 800, 0, 0, 100, 200, 0, "missing_rate", Decimal("0.00012")),
        # 1,000×0.15 + 100×0.60 = 150 + 60 = 210 → 0.00021
        ("chatcmpl-text", 1000, 0, 0, 0, 100, 0, 0, "priced", Decimal("0.00021")),
    ]


def _gemini(rid: str, model: str) -> dict[str, Any]:
    return {
        "responseId": rid,
        "modelVersion": model,
        "candidates": [{"content": {"parts": [{"text": "…"}]}}],
        "usageMetadata": {
            "promptTokenCount": 12000,
            "candidatesTokenCount": 500,
            "thoughtsTokenCount": 1500,
            "cachedContentTokenCount": 4000,
            "totalTokenCount": 14000,
            "promptTokensDetails": [
                {"modality": "TEXT", "tokenCount": 2000},
                {"modality": "AUDIO", "tokenCount": 10000},
            ],
            "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 1000}, {"modality": "AUDIO", "tokenCount": 3000}],
            "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": 500}],
        },
    }


def test_gemini_audio_by_modality(tmp_path: Path) -> None:
    lines = [
        {"ts": "2025-08-01T12:00:00Z", "response": _gemini("resp-flash", "gemini-2.5-flash")},
        {"ts": "2025-08-01T12:00:01Z", "response": _gemini("resp-pro", "gemini-2.5-pro")},
    ]
    con = _ingest(tmp_path, "gemini.jsonl", lines)
    # audio_in = 10,000 audio - 3,000 cached audio = 7,000; input_uncached = 12,000 - 4,000 cached - 7,000 = 1,000;
    # output = 500 candidates + 1,500 thoughts = 2,000. Flash: 1,000×0.30 + 4,000×0.03 + 2,000×2.50 + 7,000×1.00
    # = 300 + 120 + 5,000 + 7,000 = 12,420 → 0.01242
    # Pro has no audio rate: flagged; 1,000×1.25 + 4,000×0.125 + 2,000×10 = 1,250 + 500 + 20,000 = 21,750
    assert _rows(con) == [
        ("resp-flash", 1000, 4000, 0, 0, 2000, 7000, 0, "priced", Decimal("0.01242")),
        ("resp-pro", 1000, 4000, 0, 0, 2000, 7000, 0, "missing_rate", Decimal("0.02175")),
    ]


def test_audio_under_batch_and_in_the_rate_card() -> None:
    # batch: 1,000×0.15 + 4,000×0.03 + 2,000×1.25 + 7,000×0.50 = 150 + 120 + 2,500 + 3,500 = 6,270 → 0.00627
    at = datetime(2025, 8, 1, tzinfo=UTC)
    tokens = {"input_uncached": 1000, "cache_read": 4000, "output": 2000, "audio_in": 7000}
    assert price("gemini-2.5-flash", at, service_tier="batch", **tokens) == (
        Decimal("0.00627"),
        "priced",
        "gemini-2.5-flash",
    )
    # the 2.5 Flash preview period has no audio rate (it was not published): flagged, 1,000×0.15 + 2,000×3.50
    assert price("gemini-2.5-flash", datetime(2025, 5, 1, tzinfo=UTC), input_uncached=1000, output=2000, audio_in=1)[
        :2
    ] == (Decimal("0.00715"), "missing_rate")
    con = store()
    key = add_call(con, "gemini-2.5-flash", at, audio_out=1000)
    # no model in the table has an audio OUTPUT rate yet: flagged, cost 0 (a lower bound)
    assert con.execute("select price_status, cost_usd from priced_usage where dedupe_key = ?", [key]).fetchone() == (
        "missing_rate",
        Decimal("0"),
    )


AUDIO_TIERED = """
provider = "acme"

[sources.acme-pricing]
url = "https://acme.example/pricing"

[[models]]
id = "acme-voice"
name = "Acme Voice"

  [[models.periods]]
  from = 2025-01-01T00:00:00Z
  source = "acme-pricing"
  confidence = "A"
  input = "1"
  output = "4"
  audio_in = "3"
  audio_out = "12"

    [[models.periods.tiers]]
    above = 1000
    input = "2"
    output = "8"
    audio_in = "6"
    audio_out = "24"
"""


def test_audio_counts_toward_the_prompt_size_of_a_tier(tmp_path: Path) -> None:
    """The long-context cliff is on the whole prompt: 500 text + 600 audio = 1,100 > 1,000 reprices it all."""
    con = store(pricing.load(write_dir(tmp_path, textwrap.dedent(AUDIO_TIERED))))
    at = datetime(2025, 6, 1, tzinfo=UTC)
    below = add_call(con, "acme-voice", at, input_uncached=500, audio_in=500, output=100, audio_out=100)
    above = add_call(con, "acme-voice", at, input_uncached=500, audio_in=600, output=100, audio_out=100)
    rows = dict(con.execute("select dedupe_key, cost_usd from priced_usage").fetchall())
    # 1,000 prompt: 500×1 + 500×3 + 100×4 + 100×12 = 500 + 1,500 + 400 + 1,200 = 3,600 → 0.0036
    # 1,100 prompt: 500×2 + 600×6 + 100×8 + 100×24 = 1,000 + 3,600 + 800 + 2,400 = 7,800 → 0.0078
    assert rows == {below: Decimal("0.0036"), above: Decimal("0.0078")}


def test_a_store_from_before_0005_upgrades_and_prices_its_old_rows(tmp_path: Path) -> None:
    """Migrations 0005 (fees) and 0006 (audio) on a store holding a call: the call keeps its tokens, gets
    audio 0, and its web searches are priced (Sonnet 4.5: 10,000×3 + 1,000×15 = 45,000 → 0.045; + 3 × 10 /
    1,000 = 0.03 → 0.075)."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table _migrations (name varchar primary key, applied_at timestamptz)")
    for name, text in db._migrations():
        if name < "0005":
            con.execute(text)
            con.execute("insert into _migrations values (?, now())", [name])
    con.execute(
        """insert into usage (dedupe_key, record_kind, request_count, ts, ts_source, provider, platform, model_raw,
               model, input_uncached, cache_read, cache_write_5m, cache_write_1h, output, reasoning, web_searches,
               service_tier, source_file, format, run_id)
           values ('old', 'call', 1, '2025-10-01', 'record', 'anthropic', 'anthropic', 'claude-sonnet-4-5',
                   'claude-sonnet-4-5', 10000, 0, 0, 0, 1000, 0, 3, 'standard', 'f', 'anthropic.messages', 1)"""
    )
    con.close()
    con = db.connect(path)
    applied = [r[0] for r in con.execute("select name from _migrations order by name").fetchall()]
    # 0007 (report-perf: the stored substitution map) follows main's 0005 and 0006
    assert applied[-3:] == ["0005_price_fees.sql", "0006_audio_tokens.sql", "0007_price_substitutions.sql"]
    pricing.install(con, table())
    db.create_views(con)
    assert con.execute("select audio_in, audio_out, price_status, cost_usd from priced_usage").fetchall() == [
        (0, 0, "priced", Decimal("0.075"))
    ]
