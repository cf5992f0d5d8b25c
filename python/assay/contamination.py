"""Benchmark contamination: exact n-gram overlap and MinHash near-duplicates against a corpus.

Normalization (default) follows lm-evaluation-harness's decontamination ``Janitor``: A–Z
lower-cased, Python's ``string.punctuation`` deleted, split on whitespace (after Unicode NFC, a
no-op for ASCII). An item's n-grams (13 by default) are looked up in every corpus document in one
streaming pass. Per item the report gives the share of its n-grams found anywhere in the corpus,
the longest shared span (tokens) and the document it came from; the item is contaminated when it
shares at least one n-gram (lm-evaluation-harness's rule) or its estimated Jaccard similarity
(MinHash on word 5-grams) with a corpus document reaches ``threshold``. Items with fewer than
``ngram`` tokens have no n-gram: their ``overlap`` is 0 and only the MinHash test applies.
"""

from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._checks import integer_in as _check_int
from ._documents import iter_batches, iter_documents
from ._utf8 import utf8_column
from .dedup import minhash

__all__ = ["Report", "contamination"]

_NONE32 = np.iinfo(np.uint32).max
_MINHASH_NGRAM = 5  # word 5-grams for the near-duplicate test
_MINHASH_SEED = 1


@dataclass
class Report:
    """Contamination of a benchmark.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per benchmark item: ``item``, ``n_ngrams``, ``overlap`` (fraction of the item's
        n-grams found in the corpus), ``longest_match`` (tokens), ``source`` (corpus document id of
        the longest match, None without one), ``source_token`` / ``item_token`` (token offsets of
        that match), ``near_duplicate`` (corpus id with the highest estimated Jaccard ≥ threshold),
        ``jaccard`` (that estimate, 0 without one), ``contaminated``.
    contaminated_share : float
        Fraction of items flagged as contaminated.
    ngram, threshold : int, float
    n_documents : int
        Corpus documents scanned.
    """

    items: pd.DataFrame
    contaminated_share: float
    ngram: int
    threshold: float
    n_documents: int

    def __str__(self) -> str:
        flagged = self.items[self.items["contaminated"]]
        lines = [
            f"{len(flagged)} of {len(self.items)} benchmark items contaminated "
            f"({self.contaminated_share:.1%}); {self.ngram}-gram overlap or MinHash Jaccard >= "
            f"{self.threshold} against {self.n_documents} corpus documents",
        ]
        if len(flagged):
            cols = ["item", "overlap", "longest_match", "source", "jaccard", "near_duplicate"]
            lines.append(flagged[cols].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        return "\n".join(lines)


def _items(benchmark: Any, text_field: str, id_field: str | None) -> tuple[list[Any], list[str]]:
    ids, texts = [], []
    for doc_id, text in iter_documents(
        benchmark, text_field=text_field, id_field=id_field, argument="benchmark"
    ):
        ids.append(doc_id)
        texts.append(text)
    if not texts:
        raise ValueError("benchmark is empty: no items to check")
    if len(set(map(repr, ids))) != len(ids):
        raise ValueError("benchmark ids must be unique")
    return ids, texts


def contamination(
    benchmark: Any,
    corpus: Any,
    *,
    ngram: int = 13,
    threshold: float = 0.8,
    num_perm: int = 128,
    lm_eval_normalization: bool = True,
    lm_eval_normalisation: bool | None = None,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
    batch_size: int = 10_000,
    progress: bool | None = None,
) -> Report:
    """Checks benchmark items against a training corpus.

    Parameters
    ----------
    benchmark : sequence of str, or path(s)
        Items (texts in memory, or JSONL / Parquet / text files as in :mod:`assay.dedup`).
    corpus : sequence of str, or path(s)
        Training documents, streamed in batches of ``batch_size`` (fewer rows from Parquet
        files of long documents: about 64 MB of text a batch at most).
    ngram : int
        n-gram length in tokens (13 as lm-evaluation-harness).
    threshold : float
        Estimated Jaccard (word 5-gram MinHash) at which an item counts as a near duplicate.
    lm_eval_normalization : bool
        ASCII lower-case and delete punctuation (True) or compare tokens as written.
    lm_eval_normalisation : bool, optional
        The earlier spelling of ``lm_eval_normalization`` (deprecated; warns).

    Returns
    -------
    Report
    """
    if lm_eval_normalisation is not None:
        warnings.warn(
            "lm_eval_normalisation is deprecated; pass lm_eval_normalization",
            DeprecationWarning,
            stacklevel=2,
        )
        lm_eval_normalization = lm_eval_normalisation
    ngram = _check_int("ngram", ngram, 1, 1 << 20)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    ids, texts = _items(benchmark, text_field, id_field)
    case, strip = ("ascii", True) if lm_eval_normalization else ("keep", False)
    num_perm = _check_int("num_perm", num_perm, 1, 1 << 16)
    batch_size = _check_int("batch_size", batch_size, 1, 1 << 30)
    minhash_case = "lower" if lm_eval_normalization else "keep"
    # Documents are scanned and signed from one tokenisation (minhash's own family, seed 1).
    sign = (num_perm, _MINHASH_NGRAM, minhash_case, strip, _MINHASH_SEED)
    item_sigs = minhash(
        texts,
        num_perm=num_perm,
        ngram=_MINHASH_NGRAM,
        lowercase=lm_eval_normalization,
        strip_punct=strip,
        seed=_MINHASH_SEED,
    )
    # one native call a batch: n-gram runs, signatures and the items' near duplicates
    scanner = _native.NgramScanner(
        texts, ngram=ngram, case=case, strip_punct=strip, sign=sign,
        near=(item_sigs, float(threshold)),
    )  # fmt: skip
    doc_ids: dict[int, Any] = {}  # only documents some item currently points at: O(items)
    n_docs = 0
    show = sys.stderr.isatty() if progress is None else progress
    from tqdm.auto import tqdm

    docs = iter_batches(
        corpus,
        batch_size,
        text_field=text_field,
        id_field=id_field,
        errors=errors,
        argument="corpus",
    )
    with tqdm(desc="contamination", unit="doc", disable=not show) as bar:
        for batch_ids, batch in docs:
            start = n_docs
            referenced = _scan(scanner, batch, start)
            n_docs += len(batch)
            if referenced is not None:
                doc_ids = {
                    d: doc_ids[d] if d < start else batch_ids[d - start]
                    for d in referenced.tolist()
                }
            bar.update(len(batch))
    n_ngrams, matched, longest, doc, doc_start, item_start = scanner.results()
    best_j, best_doc = scanner.near_results()
    has = longest > 0
    overlap = np.divide(matched, n_ngrams, out=np.zeros(len(texts)), where=n_ngrams > 0)
    frame = pd.DataFrame(
        {
            "item": ids,
            "n_ngrams": n_ngrams.astype(np.int64),
            "overlap": overlap,
            "longest_match": np.where(has, longest.astype(np.int64) + ngram - 1, 0),
            "source": pd.Series(
                [doc_ids[d] if h else None for d, h in zip(doc.tolist(), has, strict=False)],
                dtype=object,
            ),
            "source_token": np.where(has, doc_start.astype(np.int64), -1),
            "item_token": np.where(has, item_start.astype(np.int64), -1),
            "near_duplicate": pd.Series(
                [doc_ids[d] if d >= 0 else None for d in best_doc.tolist()], dtype=object
            ),
            "jaccard": best_j,
        }
    )
    frame["contaminated"] = has | (best_j >= threshold)
    share = float(frame["contaminated"].mean())
    return Report(frame, share, ngram, float(threshold), n_docs)


def _scan(scanner: _native.NgramScanner, batch: Any, start: int) -> np.ndarray | None:
    """Scans a batch of documents numbered from ``start`` (a list of str, or an Arrow string
    column read in place: one call per chunk) and returns the documents the results point at
    after it, ascending (None for a column of no chunks: nothing changed)."""
    column = None if isinstance(batch, list) else utf8_column(batch, "corpus")
    if column is None:
        return scanner.scan_near(batch, start)
    referenced = None
    for first, data, offsets in column.chunks:
        referenced = scanner.scan_near_utf8(data, offsets, start + first)
    return referenced
