"""Streaming document intake: texts in memory, or JSONL / Parquet / plain-text files and folders.

Documents are read in batches so memory stays bounded by the batch, not the corpus. Parquet text
columns stay Arrow arrays (:func:`iter_batches`), which the kernels read in place. Ids are
``record[id_field]`` when that field exists, else ``"<path>:<line>"`` (JSONL, 1-based),
``"<path>:<row>"`` (Parquet, 0-based) or ``"<path>"`` (a plain-text file is one document).
"""

from __future__ import annotations

import itertools
import json
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from ._tables import DOCUMENT_SUFFIXES as SUFFIXES
from ._tables import PATH_SUFFIXES as FILE_SUFFIXES

T = TypeVar("T")

#: Bytes of text (uncompressed, by the file's metadata) that a Parquet batch holds at most,
#: for rows of the row group with the longest rows on average: long documents come in fewer rows
#: than ``batch_size``.
PARQUET_BATCH_BYTES = 64 << 20


def _looks_like_path(text: str) -> bool:
    """A str with no whitespace that ends with a path separator or a data file's suffix, or
    that names an existing file or folder."""
    if not text or any(c.isspace() for c in text):
        return False
    if text.endswith(("/", os.sep)) or text.lower().endswith(FILE_SUFFIXES):
        return True
    try:
        return len(text) < 4096 and os.path.exists(text)
    except (OSError, ValueError):
        return False


def is_paths(source: Any, argument: str = "texts_or_paths") -> bool:
    """A str/PathLike, or a sequence of PathLike, names files; a list or tuple of str holds
    texts. A list mixing paths and str is an error, and so is a list of str whose items look
    like paths (``["corpus/"]`` would otherwise be hashed as the text "corpus/"): paths come as
    one str or as ``pathlib.Path`` objects. NumPy and Arrow arrays of strings are always texts."""
    if isinstance(source, (str, os.PathLike)):
        return True
    if not isinstance(source, Sequence) or not len(source):
        return False
    kinds = {isinstance(s, os.PathLike) for s in source}
    if kinds == {True}:
        return True
    if True in kinds:
        i = next(i for i, s in enumerate(source) if not isinstance(s, os.PathLike))
        raise TypeError(
            f"{argument} mixes paths and other items (item {i} is {type(source[i]).__name__}): "
            "pass paths as pathlib.Path objects, or texts as str, not both"
        )
    if isinstance(source, (list, tuple)):
        for i, s in enumerate(source[:1000]):
            if isinstance(s, str) and _looks_like_path(s):
                raise ValueError(
                    f"{argument}[{i}] is {s!r}, which looks like a file or folder, but a list "
                    "of str is taken as texts: pass a path as one str or pathlib.Path objects "
                    "(e.g. [Path('corpus/')]); to hash such strings as texts, pass them in a "
                    "NumPy or pyarrow array"
                )
    return False


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise FileNotFoundError(f"corpus path does not exist: {path}")
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
            if not found:
                warnings.warn(
                    f"{path} holds no {', '.join(SUFFIXES)} file: it adds no documents",
                    stacklevel=4,
                )
            yield from found
        else:
            yield path


def _decode(data: bytes, where: str, errors: str) -> str:
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{where}: invalid UTF-8 at byte {e.start} ({data[e.start : e.start + 4]!r}); "
            "pass errors='replace' to substitute U+FFFD"
        ) from None


def _records(
    path: Path, text_field: str, id_field: str | None, errors: str
) -> Iterator[tuple[Any, str]]:
    if path.suffix == ".jsonl":
        with path.open("rb") as fh:
            for line_no, raw in enumerate(fh, 1):
                if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]  # a UTF-8 byte-order mark
                if not raw.strip():
                    continue
                where = f"{path}:{line_no}"
                try:
                    rec = json.loads(_decode(raw, where, errors))
                except json.JSONDecodeError as e:
                    raise ValueError(
                        f"{where}: not valid JSON ({e.msg}, column {e.colno})"
                    ) from None
                text = rec.get(text_field, ...) if isinstance(rec, dict) else ...
                if text is None:
                    text = ""  # a null text is an empty document, as in Parquet
                if not isinstance(text, str):
                    raise ValueError(f"{where}: no string field {text_field!r}")
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as e:
                    raise ValueError(
                        f"{where}: field {text_field!r} holds a lone surrogate at character "
                        f"{e.start} (an escaped \\ud800-\\udfff without its pair)"
                    ) from None
                doc_id = rec[id_field] if id_field and id_field in rec else where
                yield doc_id, text
    elif path.suffix == ".parquet":
        for ids, texts in _parquet_batches(path, text_field, id_field, errors, 8192):
            yield from zip(ids, texts.to_pylist(), strict=True)
    else:
        yield str(path), _decode(path.read_bytes(), str(path), errors)


def iter_documents(
    source: Any,
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
    argument: str = "texts_or_paths",
) -> Iterator[tuple[Any, str]]:
    """Yields ``(id, text)`` for texts in memory (ids 0..N-1) or for files and folders
    (``argument`` names the caller's parameter in errors)."""
    if not is_paths(source, argument):
        for i, text in enumerate(source):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] must be str, got {type(text).__name__}")
            yield i, text
        return
    paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    for f in _files(paths):
        yield from _records(f, text_field, id_field, errors)


def batches(
    docs: Iterator[tuple[Any, str]], batch_size: int, max_chars: int = 64 << 20
) -> Iterator[tuple[list[Any], list[str]]]:
    """Groups documents into batches of at most ``batch_size`` docs and ``max_chars`` characters."""
    ids: list[Any] = []
    texts: list[str] = []
    size = 0
    for doc_id, text in docs:
        ids.append(doc_id)
        texts.append(text)
        size += len(text)
        if len(ids) >= batch_size or size >= max_chars:
            yield ids, texts
            ids, texts, size = [], [], 0
    if ids:
        yield ids, texts


def iter_batches(
    source: Any,
    batch_size: int,
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
    argument: str = "texts_or_paths",
) -> Iterator[tuple[list[Any], Any]]:
    """Yields ``(ids, texts)`` batches of at most ``batch_size`` documents, in input order, with
    the ids of :func:`iter_documents`. ``texts`` is a list of str, or for Parquet files a pyarrow
    string array read in place (nulls as empty texts)."""
    if not is_paths(source, argument):
        yield from batches(iter_documents(source, argument=argument), batch_size)
        return
    yield from prefetched(_file_batches(source, batch_size, text_field, id_field, errors))


def _file_batches(
    source: Any, batch_size: int, text_field: str, id_field: str | None, errors: str
) -> Iterator[tuple[list[Any], Any]]:
    paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    for parquet, files in itertools.groupby(_files(paths), key=lambda f: f.suffix == ".parquet"):
        if parquet:
            for f in files:
                yield from _parquet_batches(f, text_field, id_field, errors, batch_size)
        else:
            docs = (doc for f in files for doc in _records(f, text_field, id_field, errors))
            yield from batches(docs, batch_size)


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """The items of ``items`` in order, each made by a worker thread while the caller works on
    the one before: reading the next batch of a file (pyarrow releases the GIL) overlaps the
    kernels on the current one. One item ahead: with the caller's current item and the one just
    handed over, three batches at most are alive at a time. An error raised making an item is
    raised here, in its turn."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_next_or_end, items)
        while True:
            done, item = pending.result()
            if done:
                return
            pending = pool.submit(_next_or_end, items)
            yield cast(T, item)  # a T whenever `done` is false


def _next_or_end(items: Iterator[T]) -> tuple[bool, T | None]:
    """(True, None) at the end of ``items``, else (False, its next item)."""
    for item in items:
        return False, item
    return True, None


def _parquet_batches(
    path: Path, text_field: str, id_field: str | None, errors: str, batch_size: int
) -> Iterator[tuple[list[Any], Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as e:
        raise ValueError(f"{path}: not a readable Parquet file ({e})") from None
    schema = pf.schema_arrow
    if text_field not in schema.names:
        raise ValueError(f"{path}: no column {text_field!r} (columns: {sorted(schema.names)})")
    kind = schema.field(text_field).type
    value_kind = kind.value_type if pa.types.is_dictionary(kind) else kind
    if not (
        pa.types.is_string(value_kind)
        or pa.types.is_large_string(value_kind)
        or str(value_kind) == "string_view"
    ):
        raise ValueError(f"{path}: column {text_field!r} holds {kind}, not strings")
    with_ids = bool(id_field) and id_field in schema.names
    cols = [text_field, id_field] if id_field and with_ids else [text_field]
    row = 0
    rows = _rows_per_batch(pf.metadata, cols, batch_size)
    for batch in pf.iter_batches(columns=cols, batch_size=rows):
        ids, texts = _parquet_batch(
            batch, path, row, text_field, id_field if with_ids else None, errors
        )
        yield ids, texts
        row += len(texts)


def _rows_per_batch(meta: Any, cols: list[str], batch_size: int) -> int:
    """Rows of a batch: ``batch_size``, or fewer where the rows of some row group average more
    than ``PARQUET_BATCH_BYTES / batch_size`` bytes in the columns read (uncompressed, by the
    file's metadata)."""
    widest = 1.0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        size = sum(
            group.column(j).total_uncompressed_size
            for j in range(group.num_columns)
            if any(_in_column(group.column(j).path_in_schema, c) for c in cols)
        )
        widest = max(widest, size / max(group.num_rows, 1))
    return max(1, min(batch_size, int(PARQUET_BATCH_BYTES / widest)))


def _in_column(path_in_schema: str, name: str) -> bool:
    """Whether a Parquet leaf column belongs to top-level column ``name`` (which may itself
    hold dots)."""
    return path_in_schema == name or path_in_schema.startswith(name + ".")


def _parquet_batch(
    batch: Any, path: Path, row: int, text_field: str, id_field: str | None, errors: str
) -> tuple[list[Any], Any]:
    import pyarrow as pa

    texts = batch.column(text_field)
    if pa.types.is_dictionary(texts.type):
        texts = texts.dictionary_decode()
    if texts.null_count:
        texts = texts.fill_null("")
    texts = _valid_utf8(texts, path, row, errors)
    if id_field:
        return batch.column(id_field).to_pylist(), texts
    prefix = f"{path}:"  # Path.__str__ once, not per row
    return [prefix + str(r) for r in range(row, row + len(texts))], texts


def _valid_utf8(texts: Any, path: Path, row: int, errors: str) -> Any:
    """``texts`` if its UTF-8 is valid (Parquet readers do not check it), else decoded with
    ``errors`` or refused naming the first bad row."""
    import pyarrow as pa

    from ._native import first_invalid_utf8
    from ._utf8 import utf8_column

    column = utf8_column(texts, str(path))
    assert column is not None  # a pyarrow string array
    if all(first_invalid_utf8(data, offsets) is None for _, data, offsets in column.chunks):
        return texts
    raw = texts.cast(pa.large_binary()).to_pylist()
    return pa.array(
        [_decode(b, f"{path}:{row + k}", errors) for k, b in enumerate(raw)], pa.large_string()
    )
