"""Table intake shared by every kernel that reads rows: pandas, pyarrow, polars, a dict of
columns, or a CSV / JSONL / Parquet path. Columns come out as NumPy arrays or integer codes,
without Python-level loops over rows."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from . import _native
from ._arrays import to_numpy


class Table:
    """Read-only access to the named columns of a user's table."""

    def __init__(self, source: Any, name: str) -> None:
        self.name = name
        self._data = _open(source, name)

    @property
    def columns(self) -> list[str]:
        data = self._data
        if isinstance(data, pd.DataFrame):
            return [str(c) for c in data.columns]
        if isinstance(data, pa.Table):
            return list(data.column_names)
        return list(data)

    def __len__(self) -> int:
        data = self._data
        if isinstance(data, (pd.DataFrame, pa.Table)):
            return len(data)
        return len(next(iter(data.values()))) if data else 0

    def column(self, column: str, role: str | None = None) -> Any:
        """The column as stored (pandas Series, pyarrow ChunkedArray or array-like)."""
        if column not in self.columns:
            what = f" (the {role} column)" if role else ""
            raise ValueError(
                f"{self.name} has no column {column!r}{what}; columns are {self.columns}"
            )
        data = self._data
        if isinstance(data, pd.DataFrame):
            return data[column]
        if isinstance(data, pa.Table):
            return data.column(column)
        return data[column]

    def numeric(self, column: str, role: str | None = None, nulls: bool = False) -> np.ndarray:
        """A float64 column; non-numeric data raise TypeError, and missing values ValueError
        (NaN with ``nulls``, for the caller to check where it knows which rows need one)."""
        values = self.column(column, role)
        if isinstance(values, (pa.ChunkedArray, pa.Array)):
            if values.null_count and not nulls:
                raise ValueError(f"{self.name}[{column!r}] has {values.null_count} missing values")
            values = values.to_numpy(zero_copy_only=False)
        arr = (
            to_numpy(values, f"{self.name}[{column!r}]")
            if not isinstance(values, pd.Series)
            else values.to_numpy()
        )
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{self.name}[{column!r}] must be numeric, got {arr.dtype}")
        return np.ascontiguousarray(arr, dtype=np.float64)

    def subset(self, mask: np.ndarray) -> Table:
        """The rows where ``mask`` is True, as a new Table."""
        data = self._data
        out = Table.__new__(Table)
        out.name = self.name
        if isinstance(data, pd.DataFrame):
            out._data = data.loc[mask]
        elif isinstance(data, pa.Table):
            out._data = data.filter(pa.array(mask))
        else:
            out._data = {k: np.asarray(v)[mask] for k, v in data.items()}
        return out


def _open(source: Any, name: str) -> pd.DataFrame | pa.Table | dict[str, Any]:
    if isinstance(source, (str, os.PathLike)):
        return _read_path(Path(source), name)
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, pa.Table):
        return source
    if isinstance(source, pa.RecordBatch):
        return pa.Table.from_batches([source])
    if type(source).__module__.startswith("polars"):
        return source.to_arrow()
    if isinstance(source, Mapping):
        columns = {str(k): v for k, v in source.items()}
        lengths = {k: len(v) for k, v in columns.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{name}: columns have different lengths {lengths}")
        return columns
    raise TypeError(
        f"{name} must be a pandas/polars DataFrame, a pyarrow Table, a dict of columns "
        f"or a CSV/JSONL/Parquet path, got {type(source).__name__}"
    )


def _utf8_columns(table: pa.Table, path: Path, name: str) -> pa.Table:
    """Text columns as UTF-8 strings. Arrow's CSV reader types a column with invalid UTF-8 as
    binary (bytes), which would split one model into a str and a bytes name: that is an error
    naming the file, the line and the column instead."""
    for i, field in enumerate(table.schema):
        if not (pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)):
            continue
        values = table.column(i).to_pylist()
        for row, value in enumerate(values):
            if value is None:
                continue
            try:
                value.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ValueError(
                    f"{name}: {str(path)!r} line {row + 2} (data row {row}), column "
                    f"{field.name!r}: {value!r} is not UTF-8 ({e.reason}); save the file as UTF-8"
                ) from None
        table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return table


#: The file formats of tables (``Table``), by suffix; the document suffixes follow.
FORMATS = {
    ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "jsonl", ".csv": "csv", ".csv.gz": "csv", ".tsv": "tsv", ".txt": "text",
    ".md": "text",
}  # fmt: skip


#: Document collections (``_documents``) read these suffixes (as written) from folders; a file
#: given explicitly is JSON lines for ``.jsonl``, Parquet for ``.parquet``, else plain text.
DOCUMENT_SUFFIXES = (".jsonl", ".parquet", ".txt", ".md")
#: A str ending in one of these names a file, not a text (documents given in memory).
PATH_SUFFIXES = (".jsonl", ".json", ".ndjson", ".parquet", ".pq", ".txt", ".csv", ".gz", ".zst")


def file_format(path: Path) -> str | None:
    """The format of ``path`` by its suffix (a compressed CSV by its last two), or None."""
    suffix = "".join(path.suffixes[-2:]).lower()
    return next((f for s, f in FORMATS.items() if suffix.endswith(s)), None)


def _read_path(path: Path, name: str) -> pa.Table:
    if not path.exists():
        raise FileNotFoundError(f"{name}: no such file {str(path)!r}")
    form = file_format(path)
    if form == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(path)
        except (pa.ArrowInvalid, OSError) as e:
            raise ValueError(f"{name}: {str(path)!r} is not a readable Parquet file: {e}") from None
    if form == "jsonl":
        import pyarrow.json as pj

        try:
            return pj.read_json(path)
        except pa.ArrowInvalid as e:
            raise ValueError(f"{name}: {str(path)!r} is not valid JSON lines: {e}") from None
    if form in ("csv", "tsv"):
        import pyarrow.csv as pc

        delimiter = "\t" if form == "tsv" else ","
        table = pc.read_csv(path, parse_options=pc.ParseOptions(delimiter=delimiter))
        return _utf8_columns(table, path, name)
    raise ValueError(
        f"{name}: cannot tell the format of {str(path)!r} (use .csv, .jsonl or .parquet)"
    )


def _local_codes(values: Any, label: str, sparse_ok: bool = False) -> tuple[pd.Index, np.ndarray]:
    """(categories, integer codes) of one column, reusing existing dictionary encodings.

    Codes come in whatever integer dtype the source holds; negative codes mark missing values.
    ``uint32`` codes are always valid (in ``range(len(categories))``).
    """
    if isinstance(values, (pd.Categorical, pd.CategoricalIndex)) or (
        isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype)
    ):
        categorical = values.array if isinstance(values, pd.Series) else pd.Categorical(values)
        return categorical.categories, np.asarray(categorical.codes)  # int8/16/32, -1 = missing
    if isinstance(values, (pd.Series, pd.Index)) and _arrow_backed(values.dtype):
        values = pa.array(values.array)  # pandas' Arrow strings: Arrow's own hashing
    if isinstance(values, (pa.ChunkedArray, pa.Array)):
        return _arrow_codes(values)
    dense = _dense_integer_codes(values, sparse_ok)
    if dense is not None:
        return dense
    if hasattr(values, "__dlpack__") and not isinstance(values, np.ndarray):
        values = to_numpy(values, label)
    elif isinstance(values, (pd.Series, pd.Index)) and values.dtype == object:
        values = values.to_numpy()
    elif not isinstance(values, (pd.Series, np.ndarray, pd.Index)):
        values = np.asarray(values)
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        coded = _native.factorize_str(np.ascontiguousarray(values))
        if coded is not None:  # every value a str
            codes, firsts = coded
            return pd.Index(_object_array(firsts), dtype=object), codes
    # Factorize arrays as they are: wrapping them in a Series makes pandas infer (and
    # convert to) a string dtype first, which costs more than the factorization.
    try:  # (pandas >= 3 stores text as UTF-8 Arrow strings)
        codes, cats = pd.factorize(values, use_na_sentinel=True)
        return pd.Index(cats), codes
    except UnicodeEncodeError as e:
        row = next(i for i, v in enumerate(values) if not _encodable(v))
        raise ValueError(
            f"{label} holds text with no UTF-8 form (a lone surrogate) at row {row}: "
            f"{values[row]!r}"
        ) from e


def _encodable(value: Any) -> bool:
    try:
        str(value).encode()
    except UnicodeEncodeError:
        return False
    return True


def _arrow_backed(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _arrow_codes(values: pa.ChunkedArray | pa.Array) -> tuple[pd.Index, np.ndarray]:
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    if not pa.types.is_dictionary(chunked.type):
        chunked = chunked.dictionary_encode()
    chunked = chunked.unify_dictionaries() if chunked.num_chunks > 1 else chunked
    if chunked.num_chunks == 0:
        return pd.Index([]), np.zeros(0, np.int64)
    dictionary = chunked.chunk(0).dictionary
    indices = pa.chunked_array([c.indices for c in chunked.chunks])
    if indices.null_count:
        indices = indices.fill_null(-1)
    return pd.Index(dictionary.to_pandas()), indices.to_numpy(zero_copy_only=False)


def _object_array(items: list[Any]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _categories_and_codes(
    values: Any, label: str, sparse_ok: bool = False
) -> tuple[pd.Index, np.ndarray]:
    """:func:`_local_codes` with missing values raising ValueError."""
    cats, codes = _local_codes(values, label, sparse_ok)
    if codes.dtype != np.uint32 and (codes < 0).any():
        row = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(f"{label} has a missing value at row {row}")
    return pd.Index(cats), codes


#: Integer ids below this are used as codes directly.
SMALL_ID_RANGE = 4096
#: Rows per pass where NumPy would otherwise build int64 temporaries of a whole column.
CHUNK = 1 << 20


def take(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` in chunks, so memory stays at the output plus one chunk."""
    out = np.empty(index.shape, dtype=table.dtype)
    for start in range(0, index.size, CHUNK):
        out[start : start + CHUNK] = table[index[start : start + CHUNK]]
    return out


def _dense_integer_codes(values: Any, sparse_ok: bool) -> tuple[pd.Index, np.ndarray] | None:
    """Integer ids in a compact non-negative range are coded by a lookup table (no hashing)."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else values
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "iu" or arr.size == 0:
        return None
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high > 4 * arr.size + 1024:
        return None
    if sparse_ok and high < SMALL_ID_RANGE:
        # Small ids are their own codes: no pass over the rows (ids that never occur are
        # categories without battles, and get no rating).
        codes = arr.view(np.uint32) if arr.dtype in (np.int32, np.uint32) else arr
        return pd.Index(np.arange(high + 1)), codes
    counts = np.zeros(high + 1, dtype=np.int64)
    for start in range(0, arr.size, CHUNK):
        counts += np.bincount(arr[start : start + CHUNK], minlength=high + 1)
    present = counts > 0
    lookup = (np.cumsum(present) - 1).astype(np.int32)
    return pd.Index(np.flatnonzero(present)), take(lookup, arr)


def shared_codes(
    columns: Sequence[Any], labels: Sequence[str]
) -> tuple[pd.Index, list[tuple[np.ndarray, np.ndarray]]]:
    """One category space for several columns, without a pass over their rows.

    Returns the categories (first-seen order over the columns' own categories) and, per column,
    its local codes (see :func:`_local_codes`) with the ``uint32`` table mapping them into the
    shared space.
    """
    categories = pd.Index([])
    parts = []
    for column, label in zip(columns, labels, strict=True):
        # Model ids may leave gaps: an id without battles gets no rating.
        cats, local = _local_codes(column, label, sparse_ok=True)
        cats = _plain(cats)
        if len(categories) == 0:
            categories = cats
        elif not cats.equals(categories):
            new = cats[~cats.isin(categories)]
            categories = categories.append(new) if len(new) else categories
        parts.append((np.ascontiguousarray(local), categories.get_indexer(cats).astype(np.uint32)))
    return categories, parts


def is_arange(table: np.ndarray) -> bool:
    """True when ``table`` maps every code to itself."""
    return bool(np.array_equal(table, np.arange(len(table))))


def is_identity(local: np.ndarray, table: np.ndarray) -> bool:
    """True when ``table[local]`` is ``local`` itself (valid uint32 codes, identity table)."""
    return local.dtype == np.uint32 and is_arange(table)


def _plain(cats: pd.Index) -> pd.Index:
    """Categories as NumPy-backed values: Arrow-backed strings become object (fast lookups)."""
    return (
        pd.Index(np.asarray(cats, dtype=object), dtype=object)
        if _arrow_backed(cats.dtype)
        else cats
    )


def factorize(column: Any, label: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, categories) of one column; codes in the smallest unsigned dtype that fits."""
    cats, local = _categories_and_codes(column, label)
    dtype = next(t for t in (np.uint8, np.uint16, np.uint32) if len(cats) <= np.iinfo(t).max + 1)
    return local.astype(dtype, copy=False), np.asarray(cats, dtype=object)
