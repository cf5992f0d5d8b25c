"""Exact Jaccard similarity of shingle sets, for verifying candidate pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from .._checks import integer_in
from ._cpu import text_list
from ._options import UNITS


def positions(values: Any, name: str, n: int) -> np.ndarray:
    """``values`` as uint32 positions into ``n`` texts, checked."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer positions, got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 0) | (arr >= n)) if arr.size else np.array([], dtype=np.intp)
    if bad.size:
        k = int(bad[0])
        raise ValueError(f"{name}[{k}] = {arr[k]} is not a position in the {n} texts")
    return np.ascontiguousarray(arr, dtype=np.uint32)


def exact_jaccard(
    texts: Sequence[str],
    i: Any,
    j: Any,
    *,
    ngram: int = 5,
    unit: str = "word",
    lowercase: bool = False,
    strip_punct: bool = False,
) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of ``texts[i[k]]`` and ``texts[j[k]]``.

    Shingles are compared by their 64-bit hashes (a collision needs ~2**32 shingles per pair).
    Two empty sets have similarity 1.

    Returns
    -------
    numpy.ndarray
        (len(i),) float64.
    """
    texts = text_list(texts)
    ia, ja = positions(i, "i", len(texts)), positions(j, "j", len(texts))
    if len(ia) != len(ja):
        raise ValueError(f"i and j must have the same length, got {len(ia)} and {len(ja)}")
    if unit not in UNITS:
        raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")
    return _native.exact_jaccard(
        texts,
        ia,
        ja,
        ngram=integer_in("ngram", ngram, 1, 1 << 20),
        unit=unit,
        case="lower" if lowercase else "keep",
        strip_punct=bool(strip_punct),
    )
