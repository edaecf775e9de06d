"""Arrow arrays and tables from Python and numpy values without importing pandas.

pyarrow's pa.array, pa.table, pa.scalar and to_numpy() check their input for pandas types, and their first
call in a process imports pandas: 0.3-0.7 s, single-threaded, before aispend could read a file or answer a
report. aispend never needs pandas on those paths, so it builds arrays from buffers instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa


def int64_array(values: Any) -> pa.Array:
    """An int64 Arrow array of a numpy array's values, sharing its memory."""
    v = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(v), [None, pa.py_buffer(v)])


def int64_values(col: pa.Array | pa.ChunkedArray) -> Any:
    """The values of an int32/int64 Arrow column as an int64 numpy array, nulls as 0, read from its buffers."""
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    parts = []
    for c in chunks:
        if len(c) == 0:  # its buffers may be absent
            continue
        dtype = np.int32 if pa.types.is_int32(c.type) else np.int64
        v = np.frombuffer(c.buffers()[1], dtype=dtype)[c.offset : c.offset + len(c)].astype(np.int64)
        if c.null_count:
            valid = np.unpackbits(np.frombuffer(c.buffers()[0], dtype=np.uint8), bitorder="little")
            v[valid[c.offset : c.offset + len(c)] == 0] = 0
        parts.append(v)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def string_array(texts: Sequence[str | None]) -> pa.Array:
    """A string Arrow array of Python strings (None for null)."""
    data = [b"" if t is None else t.encode("utf-8", "backslashreplace") for t in texts]
    lengths = np.fromiter((len(b) for b in data), dtype=np.int64, count=len(data))
    if int(lengths.sum()) >= 1 << 31:  # beyond 32-bit offsets: let pyarrow chunk it
        return pa.array(texts, type=pa.string())
    offsets = np.zeros(len(data) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    validity = None
    if any(t is None for t in texts):
        valid = np.fromiter((t is not None for t in texts), dtype=bool, count=len(texts))
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), len(data), [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )


def table_of(columns: dict[str, Any]) -> pa.Table:
    """pa.table(columns) for Arrow arrays."""
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))
