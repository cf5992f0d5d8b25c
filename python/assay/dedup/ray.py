"""Near-duplicate clusters on Ray Data (``pip install assay[ray]``).

The same kernels as the single-machine path, as ``map_batches`` functions on Arrow batches:

1. signatures: :func:`assay.dedup.minhash` per batch (Rust, GIL released);
2. bands: one row per (document, band) with columns ``band`` (int32), ``hash`` (uint64, the band's
   ``rows`` values hashed), ``id`` and ``sig`` (the signature, 4·num_perm bytes, carried so that
   candidates are verified where they meet);
3. Ray's hash shuffle groups rows by ``(band, hash)``; each group emits its pairs whose estimated
   Jaccard is ≥ the threshold, exactly the verified candidate pairs of :class:`LSHIndex`;
4. components from the (small) edge list by union-find on the driver; labels and the keep mask
   follow input order as in :func:`assay.dedup.clusters`.

Shuffle volume: ``bands × (4·num_perm + 20)`` bytes per document. No cluster code of our own: Ray
schedules everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import _native
from .._utf8 import utf8_column
from ._cpu import cpu_signatures, text_list
from ._index import LSHIndex, check_unique
from ._options import MinHashOptions

__all__ = ["dedup"]


def _band_rows(
    batch: pa.Table,
    *,
    text_column: str,
    id_column: str,
    bands: int,
    rows: int,
    options: MinHashOptions,
) -> pa.Table:
    column = utf8_column(batch.column(text_column), text_column)  # read in place
    texts = column if column is not None else text_list(batch.column(text_column).to_pylist())
    sigs = cpu_signatures(texts, options)
    n = batch.num_rows
    hashes = _native.lsh_band_hashes(sigs, bands, rows)  # as the single-machine index
    ids = batch.column(id_column)
    take = np.repeat(np.arange(n), bands)
    sig_bytes = pa.array([s.tobytes() for s in sigs], type=pa.binary())
    return pa.table(
        {
            "band": pa.array(np.tile(np.arange(bands, dtype=np.int32), n)),
            "hash": pa.array(hashes.reshape(-1)),
            "id": ids.take(pa.array(take)),
            "sig": sig_bytes.take(pa.array(take)),
        }
    )


def _bucket_edges(group: pa.Table, *, threshold: float) -> pa.Table:
    ids = group.column("id").to_pylist()
    empty = pa.table(
        {
            "a": pa.array([], type=group.schema.field("id").type),
            "b": pa.array([], type=group.schema.field("id").type),
        }
    )
    if len(ids) < 2:
        return empty
    sigs = np.frombuffer(b"".join(group.column("sig").to_pylist()), dtype=np.uint32)
    sigs = sigs.reshape(len(ids), -1)
    a, b = [], []
    for x in range(len(ids)):
        est = (sigs[x + 1 :] == sigs[x]).mean(axis=1)
        for y in np.nonzero(est >= threshold)[0]:
            a.append(ids[x])
            b.append(ids[x + 1 + int(y)])
    if not a:
        return empty
    return pa.table({"a": a, "b": b}, schema=empty.schema)


def dedup(
    dataset: Any,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    lowercase: bool = False,
    strip_punct: bool = False,
    bands: int | None = None,
    text_column: str = "text",
    id_column: str = "id",
    batch_size: int = 4096,
) -> pd.DataFrame:
    """Clusters of a ``ray.data.Dataset`` with columns ``text_column`` and ``id_column``.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``cluster``, ``keep`` in dataset order, equal to :func:`assay.dedup.clusters`
        (``verify="estimate"``) on the same documents in the same order.
    """
    with _order_preserved(dataset):
        return _dedup_in_order(**locals())  # the arguments, as given


@contextmanager
def _order_preserved(dataset: Any) -> Iterator[None]:
    """Keep the dataset's row order for the duration of the call.

    "First in dataset order" needs a stable order; Ray binds a DataContext to each dataset at
    creation, so the option is set on this dataset's own context, not the global one."""
    options = dataset.context.execution_options
    previous = options.preserve_order
    options.preserve_order = True
    try:
        yield
    finally:
        options.preserve_order = previous


def _dedup_in_order(
    dataset: Any,
    threshold: float,
    num_perm: int,
    ngram: int,
    unit: str,
    seed: int,
    lowercase: bool,
    strip_punct: bool,
    bands: int | None,
    text_column: str,
    id_column: str,
    batch_size: int,
) -> pd.DataFrame:
    index = LSHIndex(threshold, num_perm, bands)  # validates and chooses the banding
    n_bands, rows = index.banding
    options = MinHashOptions(num_perm, ngram, unit, seed, None, lowercase, strip_punct)
    order = dataset.select_columns([id_column]).to_pandas()[id_column].tolist()
    check_unique(order)
    band_rows = dataset.map_batches(
        _band_rows,
        batch_format="pyarrow",
        batch_size=batch_size,
        fn_kwargs=dict(
            text_column=text_column, id_column=id_column, bands=n_bands, rows=rows, options=options
        ),
    )
    edges = (
        band_rows.groupby(["band", "hash"])
        .map_groups(_bucket_edges, batch_format="pyarrow", fn_kwargs=dict(threshold=threshold))
        .to_pandas()
    )
    pos = {k: i for i, k in enumerate(order)}
    i = (
        np.array([pos[k] for k in edges["a"]], dtype=np.uint32)
        if len(edges)
        else np.zeros(0, np.uint32)
    )
    j = (
        np.array([pos[k] for k in edges["b"]], dtype=np.uint32)
        if len(edges)
        else np.zeros(0, np.uint32)
    )
    labels, keep = _native.union_find(len(order), i, j)
    return pd.DataFrame({"id": order, "cluster": labels.astype(np.int64), "keep": keep})
