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
