#!/usr/bin/env python3
"""Generate the sample provider logs in ``sample_logs/``.

Usage::

    python scripts/make_sample_logs.py [--out DIR]

The output is synthetic but follows the documented log shapes (see the log-format reference,
sections 1, 3.1-3.4, 3.8, 3.9, 3.13 and 3.18). It is deterministic: every file is byte-identical
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
import gzip
import json
import math
import os
import random
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
    files = sorted((t.manifest() for t in w.truths), key=lambda m: m["path"])
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
    calls = [c for t in w.truths for c in t.calls]
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
            "files": len(files),
            "billable_calls": sum(f["billable_calls"] for f in files),
            "rejected_records": sum(f["rejected_records"] for f in files),
            "non_billable": sum(f["non_billable"] for f in files),
            "duplicate_records": sum(f["duplicate_records"] for f in files),
            "tokens": total_tokens,
            "by_model": dict(sorted(by_model.items())),
            "by_team": dict(sorted(by_team.items())),
            "by_format": dict(sorted(by_format.items())),
        },
        "checks": checks,
        "files": files,
    }


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
    make_misc(w)
    manifest = build_manifest(w)
    gen_ms = dt_ms(GENERATED_AT)
    w.write(None, "MANIFEST.json", (json.dumps(manifest, indent=2) + "\n").encode("utf-8"), gen_ms)
    rows = "\n".join(f"| `{path}` | {what} |" for path, what in README_FILES)
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
