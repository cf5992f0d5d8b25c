"""Streaming document intake: texts in memory, or JSONL / Parquet / plain-text files and folders.

Documents are read in batches so memory stays bounded by the batch, not the corpus. Ids are
``record[id_field]`` when that field exists, else ``"<path>:<line>"`` (JSONL, 1-based),
``"<path>:<row>"`` (Parquet, 0-based) or ``"<path>"`` (a plain-text file is one document).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

#: File suffixes read from folders; any other file given explicitly is read as plain text.
SUFFIXES = (".jsonl", ".parquet", ".txt", ".md")


def is_paths(source: Any) -> bool:
    """A str/PathLike, or a sequence of PathLike, names files; a sequence of str holds texts."""
    if isinstance(source, (str, os.PathLike)):
        return True
    return (
        isinstance(source, Sequence)
        and len(source) > 0
        and all(isinstance(s, os.PathLike) for s in source)
    )


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise FileNotFoundError(f"corpus path does not exist: {path}")
        if path.is_dir():
            yield from sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
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
                if not raw.strip():
                    continue
                rec = json.loads(_decode(raw, f"{path}:{line_no}", errors))
                if not isinstance(rec, dict) or not isinstance(rec.get(text_field), str):
                    raise ValueError(f"{path}:{line_no}: no string field {text_field!r}")
                doc_id = rec[id_field] if id_field and id_field in rec else f"{path}:{line_no}"
                yield doc_id, rec[text_field]
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        names = set(pf.schema_arrow.names)
        if text_field not in names:
            raise ValueError(f"{path}: no column {text_field!r} (columns: {sorted(names)})")
        cols = [text_field] + ([id_field] if id_field and id_field in names else [])
        row = 0
        for batch in pf.iter_batches(columns=cols, batch_size=8192):
            texts = batch.column(text_field).to_pylist()
            ids = batch.column(id_field).to_pylist() if len(cols) == 2 else None
            for k, text in enumerate(texts):
                yield (ids[k] if ids else f"{path}:{row}"), text or ""
                row += 1
    else:
        yield str(path), _decode(path.read_bytes(), str(path), errors)


def iter_documents(
    source: Any,
    *,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
) -> Iterator[tuple[Any, str]]:
    """Yields ``(id, text)`` for texts in memory (ids 0..N-1) or for files and folders."""
    if not is_paths(source):
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
