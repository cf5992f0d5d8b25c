"""Arrow string columns (pyarrow arrays, and pandas columns stored in Arrow) read in place.

Arrow keeps a column of texts as one UTF-8 buffer and offsets: the layout the native kernels
take (``_native.minhash_signatures_utf8``), so no Python str is built per text and no text is
encoded again (encoding non-ASCII text is CPython's slow path, on one thread).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

Utf8Chunk = tuple[int, np.ndarray, np.ndarray]
"""(first, data, offsets): texts first .. first + N − 1 of the column, text first + k being
data[offsets[k]:offsets[k + 1]] (data: uint8, offsets: int64 of N + 1)."""


@dataclass(frozen=True)
class Utf8Column:
    """An Arrow string column as the UTF-8 buffers and offsets of its non-empty chunks."""

    chunks: list[Utf8Chunk]


def utf8_column(texts: Any, name: str = "texts") -> Utf8Column | None:
    """``texts`` as a :class:`Utf8Column` if it is an Arrow string column, else None (without
    importing pyarrow: a column can only be one if pyarrow is loaded)."""
    pa = sys.modules.get("pyarrow")
    if pa is None:
        return None
    chunks = _arrow_chunks(pa, texts)
    if chunks is None:
        return None
    out, start = [], 0
    for chunk in chunks:
        if len(chunk):
            out.append(_utf8(pa, chunk, start, name))
        start += len(chunk)
    return Utf8Column(out)


def _arrow_chunks(pa: Any, texts: Any) -> list[Any] | None:
    if isinstance(texts, pa.ChunkedArray):
        return list(texts.chunks)
    if isinstance(texts, pa.Array):
        return [texts]
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(texts, (pd.Series, pd.Index)):
        dtype = texts.dtype
        arrow_backed = isinstance(dtype, pd.ArrowDtype) or (
            isinstance(dtype, pd.StringDtype) and str(dtype.storage).startswith("pyarrow")
        )
        if arrow_backed:
            column = texts.array.__arrow_array__()
            return _arrow_chunks(pa, column)
    return None


def _utf8(pa: Any, chunk: Any, start: int, name: str) -> Utf8Chunk:
    if pa.types.is_dictionary(chunk.type):
        chunk = chunk.dictionary_decode()
    if str(chunk.type) == "string_view":  # no offsets buffer: laid out as offsets once
        chunk = chunk.cast(pa.large_string())
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        raise TypeError(f"{name} must hold strings, got the Arrow type {chunk.type}")
    if chunk.null_count:
        first = int(np.flatnonzero(chunk.is_null().to_numpy(zero_copy_only=False))[0])
        raise TypeError(f"{name}[{start + first}] is null; drop or fill the nulls first")
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=width)[chunk.offset :][: len(chunk) + 1]
    data = np.frombuffer(data_buffer or b"", dtype=np.uint8)
    return start, data, offsets.astype(np.int64, copy=False)
