"""Audio tokens (migration 0006): OpenAI and Gemini report audio INSIDE the prompt and completion counts
(reference log_formats.md §1, §3.1, §3.13); ingest moves it into the disjoint audio_in / audio_out buckets,
priced at the model's own audio rates, and flags a call with audio on a model that has none. Expected costs are
computed BY HAND (USD per 1M tokens):

  Gemini 2.5 Flash (GA)  input 0.30 / cache read 0.03 / output 2.50 / audio in 1.00; batch: input, output and
                         audio x0.5, cache reads at the standard rate (pricing/google.toml)
  Gemini 2.5 Pro         1.25 / 0.125 / 10, no audio rate in the table
  gpt-4o-audio-preview-2024-12-17      2.50 / – / 10, audio in 40 / audio out 80 (pricing/openai.toml, no cached rate)
  gpt-4o-realtime-preview-2024-12-17   5 / 2.50 / 20, audio in 40 / audio out 80; cached audio 2.50 = cached text
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


def _chat(
    rid: str,
    prompt: int,
    cached: int,
    audio_p: int,
    completion: int,
    audio_c: int,
    model: str = "gpt-4o-mini-2024-07-18",
) -> dict[str, Any]:
    """A Chat Completions response body (2025-07-31): the audio counts are INSIDE prompt_tokens / completion_tokens."""
    return {
        "id": rid,
        "object": "chat.completion",
        "created": 1754000000,
        "model": model,
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


def test_openai_audio_is_moved_out_of_prompt_and_completion(tmp_path: Path) -> None:
    lines = [
        _chat("chatcmpl-audio", 1200, 0, 1000, 300, 250),
        # 800 of the 1,000 prompt tokens cached: audio is capped at the 200 uncached ones
        _chat("chatcmpl-cached", 1000, 800, 500, 100, 0),
        _chat("chatcmpl-text", 1000, 0, 0, 100, 0),
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


def test_openai_audio_model_prices_text_and_audio_apart(tmp_path: Path) -> None:
    """A gpt-4o-audio-preview chat completion: prompt 3,000 = 1,000 text + 2,000 audio, completion 800 = 300 text +
    500 audio. 1,000×2.50 + 2,000×40 + 300×10 + 500×80 = 2,500 + 80,000 + 3,000 + 40,000 = 125,500 → 0.1255 (at the
    text rates alone it would be 3,000×2.50 + 800×10 = 15,500 → 0.0155). The same call with 1,000 of the prompt cached
    is flagged: the audio previews publish no cached rate."""
    model = "gpt-4o-audio-preview-2024-12-17"
    lines = [
        _chat("chatcmpl-voice", 3000, 0, 2000, 800, 500, model),
        _chat("chatcmpl-voice-cached", 3000, 1000, 2000, 800, 500, model),
    ]
    con = _ingest(tmp_path, "chat.jsonl", lines)
    assert _rows(con) == [
        ("chatcmpl-voice", 1000, 0, 0, 0, 300, 2000, 500, "priced", Decimal("0.1255")),
        # 2,000 uncached of which 2,000 audio: input_uncached 0. 2,000×40 + 300×10 + 500×80 = 80,000 + 3,000 +
        # 40,000 = 123,000 → 0.123, cached tokens unpriced (a lower bound)
        ("chatcmpl-voice-cached", 0, 1000, 0, 0, 300, 2000, 500, "missing_rate", Decimal("0.123")),
    ]
    price_model = con.execute("select distinct price_model from priced_usage").fetchall()
    assert price_model == [("gpt-4o-audio-preview-2024-12-17",)]


def test_openai_usage_api_bucket_with_audio_is_priced(tmp_path: Path) -> None:
    """A Usage API completions bucket of a realtime model (schema as in tests/test_formats_exports.py): input 50,000
    = 20,000 cached (15,000 of them audio) + 30,000 uncached (24,000 audio, 6,000 text); output 9,000 = 8,000 audio
    + 1,000 text. Cached audio is priced as cache_read: exact here, the 2024-12-17 snapshot bills cached audio and
    cached text alike at 2.50. 6,000×5 + 20,000×2.50 + 1,000×20 + 24,000×40 + 8,000×80 = 30,000 + 50,000 + 20,000 +
    960,000 + 640,000 = 1,700,000 → 1.7"""
    result = {
        "object": "organization.usage.completions.result",
        "model": "gpt-4o-realtime-preview-2024-12-17",
        "input_tokens": 50_000,
        "input_cached_tokens": 20_000,
        "input_uncached_tokens": 30_000,
        "input_text_tokens": 6_000,
        "input_cached_text_tokens": 5_000,
        "input_audio_tokens": 24_000,
        "input_cached_audio_tokens": 15_000,
        "output_tokens": 9_000,
        "output_text_tokens": 1_000,
        "output_audio_tokens": 8_000,
        "num_model_requests": 40,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "batch": None,
    }
    page = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 1748736000, "end_time": 1748822400, "results": [result]}],
        "has_more": False,
        "next_page": None,
    }
    con = _ingest(tmp_path, "usage.jsonl", [page])
    cols = ", ".join(BUCKETS)
    row = con.execute(f"select record_kind, {cols}, price_status, price_model, cost_usd from priced_usage").fetchone()
    assert row == (
        "bucket",
        6_000,
        20_000,
        0,
        0,
        1_000,
        24_000,
        8_000,
        "priced",
        "gpt-4o-realtime-preview-2024-12-17",
        Decimal("1.7"),
    )


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


def _oi_span(sid: str, scope: str, counts: dict[str, int], **attrs: str) -> dict[str, Any]:
    """An OTLP/JSON document of one OpenInference LLM span: `counts` are `llm.token_count.*` attributes (intValue
    as a JSON string, as the OTLP/JSON mapping writes int64), `attrs` string attributes (dots as __)."""
    kv = [{"key": "openinference.span.kind", "value": {"stringValue": "LLM"}}]
    kv += [{"key": k.replace("__", "."), "value": {"stringValue": v}} for k, v in attrs.items()]
    kv += [{"key": f"llm.token_count.{k}", "value": {"intValue": str(v)}} for k, v in counts.items()]
    body = {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": sid, "name": "ChatCompletion", "kind": 1,
            "startTimeUnixNano": "1754049600000000000", "endTimeUnixNano": "1754049602000000000",
            "attributes": kv}  # fmt: skip
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "voice-agent"}}]},
                "scopeSpans": [{"scope": {"name": scope}, "spans": [body]}],
            }
        ]
    }


def test_openinference_audio_tokens_are_moved_out_of_prompt_and_completion(tmp_path: Path) -> None:
    """OpenInference spans count audio INSIDE the prompt and the completion: `llm.token_count.prompt_details.audio`
    and `llm.token_count.completion_details.audio` are sub-counts of `llm.token_count.prompt` / `.completion`
    (Arize-ai/openinference spec/semantic_conventions.md, "Token Count Details"; its OpenAI instrumentation copies
    prompt_tokens_details.audio_tokens, its Google GenAI one sums the AUDIO modality of prompt_tokens_details).
    Ingest moves them to audio_in / audio_out, priced at the audio rates (were text rates). The spans give no
    split of cached tokens by modality: audio counts as uncached, capped at the uncached prompt (as the OpenAI
    formats), so no bucket goes negative."""
    openai = "openinference.instrumentation.openai"
    spans = [
        # gpt-4o-audio-preview-2024-12-17 (2.50 / – / 10, audio 40 / 80): 1,200 prompt of which 900 audio,
        # 500 completion of which 400 audio → 300×2.50 + 900×40 + 100×10 + 400×80 = 750 + 36,000 + 1,000 + 32,000
        # = 69,750 → 0.06975
        _oi_span("a1", openai, {"prompt": 1200, "prompt_details.audio": 900, "completion": 500,
                                "completion_details.audio": 400, "total": 1700},
                 llm__model_name="gpt-4o-audio-preview-2024-12-17", llm__provider="openai", llm__system="openai"),
        # gpt-4o-realtime-preview-2024-12-17 (5 / 2.50 / 20, audio 40 / 80): 1,000 prompt, 800 of it cached, 900
        # audio: only 200 are uncached, so audio_in is 200 (the other 700 audio are cached, at the cached rate);
        # completion 50 with 60 audio: capped at 50 → 0×5 + 800×2.50 + 200×40 + 0×20 + 50×80 = 2,000 + 8,000
        # + 4,000 = 14,000 → 0.014
        _oi_span("a2", openai, {"prompt": 1000, "prompt_details.cache_read": 800, "prompt_details.audio": 900,
                                "completion": 50, "completion_details.audio": 60},
                 llm__model_name="gpt-4o-realtime-preview-2024-12-17", llm__provider="openai"),
        # Gemini 2.5 Flash GA (0.30 / 0.03 / 2.50, audio in 1.00) through the Google GenAI instrumentation: 2,000
        # prompt with 400 cached and 1,500 audio, 120 completion → 100×0.30 + 400×0.03 + 1,500×1.00 + 120×2.50
        # = 30 + 12 + 1,500 + 300 = 1,842 → 0.001842
        _oi_span("a3", "openinference.instrumentation.google_genai",
                 {"prompt": 2000, "prompt_details.cache_read": 400, "prompt_details.audio": 1500, "completion": 120},
                 llm__model_name="gemini-2.5-flash", llm__provider="google"),
    ]  # fmt: skip
    path = tmp_path / "traces.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in spans), encoding="utf-8")
    con = db.connect(":memory:")
    pricing.install(con, table())
    db.create_views(con)
    (res,) = ingest(con, [path]).files
    assert res.format == "otel" and res.calls == 3 and res.quarantined == 0, res.reject_reasons
    got = con.execute(f"select model, {', '.join(BUCKETS)}, price_status, cost_usd from priced_usage order by model")
    assert got.fetchall() == [
        ("gemini-2.5-flash", 100, 400, 0, 0, 120, 1500, 0, "priced", Decimal("0.001842")),
        ("gpt-4o-audio-preview-2024-12-17", 300, 0, 0, 0, 100, 900, 400, "priced", Decimal("0.06975")),
        ("gpt-4o-realtime-preview-2024-12-17", 0, 800, 0, 0, 0, 200, 50, "priced", Decimal("0.014")),
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
    # Gemini 2.5 Flash has no audio OUTPUT rate (only OpenAI's audio models do): flagged, cost 0 (a lower bound)
    assert con.execute("select price_status, cost_usd from priced_usage where dedupe_key = ?", [key]).fetchone() == (
        "missing_rate",
        Decimal("0"),
    )


def test_flash_lite_models_without_an_audio_surcharge_price_audio_at_the_input_rate() -> None:
    """Gemini 2.0 Flash-Lite and 3.5 Flash-Lite list ONE input price for text, image, video and audio (genai-prices
    0.2.3 prices their audio at input_mtok, its 3.5 Flash-Lite comment: 'Input rate is unified across
    text/image/video/audio'; LiteLLM 1.109.1 vertex_ai/gemini-2.0-flash-lite input_cost_per_audio_token = its
    text rate). Their audio calls were flagged missing_rate with the audio unpriced; now audio_in is the input
    rate, on the Gemini API and on Vertex (inherited), batch at half like every other bucket.

    2.0 Flash-Lite (0.075 / – / 0.30): 1,000×0.075 + 4,000×0.075 + 200×0.30 = 75 + 300 + 60 = 435 → 0.000435;
    batch half: 0.0002175 (Vertex's own batch rule before 2025-07-07, the Gemini API's after).
    3.5 Flash-Lite (0.30 / 0.03 / 2.50; batch 0.15 / 0.02 / 1.25): 1,000×0.30 + 2,000×0.03 + 200×2.50 + 4,000×0.30
    = 300 + 60 + 500 + 1,200 = 2,060 → 0.00206; batch 150 + 40 + 250 + 600 = 1,040 → 0.00104."""
    lite20 = {"input_uncached": 1000, "output": 200, "audio_in": 4000}
    lite35 = {"input_uncached": 1000, "cache_read": 2000, "output": 200, "audio_in": 4000}
    aug25, mar25, aug26 = (datetime(2025, 8, 1, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC),
                           datetime(2026, 8, 1, tzinfo=UTC))  # fmt: skip
    cases = [
        ("gemini-2.0-flash-lite", aug25, "gemini_api", "standard", lite20, "0.000435"),
        ("gemini-2.0-flash-lite", aug25, "gemini_api", "batch", lite20, "0.0002175"),
        ("gemini-2.0-flash-lite", aug25, "vertex", "standard", lite20, "0.000435"),
        ("gemini-2.0-flash-lite", mar25, "vertex", "batch", lite20, "0.0002175"),
        ("gemini-2.0-flash-lite", aug25, "vertex", "batch", lite20, "0.0002175"),
        ("gemini-3.5-flash-lite", aug26, "gemini_api", "standard", lite35, "0.00206"),
        ("gemini-3.5-flash-lite", aug26, "gemini_api", "batch", lite35, "0.00104"),
        ("gemini-3.5-flash-lite", aug26, "vertex", "standard", lite35, "0.00206"),
        ("gemini-3.5-flash-lite", aug26, "vertex", "batch", lite35, "0.00104"),
    ]
    for model, at, platform, tier, tokens, cost in cases:
        got = price(model, at, provider="google", platform=platform, service_tier=tier, **tokens)
        expected_model = model if platform == "gemini_api" else f"vertex/{model}"
        assert got == (Decimal(cost), "priced", expected_model), (model, platform, tier)


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
    # 0007 (report-perf: the stored substitution map) follows main's 0005 and 0006; then 0008 (superseded rows)
    assert applied[-4:-1] == ["0005_price_fees.sql", "0006_audio_tokens.sql", "0007_price_substitutions.sql"]
    pricing.install(con, table())
    db.create_views(con)
    assert con.execute("select audio_in, audio_out, price_status, cost_usd from priced_usage").fetchall() == [
        (0, 0, "priced", Decimal("0.075"))
    ]
