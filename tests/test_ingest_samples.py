"""Ingest sample_logs/ and compare with the generator's own ground truth (MANIFEST.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from finops import db
from finops.ingest import ingest

from .conftest import SAMPLES

BUCKETS = ("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output", "reasoning")


def _totals(con: Any, path: str) -> dict[str, int]:
    row = con.execute(
        f"select count(*), {', '.join(f'sum({b})' for b in BUCKETS)} from usage where source_file = ?", [path]
    ).fetchone()
    return {"calls": row[0], **{b: int(v or 0) for b, v in zip(BUCKETS, row[1:], strict=True)}}


def test_every_sample_file_matches_the_generator(tmp_path: Path, manifest: dict[str, Any]) -> None:
    con = db.connect(tmp_path / "s.duckdb")
    result = ingest(con, [SAMPLES])
    by_path = {Path(f.path).relative_to(SAMPLES).as_posix(): f for f in result.files}
    for entry in manifest["files"]:
        res = by_path[entry["path"]]
        if entry["format"] in ("unknown", "empty"):
            assert res.status == "skipped" and res.note, entry["path"]
            continue
        expected_format = "gemini" if entry["format"] == "vertex" else entry["format"]
        assert res.format == expected_format, entry["path"]
        got = _totals(con, res.path)
        assert got["calls"] == entry["billable_calls"], entry["path"]
        assert {b: got[b] for b in BUCKETS} == entry["tokens"], entry["path"]
        assert res.quarantined == entry["rejected_records"], entry["path"]
    q = con.execute("select count(*) from quarantine").fetchone()
    assert q is not None and q[0] == manifest["total"]["rejected_records"]


def test_reingest_is_a_no_op(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "s.duckdb")
    first = ingest(con, [SAMPLES])
    before = con.execute("select count(*), sum(output) from usage").fetchone()
    second = ingest(con, [SAMPLES])
    after = con.execute("select count(*), sum(output) from usage").fetchone()
    assert first.changed and not second.changed
    assert before == after
    assert {f.status for f in second.files} <= {"unchanged", "skipped"}
    assert sum(f.status == "unchanged" for f in second.files) == sum(f.status == "ingested" for f in first.files)


def test_same_call_in_two_files_is_stored_once(tmp_path: Path) -> None:
    src = (SAMPLES / "openai" / "batch_output_2025-05.jsonl").read_text()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text(src)
    b.write_text(src + "\n")  # other bytes, same calls
    con = db.connect(tmp_path / "s.duckdb")
    res = ingest(con, [a, b])
    assert res.files[0].calls == 200 and res.files[1].calls == 0
    assert res.files[1].duplicates == 200
    row = con.execute("select count(*), count(distinct dedupe_key) from usage").fetchone()
    assert row == (200, 200)


# Batch rates per 1M tokens (input, cache_read, cache_write_5m, output), from pricing/*.toml at the samples'
# dates: google.toml gemini-2.5-flash GA 0.30 / 0.03 / - / 2.50, batch x0.5 except 2.5-era cache reads (factors
# cache_read = 1), vertex.toml inherits it; gemini-2.0-flash is only in the Vertex sample: vertex.toml's own
# 0.15 / 0.0375 / - / 0.60 (table 2026.11.23-9), Vertex batch x0.5 of every rate; anthropic.toml
# claude-3-5-haiku 0.80 / 0.08 / 1.00 / 4.00, bedrock.toml inherits it, bedrock batch x0.5.
BATCH_RATES = {
    "gemini-2.5-flash": ("0.15", "0.03", "0", "1.25"),
    "gemini-2.0-flash": ("0.075", "0.01875", "0", "0.30"),
    "claude-3-5-haiku-20241022": ("0.40", "0.04", "0.50", "2.00"),
}


def test_sample_batch_outputs_cost_the_batch_rates(tmp_path: Path, manifest: dict[str, Any]) -> None:
    """The Gemini API, Vertex and Bedrock batch output samples: every call at the batch tier, priced, and the
    file's cost is exactly its ground-truth tokens at the batch rates above (hand-read from the TOML files)."""
    from decimal import Decimal

    from finops import pricing

    con = db.connect(tmp_path / "s.duckdb")
    pricing.install(con, pricing.load(SAMPLES.parent / "pricing"))
    db.create_views(con)
    entries = [e for e in manifest["files"] if e["format"] in ("gemini.batch", "vertex.batch", "bedrock.batch")]
    assert len(entries) == 3
    for entry in entries:
        (res,) = ingest(con, [SAMPLES / entry["path"]]).files
        assert res.calls == entry["billable_calls"] and res.skipped == entry["non_billable"] == 1 + (
            entry["format"] == "vertex.batch"
        )
        rows = con.execute(
            "select distinct service_tier, price_status from priced_usage where source_file = ?", [res.path]
        ).fetchall()
        assert rows == [("batch", "priced")], entry["path"]
        want = Decimal(0)
        for model, tokens in entry["tokens_by_model"].items():
            rate_in, rate_read, rate_write, rate_out = (Decimal(r) for r in BATCH_RATES[model])
            want += (
                tokens["input_uncached"] * rate_in
                + tokens["cache_read"] * rate_read
                + tokens["cache_write_5m"] * rate_write
                + tokens["output"] * rate_out
            ) / 1_000_000
        got = con.execute("select sum(cost_usd) from priced_usage where source_file = ?", [res.path]).fetchone()
        assert got is not None and got[0] == want, entry["path"]
