"""The shape of the SQL the formats generate: compact (shared sub-expressions computed once, in layers),
the guarded JSON parse equal to try(json_transform(...)), and JSONL chunking of a file without a final
newline. These keep ingest of many small files fast (planning a blown-up expression costs seconds)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops.ingest import FORMATS
from finops.ingest._base import LogFormat, jsonl_chunks, parse_sql

from .conftest import SAMPLES

# The largest format SELECT is about 21 KB; before the shared sub-expressions were computed once, LiteLLM's
# was 55 KB with ~300 regular expressions, and DuckDB took seconds to plan it.
MAX_SQL_CHARS = 32_000
MAX_REGEXPS = 40


def _formats() -> dict[str, LogFormat]:
    fmts = dict(FORMATS)
    fmts["generic"] = FORMATS["generic"].with_options(mapping=SAMPLES / "generic" / "mapping.toml")
    return fmts


@pytest.mark.parametrize("name", sorted(_formats()))
def test_format_sql_stays_compact(name: str) -> None:
    sql = _formats()[name].sql()
    assert len(sql) < MAX_SQL_CHARS, f"{name}: {len(sql)} characters of SQL (a sub-expression pasted many times?)"
    assert sql.count("regexp_") < MAX_REGEXPS, f"{name}: {sql.count('regexp_')} regular expressions"


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1}',
        '{"a":1}  ',
        '{"a":1}\r',
        '{"a":1,}',
        '{"a":"x"}',
        '[{"a":1}]',
        "[1,2]",
        '"str"',
        "42",
        "null",
        "true",
        "",
        "   ",
        '{"a":1',
        '{"a":1} x',
        '{"a":1}{"b":2}',
        "{'a':1}",
        '{"a":01}',
        None,
    ],
)
def test_parse_sql_equals_try_json_transform(text: str | None) -> None:
    con = duckdb.connect()
    structure = '{"a":"BIGINT"}'
    plain, guarded = con.execute(
        f"select try(json_transform($t, '{structure}'))::varchar, {parse_sql('$t', structure)}::varchar",
        {"t": text},
    ).fetchone() or (None, None)
    assert guarded == plain


def test_jsonl_without_final_newline_is_one_table(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a":1}\n\n{"b":2}\n{"c":')
    tables = list(jsonl_chunks(p))
    assert len(tables) == 1
    assert tables[0].column("line").to_pylist() == [1, 2, 3, 4]
    assert tables[0].column("raw").to_pylist() == ['{"a":1}', "", '{"b":2}', '{"c":']
    p.write_bytes(b'{"a":1}\n   ')  # a trailing blank (whitespace-only) part is dropped, as before
    assert [t.column("raw").to_pylist() for t in jsonl_chunks(p)] == [['{"a":1}']]


def test_jsonl_chunks_keep_their_text_after_the_next_block_is_read(tmp_path: Path) -> None:
    """The reader reuses one buffer for every block: a table kept while later blocks are read still holds
    its own lines (plain blocks, blocks with CRLF or \\x01, and a line longer than a block)."""
    lines = [f'{{"n":{i},"pad":"{"x" * (i % 37)}"}}'.encode() for i in range(300)]
    lines[50] = b'{"long":"' + b"y" * 500 + b'"}'
    ends = [b"\r\n" if 100 <= i < 120 else b"\n" for i in range(300)]
    lines[200] = b'{"ctl":"\x01"}'
    p = tmp_path / "x.jsonl"
    p.write_bytes(b"".join(line + end for line, end in zip(lines, ends, strict=True)))
    tables = list(jsonl_chunks(p, chunk_bytes=256))
    assert len(tables) > 20
    got = [raw for t in tables for raw in t.column("raw").to_pylist()]
    assert got == [line.decode() for line in lines]
    assert [n for t in tables for n in t.column("line").to_pylist()] == list(range(1, 301))


CHAT = (
    b'{"id":"chatcmpl-%d","object":"chat.completion","created":1735689600,"model":"gpt-4o%s",'
    b'"usage":{"prompt_tokens":10,"completion_tokens":5}}\n'
)
CODEX_LINES = (
    b'{"timestamp":"2025-06-01T10:00:00Z","type":"session_meta","payload":{"id":"s1"}}\n'
    b'{"timestamp":"2025-06-01T10:00:01Z","type":"turn_context","payload":{"model":"gpt-5\xff"}}\n'
)


@pytest.mark.parametrize("how", ["small file (batched)", "gzip (read in chunks)", "whole-file format"])
def test_a_line_that_is_not_utf8_is_quarantined_not_fatal(tmp_path: Path, how: str) -> None:
    """A byte that is not UTF-8 (a corrupt log) quarantines its line with file:line, the rest is read."""
    import gzip

    from finops import db
    from finops.ingest import ingest

    if how == "whole-file format":
        path, data, bad_line, fmt = tmp_path / "rollout.jsonl", CODEX_LINES, 2, "codex"
    else:
        data = CHAT % (1, b"") + CHAT % (2, b"\xff\xfe") + CHAT % (3, b"")
        path, bad_line, fmt = tmp_path / "chat.jsonl", 2, "openai.chat"
        if how.startswith("gzip"):
            path, data = tmp_path / "chat.jsonl.gz", gzip.compress(data)
    path.write_bytes(data)
    con = db.connect(tmp_path / "t.duckdb")
    res = ingest(con, [path]).files[0]
    assert res.status == "ingested" and res.format == fmt
    rows = con.execute("select source_file, source_line, reason, raw from quarantine").fetchall()
    assert [(r[0], r[1]) for r in rows] == [(str(path), bad_line)]
    assert "not valid UTF-8" in rows[0][2] and "\\xff" in rows[0][3]
    if fmt == "openai.chat":
        assert res.calls == 2 and res.quarantined == 1
        assert con.execute("select list(request_id order by request_id) from usage").fetchone() == (
            ["chatcmpl-1", "chatcmpl-3"],
        )


def test_a_large_file_stored_in_segments_counts_like_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments (to keep memory flat) give the same calls, duplicates and quarantine as one pass."""
    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    lines = [CHAT % (i % 37, b"") for i in range(120)]  # ids repeat: 37 calls, 83 duplicates
    lines[50] = b'{"id":"chatcmpl-x","object":"chat.completion",\n'  # truncated
    lines[90] = CHAT % (90, b"\xff")  # not UTF-8
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"".join(lines))
    real, stored = fi._finish_batch, []

    def counted(*a: Any, **k: Any) -> None:
        stored.append(1)
        real(*a, **k)

    monkeypatch.setattr(fi, "_finish_batch", counted)
    counts, passes = [], []
    for segmented in (False, True):
        if segmented:
            monkeypatch.setattr(_base, "CHUNK_BYTES", 1000)
            monkeypatch.setattr(fi, "SEGMENT_BYTES", 2000)
            monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)  # not the small-file batch
        stored.clear()
        con = db.connect(tmp_path / f"{segmented}.duckdb")
        res = fi.ingest(con, [path]).files[0]
        passes.append(len(stored))
        q = con.execute("select list(source_line order by source_line) from quarantine").fetchone()
        n = con.execute("select count(*), count(distinct dedupe_key) from usage").fetchone()
        counts.append((res.records, res.calls, res.duplicates, res.quarantined, q, n))
        con.close()
    assert passes[0] == 1 and passes[1] > 2  # the second file really went in several segments
    assert counts[0] == counts[1]
    assert counts[0] == (120, 37, 81, 2, ([51, 91],), (37, 37))


def test_a_key_whose_hash_is_known_is_still_checked_on_the_stored_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are first looked for among the hashes of the stored keys (RUN_KEYS); a hash match that is not a
    stored key (a collision) must not make the call a duplicate."""
    import finops.ingest as fi
    from finops import db

    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"".join(CHAT % (i, b"") for i in range(10)))
    real = fi._start_run_keys

    def colliding(con: Any) -> None:  # every key of the file has a "stored" hash, none is stored
        real(con)
        con.execute(f"insert into {fi.RUN_KEYS} select hash('openai:chatcmpl-' || i) from range(10) t(i)")

    monkeypatch.setattr(fi, "_start_run_keys", colliding)
    con = db.connect(tmp_path / "a.duckdb")
    res = fi.ingest(con, [path]).files[0]
    assert (res.calls, res.duplicates) == (10, 0)
    assert con.execute("select count(*) from usage").fetchone() == (10,)
    # a second file with the same calls and two new ones, in a later run: the eight known are duplicates
    again = tmp_path / "again.jsonl"
    again.write_bytes(b"".join(CHAT % (i, b"") for i in range(2, 12)))
    res2 = fi.ingest(con, [again]).files[0]
    assert (res2.calls, res2.duplicates) == (2, 8)
    assert con.execute("select count(*), count(distinct dedupe_key) from usage").fetchone() == (12, 12)


def test_untimed_calls_are_counted_over_every_segment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    body = (
        '{"id":"msg_%d","type":"message","model":"claude-3-5-haiku-20241022",'
        '"usage":{"input_tokens":1,"output_tokens":1}}\n'
    )
    path = tmp_path / "bare.jsonl"
    path.write_text("".join(body % i for i in range(60)))
    monkeypatch.setattr(_base, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(fi, "SEGMENT_BYTES", 2000)
    monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)
    con = db.connect(tmp_path / "a.duckdb")
    res = fi.ingest(con, [path], assume_time=datetime(2025, 1, 2, tzinfo=UTC)).files[0]
    assert res.calls == 60 and res.ts_note is not None
    assert res.ts_note.startswith("60 call(s) carry no call time: used the time given by --assume-time")
    assert con.execute("select count(*) from quarantine").fetchone() == (0,)


def test_envelope_with_its_own_id_and_model_is_still_unwrapped(tmp_path: Path) -> None:
    """Bare bodies skip the envelope search only when they look like a body (object + usage): an
    application envelope that has its own `id`/`model` keys beside `response` is still unwrapped."""
    import json

    from finops import db
    from finops.ingest import ingest

    body = {
        "id": "chatcmpl-in",
        "object": "chat.completion",
        "created": 1735689600,
        "model": "gpt-4o-mini",
        "usage": {"prompt_tokens": 7, "completion_tokens": 3},
    }
    lines = [
        {"id": "app-req-9", "model": "my-router", "timestamp": "2025-02-01T00:00:00Z", "response": body},
        {**body, "id": "chatcmpl-bare"},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    con = db.connect(tmp_path / "t.duckdb")
    res = ingest(con, [path]).files[0]
    assert (res.format, res.calls, res.quarantined) == ("openai.chat", 2, 0)
    rows = con.execute("select request_id, model_raw, input_uncached, output from usage order by 1").fetchall()
    assert rows == [("chatcmpl-bare", "gpt-4o-mini", 7, 3), ("chatcmpl-in", "gpt-4o-mini", 7, 3)]


def test_prefetch_keeps_order_raises_the_readers_error_and_stops_early() -> None:
    from collections.abc import Iterator

    from finops.ingest import prefetch

    assert list(prefetch(iter(range(50)))) == list(range(50))

    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("truncated gzip")

    got = []
    with pytest.raises(ValueError, match="truncated gzip"):
        for x in prefetch(broken()):
            got.append(x)
    assert got == [1]

    produced = []

    def endless() -> Iterator[int]:
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    for x in prefetch(endless()):
        if x == 3:
            break
    assert len(produced) <= 6  # the reader stopped a chunk or two ahead, not at the end of the file


def test_an_ingest_interrupted_between_segments_is_redone_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Segments of a large file are committed one by one; a run that dies half-way leaves rows but no
    `files` row, and the next run removes them before reading the file again: same calls, same
    quarantine, nothing twice."""
    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    lines = [CHAT % (i, b"") for i in range(60)]
    lines[7] = b'{"id":"chatcmpl-x","object":"chat.completion",\n'  # truncated: quarantined
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"".join(lines))
    monkeypatch.setattr(_base, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(fi, "SEGMENT_BYTES", 2000)
    monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)
    con = db.connect(tmp_path / "t.duckdb")
    real, calls = fi._finish_batch, []

    def dies_on_the_third_segment(*a: Any, **k: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(*a, **k)

    monkeypatch.setattr(fi, "_finish_batch", dies_on_the_third_segment)
    with pytest.raises(KeyboardInterrupt):
        fi.ingest(con, [path])
    left = con.execute("select (select count(*) from usage), (select count(*) from quarantine)").fetchone()
    assert left is not None and 0 < left[0] < 59 and left[1] == 1  # two segments were stored
    monkeypatch.setattr(fi, "_finish_batch", real)
    res = fi.ingest(con, [path]).files[0]
    assert (res.status, res.calls, res.duplicates, res.quarantined) == ("ingested", 59, 0, 1)
    assert con.execute("select count(*), count(distinct dedupe_key) from usage").fetchone() == (59, 59)
    assert con.execute("select list(source_line) from quarantine").fetchone() == ([8],)


def test_a_small_file_matching_two_formats_is_not_read_as_either(tmp_path: Path) -> None:
    """Small files are read in batches; one whose records match two formats is still reported, not
    batched under the first."""
    import json

    from finops import db
    from finops.ingest import ingest

    chat = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1735689600, "model": "gpt-4o",
            "usage": {"prompt_tokens": 3, "completion_tokens": 1}}  # fmt: skip
    resp = {"id": "resp_1", "object": "response", "created_at": 1735689600, "model": "gpt-4o",
            "usage": {"input_tokens": 3, "output_tokens": 1}}  # fmt: skip
    path = tmp_path / "both.jsonl"
    path.write_text(json.dumps(chat) + "\n" + json.dumps(resp) + "\n")
    con = db.connect(tmp_path / "t.duckdb")
    res = ingest(con, [path]).files[0]
    assert res.status == "skipped" and "matches several formats" in (res.note or "")
    assert "openai.chat" in (res.note or "") and "openai.responses" in (res.note or "")
    assert con.execute("select count(*) from usage").fetchone() == (0,)


def test_a_large_new_file_is_hashed_while_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file whose size no stored file has is hashed from the bytes as they are parsed: the stored
    sha256 is the file's own, and the file (or a copy of it, in the same run or later) is then known."""
    import hashlib

    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    monkeypatch.setattr(_base, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)
    body = b"".join(CHAT % (i, b"") for i in range(40))
    path, copy = tmp_path / "chat.jsonl", tmp_path / "copy.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body)  # the BOM is part of the file's bytes, not of its records
    copy.write_bytes(path.read_bytes())
    hashed_first = []
    real_sha = fi.sha256

    def sha(p: Path) -> str:
        hashed_first.append(p.name)
        return real_sha(p)

    monkeypatch.setattr(fi, "sha256", sha)
    con = db.connect(tmp_path / "t.duckdb")
    res = fi.ingest(con, [path, copy]).files
    assert [(r.status, r.calls) for r in res] == [("ingested", 40), ("unchanged", 0)]
    assert "as " + str(path) in res[1].note
    assert hashed_first == ["copy.jsonl"]  # the first was new by its size: hashed while read
    stored = con.execute("select sha256, size_bytes from files").fetchall()
    assert stored == [(hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)]
    # same size, other bytes: hashed first (it could have been a stored file), then ingested
    other = tmp_path / "other.jsonl"
    other.write_bytes(b"\xef\xbb\xbf" + body.replace(b"chatcmpl-1", b"chatcmpl-Z"))
    assert other.stat().st_size == path.stat().st_size
    res = fi.ingest(con, [other, path]).files
    assert [r.status for r in res] == ["ingested", "unchanged"]
    assert hashed_first == ["copy.jsonl", "other.jsonl", "chat.jsonl"]
    digests = {r[0] for r in con.execute("select sha256 from files").fetchall()}
    assert hashlib.sha256(other.read_bytes()).hexdigest() in digests


def test_large_ingests_checkpoint_as_they_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments and every CHECKPOINT_BYTES of files are checkpointed (the WAL folded into the database
    file), so a large ingest never leaves gigabytes for one checkpoint at its end."""
    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"".join(CHAT % (i, b"") for i in range(60)))
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"".join(CHAT % (1000 + i, b"") for i in range(5)))
    monkeypatch.setattr(_base, "CHUNK_BYTES", 1000)
    monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)
    store = tmp_path / "t.duckdb"
    wal = tmp_path / "t.duckdb.wal"
    con = db.connect(store)

    def wal_bytes() -> int:
        return wal.stat().st_size if wal.exists() else 0

    monkeypatch.setattr(fi, "SEGMENT_BYTES", 10**9)
    monkeypatch.setattr(fi, "CHECKPOINT_BYTES", 10**9)
    fi.ingest(con, [small])
    unchecked = wal_bytes()  # below both thresholds: left to DuckDB (its WAL limit, or the close)
    assert unchecked > 2000
    monkeypatch.setattr(fi, "SEGMENT_BYTES", 2000)
    monkeypatch.setattr(fi, "CHECKPOINT_BYTES", 1000)
    res = fi.ingest(con, [path]).files[0]
    assert (res.status, res.calls) == ("ingested", 60)
    assert wal_bytes() < 1000  # only the run's end time, written after the last checkpoint
    # and no checkpoint of the store merges part-filled row groups (it would rewrite the table)
    assert con.execute("select current_setting('max_vacuum_tasks')").fetchall() == [(0,)]
    assert con.execute("select count(*) from usage").fetchall() == [(65,)]


def test_an_ingest_run_restores_the_checkpoint_threshold(tmp_path: Path) -> None:
    """A run raises DuckDB's checkpoint_threshold (one checkpoint at its end, not one every few batches) and
    puts the default back: the data is in the file once the store is closed."""
    from finops import db
    from finops.ingest import ingest

    def threshold() -> Any:
        return con.execute("select current_setting('checkpoint_threshold')").fetchone()

    path = tmp_path / "chat.jsonl"
    path.write_bytes(CHAT % (1, b""))
    con = db.connect(tmp_path / "t.duckdb")
    before, seen = threshold(), []
    ingest(con, [path], progress=lambda r: seen.append(threshold()))
    assert seen and seen[0] != before  # raised during the run
    assert threshold() == before
    con.close()
    con = db.connect(tmp_path / "t.duckdb")
    assert con.execute("select request_id, output from usage").fetchall() == [("chatcmpl-1", 5)]


@pytest.mark.parametrize("prepared_files", [1, 256])
def test_a_copy_of_a_file_read_earlier_in_the_run_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prepared_files: int
) -> None:
    """Files are read and hashed ahead of the ingest (a thread): a copy of a file of this run is still
    found, whether the thread is one file ahead or a whole group."""
    import finops.ingest as fi
    from finops import db

    monkeypatch.setattr(fi, "PREPARED_FILES", prepared_files)
    monkeypatch.setattr(fi, "BATCH_BYTES", 300)  # a batch per file or two
    logs = tmp_path / "logs"
    logs.mkdir()
    for name, ids in (("a", (1, 2)), ("b", (1, 2)), ("c", (3,)), ("d", (1, 2)), ("e", (3,))):
        (logs / f"{name}.jsonl").write_bytes(b"".join(CHAT % (i, b"") for i in ids))
    con = db.connect(tmp_path / "t.duckdb")
    first = fi.ingest(con, [logs])
    a, c = str(logs / "a.jsonl"), str(logs / "c.jsonl")
    assert [(f.status, f.calls, f.note) for f in first.files] == [
        ("ingested", 2, None),
        ("unchanged", 0, f"unchanged since run 1 (as {a})"),
        ("ingested", 1, None),
        ("unchanged", 0, f"unchanged since run 1 (as {a})"),
        ("unchanged", 0, f"unchanged since run 1 (as {c})"),
    ]
    second = fi.ingest(con, [logs])
    assert [f.note for f in second.files][:2] == ["unchanged since run 1", f"unchanged since run 1 (as {a})"]
    assert con.execute("select count(*) from usage").fetchone() == (3,)


@pytest.mark.parametrize("large", [False, True])
def test_control_bytes_and_lone_carriage_returns_do_not_shift_or_stop_the_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """A line is what ends at \\n: a lone \\r inside a line does not split it (every later line number
    would shift) and a \\x01 (the CSV splitter's delimiter) does not abort the ingest; both lines are not
    JSON and are quarantined with their own line numbers. CRLF line ends are read as usual."""
    import finops.ingest as fi
    from finops import db
    from finops.ingest import _base

    if large:  # the large-file path, in several chunks; else the small-file batch
        monkeypatch.setattr(_base, "CHUNK_BYTES", 300)
        monkeypatch.setattr(fi, "BATCH_FILE_BYTES", 100)
    lines = [CHAT % (i, b"") for i in range(8)]
    lines[2] = lines[2].replace(b"chatcmpl-2", b"chatcmpl-\x012")
    lines[4] = lines[4].rstrip(b"\n") + b"\rtrailing junk\n"
    lines[6] = lines[6].replace(b"\n", b"\r\n")
    path = tmp_path / "chat.jsonl"
    path.write_bytes(b"".join(lines))
    con = db.connect(tmp_path / "t.duckdb")
    res = fi.ingest(con, [path]).files[0]
    assert (res.status, res.calls, res.quarantined) == ("ingested", 6, 2)
    assert con.execute("select list(source_line order by source_line) from quarantine").fetchall() == [([3, 5],)]
    stored = con.execute("select list(source_line order by source_line) from usage").fetchall()
    assert stored == [([1, 2, 4, 6, 7, 8],)]
