"""Ingest: detect each file's format, normalise its records in DuckDB, store them once.

One module per format registers itself with @register. `ingest()` walks files and directories
(recursively, .gz/.bz2/.zst too), skips unchanged files (sha256), and lands each file's rows, its
quarantined records and its `files` row in one transaction.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from finops import __version__
from finops.errors import UsageError
from finops.ingest._base import STAGED_COLUMNS, Container, LogFormat, inspect

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

SUFFIXES = (".json", ".jsonl", ".ndjson", ".log", ".txt", ".csv", ".parquet", ".db")
COMPRESSED = (".gz", ".bz2", ".zst", ".zstd")


def detect(sample: list[dict[str, Any]], kind: str = "jsonl", formats: dict[str, LogFormat] | None = None) -> list[str]:
    """Names of every format that reads this container kind and whose sniff accepts these first
    records, in priority order. `generic` (a user's column mapping) only when nothing else matches."""
    fmts = sorted((formats or FORMATS).values(), key=lambda f: (f.priority, f.name))
    names = [f.name for f in fmts if kind in f.containers and sample and f.sniff(sample)]
    return [n for n in names if n != "generic"] or names


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


@dataclass
class IngestResult:
    run_id: int
    files: list[FileResult] = field(default_factory=list)

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

BEDROCK_VENDORS = "anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|writer|qwen|twelvelabs"
GATEWAY_PREFIXES = "openai|anthropic|google|google-vertex|vertex_ai|gemini|azure|bedrock"


def normalise_model_sql(col: str) -> str:
    """SQL: a logged model id → the normalised id prices are looked up by.

    lowercase; Bedrock ARNs cut to the model/profile id; `models/` (Gemini) and `vendor/` (gateways)
    prefixes dropped; Bedrock `us.anthropic.…-v1:0` → `…`; Vertex `model@date` → `model-date`.
    """
    x = f"lower(trim({col}))"
    x = f"regexp_replace({x}, '^arn:.*/', '')"
    x = f"regexp_replace({x}, '^models/', '')"
    x = f"regexp_replace({x}, '^({GATEWAY_PREFIXES})/', '')"
    x = (
        f"regexp_replace({x}, '^((us|eu|apac|global|us-gov|jp|au)\\.)?({BEDROCK_VENDORS})\\.(.+?)"
        f"(-v[0-9]+(:[0-9]+)?)?$', '\\4')"
    )
    return f"replace({x}, '@', '-')"


def _staged_ddl() -> str:
    cols = ", ".join(f"{k} {v}" for k, v in STAGED_COLUMNS.items())
    return f"create or replace temp table staged ({cols})"


def _next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("select coalesce(max(run_id), 0) + 1 from ingest_runs").fetchone()
    return int(row[0]) if row else 1


def _run_format(con: duckdb.DuckDBPyConnection, fmt: LogFormat, path: Path, container: Container) -> int:
    """Stage every record of the file; returns the number of records read."""
    con.execute(_staged_ddl())
    select = fmt.sql()
    n = 0
    if fmt.whole_file:
        con.execute("create or replace temp table recs (line bigint, raw varchar)")
        first = True
        for chunk in fmt.read(path, container):
            n += chunk.num_rows
            con.register("chunk_view", chunk)
            if first and chunk.column_names != ["line", "raw"]:  # tabular: the file's own columns
                con.execute("create or replace temp table recs as select * from chunk_view")
            else:
                con.execute("insert into recs by name select * from chunk_view")
            first = False
            con.unregister("chunk_view")
        con.execute(f"insert into staged {select}")
        con.execute("drop table recs")
    else:
        for chunk in fmt.read(path, container):
            n += chunk.num_rows
            con.register("recs", chunk)
            con.execute(f"insert into staged {select}")
            con.unregister("recs")
    return n


def _finish_file(
    con: duckdb.DuckDBPyConnection,
    res: FileResult,
    path: Path,
    run_id: int,
    fallback: datetime,
    fallback_source: str,
) -> None:
    """Validate staged rows, quarantine rejects, insert new calls once, record counts."""
    neg = " or ".join(
        f"{c} < 0"
        for c in (
            "input_uncached",
            "cache_read",
            "cache_write_5m",
            "cache_write_1h",
            "output",
            "reasoning",
            "web_searches",
        )
    )
    # one statement for both checks: a negative count is reported before a missing model id
    con.execute(f"""
        update staged set status = 'reject', raw = coalesce(raw, '(record)'),
            reason = case when {neg} then 'negative token count: ' || concat_ws(', ',
                case when input_uncached < 0 then 'input_uncached=' || input_uncached end,
                case when cache_read < 0 then 'cache_read=' || cache_read end,
                case when cache_write_5m < 0 then 'cache_write_5m=' || cache_write_5m end,
                case when cache_write_1h < 0 then 'cache_write_1h=' || cache_write_1h end,
                case when output < 0 then 'output=' || output end,
                case when reasoning < 0 then 'reasoning=' || reasoning end,
                case when web_searches < 0 then 'web_searches=' || web_searches end)
                else 'no model id' end
        where status = 'ok' and (({neg}) or model_raw is null or trim(model_raw) = '')""")
    src = str(path)
    con.execute(
        "insert into quarantine select ?, ?, line, ?, reason, left(raw, 65536) from staged where status = 'reject'",
        [run_id, src, res.format],
    )
    inserted = con.execute(
        f"""
        insert into usage
        select s.dedupe_key, s.record_kind, s.request_count,
               coalesce(s.ts, cast($fallback as timestamptz)),
               case when s.ts is null then $fallback_source else s.ts_source end,
               s.provider, s.platform, s.model_raw, {normalise_model_sql("s.model_raw")},
               s.input_uncached, s.cache_read, s.cache_write_5m, s.cache_write_1h, s.output, s.reasoning,
               s.web_searches, s.service_tier, s.region, s.tags, s.reported_cost, s.request_id,
               $src, s.line, $format, $run_id, s.extra
        from (
            select * from staged where status = 'ok'
            qualify row_number() over (partition by dedupe_key order by pref desc nulls last, line desc) = 1
        ) s
        anti join usage u on u.dedupe_key = s.dedupe_key
        """,
        {"fallback": fallback, "fallback_source": fallback_source, "src": src, "format": res.format, "run_id": run_id},
    ).fetchone()
    res.calls = int(inserted[0]) if inserted else 0
    counts = con.execute("select status, reason, count(*) from staged group by all order by all").fetchall()
    ok = 0
    for status, reason, n in counts:
        if status == "ok":
            ok += n
        elif status == "skip":
            res.skipped += n
            res.skip_reasons[reason] = res.skip_reasons.get(reason, 0) + n
        else:
            res.quarantined += n
            res.reject_reasons[reason] = res.reject_reasons.get(reason, 0) + n
    res.duplicates = ok - res.calls
    untimed_row = con.execute(
        "select count(*) from usage where run_id = ? and source_file = ? and ts_source = ?",
        [run_id, src, fallback_source],
    ).fetchone()
    untimed = int(untimed_row[0]) if untimed_row else 0
    if untimed:
        res.ts_note = (
            f"{untimed} call(s) carry no call time: used the "
            + ("time given by --assume-time" if fallback_source == "assumed" else "file's modification time")
            + f" {fallback:%Y-%m-%dT%H:%M:%SZ}"
        )


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
    for path in files:
        res = _ingest_file(con, path, run_id, format_name, assume_time, formats)
        result.files.append(res)
        if progress:
            progress(res)
    con.execute("update ingest_runs set finished_at = now() where run_id = ?", [run_id])
    return result


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    run_id: int,
    format_name: str | None,
    assume_time: datetime | None,
    formats: dict[str, LogFormat] | None = None,
) -> FileResult:
    formats = formats or FORMATS
    res = FileResult(str(path), "skipped")
    digest = sha256(path)
    seen = con.execute("select path, run_id from files where sha256 = ?", [digest]).fetchone()
    if seen:
        res.status = "unchanged"
        res.note = f"unchanged since run {seen[1]}" + ("" if seen[0] == str(path) else f" (as {seen[0]})")
        return res
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
        names = detect(container.sample, container.kind, formats)
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
        res.records = _run_format(con, fmt, path, container)
        _finish_file(con, res, path, run_id, fallback, fallback_source)
        con.execute(
            "insert into files values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
            [
                digest,
                str(path),
                path.stat().st_size,
                fmt.name,
                run_id,
                res.records,
                res.calls,
                res.duplicates,
                res.quarantined,
                res.skipped,
                res.ts_note,
            ],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    res.status = "ingested"
    return res


def reason_totals(result: IngestResult, kind: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for f in result.files:
        c.update(f.reject_reasons if kind == "reject" else f.skip_reasons)
    return c
