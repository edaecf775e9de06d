#!/usr/bin/env python3
"""Generate the sample provider logs in ``sample_logs/``.

Usage::

    python scripts/make_sample_logs.py [--out DIR]

The output is synthetic but follows the documented log shapes (see the log-format reference,
sections 1, 3.1-3.4, 3.7-3.9, 3.11-3.20). It is deterministic: every file is byte-identical
across runs (seeded RNGs, fixed order, gzip with mtime=0, fixed file mtimes).

``sample_logs/MANIFEST.json`` is the ground truth. It is built from the values the generator drew,
never by reading its own output back, so tests can compare a parser against it.

Token buckets in the manifest are DISJOINT (canonical convention):

- ``input_uncached``: input billed at the normal input rate (OpenAI prompt - cached;
  Anthropic input_tokens; Gemini promptTokenCount - cachedContentTokenCount)
- ``cache_read``, ``cache_write_5m``, ``cache_write_1h``
- ``output``: all output including reasoning (Gemini: candidates + thoughts)
- ``reasoning``: informational subset of ``output``

Only the standard library is used.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import os
import random
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

Json = dict[str, Any]
SEED = "aispend-sample-logs-v1"
PERIOD_START = date(2025, 3, 1)
PERIOD_END = date(2025, 8, 31)  # inclusive
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "sample_logs"
PLACEHOLDER = "\u2026"  # we never store message text, only "…"
GENERATED_AT = datetime(2025, 9, 1, tzinfo=UTC)  # mtime of MANIFEST.json / README.md

TEAMS = {
    "search": ["ranker", "query-rewrite", "snippets"],
    "support": ["ticket-triage", "reply-drafts", "kb-summarizer"],
    "platform": ["eval-harness", "codegen", "doc-index"],
}

# Logged model ids.
GPT4O = "gpt-4o-2024-08-06"
GPT4O_ALIAS = "gpt-4o"
GPT4O_MINI = "gpt-4o-mini-2024-07-18"
GPT41 = "gpt-4.1-2025-04-14"
O3 = "o3-2025-04-16"
O4_MINI = "o4-mini-2025-04-16"
FT_MINI = "ft:gpt-4o-mini-2024-07-18:acme:support-v2:AbC123x"  # fine-tuned: no list price
SONNET37 = "claude-3-7-sonnet-20250219"
SONNET4 = "claude-sonnet-4-20250514"
HAIKU35 = "claude-3-5-haiku-20241022"
OPUS4 = "claude-opus-4-20250514"
GEM20F = "gemini-2.0-flash"
GEM25P = "gemini-2.5-pro"
GEM25F_PREVIEW = "gemini-2.5-flash-preview-04-17"
GEM25F = "gemini-2.5-flash"

# First and last day (inclusive) on which each model may appear in the logs.
AVAILABLE = {
    GPT4O: (date(2025, 3, 1), PERIOD_END),
    GPT4O_MINI: (date(2025, 3, 1), PERIOD_END),
    GPT41: (date(2025, 4, 14), PERIOD_END),
    O3: (date(2025, 4, 16), PERIOD_END),
    O4_MINI: (date(2025, 4, 16), PERIOD_END),
    SONNET37: (date(2025, 3, 1), PERIOD_END),
    SONNET4: (date(2025, 5, 22), PERIOD_END),
    HAIKU35: (date(2025, 3, 1), PERIOD_END),
    OPUS4: (date(2025, 5, 22), PERIOD_END),
    GEM20F: (date(2025, 3, 1), PERIOD_END),
    GEM25P: (date(2025, 6, 17), PERIOD_END),  # stable id (GA); preview ids are not used here
    GEM25F_PREVIEW: (date(2025, 4, 17), date(2025, 6, 16)),
    GEM25F: (date(2025, 6, 17), PERIOD_END),
}
O3_PRICE_CHANGE = date(2025, 6, 10)  # no o3 call is placed ON this day (intra-day time unknown)
SONNET4_LONG_CONTEXT_FROM = date(2025, 8, 12)
OPENAI_REASONING = (O3, O4_MINI)

TOKEN_KEYS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B64URL = B62 + "-_"


def rand_str(rng: random.Random, n: int, alphabet: str = B62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def rand_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def ms_to_dt(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).replace(microsecond=(ts_ms % 1000) * 1000)


def iso_ms(ts_ms: int) -> str:
    """2025-03-04T10:11:12.345Z"""
    return ms_to_dt(ts_ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def dt_ms(d: datetime) -> int:
    return int(d.timestamp()) * 1000 + d.microsecond // 1000


def day_ms(d: date, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return dt_ms(datetime(d.year, d.month, d.day, hour, minute, second, tzinfo=UTC))


def ts_date(ts_ms: int) -> date:
    return ms_to_dt(ts_ms).date()


def dumps(obj: Any, compact: bool = False, ascii_only: bool = True) -> str:
    if compact:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=ascii_only)
    return json.dumps(obj, ensure_ascii=ascii_only)


def bounded_lognormal(rng: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    """Log-normal draw, re-drawn until it falls in [lo, hi]."""
    while True:
        v = round(rng.lognormvariate(math.log(median), sigma))
        if lo <= v <= hi:
            return v


def log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return round(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def prompt_size(rng: random.Random, cap: int = 190_000) -> int:
    """Heavy-tailed prompt size: mostly 200-4000, some 4k-50k, ~2% 50k-cap."""
    r = rng.random()
    if r < 0.02:
        return log_uniform(rng, 50_000, min(250_000, cap))
    if r < 0.10:
        return log_uniform(rng, 4_000, 50_000)
    return bounded_lognormal(rng, 1_100, 0.75, 200, 4_000)


def output_size(rng: random.Random) -> int:
    return bounded_lognormal(rng, 260, 0.9, 20, 2_000)


def reasoning_size(rng: random.Random) -> int:
    # OpenAI reasoning token counts come in multiples of 64
    return bounded_lognormal(rng, 900, 1.0, 64, 20_000) // 64 * 64 or 64


# --------------------------------------------------------------------------------------------
# time sampling: 6 months, growing usage, weekday and business-hour bias
# --------------------------------------------------------------------------------------------

MONTH_GROWTH = {3: 1.0, 4: 1.15, 5: 1.3, 6: 1.5, 7: 1.7, 8: 1.9}
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1]


def all_days(start: date = PERIOD_START, end: date = PERIOD_END) -> list[date]:
    days, d = [], start
    while d <= end:
        days.append(d)
        d += timedelta(days=1)
    return days


def day_weight(d: date) -> float:
    w = MONTH_GROWTH[d.month]
    return w * (0.35 if d.weekday() >= 5 else 1.0)


def random_ts(rng: random.Random, start: date = PERIOD_START, end: date = PERIOD_END) -> int:
    days = all_days(start, end)
    d = rng.choices(days, weights=[day_weight(x) for x in days])[0]
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return day_ms(d, hour, rng.randrange(60), rng.randrange(60)) + rng.randrange(1000)


def available(model: str, d: date) -> bool:
    lo, hi = AVAILABLE[model]
    if model == O3 and d == O3_PRICE_CHANGE:
        return False
    return lo <= d <= hi


def pick_team(rng: random.Random, weights: dict[str, float]) -> tuple[str, str]:
    names = sorted(weights)
    team = rng.choices(names, weights=[weights[n] for n in names])[0]
    return team, rng.choice(TEAMS[team])


# --------------------------------------------------------------------------------------------
# ground truth
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One billable call, in the canonical disjoint convention."""

    ts_ms: int
    model: str  # logged model id ('models/' prefix stripped)
    input_uncached: int
    output: int
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    reasoning: int = 0
    team: str | None = None
    project: str | None = None

    @property
    def prompt_total(self) -> int:
        return self.input_uncached + self.cache_read + self.cache_write_5m + self.cache_write_1h


@dataclass
class FileTruth:
    path: str
    format: str
    service_tier: str | None
    mtime_ms: int | None = None
    calls: list[Call] = field(default_factory=list)
    rejected: int = 0
    non_billable: int = 0
    duplicate_records: int = 0
    notes: list[str] = field(default_factory=list)
    extra: Json = field(default_factory=dict)

    def manifest(self) -> Json:
        tokens = {k: sum(getattr(c, k) for c in self.calls) for k in TOKEN_KEYS}
        by_model: dict[str, int] = {}
        tokens_by_model: dict[str, dict[str, int]] = {}
        by_team: dict[str, int] = {}
        for c in self.calls:
            by_model[c.model] = by_model.get(c.model, 0) + 1
            t = tokens_by_model.setdefault(c.model, {k: 0 for k in TOKEN_KEYS})
            for k in TOKEN_KEYS:
                t[k] += getattr(c, k)
            if c.team is not None:
                by_team[c.team] = by_team.get(c.team, 0) + 1
        out: Json = {
            "path": self.path,
            "format": self.format,
            "billable_calls": len(self.calls),
            "rejected_records": self.rejected,
            "non_billable": self.non_billable,
            "duplicate_records": self.duplicate_records,
            "tokens": tokens,
            "by_model": dict(sorted(by_model.items())),
            "tokens_by_model": dict(sorted(tokens_by_model.items())),
            "by_team": dict(sorted(by_team.items())),
            "service_tier": self.service_tier,
            "first_ts": iso_ms(min(c.ts_ms for c in self.calls)) if self.calls else None,
            "last_ts": iso_ms(max(c.ts_ms for c in self.calls)) if self.calls else None,
            "mtime": iso_ms(self.mtime_ms) if self.mtime_ms is not None else None,
        }
        out.update(self.extra)
        if self.notes:
            out["notes"] = self.notes
        return out


class Writer:
    """Writes files under the output dir and keeps their ground truth."""

    def __init__(self, out: Path):
        self.out = out
        self.truths: list[FileTruth] = []
        self.mtimes: dict[str, int] = {}
        self.ids: set[str] = set()

    def unique(self, value: str) -> str:
        if value in self.ids:  # never expected with these id lengths; fail loudly if it happens
            raise RuntimeError(f"duplicate id {value}")
        self.ids.add(value)
        return value

    def write(self, truth: FileTruth | None, rel: str, data: bytes, mtime_ms: int) -> None:
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        self.mtimes[rel] = mtime_ms
        if truth is not None:
            truth.mtime_ms = mtime_ms
            self.truths.append(truth)

    def apply_mtimes(self) -> None:
        for rel in sorted(self.mtimes):
            t = self.mtimes[rel] / 1000
            os.utime(self.out / rel, (t, t))


def lines_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def last_mtime(calls_ms: list[int]) -> int:
    """A log file's mtime: one second after its last record, whole seconds."""
    return (max(calls_ms) // 1000 + 1) * 1000


# --------------------------------------------------------------------------------------------
# OpenAI
# --------------------------------------------------------------------------------------------

OPENAI_FP = {
    GPT4O: ["fp_07871e2ad8", "fp_a288987b44", "fp_ee1d74bde0"],
    GPT4O_MINI: ["fp_34a54ae93c", "fp_62a23a81ef"],
    GPT41: ["fp_b38e740b47", "fp_799e4ca3f1"],
    FT_MINI: ["fp_1a2b3c4d5e"],
}


def openai_cached(rng: random.Random, prompt: int, p_hit: float) -> int:
    """Cached prefix: >= 1024 tokens, in 128-token steps, never above prompt."""
    if prompt < 1152 or rng.random() >= p_hit:
        return 0
    frac = rng.uniform(0.3, 0.97)
    return max(1024, int(prompt * frac) // 128 * 128)


def openai_call(
    rng: random.Random,
    model: str,
    ts_ms: int,
    team: str | None = None,
    project: str | None = None,
    p_cache: float = 0.35,
    prompt: int | None = None,
) -> Call:
    cap = 120_000 if model in (GPT4O, GPT4O_ALIAS, GPT4O_MINI, FT_MINI) else 190_000
    prompt = prompt if prompt is not None else prompt_size(rng, cap)
    cached = openai_cached(rng, prompt, p_cache)
    reasoning = reasoning_size(rng) if model in OPENAI_REASONING else 0
    visible = output_size(rng)
    return Call(
        ts_ms=ts_ms,
        model=model,
        input_uncached=prompt - cached,
        cache_read=cached,
        output=visible + reasoning,
        reasoning=reasoning,
        team=team,
        project=project,
    )


def chat_usage(c: Call, null_details: bool = False, prediction: tuple[int, int] = (0, 0)) -> Json:
    prompt = c.input_uncached + c.cache_read
    usage: Json = {
        "prompt_tokens": prompt,
        "completion_tokens": c.output,
        "total_tokens": prompt + c.output,
    }
    if null_details:
        usage["prompt_tokens_details"] = None
        usage["completion_tokens_details"] = None
    else:
        usage["prompt_tokens_details"] = {"cached_tokens": c.cache_read, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": c.reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": prediction[0],
            "rejected_prediction_tokens": prediction[1],
        }
    return usage


def chat_body(
    w: Writer,
    rng: random.Random,
    c: Call,
    usage: Json | None,
    finish_reason: str = "stop",
    service_tier: str = "default",
) -> Json:
    body: Json = {
        "id": w.unique("chatcmpl-" + rand_str(rng, 29)),
        "object": "chat.completion",
        "created": c.ts_ms // 1000,
        "model": c.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": PLACEHOLDER, "refusal": None, "annotations": []},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
    }
    if usage is not None:
        body["usage"] = usage
    body["service_tier"] = service_tier
    fps = OPENAI_FP.get(GPT4O if c.model == GPT4O_ALIAS else c.model)
    body["system_fingerprint"] = rng.choice(fps) if fps else None  # o-series: null
    return body


OPENAI_TEAM_WEIGHTS = {"search": 0.45, "support": 0.35, "platform": 0.20}
ALIAS_PROJECTS = ("snippets", "reply-drafts")  # these apps log the request alias "gpt-4o"


def openai_chat_weights(d: date) -> dict[str, float]:
    after_41 = d >= AVAILABLE[GPT41][0]
    w = {
        GPT4O: 14.0 if after_41 else 30.0,
        GPT4O_MINI: 40.0,
        GPT41: 22.0,
        O3: 10.0 if d > O3_PRICE_CHANGE else 3.0,  # usage rises after the 80% price cut
        O4_MINI: 7.0,
    }
    return {m: v for m, v in w.items() if available(m, d)}


def make_openai_chat(w: Writer, n_calls: int = 1300) -> None:
    rel = "openai/chat_completions.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "default")

    calls: list[Call] = []
    for _ in range(n_calls):
        ts = random_ts(rng)
        weights = openai_chat_weights(ts_date(ts))
        models = sorted(weights)
        model = rng.choices(models, weights=[weights[m] for m in models])[0]
        team, project = pick_team(rng, OPENAI_TEAM_WEIGHTS)
        if model == GPT4O and project in ALIAS_PROJECTS:
            model = GPT4O_ALIAS
        calls.append(openai_call(rng, model, ts, team, project))
    # the fine-tuned model (no list price): support's ticket triage, July-August
    for _ in range(6):
        ts = random_ts(rng, date(2025, 7, 1), PERIOD_END)
        calls.append(
            openai_call(
                rng,
                FT_MINI,
                ts,
                "support",
                "ticket-triage",
                p_cache=0.0,
                prompt=bounded_lognormal(rng, 700, 0.5, 200, 3000),
            )
        )
    calls.sort(key=lambda c: c.ts_ms)

    lines: list[str] = []
    n_null = 0
    for c in calls:
        null_details = c.model not in OPENAI_REASONING and c.cache_read == 0 and n_null < 12 and rng.random() < 0.02
        n_null += null_details
        prediction = (0, 0)
        if c.project == "codegen" and c.model in (GPT4O, GPT41) and rng.random() < 0.2:
            accepted = rng.randint(0, c.output // 2)
            prediction = (accepted, rng.randint(0, c.output - accepted))
        finish = "length" if c.output > 1800 and rng.random() < 0.5 else "stop"
        body = chat_body(w, rng, c, chat_usage(c, null_details, prediction), finish)
        lines.append(chat_envelope(rng, c, body))
        truth.calls.append(c)
    truth.extra["prompt_tokens_details_null"] = n_null

    # three malformed lines, mid-file; they are NOT in truth.calls
    for frac, kind in ((0.27, "truncated"), (0.51, "negative"), (0.76, "no_usage")):
        pos = int(len(calls) * frac)
        ts = calls[pos].ts_ms + 1
        model = calls[pos].model
        bad = openai_call(rng, model, ts, calls[pos].team, calls[pos].project)
        if kind == "truncated":
            line = chat_envelope(rng, bad, chat_body(w, rng, bad, chat_usage(bad)))
            line = line[: int(len(line) * 0.58)]
        elif kind == "negative":
            usage = chat_usage(bad)
            usage["completion_tokens"] = -abs(bad.output)
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            line = chat_envelope(rng, bad, chat_body(w, rng, bad, usage))
        else:
            line = chat_envelope(rng, bad, chat_body(w, rng, bad, None))
        lines.insert(pos + 1 + ["truncated", "negative", "no_usage"].index(kind), line)
        truth.rejected += 1
    truth.notes.append("line-level rejects mid-file: 1 truncated JSON, 1 negative completion_tokens, 1 without usage")
    truth.notes.append(
        f"'{GPT4O_ALIAS}' is the request alias some apps log "
        f"(projects {', '.join(ALIAS_PROJECTS)}); '{FT_MINI}' has no list price"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def chat_envelope(rng: random.Random, c: Call, body: Json) -> str:
    """Application log envelope; two spellings are mixed in the same file."""
    if rng.random() < 0.12:
        env: Json = {"created_at": ms_to_dt(c.ts_ms).isoformat(timespec="milliseconds")}
    else:
        env = {"timestamp": iso_ms(c.ts_ms)}
    env["tags"] = {"team": c.team, "project": c.project}
    env["body" if rng.random() < 0.15 else "response"] = body
    return dumps(env)


def make_openai_truncated(w: Writer) -> None:
    """misc/truncated.jsonl: valid chat lines, last line cut mid-object (a crashed writer)."""
    rel = "misc/truncated.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "default")
    base = day_ms(date(2025, 8, 29), 16, 2, 11)
    lines = []
    for i in range(5):
        team, project = pick_team(rng, OPENAI_TEAM_WEIGHTS)
        c = openai_call(rng, GPT4O_MINI, base + i * 41_337, team, project)
        line = dumps(
            {
                "timestamp": iso_ms(c.ts_ms),
                "tags": {"team": team, "project": project},
                "response": chat_body(w, rng, c, chat_usage(c)),
            }
        )
        if i == 4:
            lines.append(line[: int(len(line) * 0.63)])
            truth.rejected += 1
        else:
            lines.append(line)
            truth.calls.append(c)
    # no trailing newline: the writer died mid-line
    w.write(truth, rel, "\n".join(lines).encode("utf-8"), last_mtime([base + 4 * 41_337]))


def make_openai_responses(w: Writer, n_calls: int = 110) -> None:
    rel = "openai/responses_2025-06.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.responses", "default")
    june = (date(2025, 6, 1), date(2025, 6, 30))
    calls = []
    for _ in range(n_calls):
        while True:
            ts = random_ts(rng, *june)
            model = O3 if rng.random() < 0.6 else O4_MINI
            if available(model, ts_date(ts)):
                break
        team, project = pick_team(rng, {"search": 0.3, "support": 0.2, "platform": 0.5})
        calls.append(openai_call(rng, model, ts, team, project, p_cache=0.4))
    calls.sort(key=lambda c: c.ts_ms)
    incomplete_at = len(calls) // 3
    objs = []
    for i, c in enumerate(calls):
        incomplete = i == incomplete_at
        rid = w.unique("resp_" + rand_hex(rng, 50))
        output: list[Json] = [{"id": "rs_" + rand_hex(rng, 50), "type": "reasoning", "summary": []}]
        if not incomplete:
            output.append(
                {
                    "id": "msg_" + rand_hex(rng, 50),
                    "type": "message",
                    "status": "completed",
                    "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": PLACEHOLDER}],
                    "role": "assistant",
                }
            )
        else:
            c.output = c.reasoning  # ran out of budget while reasoning; still billed
        objs.append(
            {
                "id": rid,
                "object": "response",
                "created_at": c.ts_ms // 1000,
                "status": "incomplete" if incomplete else "completed",
                "background": False,
                "error": None,
                "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
                "instructions": None,
                "max_output_tokens": c.output if incomplete else None,
                "model": c.model,
                "output": output,
                "parallel_tool_calls": True,
                "previous_response_id": None,
                "reasoning": {"effort": rng.choice(["low", "medium", "medium", "high"]), "summary": None},
                "service_tier": "default",
                "store": True,
                "temperature": 1.0,
                "text": {"format": {"type": "text"}},
                "tool_choice": "auto",
                "tools": [],
                "top_p": 1.0,
                "truncation": "disabled",
                "usage": {
                    "input_tokens": c.input_uncached + c.cache_read,
                    "input_tokens_details": {"cached_tokens": c.cache_read},
                    "output_tokens": c.output,
                    "output_tokens_details": {"reasoning_tokens": c.reasoning},
                    "total_tokens": c.input_uncached + c.cache_read + c.output,
                },
                "user": None,
                "metadata": {"team": c.team, "project": c.project},
            }
        )
        truth.calls.append(c)
    truth.notes.append("one response has status 'incomplete' (max_output_tokens): still billable")
    truth.notes.append("o3 calls straddle the 2025-06-10 price change; none on 2025-06-10 itself")
    w.write(truth, rel, (json.dumps(objs, indent=2) + "\n").encode("utf-8"), last_mtime([c.ts_ms for c in calls]))


def make_openai_stream(w: Writer) -> None:
    rel = "openai/chat_stream.jsonl.gz"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat_stream", "default")
    plan = [  # (model, day, with usage)
        (GPT4O, date(2025, 3, 18), True),
        (GPT4O_MINI, date(2025, 4, 9), True),
        (GPT41, date(2025, 5, 27), True),
        (O4_MINI, date(2025, 6, 24), True),
        (GPT41, date(2025, 7, 15), False),  # request did not set stream_options.include_usage
        (GPT4O_MINI, date(2025, 8, 6), True),
    ]
    lines = []
    times = []
    for model, d, with_usage in plan:
        ts = day_ms(d, rng.randint(9, 20), rng.randrange(60), rng.randrange(60))
        times.append(ts)
        c = openai_call(rng, model, ts, p_cache=0.6, prompt=bounded_lognormal(rng, 1800, 0.6, 300, 6000))
        cid = w.unique("chatcmpl-" + rand_str(rng, 29))
        fp = rng.choice(OPENAI_FP[model]) if model in OPENAI_FP else None
        head: Json = {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": ts // 1000,
            "model": model,
            "service_tier": "default",
            "system_fingerprint": fp,
        }
        deltas: list[tuple[Json, str | None]] = [
            ({"role": "assistant", "content": "", "refusal": None}, None),
            *[({"content": PLACEHOLDER}, None) for _ in range(rng.randint(3, 6))],
            ({}, "stop"),
        ]
        for delta, finish in deltas:
            choices = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            # with include_usage every chunk has "usage": null; without it the key is absent
            usage_key: Json = {"usage": None} if with_usage else {}
            lines.append(dumps(head | {"choices": choices} | usage_key, compact=True))
        if with_usage:
            lines.append(dumps(head | {"choices": [], "usage": chat_usage(c)}, compact=True))
            truth.calls.append(c)
        else:
            truth.rejected += 1
    truth.notes.append(
        "usage only on each stream's final chunk (choices: []); the 2025-07-15 stream has no usage chunk at all"
    )
    data = gzip.compress(lines_bytes(lines), compresslevel=9, mtime=0)
    w.write(truth, rel, data, last_mtime(times))


def make_openai_batch(w: Writer, n_ok: int = 200) -> None:
    rel = "openai/batch_output_2025-05.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.batch", "batch")
    start = day_ms(date(2025, 5, 13), 2, 4, 51)
    # input order request-1..request-201; completion order is a permutation
    custom_ids = [f"request-{i}" for i in range(1, n_ok + 2)]
    order = custom_ids[:]
    rng.shuffle(order)
    failed_id = order.pop(rng.randrange(40, 160))
    ts = start
    lines = []
    for k, cid in enumerate(order):
        ts += rng.randint(5_000, 60_000)
        c = openai_call(rng, GPT4O_MINI, ts, p_cache=0.0, prompt=bounded_lognormal(rng, 900, 0.6, 200, 4000))
        body = chat_body(w, rng, c, chat_usage(c))  # body says "default": the tier is batch
        lines.append(
            dumps(
                {
                    "id": w.unique("batch_req_" + rand_hex(rng, 32)),
                    "custom_id": cid,
                    "response": {"status_code": 200, "request_id": rand_hex(rng, 32), "body": body},
                    "error": None,
                }
            )
        )
        truth.calls.append(c)
        if k == len(order) // 2:
            lines.append(
                dumps(
                    {
                        "id": w.unique("batch_req_" + rand_hex(rng, 32)),
                        "custom_id": failed_id,
                        "response": None,
                        "error": {
                            "code": "batch_expired",
                            "message": "This request could not be executed before the completion window expired.",
                        },
                    }
                )
            )
            truth.non_billable += 1
    truth.notes.append("embedded bodies say service_tier 'default' but the file is Batch API output: price as batch")
    w.write(truth, rel, lines_bytes(lines), last_mtime([ts]))


# --------------------------------------------------------------------------------------------
# Anthropic
# --------------------------------------------------------------------------------------------

ANTHROPIC_MIN_CACHE = {HAIKU35: 2048}  # others: 1024
OLD_STYLE_BEFORE = date(2025, 5, 1)  # responses before this carry no usage.cache_creation split


def anthropic_call(
    rng: random.Random,
    model: str,
    ts_ms: int,
    team: str | None = None,
    project: str | None = None,
    old_style: bool = False,
    prompt: int | None = None,
) -> Call:
    total = prompt if prompt is not None else prompt_size(rng, 190_000)
    min_cache = ANTHROPIC_MIN_CACHE.get(model, 1024)
    cr = cw = 0
    r = rng.random()
    if total >= min_cache + 200 and r < 0.75:
        if r < 0.45:  # cache hit, sometimes extending the cache
            cr = max(min_cache, int(total * rng.uniform(0.5, 0.97)))
            if rng.random() < 0.3:
                cw = min(total - cr, rng.randint(50, max(51, total // 10)))
        elif r < 0.62:  # first call of a conversation: write the prefix
            cw = max(min_cache, int(total * rng.uniform(0.4, 0.95)))
    inp = max(1, total - cr - cw)  # the part after the last cache breakpoint
    cw5 = cw1h = 0
    if cw:
        if old_style:
            cw5 = cw
        else:
            s = rng.random()
            if s < 0.80:
                cw5 = cw
            elif s < 0.92:
                cw1h = cw
            else:
                cw1h = rng.randint(1, cw - 1) if cw > 1 else cw
                cw5 = cw - cw1h
    return Call(
        ts_ms=ts_ms,
        model=model,
        input_uncached=inp,
        cache_read=cr,
        cache_write_5m=cw5,
        cache_write_1h=cw1h,
        output=output_size(rng),
        team=team,
        project=project,
    )


def anthropic_usage(
    c: Call, old_style: bool, service_tier: str | None = "standard", output_tokens: int | None = None
) -> Json:
    u: Json = {
        "input_tokens": c.input_uncached,
        "cache_creation_input_tokens": c.cache_write_5m + c.cache_write_1h,
        "cache_read_input_tokens": c.cache_read,
    }
    if not old_style:
        u["cache_creation"] = {
            "ephemeral_5m_input_tokens": c.cache_write_5m,
            "ephemeral_1h_input_tokens": c.cache_write_1h,
        }
    u["output_tokens"] = c.output if output_tokens is None else output_tokens
    if service_tier is not None:
        u["service_tier"] = service_tier
    return u


def msg_id(w: Writer, rng: random.Random) -> str:
    return w.unique("msg_01" + rand_str(rng, 22))


def anthropic_body(w: Writer, rng: random.Random, c: Call, old_style: bool, service_tier: str = "standard") -> Json:
    stop = "max_tokens" if c.output >= 1990 else rng.choice(["end_turn"] * 6 + ["tool_use"])
    content: list[Json] = [{"type": "text", "text": PLACEHOLDER}]
    if stop == "tool_use":
        content.append({"type": "tool_use", "id": "toolu_01" + rand_str(rng, 22), "name": "lookup", "input": {}})
    return {
        "id": msg_id(w, rng),
        "type": "message",
        "role": "assistant",
        "model": c.model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": anthropic_usage(c, old_style, service_tier),
    }


ANTHROPIC_TEAM_WEIGHTS = {"search": 0.2, "support": 0.3, "platform": 0.5}


def anthropic_weights(d: date) -> dict[str, float]:
    w = {
        SONNET37: 12.0 if d >= AVAILABLE[SONNET4][0] else 45.0,
        SONNET4: 40.0,
        HAIKU35: 35.0,
    }
    return {m: v for m, v in w.items() if available(m, d)}


def make_anthropic_messages(w: Writer, n_calls: int = 1050) -> None:
    rel = "anthropic/messages.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "anthropic.messages", "standard")
    rows: list[tuple[Call, bool]] = []
    for _ in range(n_calls):
        ts = random_ts(rng)
        weights = anthropic_weights(ts_date(ts))
        models = sorted(weights)
        model = rng.choices(models, weights=[weights[m] for m in models])[0]
        team, project = pick_team(rng, ANTHROPIC_TEAM_WEIGHTS)
        old = ts_date(ts) < OLD_STYLE_BEFORE
        rows.append((anthropic_call(rng, model, ts, team, project, old), old))
    # Sonnet 4 long-context (1M beta) calls: prompt > 200k, after 2025-08-12
    long_specs = [  # (day, input, cache_read, cache_write_5m)
        (date(2025, 8, 14), 212_480, 0, 0),  # all uncached
        (date(2025, 8, 21), 38_215, 171_904, 0),  # only the SUM crosses 200k
        (date(2025, 8, 27), 4_113, 0, 236_590),  # mostly a cache write
    ]
    for d, inp, cr, cw in long_specs:
        ts = day_ms(d, rng.randint(10, 18), rng.randrange(60), rng.randrange(60))
        c = Call(
            ts_ms=ts,
            model=SONNET4,
            input_uncached=inp,
            cache_read=cr,
            cache_write_5m=cw,
            output=output_size(rng),
            team="search",
            project="ranker",
        )
        rows.append((c, False))
    rows.sort(key=lambda r: r[0].ts_ms)
    lines = []
    for c, old in rows:
        # two spellings of the time: ISO string, or unix seconds as a number
        env: Json = {"time": round(c.ts_ms / 1000, 3)} if rng.random() < 0.2 else {"ts": iso_ms(c.ts_ms)}
        env["metadata"] = {"team": c.team, "project": c.project}
        env["response"] = anthropic_body(w, rng, c, old)
        lines.append(dumps(env, compact=True))
        truth.calls.append(c)
    truth.extra["long_context_calls"] = len(long_specs)
    truth.notes.append(
        f"responses before {OLD_STYLE_BEFORE} have no usage.cache_creation object (count their writes as 5m)"
    )
    truth.notes.append(
        "3 claude-sonnet-4 calls after 2025-08-12 have prompt "
        "(input+cache_read+cache_write) > 200k; two cross only via the sum"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c, _ in rows]))


def make_anthropic_stream(w: Writer) -> None:
    rel = "anthropic/stream_events.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    mtime = day_ms(date(2025, 7, 15), 12)
    truth = FileTruth(rel, "anthropic.stream", "standard")
    plan = [  # (model, n text deltas, server tool)
        (SONNET4, 4, False),
        (SONNET37, 3, False),
        (SONNET4, 5, True),
        (HAIKU35, 2, False),
    ]
    lines: list[str] = []

    def ev(obj: Json) -> None:
        lines.append(dumps(obj, compact=True))

    for model, n_deltas, tool in plan:
        c = anthropic_call(rng, model, mtime, prompt=bounded_lognormal(rng, 2500, 0.5, 800, 9000))
        mid = msg_id(w, rng)
        start_usage = anthropic_usage(c, False, "standard", output_tokens=1)
        ev(
            {
                "type": "message_start",
                "message": {
                    "id": mid,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": start_usage,
                },
            }
        )
        idx = 0
        if tool:
            ev(
                {
                    "type": "content_block_start",
                    "index": idx,
                    "content_block": {
                        "type": "server_tool_use",
                        "id": "srvtoolu_01" + rand_str(rng, 22),
                        "name": "web_search",
                        "input": {},
                    },
                }
            )
            ev(
                {
                    "type": "content_block_delta",
                    "index": idx,
                    "delta": {"type": "input_json_delta", "partial_json": '{"query": "\u2026"}'},
                }
            )
            ev({"type": "content_block_stop", "index": idx})
            idx += 1
            ev(
                {
                    "type": "content_block_start",
                    "index": idx,
                    "content_block": {
                        "type": "web_search_tool_result",
                        "tool_use_id": "srvtoolu_01" + rand_str(rng, 22),
                        "content": [],
                    },
                }
            )
            ev({"type": "content_block_stop", "index": idx})
            idx += 1
        ev({"type": "content_block_start", "index": idx, "content_block": {"type": "text", "text": ""}})
        ev({"type": "ping"})
        for _ in range(n_deltas):
            ev(
                {
                    "type": "content_block_delta",
                    "index": idx,
                    "delta": {"type": "text_delta", "text": PLACEHOLDER},
                }
            )
        ev({"type": "content_block_stop", "index": idx})
        delta_usage: Json = {"output_tokens": c.output}
        if tool:
            # the search results were fed back in: message_delta carries the final input count
            c.input_uncached += rng.randint(1800, 3200)
            delta_usage = {
                "input_tokens": c.input_uncached,
                "cache_creation_input_tokens": c.cache_write_5m + c.cache_write_1h,
                "cache_read_input_tokens": c.cache_read,
                "output_tokens": c.output,
                "server_tool_use": {"web_search_requests": 1},
            }
            truth.extra["server_tool_use"] = {"web_search_requests": 1}
        ev(
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": delta_usage,
            }
        )
        ev({"type": "message_stop"})
        truth.calls.append(c)
    truth.notes.append(
        "no timestamps: use the file mtime (2025-07-15T12:00:00Z). message_delta "
        "usage is cumulative; for the web-search message its input_tokens "
        "replaces message_start's"
    )
    w.write(truth, rel, lines_bytes(lines), mtime)


def make_anthropic_batch(w: Writer, n_ok: int = 150) -> None:
    rel = "anthropic/batch_results.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    mtime = day_ms(date(2025, 4, 20), 8)
    truth = FileTruth(rel, "anthropic.batch", "batch")
    ids = [f"ticket-{n:05d}" for n in rng.sample(range(10000, 99999), n_ok + 2)]
    errored_at, expired_at = 37, 112
    lines = []
    for k, cid in enumerate(ids):
        if k == errored_at:
            lines.append(
                dumps(
                    {
                        "custom_id": cid,
                        "result": {
                            "type": "errored",
                            "error": {
                                "type": "error",
                                "error": {
                                    "type": "invalid_request_error",
                                    "message": "max_tokens: Field required",
                                },
                            },
                        },
                    },
                    compact=True,
                )
            )
            truth.non_billable += 1
            continue
        if k == expired_at:
            lines.append(dumps({"custom_id": cid, "result": {"type": "expired"}}, compact=True))
            truth.non_billable += 1
            continue
        c = anthropic_call(rng, HAIKU35, mtime, old_style=True, prompt=bounded_lognormal(rng, 1400, 0.6, 300, 6000))
        body = anthropic_body(w, rng, c, old_style=True, service_tier="batch")
        lines.append(dumps({"custom_id": cid, "result": {"type": "succeeded", "message": body}}, compact=True))
        truth.calls.append(c)
    truth.notes.append("no timestamps: use the file mtime (2025-04-20T08:00:00Z); 1 errored + 1 expired are not billed")
    w.write(truth, rel, lines_bytes(lines), mtime)


# --------------------------------------------------------------------------------------------
# Claude Code transcripts
# --------------------------------------------------------------------------------------------


@dataclass
class Session:
    project_dir: str
    cwd: str
    branch: str
    version: str
    day: date
    models: tuple[str, ...]
    n_turns: int
    spaced: bool = False
    summary_first: bool = False
    cache_ttl: str = "5m"
    subagent: bool = False
    synthetic: bool = False
    replay: bool = False


SESSIONS = [
    Session("-home-dev-webapp", "/home/dev/webapp", "main", "1.0.11", date(2025, 6, 3), (OPUS4,), 14),
    Session(
        "-home-dev-webapp",
        "/home/dev/webapp",
        "feature/checkout-v2",
        "1.0.56",
        date(2025, 7, 21),
        (SONNET4,),
        12,
        subagent=True,
        synthetic=True,
        replay=True,
    ),
    Session(
        "-home-dev-infra-tools",
        "/home/dev/infra-tools",
        "main",
        "1.0.70",
        date(2025, 8, 5),
        (OPUS4, SONNET4),
        11,
        spaced=True,
    ),
    Session(
        "-home-dev-infra-tools",
        "/home/dev/infra-tools",
        "ops/terraform-upgrade",
        "1.0.93",
        date(2025, 8, 26),
        (SONNET4,),
        10,
        summary_first=True,
        cache_ttl="1h",
    ),
]


def assistant_key_order(d: Json) -> Json:
    """Claude Code's key order: message and requestId before type/uuid/timestamp."""
    order = [
        "parentUuid",
        "isSidechain",
        "userType",
        "cwd",
        "sessionId",
        "version",
        "gitBranch",
        "message",
        "requestId",
        "type",
        "uuid",
        "timestamp",
    ]
    return {key: d[key] for key in order if key in d} | {k: v for k, v in d.items() if k not in order}


class Transcript:
    """Builds one Claude Code session file line by line (the lines form a parentUuid chain)."""

    def __init__(self, w: Writer, n: int, s: Session):
        self.w, self.s = w, s
        self.rng = random.Random(f"{SEED}:claude_code:{n}")
        self.session_id = rand_uuid(self.rng)
        self.rel = f"claude_code/projects/{s.project_dir}/{self.session_id}.jsonl"
        self.truth = FileTruth(self.rel, "claude_code", "standard")
        self.t = day_ms(s.day, self.rng.randint(9, 15), self.rng.randrange(60), self.rng.randrange(60))
        self.lines: list[str] = []
        self.parent: str | None = None
        self.context = 0  # tokens already in the prompt cache
        self.finals: list[Json] = []  # final line of each billable assistant message

    def common(self, kind: str, sidechain: bool = False) -> Json:
        s = self.s
        self.t += self.rng.randint(800, 9000)
        u = rand_uuid(self.rng)
        d: Json = {
            "parentUuid": self.parent,
            "isSidechain": sidechain,
            "userType": "external",
            "cwd": s.cwd,
            "sessionId": self.session_id,
            "version": s.version,
            "gitBranch": s.branch,
            "type": kind,
        }
        self.parent = u
        return d | {"uuid": u, "timestamp": iso_ms(self.t)}

    def emit(self, obj: Json) -> None:
        self.lines.append(dumps(obj, compact=not self.s.spaced, ascii_only=False))

    def user(self, content: str | list[Json], sidechain: bool = False) -> None:
        d = self.common("user", sidechain)
        d["message"] = {"role": "user", "content": content}
        self.emit(d)

    def tool_result(self, tool_use_id: str, sidechain: bool = False) -> None:
        self.user([{"tool_use_id": tool_use_id, "type": "tool_result", "content": PLACEHOLDER}], sidechain)

    def assistant(
        self, model: str, sidechain: bool = False, n_blocks: int | None = None, final_text: bool = False
    ) -> Json:
        """One API call: one line per content block, output_tokens growing; returns last block."""
        rng, s = self.rng, self.s
        if self.context == 0:
            cw = rng.randint(14_000, 19_000)  # system prompt + tool definitions
            cr = 0
        else:
            cw = rng.randint(150, 6000)
            cr = self.context
        inp = rng.randint(1, 9)
        out_final = bounded_lognormal(rng, 350, 0.9, 20, 2000)
        self.context = min(self.context + cw + out_final, 160_000)
        c = Call(
            ts_ms=0,
            model=model,
            input_uncached=inp,
            cache_read=cr,
            cache_write_5m=cw if s.cache_ttl == "5m" else 0,
            cache_write_1h=cw if s.cache_ttl == "1h" else 0,
            output=out_final,
        )
        mid = msg_id(self.w, rng)
        req = self.w.unique("req_011C" + rand_str(rng, 20))
        k = n_blocks or rng.choices([1, 2, 3], weights=[3, 4, 2])[0]
        blocks: list[Json] = []
        for b in range(k):
            if b == k - 1 and not final_text and rng.random() < 0.7:
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": "toolu_01" + rand_str(rng, 22),
                        "name": rng.choice(["Read", "Edit", "Bash", "Grep"]),
                        "input": {},
                    }
                )
            else:
                blocks.append({"type": "text", "text": PLACEHOLDER})
        # output_tokens grows across the per-block lines; the last one is final
        partial = sorted(rng.sample(range(1, out_final), k - 1)) if k > 1 else []
        outs = [*partial, out_final]
        line: Json = {}
        for b, block in enumerate(blocks):
            last = b == k - 1
            d = self.common("assistant", sidechain)
            d["message"] = {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [block],
                "stop_reason": ("tool_use" if block["type"] == "tool_use" else "end_turn") if last else None,
                "stop_sequence": None,
                "usage": anthropic_usage(c, False, "standard", output_tokens=outs[b]),
            }
            d["requestId"] = req
            line = assistant_key_order(d)
            self.emit(line)
        c.ts_ms = self.t
        self.truth.calls.append(c)
        self.truth.duplicate_records += k - 1
        self.finals.append(line)
        return blocks[-1]

    def synthetic(self) -> None:
        """A local API-error placeholder: zero usage, no requestId, not billable."""
        d = self.common("assistant")
        d["message"] = {
            "id": rand_uuid(self.rng),
            "model": "<synthetic>",
            "role": "assistant",
            "stop_reason": "stop_sequence",
            "stop_sequence": "",
            "type": "message",
            "usage": {
                "input_tokens": 0,
                "output_tokens": 0,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "server_tool_use": {"web_search_requests": 0},
                "service_tier": None,
            },
            "content": [{"type": "text", "text": "API Error: Request was aborted."}],
        }
        d["isApiErrorMessage"] = True
        self.emit(d)
        self.truth.non_billable += 1
        self.truth.notes.append("one '<synthetic>' assistant message (zero usage, no requestId)")

    def subagent(self) -> None:
        """A Task sub-agent: real, billable calls on the sidechain with their own message ids."""
        saved_parent, saved_context = self.parent, self.context
        self.parent, self.context = None, 0
        self.user(PLACEHOLDER, sidechain=True)
        for _ in range(3):
            self.assistant(SONNET4, sidechain=True)
            self.tool_result("toolu_01" + rand_str(self.rng, 22), sidechain=True)
        self.assistant(SONNET4, sidechain=True, n_blocks=1)
        self.parent, self.context = saved_parent, saved_context
        self.truth.notes.append(
            "contains a Task sub-agent run with isSidechain true and unique message ids: those calls ARE billable"
        )

    def replay(self, index: int) -> None:
        """A side question replays an earlier parent message: same message.id, new requestId,
        isSidechain true. Not billable again."""
        orig = self.finals[index]
        d = self.common("assistant", sidechain=True)
        d["message"] = json.loads(json.dumps(orig["message"]))
        d["requestId"] = self.w.unique("req_011C" + rand_str(self.rng, 20))
        self.emit(assistant_key_order(d))
        self.truth.non_billable += 1
        self.truth.notes.append(
            f"sidechain replay of {orig['message']['id']} (different requestId): not billable again"
        )

    def build(self) -> None:
        s = self.s
        if s.summary_first:
            for _ in range(2):
                self.emit({"type": "summary", "summary": PLACEHOLDER, "leafUuid": rand_uuid(self.rng)})
            self.truth.notes.append("starts with 'summary' lines that have no sessionId")
        sysd = self.common("system")
        sysd.update({"content": PLACEHOLDER, "isMeta": False, "level": "info"})
        self.emit(sysd)
        self.user(PLACEHOLDER)
        for turn in range(s.n_turns):
            last_block = self.assistant(s.models[turn % len(s.models)])
            if s.synthetic and turn == s.n_turns // 2:
                self.synthetic()
            if s.subagent and turn == 3:
                self.subagent()
            if last_block["type"] == "tool_use":
                self.tool_result(last_block["id"])
            else:
                self.user(PLACEHOLDER)
        self.assistant(s.models[0], n_blocks=1, final_text=True)
        if s.replay:
            self.replay(2)
        if s.spaced:
            self.truth.notes.append("written with spaces after ':' and ','")
        self.w.write(self.truth, self.rel, lines_bytes(self.lines), last_mtime([self.t]))


def make_claude_code(w: Writer) -> None:
    for n, s in enumerate(SESSIONS):
        Transcript(w, n, s).build()


# --------------------------------------------------------------------------------------------
# Gemini / Vertex
# --------------------------------------------------------------------------------------------

GEMINI_25 = (GEM25P, GEM25F, GEM25F_PREVIEW)
GEMINI_TEAM_WEIGHTS = {"search": 0.5, "support": 0.2, "platform": 0.3}


def gemini_call(
    rng: random.Random,
    model: str,
    ts_ms: int,
    team: str | None = None,
    project: str | None = None,
    prompt: int | None = None,
) -> Call:
    prompt = prompt if prompt is not None else prompt_size(rng, 190_000)
    cached = 0
    d = ts_date(ts_ms)
    if model in GEMINI_25 and d >= date(2025, 5, 8):  # implicit caching
        if prompt >= (2048 if model == GEM25P else 1024) and rng.random() < 0.3:
            cached = int(prompt * rng.uniform(0.4, 0.98))
    elif model == GEM20F and prompt >= 4096 and rng.random() < 0.25:  # explicit cache
        cached = int(prompt * rng.uniform(0.6, 0.95))
    thoughts = 0
    if model == GEM25P or (model == GEM25F and rng.random() < 0.7) or (model == GEM25F_PREVIEW and rng.random() < 0.5):
        thoughts = bounded_lognormal(rng, 700, 1.0, 40, 16_000)
    candidates = output_size(rng)
    return Call(
        ts_ms=ts_ms,
        model=model,
        input_uncached=prompt - cached,
        cache_read=cached,
        output=candidates + thoughts,
        reasoning=thoughts,
        team=team,
        project=project,
    )


def gemini_usage(c: Call, candidates: int | None = None, vertex: bool = False) -> Json:
    prompt = c.input_uncached + c.cache_read
    cand = c.output - c.reasoning if candidates is None else candidates
    u: Json = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": cand,
        "totalTokenCount": prompt + cand + c.reasoning,
    }
    if c.cache_read:
        u["cachedContentTokenCount"] = c.cache_read
    u["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if c.cache_read:
        u["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": c.cache_read}]
    if vertex:
        u["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": cand}]
    if c.reasoning:
        u["thoughtsTokenCount"] = c.reasoning
    if vertex:
        u["trafficType"] = "ON_DEMAND"
    return u


def gemini_weights(d: date) -> dict[str, float]:
    w = {GEM20F: 30.0 if d < date(2025, 6, 17) else 14.0, GEM25F_PREVIEW: 25.0, GEM25F: 30.0, GEM25P: 12.0}
    return {m: v for m, v in w.items() if available(m, d)}


def candidate(finish: str = "STOP", vertex: bool = False, rng: random.Random | None = None) -> Json:
    cand: Json = {"content": {"parts": [{"text": PLACEHOLDER}], "role": "model"}, "finishReason": finish}
    if vertex and rng is not None:
        cand["avgLogprobs"] = round(-rng.uniform(0.01, 0.6), 6)
    else:
        cand["index"] = 0
    return cand


def response_id(w: Writer, rng: random.Random) -> str:
    return w.unique(rand_str(rng, 23, B64URL))


def make_gemini(w: Writer, n_calls: int = 820) -> None:
    rel = "gemini/generate_content.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "gemini", "standard")
    calls = []
    for _ in range(n_calls):
        ts = random_ts(rng)
        weights = gemini_weights(ts_date(ts))
        models = sorted(weights)
        model = rng.choices(models, weights=[weights[m] for m in models])[0]
        team, project = pick_team(rng, GEMINI_TEAM_WEIGHTS)
        calls.append(gemini_call(rng, model, ts, team, project))
    # two long-context gemini-2.5-pro prompts (> 200k)
    for d, prompt in ((date(2025, 7, 9), 243_871), (date(2025, 8, 19), 318_402)):
        ts = day_ms(d, rng.randint(10, 18), rng.randrange(60), rng.randrange(60))
        calls.append(gemini_call(rng, GEM25P, ts, "search", "ranker", prompt=prompt))
    calls.sort(key=lambda c: c.ts_ms)
    lines = []
    n_prefixed = 0
    for c in calls:
        prefixed = rng.random() < 0.1
        n_prefixed += prefixed
        body = {
            "candidates": [candidate()],
            "usageMetadata": gemini_usage(c),
            "modelVersion": ("models/" if prefixed else "") + c.model,
            "responseId": response_id(w, rng),
        }
        lines.append(
            dumps(
                {
                    "timestamp": iso_ms(c.ts_ms),
                    "tags": {"team": c.team, "project": c.project},
                    "response": body,
                }
            )
        )
        truth.calls.append(c)
    truth.extra["models_prefix_lines"] = n_prefixed
    truth.extra["long_context_calls"] = 2
    truth.notes.append(
        "totalTokenCount = prompt + candidates + thoughts; cachedContentTokenCount "
        "is a subset of promptTokenCount; some modelVersion values carry a "
        "'models/' prefix (by_model keys are stripped)"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def make_gemini_stream(w: Writer) -> None:
    rel = "gemini/stream_chunks.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    mtime = day_ms(date(2025, 8, 1))
    truth = FileTruth(rel, "gemini", "standard")
    lines = []
    for model, n_chunks in ((GEM25F, 4), (GEM20F, 3), (GEM25P, 5), (GEM25F, 3)):
        c = gemini_call(rng, model, mtime, prompt=bounded_lognormal(rng, 1500, 0.7, 200, 9000))
        rid = response_id(w, rng)
        cand_final = c.output - c.reasoning
        steps = [*sorted(rng.sample(range(1, cand_final), n_chunks - 1)), cand_final]
        for k, cand in enumerate(steps):
            last = k == n_chunks - 1
            chunk_cand: Json = {"content": {"parts": [{"text": PLACEHOLDER}], "role": "model"}}
            if last:
                chunk_cand["finishReason"] = "STOP"
            chunk_cand["index"] = 0
            lines.append(
                dumps(
                    {
                        "candidates": [chunk_cand],
                        "usageMetadata": gemini_usage(c, candidates=cand),
                        "modelVersion": c.model,
                        "responseId": rid,
                    },
                    compact=True,
                )
            )
        truth.calls.append(c)
    truth.notes.append(
        "usageMetadata is cumulative per responseId: take the last chunk; no "
        "timestamps (file mtime 2025-08-01T00:00:00Z)"
    )
    w.write(truth, rel, lines_bytes(lines), mtime)


def make_vertex(w: Writer, n_calls: int = 60) -> None:
    rel = "vertex/generate_content.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "vertex", "ON_DEMAND")
    calls = []
    for _ in range(n_calls):
        ts = random_ts(rng, date(2025, 7, 1), PERIOD_END)
        model = rng.choices([GEM20F, GEM25F, GEM25P], weights=[3, 5, 2])[0]
        calls.append(gemini_call(rng, model, ts))
    calls.sort(key=lambda c: c.ts_ms)
    objs = []
    for c in calls:
        create = (
            ms_to_dt(c.ts_ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{(c.ts_ms % 1000) * 1000 + rng.randrange(1000):06d}Z"
        )
        objs.append(
            {
                "candidates": [candidate(vertex=True, rng=rng)],
                "usageMetadata": gemini_usage(c, vertex=True),
                "modelVersion": c.model,
                "createTime": create,
                "responseId": response_id(w, rng),
            }
        )
        truth.calls.append(c)
    truth.notes.append("trafficType ON_DEMAND; createTime has microseconds; no tags")
    w.write(truth, rel, (json.dumps(objs, indent=2) + "\n").encode("utf-8"), last_mtime([c.ts_ms for c in calls]))


# --------------------------------------------------------------------------------------------
# odd files, manifest, readme
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# Aggregate exports (usage buckets, billed cost lines) and tabular formats: OpenAI Usage/Costs API,
# OpenAI dashboard CSVs, Anthropic usage/cost reports, FOCUS, llm logs.db, Helicone CSV, LiteLLM CSV,
# a generic CSV with its mapping. Exports are built FROM the call logs above (plus, where said, usage
# the logs miss), so overlap and reconciliation have known answers. Every export covers only days
# that also have call logs for the same provider and platform (asserted): reports then count the calls
# and show the export as an overlap, and `aispend reconcile` compares them.
# --------------------------------------------------------------------------------------------

OPENAI_DIRECT_FORMATS = ("openai.chat", "openai.responses", "openai.chat_stream", "openai.batch")
ANTHROPIC_DIRECT_FORMATS = ("anthropic.messages", "anthropic.stream", "anthropic.batch", "claude_code")
FT_RATES = ("0.30", "0.15", None, None, "1.20")  # fine-tuned gpt-4o-mini: billed, but not in pricing/

# List rates per 1M tokens (input, cache_read, cache_write_5m, cache_write_1h, output), as in pricing/*.toml
# for the sample's models and dates. Billed exports are computed from these (then discounted where said).
LIST_RATES: dict[str, tuple[str | None, ...]] = {
    GPT4O: ("2.50", "1.25", None, None, "10"),
    GPT4O_MINI: ("0.15", "0.075", None, None, "0.60"),
    GPT41: ("2", "0.50", None, None, "8"),
    O4_MINI: ("1.10", "0.275", None, None, "4.40"),
    SONNET4: ("3", "0.30", "3.75", "6", "15"),
    SONNET37: ("3", "0.30", "3.75", "6", "15"),
    HAIKU35: ("0.80", "0.08", "1", "1.6", "4"),
    OPUS4: ("15", "1.50", "18.75", "30", "75"),
}
O3_RATES = {False: ("10", "2.50", None, None, "40"), True: ("2", "0.50", None, None, "8")}  # after the cut?
BUCKET_KEYS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")


def canonical_model(model: str) -> str:
    return GPT4O if model == GPT4O_ALIAS else model


def list_rates(model: str, d: date) -> tuple[str | None, ...]:
    model = canonical_model(model)
    if model == O3:
        return O3_RATES[d >= O3_PRICE_CHANGE]
    if model == FT_MINI:
        return FT_RATES
    return LIST_RATES[model]


def bucket_cost(model: str, d: date, tokens: dict[str, int], batch: bool = False) -> Decimal:
    """List price of some tokens in USD (exact); batch halves it."""
    rates = list_rates(model, d)
    total = sum(
        (Decimal(tokens.get(k, 0)) * Decimal(r or "0") for k, r in zip(BUCKET_KEYS, rates, strict=True)),
        Decimal(0),
    )
    return total / Decimal(1_000_000) * (Decimal("0.5") if batch else Decimal(1))


def logged_calls(w: Writer, formats: tuple[str, ...], start: date, end: date) -> list[tuple[Call, bool]]:
    """(call, is batch) for the calls of these formats logged on days start..end (inclusive)."""
    out = []
    for t in w.truths:
        if t.format in formats and t.extra.get("record_kind", "call") == "call":
            out += [(c, t.service_tier == "batch") for c in t.calls if start <= ts_date(c.ts_ms) <= end]
    return out


def check_covered(w: Writer, formats: tuple[str, ...], start: date, end: date, what: str) -> None:
    days = {ts_date(c.ts_ms) for c, _ in logged_calls(w, formats, start, end)}
    missing = [d for d in all_days(start, end) if d not in days]
    if missing:
        raise RuntimeError(f"{what}: no logged calls on {missing}; exports must overlap call days")


def tokens_of(c: Call) -> dict[str, int]:
    return {k: getattr(c, k) for k in TOKEN_KEYS}


def add_tokens(acc: dict[str, int], c: Call) -> None:
    for k in TOKEN_KEYS:
        acc[k] = acc.get(k, 0) + getattr(c, k)


def bucket_call(ts_ms: int, model: str, tok: dict[str, int]) -> Call:
    """An aggregate row as a manifest entry (its token sums; exports carry no reasoning counts)."""
    return Call(ts_ms=ts_ms, model=model, **{k: tok.get(k, 0) for k in TOKEN_KEYS if k != "reasoning"})


def money_str(v: Decimal, places: int = 10) -> str:
    q = v.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN).normalize()
    return format(q, "f")


def openai_usage_groups(w: Writer, start: date, end: date) -> dict[tuple[date, str, bool], tuple[int, dict[str, int]]]:
    groups: dict[tuple[date, str, bool], tuple[int, dict[str, int]]] = {}
    for c, batch in logged_calls(w, OPENAI_DIRECT_FORMATS, start, end):
        key = (ts_date(c.ts_ms), canonical_model(c.model), batch)
        n, tok = groups.get(key, (0, {}))
        add_tokens(tok, c)
        groups[key] = (n + 1, tok)
    return groups


def usage_result(model: str, batch: bool, n: int, tok: dict[str, int], ints_as_floats: bool = False) -> Json:
    inp = tok.get("input_uncached", 0) + tok.get("cache_read", 0)
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": inp,
        "output_tokens": tok.get("output", 0),
        "input_cached_tokens": tok.get("cache_read", 0),
        "input_uncached_tokens": tok.get("input_uncached", 0),
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "num_model_requests": n,
        "project_id": None,
        "user_id": None,
        "api_key_id": None,
        "model": model,
        "batch": batch,
        "service_tier": None,
    }


USAGE_WINDOW = (date(2025, 6, 1), date(2025, 6, 14))
DASHBOARD_WINDOW = (date(2025, 7, 1), date(2025, 7, 5))
FOCUS_WINDOW = (date(2025, 8, 11), date(2025, 8, 17))
ANTHROPIC_WINDOW = (date(2025, 7, 14), date(2025, 7, 20))
OPENAI_DISCOUNT = Decimal("0.90")  # June Costs API: a negotiated 10% discount not in pricing/
FOCUS_DISCOUNT = Decimal("0.95")  # August FOCUS: contracted 5% off list
FOCUS_TAX = Decimal("0.08")


def make_openai_usage_costs(w: Writer) -> None:
    """openai/usage_api_2025-06-01_14.jsonl (two Usage API pages, one per line) and
    openai/costs_api_2025-06-01_14.json (a JSON array of Costs API pages), June 1-14.

    The usage export sees every logged openai call plus a job that logs nothing ('nightly-digest',
    gpt-4o-mini); the Costs API bills that usage at list price less a negotiated 10%."""
    start, end = USAGE_WINDOW
    check_covered(w, OPENAI_DIRECT_FORMATS, start, end, "openai usage export")
    rng = random.Random(f"{SEED}:openai/usage_api")
    groups = openai_usage_groups(w, start, end)
    unlogged = 0
    for d in all_days(start, end):  # the unlogged job: 3-6 requests a night
        n_extra = rng.randint(3, 6)
        for _ in range(n_extra):
            c = openai_call(rng, GPT4O_MINI, day_ms(d, 2, rng.randrange(60)), p_cache=0.0)
            key = (d, GPT4O_MINI, False)
            n, tok = groups.get(key, (0, {}))
            add_tokens(tok, c)
            groups[key] = (n + 1, tok)
        unlogged += n_extra

    rel = "openai/usage_api_2025-06-01_14.jsonl"
    truth = FileTruth(rel, "openai.usage_api", None)
    pages: list[Json] = []
    days = all_days(start, end)
    for p, chunk in enumerate((days[:7], days[7:])):
        data = []
        for d in chunk:
            results = []
            for (gd, model, batch), (n, tok) in sorted(groups.items()):
                if gd != d:
                    continue
                results.append(usage_result(model, batch, n, tok))
                truth.calls.append(bucket_call(day_ms(d), model, tok))
            t0 = day_ms(d) // 1000
            data.append({"object": "bucket", "start_time": t0, "end_time": t0 + 86_400, "results": results})
        last = p == 1
        pages.append(
            {
                "object": "page",
                "data": data,
                "has_more": not last,
                "next_page": None if last else "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=",
            }
        )
    truth.extra.update(
        {
            "record_kind": "bucket",
            "requests": sum(n for n, _ in groups.values()),
            "unlogged_requests": unlogged,
            "notes_window": f"{start}..{end}",
        }
    )
    truth.notes.append(
        f"Usage API pages (group_by=model,batch), {start}..{end}; includes {unlogged} requests of a job "
        "that writes no call logs: reconcile shows them as calls missing from the logs"
    )
    w.write(truth, rel, lines_bytes([dumps(p, compact=True) for p in pages]), day_ms(end + timedelta(days=1), 6))

    rel = "openai/costs_api_2025-06-01_14.json"
    truth = FileTruth(rel, "openai.costs_api", None)
    billed = Decimal(0)
    pages = []
    for chunk in (days[:7], days[7:]):
        data = []
        for d in chunk:
            results = []
            for (gd, model, batch), (_n, tok) in sorted(groups.items()):
                if gd != d:
                    continue
                parts = (
                    ("input", {"input_uncached": tok["input_uncached"]}),
                    ("cached input", {"cache_read": tok["cache_read"]}),
                    ("output", {"output": tok["output"]}),
                )
                for label, part in parts:
                    if not sum(part.values()):
                        continue
                    amount = (bucket_cost(model, d, part, batch) * OPENAI_DISCOUNT).quantize(
                        Decimal("1e-10"), ROUND_HALF_EVEN
                    )
                    billed += amount
                    text = money_str(amount)
                    item = f"{model}, {label}" + (" (batch)" if batch else "")
                    value: Any = text if len(results) % 5 == 4 else float(text)  # some exports write strings
                    results.append(
                        {
                            "object": "organization.costs.result",
                            "amount": {"value": value, "currency": "usd"},
                            "line_item": item,
                            "project_id": None,
                            "organization_id": "org-9aLuv1GnYPwUCf3QxYiZtTx7",
                        }
                    )
                    truth.calls.append(bucket_call(day_ms(d), model, {}))
            t0 = day_ms(d) // 1000
            data.append({"object": "bucket", "start_time": t0, "end_time": t0 + 86_400, "results": results})
        pages.append({"object": "page", "data": data, "has_more": False, "next_page": None})
    truth.extra.update({"record_kind": "cost", "billed_usd": str(billed), "discount": str(1 - OPENAI_DISCOUNT)})
    truth.notes.append(
        f"Costs API pages (group_by=line_item), {start}..{end}: the usage export's usage at list price less 10%; "
        "every fifth amount.value is a string"
    )
    w.write(truth, rel, (json.dumps(pages, indent=2) + "\n").encode("utf-8"), day_ms(end + timedelta(days=1), 6))


def make_openai_dashboard(w: Writer) -> None:
    """openai/dashboard_activity_2025-07.csv and openai/dashboard_costs_2025-07.csv, July 1-5, as the
    usage page's Export button writes them (floats for integers, FALSE, trailing blank rows). The cost
    CSV bills list price; the fine-tuned model at its own rate (not in pricing/)."""
    start, end = DASHBOARD_WINDOW
    check_covered(w, OPENAI_DIRECT_FORMATS, start, end, "openai dashboard export")
    groups = openai_usage_groups(w, start, end)
    header = (
        "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,api_key_id,model,"
        "batch,service_tier,input_tokens,output_tokens,input_cached_tokens,input_uncached_tokens,input_text_tokens,"
        "output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,"
        "output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens"
    )
    rel = "openai/dashboard_activity_2025-07.csv"
    truth = FileTruth(rel, "openai.dashboard_csv", None)
    rows = [header]
    for (d, model, batch), (n, tok) in sorted(groups.items()):
        t0 = day_ms(d) // 1000
        iso0 = datetime.fromtimestamp(t0, tz=UTC).isoformat()
        iso1 = datetime.fromtimestamp(t0 + 86_400, tz=UTC).isoformat()
        inp = tok["input_uncached"] + tok["cache_read"]
        cells = [
            f"{t0}",
            f"{t0 + 86_400}",
            iso0,
            iso1,
            "",
            f"{n}.0",
            "",
            "",
            model,
            "TRUE" if batch else "FALSE",
            "",
            f"{inp}.0",
            f"{tok['output']}.0",
            f"{tok['cache_read']}.0",
            f"{tok['input_uncached']}.0",
            f"{inp}.0",
            f"{tok['output']}.0",
            f"{tok['cache_read']}.0",
            "0.0",
            "0.0",
            "0.0",
            "0.0",
            "0.0",
            "0.0",
        ]
        rows.append(",".join(cells))
        truth.calls.append(bucket_call(day_ms(d), model, tok))
    rows += ["," * 23, "," * 23]  # blank rows the spreadsheet kept
    truth.non_billable = 2
    truth.extra.update({"record_kind": "bucket", "requests": sum(n for n, _ in groups.values())})
    truth.notes.append(f"activity export {start}..{end}: the logged calls exactly; 2 blank trailing rows")
    w.write(truth, rel, ("\r\n".join(rows) + "\r\n").encode("utf-8"), day_ms(end + timedelta(days=1), 8))

    rel = "openai/dashboard_costs_2025-07.csv"
    truth = FileTruth(rel, "openai.dashboard_csv", None)
    rows = [
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,line_item,project_id,"
        "organization_id,organization_name"
    ]
    billed = Decimal(0)
    for (d, model, batch), (_n, tok) in sorted(groups.items()):
        t0 = day_ms(d) // 1000
        iso0 = datetime.fromtimestamp(t0, tz=UTC).isoformat()
        iso1 = datetime.fromtimestamp(t0 + 86_400, tz=UTC).isoformat()
        for label, part in (
            ("input", {"input_uncached": tok["input_uncached"]}),
            ("cached input", {"cache_read": tok["cache_read"]}),
            ("output", {"output": tok["output"]}),
        ):
            if not sum(part.values()):
                continue
            amount = bucket_cost(model, d, part, batch).quantize(Decimal("1e-16"), ROUND_HALF_EVEN)
            billed += amount
            item = f'"{model}, {label}' + (' (batch)"' if batch else '"')
            rows.append(f"{t0},{t0 + 86_400},{iso0},{iso1},{amount:.16f},usd,{item},,org-9aLuv1GnYPwUCf3QxYiZtTx7,Acme")
            truth.calls.append(bucket_call(day_ms(d), model, {}))
    truth.extra.update({"record_kind": "cost", "billed_usd": str(billed)})
    truth.notes.append(
        f"cost export {start}..{end} at list price (16-decimal amounts); '{FT_MINI}' billed at its fine-tuned rate"
    )
    w.write(truth, rel, ("\r\n".join(rows) + "\r\n").encode("utf-8"), day_ms(end + timedelta(days=1), 8))


ANTHROPIC_NAMES = {
    SONNET4: "Claude Sonnet 4",
    SONNET37: "Claude Sonnet 3.7",
    HAIKU35: "Claude Haiku 3.5",
    OPUS4: "Claude Opus 4",
}


def make_anthropic_reports(w: Writer) -> None:
    """anthropic/usage_report_2025-07-14_20.json and anthropic/cost_report_2025-07-14_20.json (Admin API,
    1d buckets, group_by model): the logged Anthropic calls; the cost report bills list price in CENTS
    (decimal strings) plus the web search the stream's Sonnet 4 message ran ($10 per 1,000 searches),
    which pricing/ does not price per call."""
    start, end = ANTHROPIC_WINDOW
    check_covered(w, ANTHROPIC_DIRECT_FORMATS, start, end, "anthropic reports")
    groups: dict[tuple[date, str, str], dict[str, int]] = {}
    for c, batch in logged_calls(w, ANTHROPIC_DIRECT_FORMATS, start, end):
        tok = groups.setdefault((ts_date(c.ts_ms), c.model, "batch" if batch else "standard"), {})
        add_tokens(tok, c)
    searches: dict[tuple[date, str, str], int] = {}
    for t in w.truths:
        if t.format == "anthropic.stream" and t.mtime_ms and start <= ts_date(t.mtime_ms) <= end:
            n = int(t.extra.get("server_tool_use", {}).get("web_search_requests", 0))
            if n:
                searches[(ts_date(t.mtime_ms), SONNET4, "standard")] = n  # the stream plan: the Sonnet 4 message
    rel = "anthropic/usage_report_2025-07-14_20.json"
    truth = FileTruth(rel, "anthropic.usage_report", None)
    data = []
    for d in all_days(start, end):
        results = []
        for (gd, model, tier), tok in sorted(groups.items()):
            if gd != d:
                continue
            results.append(
                {
                    "uncached_input_tokens": tok["input_uncached"],
                    "cache_creation": {
                        "ephemeral_1h_input_tokens": tok["cache_write_1h"],
                        "ephemeral_5m_input_tokens": tok["cache_write_5m"],
                    },
                    "cache_read_input_tokens": tok["cache_read"],
                    "output_tokens": tok["output"],
                    "server_tool_use": {"web_search_requests": searches.get((gd, model, tier), 0)},
                    "api_key_id": None,
                    "workspace_id": None,
                    "model": model,
                    "service_tier": tier,
                    "context_window": "0-200k",
                }
            )
            truth.calls.append(bucket_call(day_ms(d), model, tok))
        data.append(
            {
                "starting_at": f"{d.isoformat()}T00:00:00Z",
                "ending_at": f"{(d + timedelta(days=1)).isoformat()}T00:00:00Z",
                "results": results,
            }
        )
    truth.extra.update({"record_kind": "bucket", "requests": 0, "web_search_requests": sum(searches.values())})
    truth.notes.append("usage report: no request counts (request_count 0); cache writes split by TTL")
    doc = {"data": data, "has_more": False, "next_page": None}
    w.write(truth, rel, (json.dumps(doc, indent=2) + "\n").encode("utf-8"), day_ms(end + timedelta(days=1), 7))

    rel = "anthropic/cost_report_2025-07-14_20.json"
    truth = FileTruth(rel, "anthropic.cost_report", None)
    billed_cents = Decimal(0)
    labels = (
        ("uncached_input_tokens", "Input Tokens", "input_uncached"),
        ("cache_read_input_tokens", "Cache Read Input Tokens", "cache_read"),
        ("cache_creation.ephemeral_5m_input_tokens", "5m Cache Write Input Tokens", "cache_write_5m"),
        ("cache_creation.ephemeral_1h_input_tokens", "1h Cache Write Input Tokens", "cache_write_1h"),
        ("output_tokens", "Output Tokens", "output"),
    )
    data = []
    for d in all_days(start, end):
        results = []
        for (gd, model, tier), tok in sorted(groups.items()):
            if gd != d:
                continue
            for token_type, label, key in labels:
                if not tok[key]:
                    continue
                cents = (bucket_cost(model, d, {key: tok[key]}, tier == "batch") * 100).quantize(
                    Decimal("1e-8"), ROUND_HALF_EVEN
                )
                billed_cents += cents
                results.append(
                    {
                        "currency": "USD",
                        "amount": money_str(cents, 8),
                        "workspace_id": None,
                        "description": f"{ANTHROPIC_NAMES[model]} Usage - {label}",
                        "cost_type": "tokens",
                        "context_window": "0-200k",
                        "model": model,
                        "service_tier": tier,
                        "token_type": token_type,
                    }
                )
                truth.calls.append(bucket_call(day_ms(d), model, {}))
        for (gd, model, _tier), n in sorted(searches.items()):
            if gd == d:
                cents = Decimal(n)  # $10 per 1,000 searches = 1 cent each
                billed_cents += cents
                results.append(
                    {
                        "currency": "USD",
                        "amount": money_str(cents, 8),
                        "workspace_id": None,
                        "description": "Web Search",
                        "cost_type": "web_search",
                        "context_window": None,
                        "model": model,
                        "service_tier": None,
                        "token_type": None,
                    }
                )
                truth.calls.append(bucket_call(day_ms(d), model, {}))
        data.append(
            {
                "starting_at": f"{d.isoformat()}T00:00:00Z",
                "ending_at": f"{(d + timedelta(days=1)).isoformat()}T00:00:00Z",
                "results": results,
            }
        )
    truth.extra.update(
        {"record_kind": "cost", "billed_cents": str(billed_cents), "billed_usd": str(billed_cents / 100)}
    )
    truth.notes.append("amounts are decimal strings in CENTS; one web_search line (1 search = 1 cent)")
    doc = {"data": data, "has_more": False, "next_page": None}
    w.write(truth, rel, (json.dumps(doc, indent=2) + "\n").encode("utf-8"), day_ms(end + timedelta(days=1), 7))


FOCUS_HEADER = (
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "PricingCategory",
    "ServiceProviderName",
    "HostProviderName",
    "InvoiceIssuerName",
    "ServiceName",
    "ServiceCategory",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceId",
    "SkuPriceDetails",
    "SubAccountId",
    "SubAccountName",
    "Tags",
)


def make_focus(w: Writer) -> None:
    """focus/openai_focus_2025-08-11_17.csv: a FOCUS 1.2 export of OpenAI usage, Aug 11-17, one row per day x
    model x token type (ConsumedQuantity in tokens, SkuPriceDetails with TokenDirection / TokenCacheAction),
    BilledCost = list less a contracted 5%, plus an 8% sales-tax line for the week."""
    start, end = FOCUS_WINDOW
    check_covered(w, OPENAI_DIRECT_FORMATS, start, end, "FOCUS export")
    groups = openai_usage_groups(w, start, end)
    rel = "focus/openai_focus_2025-08-11_17.csv"
    truth = FileTruth(rel, "focus", None)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(FOCUS_HEADER)
    common = {
        "BillingAccountId": "org-9aLuv1GnYPwUCf3QxYiZtTx7",
        "BillingAccountName": "Acme",
        "BillingCurrency": "USD",
        "BillingPeriodStart": "2025-08-01T00:00:00Z",
        "BillingPeriodEnd": "2025-09-01T00:00:00Z",
        "ServiceProviderName": "OpenAI",
        "HostProviderName": "OpenAI",
        "InvoiceIssuerName": "OpenAI",
        "ServiceName": "OpenAI API",
        "ServiceCategory": "AI and Machine Learning",
        "ServiceSubcategory": "Generative AI",
        "SubAccountId": "proj_Qm3xUe9Zr1",
        "SubAccountName": "production",
    }
    billed = Decimal(0)
    subtotal = Decimal(0)
    for (d, model, batch), (_n, tok) in sorted(groups.items()):
        rates = list_rates(model, d)
        for direction, cache, meter, key, rate in (
            ("Input", "Uncached", "Input Tokens", "input_uncached", rates[0]),
            ("Input", "Read", "Cached Input Tokens", "cache_read", rates[1]),
            ("Output", None, "Output Tokens", "output", rates[4]),
        ):
            qty = tok[key]
            if not qty:
                continue
            list_cost = bucket_cost(model, d, {key: qty}, batch)
            cost = (list_cost * FOCUS_DISCOUNT).quantize(Decimal("1e-10"), ROUND_HALF_EVEN)
            billed += cost
            subtotal += cost
            details = {"ModelDeveloper": "OpenAI", "ModelId": model, "TokenDirection": direction}
            if cache:
                details["TokenCacheAction"] = cache
            unit = Decimal(rate or "0") * (Decimal("0.5") if batch else 1)
            row = {
                **common,
                "ChargeCategory": "Usage",
                "ChargeClass": "",
                "ChargeDescription": f"{model} {meter.lower()}",
                "ChargeFrequency": "Usage-Based",
                "ChargePeriodStart": f"{d.isoformat()}T00:00:00Z",
                "ChargePeriodEnd": f"{(d + timedelta(days=1)).isoformat()}T00:00:00Z",
                "BilledCost": money_str(cost),
                "EffectiveCost": money_str(cost),
                "ListCost": money_str(list_cost, 12),
                "ContractedCost": money_str(cost),
                "ListUnitPrice": money_str(unit),
                "ContractedUnitPrice": money_str(unit * FOCUS_DISCOUNT),
                "ConsumedQuantity": str(qty),
                "ConsumedUnit": "Tokens",
                "PricingQuantity": money_str(Decimal(qty) / Decimal(1_000_000), 6),
                "PricingUnit": "1M Tokens",
                "PricingCategory": "Standard",
                "SkuId": f"{model}:{key}",
                "SkuMeter": meter,
                "SkuPriceId": f"{model}:{key}:2025-08",
                "SkuPriceDetails": json.dumps(details, separators=(",", ":")),
                "Tags": json.dumps({"env": "production"}, separators=(",", ":")),
            }
            out.writerow([row.get(h, "") for h in FOCUS_HEADER])
            truth.calls.append(bucket_call(day_ms(d), model, {key: qty}))
    tax = (subtotal * FOCUS_TAX).quantize(Decimal("1e-10"), ROUND_HALF_EVEN)
    billed += tax
    out.writerow(
        [
            {
                **common,
                "ChargeCategory": "Tax",
                "ChargeDescription": "Sales tax",
                "ChargeFrequency": "Recurring",
                "ChargePeriodStart": f"{start.isoformat()}T00:00:00Z",
                "ChargePeriodEnd": f"{(end + timedelta(days=1)).isoformat()}T00:00:00Z",
                "BilledCost": money_str(tax),
                "EffectiveCost": money_str(tax),
                "ListCost": "0",
                "ContractedCost": money_str(tax),
                "PricingCategory": "Standard",
                "Tags": "{}",
            }.get(h, "")
            for h in FOCUS_HEADER
        ]
    )
    truth.calls.append(bucket_call(day_ms(start), "Sales tax", {}))
    truth.extra.update({"record_kind": "mixed", "billed_usd": str(billed), "tax_usd": str(tax)})
    truth.notes.append(
        f"FOCUS 1.2, {start}..{end}: token rows are usage buckets (no request counts) carrying BilledCost; "
        "one Tax row is a cost line; JSON columns CSV-quoted with doubled quotes"
    )
    w.write(truth, rel, buf.getvalue().encode("utf-8"), day_ms(end + timedelta(days=2), 9))


def make_llm_logs(w: Writer) -> None:
    """llm/logs.db: a developer's simonw/llm database (SQLite), March-April: OpenAI, Anthropic and Gemini
    calls with the plugins' token conventions in token_details, and one row from before llm 0.19
    (no token counts: quarantined). Prompt and response text are placeholders and are never read."""
    import sqlite3
    import tempfile

    rel = "llm/logs.db"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "llm_logs", "standard")
    rows = []
    plan = (
        [("gpt-4o-mini", GPT4O_MINI, "openai")] * 14
        + [("claude-3.5-haiku", HAIKU35, "anthropic")] * 10
        + [("gemini-2.0-flash", GEM20F, "google")] * 8
    )
    for alias, model, vendor in plan:
        ts = random_ts(rng, date(2025, 3, 3), date(2025, 4, 25))
        prompt = bounded_lognormal(rng, 900, 0.8, 50, 6000)
        out_n = output_size(rng)
        details: Json = {}
        if vendor == "openai":
            cached = openai_cached(rng, prompt, 0.4)
            c = Call(ts, model, input_uncached=prompt - cached, cache_read=cached, output=out_n)
            if cached:
                details = {"prompt_tokens_details": {"cached_tokens": cached}}
            inp = prompt
        elif vendor == "anthropic":
            read = rng.choice([0, 0, 2048, 3072])
            write = rng.choice([0, 0, 0, 1200])
            c = Call(ts, model, input_uncached=prompt, cache_read=read, cache_write_5m=write, output=out_n)
            if read or write:
                details = {"cache_creation_input_tokens": write, "cache_read_input_tokens": read}
            inp = prompt
        else:
            cached = rng.choice([0, 0, 1024]) if prompt > 1100 else 0
            c = Call(ts, model, input_uncached=prompt - cached, cache_read=cached, output=out_n)
            if cached:
                details = {"cachedContentTokenCount": cached}
            inp = prompt
        rid = w.unique("01j" + rand_str(rng, 23, "0123456789abcdefghjkmnpqrstvwxyz"))
        resolved = model if alias != model else None
        when = ms_to_dt(ts).replace(tzinfo=None).isoformat()
        rows.append(
            (
                rid,
                alias,
                resolved,
                PLACEHOLDER,
                PLACEHOLDER,
                "01jconv" + rand_str(rng, 19),
                rng.randint(300, 9000),
                when,
                inp,
                out_n,
                json.dumps(details) if details else None,
            )
        )
        truth.calls.append(c)
    old_ts = day_ms(date(2025, 3, 2), 21, 4, 5)
    rows.append(
        (
            w.unique("01hold" + rand_str(rng, 20)),
            "gpt-4o-mini",
            None,
            PLACEHOLDER,
            PLACEHOLDER,
            None,
            800,
            ms_to_dt(old_ts).replace(tzinfo=None).isoformat(),
            None,
            None,
            None,
        )
    )
    truth.rejected = 1
    rows.sort(key=lambda r: r[7])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "logs.db"
        db = sqlite3.connect(path)
        db.executescript(
            """
            CREATE TABLE [conversations] ([id] TEXT PRIMARY KEY, [name] TEXT, [model] TEXT);
            CREATE TABLE [responses] ([id] TEXT PRIMARY KEY, [model] TEXT, [resolved_model] TEXT, [prompt] TEXT,
              [system] TEXT, [prompt_json] TEXT, [options_json] TEXT, [response] TEXT, [response_json] TEXT,
              [conversation_id] TEXT REFERENCES [conversations]([id]), [duration_ms] INTEGER,
              [datetime_utc] TEXT, [input_tokens] INTEGER, [output_tokens] INTEGER, [token_details] TEXT);
            """
        )
        db.executemany(
            "insert into responses (id, model, resolved_model, prompt, response, conversation_id, duration_ms,"
            " datetime_utc, input_tokens, output_tokens, token_details, options_json) values"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
            rows,
        )
        db.commit()
        db.execute("vacuum")
        db.close()
        data = path.read_bytes()
    truth.notes.append(
        "SQLite; OpenAI input_tokens include cached (token_details.prompt_tokens_details.cached_tokens), "
        "Anthropic input excludes cache, Gemini includes cachedContentTokenCount; 1 row without token counts"
    )
    w.write(truth, rel, data, last_mtime([c.ts_ms for c in truth.calls]))


def make_helicone(w: Writer) -> None:
    """helicone/requests_2025-05.csv: Helicone's request export (CSV), May 5-20: OpenAI and Anthropic calls
    through Helicone, prompt_tokens WITHOUT cache tokens (separate columns), Helicone's cost in USD,
    request bodies pretty-printed over several lines (placeholders), one failed request (HTTP 500)."""
    rel = "helicone/requests_2025-05.csv"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "helicone.csv", "standard")
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(
        [
            "request_id",
            "response_id",
            "response_created_at",
            "response_status",
            "request_created_at",
            "request_body",
            "request_properties",
            "request_user_id",
            "provider",
            "model",
            "prompt_tokens",
            "completion_tokens",
            "prompt_cache_read_tokens",
            "prompt_cache_write_tokens",
            "latency",
            "cost",
        ]
    )
    items = []
    for i in range(31):
        ts = random_ts(rng, date(2025, 5, 5), date(2025, 5, 20))
        team, project = pick_team(rng, {"support": 0.7, "search": 0.3})
        if rng.random() < 0.6:
            c = openai_call(rng, GPT4O_MINI, ts, team, project, prompt=bounded_lognormal(rng, 1200, 0.6, 100, 8000))
            provider, rid = "OPENAI", "chatcmpl-" + rand_str(rng, 29)
        else:
            c = anthropic_call(
                rng, HAIKU35, ts, team=team, project=project, prompt=bounded_lognormal(rng, 1500, 0.6, 100, 8000)
            )
            provider, rid = "ANTHROPIC", "msg_01" + rand_str(rng, 22)
            # Helicone keeps one cache-write count: read back, all writes are 5-minute writes
            c = Call(
                c.ts_ms,
                c.model,
                c.input_uncached,
                c.output,
                c.cache_read,
                c.cache_write_5m + c.cache_write_1h,
                0,
                0,
                c.team,
                c.project,
            )
        items.append((c, provider, w.unique(rid), i == 17))
    items.sort(key=lambda x: x[0].ts_ms)
    for c, provider, rid, failed in items:
        created = iso_ms(c.ts_ms)
        latency = rng.randint(400, 9000)
        body = json.dumps({"model": c.model, "messages": [{"role": "user", "content": PLACEHOLDER}]}, indent=2)
        props = json.dumps({"team": c.team, "project": c.project, "Helicone-Session-Id": rand_uuid(rng)})
        if failed:
            out.writerow(
                [
                    rand_uuid(rng),
                    rid,
                    iso_ms(c.ts_ms + latency),
                    500,
                    created,
                    body,
                    props,
                    f"user_{rng.randint(1, 40)}",
                    provider,
                    c.model,
                    0,
                    0,
                    0,
                    0,
                    latency,
                    0,
                ]
            )
            truth.non_billable += 1
            continue
        cost = bucket_cost(c.model, ts_date(c.ts_ms), tokens_of(c)).quantize(Decimal("1e-9"), ROUND_HALF_EVEN)
        out.writerow(
            [
                rand_uuid(rng),
                rid,
                iso_ms(c.ts_ms + latency),
                200,
                created,
                body,
                props,
                f"user_{rng.randint(1, 40)}",
                provider,
                c.model,
                c.input_uncached,
                c.output,
                c.cache_read,
                c.cache_write_5m + c.cache_write_1h,
                latency,
                money_str(cost, 9),
            ]
        )
        truth.calls.append(c)
    truth.notes.append(
        "prompt_tokens exclude cache reads/writes (separate columns); request_body spans several lines; "
        "1 failed request (HTTP 500) is not billed"
    )
    w.write(truth, rel, buf.getvalue().encode("utf-8"), last_mtime([c.ts_ms for c in truth.calls]))


def make_litellm(w: Writer) -> None:
    """litellm/LiteLLM_SpendLogs_2025-05.csv: LiteLLM proxy spend logs exported from Postgres, May 21-31:
    OpenAI (chatcmpl- ids), Anthropic (msg_ ids) and Azure OpenAI (uuid ids) calls. `metadata` is a
    JSON string whose usage_object is itself a JSON string; prompt_tokens INCLUDE cache tokens; `spend`
    is LiteLLM's estimate (it bills Anthropic cache reads at the full input rate here); naive startTime;
    one proxy cache hit and one failed call (neither billed)."""
    rel = "litellm/LiteLLM_SpendLogs_2025-05.csv"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "litellm.csv", "standard")
    header = [
        "request_id",
        "call_type",
        "api_key",
        "spend",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "startTime",
        "endTime",
        "completionStartTime",
        "model",
        "model_id",
        "model_group",
        "custom_llm_provider",
        "api_base",
        "user",
        "metadata",
        "cache_hit",
        "cache_key",
        "request_tags",
        "team_id",
        "end_user",
        "requester_ip_address",
        "messages",
        "response",
        "session_id",
        "status",
    ]
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(header)
    key_hash = rand_hex(rng, 64)
    rows = []
    for i in range(42):
        ts = random_ts(rng, date(2025, 5, 21), date(2025, 5, 31))
        team, project = pick_team(rng, {"platform": 0.6, "search": 0.4})
        r = rng.random()
        if r < 0.45:
            c = openai_call(rng, GPT4O_MINI, ts, team, project, prompt=bounded_lognormal(rng, 1500, 0.7, 100, 12000))
            provider, group, rid, base = (
                "openai",
                "gpt-4o-mini",
                "chatcmpl-" + rand_str(rng, 29),
                "https://api.openai.com",
            )
            uo = {
                "prompt_tokens": c.input_uncached + c.cache_read,
                "completion_tokens": c.output,
                "prompt_tokens_details": {"cached_tokens": c.cache_read},
            }
        elif r < 0.8:
            c = anthropic_call(
                rng, SONNET37, ts, team=team, project=project, prompt=bounded_lognormal(rng, 2000, 0.7, 100, 12000)
            )
            provider, group, rid, base = (
                "anthropic",
                "claude-3-7-sonnet",
                "msg_01" + rand_str(rng, 22),
                "https://api.anthropic.com",
            )
            uo = {
                "prompt_tokens": c.prompt_total,
                "completion_tokens": c.output,
                "cache_read_input_tokens": c.cache_read,
                "cache_creation_input_tokens": c.cache_write_5m + c.cache_write_1h,
            }
            c = Call(
                c.ts_ms,
                c.model,
                c.input_uncached,
                c.output,
                c.cache_read,
                c.cache_write_5m + c.cache_write_1h,
                0,
                0,
                c.team,
                c.project,
            )  # LiteLLM keeps no TTL split: all writes count as 5-minute writes
        else:
            c = openai_call(rng, GPT4O_MINI, ts, team, project, prompt=bounded_lognormal(rng, 900, 0.6, 100, 6000))
            provider, group, rid, base = "azure", "gpt-4o-mini-eu", rand_uuid(rng), "https://acme-eu.openai.azure.com"
            uo = {
                "prompt_tokens": c.input_uncached + c.cache_read,
                "completion_tokens": c.output,
                "prompt_tokens_details": {"cached_tokens": c.cache_read},
            }
        rows.append((c, provider, group, w.unique(rid), base, uo, i))
    rows.sort(key=lambda x: x[0].ts_ms)
    for c, provider, group, rid, base, uo, i in rows:
        start = ms_to_dt(c.ts_ms).replace(tzinfo=None)
        end_t = start + timedelta(milliseconds=rng.randint(500, 12000))
        hit, status = (
            ("True", "success") if i == 5 else ("None" if i % 2 else "False", "failure" if i == 11 else "success")
        )
        if provider == "anthropic":
            spend = bucket_cost(
                c.model,
                ts_date(c.ts_ms),
                {**tokens_of(c), "input_uncached": c.input_uncached + c.cache_read, "cache_read": 0},
            )
        else:
            spend = bucket_cost(c.model, ts_date(c.ts_ms), tokens_of(c))
        spend = (
            Decimal(0) if hit == "True" or status == "failure" else spend.quantize(Decimal("1e-10"), ROUND_HALF_EVEN)
        )
        meta = {
            "user_api_key_alias": f"{c.team}-service",
            "user_api_key_team_alias": c.team,
            "user_api_key_team_id": f"team-{c.team}",
            "spend_logs_metadata": {"project": c.project},
            "usage_object": json.dumps(uo),
        }
        prompt_n = uo["prompt_tokens"]
        out.writerow(
            [
                rid,
                "acompletion",
                key_hash,
                money_str(spend),
                prompt_n + c.output,
                prompt_n,
                c.output,
                start.isoformat(sep=" "),
                end_t.isoformat(sep=" "),
                "",
                c.model,
                rand_hex(rng, 16),
                group,
                provider,
                base,
                f"{c.team}-bot",
                json.dumps(meta),
                hit,
                "",
                json.dumps([c.team, "prod"]),
                f"team-{c.team}",
                "",
                "10.0.3.17",
                json.dumps([{"role": "user", "content": PLACEHOLDER}]),
                '{\n  "choices": [\n    {"message": {"content": "' + PLACEHOLDER + '"}}\n  ]\n}'
                if i % 3 == 0
                else "{}",
                "",
                status,
            ]
        )
        if hit == "True" or status == "failure":
            truth.non_billable += 1
        else:
            truth.calls.append(c)
    truth.notes.append(
        "metadata.usage_object is a JSON string inside a JSON string; some response cells span lines; "
        "1 proxy cache hit + 1 failure not billed; Azure rows are openai models on platform azure"
    )
    w.write(truth, rel, buf.getvalue().encode("utf-8"), last_mtime([c.ts_ms for c in truth.calls]))


GENERIC_MAPPING = """\
# aispend column mapping for the internal gateway's daily CSV (see 'aispend formats', generic)
[columns]
"Date (UTC)" = "ts"
Model = "model"
"Prompt tokens (k)" = "input"
"Cached tokens (k)" = "cache_read"
"Completion tokens (k)" = "output"
"Cost (cents)" = "cost"
Team = "tag:team"

[constants]
provider = "mistral"

[units]
tokens = 1000
cost = "cents"
input_includes_cache = true

[time]
format = "%d.%m.%Y %H:%M"
"""


def make_generic(w: Writer) -> None:
    """generic/gateway_2025-04.csv + generic/mapping.toml: an in-house gateway's CSV that no built-in format
    knows: thousands of tokens with decimals, cents, day-first times. Without --mapping it is skipped."""
    rel = "generic/gateway_2025-04.csv"
    rng = random.Random(f"{SEED}:{rel}")
    lines = ["Date (UTC);Model;Prompt tokens (k);Cached tokens (k);Completion tokens (k);Cost (cents);Team"]
    mapped: list[Call] = []
    for _ in range(24):
        ts = random_ts(rng, date(2025, 4, 1), date(2025, 4, 30)) // 60_000 * 60_000
        prompt = rng.randint(200, 9000)
        cached = rng.choice([0, 0, prompt // 2])
        out_n = rng.randint(20, 1500)
        team = rng.choice(["platform", "search"])
        cost_cents = (
            Decimal(prompt - cached) * Decimal("0.3")
            + Decimal(cached) * Decimal("0.03")
            + Decimal(out_n) * Decimal("0.9")
        ) / Decimal(10_000)
        when = ms_to_dt(ts).strftime("%d.%m.%Y %H:%M")
        lines.append(
            f"{when};codestral-2508;{prompt / 1000:.3f};{cached / 1000:.3f};{out_n / 1000:.3f};"
            f"{money_str(cost_cents, 8)};{team}"
        )
        mapped.append(Call(ts, "codestral-2508", prompt - cached, out_n, cached, team=team))
    truth = FileTruth(rel, "unknown", None)
    truth.extra["with_mapping"] = {
        "mapping": "generic/mapping.toml",
        "format": "generic",
        "billable_calls": len(mapped),
        "tokens": {k: sum(getattr(c, k) for c in mapped) for k in TOKEN_KEYS},
    }
    truth.notes.append(
        "';'-separated; read it with: aispend ingest generic/gateway_2025-04.csv --mapping generic/mapping.toml"
    )
    w.write(truth, rel, ("\n".join(lines) + "\n").encode("utf-8"), day_ms(date(2025, 5, 1), 3))
    w.write(
        FileTruth("generic/mapping.toml", "unknown", None),
        "generic/mapping.toml",
        GENERIC_MAPPING.encode("utf-8"),
        day_ms(date(2025, 5, 1), 3),
    )


def make_exports(w: Writer) -> None:
    """Everything above, after the call logs it is built from."""
    make_openai_usage_costs(w)
    make_openai_dashboard(w)
    make_anthropic_reports(w)
    make_focus(w)
    make_llm_logs(w)
    make_helicone(w)
    make_litellm(w)
    make_generic(w)


EXPORT_README_FILES = [
    (
        "openai/usage_api_2025-06-01_14.jsonl",
        "two Usage API pages (completions buckets by model and batch), June 1-14; "
        "they include a job the call logs miss",
    ),
    ("openai/costs_api_2025-06-01_14.json", "JSON array of Costs API pages, June 1-14: list price less a 10% discount"),
    ("openai/dashboard_activity_2025-07.csv", "dashboard activity export, July 1-5 (floats, FALSE, blank rows)"),
    ("openai/dashboard_costs_2025-07.csv", "dashboard cost export, July 1-5, 16-decimal amounts; fine-tuned model"),
    ("anthropic/usage_report_2025-07-14_20.json", "Admin API usage report (no request counts), July 14-20"),
    (
        "anthropic/cost_report_2025-07-14_20.json",
        "Admin API cost report, amounts in CENTS as strings, a web search line",
    ),
    (
        "focus/openai_focus_2025-08-11_17.csv",
        "FOCUS 1.2 OpenAI export, Aug 11-17: token rows (5% contracted discount) and a tax row",
    ),
    ("llm/logs.db", "simonw/llm SQLite logs (OpenAI, Anthropic, Gemini), one row without token counts"),
    ("helicone/requests_2025-05.csv", "Helicone request export: multi-line bodies, cache columns, 1 HTTP 500"),
    (
        "litellm/LiteLLM_SpendLogs_2025-05.csv",
        "LiteLLM_SpendLogs as CSV: JSON-in-string metadata, cache hit, failure, Azure rows",
    ),
    ("generic/gateway_2025-04.csv", "an in-house gateway CSV; needs --mapping generic/mapping.toml"),
]


# --------------------------------------------------------------------------------------------
# Gateways, clouds and agents: Bedrock, Azure, OpenRouter, OpenAI-compatible hosts, Codex, LiteLLM,
# Langfuse, Helicone, OpenTelemetry (log-format reference sections 3.7, 3.11-3.12, 3.14-3.17, 3.19-3.20).
# Generated after make_exports: the aggregate exports are built from the direct provider logs only.
# --------------------------------------------------------------------------------------------

GW_TEAM_WEIGHTS = {"search": 0.4, "support": 0.35, "platform": 0.25}
AWS_ACCOUNT = "123456789012"
BR_SONNET35 = "anthropic.claude-3-5-sonnet-20240620-v1:0"
BR_SONNET4 = "us.anthropic.claude-sonnet-4-20250514-v1:0"
BR_SONNET4_ARN = f"arn:aws:bedrock:us-east-1:{AWS_ACCOUNT}:inference-profile/{BR_SONNET4}"
BR_HAIKU35 = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
BR_NOVA_PRO = "amazon.nova-pro-v1:0"
BR_LLAMA33 = "us.meta.llama3-3-70b-instruct-v1:0"
BR_TITAN_EMBED = "amazon.titan-embed-text-v2:0"
BR_APP_PROFILE = f"arn:aws:bedrock:us-east-1:{AWS_ACCOUNT}:application-inference-profile/k3x9q2m7w1z4"
AZ_GPT4O = "gpt-4o-2024-11-20"
SONNET4_FROM = date(2025, 5, 22)
GEM25F_FROM = date(2025, 6, 17)
GPT5 = "gpt-5"
GPT5_MINI = "gpt-5-mini"
BOM = b"\xef\xbb\xbf"


def sec(ts_ms: int) -> int:
    """A time as logged with whole seconds."""
    return ts_ms // 1000 * 1000


def iso_s(ts_ms: int) -> str:
    return ms_to_dt(ts_ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def naive_us(ts_ms: int) -> str:
    """2025-05-03 10:11:12.345000 (LiteLLM's naive UTC times)."""
    return ms_to_dt(ts_ms).strftime("%Y-%m-%d %H:%M:%S.%f")


def plain_call(rng: random.Random, model: str, ts: int, team: str | None = None, project: str | None = None) -> Call:
    """A call without prompt caching or reasoning."""
    return Call(ts, model, prompt_size(rng, 120_000), output_size(rng), team=team, project=project)


def gw_calls(
    rng: random.Random,
    n: int,
    models: dict[str, tuple[float, date]],
    make: Any,  # (rng, model, ts_ms, team, project) -> Call
    start: date = PERIOD_START,
    end: date = PERIOD_END,
) -> list[Call]:
    """n calls over [start, end], sorted by time; each model only from its first day."""
    calls = []
    for _ in range(n):
        while True:
            ts = random_ts(rng, start, end)
            avail = {m: wt for m, (wt, first) in models.items() if ts_date(ts) >= first}
            if avail:
                break
        names = sorted(avail)
        model = rng.choices(names, weights=[avail[m] for m in names])[0]
        team, project = pick_team(rng, GW_TEAM_WEIGHTS)
        calls.append(make(rng, model, ts, team, project))
    calls.sort(key=lambda c: c.ts_ms)
    return calls


def bedrock_anthropic(rng: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
    if "anthropic" in model:
        return anthropic_call(rng, model, ts, team, project)
    return plain_call(rng, model, ts, team, project)


def gw_openai(rng: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
    return openai_call(rng, model, ts, team, project)


# ---- Bedrock Converse responses


def converse_usage(rng: random.Random, c: Call, spelling: str) -> Json:
    """Converse usage: inputTokens EXCLUDES cache; cache counts in one or both spellings."""
    cw = c.cache_write_5m + c.cache_write_1h
    u: Json = {
        "inputTokens": c.input_uncached,
        "outputTokens": c.output,
        "totalTokens": c.input_uncached + c.output + c.cache_read + cw,
    }
    if c.cache_read or cw:
        if spelling in ("both", "short"):
            u["cacheReadInputTokens"] = c.cache_read
            u["cacheWriteInputTokens"] = cw
        if spelling in ("both", "count"):
            u["cacheReadInputTokenCount"] = c.cache_read
            u["cacheWriteInputTokenCount"] = cw
        if c.cache_write_1h or (cw and rng.random() < 0.5):  # a 1h write is only visible in cacheDetails
            u["cacheDetails"] = [
                {"inputTokens": n, "ttl": ttl} for n, ttl in ((c.cache_write_5m, "5m"), (c.cache_write_1h, "1h")) if n
            ]
    return u


def converse_body(rng: random.Random, c: Call, spelling: str) -> Json:
    stop = "max_tokens" if c.output >= 1990 else rng.choice(["end_turn"] * 5 + ["tool_use"])
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": PLACEHOLDER}]}},
        "stopReason": stop,
        "usage": converse_usage(rng, c, spelling),
        "metrics": {"latencyMs": rng.randint(300, 9000)},
    }


def make_bedrock_converse(w: Writer, n_calls: int = 90) -> None:
    rel = "bedrock/converse_responses.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "bedrock.converse", "standard")
    models = {
        BR_SONNET35: (3.0, PERIOD_START),
        BR_SONNET4: (5.0, SONNET4_FROM),
        BR_NOVA_PRO: (2.0, PERIOD_START),
        BR_LLAMA33: (1.0, PERIOD_START),
    }
    calls = gw_calls(rng, n_calls, models, bedrock_anthropic)
    lines: list[str] = []
    for i, c in enumerate(calls):
        rid = w.unique(rand_uuid(rng))
        body = converse_body(rng, c, ("both", "short", "count")[i % 3])
        r = rng.random()
        if r < 0.15:  # a boto3 response dumped as is, with the model id added: timed by its HTTP date header
            c.ts_ms = sec(c.ts_ms)
            rec: Json = {
                "modelId": c.model,
                "ResponseMetadata": {
                    "RequestId": rid,
                    "HTTPStatusCode": 200,
                    "HTTPHeaders": {
                        "date": ms_to_dt(c.ts_ms).strftime("%a, %d %b %Y %H:%M:%S GMT"),
                        "content-type": "application/json",
                        "x-amzn-requestid": rid,
                    },
                    "RetryAttempts": 0,
                },
                **body,
            }
        elif r < 0.30:  # another application's envelope spelling
            rec = {
                "created_at": ms_to_dt(c.ts_ms).isoformat(timespec="milliseconds"),
                "model_id": c.model,
                "request_id": rid,
                "region": "us-west-2",
                "metadata": {"team": c.team, "project": c.project},
                "body": body,
            }
        else:
            rec = {
                "timestamp": iso_ms(c.ts_ms),
                "modelId": c.model,
                "requestId": rid,
                "tags": {"team": c.team, "project": c.project},
                "response": body,
            }
        lines.append(dumps(rec, compact=True))
        truth.calls.append(c)
        if i in (17, 58):  # a retrying wrapper logged the same response twice
            lines.append(lines[-1])
            truth.duplicate_records += 1
    # a bare body without any model id (quarantined), and a line cut mid-object
    bare = converse_body(rng, plain_call(rng, BR_NOVA_PRO, calls[40].ts_ms), "both")
    lines.insert(41, dumps(bare, compact=True))
    cut = dumps({"timestamp": iso_ms(calls[70].ts_ms), "modelId": BR_SONNET35, "response": bare}, compact=True)
    lines.insert(75, cut[: len(cut) // 2])
    truth.rejected += 2
    truth.notes.append(
        "inputTokens excludes cache; cache counts spelled cacheRead/WriteInputTokens, …TokenCount or both in one "
        "object (read either, never add); cacheDetails splits 5m/1h writes; the model comes from the envelope's "
        "modelId/model_id (or a modelId added to a boto3 dump, timed by its HTTP date header); a bare body without "
        "a model id and a truncated line are quarantined; 2 lines logged twice"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


# ---- Bedrock InvokeModel with Anthropic bodies (anthropic.messages, platform bedrock)

BEDROCK_DATED = {BR_SONNET35: "claude-3-5-sonnet-20240620", BR_HAIKU35: HAIKU35, BR_SONNET4: SONNET4}


def bedrock_anthropic_body(w: Writer, rng: random.Random, c: Call) -> Json:
    """An InvokeModel response body: Anthropic Messages, id msg_bdrk_…, no service_tier."""
    body = anthropic_body(w, rng, c, old_style=c.cache_write_1h == 0)
    body["id"] = body["id"].replace("msg_01", "msg_bdrk_01", 1)
    body["model"] = BEDROCK_DATED.get(c.model, c.model)
    del body["usage"]["service_tier"]
    return body


def make_bedrock_invoke_anthropic(w: Writer, n_calls: int = 36) -> None:
    rel = "bedrock/invoke_model_anthropic.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "anthropic.messages", "standard")
    models = {BR_SONNET35: (3.0, PERIOD_START), BR_HAIKU35: (2.0, PERIOD_START)}
    lines = []
    for c in gw_calls(rng, n_calls, models, bedrock_anthropic):
        bedrock_id = c.model
        body = bedrock_anthropic_body(w, rng, c)
        if rng.random() < 0.2:
            del body["model"]  # then the envelope's modelId is the model
        else:
            c.model = body["model"]
        env = {
            "timestamp": iso_ms(c.ts_ms),
            "modelId": bedrock_id,
            "region": "us-west-2",
            "tags": {"team": c.team, "project": c.project},
            "response": body,
        }
        lines.append(dumps(env, compact=True))
        truth.calls.append(c)
    truth.notes.append(
        "InvokeModel bodies: Anthropic Messages without service_tier, ids msg_bdrk_…; platform bedrock (envelope "
        "modelId); when the body has no model, the modelId is the model (the by_model key)"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in truth.calls]))


# ---- Bedrock model-invocation logs


def identity_arn(team: str | None) -> str:
    role = {"search": "search-ranker-task", "support": "support-bot-lambda", "platform": "platform-eval-runner"}
    return f"arn:aws:sts::{AWS_ACCOUNT}:assumed-role/{role.get(team or '', 'ops-admin')}/session-{team or 'ops'}"


def invocation_record(w: Writer, rng: random.Random, c: Call, op: str, text_logging: bool = True) -> Json:
    """A ModelInvocationLog record: counts at the top level (input EXCLUDES cache). Mutates c to what a
    correct reader can know (second-precision time; the logged model id; 1h writes only where a body says)."""
    c.ts_ms = sec(c.ts_ms)
    if c.model == BR_SONNET4 and rng.random() < 0.5:
        c.model = BR_SONNET4_ARN
    cw = c.cache_write_5m + c.cache_write_1h
    inp: Json = {"inputContentType": "application/json"}
    out: Json = {"outputContentType": "application/json"}
    if text_logging and op == "InvokeModel" and "anthropic" in c.model:
        inp["inputBodyJson"] = {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 2048,
            "messages": [{"role": "user", "content": PLACEHOLDER}],
        }
        out["outputBodyJson"] = bedrock_anthropic_body(w, rng, c)
    elif text_logging and c.model != BR_TITAN_EMBED:
        inp["inputBodyJson"] = {
            "messages": [{"role": "user", "content": [{"text": PLACEHOLDER}]}],
            "inferenceConfig": {"maxTokens": 2048},
        }
        resp = converse_body(rng, c, "both")
        if op == "ConverseStream":  # streams log their events as an array (usage in the metadata event)
            out["outputBodyJson"] = [
                {"messageStart": {"role": "assistant"}},
                {"contentBlockDelta": {"delta": {"text": PLACEHOLDER}, "contentBlockIndex": 0}},
                {"messageStop": {"stopReason": resp["stopReason"]}},
                {"metadata": {"usage": resp["usage"], "metrics": resp["metrics"]}},
            ]
        else:
            out["outputBodyJson"] = resp
    if "outputBodyJson" not in out:  # no readable body: all writes are 5m
        c.cache_write_5m, c.cache_write_1h = cw, 0
    inp["inputTokenCount"] = c.input_uncached
    if c.cache_read or cw:
        inp["cacheReadInputTokenCount"] = c.cache_read
        inp["cacheWriteInputTokenCount"] = cw
    if c.model != BR_TITAN_EMBED:
        out["outputTokenCount"] = c.output
    cross_region = c.model.startswith(("us.", "arn:"))
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": iso_s(c.ts_ms),
        "accountId": AWS_ACCOUNT,
        "identity": {"arn": identity_arn(c.team)},
        "region": "us-east-1",
        "requestId": w.unique(rand_uuid(rng)),
        "operation": op,
        "modelId": c.model,
        "input": inp,
        "output": out,
        "inferenceRegion": rng.choice(["us-east-1", "us-east-2", "us-west-2"]) if cross_region else "us-east-1",
        "requestMetadata": {"team": c.team, "project": c.project},
    }


def guardrail_record(w: Writer, rng: random.Random, ts: int) -> Json:
    """A call a guardrail blocked: no token counts and no inferenceRegion (not billed)."""
    return {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": iso_s(ts),
        "accountId": AWS_ACCOUNT,
        "identity": {"arn": identity_arn("support")},
        "region": "us-east-1",
        "requestId": w.unique(rand_uuid(rng)),
        "operation": "Converse",
        "modelId": BR_SONNET35,
        "input": {"inputContentType": "application/json", "inputBodyJson": {"messages": []}},
        "output": {
            "outputContentType": "application/json",
            "outputBodyJson": {
                "amazon-bedrock-guardrailAction": "INTERVENED",
                "output": {"message": {"role": "assistant", "content": [{"text": PLACEHOLDER}]}},
                "stopReason": "guardrail_intervened",
                "usage": {},
            },
        },
        "requestMetadata": {"team": "support", "project": "reply-drafts"},
    }


def invocation_calls(rng: random.Random, n: int, start: date, end: date) -> list[tuple[Call, str]]:
    models = {
        BR_SONNET4: (5.0, SONNET4_FROM),
        BR_SONNET35: (2.0, PERIOD_START),
        BR_HAIKU35: (3.0, PERIOD_START),
        BR_NOVA_PRO: (1.0, PERIOD_START),
        BR_TITAN_EMBED: (1.0, PERIOD_START),
    }

    def make(r: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
        if model == BR_TITAN_EMBED:  # embeddings: input only
            return Call(ts, model, bounded_lognormal(r, 400, 0.5, 20, 8000), 0, team=team, project=project)
        return bedrock_anthropic(r, model, ts, team, project)

    out = []
    for c in gw_calls(rng, n, models, make, start, end):
        if c.model == BR_TITAN_EMBED:
            op = "InvokeModel"
        elif "anthropic" in c.model:
            op = rng.choice(["Converse", "Converse", "ConverseStream", "InvokeModel"])
        else:
            op = rng.choice(["Converse", "ConverseStream"])
        out.append((c, op))
    return out


def cw_row(rec: Json, rng: random.Random) -> Json:
    """A CloudWatch console / PowerShell export row: the record as a JSON string in @message."""
    return {
        "@timestamp": rec["timestamp"].replace("T", " ").replace("Z", ".000"),
        "@message": json.dumps(rec, separators=(",", ":")),
        "@log": f"{AWS_ACCOUNT}:/aws/bedrock/modelinvocations",
        "@logStream": "aws/bedrock/modelinvocations",
        "@ptr": rand_str(rng, 92, B64URL),
    }


def make_bedrock_invocation_logs(w: Writer) -> None:
    # 1. console export: a JSON list of {"@message": "<json>"}, with a UTF-8 BOM (PowerShell)
    rel = "bedrock/invocation_logs/cloudwatch_export.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "bedrock.invocation_log", "standard")
    recs: list[Json] = []
    for c, op in invocation_calls(rng, 40, date(2025, 7, 14), date(2025, 7, 27)):
        recs.append(invocation_record(w, rng, c, op, text_logging=rng.random() < 0.8))
        truth.calls.append(c)
    for k in (9, 27):  # guardrail-blocked calls: no tokens, not billed
        recs.insert(k, guardrail_record(w, rng, truth.calls[k].ts_ms + 1000))
        truth.non_billable += 1
    throttled = {**recs[20], "requestId": w.unique(rand_uuid(rng)), "errorCode": "ThrottlingException"}
    throttled["input"] = {"inputContentType": "application/json"}
    throttled["output"] = {"outputContentType": "application/json"}
    del throttled["inferenceRegion"]
    recs.insert(21, throttled)
    truth.non_billable += 1
    dup = next(k for k in range(30, len(recs)) if "inputTokenCount" in recs[k]["input"])
    recs.insert(dup + 1, recs[dup])  # overlapping export pages: the same event twice
    truth.duplicate_records += 1
    rows = [cw_row(r, rng) for r in recs]
    truth.notes.append(
        "CloudWatch console export (BOM, a list of @message strings): 2 guardrail-blocked and 1 throttled call "
        "without tokens (not billed), one event twice, records without text bodies, ConverseStream bodies as "
        "chunk arrays, inference-profile ARNs"
    )
    w.write(truth, rel, BOM + (json.dumps(rows, indent=4) + "\n").encode("utf-8"), day_ms(date(2025, 7, 28), 8))
    calls_in_first = [r for r in recs if "inputTokenCount" in r["input"]]

    # 2. Logs Insights results (BOM): 3 events also in the console export, and a `fields` query row
    rel = "bedrock/invocation_logs/logs_insights.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth2 = FileTruth(rel, "bedrock.invocation_log", "standard")
    recs2 = []
    for c, op in invocation_calls(rng, 24, date(2025, 7, 28), date(2025, 8, 10)):
        recs2.append(invocation_record(w, rng, c, op))
        truth2.calls.append(c)
    overlap = calls_in_first[-3:]
    truth2.duplicate_records += len(overlap)

    def row(rec: Json) -> list[Json]:
        return [
            {"field": "@timestamp", "value": cw_row(rec, rng)["@timestamp"]},
            {"field": "@message", "value": json.dumps(rec, separators=(",", ":"))},
            {"field": "@ptr", "value": rand_str(rng, 92, B64URL)},
        ]

    results = [row(r) for r in overlap + recs2]
    c = Call(day_ms(date(2025, 8, 11), 9, 30, 5), BR_NOVA_PRO, 812, 96, team="platform", project="doc-index")
    results.append(
        [
            {"field": "@timestamp", "value": ms_to_dt(c.ts_ms).strftime("%Y-%m-%d %H:%M:%S.000")},
            {"field": "schemaType", "value": "ModelInvocationLog"},
            {"field": "timestamp", "value": iso_s(c.ts_ms)},
            {"field": "requestId", "value": w.unique(rand_uuid(rng))},
            {"field": "modelId", "value": c.model},
            {"field": "input.inputTokenCount", "value": str(c.input_uncached)},
            {"field": "output.outputTokenCount", "value": str(c.output)},
            {"field": "requestMetadata.team", "value": c.team},
            {"field": "requestMetadata.project", "value": c.project},
        ]
    )
    truth2.calls.append(c)
    doc = {
        "status": "Complete",
        "statistics": {"recordsMatched": float(len(results)), "recordsScanned": 5210.0, "bytesScanned": 9812334.0},
        "results": results,
    }
    truth2.notes.append(
        "Logs Insights export (BOM): 3 events are also in cloudwatch_export.json (stored once, counted there); "
        "one row of a `fields` query has no @message (dotted field names)"
    )
    w.write(truth2, rel, BOM + (json.dumps(doc, indent=4) + "\n").encode("utf-8"), day_ms(date(2025, 8, 12), 8))

    # 3. S3 delivery: gzipped JSONL, a guardrail call, an application profile, a truncated line
    rel = "bedrock/invocation_logs/s3_us-east-1_2025-06.jsonl.gz"
    rng = random.Random(f"{SEED}:{rel}")
    truth3 = FileTruth(rel, "bedrock.invocation_log", "standard")
    pairs: list[tuple[str, Call | None]] = []
    for c, op in invocation_calls(rng, 60, date(2025, 6, 1), date(2025, 6, 30)):
        pairs.append((dumps(invocation_record(w, rng, c, op, text_logging=rng.random() < 0.7), compact=True), c))
    app = Call(day_ms(date(2025, 6, 18), 15, 2, 41), BR_APP_PROFILE, 2210, 310, team="search", project="ranker")
    pairs.insert(33, (dumps(invocation_record(w, rng, app, "Converse", text_logging=False), compact=True), app))
    before = pairs[12][1]
    assert before is not None
    pairs.insert(12, (dumps(guardrail_record(w, rng, before.ts_ms + 2000), compact=True), None))
    truth3.non_billable += 1
    cut, _ = pairs[40]
    pairs[40] = (cut[: int(len(cut) * 0.4)], None)
    truth3.rejected += 1
    truth3.calls = [c for _, c in pairs if c is not None]
    truth3.notes.append(
        "S3 delivery (gzipped JSONL): Titan embeddings (no output count), an application-inference-profile ARN "
        "(hides the model: unpriced), a guardrail-blocked call, a line cut mid-object"
    )
    data = gzip.compress(lines_bytes([line for line, _ in pairs]), compresslevel=9, mtime=0)
    w.write(truth3, rel, data, day_ms(date(2025, 7, 1), 1))


# ---- Azure OpenAI

AZ_ENDPOINT = "https://acme-eastus2.openai.azure.com"
AZ_DEPLOYMENTS = {AZ_GPT4O: "gpt4o-prod", GPT4O_MINI: "gpt4o-mini-batchless", O4_MINI: "o4-mini-eval"}
AZ_FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}


def make_azure_chat(w: Writer, n_calls: int = 80) -> None:
    rel = "azure/chat_completions.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "standard")
    models = {AZ_GPT4O: (3.0, PERIOD_START), GPT4O_MINI: (2.0, PERIOD_START)}
    calls = gw_calls(rng, n_calls, models, gw_openai)
    lines = []
    for c in calls:
        finish = "content_filter" if rng.random() < 0.04 else "stop"
        body = chat_body(w, rng, c, chat_usage(c), finish)
        body["system_fingerprint"] = "fp_" + rand_hex(rng, 10)
        body["prompt_filter_results"] = [
            {
                "prompt_index": 0,
                "content_filter_results": {**AZ_FILTER_OK, "jailbreak": {"filtered": False, "detected": False}},
            }
        ]
        body["choices"][0]["content_filter_results"] = AZ_FILTER_OK
        deployment = AZ_DEPLOYMENTS[c.model]
        url = f"{AZ_ENDPOINT}/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21"
        env: Json = {"timestamp": iso_ms(c.ts_ms)}
        if rng.random() < 0.6:
            env["deployment"] = deployment
        env["url"] = url
        env["tags"] = {"team": c.team, "project": c.project}
        env["response"] = body
        lines.append(dumps(env))
        truth.calls.append(c)
    truth.extra["deployments"] = sorted(set(AZ_DEPLOYMENTS[c.model] for c in calls))
    truth.notes.append(
        "Azure OpenAI: prompt_filter_results / content_filter_results mark the platform; the deployment name is in "
        "the envelope's `deployment` or only in its URL (tag deployment); a few completions were cut by the filter"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def make_azure_responses(w: Writer, n_calls: int = 30) -> None:
    rel = "azure/responses.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.responses", "standard")
    models = {AZ_GPT4O: (2.0, date(2025, 4, 1)), O4_MINI: (1.0, date(2025, 4, 16))}
    calls = gw_calls(rng, n_calls, models, gw_openai, date(2025, 4, 1))
    objs = []
    for c in calls:
        output: list[Json] = []
        if c.reasoning:
            output.append({"id": "rs_" + rand_hex(rng, 48), "type": "reasoning", "summary": []})
        output.append(
            {
                "id": "msg_" + rand_hex(rng, 48),
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "annotations": [], "text": PLACEHOLDER}],
            }
        )
        objs.append(
            {
                "id": w.unique("resp_" + rand_hex(rng, 48)),
                "object": "response",
                "created_at": c.ts_ms // 1000,
                "status": "completed",
                "model": c.model,
                "output": output,
                "content_filters": [
                    {"blocked": False, "source_type": "prompt", "content_filter_results": AZ_FILTER_OK},
                    {"blocked": False, "source_type": "completion", "content_filter_results": AZ_FILTER_OK},
                ],
                "service_tier": "default",
                "usage": {
                    "input_tokens": c.input_uncached + c.cache_read,
                    "input_tokens_details": {"cached_tokens": c.cache_read},
                    "output_tokens": c.output,
                    "output_tokens_details": {"reasoning_tokens": c.reasoning},
                    "total_tokens": c.input_uncached + c.cache_read + c.output,
                },
                "metadata": {"team": c.team, "project": c.project},
            }
        )
        c.ts_ms = sec(c.ts_ms)
        truth.calls.append(c)
    truth.notes.append("Azure Responses API objects: content_filters marks the platform")
    w.write(truth, rel, (json.dumps(objs, indent=2) + "\n").encode("utf-8"), last_mtime([c.ts_ms for c in calls]))


# ---- OpenRouter

OR_MODELS = {  # OpenRouter id → (weight, first day, upstream providers, reasoning share)
    "anthropic/claude-sonnet-4": (3.0, SONNET4_FROM, ("Anthropic", "Amazon Bedrock", "Google Vertex")),
    "openai/gpt-4o-mini": (3.0, PERIOD_START, ("OpenAI", "Azure")),
    "google/gemini-2.5-flash": (2.0, GEM25F_FROM, ("Google AI Studio", "Google Vertex")),
    "deepseek/deepseek-chat-v3-0324": (2.0, date(2025, 3, 24), ("DeepInfra", "Together", "DeepSeek")),
    "meta-llama/llama-3.3-70b-instruct": (1.0, PERIOD_START, ("Groq", "Together", "DeepInfra")),
    "x-ai/grok-3-mini": (1.0, date(2025, 4, 10), ("xAI",)),
}
OR_PRICE = {  # rough USD per 1M (input, output) used to make plausible usage.cost values
    "anthropic/claude-sonnet-4": (3.0, 15.0),
    "openai/gpt-4o-mini": (0.15, 0.6),
    "google/gemini-2.5-flash": (0.3, 2.5),
    "deepseek/deepseek-chat-v3-0324": (0.28, 0.88),
    "meta-llama/llama-3.3-70b-instruct": (0.13, 0.39),
    "x-ai/grok-3-mini": (0.3, 0.5),
}


def openrouter_call(rng: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
    if model.startswith("anthropic/"):
        c = anthropic_call(rng, model, ts, team, project)
        c.cache_write_5m += c.cache_write_1h  # OpenRouter reports one cache_write_tokens count: 5m
        c.cache_write_1h = 0
        return c
    c = openai_call(rng, model, ts, team, project, p_cache=0.3)
    if model in ("google/gemini-2.5-flash", "x-ai/grok-3-mini") and rng.random() < 0.6:
        c.reasoning = bounded_lognormal(rng, 500, 0.8, 30, 6000)
        c.output += c.reasoning
    return c


def openrouter_usage(c: Call) -> tuple[Json, float]:
    """An OpenRouter usage object for this call (prompt_tokens includes cached and cache-write tokens) and
    its usage.cost: the upstream price, or OpenRouter's 5% fee on a BYOK call."""
    prompt = c.prompt_total
    pin, pout = OR_PRICE[c.model]
    upstream = round((prompt * pin + (c.output) * pout) / 1e6, 8)
    byok = c.project == "eval-harness"  # the eval team brings its own OpenAI/Anthropic keys
    cost = round(upstream * 0.05, 8) if byok else upstream
    usage: Json = {
        "prompt_tokens": prompt,
        "completion_tokens": c.output,
        "total_tokens": prompt + c.output,
        "cost": cost,
        "is_byok": byok,
        "prompt_tokens_details": {
            "cached_tokens": c.cache_read,
            "cache_write_tokens": c.cache_write_5m,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": upstream if byok else None,
            "upstream_inference_prompt_cost": round(prompt * pin / 1e6, 8),
            "upstream_inference_completions_cost": round(c.output * pout / 1e6, 8),
        },
        "completion_tokens_details": {"reasoning_tokens": c.reasoning, "image_tokens": 0},
    }
    return usage, cost


def write_with_reported_cost(
    w: Writer, truth: FileTruth, lines: list[str], calls: list[Call], total_cost: int, note: str
) -> None:
    """Write an OpenRouter file: its reported cost (total_cost in 1e-8 USD) and note into the truth."""
    truth.extra["reported_cost_usd"] = f"{total_cost / 1e8:.8f}"
    truth.notes.append(note)
    w.write(truth, truth.path, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def make_openrouter(w: Writer, n_calls: int = 70) -> None:
    rel = "openrouter/generations.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openrouter", "standard")
    models = {m: (wt, first) for m, (wt, first, _) in OR_MODELS.items()}
    calls = gw_calls(rng, n_calls, models, openrouter_call)
    lines = []
    total_cost = 0
    for i, c in enumerate(calls):
        created = c.ts_ms // 1000
        c.ts_ms = created * 1000
        usage, cost = openrouter_usage(c)
        if i == 23:
            del usage["cost"]  # an older client that did not ask for usage accounting
        else:
            total_cost += round(cost * 1e8)
        body: Json = {
            "id": w.unique(f"gen-{created}-{rand_str(rng, 20)}"),
            "provider": rng.choice(OR_MODELS[c.model][2]),
            "model": c.model,
            "object": "chat.completion",
            "created": created,
            "choices": [
                {
                    "logprobs": None,
                    "finish_reason": "stop",
                    "native_finish_reason": "stop",
                    "index": 0,
                    "message": {"role": "assistant", "content": PLACEHOLDER, "refusal": None, "reasoning": None},
                }
            ],
            "usage": usage,
        }
        if i == 41:
            del body["created"]  # the time then comes from the id
        if rng.random() < 0.4:
            lines.append(
                dumps({"ts": iso_ms(c.ts_ms), "tags": {"team": c.team, "project": c.project}, "response": body})
            )
        else:
            c.team = None  # a bare body carries no tags
            lines.append(dumps(body))
        truth.calls.append(c)
        if i == 50:
            lines.append(lines[-1])  # the client logged a retried response twice
            truth.duplicate_records += 1
    lines.insert(30, lines[29][: len(lines[29]) // 3])
    truth.rejected += 1
    note = (
        "OpenRouter bodies (bare or in an app-log envelope): prompt_tokens includes cached and cache-write tokens; "
        "usage.cost is the charge (BYOK calls: the 5% fee); one body without usage.cost, one without created "
        "(time from the gen- id), one logged twice, one truncated line"
    )
    write_with_reported_cost(w, truth, lines, calls, total_cost, note)


def openrouter_untagged_calls(rel: str, fmt: str, n: int) -> tuple[random.Random, FileTruth, list[Call]]:
    """The file's rng, truth and calls for an OpenRouter file without tags (stream chunks, generation stats):
    times to the second (what the records say), no team."""
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, fmt, "standard")
    models = {m: (wt, first) for m, (wt, first, _) in OR_MODELS.items()}
    calls = gw_calls(rng, n, models, openrouter_call)
    for c in calls:
        c.ts_ms = c.ts_ms // 1000 * 1000
        c.team = None
    return rng, truth, calls


def make_openrouter_stream(w: Writer, n_streams: int = 16) -> None:
    rel = "openrouter/chat_stream.jsonl"
    rng, truth, calls = openrouter_untagged_calls(rel, "openrouter.stream", n_streams)
    lines = []
    total_cost = 0
    for i, c in enumerate(calls):
        created = c.ts_ms // 1000
        head: Json = {
            "id": w.unique(f"gen-{created}-{rand_str(rng, 20)}"),
            "provider": rng.choice(OR_MODELS[c.model][2]),
            "model": c.model,
            "object": "chat.completion.chunk",
            "created": created,
            "system_fingerprint": None,
        }
        n_deltas = rng.randint(2, 5)
        for k in range(n_deltas):
            finish = "stop" if k == n_deltas - 1 else None
            delta: Json = {"role": "assistant", "content": PLACEHOLDER}
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish}
            lines.append(dumps(head | {"choices": [choice | {"logprobs": None}]}, compact=True))
        if i == 9:
            truth.rejected += 1  # the client did not ask for usage: no usage chunk, nothing to price
            continue
        usage, cost = openrouter_usage(c)
        lines.append(dumps(head | {"choices": [], "usage": usage}, compact=True))  # the usage chunk: last
        total_cost += round(cost * 1e8)
        truth.calls.append(c)
    note = (
        "OpenRouter SSE payloads, one chat.completion.chunk per line: every chunk repeats the gen- id, the upstream "
        "provider and the model; usage (with usage.cost) only on each stream's last chunk (choices: []); "
        "one stream has no usage chunk"
    )
    write_with_reported_cost(w, truth, lines, calls, total_cost, note)


def make_openrouter_generation(w: Writer, n_calls: int = 14) -> None:
    """GET /api/v1/generation?id= answers saved one per line (`{"data": {...}}`): native token counts (cached inside
    the prompt, reasoning inside the completion), total_cost; two saved from the TypeScript SDK (camelCase), one 404
    (the stats were not ready yet)."""
    rel = "openrouter/generation_stats.jsonl"
    rng, truth, calls = openrouter_untagged_calls(rel, "openrouter.generation", n_calls)
    truth.rejected = 1  # a 404 answer, inserted below
    lines = []
    total_cost = 0
    for i, c in enumerate(calls):
        created = c.ts_ms // 1000
        usage, cost = openrouter_usage(c)
        # the stats have no cache-write count: a correct reader counts those tokens as uncached input
        c.input_uncached += c.cache_write_5m
        c.cache_write_5m = 0
        total_cost += round(cost * 1e8)
        stats: Json = {
            "id": w.unique(f"gen-{created}-{rand_str(rng, 20)}"),
            "upstream_id": "chatcmpl-" + rand_str(rng, 24),
            "total_cost": cost,
            "cache_discount": None,
            "upstream_inference_cost": usage["cost_details"]["upstream_inference_cost"],
            "provider_name": rng.choice(OR_MODELS[c.model][2]),
            "created_at": ms_to_dt(c.ts_ms).isoformat(),
            "model": c.model,
            "app_id": None,
            "streamed": rng.random() < 0.5,
            "cancelled": False,
            "latency": rng.randint(300, 4000),
            "moderation_latency": None,
            "generation_time": rng.randint(200, 3800),
            "tokens_prompt": round(usage["prompt_tokens"] * 0.97),  # normalised counts: not the billed ones
            "tokens_completion": round(usage["completion_tokens"] * 0.97),
            "native_tokens_prompt": usage["prompt_tokens"],
            "native_tokens_completion": usage["completion_tokens"],
            "native_tokens_reasoning": usage["completion_tokens_details"]["reasoning_tokens"],
            "native_tokens_cached": usage["prompt_tokens_details"]["cached_tokens"],
            "num_media_prompt": None,
            "num_search_results": None,
            "origin": "",
            "usage": cost,
            "is_byok": usage["is_byok"],
            "finish_reason": "stop",
            "native_finish_reason": "stop",
        }
        if i in (4, 9):  # saved from the TypeScript SDK: the same fields in camelCase
            stats = {
                "".join(w2.title() if k else w2 for k, w2 in enumerate(key.split("_"))): v for key, v in stats.items()
            }
        lines.append(dumps({"data": stats}, compact=True))
        truth.calls.append(c)
    # the 8th line: a stats request made too early; OpenRouter answers 404 until the generation is accounted
    lines.insert(7, dumps({"error": {"message": "Generation not found", "code": 404}}, compact=True))
    note = (
        "generation stats (GET /api/v1/generation), one answer per line under data: native_tokens_* are the billed "
        "counts (tokens_* normalised); no cache-write count (such tokens read as uncached input); two lines in the "
        "TypeScript SDK's camelCase; one 404 answer (quarantined)"
    )
    write_with_reported_cost(w, truth, lines, calls, total_cost, note)


# ---- OpenAI-compatible hosts: Groq, DeepSeek, Together, Fireworks, Mistral, xAI


def compat_line(c: Call, body: Json) -> str:
    return dumps({"timestamp": iso_ms(c.ts_ms), "tags": {"team": c.team, "project": c.project}, "response": body})


def compat_body(w: Writer, rng: random.Random, c: Call, cid: str, usage: Json, **extra: Any) -> Json:
    return {
        "id": w.unique(cid),
        "object": "chat.completion",
        "created": c.ts_ms // 1000,
        "model": c.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": PLACEHOLDER},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
        **extra,
    }


def make_groq(w: Writer, n_calls: int = 50) -> None:
    rel = "groq/chat_completions.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "standard")
    models = {
        "llama-3.3-70b-versatile": (3.0, PERIOD_START),
        "llama-3.1-8b-instant": (2.0, PERIOD_START),
        "openai/gpt-oss-120b": (2.0, date(2025, 8, 5)),
    }
    calls = gw_calls(rng, n_calls, models, plain_call)
    lines = []
    for i, c in enumerate(calls):
        usage: Json = {
            "queue_time": round(rng.uniform(0.01, 0.3), 6),
            "prompt_tokens": c.input_uncached,
            "prompt_time": round(c.input_uncached / 40000, 6),
            "completion_tokens": c.output,
            "completion_time": round(c.output / 800, 6),
            "total_tokens": c.input_uncached + c.output,
            "total_time": round(rng.uniform(0.2, 3.0), 6),
        }
        extra: Json = {"system_fingerprint": "fp_" + rand_hex(rng, 10), "service_tier": "on_demand"}
        if i % 7 != 3:  # some loggers drop x_groq; usage.queue_time still says Groq
            extra["x_groq"] = {"id": "req_01" + rand_str(rng, 24).lower()}
        lines.append(compat_line(c, compat_body(w, rng, c, "chatcmpl-" + rand_uuid(rng), usage, **extra)))
        c.ts_ms = sec(c.ts_ms)
        truth.calls.append(c)
    truth.notes.append("Groq: x_groq / usage.queue_time mark the platform; no prompt caching; service_tier on_demand")
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def make_deepseek(w: Writer, n_calls: int = 50) -> None:
    rel = "deepseek/chat_completions.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "standard")
    models = {"deepseek-chat": (3.0, PERIOD_START), "deepseek-reasoner": (1.0, PERIOD_START)}

    def make(r: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
        prompt = prompt_size(r, 60_000)
        hit = int(prompt * r.uniform(0.3, 0.9)) // 64 * 64 if r.random() < 0.6 else 0  # 64-token cache units
        reasoning = bounded_lognormal(r, 700, 0.9, 50, 12_000) if model == "deepseek-reasoner" else 0
        out = output_size(r) + reasoning
        return Call(ts, model, prompt - hit, out, cache_read=hit, reasoning=reasoning, team=team, project=project)

    calls = gw_calls(rng, n_calls, models, make)
    lines = []
    for i, c in enumerate(calls):
        prompt = c.input_uncached + c.cache_read
        usage: Json = {"prompt_tokens": prompt, "completion_tokens": c.output, "total_tokens": prompt + c.output}
        if i % 4:  # older responses carry only the hit/miss split
            usage["prompt_tokens_details"] = {"cached_tokens": c.cache_read}
        if c.reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": c.reasoning}
        usage["prompt_cache_hit_tokens"] = c.cache_read
        usage["prompt_cache_miss_tokens"] = c.input_uncached
        body = compat_body(w, rng, c, rand_uuid(rng), usage, system_fingerprint="fp_8802369eaa_prod0425fp8")
        lines.append(compat_line(c, body))
        c.ts_ms = sec(c.ts_ms)
        truth.calls.append(c)
    truth.notes.append(
        "DeepSeek: prompt_cache_hit_tokens (cache read) + prompt_cache_miss_tokens (uncached) = prompt_tokens; "
        "a quarter of the responses lack prompt_tokens_details; reasoner output includes reasoning"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


def make_openai_compatible(w: Writer, n_calls: int = 44) -> None:
    rel = "openai_compatible/mixed_hosts.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "openai.chat", "standard")
    models = {
        "meta-llama/Llama-3.3-70B-Instruct-Turbo": (2.0, PERIOD_START),  # Together
        "accounts/fireworks/models/llama-v3p1-70b-instruct": (2.0, PERIOD_START),  # Fireworks
        "mistral-large-2411": (1.0, PERIOD_START),  # Mistral
        "mistral-small-2503": (1.0, date(2025, 3, 17)),
        "grok-3": (1.0, date(2025, 4, 10)),  # xAI
        "grok-3-mini": (1.0, date(2025, 4, 10)),
    }

    def make(r: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
        c = plain_call(r, model, ts, team, project)
        if model.startswith("grok"):
            if c.input_uncached > 1200 and r.random() < 0.5:
                c.cache_read = int(c.input_uncached * r.uniform(0.3, 0.8))
                c.input_uncached -= c.cache_read
            if model == "grok-3-mini":
                c.reasoning = bounded_lognormal(r, 400, 0.8, 20, 8000)
                c.output += c.reasoning
        return c

    calls = gw_calls(rng, n_calls, models, make)
    lines = []
    for c in calls:
        prompt = c.input_uncached + c.cache_read
        if c.model.startswith("grok"):  # xAI: reasoning OUTSIDE completion_tokens, inside total_tokens
            visible = c.output - c.reasoning
            usage: Json = {
                "prompt_tokens": prompt,
                "completion_tokens": visible,
                "total_tokens": prompt + c.output,
                "prompt_tokens_details": {
                    "text_tokens": prompt,
                    "audio_tokens": 0,
                    "image_tokens": 0,
                    "cached_tokens": c.cache_read,
                },
                "completion_tokens_details": {"reasoning_tokens": c.reasoning, "audio_tokens": 0},
                "num_sources_used": 0,
            }
            body = compat_body(w, rng, c, rand_uuid(rng), usage, system_fingerprint="fp_" + rand_hex(rng, 10))
        elif c.model.startswith("meta-llama/"):  # Together
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": c.output,
                "total_tokens": prompt + c.output,
                "cached_tokens": 0,
            }
            body = compat_body(w, rng, c, f"{rand_hex(rng, 16)}-{rng.choice(['SJC', 'IAD', 'LAX'])}", usage, prompt=[])
        elif c.model.startswith("accounts/fireworks/"):
            usage = {"prompt_tokens": prompt, "total_tokens": prompt + c.output, "completion_tokens": c.output}
            body = compat_body(w, rng, c, rand_uuid(rng), usage)
        else:  # Mistral: id is 32 hex digits, usage has the three counts only
            usage = {"prompt_tokens": prompt, "total_tokens": prompt + c.output, "completion_tokens": c.output}
            body = compat_body(w, rng, c, rand_hex(rng, 32), usage)
        lines.append(compat_line(c, body))
        c.ts_ms = sec(c.ts_ms)
        truth.calls.append(c)
    truth.notes.append(
        "Together (org/Model-Turbo ids, `prompt: []`), Fireworks (accounts/fireworks/models/…), Mistral, xAI "
        "(grok-3-mini: reasoning_tokens OUTSIDE completion_tokens, total = prompt + completion + reasoning)"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


# ---- Codex CLI rollouts


def with_total(u: dict[str, int]) -> dict[str, int]:
    return {**u, "total_tokens": u["input_tokens"] + u["output_tokens"]}


class Rollout:
    """One Codex CLI session file: session_meta, turn_context, response items, token_count events."""

    def __init__(self, w: Writer, rng: random.Random, day: date, cwd: str, branch: str):
        self.w, self.rng = w, rng
        self.t = day_ms(day, rng.randint(9, 16), rng.randrange(60), rng.randrange(60))
        self.session = w.unique(rand_uuid(rng))
        self.lines: list[str] = []
        self.calls: list[Call] = []
        self.total = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "reasoning_output_tokens": 0}
        self.context = 0
        self.cwd = cwd
        self.emit(
            "session_meta",
            {
                "id": self.session,
                "timestamp": iso_ms(self.t),
                "cwd": cwd,
                "originator": "codex_cli_rs",
                "cli_version": "0.20.0",
                "instructions": None,
                "source": "cli",
                "model_provider": "openai",
                "git": {"commit_hash": rand_hex(rng, 40), "branch": branch, "repository_url": None},
            },
        )

    def emit(self, kind: str, payload: Json) -> None:
        self.t += self.rng.randint(200, 4000)
        self.lines.append(dumps({"timestamp": iso_ms(self.t), "type": kind, "payload": payload}, compact=True))

    def turn(self, model: str, n_calls: int, effort: str = "medium") -> None:
        self.emit(
            "turn_context",
            {
                "cwd": self.cwd,
                "approval_policy": "on-request",
                "sandbox_policy": {"mode": "workspace-write", "network_access": False},
                "model": model,
                "effort": effort,
                "summary": "auto",
            },
        )
        self.emit("event_msg", {"type": "user_message", "message": PLACEHOLDER, "kind": "plain"})
        self.emit(
            "response_item",
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": PLACEHOLDER}]},
        )
        for _ in range(n_calls):
            self.call(model)

    def call(self, model: str) -> None:
        rng = self.rng
        new = rng.randint(300, 6000)
        prompt = self.context + new + (7000 if self.context == 0 else 0)
        cached = self.context // 256 * 256 if self.context and rng.random() < 0.9 else 0
        reasoning = rng.randint(0, 40) * 64
        out = rng.randint(30, 1500) + reasoning
        self.context = prompt + out
        last = {
            "input_tokens": prompt,
            "cached_input_tokens": cached,
            "output_tokens": out,
            "reasoning_output_tokens": reasoning,
        }
        for k, v in last.items():
            self.total[k] += v
        self.emit(
            "response_item",
            {"type": "reasoning", "summary": [], "content": None, "encrypted_content": "gAAAA" + rand_str(rng, 40)},
        )
        self.emit(
            "response_item",
            {"type": "function_call", "name": "shell", "arguments": "{}", "call_id": "call_" + rand_str(rng, 24)},
        )
        info = {
            "total_token_usage": with_total(self.total),
            "last_token_usage": with_total(last),
            "model_context_window": 272000,
        }
        limits = {
            "primary": {
                "used_percent": round(rng.uniform(1, 60), 1),
                "window_minutes": 300,
                "resets_in_seconds": rng.randint(60, 18000),
            }
        }
        self.emit("event_msg", {"type": "token_count", "info": info, "rate_limits": limits})
        project = self.cwd.rsplit("/", 1)[-1]
        self.calls.append(
            Call(self.t, model, prompt - cached, out, cache_read=cached, reasoning=reasoning, project=project)
        )
        if rng.random() < 0.7:  # the same totals again (a rate-limit refresh): not a new call
            self.emit("event_msg", {"type": "token_count", "info": info, "rate_limits": limits})
        self.emit("response_item", {"type": "function_call_output", "call_id": "call_x", "output": PLACEHOLDER})
        self.emit("event_msg", {"type": "agent_message", "message": PLACEHOLDER})


def make_codex(w: Writer) -> None:
    # a July session on o4-mini with heartbeats (info: null)
    rng = random.Random(f"{SEED}:codex:1")
    r1 = Rollout(w, rng, date(2025, 7, 21), "/home/dev/infra-tools", "main")
    r1.emit("event_msg", {"type": "token_count", "info": None, "rate_limits": None})
    r1.turn("o4-mini", 4, "high")
    r1.emit("event_msg", {"type": "token_count", "info": None, "rate_limits": None})
    r1.turn("o4-mini", 3)
    day = "2025/07/21"
    stamp = "2025-07-21T" + ms_to_dt(r1.calls[0].ts_ms).strftime("%H-%M-%S")
    rel = f"codex/sessions/{day}/rollout-{stamp}-{r1.session}.jsonl"
    truth = FileTruth(rel, "codex", "standard")
    truth.calls = r1.calls
    truth.duplicate_records = sum(1 for x in r1.lines if '"token_count"' in x and '"info":null' not in x) - len(
        r1.calls
    )
    truth.non_billable = sum(1 for x in r1.lines if '"info":null' in x)
    truth.notes.append(
        "token_count totals are cumulative and often re-emitted unchanged: one call per change (delta of totals); "
        "info: null heartbeats; cached_input_tokens inside input_tokens; reasoning inside output"
    )
    w.write(truth, rel, lines_bytes(r1.lines), last_mtime([r1.t]))

    # an August session on gpt-5 that switches to gpt-5-mini mid-way; an archived full copy sorts first
    rng = random.Random(f"{SEED}:codex:2")
    r2 = Rollout(w, rng, date(2025, 8, 19), "/home/dev/webapp", "feature/checkout-v2")
    r2.turn(GPT5, 3)
    r2.turn(GPT5_MINI, 2, "low")
    snapshot = len(r2.lines)  # a copy taken here stayed in sessions/
    r2.turn(GPT5, 3)
    stamp = "2025-08-19T" + ms_to_dt(r2.calls[0].ts_ms - 1000).strftime("%H-%M-%S")
    name = f"rollout-{stamp}-{r2.session}.jsonl"
    archived = FileTruth(f"codex/archived_sessions/{name}", "codex", "standard", calls=r2.calls)
    archived.notes.append("archived copy of the whole session (gpt-5 → gpt-5-mini → gpt-5 via turn_context)")
    w.write(archived, archived.path, lines_bytes(r2.lines), last_mtime([r2.t]))
    early = FileTruth(f"codex/sessions/2025/08/19/{name}", "codex", "standard")
    kept = [*r2.lines[:snapshot], r2.lines[snapshot][:40]]  # the copy was taken mid-write
    early.duplicate_records = sum(1 for x in kept if '"token_count"' in x)
    early.rejected = 1
    early.notes.append(
        "an older copy of the archived session, cut mid-line: every call is already stored from the archived copy "
        "(key: session id + cumulative totals), the cut line is quarantined"
    )
    w.write(early, early.path, lines_bytes(kept), last_mtime([r2.t]) - 600_000)


# ---- LiteLLM: SpendLogs rows (JSON) and StandardLoggingPayload (JSONL)

LITELLM_ROUTES = {  # model → (weight, first day, custom_llm_provider, model_group)
    GPT4O: (3.0, PERIOD_START, "openai", "gpt-4o"),
    SONNET37: (2.0, PERIOD_START, "anthropic", "claude-sonnet"),
    AZ_GPT4O: (2.0, PERIOD_START, "azure", "gpt-4o-eu"),
    BR_SONNET35: (1.0, PERIOD_START, "bedrock", "claude-sonnet-bedrock"),
    "llama-3.3-70b-versatile": (1.0, PERIOD_START, "groq", "llama-70b"),
}
LITELLM_RATES = {  # rough USD per 1M (input, output): LiteLLM's own estimate in `spend`
    GPT4O: (2.5, 10.0),
    SONNET37: (3.0, 15.0),
    AZ_GPT4O: (2.5, 10.0),
    BR_SONNET35: (3.0, 15.0),
    "llama-3.3-70b-versatile": (0.59, 0.79),
}


def litellm_call(rng: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
    if model in (SONNET37, BR_SONNET35):
        return anthropic_call(rng, model, ts, team, project)
    if model.startswith("llama"):
        return plain_call(rng, model, ts, team, project)
    return openai_call(rng, model, ts, team, project)


def litellm_usage(c: Call) -> Json:
    """LiteLLM's OpenAI-shaped usage: prompt_tokens INCLUDES cache reads and writes."""
    cw = c.cache_write_5m + c.cache_write_1h
    prompt = c.prompt_total
    details: Json = {"cached_tokens": c.cache_read, "cache_creation_tokens": cw, "audio_tokens": None}
    if c.cache_write_1h:
        details["cache_creation_token_details"] = {
            "ephemeral_5m_input_tokens": c.cache_write_5m,
            "ephemeral_1h_input_tokens": c.cache_write_1h,
        }
    u: Json = {
        "completion_tokens": c.output,
        "prompt_tokens": prompt,
        "total_tokens": prompt + c.output,
        "completion_tokens_details": {"reasoning_tokens": c.reasoning, "accepted_prediction_tokens": None},
        "prompt_tokens_details": details,
    }
    if c.model in (SONNET37, BR_SONNET35):
        u["cache_creation_input_tokens"] = cw
        u["cache_read_input_tokens"] = c.cache_read
    return u


def litellm_spend(c: Call) -> float:
    pin, pout = LITELLM_RATES[c.model]
    cost = (c.input_uncached + c.cache_write_5m * 1.25 + c.cache_write_1h * 2 + c.cache_read * 0.1) * pin
    return round((cost + c.output * pout) / 1e6, 10)


def litellm_id(w: Writer, rng: random.Random, c: Call) -> str:
    if c.model == SONNET37:
        return msg_id(w, rng)  # the provider's own id
    if c.model == BR_SONNET35:
        return w.unique("chatcmpl-" + rand_uuid(rng))  # LiteLLM makes one up
    return w.unique("chatcmpl-" + rand_str(rng, 29))


LITELLM_KEYS = {t: rand_hex(random.Random(f"{SEED}:litellm-key:{t}"), 64) for t in TEAMS}  # sha256 of the key
LITELLM_TEAM_IDS = {t: rand_uuid(random.Random(f"{SEED}:litellm-team:{t}")) for t in TEAMS}


def make_litellm_spend_logs(w: Writer, n_calls: int = 80) -> list[tuple[Call, str, Json]]:
    rel = "litellm/spend_logs.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "litellm", "standard")
    models = {m: (wt, first) for m, (wt, first, _, _) in LITELLM_ROUTES.items()}
    calls = gw_calls(rng, n_calls, models, litellm_call, date(2025, 5, 1))
    rows: list[Json] = []
    kept: list[tuple[Call, str, Json]] = []
    old_left = 2  # rows from an older LiteLLM that passed Anthropic's input_tokens through as prompt_tokens
    for c in calls:
        _, _, provider, group = LITELLM_ROUTES[c.model]
        rid = litellm_id(w, rng, c)
        usage = litellm_usage(c)
        old = old_left > 0 and provider == "anthropic" and c.cache_read + c.cache_write_5m > c.input_uncached
        if old:
            old_left -= 1
            c.cache_write_5m += c.cache_write_1h  # no TTL split in those rows
            c.cache_write_1h = 0
            usage = {
                "prompt_tokens": c.input_uncached,
                "completion_tokens": c.output,
                "total_tokens": c.input_uncached + c.output,
                "cache_creation_input_tokens": c.cache_write_5m,
                "cache_read_input_tokens": c.cache_read,
            }
        meta: Json = {
            "user_api_key": LITELLM_KEYS[c.team or "search"],
            "user_api_key_alias": f"{c.team}-prod",
            "user_api_key_team_id": LITELLM_TEAM_IDS[c.team or "search"],
            "user_api_key_team_alias": c.team,
            "user_api_key_org_id": None,
            "spend_logs_metadata": {"project": c.project},
            "requester_ip_address": f"10.0.{rng.randint(1, 9)}.{rng.randint(2, 250)}",
            "applied_guardrails": [],
            "batch_models": None,
            "additional_usage_values": {},
        }
        # cache tokens live only here: a JSON string inside the JSON-string metadata (mostly)
        meta["usage_object"] = usage if rng.random() < 0.15 else json.dumps(usage)
        start = c.ts_ms
        row = {
            "request_id": rid,
            "call_type": "acompletion",
            "api_key": LITELLM_KEYS[c.team or "search"],
            "spend": litellm_spend(c),
            "total_tokens": usage["total_tokens"],
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": c.output,
            "startTime": naive_us(start),
            "endTime": naive_us(start + rng.randint(800, 30_000)),
            "completionStartTime": naive_us(start + rng.randint(200, 800)),
            "model": c.model,
            "model_id": rand_hex(rng, 64),
            "model_group": group,
            "custom_llm_provider": provider,
            "api_base": {"openai": "https://api.openai.com", "azure": "https://acme-westeurope.openai.azure.com/"}.get(
                provider, ""
            ),
            "user": f"u-{rng.randint(100, 999)}",
            "metadata": json.dumps(meta),
            "cache_hit": "None",
            "cache_key": "Cache OFF",
            "request_tags": json.dumps(["prod", c.team]),
            "team_id": LITELLM_TEAM_IDS[c.team or "search"],
            "end_user": "",
            "requester_ip_address": meta["requester_ip_address"],
            "messages": json.dumps([{"role": "user", "content": PLACEHOLDER}]),
            "response": json.dumps({"id": rid, "choices": [{"message": {"content": PLACEHOLDER}}]}),
            "session_id": rand_uuid(rng),
            "status": "success",
            "proxy_server_request": json.dumps({"messages": [{"role": "user", "content": PLACEHOLDER}]}),
        }
        rows.append(row)
        truth.calls.append(c)
        kept.append((c, rid, row))
    # LiteLLM's own cache answered twice (no provider call), one call failed: not billed
    for k, kind in ((11, "hit"), (37, "hit"), (62, "fail")):
        extra = dict(rows[k], request_id=w.unique("chatcmpl-" + rand_uuid(rng)), spend=0.0)
        if kind == "hit":
            extra.update(cache_hit="True", cache_key=rand_hex(rng, 64))
        else:
            extra.update(status="failure", prompt_tokens=0, completion_tokens=0, total_tokens=0)
        rows.insert(k + 1, extra)
        truth.non_billable += 1
    truth.extra["reported_cost_usd"] = f"{sum(round(r['spend'] * 1e10) for r in rows) / 1e10:.10f}"
    truth.notes.append(
        "LiteLLM_SpendLogs export: metadata / request_tags / messages / response are JSON strings, the cache "
        "counts only in metadata.usage_object (mostly a string inside the string); startTime naive UTC; "
        "request_id is the provider id where there is one; 2 rows from an older LiteLLM put Anthropic's "
        "uncached input in prompt_tokens (cache counts exceed it); 2 LiteLLM cache hits and 1 failure not billed"
    )
    w.write(truth, rel, (json.dumps(rows, indent=2) + "\n").encode("utf-8"), last_mtime([c.ts_ms for c in calls]))
    return kept


def make_litellm_payloads(w: Writer, spend_rows: list[tuple[Call, str, Json]], n_calls: int = 40) -> None:
    rel = "litellm/standard_logging_payloads.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "litellm", "standard")
    models = {m: (wt, first) for m, (wt, first, _, _) in LITELLM_ROUTES.items()}
    calls = gw_calls(rng, n_calls, models, litellm_call, date(2025, 6, 1))
    entries: list[tuple[Call, str, bool]] = [(c, litellm_id(w, rng, c), True) for c in calls]
    # the S3 callback and the SpendLogs table both saw two of the calls: stored once (from spend_logs.json)
    for c, rid, _ in spend_rows[-2:]:
        entries.append((c, rid, False))
        truth.duplicate_records += 1
    entries.sort(key=lambda e: e[0].ts_ms)
    lines = []
    for c, rid, new in entries:
        _, _, provider, group = LITELLM_ROUTES[c.model]
        usage = litellm_usage(c)
        start = c.ts_ms / 1000
        payload = {
            "id": rid,
            "trace_id": rand_uuid(rng),
            "call_type": "acompletion",
            "stream": False,
            "status": "success",
            "custom_llm_provider": provider,
            "startTime": start,
            "endTime": round(start + rng.uniform(0.8, 30), 6),
            "completionStartTime": round(start + rng.uniform(0.2, 0.8), 6),
            "model": c.model,
            "model_group": group,
            "model_id": rand_hex(rng, 64),
            "api_base": "",
            "response_cost": litellm_spend(c),
            "saved_cache_cost": 0.0,
            "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens": c.output,
            "total_tokens": usage["total_tokens"],
            "metadata": {
                "user_api_key_hash": LITELLM_KEYS[c.team or "search"],
                "user_api_key_alias": f"{c.team}-prod",
                "user_api_key_team_id": LITELLM_TEAM_IDS[c.team or "search"],
                "user_api_key_team_alias": c.team,
                "user_api_key_org_id": None,
                "user_api_key_user_id": None,
                "spend_logs_metadata": {"project": c.project},
                "requester_ip_address": "10.0.3.17",
                "requester_metadata": {},
            },
            "cache_hit": False,
            "cache_key": None,
            "request_tags": ["prod", c.team],
            "end_user": "",
            "hidden_params": {
                "model_id": rand_hex(rng, 64),
                "cache_key": None,
                "api_base": "",
                "response_cost": litellm_spend(c),
                "additional_headers": {},
                "litellm_overhead_time_ms": round(rng.uniform(1, 9), 3),
                "litellm_model_name": c.model,
            },
            "model_map_information": {
                "model_map_key": c.model,
                "model_map_value": {
                    "input_cost_per_token": LITELLM_RATES[c.model][0] / 1e6,
                    "output_cost_per_token": LITELLM_RATES[c.model][1] / 1e6,
                },
            },
            "error_str": None,
            "error_information": {"error_code": "", "error_class": "", "llm_provider": ""},
            "messages": [{"role": "user", "content": PLACEHOLDER}],
            "response": {
                "id": rid,
                "object": "chat.completion",
                "model": c.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": PLACEHOLDER}}],
                "usage": usage,
            },
        }
        lines.append(dumps(payload, compact=True))
        if new:
            truth.calls.append(c)
    lines.insert(17, lines[16][: len(lines[16]) // 2])
    truth.rejected += 1
    truth.notes.append(
        "StandardLoggingPayload lines (S3 callback): unix startTime, metadata as an object, usage under "
        "response.usage; 2 calls also in spend_logs.json (same id: stored once); 1 truncated line"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c, _, _ in entries]))


# ---- Langfuse: ingestion batches (JSONL) and an observations export


def lf_offset(ts_ms: int, pacific: bool) -> str:
    """An ISO time, in UTC (Z) or as a -07:00 local time (both occur in one file)."""
    if not pacific:
        return iso_ms(ts_ms)
    local = ms_to_dt(ts_ms) - timedelta(hours=7)
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}-07:00"


def lf_call(rng: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
    if model == HAIKU35:
        return anthropic_call(rng, model, ts, team, project)
    return openai_call(rng, model, ts, team, project, p_cache=0.3)


def make_langfuse_batches(w: Writer, n_calls: int = 36) -> None:
    rel = "langfuse/ingestion_batches.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "langfuse", "standard")
    models = {GPT4O_MINI: (3.0, PERIOD_START), HAIKU35: (2.0, PERIOD_START), O4_MINI: (1.0, date(2025, 4, 16))}
    calls = gw_calls(rng, n_calls, models, lf_call, date(2025, 6, 1))
    lines = []
    for i, c in enumerate(calls):
        pacific = rng.random() < 0.3
        trace_id = rand_uuid(rng)
        gen_id = w.unique(rand_uuid(rng))
        trace = {
            "id": rand_uuid(rng),
            "type": "trace-create",
            "timestamp": lf_offset(c.ts_ms, pacific),
            "body": {
                "id": trace_id,
                "timestamp": lf_offset(c.ts_ms, pacific),
                "name": c.project,
                "userId": f"user-{rng.randint(1, 40)}",
                "sessionId": rand_uuid(rng),
                "metadata": {"team": c.team, "project": c.project},
                "tags": ["prod", c.team],
                "input": PLACEHOLDER,
                "output": PLACEHOLDER,
                "environment": "production",
            },
        }
        end = c.ts_ms + rng.randint(500, 20_000)
        events: list[Json] = [trace]
        if i % 2 == 0 and c.model != HAIKU35:  # LiteLLM's callback: one generation-create, legacy usage
            c.input_uncached += c.cache_read  # legacy usage has no cache field: the whole prompt is input
            c.cache_read = 0
            c.reasoning = 0  # nor a reasoning count (output still includes it)
            events.append(
                {
                    "id": rand_uuid(rng),
                    "type": "generation-create",
                    "timestamp": lf_offset(end, pacific),
                    "body": {
                        "id": gen_id,
                        "traceId": trace_id,
                        "name": "litellm-acompletion",
                        "startTime": lf_offset(c.ts_ms, pacific),
                        "endTime": lf_offset(end, pacific),
                        "model": c.model,
                        "modelParameters": {"temperature": "0.2"},
                        "input": [{"role": "user", "content": PLACEHOLDER}],
                        "output": {"role": "assistant", "content": PLACEHOLDER},
                        "usage": {
                            "input": c.input_uncached,
                            "output": c.output,
                            "total": c.input_uncached + c.output,
                            "unit": "TOKENS",
                            "totalCost": round((c.input_uncached * 0.15 + c.output * 0.6) / 1e6, 10),
                        },
                        "metadata": {"hidden_params": {"api_base": "https://api.openai.com"}, "team": c.team},
                        "level": "DEFAULT",
                    },
                }
            )
        else:  # the Python SDK: span, generation-create without usage, generation-update with usageDetails
            cw = c.cache_write_5m + c.cache_write_1h
            details: Json = {"input": c.input_uncached, "output": c.output - c.reasoning}
            if c.model == HAIKU35:
                details.update(cache_read_input_tokens=c.cache_read, cache_creation_input_tokens=cw)
                c.cache_write_5m, c.cache_write_1h = cw, 0
            else:
                details.update(input_cached_tokens=c.cache_read, output_reasoning_tokens=c.reasoning)
            details["total"] = sum(details.values())
            events += [
                {
                    "id": rand_uuid(rng),
                    "type": "span-create",
                    "timestamp": lf_offset(c.ts_ms, pacific),
                    "body": {
                        "id": rand_uuid(rng),
                        "traceId": trace_id,
                        "name": "retrieve",
                        "startTime": lf_offset(c.ts_ms, pacific),
                    },
                },
                {
                    "id": rand_uuid(rng),
                    "type": "generation-create",
                    "timestamp": lf_offset(c.ts_ms, pacific),
                    "body": {
                        "id": gen_id,
                        "traceId": trace_id,
                        "name": "answer",
                        "startTime": lf_offset(c.ts_ms, pacific),
                        "model": c.model,
                        "input": [{"role": "user", "content": PLACEHOLDER}],
                    },
                },
                {
                    "id": rand_uuid(rng),
                    "type": "generation-update",
                    "timestamp": lf_offset(end, pacific),
                    "body": {
                        "id": gen_id,
                        "traceId": trace_id,
                        "endTime": lf_offset(end, pacific),
                        "output": PLACEHOLDER,
                        "usageDetails": details,
                        "costDetails": {"total": round(details["total"] * 4e-7, 10)},
                    },
                },
            ]
        batch = {
            "batch": events,
            "metadata": {"batch_size": len(events), "sdk_name": "python", "sdk_version": "2.60.2"},
        }
        lines.append(dumps(batch, compact=True))
        truth.calls.append(c)
        if i == 20:
            lines.append(lines[-1])  # the SDK re-sent a batch after a timeout: the same events again
            truth.duplicate_records += 1
    # a generation that never got its usage update, and a batch line cut mid-object
    orphan = {
        "batch": [
            {
                "id": rand_uuid(rng),
                "type": "generation-create",
                "timestamp": iso_ms(calls[10].ts_ms + 5),
                "body": {
                    "id": rand_uuid(rng),
                    "traceId": rand_uuid(rng),
                    "model": GPT4O_MINI,
                    "startTime": iso_ms(calls[10].ts_ms + 5),
                },
            }
        ]
    }
    lines.insert(11, dumps(orphan, compact=True))
    lines.insert(30, lines[29][: len(lines[29]) // 2])
    truth.rejected += 2
    truth.notes.append(
        "ingestion batches: LiteLLM-style generation-create with legacy usage{input,output,unit}, or SDK-style "
        "generation-create + generation-update (usageDetails: input excludes input_cached_tokens / Anthropic cache "
        "keys, output excludes output_reasoning_tokens, total = their sum); Z and -07:00 times; one batch re-sent; "
        "a generation without usage and a truncated line are quarantined"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]) + 60_000)


def make_langfuse_observations(w: Writer, n_calls: int = 30) -> None:
    rel = "langfuse/observations_export.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "langfuse", "standard")
    models = {GPT4O_MINI: (3.0, PERIOD_START), HAIKU35: (2.0, PERIOD_START), O4_MINI: (1.0, date(2025, 4, 16))}
    calls = gw_calls(rng, n_calls, models, lf_call, date(2025, 7, 1))
    data = []
    for i, c in enumerate(calls):
        cw = c.cache_write_5m + c.cache_write_1h
        if c.model == HAIKU35:
            details: Json = {
                "input": c.input_uncached,
                "output": c.output,
                "cache_read_input_tokens": c.cache_read,
                "cache_creation_input_tokens": cw,
            }
            c.cache_write_5m, c.cache_write_1h = cw, 0
            details["total"] = sum(details.values())
        elif i % 3 == 0:  # an SDK that sent OpenAI's counts as they are: cached and reasoning INSIDE
            details = {
                "input": c.input_uncached + c.cache_read,
                "input_cached_tokens": c.cache_read,
                "output": c.output,
                "output_reasoning_tokens": c.reasoning,
                "total": c.input_uncached + c.cache_read + c.output,
            }
            if not c.cache_read and not c.reasoning:  # nothing nested: no way (and no need) to tell
                details = {"input": c.input_uncached, "output": c.output, "total": c.input_uncached + c.output}
        else:
            details = {
                "input": c.input_uncached,
                "input_cached_tokens": c.cache_read,
                "output": c.output - c.reasoning,
                "output_reasoning_tokens": c.reasoning,
            }
            details["total"] = sum(details.values())
        cost = round(details["total"] * 3e-7, 10)
        data.append(
            {
                "id": w.unique(rand_uuid(rng)),
                "traceId": rand_uuid(rng),
                "type": "GENERATION",
                "name": "answer",
                "startTime": iso_ms(c.ts_ms),
                "endTime": iso_ms(c.ts_ms + rng.randint(400, 9000)),
                "completionStartTime": None,
                "model": c.model,
                "modelParameters": {"max_tokens": 1024},
                "input": None,
                "output": None,
                "metadata": {"team": c.team, "project": c.project, "attributes": {"route": "/answer"}},
                "level": "DEFAULT",
                "statusMessage": None,
                "parentObservationId": None,
                "promptId": None,
                "version": None,
                "environment": "production",
                "usageDetails": details,
                "costDetails": {"total": cost},
                "usage": {
                    "input": details["input"],
                    "output": details["output"],
                    "total": details["total"],
                    "unit": "TOKENS",
                },
                "calculatedTotalCost": cost,
                "latency": 1.2,
                "modelId": None,
            }
        )
        truth.calls.append(c)
        if i % 4 == 1:
            data.append(
                {
                    "id": rand_uuid(rng),
                    "traceId": data[-1]["traceId"],
                    "type": "SPAN",
                    "name": "retrieve",
                    "startTime": iso_ms(c.ts_ms - 300),
                    "usageDetails": {},
                    "costDetails": {},
                }
            )
            truth.non_billable += 1
    doc = {"data": data, "meta": {"page": 1, "limit": 100, "totalItems": len(data), "totalPages": 1}}
    truth.notes.append(
        "GET /api/public/observations page: usageDetails disjoint (Langfuse's convention: total = sum of the keys), "
        "except every third OpenAI generation sent with cached/reasoning INSIDE input/output (total < sum of keys); "
        "SPAN observations are not calls"
    )
    w.write(truth, rel, (json.dumps(doc, indent=2) + "\n").encode("utf-8"), last_mtime([c.ts_ms for c in calls]))


# ---- Helicone request export (JSONL)


def make_helicone_jsonl(w: Writer, n_calls: int = 60) -> None:
    rel = "helicone/requests_export.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "helicone", "standard")
    models = {GPT41: (3.0, date(2025, 4, 14)), SONNET4: (2.0, SONNET4_FROM), GPT4O_MINI: (2.0, PERIOD_START)}

    def make(r: random.Random, model: str, ts: int, team: str | None, project: str | None) -> Call:
        if model == SONNET4:
            c = anthropic_call(r, model, ts, team, project)
            c.cache_write_5m += c.cache_write_1h  # Helicone keeps one cache-write count
            c.cache_write_1h = 0
            return c
        return openai_call(r, model, ts, team, project)

    calls = gw_calls(rng, n_calls, models, make, date(2025, 5, 1))

    def record(c: Call, status: int = 200, tokens: bool = True) -> Json:
        anthropic = c.model == SONNET4
        naive = rng.random() < 0.25  # exported straight from ClickHouse: no zone
        when = naive_us(c.ts_ms)[:-3] if naive else iso_ms(c.ts_ms)
        done = c.ts_ms + rng.randint(400, 15_000)
        rec: Json = {
            "request_id": w.unique(rand_uuid(rng)),
            "request_created_at": when,
            "request_path": "https://api.anthropic.com/v1/messages"
            if anthropic
            else "https://api.openai.com/v1/chat/completions",
            "request_user_id": f"user-{rng.randint(1, 60)}",
            "request_properties": {"team": c.team, "project": c.project, "Helicone-Session-Id": rand_uuid(rng)},
            "request_model": "claude-sonnet-4-0" if anthropic else c.model.rsplit("-20", 1)[0],
            "model_override": None,
            "response_id": rand_uuid(rng),
            "response_created_at": naive_us(done)[:-3] if naive else iso_ms(done),
            "response_status": status,
            "response_model": c.model,
            "provider": "ANTHROPIC" if anthropic else "OPENAI",
            "delay_ms": done - c.ts_ms,
            "time_to_first_token": rng.randint(150, 900),
            "total_tokens": None,
            "prompt_tokens": None,
            "prompt_cache_write_tokens": None,
            "prompt_cache_read_tokens": None,
            "completion_tokens": None,
            "prompt_audio_tokens": None,
            "completion_audio_tokens": None,
            "cost": None,
            "prompt_id": None,
            "prompt_version": None,
            "country_code": "US",
            "scores": {},
        }
        if tokens:  # Helicone's counts are DISJOINT: prompt_tokens excludes cache reads and writes
            rec.update(
                total_tokens=c.prompt_total + c.output,
                prompt_tokens=c.input_uncached,
                prompt_cache_write_tokens=c.cache_write_5m,
                prompt_cache_read_tokens=c.cache_read,
                completion_tokens=c.output,
                prompt_audio_tokens=0,
                completion_audio_tokens=0,
                cost=round((c.input_uncached * 2 + c.cache_read * 0.5 + c.output * 8) / 1e6, 10),
            )
        return rec

    lines = []
    for i, c in enumerate(calls):
        lines.append(dumps(record(c)))
        truth.calls.append(c)
        if i == 44:
            lines.append(lines[-1])  # the export tool's pages overlapped
            truth.duplicate_records += 1
    limited = plain_call(rng, GPT41, calls[20].ts_ms + 7, "search", "ranker")
    lines.insert(21, dumps(record(limited, status=429, tokens=False)))  # rate limited: not billed
    truth.non_billable += 1
    unknown = plain_call(rng, GPT4O_MINI, calls[33].ts_ms + 9, "support", "reply-drafts")
    lines.insert(35, dumps(record(unknown, tokens=False)))  # a stream logged without usage: quarantined
    truth.rejected += 1
    truth.notes.append(
        "Helicone export (JSONL): prompt_tokens EXCLUDES prompt_cache_read_tokens / prompt_cache_write_tokens; "
        "request_properties are the tags; some times naive (ClickHouse, UTC); a 429 without tokens (not billed), "
        "a 200 without token counts (quarantined), one record twice"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in calls]))


# ---- OpenTelemetry GenAI spans (OTLP/JSON)


def otel_attr(key: str, value: Any, numbers: bool = False) -> Json:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": value if numbers else str(value)}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v} for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def otel_span(
    rng: random.Random, trace: str, name: str, ts_ms: int, attrs: list[Json], parent: str | None = None, kind: Any = 3
) -> Json:
    start = ts_ms * 1_000_000 + rng.randrange(1_000_000)
    span: Json = {"traceId": trace, "spanId": rand_hex(rng, 16)}
    if parent:
        span["parentSpanId"] = parent
    span.update(
        {
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + rng.randint(200, 9000) * 1_000_000),
            "attributes": attrs,
            "status": {},
        }
    )
    return span


def otel_resource(service: str, numbers: bool = False) -> Json:
    return {
        "attributes": [
            otel_attr("service.name", service, numbers),
            otel_attr("deployment.environment", "prod", numbers),
            otel_attr("telemetry.sdk.language", "python", numbers),
            otel_attr("telemetry.sdk.name", "opentelemetry", numbers),
            otel_attr("telemetry.sdk.version", "1.33.1", numbers),
        ]
    }


def make_otel_document(w: Writer, n_turns: int = 22) -> None:
    rel = "otel/traces_openai.json"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "otel", "standard")
    spans: list[Json] = []
    times = []
    for i in range(n_turns):
        ts = random_ts(rng, date(2025, 7, 1), date(2025, 7, 31))
        times.append(ts)
        trace = rand_hex(rng, 32)
        azure = i % 5 == 4
        model = AZ_GPT4O if azure else GPT4O
        agent_attrs = [
            otel_attr("gen_ai.operation.name", "invoke_agent"),
            otel_attr("gen_ai.agent.name", "support-triage"),
        ]
        root = otel_span(rng, trace, "invoke_agent support-triage", ts, agent_attrs)
        spans.append(root)
        total_in = total_out = 0
        for k in range(rng.randint(1, 3)):
            c = openai_call(rng, model, ts + 10 + k * 3000, p_cache=0.4)
            cache_attr = i >= 12  # a newer instrumentation reports the cached part of the input
            if not cache_attr:  # without it the cached tokens are indistinguishable: all input uncached
                c.input_uncached += c.cache_read
                c.cache_read = 0
            attrs = [
                otel_attr("gen_ai.operation.name", "chat"),
                otel_attr("gen_ai.system", "openai"),
                otel_attr("gen_ai.request.model", "gpt-4o"),
                otel_attr("gen_ai.response.model", model),
                otel_attr("gen_ai.response.id", w.unique("chatcmpl-" + rand_str(rng, 29))),
                otel_attr("gen_ai.response.finish_reasons", ["stop"]),
                otel_attr("gen_ai.usage.input_tokens", c.input_uncached + c.cache_read),
                otel_attr("gen_ai.usage.output_tokens", c.output),
                otel_attr("gen_ai.openai.response.service_tier", "default"),
                otel_attr("server.address", "acme-eastus2.openai.azure.com" if azure else "api.openai.com"),
                otel_attr("gen_ai.conversation.id", f"conv-{trace[:12]}"),
            ]
            if cache_attr:
                attrs.insert(8, otel_attr("gen_ai.usage.cache_read.input_tokens", c.cache_read))
            spans.append(otel_span(rng, trace, f"chat {model}", c.ts_ms, attrs, root["spanId"]))
            spans.append(
                otel_span(rng, trace, "POST", c.ts_ms + 1, [otel_attr("http.request.method", "POST")], root["spanId"])
            )
            truth.calls.append(c)
            truth.non_billable += 1
            total_in += c.input_uncached + c.cache_read
            total_out += c.output
        root["attributes"] += [
            otel_attr("gen_ai.usage.input_tokens", total_in),
            otel_attr("gen_ai.usage.output_tokens", total_out),
        ]
        truth.non_billable += 1
        if i % 6 == 2:  # an embeddings call: input tokens only
            e = Call(ts + 5, "text-embedding-3-small", rng.randint(20, 900), 0)
            attrs = [
                otel_attr("gen_ai.operation.name", "embeddings"),
                otel_attr("gen_ai.system", "openai"),
                otel_attr("gen_ai.request.model", e.model),
                otel_attr("gen_ai.response.model", e.model),
                otel_attr("gen_ai.usage.input_tokens", e.input_uncached),
                otel_attr("server.address", "api.openai.com"),
            ]
            spans.append(otel_span(rng, trace, f"embeddings {e.model}", e.ts_ms, attrs, root["spanId"]))
            truth.calls.append(e)
    for c in truth.calls:
        c.team = None
    doc = {
        "resourceSpans": [
            {
                "resource": otel_resource("support-bot"),
                "scopeSpans": [
                    {"scope": {"name": "opentelemetry.instrumentation.openai_v2", "version": "2.3b0"}, "spans": spans}
                ],
            }
        ]
    }
    truth.notes.append(
        "one OTLP/JSON document: chat spans (intValue as strings, deprecated gen_ai.system and "
        "gen_ai.openai.response.service_tier), Azure calls labelled gen_ai.system=openai (server.address tells), "
        "invoke_agent parents carrying their children's totals and HTTP spans (not calls), embeddings spans; "
        "cached tokens only where the newer instrumentation reports them"
    )
    w.write(truth, rel, (json.dumps(doc, indent=2) + "\n").encode("utf-8"), last_mtime(times) + 60_000)


def make_otel_collector(w: Writer, n_batches: int = 9) -> None:
    rel = "otel/collector_export.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "otel", "standard")
    lines = []
    for b in range(n_batches):
        base = random_ts(rng, date(2025, 8, 1), date(2025, 8, 28))
        anthropic_spans = []
        for k in range(rng.randint(2, 4)):
            c = anthropic_call(rng, SONNET4, base + k * 4000)
            cw = c.cache_write_5m + c.cache_write_1h
            c.cache_write_5m, c.cache_write_1h = cw, 0  # one cache_creation count: 5m
            legacy = (
                b % 2 == 0 and c.cache_read + cw > c.input_uncached
            )  # an instrumentation that kept Anthropic's input_tokens
            reported_in = c.input_uncached if legacy else c.prompt_total
            attrs = [
                otel_attr("gen_ai.operation.name", "chat", True),
                otel_attr("gen_ai.provider.name", "anthropic", True),
                otel_attr("gen_ai.request.model", "claude-sonnet-4-0", True),
                otel_attr("gen_ai.response.model", SONNET4, True),
                otel_attr("gen_ai.response.id", msg_id(w, rng), True),
                otel_attr("gen_ai.usage.input_tokens", reported_in, True),
                otel_attr("gen_ai.usage.output_tokens", c.output, True),
                otel_attr("gen_ai.usage.cache_read.input_tokens", c.cache_read, True),
                otel_attr("gen_ai.usage.cache_creation.input_tokens", cw, True),
                otel_attr("server.address", "api.anthropic.com", True),
            ]
            anthropic_spans.append(
                otel_span(rng, rand_hex(rng, 32), f"chat {SONNET4}", c.ts_ms, attrs, kind="SPAN_KIND_CLIENT")
            )
            truth.calls.append(c)
        vertex_spans = []
        if b % 3 == 1:  # an older Vertex instrumentation: prompt/completion token names, no response id
            c = gemini_call(rng, GEM20F, base + 20_000)
            c.input_uncached += c.cache_read
            c.cache_read = 0
            attrs = [
                otel_attr("gen_ai.operation.name", "generate_content", True),
                otel_attr("gen_ai.system", "gcp.vertex_ai", True),
                otel_attr("gen_ai.request.model", GEM20F, True),
                otel_attr("gen_ai.usage.prompt_tokens", c.input_uncached, True),
                otel_attr("gen_ai.usage.completion_tokens", c.output, True),
            ]
            vertex_spans.append(
                otel_span(rng, rand_hex(rng, 32), f"generate_content {GEM20F}", c.ts_ms, attrs, kind="SPAN_KIND_CLIENT")
            )
            truth.calls.append(c)
        export: Json = {
            "resourceSpans": [
                {
                    "resource": otel_resource("research-agent", True),
                    "scopeSpans": [
                        {
                            "scope": {"name": "opentelemetry.instrumentation.anthropic", "version": "0.40.7"},
                            "spans": anthropic_spans,
                        }
                    ],
                }
            ]
        }
        if vertex_spans:
            export["resourceSpans"].append(
                {
                    "resource": otel_resource("doc-indexer", True),
                    "scopeSpans": [
                        {"scope": {"name": "opentelemetry.instrumentation.vertexai"}, "spans": vertex_spans}
                    ],
                }
            )
        lines.append(dumps(export, compact=True))
    lines.insert(5, lines[4][: len(lines[4]) // 3])
    truth.rejected += 1
    truth.notes.append(
        "collector file exporter (JSONL, one export per line): intValue as JSON numbers, SPAN_KIND_CLIENT; Anthropic "
        "spans, half of them from an instrumentation that kept Anthropic's input_tokens (cache EXCLUDED: input < "
        "cache counts), the others per the spec (cache INCLUDED); old Vertex spans with prompt/completion names; "
        "one truncated line"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([c.ts_ms for c in truth.calls]) + 60_000)


def make_gateways(w: Writer) -> None:
    make_bedrock_converse(w)
    make_bedrock_invoke_anthropic(w)
    make_bedrock_invocation_logs(w)
    make_azure_chat(w)
    make_azure_responses(w)
    make_openrouter(w)
    make_openrouter_stream(w)
    make_openrouter_generation(w)
    make_groq(w)
    make_deepseek(w)
    make_openai_compatible(w)
    make_codex(w)
    make_litellm_payloads(w, make_litellm_spend_logs(w))
    make_langfuse_batches(w)
    make_langfuse_observations(w)
    make_helicone_jsonl(w)
    make_otel_document(w)
    make_otel_collector(w)


GATEWAY_README_FILES = [
    (
        "bedrock/converse_responses.jsonl",
        "Bedrock Converse bodies in app-log envelopes (modelId beside the body), "
        "both cache-count spellings, 1h writes in cacheDetails, a body without a model id",
    ),
    ("bedrock/invoke_model_anthropic.jsonl", "Bedrock InvokeModel Anthropic bodies (msg_bdrk_ ids, no service_tier)"),
    (
        "bedrock/invocation_logs/cloudwatch_export.json",
        "model-invocation logs as a CloudWatch console export "
        "(BOM, @message strings): guardrail and throttled calls without tokens",
    ),
    ("bedrock/invocation_logs/logs_insights.json", "Logs Insights results (BOM); overlaps the console export"),
    ("bedrock/invocation_logs/s3_us-east-1_2025-06.jsonl.gz", "S3 delivery: embeddings, an application profile ARN"),
    ("azure/chat_completions.jsonl", "Azure OpenAI chat bodies with content-filter blocks; deployment in the envelope"),
    ("azure/responses.json", "Azure OpenAI Responses objects (content_filters)"),
    ("openrouter/generations.jsonl", "OpenRouter bodies: gen- ids, upstream provider, usage.cost, BYOK"),
    ("openrouter/chat_stream.jsonl", "OpenRouter streams: chunks with gen- ids, usage.cost on the last chunk only"),
    (
        "openrouter/generation_stats.jsonl",
        "OpenRouter generation stats (`/api/v1/generation`): native counts, total_cost, camelCase lines, a 404",
    ),
    ("groq/chat_completions.jsonl", "Groq chat bodies (x_groq, usage.queue_time)"),
    ("deepseek/chat_completions.jsonl", "DeepSeek chat bodies: prompt_cache_hit/miss_tokens"),
    (
        "openai_compatible/mixed_hosts.jsonl",
        "Together, Fireworks, Mistral and xAI bodies (xAI reasoning outside completion_tokens)",
    ),
    ("codex/**/rollout-*.jsonl", "Codex CLI rollouts: cumulative token_count events re-emitted; an archived copy"),
    ("litellm/spend_logs.json", "LiteLLM_SpendLogs rows as JSON (metadata as JSON strings, usage_object inside)"),
    ("litellm/standard_logging_payloads.jsonl", "LiteLLM StandardLoggingPayload lines (S3 callback)"),
    ("langfuse/ingestion_batches.jsonl", "Langfuse ingestion batches (create + update events, legacy usage)"),
    ("langfuse/observations_export.json", "Langfuse observations page (usageDetails keys, costDetails)"),
    ("helicone/requests_export.jsonl", "Helicone request export (disjoint prompt/cache counts, properties)"),
    ("otel/traces_openai.json", "OTLP/JSON GenAI spans (OpenAI and Azure), agent and HTTP spans"),
    ("otel/collector_export.jsonl", "OTel collector file export: Anthropic spans in both input conventions, Vertex"),
]


MISC_README = """\
Exported from the old cost dashboard (decommissioned 2025-08).
This directory is not a log: it is here so ingestion can show that it
skips files it does not recognise instead of failing.
"""


def make_misc(w: Writer) -> None:
    w.write(
        FileTruth("misc/README.txt", "unknown", None),
        "misc/README.txt",
        MISC_README.encode("utf-8"),
        day_ms(date(2025, 8, 30), 9),
    )
    w.write(FileTruth("misc/empty.jsonl", "empty", None), "misc/empty.jsonl", b"", day_ms(date(2025, 8, 30), 9))


README = """\
# sample_logs

Synthetic provider logs for aispend, 2025-03-01..2025-08-31 UTC, teams search / support /
platform. Generated by `python scripts/make_sample_logs.py` (deterministic: re-running it
rewrites byte-identical files). Do not edit by hand. Message text is a placeholder ("\u2026").

`MANIFEST.json` is the generator's ground truth per file: billable calls, rejected records,
non-billable records, token sums in the disjoint canonical buckets (input_uncached, cache_read,
cache_write_5m, cache_write_1h, output incl. reasoning, reasoning), calls per model and team,
tier and the intended file mtime. git does not keep mtimes: files without timestamps get theirs
from the generator (or set them from `mtime` in the manifest).

| file | what |
|---|---|
{rows}
"""

README_FILES = [
    (
        "openai/chat_completions.jsonl",
        "Chat Completions bodies in an app-log envelope (`timestamp`/`created_at`, `tags`, "
        "`response`/`body`); gpt-4o alias, a fine-tuned model, 3 malformed lines",
    ),
    (
        "openai/responses_2025-06.json",
        "JSON array of Responses API objects (o3, o4-mini), June 2025, across the o3 price cut",
    ),
    (
        "openai/chat_stream.jsonl.gz",
        "gzipped `chat.completion.chunk` lines of 6 streams; usage only on final chunks; one stream has none",
    ),
    (
        "openai/batch_output_2025-05.jsonl",
        "Batch API output (gpt-4o-mini), completion order, one failed line",
    ),
    (
        "anthropic/messages.jsonl",
        "Messages bodies in an envelope (`ts` or unix `time`, `metadata`); old responses lack "
        "`cache_creation`; Sonnet 4 calls > 200k",
    ),
    (
        "anthropic/stream_events.jsonl",
        "raw stream events of 4 messages, no timestamps (mtime 2025-07-15T12:00Z)",
    ),
    (
        "anthropic/batch_results.jsonl",
        "Message Batches results (claude-3-5-haiku), 1 errored, 1 expired (mtime 2025-04-20T08:00Z)",
    ),
    (
        "claude_code/projects/*/<session>.jsonl",
        "4 Claude Code sessions: per-block duplicate lines, sub-agent sidechain, a `<synthetic>` "
        "message, a sidechain replay",
    ),
    (
        "gemini/generate_content.jsonl",
        "generateContent bodies in an envelope; thoughts, cached content, `models/` prefixes, 2 prompts > 200k",
    ),
    (
        "gemini/stream_chunks.jsonl",
        "4 streamed responses with cumulative usage per chunk (mtime 2025-08-01T00:00Z)",
    ),
    (
        "vertex/generate_content.json",
        "JSON array of Vertex AI responses (`createTime`, `trafficType`), no tags",
    ),
    ("misc/truncated.jsonl", "4 valid chat lines and a last line cut mid-object"),
    ("misc/README.txt", "plain text: an unknown format to skip"),
    ("misc/empty.jsonl", "0 bytes"),
]


def build_manifest(w: Writer) -> Json:
    every = sorted((t.manifest() for t in w.truths), key=lambda m: m["path"])
    # totals count calls; aggregate exports (usage buckets, billed cost lines) are summed apart, since
    # every export here covers days the call logs also cover and reports count those days once, from calls
    files = [f for f in every if f.get("record_kind", "call") == "call"]
    aggregates = {
        f["path"]: {k: f[k] for k in ("format", "record_kind", "billable_calls", "requests", "billed_usd") if k in f}
        for f in every
        if f.get("record_kind", "call") != "call"
    }
    total_tokens = {k: sum(f["tokens"][k] for f in files) for k in TOKEN_KEYS}
    by_model: dict[str, int] = {}
    by_team: dict[str, int] = {}
    by_format: dict[str, int] = {}
    for f in files:
        for m, n in f["by_model"].items():
            by_model[m] = by_model.get(m, 0) + n
        for team, n in f["by_team"].items():
            by_team[team] = by_team.get(team, 0) + n
        by_format[f["format"]] = by_format.get(f["format"], 0) + f["billable_calls"]
    calls = [c for t in w.truths if t.extra.get("record_kind", "call") == "call" for c in t.calls]
    checks: Json = {
        "o3_calls_before_2025-06-10": sum(c.model == O3 and ts_date(c.ts_ms) < O3_PRICE_CHANGE for c in calls),
        "o3_calls_from_2025-06-10": sum(c.model == O3 and ts_date(c.ts_ms) >= O3_PRICE_CHANGE for c in calls),
        "claude_sonnet_4_prompt_over_200k": sum(c.model == SONNET4 and c.prompt_total > 200_000 for c in calls),
        "gemini_2_5_pro_prompt_over_200k": sum(c.model == GEM25P and c.prompt_total > 200_000 for c in calls),
        "unpriced_model_calls": {FT_MINI: sum(c.model == FT_MINI for c in calls)},
    }
    return {
        "generator": "scripts/make_sample_logs.py",
        "seed": SEED,
        "period": {"from": PERIOD_START.isoformat(), "to": PERIOD_END.isoformat()},
        "conventions": {
            "tokens": "disjoint canonical buckets (log_formats.md section 1); output includes "
            "reasoning; reasoning is an informational subset of output",
            "by_model": "logged model id, 'models/' prefix stripped; the OpenAI alias 'gpt-4o' is kept as logged",
            "claude_code": "one call per (message.id, requestId) using the final (largest "
            "output) line; '<synthetic>' and sidechain replays excluded",
            "rejected_records": "records a correct parser must quarantine (malformed, negative, "
            "missing usage, truncated, stream without usage)",
            "non_billable": "records that are valid but not billed (batch errored/expired/"
            "failed, synthetic, sidechain replay)",
            "service_tier": "the tier to record: as logged where the log states it, 'batch' "
            "where the file type implies it, else 'standard'",
        },
        "total": {
            "files": len(every),
            "billable_calls": sum(f["billable_calls"] for f in files),
            "rejected_records": sum(f["rejected_records"] for f in every),
            "non_billable": sum(f["non_billable"] for f in every),
            "duplicate_records": sum(f["duplicate_records"] for f in every),
            "tokens": total_tokens,
            "by_model": dict(sorted(by_model.items())),
            "by_team": dict(sorted(by_team.items())),
            "by_format": dict(sorted(by_format.items())),
        },
        "aggregates": aggregates,
        "checks": checks,
        "files": every,
    }


# --------------------------------------------------------------------------------------------
# Batch output files of Gemini API Batch Mode, Vertex AI batch prediction and Bedrock batch inference:
# billed at the batch tier (the embedded responses do not say so). Shapes: see finops/ingest/gemini_batch.py
# and bedrock_batch.py (their sources are cited there). After make_exports: not in the direct aggregates.
# --------------------------------------------------------------------------------------------

BATCH_REQUEST: Json = {"contents": [{"role": "user", "parts": [{"text": PLACEHOLDER}]}], "generationConfig": {}}


def make_gemini_batch(w: Writer, n_requests: int = 40) -> None:
    """Gemini API Batch Mode results file: `{"response": {...}, "key": ...}` per line, one `error` line."""
    rel = "gemini/batch_results_2025-07.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    mtime = day_ms(date(2025, 7, 21), 9, 30)
    truth = FileTruth(rel, "gemini.batch", "batch")
    lines = []
    for k in range(1, n_requests + 1):
        key = f"request-{k}"
        if k == 17:
            err = {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT"}
            lines.append(dumps({"key": key, "error": err}, compact=True))
            truth.non_billable += 1
            continue
        c = gemini_call(rng, GEM25F, mtime, prompt=bounded_lognormal(rng, 1800, 0.8, 200, 30_000))
        body = {
            "responseId": response_id(w, rng),
            "usageMetadata": gemini_usage(c),
            "candidates": [candidate()],
            "modelVersion": c.model,
        }
        lines.append(dumps({"response": body, "key": key}, compact=True))
        truth.calls.append(c)
    truth.notes.append(
        "Batch Mode results: tier batch (the bodies do not say so); no time: the file mtime "
        "(2025-07-21T09:30:00Z); request-17 failed (error, not billed)"
    )
    w.write(truth, rel, lines_bytes(lines), mtime)


def make_vertex_batch(w: Writer, n_requests: int = 30) -> None:
    """Vertex AI batch prediction output: `{status, processed_time, request, response}` per line; failed
    requests carry the error in `status` and no response."""
    rel = "vertex/prediction-model-2025-07-29T03:14:15.926535Z/predictions.jsonl"
    rng = random.Random(f"{SEED}:{rel}")
    truth = FileTruth(rel, "vertex.batch", "batch")
    ts = day_ms(date(2025, 7, 29), 3, 20)
    lines = []
    for k in range(n_requests):
        ts += rng.randint(300, 4000)
        when = iso_ms(ts).replace("Z", "+00:00")
        if k in (9, 21):
            status = 'Bad Request: {"error": {"code": 400, "message": "Request contains an invalid argument."}}'
            lines.append(dumps({"status": status, "processed_time": when, "request": BATCH_REQUEST}, compact=True))
            truth.non_billable += 1
            continue
        model = GEM25F if k % 3 else GEM20F
        c = gemini_call(rng, model, ts, prompt=bounded_lognormal(rng, 2500, 0.7, 300, 40_000))
        response = {
            "candidates": [candidate(vertex=True, rng=rng)],
            "modelVersion": c.model + ("@default" if k % 2 else ""),
            "usageMetadata": gemini_usage(c),
        }
        line = {"status": "", "processed_time": when, "request": BATCH_REQUEST, "response": response}
        lines.append(dumps(line, compact=True))
        truth.calls.append(c)
    truth.notes.append(
        "Vertex batch prediction output: tier batch, platform vertex, time from processed_time; "
        "2 failed requests (non-empty status, no response) are not billed; some modelVersion end in @default"
    )
    w.write(truth, rel, lines_bytes(lines), last_mtime([ts]))


def make_bedrock_batch(w: Writer, n_records: int = 25) -> None:
    """Bedrock batch inference output `<input>.jsonl.out` (Claude bodies, one errored record) and the job's
    manifest.json.out beside it (totals only: no format reads it)."""
    folder = "bedrock/batch/job-7x2k9q4m1p0z"
    rel = f"{folder}/requests_2025-06.jsonl.out"
    rng = random.Random(f"{SEED}:{rel}")
    mtime = day_ms(date(2025, 6, 18), 14)
    truth = FileTruth(rel, "bedrock.batch", "batch")
    lines = []
    for k in range(1, n_records + 1):
        record_id = f"CALL{k:07d}"
        model_input = {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": [{"type": "text", "text": PLACEHOLDER}]}],
        }
        if k == 12:
            message = "Malformed input request, please reformat your input and try again."
            err = {"errorCode": 400, "errorMessage": message}
            lines.append(dumps({"recordId": record_id, "modelInput": model_input, "error": err}, compact=True))
            truth.non_billable += 1
            continue
        c = anthropic_call(rng, HAIKU35, mtime, old_style=True, prompt=bounded_lognormal(rng, 1200, 0.6, 200, 5000))
        body = anthropic_body(w, rng, c, old_style=True, service_tier=None)
        body["id"] = "msg_bdrk_" + body["id"][len("msg_") :]
        line = {"recordId": record_id, "modelInput": model_input, "modelOutput": body}
        lines.append(dumps(line, compact=True))
        truth.calls.append(c)
    truth.notes.append(
        "Bedrock batch inference output: tier batch, platform bedrock; no time: the file mtime "
        "(2025-06-18T14:00:00Z); CALL0000012 errored (not billed)"
    )
    w.write(truth, rel, lines_bytes(lines), mtime)
    ok = len(truth.calls)
    manifest = {
        "totalRecordCount": n_records,
        "processedRecordCount": n_records,
        "successRecordCount": ok,
        "errorRecordCount": n_records - ok,
        "inputTokenCount": sum(c.prompt_total for c in truth.calls),
        "outputTokenCount": sum(c.output for c in truth.calls),
    }
    w.write(
        FileTruth(f"{folder}/manifest.json.out", "unknown", None),
        f"{folder}/manifest.json.out",
        (json.dumps(manifest) + "\n").encode("utf-8"),
        mtime,
    )


BATCH_README_FILES = [
    ("gemini/batch_results_2025-07.jsonl", "Gemini API Batch Mode results (`key` + `response`), one error line"),
    (
        "vertex/prediction-model-2025-07-29T03:14:15.926535Z/predictions.jsonl",
        "Vertex AI batch prediction output (`status`, `processed_time`, `request`, `response`), 2 failed lines",
    ),
    (
        "bedrock/batch/job-7x2k9q4m1p0z/requests_2025-06.jsonl.out",
        "Bedrock batch inference output (`recordId`, `modelInput`, `modelOutput`), one errored record; "
        "manifest.json.out beside it is the job summary (skipped)",
    ),
]


def make_batch_outputs(w: Writer) -> None:
    make_gemini_batch(w)
    make_vertex_batch(w)
    make_bedrock_batch(w)


def generate(out: Path) -> Json:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    w = Writer(out)
    make_openai_chat(w)
    make_openai_responses(w)
    make_openai_stream(w)
    make_openai_batch(w)
    make_anthropic_messages(w)
    make_anthropic_stream(w)
    make_anthropic_batch(w)
    make_claude_code(w)
    make_gemini(w)
    make_gemini_stream(w)
    make_vertex(w)
    make_openai_truncated(w)
    make_exports(w)  # aggregate exports and tabular formats, built from the call logs above
    make_gateways(w)  # gateways, clouds, agents: after make_exports (not in the direct-provider aggregates)
    make_batch_outputs(w)  # batch output files: after make_exports too
    make_misc(w)
    manifest = build_manifest(w)
    gen_ms = dt_ms(GENERATED_AT)
    w.write(None, "MANIFEST.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"), gen_ms)
    readme_files = README_FILES + EXPORT_README_FILES + GATEWAY_README_FILES + BATCH_README_FILES
    rows = "\n".join(f"| `{path}` | {what} |" for path, what in readme_files)
    w.write(None, "README.md", README.format(rows=rows).encode("utf-8"), gen_ms)
    w.apply_mtimes()
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="output directory (replaced entirely; default: sample_logs/)",
    )
    args = ap.parse_args(argv)
    m = generate(args.out)
    t = m["total"]
    print(
        f"wrote {t['files']} files to {args.out}: {t['billable_calls']} billable calls, "
        f"{t['rejected_records']} rejected, {t['non_billable']} non-billable"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
