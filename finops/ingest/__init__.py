"""Ingest: detect each file's format, normalise its records in DuckDB, store them once.

One module per format registers itself with @register. `ingest()` walks files and directories
(recursively, .gz/.bz2/.zst too), skips unchanged files (sha256), and lands each file's rows, its
quarantined records and its `files` row in one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import itertools
import pkgutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from finops import __version__, db
from finops.arrow import int64_array
from finops.errors import UsageError
from finops.ingest._base import (
    STAGED_COLUMNS,
    TOKEN_COLUMNS,
    Container,
    LogFormat,
    bad_utf8_lines,
    has_pref,
    inspect,
)
from finops.ingest._vendor import (
    BEDROCK_GEOS,
    BEDROCK_VENDORS,
    VENDOR_MEMO,
    VENDOR_MEMO_DDL,
    clean_map_sql,
    with_vendor,
)

FORMATS: dict[str, LogFormat] = {}
F = TypeVar("F", bound=type[LogFormat])


def register(cls: F) -> F:
    if cls.name in FORMATS:
        raise ValueError(f"format {cls.name!r} registered twice")
    FORMATS[cls.name] = cls()
    return cls


def _load_formats() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


_load_formats()

COMPRESSED = (".gz", ".bz2", ".zst", ".zstd")


def detect(sample: list[dict[str, Any]], kind: str = "jsonl", formats: dict[str, LogFormat] | None = None) -> list[str]:
    """Names of every format that reads this container kind and whose sniff accepts these first
    records, in priority order. `generic` (a user's column mapping) only when nothing else matches."""
    fmts = sorted((formats or FORMATS).values(), key=lambda f: (f.priority, f.name))
    names = [f.name for f in fmts if kind in f.containers and sample and f.sniff(sample)]
    return [n for n in names if n != "generic"] or names


def detect_container(container: Container, formats: dict[str, LogFormat] | None = None) -> list[str]:
    """detect() on a file's first records; when they match no format or several, again on more records."""
    names = detect(container.sample, container.kind, formats)
    while len(names) != 1 and container.widen():
        names = detect(container.sample, container.kind, formats)
    return names


# ---------------------------------------------------------------- results


@dataclass
class FileResult:
    path: str
    status: str  # ingested | unchanged | skipped | failed
    format: str | None = None
    note: str | None = None
    records: int = 0
    calls: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    reject_reasons: dict[str, int] = field(default_factory=dict)
    ts_note: str | None = None
    ok: int = 0  # records that passed validation (calls + duplicates)
    untimed: int = 0  # calls stored with the fallback time (--assume-time or the file's modification time)


@dataclass
class IngestResult:
    run_id: int
    files: list[FileResult] = field(default_factory=list)
    superseded: int = 0  # stored rows this run moved to `superseded` (see _supersede)

    def total(self, attr: str) -> int:
        return sum(int(getattr(f, attr)) for f in self.files)

    @property
    def changed(self) -> bool:
        return any(f.status == "ingested" for f in self.files)


# ---------------------------------------------------------------- walking

Progress = Callable[[FileResult], None]


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files under the given paths: directories recursively, hidden entries skipped, sorted."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise UsageError(f"No such file or directory: {p}")
        if p.is_file():
            out.append(p)
            continue
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                out.append(f)
    return out


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- the pipeline

GATEWAY_PREFIXES = "openai|anthropic|google|google-vertex|vertex_ai|gemini|azure|bedrock"


def _bedrock_model_sql(x: str) -> str:
    """SQL: a lowercased id `x` with a Bedrock id ([geo.]vendor.model[-vN[:M]]) cut to its model part, the
    version kept where the version IS the model (other ids pass unchanged; `x` is read once).

    Bedrock appends `-vN:M` to every id. After a dated snapshot (`claude-3-5-sonnet-20241022-v2:0`) and as
    `-v1:M` / `-v0:M` / gpt-oss's `-1:0` it is only the revision of the model's one Bedrock listing: dropped.
    A later version is another model (`titan-embed-text-v1` 0.10/1M vs `-v2:0` 0.02/1M, `cohere.embed-v4:0`,
    `titan-image-generator-v2:0`): `-vN` stays, its `:0` revision goes. Old ids without a revision
    (`titan-embed-text-v1`, `claude-instant-v1`, `claude-v2`, `claude-v2:1` = Claude 2.1) stay whole.
    """
    pre = f"^(({BEDROCK_GEOS})\\.)?({BEDROCK_VENDORS})\\.(.+?)"
    x = f"regexp_replace({x}, '{pre}-([0-9]{{8}})-v[0-9]+(:[0-9]+)?$', '\\4-\\5')"
    x = f"regexp_replace({x}, '{pre}-v?[01]:[0-9]+$', '\\4')"
    x = f"regexp_replace({x}, '{pre}(-v[0-9]+):0$', '\\4\\5')"
    return f"regexp_replace({x}, '{pre}$', '\\4')"


def normalise_model_sql(col: str) -> str:
    """SQL: a logged model id → the normalised id prices are looked up by.

    lowercase; Bedrock ARNs cut to the model/profile id; Vertex resource paths
    (`[projects/…/locations/…/]publishers/google/models/…`), `models/` (Gemini) and `vendor/` (gateways)
    prefixes dropped; Bedrock `us.anthropic.…-v1:0` → `…` (see _bedrock_model_sql); Vertex `model@date` →
    `model-date`, `model@default` → `model`.
    """
    x = f"lower(trim({col}))"
    x = f"regexp_replace({x}, '^arn:.*/', '')"
    x = f"regexp_replace({x}, '^(projects/[^/]+/locations/[^/]+/)?publishers/[^/]+/models/', '')"
    x = f"regexp_replace({x}, '^models/', '')"
    x = f"regexp_replace({x}, '^({GATEWAY_PREFIXES})/', '')"
    x = f"regexp_replace({x}, '@default$', '')"
    return f"replace({_bedrock_model_sql(x)}, '@', '-')"


def _staged_ddl() -> str:
    cols = ", ".join(f"{k} {v}" for k, v in STAGED_COLUMNS.items())
    return f"create or replace temp table staged ({cols})"


def _stage(con: duckdb.DuckDBPyConnection, select: str) -> None:
    """Stage the records of `recs` through a format's SELECT, then remember the vendor of each model id
    not met before (VENDOR_MEMO: the next records look it up instead of testing every pattern again)."""
    con.execute(VENDOR_MEMO_DDL)
    con.execute(f"insert into staged {_checked(select)}")
    if VENDOR_MEMO not in select:  # a format that knows its vendor (Claude Code: anthropic) never reads it
        return
    new_ids = f"""select model_raw from staged where model_raw is not null
                  group by model_raw having model_raw not in (select _vm_model from {VENDOR_MEMO})"""
    con.execute(f"insert into {VENDOR_MEMO} select model_raw, vendor from ({with_vendor(new_ids, 'model_raw')})")


def _next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select coalesce(max(run_id), 0) + 1 from ingest_runs").fetchone()
    return int(row[0]) if row else 1


def _bad_utf8_rows(chunk: Any) -> Any:
    """The (line, raw) rows of a chunk whose lines are not valid UTF-8 (None when there are none)."""
    bad = bad_utf8_lines(chunk)
    if not bad:
        return None
    import pyarrow.compute as pc

    rows = chunk.select(["line", "raw"]).filter(pc.is_in(chunk.column("line"), int64_array(bad)))
    return rows.replace_schema_metadata(None)


def _reject_bad_utf8(con: duckdb.DuckDBPyConnection, bad: list[Any]) -> None:
    """Each line that is not valid UTF-8 becomes one rejected record, whatever the format's SQL made of it
    (its text is kept with the bad bytes escaped as \\xNN)."""
    if not bad:
        return
    import pyarrow as pa

    con.register("bad_utf8_v", pa.concat_tables(bad))
    con.execute("delete from staged where line in (select line from bad_utf8_v)")
    con.execute(
        "insert into staged by name select 'reject' as status, "
        "'not valid UTF-8 text (bad bytes shown as \\xNN)' as reason, line, raw from bad_utf8_v"
    )
    con.unregister("bad_utf8_v")


T = TypeVar("T")


def prefetch(items: Iterator[T]) -> Iterator[T]:
    """The same items, the next one produced by a thread while the caller works on the current one.

    Reading and splitting the next chunk of a file (Python, pyarrow) overlaps DuckDB's work on this one
    (both release the GIL). An error in the producer is raised here; leaving the loop early stops it."""
    import queue
    import threading

    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as e:  # handed to the consumer
            q.put(("error", e))

    thread = threading.Thread(target=produce, name="aispend-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(0.05)


SEGMENT_BYTES = 256 << 20  # a large file is staged and stored in segments of about this much text
# DuckDB folds newly written rows into the database file (a checkpoint) when its WAL passes 16 MB or the
# store is closed; after a large ingest that one checkpoint handles gigabytes at once (10M calls: 28 s
# inside the last commit, peak memory 3.7 GB instead of 2.0). Checkpointing every segment and every
# CHECKPOINT_BYTES of files keeps each checkpoint small: the same work, in pieces.
CHECKPOINT_BYTES = SEGMENT_BYTES
FINAL_CHECKPOINT_BYTES = 16 << 20  # at the end of a run, what is larger than this is checkpointed too


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold what was written into the database file now (see CHECKPOINT_BYTES). Without the row-group
    vacuum (db.connect sets max_vacuum_tasks = 0): each large INSERT leaves a partly filled row group per
    thread, and the vacuum merges them by rewriting every row group after the first one (1M calls: 1-2.4
    CPU-s a checkpoint, against 0.03 s without it)."""
    con.execute("checkpoint")


def _run_format(
    con: duckdb.DuckDBPyConnection,
    fmt: LogFormat,
    path: Path,
    container: Container,
    finish: Callable[[], None] | None = None,
) -> int:
    """Stage every record of the file; returns the number of records read.

    With `finish`, a format whose duplicates are interchangeable (no `pref`: any copy of a call is the
    call) is staged in segments of about SEGMENT_BYTES, `finish()` storing each one before the next is
    read, so memory stays flat whatever the file's size. A copy of a call in a later segment is then a
    duplicate of the stored one, as in a second file. Formats that keep the largest copy of a call
    (streams, Claude Code) stage the whole file."""
    con.execute(_staged_ddl())
    select = fmt.sql()
    n = 0
    bad: list[Any] = []
    if fmt.whole_file:
        con.execute("create or replace temp table recs (line bigint, raw varchar)")
        first = True
        for chunk in prefetch(fmt.read(path, container)):
            n += chunk.num_rows
            if (rows := _bad_utf8_rows(chunk)) is not None:
                bad.append(rows)
            con.register("chunk_view", chunk)
            if first and chunk.column_names != ["line", "raw"]:  # tabular: the file's own columns
                con.execute("create or replace temp table recs as select * from chunk_view")
            else:
                con.execute("insert into recs by name select * from chunk_view")
            first = False
            con.unregister("chunk_view")
        _stage(con, select)
        con.execute("drop table recs")
    else:
        segment = 0
        if has_pref(select):
            finish = None
        for chunk in prefetch(fmt.read(path, container)):
            if finish is not None and segment >= SEGMENT_BYTES:
                _reject_bad_utf8(con, bad)
                finish()
                con.execute(_staged_ddl())
                bad, segment = [], 0
            n += chunk.num_rows
            segment += chunk.nbytes
            if (rows := _bad_utf8_rows(chunk)) is not None:
                bad.append(rows)
            con.register("recs", chunk)
            _stage(con, select)
            con.unregister("recs")
    _reject_bad_utf8(con, bad)
    return n


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    *,
    format_name: str | None = None,
    assume_time: datetime | None = None,
    progress: Progress | None = None,
    command: str = "ingest",
    mapping: Path | None = None,
) -> IngestResult:
    """Ingest files and directories into the store. Never raises for bad records: they are quarantined.

    mapping: a TOML column mapping that configures the `generic` format (CSV/Parquet of any shape)."""
    if format_name is not None and format_name not in FORMATS:
        raise UsageError(f"Unknown format '{format_name}'.", hint="See 'aispend formats' for the names.")
    formats = FORMATS
    if mapping is not None and "generic" in FORMATS:
        formats = {**FORMATS, "generic": FORMATS["generic"].with_options(mapping=mapping)}
    files = expand(paths)
    run_id = _next_run_id(con)
    con.execute("insert into ingest_runs values (?, now(), null, ?, ?)", [run_id, command, __version__])
    result = IngestResult(run_id)
    known: dict[str, tuple[str, int]] = {}
    sizes: set[int] = set()  # of the files stored: a file of another size cannot be one of them
    for digest, stored_path, stored_run, size in con.execute(
        "select sha256, path, run_id, size_bytes from files"
    ).fetchall():
        known[digest] = (stored_path, stored_run)
        sizes.add(size)
    # During the run: automatic checkpoints only past RUN_CHECKPOINT_THRESHOLD of log (reset at the end,
    # an error included). The store never vacuums row groups (db.connect: max_vacuum_tasks).
    con.execute(f"set checkpoint_threshold = '{RUN_CHECKPOINT_THRESHOLD}'")
    _start_run_keys(con)
    try:
        _ingest_all(con, files, known, sizes, run_id, result, format_name, assume_time, formats, progress)
        result.superseded = _supersede(con, result)
        con.execute("update ingest_runs set finished_at = now() where run_id = ?", [run_id])
        for t in WORK_TABLES:  # the last batch's rows (a segment of a large file: hundreds of MB) are not kept
            con.execute(f"drop table if exists temp.{t}")
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses it: its error is raised
            con.execute("reset checkpoint_threshold")
    return result


def _supersede(con: duckdb.DuckDBPyConnection, result: IngestResult) -> int:
    """Stored rows that a finer source stored later replaces stop counting, whatever the ingest order: the
    session totals of `claude -p` results whose transcripts are stored (claude_code_print.supersede_session_totals).
    Looked for when this run stored a Claude Code file, or when an earlier run stopped before its end (it may
    have stored a transcript and not got here)."""
    from finops.ingest.claude_code_print import supersede_session_totals

    claude = any(f.status == "ingested" and f.format in ("claude_code", "claude_code.print") for f in result.files)
    if (
        not claude
        and not con.execute(
            "select 1 from ingest_runs where finished_at is null and run_id <> ? limit 1", [result.run_id]
        ).fetchall()
    ):
        return 0
    return supersede_session_totals(con, result.run_id)


def _ingest_all(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    known: dict[str, tuple[str, int]],
    sizes: set[int],
    run_id: int,
    result: IngestResult,
    format_name: str | None,
    assume_time: datetime | None,
    formats: dict[str, LogFormat],
    progress: Progress | None,
) -> None:
    """The files of one run: small JSONL files in batches, the others one by one (ingest's loop)."""
    batch: list[_Item] = []
    batch_bytes = 0  # the sizes of the files in batch
    unchecked = 0  # bytes of files stored since the last checkpoint

    def stored(nbytes: int) -> None:
        nonlocal unchecked
        unchecked += nbytes
        if unchecked >= CHECKPOINT_BYTES:
            _checkpoint(con)
            unchecked = 0

    def flush() -> None:
        if batch:
            for res in _ingest_batch(con, batch, run_id):
                result.files.append(res)
                if progress:
                    progress(res)
            stored(sum(it.size for it in batch))
            batch.clear()

    prepared = prefetch(_prepared(files, dict(known), set(sizes), format_name, assume_time, formats))
    for item in itertools.chain.from_iterable(prepared):
        if isinstance(item, _Item) and item.digest in known:  # the same bytes as a file read earlier in this run
            item = _unchanged(str(item.path), *known[item.digest])
        if (
            isinstance(item, _Item)
            and item.fallback_source  # one format, known: anything else is worded by _ingest_file
            and item.fmt.name not in NO_BATCH
            and not item.fmt.whole_file
            and item.container.kind == "jsonl"
            and not item.container.sse  # its lines are unwrapped by read_all
            and item.size <= BATCH_FILE_BYTES
        ):
            if batch and (batch[0].fmt.name != item.fmt.name or batch_bytes + item.size > BATCH_BYTES):
                flush()
            if not batch:
                batch_bytes = 0
            known[item.digest] = (str(item.path), run_id)
            batch.append(item)
            batch_bytes += item.size
            continue
        flush()
        if isinstance(item, _Item):
            # hashed while read when no stored file has its size (the reading thread looked before this
            # run's earlier files were stored: a copy of one of them is hashed first, and found unchanged)
            new = not item.digest and item.size not in sizes
            res = _ingest_file(
                con, item.path, run_id, format_name, assume_time, formats, digest=item.digest or None, hash_on_read=new
            )
            sizes.add(item.size)
            stored(item.size)
        else:
            res = item
        result.files.append(res)
        if progress:
            progress(res)
    flush()
    if unchecked >= FINAL_CHECKPOINT_BYTES:  # else left to DuckDB (its log threshold, or the close)
        _checkpoint(con)


# The 64-bit hash of every call key in the store, taken at the start of an ingest run and extended with the
# keys each batch stores: a batch's keys are looked for among these integers first, and only the few that
# match (a call seen before, or a hash collision) are looked for among the stored keys. Looking every staged
# key up among the stored ones scanned the whole key column for each batch: a 10M-call file, stored in 19
# segments, spent 11 CPU-s there. (hash() is DuckDB's and may change between its versions: it is never
# stored, only compared within a run.)
RUN_KEYS = "run_keys"


def _start_run_keys(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create or replace temp table {RUN_KEYS} as select hash(dedupe_key) as h from usage")


# the temp tables of an ingest run (dropped at its end)
WORK_TABLES = (
    "staged",
    "dup_keys",
    "model_ids",
    "tag_maps",
    "key_candidates",
    "known_keys",
    "batch_files",
    VENDOR_MEMO,
    RUN_KEYS,
)

# DuckDB's checkpoint_threshold during an ingest run. A commit whose write-ahead log exceeds it (default
# 16 MB) checkpoints the store, and a checkpoint rewrites the tables' last, partly filled row groups, so
# its cost grows with the store. Many small transactions (a Claude Code tree: one per 32 MB batch of files)
# checkpointed every few commits: at 1M records the 25 commits took 3.2 CPU-s, 2.3 with this threshold.
# What is logged meanwhile stays in memory uncompressed (about 600 bytes a call): 256 MB gave the same
# CPU time with 70 MB more peak memory at 1M records, growing with the tree.
RUN_CHECKPOINT_THRESHOLD = "64MB"


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    run_id: int,
    format_name: str | None,
    assume_time: datetime | None,
    formats: dict[str, LogFormat] | None = None,
    digest: str | None = None,
    hash_on_read: bool = False,
) -> FileResult:
    """Ingest one file (one transaction per segment, see _run_format).

    hash_on_read: the caller knows the file is new (no stored file has its size), so its sha256 is computed
    from the bytes as they are read, in the reading thread, instead of reading the whole file once more
    before (a second or more per GB, before any parsing could start)."""
    formats = formats or FORMATS
    res = FileResult(str(path), "skipped")
    if not hash_on_read:
        digest = digest or sha256(path)
        seen = con.execute("select path, run_id from files where sha256 = ?", [digest]).fetchone()
        if seen:
            return _unchanged(str(path), seen[0], seen[1])
    container = inspect(path)
    if container.kind == "empty":
        res.note = "empty file"
        return res
    if container.kind == "other":
        res.note = "not a JSON log: no known format"
        return res
    if format_name:
        names = [format_name]
        if container.kind not in formats[format_name].containers:
            res.note = (
                f"a {container.kind} file: format {format_name} reads {', '.join(formats[format_name].containers)}"
            )
            return res
    else:
        names = detect_container(container, formats)
        if not names and container.kind in ("csv", "parquet"):
            shown = ", ".join(container.columns[:8]) + (", ..." if len(container.columns) > 8 else "")
            res.note = (
                f"{container.kind.upper() if container.kind == 'csv' else 'Parquet'}, but no known format matches "
                f"its columns ({shown}): describe them with --mapping FILE (see 'aispend formats', generic)"
            )
            return res
        if not names and container.kind == "sqlite":
            res.note = "SQLite, but no known format matches its tables (see 'aispend formats')"
            return res
        if not names:
            res.note = "JSON, but no known format matches its first records (see 'aispend formats'; --format)"
            return res
        if len(names) > 1:
            res.note = f"matches several formats ({', '.join(names)}): choose one with --format"
            return res
    fmt = formats[names[0]]
    res.format = fmt.name
    if assume_time is not None:
        fallback, fallback_source = assume_time, "assumed"
    else:
        fallback = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        fallback_source = "file_mtime"
    con.execute("begin transaction")
    try:
        _drop_partial(con, path, run_id)
        _batch_files(con, [(path, fallback, fallback_source)])

        def segment_done() -> None:
            # Committed per segment: inside one transaction DuckDB keeps every replaced `staged` table
            # until the commit, so memory would grow with the file. The file's `files` row comes last;
            # an interrupted ingest is cleaned up by _drop_partial when the file is read again.
            _finish_batch(con, [res], fmt.name, run_id)
            con.execute("commit")
            _checkpoint(con)
            con.execute("begin transaction")

        size = path.stat().st_size
        if hash_on_read:
            container.hash = hashlib.sha256()
        res.records = _run_format(con, fmt, path, container, segment_done)
        _finish_batch(con, [res], fmt.name, run_id)
        if hash_on_read:
            # a format with its own reader, or a file that changed size while read: hash the file as it is now
            digest = container.hash.hexdigest() if container.hashed == size else sha256(path)
        _insert_files(con, [(digest or "", size)], [res], fmt.name, run_id)
        con.execute("commit")
    except BaseException:  # Ctrl-C too: the store is left as it was before this file (or segment)
        con.execute("rollback")
        raise
    res.status = "ingested"
    return res


def _drop_partial(con: duckdb.DuckDBPyConnection, path: Path, run_id: int) -> None:
    """Remove what an interrupted run stored from this file before it could record it in `files`
    (segments of a large file are committed one by one). Only runs that never finished can have left
    any: without one, nothing is scanned."""
    unfinished = con.execute(
        "select run_id from ingest_runs where finished_at is null and run_id <> ? limit 1", [run_id]
    ).fetchall()
    if not unfinished:
        return
    stale = "source_file = $p and run_id not in (select run_id from files where path = $p) and run_id <> $run"
    for table in ("usage", "quarantine"):
        con.execute(f"delete from {table} where {stale}", {"p": str(path), "run": run_id})


def reason_totals(result: IngestResult, kind: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for f in result.files:
        c.update(f.reject_reasons if kind == "reject" else f.skip_reasons)
    return c


# ---------------------------------------------------------------- many small files at once

BATCH_BYTES = 32 << 20  # JSONL bytes staged and normalised by one SELECT (peak memory grows with it)
BATCH_FILE_BYTES = 16 << 20  # larger files go through _ingest_file alone
NO_BATCH: set[str] = set()
PREPARED_FILES = 256  # files prepared ahead at most, in one group (unchanged files carry no bytes)
FILE_SHIFT = 32  # staged.line = file number in the batch << 32 | line number in the file


@dataclass
class _Item:
    path: Path
    digest: str
    size: int
    container: Container
    fmt: LogFormat
    fallback: datetime
    fallback_source: str
    data: bytes | None = None  # the file's bytes, kept for small uncompressed files (read once)


def _prepare(
    path: Path,
    known: dict[str, tuple[str, int]],
    sizes: set[int],
    format_name: str | None,
    assume_time: datetime | None,
    formats: dict[str, LogFormat],
) -> _Item | FileResult:
    """What _ingest_file decides before reading records: a final FileResult, or the file to read.

    A large uncompressed file of a size that no stored file has is new whatever its bytes: its digest
    is left empty, to be computed while it is read (_ingest_file's hash_on_read)."""
    res = FileResult(str(path), "skipped")
    size = path.stat().st_size
    data = None
    compressed = path.name.lower().endswith(COMPRESSED)
    if size <= BATCH_FILE_BYTES and not compressed:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
    elif size not in sizes and not compressed:
        digest = ""
    else:
        digest = sha256(path)
    if digest in known:
        return _unchanged(str(path), *known[digest])
    container = inspect(path, data)
    if container.kind in ("empty", "other"):
        res.note = "empty file" if container.kind == "empty" else "not a JSON log: no known format"
        return res
    names = [format_name] if format_name else detect_container(container, formats)
    if len(names) != 1 or container.kind not in formats[names[0]].containers:
        # the per-file path words every other case exactly as before
        return _Item(
            path, digest, path.stat().st_size, container, formats[names[0]] if names else _NOFMT, datetime.now(UTC), ""
        )
    if assume_time is not None:
        fallback, fallback_source = assume_time, "assumed"
    else:
        fallback, fallback_source = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), "file_mtime"
    return _Item(path, digest, size, container, formats[names[0]], fallback, fallback_source, data)


def _unchanged(path: str, seen_path: str, seen_run: int) -> FileResult:
    note = f"unchanged since run {seen_run}" + ("" if seen_path == path else f" (as {seen_path})")
    return FileResult(path, "unchanged", note=note)


def _prepared(
    files: list[Path],
    known: dict[str, tuple[str, int]],
    sizes: set[int],
    format_name: str | None,
    assume_time: datetime | None,
    formats: dict[str, LogFormat],
) -> Iterator[list[_Item | FileResult]]:
    """_prepare of each file, in groups, for prefetch: a thread reads, hashes and sniffs the next files while
    DuckDB works on the current batch (about 4 CPU-s of Python for the 5,000 files of a 1M Claude Code tree,
    otherwise spent between batches). A group holds half a batch of bytes (prefetch keeps one group waiting
    and builds the next: a batch ahead, BATCH_BYTES more memory at most) or PREPARED_FILES files.

    `known`, `sizes`: the store's files at the start of the run (the caller checks the files read earlier
    in this run: the thread runs ahead of it)."""
    group: list[_Item | FileResult] = []
    size = 0
    for path in files:
        item = _prepare(path, known, sizes, format_name, assume_time, formats)
        group.append(item)
        size += item.size if isinstance(item, _Item) else 0
        if size >= BATCH_BYTES // 2 or len(group) >= PREPARED_FILES:
            yield group
            group, size = [], 0
    if group:
        yield group


class _NoFormat(LogFormat):
    name = "(none)"
    whole_file = True  # never batched


_NOFMT = _NoFormat()


def _ingest_batch(con: duckdb.DuckDBPyConnection, items: list[_Item], run_id: int) -> list[FileResult]:
    """Ingest several small JSONL files of one format with one SELECT: the same rows, quarantine, dedupe
    (an earlier file's copy of a call wins, as file by file) and `files` rows as _ingest_file gives."""
    import numpy as np
    import pyarrow as pa

    from finops.arrow import int64_values
    from finops.ingest._base import _line_table

    fmt = items[0].fmt
    results = [FileResult(str(it.path), "ingested", fmt.name) for it in items]
    con.execute("begin transaction")
    try:
        con.execute(_staged_ddl())
        tables = []
        bad: list[Any] = []
        if type(fmt).read is LogFormat.read and all(it.data is not None for it in items):
            # plain JSONL read once: all files' lines split by one call, numbered per file
            parts, counts = [], []
            for it in items:
                data = it.data or b""
                if data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                if not data.endswith(b"\n"):
                    cut = data.rfind(b"\n") + 1
                    data = data + b"\n" if data[cut:].strip() else data[:cut]
                parts.append(data)
                counts.append(data.count(b"\n"))
                it.data = None  # the joined copy below is the only one kept
            if sum(counts):
                joined = b"".join(parts)
                parts.clear()
                t = _line_table(joined, 1)
                del joined
                n = np.asarray(counts, dtype=np.int64)
                first = np.repeat(np.cumsum(n) - n, n)
                file_no = np.repeat(np.arange(len(items), dtype=np.int64), n)
                line = (file_no << FILE_SHIFT) | (np.arange(t.num_rows, dtype=np.int64) - first + 1)
                bad_rows = _bad_utf8_rows(t)
                t = t.set_column(0, "line", int64_array(line))
                if bad_rows is not None:
                    at = int64_array(line[int64_values(bad_rows.column("line")) - 1])
                    bad.append(bad_rows.set_column(0, "line", at))
                tables.append(t)
            for i, c in enumerate(counts):
                results[i].records += c
        else:
            for i, it in enumerate(items):
                for chunk in fmt.read(it.path, it.container):
                    results[i].records += chunk.num_rows
                    line = int64_array(int64_values(chunk.column("line")) + (i << FILE_SHIFT))
                    if (bad_rows := _bad_utf8_rows(chunk)) is not None:
                        at = int64_array(int64_values(bad_rows.column("line")) + (i << FILE_SHIFT))
                        bad.append(bad_rows.set_column(0, "line", at))
                    tables.append(chunk.set_column(0, "line", line).replace_schema_metadata(None))
        if tables:
            con.register("recs", pa.concat_tables(tables))
            _stage(con, fmt.sql())
            con.unregister("recs")
            tables.clear()  # the lines are staged: their text is not needed while the batch is stored
        _reject_bad_utf8(con, bad)
        _batch_files(con, [(it.path, it.fallback, it.fallback_source) for it in items])
        _finish_batch(con, results, fmt.name, run_id)
        _insert_files(con, [(it.digest, it.size) for it in items], results, fmt.name, run_id)
        con.execute("commit")
    except BaseException:  # Ctrl-C too: the store is left as it was before this file (or segment)
        con.execute("rollback")
        raise
    return results


def _insert_files(
    con: duckdb.DuckDBPyConnection, files: list[tuple[str, int]], results: list[FileResult], fmt_name: str, run_id: int
) -> None:
    """The `files` rows of ingested files: (sha256, size) of each, with its result."""
    now = datetime.now(UTC)
    rows = [
        (digest, r.path, size, fmt_name, run_id, r.records, r.calls, r.duplicates, r.quarantined, r.skipped,
         r.ts_note, now)
        for (digest, size), r in zip(files, results, strict=True)
    ]  # fmt: skip
    db.insert_rows(con, "files", rows)


TAGS_MAP = """try(json_transform(tags_json, '"MAP(VARCHAR, VARCHAR)"'))"""


def _batch_files(con: duckdb.DuckDBPyConnection, files: list[tuple[Path, datetime, str]]) -> None:
    """The temp table `batch_files(file_no, path, fallback, fallback_source)` of the files being staged
    (staged.line >> FILE_SHIFT is the file number)."""
    con.execute(
        """create or replace temp table batch_files as
           select cast(unnest(range(len($path))) as bigint) as file_no, unnest($path::varchar[]) as path,
                  unnest($fallback::timestamptz[]) as fallback, unnest($source::varchar[]) as fallback_source""",
        {"path": [str(f[0]) for f in files], "fallback": [f[1] for f in files], "source": [f[2] for f in files]},
    )


NEGATIVE = " or ".join(f"{c} < 0" for c in TOKEN_COLUMNS)


def _checked(select: str) -> str:
    """A format's SELECT with the rules every call obeys: a record read as a call (status ok) with a negative
    token count or no model id is rejected (a negative count is reported before a missing model id; its
    text is not kept by the format's SELECT, so it is quarantined as '(record)'). Applied as the rows are
    staged: an UPDATE of the staged rows afterwards cost a scan of them (10M calls: 3 CPU-s)."""
    negatives = ", ".join(f"case when {c} < 0 then '{c}=' || {c} end" for c in TOKEN_COLUMNS)
    return f"""select * exclude (_bad) replace (
               case when _bad then 'reject' else status end as status,
               case when not _bad then reason
                    when {NEGATIVE} then 'negative token count: ' || concat_ws(', ', {negatives})
                    else 'no model id' end as reason,
               case when _bad then coalesce(raw, '(record)') else raw end as raw)
        from (select *, coalesce(status = 'ok' and (({NEGATIVE}) or model_raw is null or trim(model_raw) = ''), false)
                           as _bad
              from ({select}))"""


def _finish_batch(con: duckdb.DuckDBPyConnection, results: list[FileResult], fmt_name: str, run_id: int) -> None:
    """Validate the staged rows of one or more files, quarantine rejects, insert each new call once (the
    first file's copy of a call wins; within a file the largest `pref`, then the last line, then the
    smallest hash of the staged row), count.

    The last key orders copies by their content: several records of one line (the spans of an OTLP batch,
    a Langfuse batch's events) share the line number, and without it DuckDB keeps whichever copy it reads
    first, so the stored row would depend on the order inside the line. (A 64-bit hash of every staged
    column: two different copies tie with odds of 2^-64. Not the row's text, which costs Claude Code's many
    duplicates some 15% more memory.)"""
    mask = (1 << FILE_SHIFT) - 1
    con.execute(
        f"""insert into quarantine
        select $run_id, f.path, s.line & {mask}, $format, s.reason, left(s.raw, 65536)
        from staged s join batch_files f on f.file_no = s.line >> {FILE_SHIFT}
        where s.status = 'reject'""",
        {"run_id": run_id, "format": fmt_name},
    )
    # Keys seen more than once are rare: only their rows go through the window; the rest go straight in.
    # Model ids are normalised once per distinct logged id (the regexps cost more than the join).
    con.execute(
        "create or replace temp table dup_keys as "
        "select dedupe_key from staged where status = 'ok' group by all having count(*) > 1"
    )
    con.execute(
        f"create or replace temp table model_ids as select model_raw, {normalise_model_sql('model_raw')} as model "
        "from (select distinct model_raw from staged where status = 'ok')"
    )
    con.execute(
        "create or replace temp table tag_maps as "
        f"select tags_json, {clean_map_sql(TAGS_MAP)} as tags "
        "from (select distinct tags_json from staged where status = 'ok' and tags_json is not null)"
    )
    # The copy kept of each repeated key. Most formats give one record per line (Claude Code: every copy of
    # a message is its own line, and most messages have several), so the line number names the copy: an
    # aggregate over (key, line, pref) picks it and a join fetches its row, about 2.5x cheaper than a window
    # that sorts whole rows (which must also hash every column to order copies sharing a line). The window
    # stays for the rare batch where a line holds several copies of one key (OTLP batches, Langfuse).
    shared_lines = con.execute(
        "select 1 from staged semi join dup_keys using (dedupe_key) where status = 'ok' "
        "group by dedupe_key, line having count(*) > 1 limit 1"
    ).fetchall()
    if shared_lines:
        kept = f"""
                select * from staged semi join dup_keys using (dedupe_key) where status = 'ok'
                qualify row_number() over (partition by dedupe_key
                                           order by line >> {FILE_SHIFT}, pref desc nulls last, line desc,
                                                    hash(staged)) = 1"""
    else:  # the same order: first file, largest pref (NULL last), last line
        kept = f"""
                select * from staged s semi join (
                    select dedupe_key,
                           arg_max(line, (-(line >> {FILE_SHIFT}), pref is not null, coalesce(pref, 0), line)) as line
                    from staged semi join dup_keys using (dedupe_key) where status = 'ok'
                    group by dedupe_key
                ) k on k.dedupe_key = s.dedupe_key and k.line = s.line
                where s.status = 'ok'"""
    # the keys already in the store (usually none): candidates by hash (RUN_KEYS), then checked on the keys
    con.execute(
        "create or replace temp table key_candidates as select distinct s.dedupe_key from staged s "
        f"semi join {RUN_KEYS} k on k.h = hash(s.dedupe_key) where s.status = 'ok'"
    )
    stored = bool(con.execute("select 1 from key_candidates limit 1").fetchall())
    if stored:
        con.execute(
            "create or replace temp table known_keys as select c.dedupe_key from key_candidates c "
            "semi join usage u on u.dedupe_key = c.dedupe_key"
        )
    repeated = bool(con.execute("select 1 from dup_keys limit 1").fetchall())
    # DuckDB's build-side flip hashes the ~million staged rows (with every column) instead of the few
    # model ids and tag objects: 40% of this statement's CPU. Off for this statement only.
    con.execute("set disabled_optimizers = 'build_side_probe_side'")
    try:
        con.execute(
            f"""
            insert into usage
            select s.dedupe_key, s.record_kind, s.request_count,
                   coalesce(s.ts, f.fallback),
                   case when s.ts is null then f.fallback_source else s.ts_source end,
                   s.provider, s.platform, s.model_raw, m.model,
                   s.input_uncached, s.cache_read, s.cache_write_5m, s.cache_write_1h, s.output, s.reasoning,
                   s.web_searches, s.service_tier, s.region, coalesce(s.tags, t.tags), s.reported_cost, s.request_id,
                   f.path, s.line & {mask}, $format, $run_id, s.extra, s.audio_in, s.audio_out
            from (
                select * from staged anti join dup_keys using (dedupe_key) where status = 'ok'
                union all {kept}
            ) s
            join batch_files f on f.file_no = s.line >> {FILE_SHIFT}
            join model_ids m on m.model_raw = s.model_raw
            left join tag_maps t on t.tags_json = s.tags_json
            {"anti join known_keys k on k.dedupe_key = s.dedupe_key" if stored else ""}
            """,
            {"format": fmt_name, "run_id": run_id},
        )
    finally:
        # an aborted transaction refuses the reset: the insert's own error is the one to raise (the setting
        # then lasts for this connection: a plan choice, never a result)
        with contextlib.suppress(duckdb.Error):
            con.execute("reset disabled_optimizers")
    con.execute(f"insert into {RUN_KEYS} select hash(dedupe_key) from staged where status = 'ok'")
    for file_no, status, reason, n, untimed in con.execute(
        f"""select line >> {FILE_SHIFT}, status, reason, count(*), count(*) filter (where ts is null)
            from staged group by all order by all"""
    ).fetchall():
        res = results[file_no]
        if status == "ok":
            res.ok += n
            if not (stored or repeated):  # every call was stored: no need to count them in the store
                res.calls += n
                res.untimed += untimed
        elif status == "skip":
            res.skipped += n
            res.skip_reasons[reason] = res.skip_reasons.get(reason, 0) + n
        else:
            res.quarantined += n
            res.reject_reasons[reason] = res.reject_reasons.get(reason, 0) + n
    if stored or repeated:  # the calls this run stored from each file (a large file's earlier segments too)
        by_path = {r.path: i for i, r in enumerate(results)}
        for path, calls, untimed in con.execute(
            """select u.source_file, count(*), count(*) filter (where u.ts_source = f.fallback_source)
               from usage u join batch_files f on f.path = u.source_file
               where u.run_id = ? group by 1""",
            [run_id],
        ).fetchall():
            res = results[by_path[path]]
            res.calls, res.untimed = calls, untimed
    for i, fallback, source in con.execute("select file_no, fallback, fallback_source from batch_files").fetchall():
        res = results[i]
        if res.untimed:
            res.ts_note = (
                f"{res.untimed} call(s) carry no call time: used the "
                + ("time given by --assume-time" if source == "assumed" else "file's modification time")
                + f" {fallback:%Y-%m-%dT%H:%M:%SZ}"
            )
    for res in results:
        res.duplicates = res.ok - res.calls
