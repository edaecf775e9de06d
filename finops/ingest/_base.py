"""What every log format shares: reading records, the canonical staged columns, SQL helpers.

A format module turns a relation `recs(line BIGINT, raw VARCHAR)` (one JSON record per row, with the
line or element number it came from) into canonical rows with one SQL SELECT. Python never loops over
records on the hot path: JSONL is cut into large chunks, split into lines by pyarrow, parsed by DuckDB.
"""

from __future__ import annotations

import bz2
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, cast

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from finops.arrow import int64_array, string_array, table_of

CHUNK_BYTES = 64 << 20
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zst", ".zstd")
SNIFF_RECORDS = 40  # records a format may need to see to be recognised
SNIFF_FIRST = 8  # records tried first (the rest only when these match no format, or several)

# The columns every format's SELECT returns (order matters), with their SQL types.
STAGED_COLUMNS: dict[str, str] = {
    "status": "varchar",  # ok | reject | skip
    "reason": "varchar",
    "line": "bigint",
    "raw": "varchar",  # kept only for rejected records
    "dedupe_key": "varchar",
    "pref": "bigint",  # among duplicates of one key the largest pref wins (then the last line)
    "record_kind": "varchar",
    "request_count": "bigint",
    "ts": "timestamptz",
    "ts_source": "varchar",
    "provider": "varchar",
    "platform": "varchar",
    "model_raw": "varchar",
    "input_uncached": "bigint",
    "cache_read": "bigint",
    "cache_write_5m": "bigint",
    "cache_write_1h": "bigint",
    "output": "bigint",
    "reasoning": "bigint",
    "web_searches": "bigint",
    "audio_in": "bigint",  # uncached audio prompt tokens, NOT in input_uncached (migration 0006)
    "audio_out": "bigint",  # audio output tokens, NOT in output
    "service_tier": "varchar",
    "region": "varchar",
    "tags": "map(varchar, varchar)",
    # or the tags as a JSON object, made a MAP once per distinct object when stored (building a MAP per
    # record costs more than parsing it)
    "tags_json": "json",
    "reported_cost": "decimal(38, 12)",
    "request_id": "varchar",
    "extra": "json",  # the record's other fields, message content removed (see strip_content_sql)
}
TOKEN_COLUMNS = (
    "input_uncached",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "reasoning",
    "web_searches",
    "audio_in",
    "audio_out",
)


@dataclass
class LogFormat:
    """A log format: how to recognise it and the SQL that normalises its records.

    Subclasses set the class attributes and implement `sniff` and `sql`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    identifies: ClassVar[str]  # what in the data identifies it (shown by `aispend formats`)
    example: ClassVar[str] = "aispend ingest logs/"
    whole_file: ClassVar[bool] = False  # the SQL needs every record of the file at once (windows)
    has_time: ClassVar[bool] = True  # records carry their own call time (else envelope/assumed/mtime)
    priority: ClassVar[int] = 50  # lower sniffs first
    # containers this format reads (see inspect): JSON formats by default; tabular formats say csv/parquet
    containers: ClassVar[tuple[str, ...]] = ("jsonl", "document", "array")
    columns: ClassVar[tuple[str, ...]] = ()  # tabular formats: the source columns their SQL reads

    def with_options(self, **options: Any) -> LogFormat:
        """This format configured by command-line options (e.g. generic's --mapping); default: itself."""
        return self

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        raise NotImplementedError

    def sql(self) -> str:
        """A SELECT over `recs(line, raw)` returning STAGED_COLUMNS in order."""
        raise NotImplementedError

    def read(self, path: Path, container: Container) -> Iterator[pa.Table]:
        """(line, raw) tables for this file. Override to unwrap containers (e.g. CloudWatch exports).

        Tabular containers (csv, parquet) give (line, _bad, _raw, <the declared columns>) instead."""
        return read_all(path, container, self.columns)


# ---------------------------------------------------------------- reading files


def open_bytes(path: Path) -> IO[bytes]:
    """Open a file, transparently decompressing .gz, .bz2 and .zst."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    if name.endswith(".bz2"):
        return cast(IO[bytes], bz2.open(path, "rb"))
    if name.endswith(".zst") or name.endswith(".zstd"):
        import zstandard

        return cast(IO[bytes], zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True))
    return open(path, "rb")


def head_bytes(path: Path, n: int = 1 << 20) -> bytes:
    with open_bytes(path) as f:
        data = f.read(n)
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


@dataclass
class Container:
    kind: str  # jsonl | timestamped (CloudWatch export) | document | array | csv | parquet | sqlite | empty | other
    sample: list[dict[str, Any]] = field(default_factory=list)  # first records, parsed (for sniffing)
    document: Any = None  # the parsed document, for kind == document
    columns: list[str] = field(default_factory=list)  # csv / parquet: the header
    delimiter: str | None = None  # csv
    more: list[bytes] = field(default_factory=list)  # jsonl: further raw lines, parsed only if sniffing needs them
    sse: bool = False  # jsonl: a captured server-sent-event stream (`data: {...}` lines), see sse_payloads
    # a running sha256 of the file's bytes, fed by jsonl_chunks as it reads them in order (see
    # _ingest_file: a large new file is hashed while it is parsed, not read twice), and the bytes fed
    hash: Any = None
    hashed: int = 0

    def widen(self) -> bool:
        """Parse the further lines into the sample (up to SNIFF_RECORDS records); False if there were none."""
        if not self.more:
            return False
        self.sample.extend(parse_lines(self.more))
        self.more = []
        return True


def parse_lines(lines: list[bytes] | list[str]) -> list[dict[str, Any]]:
    """The JSON objects among these lines (others skipped: sniffing only)."""
    out = []
    for raw in lines:
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if isinstance(rec, dict):
            out.append(rec)
    return out


_NON_BLANK = re.compile(rb"\S")  # what bytes.isspace() does not accept (ASCII whitespace)
ARRAY_STREAM_BYTES = 1 << 20  # a top-level JSON array at least this large is streamed by DuckDB


def inspect(path: Path, data: bytes | None = None) -> Container:
    """Decide whether a file is JSON lines, one JSON document, a large JSON array (streamed), CSV (header
    sniffed), Parquet, SQLite, empty, or something else."""
    from finops.ingest import _tabular

    if data is None:
        head = head_bytes(path)
    else:  # the file's bytes, already read (uncompressed)
        head = data[3 : 3 + (1 << 20)] if data.startswith(b"\xef\xbb\xbf") else data[: 1 << 20]
    text = head.lstrip()
    if not text:
        return Container("empty")
    binary = _tabular.binary_kind(head)
    if binary == "parquet" and not path.name.lower().endswith(COMPRESSED_SUFFIXES):
        cols = [c for c, _ in _tabular.parquet_columns(path)]
        return Container("parquet", _tabular.parquet_sample(path), columns=cols)
    if binary == "sqlite" and not path.name.lower().endswith(COMPRESSED_SUFFIXES):
        return Container("sqlite", _tabular.sqlite_tables_of(path))
    if SSE_FIRST.match(text):
        lines = head.split(b"\n", SNIFF_RECORDS * 2 + 1)[: SNIFF_RECORDS * 2]
        sample = parse_lines([x[5:] for x in lines if x.startswith(b"data:")])
        return Container("jsonl", sample, sse=True) if sample else Container("other")
    if TIMESTAMPED_LINE.match(text):
        lines = head.split(b"\n", SNIFF_RECORDS + 1)[:SNIFF_RECORDS]
        sample = parse_lines([TIMESTAMPED_LINE.sub(b"", x, count=1) for x in lines])
        return Container("timestamped", sample) if sample else Container("other")
    if text[:1] not in (b"{", b"["):
        found = _tabular.csv_header(head)
        if found is None:
            return Container("other")
        header, delim, rows = found
        return Container("csv", rows, columns=header, delimiter=delim)
    # the first SNIFF_RECORDS + 1 lines, split off without copying the rest of the head (`split` with a
    # maxsplit copies it into its last piece: 0.13 ms a file, more than parsing a line)
    cut = -1
    for _ in range(SNIFF_RECORDS + 1):
        cut = head.find(b"\n", cut + 1)
        if cut < 0:
            break
    lines = head.split(b"\n") if cut < 0 else head[:cut].split(b"\n")
    if len(lines) > 1 or len(head) < (1 << 20):
        first = lines[0].strip()
        try:
            obj = json.loads(first) if first else None
        except ValueError:
            obj = None
        if (
            isinstance(obj, dict)
            and len(lines) > 1
            and (
                any(x and not x.isspace() for x in lines[1:])
                or (cut >= 0 and _NON_BLANK.search(head, cut + 1) is not None)  # text after those lines
            )
        ):
            # a few records first: most files are recognised by them (parsing 40 lines of each of thousands
            # of small files, e.g. a Claude Code tree, costs more than reading their records)
            head_lines = lines[: SNIFF_RECORDS + 1]
            sample = [obj, *parse_lines(head_lines[1:SNIFF_FIRST])]  # the first line is parsed already
            return Container("jsonl", sample, more=head_lines[SNIFF_FIRST:])
    if text[:1] == b"[" and len(head) >= ARRAY_STREAM_BYTES:
        big = _tabular.json_array_sample(path)  # never loads the whole array into Python objects
        if big is not None:
            return Container("array", big)
    try:
        with open_bytes(path) as f:
            data = f.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        doc = json.loads(data)
    except ValueError:
        values = json_values(data) if data is not None else None
        if values is not None:  # objects written one after another (`jq .` output): one document of them
            return Container("document", values[:SNIFF_RECORDS], values)
        # not one document: treat as JSON lines whose bad lines will be quarantined
        sample = parse_lines(lines[: SNIFF_RECORDS + 1])
        return Container("jsonl", sample) if sample else Container("other")
    if isinstance(doc, dict):
        return Container("document", [doc], doc)
    if isinstance(doc, list):
        return Container("document", [r for r in doc[:SNIFF_RECORDS] if isinstance(r, dict)], doc)
    return Container("other")


def json_values(data: bytes) -> list[dict[str, Any]] | None:
    """Several JSON objects written one after another, pretty-printed or not (what `jq .` writes for a
    stream of records), else None. Only for files that are neither one document nor JSON lines, which
    are read whole anyway; one JSON parse per object."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            obj, i = decoder.raw_decode(text, i)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        out.append(obj)
    return out if len(out) > 1 else None


# CloudWatch Logs exported to S3 (CreateExportTask, AWS CloudWatch Logs user guide "Exporting log data to Amazon
# S3"): gzipped text objects `<prefix>/<task>/<log stream>/000000.gz`, each line `<ISO 8601 UTC time> <message>`
TIMESTAMPED_LINE = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ")


def timestamped_payloads(table: pa.Table) -> pa.Table:
    """(line, raw) of a CloudWatch export: each line's message, its leading time cut off; line numbers kept."""
    import pyarrow.compute as pc

    pattern = "^" + TIMESTAMPED_LINE.pattern.decode()
    raw = pc.replace_substring_regex(table.column("raw"), pattern, "", max_replacements=1)
    return table.set_column(1, "raw", raw).replace_schema_metadata(table.schema.metadata)


# A captured server-sent-event stream (curl of a streaming response): `event:` / `data:` / `id:` / `:` lines
SSE_FIRST = re.compile(rb"(event|data|id|retry):|:")


def sse_payloads(table: pa.Table) -> pa.Table:
    """(line, raw) of an SSE capture → the JSON payload of each `data:` line; every other line (event
    names, ids, comments, the blank line ending each event, `data: [DONE]`) becomes blank, skipped as
    such. Line numbers stay those of the file."""
    import pyarrow.compute as pc

    raw = table.column("raw")
    payload = pc.utf8_trim_whitespace(pc.utf8_slice_codeunits(raw, 5))
    keep = pc.and_(pc.starts_with(raw, "data:"), pc.not_equal(payload, "[DONE]"))
    return table.set_column(1, "raw", pc.if_else(keep, payload, "")).replace_schema_metadata(table.schema.metadata)


BAD_UTF8_KEY = b"aispend.bad_utf8"  # schema metadata of a (line, raw) table: its lines that are not UTF-8


_LINE_READ = pacsv.ReadOptions(column_names=["raw"], block_size=4 << 20)
_LINE_PARSE = pacsv.ParseOptions(
    delimiter="\x01", quote_char=False, escape_char=False, newlines_in_values=False, ignore_empty_lines=False
)
# bytes, not text: the UTF-8 check is made once on the whole column (a bad line is quarantined, not fatal)
_LINE_CONVERT = pacsv.ConvertOptions(column_types={"raw": pa.binary()}, strings_can_be_null=False)


def _newline_split(chunk: bytes | memoryview) -> pa.Array:
    """The lines of a block that ends with a newline, split at \n only (a CRLF's \r dropped; any other
    byte kept, a lone \r or a \x01 too), as a binary array over the block's bytes minus the line ends.

    For the blocks the CSV splitter cannot take (it also ends lines at a lone \r, and \x01 is its
    delimiter); a vectorised pass, no Python loop per line."""
    arr = np.frombuffer(chunk, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    ends = nl.copy()
    crlf = ends > 0
    crlf[crlf] = arr[ends[crlf] - 1] == 13
    ends[crlf] -= 1  # the line's text stops before the \r of its CRLF
    keep = np.ones(len(arr), dtype=bool)
    keep[nl] = False
    keep[ends[crlf]] = False
    body = arr[keep]
    removed = np.cumsum(1 + crlf.astype(np.int64))  # line-end bytes removed up to each line's end
    offsets = np.empty(len(nl) + 1, dtype=np.int32)  # blocks are far below 2 GB
    offsets[0] = 0
    offsets[1:] = nl + 1 - removed
    return pa.Array.from_buffers(pa.binary(), len(nl), [None, pa.py_buffer(offsets), pa.py_buffer(body)])


def _line_table(chunk: bytes | memoryview, first_line: int, plain: bool | None = None) -> pa.Table:
    """(line, raw) for a block of whole lines (line numbers from first_line), split by Arrow's CSV reader
    with a delimiter and quote that never occur (so one column holds each whole line).

    plain: the block has no \r and no \x01 (None: look). Otherwise it is split by _newline_split: the CSV
    reader would also end a line at a lone \r (shifting every line number after it) and fail on a line
    holding \x01, its delimiter (such lines are not JSON: they are quarantined, not fatal).

    A line that is not valid UTF-8 keeps its text with its bad bytes escaped (\\xNN), and its number is
    listed in the table's schema metadata (bad_utf8_lines) so the ingest quarantines it.
    """
    if plain is None:
        block = chunk if isinstance(chunk, bytes) else bytes(chunk)
        plain = block.find(b"\r") < 0 and block.find(b"\x01") < 0
    if plain:
        t = pacsv.read_csv(
            pa.BufferReader(chunk), read_options=_LINE_READ, parse_options=_LINE_PARSE, convert_options=_LINE_CONVERT
        )
        col = t.column("raw")
    else:
        col = pa.chunked_array([_newline_split(chunk)])
    n = len(col)
    bad: list[int] = []
    try:
        raw = col.cast(pa.string())
    except pa.ArrowInvalid:
        raw, bad = _escape_bad_utf8(col, first_line)
    out = table_of({"line": int64_array(np.arange(first_line, first_line + n, dtype=np.int64)), "raw": raw})
    if bad:
        out = out.replace_schema_metadata({BAD_UTF8_KEY: ",".join(map(str, bad)).encode()})
    return out


def _escape_bad_utf8(col: pa.ChunkedArray, first_line: int) -> tuple[pa.Array, list[int]]:
    """The slow path for a block with invalid UTF-8 (a Python loop, only then): every line decoded, bad
    bytes escaped; the numbers of the lines that had any."""
    texts, bad = [], []
    for i, b in enumerate(col.to_pylist()):
        try:
            texts.append(b.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(b.decode("utf-8", "backslashreplace"))
            bad.append(first_line + i)
    return pa.array(texts, type=pa.string()), bad


def bad_utf8_lines(table: pa.Table) -> list[int]:
    """The line numbers _line_table found not valid UTF-8 (an empty list for most tables)."""
    meta = table.schema.metadata or {}
    text = meta.get(BAD_UTF8_KEY)
    return [int(x) for x in text.decode().split(",")] if text else []


def jsonl_chunks(path: Path, chunk_bytes: int | None = None, container: Container | None = None) -> Iterator[pa.Table]:
    """(line, raw) tables of about chunk_bytes each; line numbers are 1-based and exact.

    A last line without a newline joins the table before it (one table, one SQL statement, for a
    small file that does not end with a newline). With a container whose `hash` is set, every byte read
    (of an uncompressed file) goes into that hash too: it runs in the reading thread, beside the SQL."""
    hasher = container.hash if container is not None and not path.name.lower().endswith(COMPRESSED_SUFFIXES) else None
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    next_line = 1
    rest = b""
    first = True
    pending: pa.Table | None = None
    # One buffer for the whole file: the tables made from a block copy its bytes, so the next block can be
    # read into the same memory. A new 64 MB buffer per block cost its page faults every time (the kernel
    # zeroes each fresh page): 1M calls, about 130,000 faults and 0.3 s of system time.
    buf = bytearray(chunk_bytes)
    with open_bytes(path) as f:
        while True:
            # the partial line left over, then the next block read straight after it (no copy of the block)
            if len(buf) < len(rest) + chunk_bytes:
                buf = bytearray(len(rest) + chunk_bytes)
            buf[: len(rest)] = rest
            got = f.readinto(memoryview(buf)[len(rest) : len(rest) + chunk_bytes])  # type: ignore[attr-defined]
            if not got:
                break
            if hasher is not None:
                hasher.update(memoryview(buf)[len(rest) : len(rest) + got])  # releases the GIL
                container.hashed += got  # type: ignore[union-attr]
            start, end = 0, len(rest) + got
            if first:
                first = False
                if buf.startswith(b"\xef\xbb\xbf"):
                    start = 3
            cut = buf.rfind(b"\n", start, end)
            if cut < 0:
                rest = bytes(buf[start:end])
                continue
            rest = bytes(buf[cut + 1 : end])
            # memchr-fast checks on the buffer itself (no copy of the block)
            plain = buf.find(b"\r", start, cut) < 0 and buf.find(b"\x01", start, cut) < 0
            t = _line_table(memoryview(buf)[start : cut + 1], next_line, plain)
            next_line += t.num_rows
            if pending is not None:
                yield pending
            pending = t
    if rest.strip():
        tail = _line_table(rest + b"\n", next_line)
        pending = tail if pending is None else pa.concat_tables([pending, tail])
    if pending is not None:
        yield pending


def document_records(doc: Any) -> pa.Table:
    """(line, raw) for a parsed JSON document: an array gives one record per element (line = index + 1)."""
    items = doc if isinstance(doc, list) else [doc]
    raws = [json.dumps(x, separators=(",", ":")) for x in items]
    return table_of({"line": int64_array(np.arange(1, len(raws) + 1, dtype=np.int64)), "raw": string_array(raws)})


def read_all(path: Path, container: Container, columns: tuple[str, ...] | None = None) -> Iterator[pa.Table]:
    from finops.ingest import _tabular

    if container.kind == "document":
        yield document_records(container.document)
    elif container.kind == "array":
        yield from _tabular.json_array_chunks(path)
    elif container.kind == "csv":
        yield from _tabular.csv_tables(path, container, columns or None)
    elif container.kind == "parquet":
        yield from _tabular.parquet_tables(path, columns or None)
    elif container.kind == "timestamped":
        for table in jsonl_chunks(path, container=container):
            yield timestamped_payloads(table)
    elif container.sse:
        for table in jsonl_chunks(path, container=container):
            yield sse_payloads(table)
    else:
        yield from jsonl_chunks(path, container=container)


# ---------------------------------------------------------------- SQL helpers shared by formats

# Keys that application logs commonly wrap a provider response body in, and keep the time beside.
ENVELOPE_BODY_KEYS = ("response", "body", "data")
ENVELOPE_TIME_KEYS = ("timestamp", "created_at", "ts", "time")
ENVELOPE_STRUCT = json.dumps(
    {
        **{k: "JSON" for k in ENVELOPE_BODY_KEYS},
        **{k: "VARCHAR" for k in ENVELOPE_TIME_KEYS},
        "tags": "JSON",
        "metadata": "JSON",
        "type": "VARCHAR",
    }
)


def parse_sql(text: str, structure: str) -> str:
    """SQL: `try(json_transform(text, structure))` (NULL when `text` is not JSON), without DuckDB's slow
    path for malformed records.

    try() evaluates a whole vector of records (2048) at once; when one of them fails, it evaluates the
    vector again record by record, several times slower (a truncated line makes its neighbours pay). A
    record that does not end with `}` (truncated lines, arrays, blank lines) is checked with json_valid
    first, so it never makes json_transform fail; the others (nearly all) are parsed once, as before.
    `text`: a column or a short expression (it is read four times); `structure`: the JSON structure.
    """
    parse = f"try(json_transform({text}, '{structure}'))"
    return f"(case when ends_with({text}, '}}') then {parse} when json_valid({text}) then {parse} end)"


def unwrap_sql(body_struct: str, source: str = "recs", bare: str | None = None) -> str:
    """SELECT line, raw, env, env_time, b, enveloped FROM source: `b` is the provider body parsed with
    `body_struct`.

    Application logs often write the body under `response`, `body` or `data` with a time and tags
    beside it; a bare body is used as it is. Malformed JSON gives b = NULL (the caller rejects it).
    `env_time` is the envelope's time text (envelope_ts_sql reads it).

    bare: a condition on `b` (the record parsed as a bare body) that only a bare body meets, e.g.
    `b.usage is not null`: such records (nearly all, in most files) skip the search for envelope keys
    in their text, a scan that costs as much as a quarter of the parse.
    """
    has_body = f"regexp_matches(raw, '\"({'|'.join(ENVELOPE_BODY_KEYS)})\"')"  # one pass over the text
    if bare is not None:
        has_body = f"not coalesce({bare}, false) and {has_body}"
    pick = ", ".join(f"case when json_type(env.{k}) = 'OBJECT' then env.{k} end" for k in ENVELOPE_BODY_KEYS)
    times = ", ".join(f"env.{k}" for k in ENVELOPE_TIME_KEYS)
    # each layer computes its columns once (see layer)
    return f"""
    select line, raw, env, env_time,
           case when body is null then b else {parse_sql("cast(body as varchar)", body_struct)} end as b,
           body is not null as enveloped
    from (
        select line, raw, b, env, coalesce({pick}) as body, coalesce({times}) as env_time
        from (
            select line, raw, b, case when {has_body} then {parse_sql("raw", ENVELOPE_STRUCT)} end as env
            from (select line, raw, {parse_sql("raw", body_struct)} as b from {source})
        )
    )
    """


def ts_sql(expr: str) -> str:
    """A VARCHAR holding RFC 3339 / ISO text or unix seconds (or ms/us/ns) → TIMESTAMPTZ (NULL if unreadable).

    `expr` is read seven times: pass a column (or a struct field), not a computed expression."""
    return f"""(case
        when {expr} is null then null
        when regexp_full_match({expr}, '\\d+(\\.\\d+)?') then
            case when try_cast({expr} as double) > 1e17 then to_timestamp(try_cast({expr} as double) / 1e9)
                 when try_cast({expr} as double) > 1e14 then to_timestamp(try_cast({expr} as double) / 1e6)
                 when try_cast({expr} as double) > 1e11 then to_timestamp(try_cast({expr} as double) / 1e3)
                 else to_timestamp(try_cast({expr} as double)) end
        else try_cast({expr} as timestamptz)
    end)"""


def envelope_ts_sql(env_time: str = "env_time") -> str:
    """The envelope's time (the `env_time` column of unwrap_sql) → TIMESTAMPTZ."""
    return ts_sql(env_time)


def tags_sql(*json_exprs: str) -> str:
    """A MAP of string tags from the first JSON object among json_exprs (envelope `tags`, `metadata`).

    json_transform gives NULL (no error) for anything but an object, so each candidate is parsed once."""
    picks = ", ".join(f"""try(json_transform({e}, '"MAP(VARCHAR, VARCHAR)"'))""" for e in json_exprs)
    return f"coalesce({picks})"


def tags_json_sql(*json_exprs: str) -> str:
    """The first JSON object among json_exprs, for the staged column `tags_json` (the same tags as
    tags_sql, made a MAP when stored, once per distinct object)."""
    picks = ", ".join(f"case when json_type({e}) = 'OBJECT' then {e} end" for e in json_exprs)
    return f"coalesce({picks})"


def tier_sql(expr: str) -> str:
    """Normalise a logged service tier: default/auto/on_demand/null → standard."""
    return f"""(case lower(coalesce({expr}, 'standard'))
        when 'default' then 'standard' when 'auto' then 'standard' when 'on_demand' then 'standard'
        when 'standard' then 'standard' when 'batch' then 'batch' when 'flex' then 'flex'
        when 'on_demand_flex' then 'flex' when 'priority' then 'priority' when 'scale' then 'scale'
        else lower({expr}) end)"""


CONTENT_KEYS = (
    "choices",
    "content",
    "messages",
    "input",
    "output",
    "candidates",
    "contents",
    "prompt",
    "text",
    "system",
    "instructions",
    "tools",
    "arguments",
)


def strip_content_sql(json_expr: str) -> str:
    """SQL: a JSON object with its top-level message-content keys removed (prompts and completions are
    never stored; reference DESIGN.md, "Safety properties of the store")."""
    patch = "{" + ",".join(f'"{k}":null' for k in CONTENT_KEYS) + "}"
    return f"json_merge_patch({json_expr}, '{patch}')"


def layer(source: str, **cols: str) -> str:
    """`SELECT *, <expr> AS <name>, … FROM (source)`: a layer of SQL that computes each expression ONCE
    per record, so that the next layer reads it by name.

    Format SQL is built by pasting Python strings together: a sub-expression written into several
    others (a model's vendor, a record's problem, …) is otherwise copied into the query every time it
    is used, and DuckDB binds, optimises and evaluates every copy. Expressions that may fail on some
    records (json_type on malformed JSON, …) must stay behind their guards: a layer evaluates its
    columns for every record.
    """
    items = ",\n           ".join(f"{expr} as {name}" for name, expr in cols.items())
    return f"select *,\n           {items}\nfrom ({source})"


NO_PREF = "cast(null as bigint) as pref"  # what staged_select writes for a format without `pref`


def has_pref(select: str) -> bool:
    """Whether a format's SELECT sets `pref` (it keeps the largest of a call's copies, so a file must be
    staged whole); staged_select writes NO_PREF otherwise."""
    return NO_PREF not in select


def staged_select(**cols: str) -> str:
    """The SELECT list in STAGED_COLUMNS order; missing columns are NULL (tokens: 0)."""
    out = []
    for name, typ in STAGED_COLUMNS.items():
        expr = cols.get(name)
        if expr is None:
            expr = "0" if name in TOKEN_COLUMNS else "null"
        out.append(f"cast({expr} as {typ}) as {name}")
    unknown = set(cols) - set(STAGED_COLUMNS)
    if unknown:
        raise ValueError(f"unknown staged columns: {sorted(unknown)}")
    return ",\n       ".join(out)
