"""What a command costs before its real work: `aispend analyze` of the samples (a fresh store, every format)
never imports pandas. pyarrow's pa.array / pa.table / pa.scalar import it on their first call (0.3-0.7 s on
this machine, paid by every ingest); aispend builds its Arrow arrays from buffers (ingest/_base.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute
import pytest

from finops.arrow import int64_array, int64_values, string_array, table_of

from .conftest import SAMPLES


def test_analyze_of_every_sample_format_never_imports_pandas(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from finops.cli import app\n"
        f"sys.argv = ['aispend', '--db', {str(tmp_path / 's.duckdb')!r}, 'analyze', {str(SAMPLES)!r}, '--json']\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('PANDAS' if 'pandas' in sys.modules else 'NO PANDAS', file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert '"price_version"' in run.stdout  # the report was made
    assert run.stderr.strip().endswith("NO PANDAS"), run.stderr[-500:]


def test_arrays_built_from_buffers_equal_pyarrows() -> None:
    texts = ["plain", "", None, "héllo wörld ✓", '{"a": "\\u00e9"}', None]
    got = string_array(texts)
    got.validate(full=True)
    assert got.equals(pa.array(texts, pa.string()))
    assert string_array([]).equals(pa.array([], pa.string()))
    assert string_array(["\ud800"]).to_pylist() == ["\\ud800"]  # a lone surrogate: escaped, never invalid UTF-8
    assert list(int64_values(pa.chunked_array([int64_array(range(3)), int64_array([])], pa.int64()))) == [0, 1, 2]
    counts = pa.compute.count_substring(pa.array(["a\nb", None, "c\n\n"]).slice(1), "\n")  # int32, a null, offset 1
    assert list(int64_values(counts)) == [0, 2]
    ints = int64_array(range(5, 10))
    assert ints.equals(pa.array([5, 6, 7, 8, 9], pa.int64()))
    t = table_of({"line": ints, "raw": string_array(["a", "b", "c", "d", "e"])})
    assert t.column_names == ["line", "raw"] and t.num_rows == 5


def test_release_cache_evicts_and_restores_the_configured_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`analyze FILE` gives back the ingest's cached blocks and buffers before the report (db.release_cache:
    10M calls, peak 3.0 -> 2.6 GB): the blocks a scan cached are evicted, and the store's memory limit is the
    configured one again, not DuckDB's rounded display of it nor the 64 MB used to evict."""
    from finops import db

    monkeypatch.setenv("AISPEND_MEMORY_LIMIT", "1536MB")
    path = tmp_path / "s.duckdb"
    con = db.connect(path)
    con.execute("create table t as select range as x, md5(range::varchar) as s from range(6000000)")
    con.close()
    con = db.connect(path)
    before = con.execute("select current_setting('memory_limit')").fetchone()
    assert con.execute("select sum(x), count(distinct s) from t").fetchone() == (17999997000000, 6000000)
    cached = "select sum(memory_usage_bytes) from duckdb_memory()"
    row = con.execute(cached).fetchone()
    assert row is not None and row[0] > 96 << 20  # the scan left its blocks in the buffer pool
    db.release_cache(con)
    row = con.execute(cached).fetchone()
    assert row is not None and row[0] <= 64 << 20
    assert con.execute("select current_setting('memory_limit')").fetchone() == before
