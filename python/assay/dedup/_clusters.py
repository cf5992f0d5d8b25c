"""``clusters``: near-duplicate clusters of texts or files, streamed in batches."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._checks import integer_in
from .._documents import batches, is_paths, iter_batches
from .._utf8 import Utf8Column
from ._cpu import named_text_errors, text_list
from ._index import LSHIndex, check_unique
from ._minhash import as_texts, signatures
from ._options import MinHashOptions, cuda_index


def clusters(
    texts_or_paths: Any,
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    lowercase: bool = False,
    strip_punct: bool = False,
    bands: int | None = None,
    verify: str = "exact",
    ids: Sequence[Any] | None = None,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
    batch_size: int = 10_000,
    progress: bool | None = None,
    device: str = "cpu",
) -> pd.DataFrame:
    """Near-duplicate clusters, streamed in batches.

    Documents are texts in memory (a sequence of str) or files: a path, a folder or a sequence of
    ``pathlib.Path`` (JSONL with ``text_field``, Parquet, ``.txt``/``.md``). Candidate pairs from
    the LSH index are verified by the exact Jaccard similarity of their shingle sets (the default,
    ``verify="exact"``; files are read a second time for the documents in candidate pairs), by
    the Jaccard similarity their signatures estimate (``"estimate"``: no second pass, but pairs
    within one cluster share signatures, so a seed can drop a sizeable share of true pairs: see
    benches/RESULTS.md) or not at all (``"none"``); clusters are the
    connected components of verified pairs (union-find). Memory: the signatures (4·num_perm bytes
    per document), one batch of text, and for ``"exact"`` the shingle sets of the documents in
    candidate pairs (in memory, the texts too).
    Empty documents share the empty signature, so they form one cluster (datasketch likewise
    estimates their similarity as 1). ``device="cuda"`` computes the signatures on the GPU (as
    ``minhash``; the same clusters).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``cluster`` (numbered by first member in input order) and ``keep`` (True for
        the first document of each cluster in input order), one row per document in input order.
    """
    if verify not in ("estimate", "exact", "none"):
        raise ValueError(f"verify must be 'estimate', 'exact' or 'none', got {verify!r}")
    in_memory = not is_paths(texts_or_paths)
    batch_size = integer_in("batch_size", batch_size, 1, 1 << 30)
    cuda = cuda_index(device)
    n_bands, rows = LSHIndex(threshold, num_perm, bands).banding  # checks and chooses them
    options = MinHashOptions(num_perm, ngram, unit, seed, None, lowercase, strip_punct)
    clusterer = _native.Clusterer(
        num_perm=options.num_perm, ngram=options.ngram, unit=options.unit, case=options.case,
        strip_punct=options.strip_punct, seed=options.seed, bands=n_bands, rows=rows,
        threshold=float(threshold),
    )  # fmt: skip

    def read() -> Any:
        if in_memory:  # checked once here; already-validated texts are batched as they are
            return batches(enumerate(text_list(texts_or_paths, "texts_or_paths")), batch_size)
        return iter_batches(
            texts_or_paths, batch_size, text_field=text_field, id_field=id_field, errors=errors
        )

    all_ids: list[Any] = []
    kept_texts: list[str] = []
    show = sys.stderr.isatty() if progress is None else progress
    from tqdm.auto import tqdm

    with tqdm(desc="minhash", unit="doc", disable=not show) as bar:
        for batch_ids, texts in read():
            _add(clusterer, as_texts(texts), options, cuda)  # one native call
            all_ids.extend(batch_ids)
            if verify == "exact" and in_memory:
                kept_texts.extend(texts)
            bar.update(len(texts))
    if ids is not None:
        ids = list(ids)
        if len(ids) != len(all_ids):
            raise ValueError(f"ids has {len(ids)} entries for {len(all_ids)} documents")
        all_ids = ids
    check_unique(all_ids)
    if verify == "exact":
        needed = clusterer.needed()
        if in_memory:
            clusterer.add_shingles(needed, [kept_texts[int(k)] for k in needed])
        elif len(needed):  # a second pass shingles the documents of candidate pairs only
            _shingle_needed(clusterer, read(), needed)
    labels, keep = clusterer.finish(verify)
    return pd.DataFrame({"id": all_ids, "cluster": labels.astype(np.int64), "keep": keep})


def _add(clusterer: Any, texts: list[str] | Utf8Column, options: MinHashOptions, cuda: Any) -> None:
    """Signs and indexes a batch: one native call (one per chunk of an Arrow column); on a GPU
    the signatures come from there."""
    if cuda is not None:
        clusterer.add_signatures(signatures(texts, options, cuda))
    elif isinstance(texts, Utf8Column):
        for first, data, offsets in texts.chunks:
            clusterer.add_utf8(data, offsets, first)
    else:
        named_text_errors(texts, lambda: clusterer.add(texts))


def _shingle_needed(clusterer: Any, docs: Any, needed: np.ndarray) -> None:
    """Hands the texts at ``needed`` (ascending positions) of a stream of (ids, texts) batches
    to the clusterer, one call per batch."""
    start, k = 0, 0
    for _, texts in docs:
        end = start + len(texts)
        stop = int(np.searchsorted(needed, end))
        if stop > k:
            at = needed[k:stop]
            chosen = [texts[int(p) - start] for p in at]
            clusterer.add_shingles(at, [t.as_py() if hasattr(t, "as_py") else t for t in chosen])
        k, start = stop, end
    if k != len(needed):
        raise RuntimeError("the files changed between the two passes of verify='exact'")
