"""The shape of the SQL the formats generate: compact (shared sub-expressions computed once, in layers),
the guarded JSON parse equal to try(json_transform(...)), and JSONL chunking of a file without a final
newline. These keep ingest of many small files fast (planning a blown-up expression costs seconds)."""

from __future__ import annotations

from pathlib import Path

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
