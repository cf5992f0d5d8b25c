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

    def numeric(self, column: str, role: str | None = None) -> np.ndarray:
        """A float64 column; missing values and non-numeric data raise ValueError."""
        values = self.column(column, role)
        if isinstance(values, (pa.ChunkedArray, pa.Array)):
            if values.null_count:
                raise ValueError(f"{self.name}[{column!r}] has {values.null_count} missing values")
            values = values.to_numpy()
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


def _read_path(path: Path, name: str) -> pa.Table:
    if not path.exists():
        raise FileNotFoundError(f"{name}: no such file {str(path)!r}")
    suffix = "".join(path.suffixes[-2:]).lower()
    if suffix.endswith(".parquet") or suffix.endswith(".pq"):
        import pyarrow.parquet as pq

        return pq.read_table(path)
    if suffix.endswith((".jsonl", ".ndjson", ".json")):
        import pyarrow.json as pj

        return pj.read_json(path)
    if suffix.endswith((".csv", ".csv.gz", ".tsv")):
        import pyarrow.csv as pc

        delimiter = "\t" if ".tsv" in suffix else ","
        return pc.read_csv(path, parse_options=pc.ParseOptions(delimiter=delimiter))
    raise ValueError(
        f"{name}: cannot tell the format of {str(path)!r} (use .csv, .jsonl or .parquet)"
    )


def _categories_and_codes(
    values: Any, label: str, sparse_ok: bool = False
) -> tuple[pd.Index, np.ndarray]:
    """(categories, integer codes) of one column, reusing existing dictionary encodings."""
    if isinstance(values, (pd.Categorical, pd.CategoricalIndex)) or (
        isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype)
    ):
        categorical = values.array if isinstance(values, pd.Series) else pd.Categorical(values)
        codes = np.asarray(categorical.codes)  # int8/16/32 as pandas stores them
        cats = categorical.categories
    elif isinstance(values, (pa.ChunkedArray, pa.Array)):
        chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
        if not pa.types.is_dictionary(chunked.type):
            chunked = chunked.dictionary_encode()
        chunked = chunked.unify_dictionaries() if chunked.num_chunks > 1 else chunked
        if chunked.num_chunks == 0:
            return pd.Index([]), np.zeros(0, np.int64)
        dictionary = chunked.chunk(0).dictionary
        indices = pa.chunked_array([c.indices for c in chunked.chunks]).to_numpy(
            zero_copy_only=False
        )
        codes = indices if not pd.isna(indices).any() else np.where(pd.isna(indices), -1, indices)
        cats = pd.Index(dictionary.to_pandas())
    else:
        dense = _dense_integer_codes(values, sparse_ok)
        if dense is not None:
            return dense
        if hasattr(values, "__dlpack__") and not isinstance(values, np.ndarray):
            values = to_numpy(values, label)
        elif not isinstance(values, (pd.Series, np.ndarray, pd.Index)):
            values = np.asarray(values)
        # Factorize arrays as they are: wrapping them in a Series makes pandas infer (and
        # convert to) a string dtype first, which costs more than the factorization.
        codes, cats = pd.factorize(values, use_na_sentinel=True)
    if (codes < 0).any():
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


def factorize_jointly(
    columns: Sequence[Any], labels: Sequence[str], dtype: type = np.uint32
) -> tuple[list[np.ndarray], np.ndarray]:
    """Codes several columns into one shared category space.

    Returns one code array (``dtype``) per column and the category values (first-seen order
    over the columns' own categories). Categorical / dictionary columns reuse their codes;
    other columns go through ``pandas.factorize`` once each. Columns are coded one at a time,
    so at most one column's intermediate codes are alive beside the outputs.
    """
    categories = pd.Index([])
    codes = []
    for column, label in zip(columns, labels, strict=True):
        # Model ids may leave gaps: an id without battles gets no rating.
        cats, local = _categories_and_codes(column, label, sparse_ok=True)
        if len(categories) == 0:
            categories = cats
        else:
            new = cats[~cats.isin(categories)]
            categories = categories.append(new) if len(new) else categories
        remap = categories.get_indexer(cats)
        if not np.array_equal(remap, np.arange(len(cats))):
            codes.append(take(remap.astype(dtype), local))
        elif local.dtype.itemsize == np.dtype(dtype).itemsize:
            codes.append(local.view(dtype))  # codes are >= 0 and already in the shared space
        else:
            codes.append(local.astype(dtype))
    return codes, np.asarray(categories, dtype=object)


def factorize(column: Any, label: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, categories) of one column; codes in the smallest unsigned dtype that fits."""
    cats, local = _categories_and_codes(column, label)
    dtype = next(t for t in (np.uint8, np.uint16, np.uint32) if len(cats) <= np.iinfo(t).max + 1)
    return local.astype(dtype, copy=False), np.asarray(cats, dtype=object)
