"""Scores lm-evaluation-harness computes from log-likelihoods: multiple-choice accuracy
(acc, acc_norm, acc_bytes), TruthfulQA MC2, and the perplexity-type aggregations, vectorised
over every document at once and equal to lm-eval's floats."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _ragged(values: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Flat float64 values and per-document starts (plus the end) from a 2-D array or a
    sequence of per-document sequences."""
    if isinstance(values, np.ndarray) and values.ndim == 2:
        flat = np.ascontiguousarray(values, dtype=np.float64).ravel()
        width = values.shape[1]
        return flat, np.arange(values.shape[0] + 1, dtype=np.int64) * width
    try:
        rows = [np.asarray(v, dtype=np.float64).ravel() for v in values]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers, one sequence per document") from None
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    flat = np.concatenate(rows) if rows else np.empty(0)
    return flat, starts


def _check_lls(flat: np.ndarray, starts: np.ndarray, name: str) -> None:
    if len(starts) < 2:
        raise ValueError(f"{name} is empty: no documents")
    empty = np.flatnonzero(np.diff(starts) == 0)
    if len(empty):
        raise ValueError(f"{name}: document {int(empty[0])} has no choices")
    nan = np.flatnonzero(np.isnan(flat))
    if len(nan):
        doc = int(np.searchsorted(starts, nan[0], side="right") - 1)
        raise ValueError(f"{name}: document {doc} has a NaN log-likelihood")


def _argmax(flat: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``np.argmax`` of each document's segment: the first maximum, or the first NaN."""
    lengths = np.diff(starts)
    doc = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(flat))
    nan = np.isnan(flat)
    best = np.maximum.reduceat(np.where(nan, -np.inf, flat), starts[:-1])
    hit = np.where(nan | (flat == best[doc]), position, len(flat))
    first_nan = np.minimum.reduceat(np.where(nan, position, len(flat)), starts[:-1])
    first_max = np.minimum.reduceat(hit, starts[:-1])
    has_nan = first_nan < len(flat)
    index: np.ndarray = np.where(has_nan, first_nan, first_max) - starts[:-1]
    return index


def multiple_choice(
    loglikelihoods: Sequence[Sequence[float]] | np.ndarray,
    choices: Sequence[Sequence[str]],
    gold: Sequence[int] | np.ndarray,
) -> pd.DataFrame:
    """lm-eval's multiple-choice scores for every document.

    Parameters
    ----------
    loglikelihoods : (docs, choices) array or a sequence of per-document sequences
        The log-likelihood of each choice's continuation.
    choices : sequence of per-document sequences of str
        The choices' texts: ``acc_norm`` divides by their length in characters,
        ``acc_bytes`` by their length in UTF-8 bytes, as lm-eval does.
    gold : sequence of int
        The index of the correct choice. An index past the choices scores 0 with a warning,
        as lm-eval does.

    Returns
    -------
    DataFrame with one row per document: ``acc, acc_norm, acc_bytes`` (0.0 / 1.0) and the
    chosen indices ``pred, pred_norm, pred_bytes``.
    """
    flat, starts = _ragged(loglikelihoods, "loglikelihoods")
    _check_lls(flat, starts, "loglikelihoods")
    docs = len(starts) - 1
    if isinstance(choices, (str, bytes)) or not hasattr(choices, "__len__"):
        raise TypeError(
            f"choices must be per-document sequences of str, got {type(choices).__name__}"
        )
    if any(isinstance(row, (str, bytes)) or not hasattr(row, "__len__") for row in choices):
        raise TypeError("choices must hold one sequence of str per document")
    if len(choices) != docs:
        raise ValueError(f"choices has {len(choices)} documents, loglikelihoods {docs}")
    texts = [c for row in choices for c in row]
    counts = np.array([len(row) for row in choices])
    mismatch = np.flatnonzero(counts != np.diff(starts))
    if len(mismatch):
        d = int(mismatch[0])
        raise ValueError(
            f"choices: document {d} has {counts[d]} choices but {np.diff(starts)[d]} "
            "log-likelihoods"
        )
    try:
        arrow = pa.array(texts, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        bad = next(i for i, t in enumerate(texts) if not isinstance(t, str))
        doc = int(np.searchsorted(starts, bad, side="right") - 1)
        raise TypeError(f"choices: document {doc} holds a non-string choice") from None
    if arrow.null_count:
        raise TypeError("choices: a choice is None")
    characters = pc.utf8_length(arrow).to_numpy(zero_copy_only=False).astype(np.float64)
    nbytes = pc.binary_length(arrow).to_numpy(zero_copy_only=False).astype(np.float64)
    gold_arr = np.asarray(gold)
    if gold_arr.shape != (docs,) or gold_arr.dtype.kind not in "iu":
        raise ValueError(
            f"gold must be {docs} integer indices, got {gold_arr.dtype} {gold_arr.shape}"
        )
    outside = (gold_arr < 0) | (gold_arr >= np.diff(starts))
    if outside.any():
        warnings.warn(
            f"gold: {int(outside.sum())} documents (first {int(np.flatnonzero(outside)[0])}) "
            "name a choice that does not exist; they score 0, as in lm-eval",
            stacklevel=2,
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        pred = _argmax(flat, starts)
        pred_norm = _argmax(flat / characters, starts)
        pred_bytes = _argmax(flat / nbytes, starts)
    hit = ~outside
    return pd.DataFrame(
        {
            "acc": ((pred == gold_arr) & hit).astype(np.float64),
            "acc_norm": ((pred_norm == gold_arr) & hit).astype(np.float64),
            "acc_bytes": ((pred_bytes == gold_arr) & hit).astype(np.float64),
            "pred": pred,
            "pred_norm": pred_norm,
            "pred_bytes": pred_bytes,
        }
    )


def truthfulqa_mc2(
    loglikelihoods: Sequence[Sequence[float]] | np.ndarray,
    labels: Sequence[Sequence[int]] | np.ndarray,
) -> np.ndarray:
    """TruthfulQA MC2 per document, as lm-eval's ``process_results_mc2``: the probability mass
    of the true answers, ``exp(ll)`` normalized over all of the document's answers.

    ``labels`` holds 1 for a true answer and 0 for a false one, aligned with the
    log-likelihoods. Returns shape (docs,).
    """
    flat, starts = _ragged(loglikelihoods, "loglikelihoods")
    _check_lls(flat, starts, "loglikelihoods")
    lab, lab_starts = _ragged(labels, "labels")
    if not np.array_equal(lab_starts, starts):
        raise ValueError("labels must have one label per log-likelihood in every document")
    if not np.isin(lab, (0, 1)).all():
        raise ValueError("labels must be 0 or 1")
    probs = np.exp(flat)
    out = np.empty(len(starts) - 1)
    # np.sum of a handful of values adds in order below 8 and pairwise above: keep NumPy's
    # own sum per document so the floats are lm-eval's.
    for d in range(len(out)):
        p = probs[starts[d] : starts[d + 1]]
        norm = p / np.sum(p)
        out[d] = np.sum(norm[lab[starts[d] : starts[d + 1]] == 1])
    return out


def _python_mean(values: np.ndarray) -> float:
    """lm-eval's ``mean``: CPython's ``sum()`` (plain or compensated, as the interpreter
    running) divided by the count."""
    total: float = sum(values.tolist())
    return total / len(values)


def _finite(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a flat sequence of numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers, got shape {arr.shape}")
    if not len(arr):
        raise ValueError(f"{name} is empty")
    bad = np.flatnonzero(np.isnan(arr))
    if len(bad):
        raise ValueError(f"{name}: item {int(bad[0])} is NaN")
    return arr


def _exp(x: float, what: str) -> float:
    """``math.exp``, whose overflow (as in lm-eval) is named: ``what`` is past float64."""
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"{what} = exp({x:.6g}) is beyond float64 (log-likelihoods this negative are "
            "likely not log-probabilities)"
        ) from None


def perplexity(loglikelihoods: Sequence[float] | np.ndarray) -> float:
    """lm-eval's ``perplexity`` aggregation: ``exp(-mean(ll))``."""
    return _exp(-_python_mean(_finite(loglikelihoods, "loglikelihoods")), "perplexity")


def _weighted_mean(loglikelihoods: Any, counts: Any, name: str = "counts") -> float:
    ll = _finite(loglikelihoods, "loglikelihoods")
    n = np.asarray(counts).ravel()
    if n.shape != ll.shape:
        raise ValueError(f"{name} must have {len(ll)} entries, got {n.shape}")
    if n.dtype.kind not in "iu" or (n < 0).any():
        raise ValueError(f"{name} must be non-negative integers (words or bytes per document)")
    total = int(n.sum())
    if total == 0:
        raise ValueError("counts add up to 0")
    numerator: float = sum(ll.tolist())
    return numerator / total


def weighted_perplexity(loglikelihoods: Any, counts: Any) -> float:
    """lm-eval's ``word_perplexity`` / ``byte_perplexity``: ``exp(-Σll / Σcount)``."""
    return _exp(-_weighted_mean(loglikelihoods, counts), "weighted perplexity")


def bits_per_byte(loglikelihoods: Any, n_bytes: Any) -> float:
    """lm-eval's ``bits_per_byte``: ``-Σll / Σbytes / ln 2``."""
    return -_weighted_mean(loglikelihoods, n_bytes, "n_bytes") / math.log(2)
