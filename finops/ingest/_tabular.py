"""Containers beyond JSON lines: CSV, Parquet, SQLite and JSON arrays too large to parse in Python.

A tabular format's SQL reads a relation `recs` with one row per CSV/Parquet row:

- `line` BIGINT: the physical line the row starts on (CSV: the header is line 1, so the first data row
  is line 2; quoted values holding newlines and blank lines are counted, so the number is exact) or the
  row number (Parquet: 1-based);
- `_bad` VARCHAR: NULL, or why the row could not be read (a CSV row with the wrong number of fields);
  `_raw` VARCHAR holds such a row's text;
- every column the format declares (`LogFormat.columns`), as VARCHAR, NULL when empty or absent from the
  file (matched exactly, else case-insensitively).

Columns a format does not declare (prompt text in LiteLLM's `messages`, Helicone's `request_body`, ...)
are read to count lines and then dropped: they never reach the store.

Well-formed CSV is parsed by pyarrow in large blocks. At the first malformed row, reading restarts from
that row with Python's csv module (which knows line numbers), so only malformed files pay for it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from finops.arrow import int64_array, int64_values, string_array, table_of

if TYPE_CHECKING:
    from finops.ingest._base import Container

CSV_BLOCK = 8 << 20
PY_BATCH = 50_000
SNIFF_ROWS = 40
SNIFF_CHARS = 256 << 10
DELIMITERS = (",", ";", "\t", "|")
PARQUET_MAGIC = b"PAR1"
SQLITE_MAGIC = b"SQLite format 3\x00"
READER_MEMORY = "512MB"


# ---------------------------------------------------------------- detection


def binary_kind(head: bytes) -> str | None:
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    return None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def csv_header(head: bytes) -> tuple[list[str], str, list[dict[str, Any]]] | None:
    """(columns, delimiter, first rows) when the head of a file reads as CSV with a header, else None.

    A header has at least two fields, none empty, none longer than 200 characters, no duplicates and
    nothing that looks like JSON; the rows after it must mostly have the same number of fields.
    """
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("utf-8", errors="replace")
    if "\x00" in text[:4096]:
        return None
    first = text.split("\n", 1)[0].rstrip("\r")
    delim = _delimiter(first)
    if first.count(delim) == 0:
        return None
    if len(text) > SNIFF_CHARS or len(head) >= (1 << 20):  # sniff the start only, without a partial line
        text = text[:SNIFF_CHARS]
        text = text[: text.rfind("\n") + 1] or text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    if len(header) < 2 or any(not h or len(h) > 200 or h[:1] in "{[" for h in header):
        return None
    if len(set(header)) != len(header):
        return None
    body = [r for r in rows[1 : SNIFF_ROWS + 1]]
    if body and sum(len(r) == len(header) for r in body if r) < max(1, len([r for r in body if r]) // 2):
        return None
    sample = [
        {h: (v if v != "" else None) for h, v in zip(header, r, strict=False)}
        for r in body
        if r and any(v.strip() for v in r)
    ]
    return header, delim, sample or [dict.fromkeys(header)]


def _reader_con() -> duckdb.DuckDBPyConnection:
    """A private DuckDB connection for reading files (the store's connection stays free for inserts)."""
    con = duckdb.connect(config={"memory_limit": READER_MEMORY, "preserve_insertion_order": True})
    con.execute("set TimeZone = 'UTC'")
    return con


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def parquet_columns(path: Path) -> list[tuple[str, str]]:
    con = _reader_con()
    try:
        return [
            (r[0], r[1]) for r in con.execute(f"describe select * from read_parquet({_sql_str(str(path))})").fetchall()
        ]
    finally:
        con.close()


def parquet_sample(path: Path) -> list[dict[str, Any]]:
    t = next(parquet_tables(path, None, limit=SNIFF_ROWS), None)
    if t is None:
        return []
    return [{k: v for k, v in r.items() if k not in ("line", "_bad", "_raw")} for r in t.to_pylist()]


def sqlite_tables_of(path: Path) -> list[dict[str, Any]]:
    """One sniffing record per table: {"table": name, "columns": [...], "rows": n}."""
    out: list[dict[str, Any]] = []
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        names = [r[0] for r in db.execute("select name from sqlite_master where type = 'table' order by name")]
        for name in names:
            cols = [r[1] for r in db.execute(f"pragma table_info({_ident(name)})")]
            out.append({"table": name, "columns": cols})
    return out


# ---------------------------------------------------------------- reading: CSV


def _match_columns(available: Sequence[str], wanted: Sequence[str] | None) -> dict[str, str | None]:
    """wanted name -> the file's column (exact, else case-insensitive), or None when absent."""
    if wanted is None:
        return {c: c for c in available}
    lower = {c.lower(): c for c in available}
    return {w: (w if w in available else lower.get(w.lower())) for w in wanted}


def _shape(t: pa.Table, lines: pa.Array, wanted: dict[str, str | None], bad: pa.Array, raw: pa.Array) -> pa.Table:
    n = t.num_rows
    cols: dict[str, pa.Array | pa.ChunkedArray] = {"line": lines, "_bad": bad, "_raw": raw}
    for name, src in wanted.items():
        if src is None or src not in t.column_names:
            cols[name] = pa.nulls(n, pa.string())
        else:
            c = t.column(src)
            if not pa.types.is_string(c.type):
                c = pc.cast(c, pa.string())
            cols[name] = c
    return table_of(cols)


def csv_tables(path: Path, container: Container, columns: Sequence[str] | None) -> Iterator[pa.Table]:
    """Tables of the file's rows (see the module docstring); lines are exact, header = line 1."""
    from finops.ingest._base import open_bytes

    header = container.columns
    wanted = _match_columns(header, columns)
    delim = container.delimiter or ","
    done = 0  # data rows yielded
    next_line = 2
    read = pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=CSV_BLOCK)
    parse = pacsv.ParseOptions(delimiter=delim, newlines_in_values=True, ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True, quoted_strings_can_be_null=True
    )
    try:
        with open_bytes(path) as f:
            reader = pacsv.open_csv(f, read_options=read, parse_options=parse, convert_options=convert)
            for batch in reader:
                t = pa.Table.from_batches([batch])
                if t.num_rows == 0:
                    continue
                nl = np.zeros(t.num_rows, dtype=np.int64)
                for c in t.columns:
                    nl += int64_values(pc.count_substring(c, "\n"))  # null cells: 0
                before = np.cumsum(nl) - nl
                lines = int64_array(next_line + np.arange(t.num_rows, dtype=np.int64) + before)
                next_line += t.num_rows + int(nl.sum())
                done += t.num_rows
                nulls = pa.nulls(t.num_rows, pa.string())
                yield _shape(t, lines, wanted, nulls, nulls)
    except pa.ArrowInvalid:
        # a row with the wrong number of fields (or invalid UTF-8): the batches yielded so far had exact
        # lines; continue from the next record with the exact, slower reader
        yield from _csv_python(path, header, wanted, delim, skip_records=done)


def _csv_python(
    path: Path, header: list[str], wanted: dict[str, str | None], delim: str, skip_records: int
) -> Iterator[pa.Table]:
    """The slow, exact path for files with malformed rows (Python's csv module knows line numbers)."""
    from finops.ingest._base import open_bytes

    index = {h: i for i, h in enumerate(header)}
    with open_bytes(path) as fb:
        text = io.TextIOWrapper(fb, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text, delimiter=delim)
        next(reader, None)  # header
        seen = 0
        prev_end = reader.line_num
        buf: dict[str, list[Any]] = {"line": [], "_bad": [], "_raw": []}
        buf.update({h: [] for h in header})

        def flush() -> pa.Table:
            t = table_of(
                {k: int64_array(np.asarray(v, np.int64)) if k == "line" else string_array(v) for k, v in buf.items()}
            )
            for v in buf.values():
                v.clear()
            cols = {h: t.column(h) for h in header}
            return _shape(table_of(cols) if cols else t, t.column("line"), wanted, t.column("_bad"), t.column("_raw"))

        for row in reader:
            start = prev_end + 1
            prev_end = reader.line_num
            seen += 1
            if seen <= skip_records:
                continue
            buf["line"].append(start)
            if row and len(row) != len(header):
                buf["_bad"].append(f"malformed CSV row: {len(row)} fields, the header has {len(header)}")
                buf["_raw"].append(delim.join(row)[:65536])
                for h in header:
                    buf[h].append(None)
            else:
                buf["_bad"].append(None)
                buf["_raw"].append(None)
                for h in header:
                    v = row[index[h]] if row else ""
                    buf[h].append(v if v != "" else None)
            if len(buf["line"]) >= PY_BATCH:
                yield flush()
        if buf["line"]:
            yield flush()


# ---------------------------------------------------------------- reading: Parquet


def parquet_tables(path: Path, columns: Sequence[str] | None, limit: int | None = None) -> Iterator[pa.Table]:
    """Parquet rows with every wanted column as VARCHAR (nested values as JSON); line = row number."""
    available = parquet_columns(path)
    types = dict(available)
    wanted = _match_columns([c for c, _ in available], columns)
    exprs = [
        "cast(file_row_number + 1 as bigint) as line",
        "cast(null as varchar) as _bad",
        "cast(null as varchar) as _raw",
    ]
    for name, src in wanted.items():
        if src is None:
            exprs.append(f"cast(null as varchar) as {_ident(name)}")
        elif any(k in types[src].upper() for k in ("STRUCT", "MAP", "[]", "LIST")):
            exprs.append(f"cast(to_json({_ident(src)}) as varchar) as {_ident(name)}")
        else:
            exprs.append(f"cast({_ident(src)} as varchar) as {_ident(name)}")
    sql = f"select {', '.join(exprs)} from read_parquet({_sql_str(str(path))}, file_row_number = true)"
    if limit is not None:
        sql += f" order by line limit {int(limit)}"
    con = _reader_con()
    try:
        for batch in con.sql(sql).to_arrow_reader(65536):
            yield pa.Table.from_batches([batch])
    finally:
        con.close()


# ---------------------------------------------------------------- reading: SQLite


def sqlite_rows(path: Path, table: str, columns: Sequence[str], batch: int = PY_BATCH) -> Iterator[pa.Table]:
    """Selected columns of one SQLite table, as VARCHAR, with line = rowid. Never reads other columns.

    Python's sqlite3 returns rows; each batch is turned into columns at once (zip), not value by value.
    """
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        present = {r[1] for r in db.execute(f"pragma table_info({_ident(table)})")}
        exprs = [f"cast({_ident(c)} as text)" if c in present else "null" for c in columns]
        cur = db.execute(f"select rowid, {', '.join(exprs)} from {_ident(table)} order by rowid")
        while rows := cur.fetchmany(batch):
            cols = list(zip(*rows, strict=True))
            n = len(rows)
            data: dict[str, Any] = {
                "line": int64_array(np.asarray(cols[0], np.int64)),
                "_bad": pa.nulls(n, pa.string()),
                "_raw": pa.nulls(n, pa.string()),
            }
            for name, values in zip(columns, cols[1:], strict=True):
                data[name] = string_array(list(values))
            yield table_of(data)


# ---------------------------------------------------------------- reading: large JSON arrays


def json_array_sample(path: Path, n: int = SNIFF_ROWS) -> list[dict[str, Any]] | None:
    """The first elements of a top-level JSON array, read by DuckDB without loading the file.

    None when DuckDB cannot read it (bz2, or not one well-formed array: the whole file is scanned once,
    in DuckDB, so a malformed array falls back to the JSON-lines reader instead of failing mid-ingest)."""
    if path.name.lower().endswith((".bz2",)):
        return None
    con = _reader_con()
    source = f"read_json_objects({_sql_str(str(path))}, format = 'array')"
    try:
        con.execute(f"select count(*) from {source}").fetchone()
        rows = con.execute(f"select cast(json as varchar) from {source} limit {n}").fetchall()
    except duckdb.Error:
        return None
    finally:
        con.close()
    from finops.ingest._base import parse_lines

    return parse_lines([raw for (raw,) in rows])


def json_array_chunks(path: Path, rows: int = 100_000) -> Iterator[pa.Table]:
    """(line, raw) for each element of a top-level JSON array, streamed by DuckDB; line = index + 1.

    Elements are re-serialised compactly (as `document_records` does for small arrays). DuckDB keeps
    file order here because this private connection preserves insertion order.
    """
    con = _reader_con()
    try:
        sql = (
            f"select cast(json(json) as varchar) as raw from read_json_objects({_sql_str(str(path))}, format = 'array')"
        )
        next_line = 1
        for batch in con.sql(sql).to_arrow_reader(rows):
            n = batch.num_rows
            lines = int64_array(np.arange(next_line, next_line + n, dtype=np.int64))
            next_line += n
            yield table_of({"line": lines, "raw": batch.column(0)})
    finally:
        con.close()


# ---------------------------------------------------------------- SQL helpers for tabular formats


def q(name: str) -> str:
    """A column reference: quoted identifier."""
    return _ident(name)


def int_sql(expr: str) -> str:
    """Lenient integer: '10', '10.0', '1e3', ' 7 ' → BIGINT; blank or unreadable → NULL."""
    return f"cast(round(try_cast(trim({expr}) as double)) as bigint)"


def dec_sql(expr: str) -> str:
    """Lenient exact decimal (money): '0.8958740000000000', '1.5E-05', '12' → DECIMAL(38, 12)."""
    return (
        f"coalesce(try_cast(trim({expr}) as decimal(38, 12)), "
        f"cast(try_cast(trim({expr}) as double) as decimal(38, 12)))"
    )


def bool_sql(expr: str) -> str:
    """'TRUE'/'FALSE'/'true'/'1'/'0'/'yes' → BOOLEAN, else NULL."""
    return f"""(case lower(trim({expr})) when 'true' then true when '1' then true when 'yes' then true
        when 't' then true when 'false' then false when '0' then false when 'no' then false when 'f' then false
        end)"""


def row_json_sql(columns: Sequence[str]) -> str:
    """The row as a JSON object of the declared columns (kept in quarantine when a row is rejected)."""
    parts = ", ".join(f"{_sql_str(c)}, {_ident(c)}" for c in columns)
    return f"cast(json_object({parts}) as varchar)" if columns else "'{}'"


def blank_sql(columns: Sequence[str]) -> str:
    if not columns:
        return "false"
    return "(" + " and ".join(f"nullif(trim({_ident(c)}), '') is null" for c in columns) + ")"


def tab_status(
    columns: Sequence[str], problem: str = "_problem", skip: str | None = None, blank: str = "_blank"
) -> dict[str, str]:
    """status / reason / raw for a tabular format (see _common.status_cols for JSON formats).

    Rows that could not be parsed are rejected; rows whose declared columns are all blank are skipped.
    problem / skip / blank: the NAMES of columns computed in a layer below (_base.layer): why the row is
    rejected, why it is skipped (None: never), and blank_sql(columns). Each is read several times.
    """
    skip_sql = skip or "null"
    return {
        "status": f"""case when _bad is not null then 'reject' when {blank} then 'skip'
                      when {skip_sql} is not null then 'skip'
                      when {problem} is not null then 'reject' else 'ok' end""",
        "reason": f"""case when _bad is not null then _bad when {blank} then 'blank row'
                      when {skip_sql} is not null then {skip_sql} else {problem} end""",
        "raw": f"""case when _bad is not null then _raw
                        when not {blank} and {skip_sql} is null and {problem} is not null
                        then {row_json_sql(columns)} end""",
    }
