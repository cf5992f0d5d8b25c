"""Answer-matching scores of extractive QA: SQuAD v1.1 / v2.0 exact match and token F1 as
their official evaluation scripts define them, HELM's and lighteval's set-based F1, and
lm-eval's ``exact_match`` with its options."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from .._checks import flag
from .._texts import per_item_references, texts

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCTUATION = frozenset(string.punctuation)
#: pass@k's largest sample count per problem.
MAX_SAMPLES = 10**8


def normalize_answer(s: str) -> str:
    """The official scripts' ``normalize_answer``: lower-case, drop ASCII punctuation, drop the
    words a / an / the, collapse whitespace."""
    text = "".join(ch for ch in s.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def squad(
    predictions: Any,
    answers: Any,
    *,
    version: str = "1.1",
    f1: str = "bag",
) -> dict[str, np.ndarray]:
    """Exact match and token F1 of each prediction, the best over its gold answers.

    ``answers``: per prediction a str or a list of str. ``version="1.1"`` is the v1.1 script;
    ``"2.0"`` adds v2.0's rules (gold answers that normalize to nothing are dropped, and an
    item with none is unanswerable: only an empty prediction scores 1). ``f1="set"`` counts
    distinct tokens with NLTK's ``f_measure`` as HELM and lighteval do; the default ``"bag"``
    is the scripts' ``Counter`` overlap. Returns ``{"exact_match": (N,), "f1": (N,)}``,
    fractions in [0, 1] (the scripts report the mean × 100).
    """
    if not isinstance(version, str) or version not in ("1.1", "2.0"):
        raise ValueError(f"version must be '1.1' or '2.0', got {version!r}")
    if not isinstance(f1, str) or f1 not in ("bag", "set"):
        raise ValueError(f"f1 must be 'bag' or 'set', got {f1!r}")
    preds = texts(predictions, "predictions")
    golds = per_item_references(answers, len(preds), name="answers")
    if version == "2.0":
        golds = [[g for g in gs if normalize_answer(g)] or [""] for gs in golds]
    overlap = "set" if f1 == "set" else f"v{version}"
    # The kernel normalizes ASCII itself; other strings go in normalized (it is idempotent).
    norm = normalize_answer
    table = _native.squad_scores(
        [p if p.isascii() else norm(p) for p in preds],
        [[g if g.isascii() else norm(g) for g in gs] for gs in golds],
        overlap,
    )
    return {"exact_match": table[:, 0].copy(), "f1": table[:, 1].copy()}


def exact_match(
    predictions: Any,
    references: Any,
    *,
    regexes_to_ignore: Sequence[str] | None = None,
    ignore_case: bool = False,
    ignore_punctuation: bool = False,
    ignore_numbers: bool = False,
) -> np.ndarray:
    """lm-eval's ``exact_match`` per item (its mean is lm-eval's score): each pattern of
    ``regexes_to_ignore`` removed, then case, ASCII punctuation and digits dropped as asked,
    then string equality. Shape (N,), 0.0 or 1.0. Like lm-eval, which holds the strings in a
    NumPy array, trailing NUL characters do not count."""
    preds = texts(predictions, "predictions")
    refs = texts(references, "references")
    if len(refs) != len(preds):
        raise ValueError(f"references has {len(refs)} items but there are {len(preds)} predictions")
    ignore_case = flag(ignore_case, "ignore_case")
    ignore_punctuation = flag(ignore_punctuation, "ignore_punctuation")
    ignore_numbers = flag(ignore_numbers, "ignore_numbers")
    patterns = [re.compile(r) for r in regexes_to_ignore or []]
    drop = ""
    if ignore_punctuation:
        drop += string.punctuation
    if ignore_numbers:
        drop += string.digits
    table = str.maketrans("", "", drop)

    def clean(s: str) -> str:
        # NumPy's fixed-width strings, which lm-eval stores them in after each step, drop
        # trailing NULs.
        for p in patterns:
            s = p.sub("", s).rstrip("\x00")
        s = s.rstrip("\x00")
        if ignore_case:
            s = s.lower()
        return s.translate(table).rstrip("\x00")

    return np.array([clean(p) == clean(r) for p, r in zip(preds, refs, strict=True)], dtype=float)


def pass_at_k(n: Any, c: Any, k: int) -> np.ndarray:
    """pass@k per problem, the unbiased estimator of the Codex paper (Chen et al., 2021):
    ``1 - C(n-c, k) / C(n, k)`` for ``n`` samples of which ``c`` passed, computed in the
    reference code's product form and order (same floats). ``n`` and ``c``: integer arrays of
    shape (P,) (or scalars); ``k`` ≤ every n. Returns float64 (P,)."""
    n_arr = np.atleast_1d(np.asarray(n))
    c_arr = np.atleast_1d(np.asarray(c))
    for name, arr in (("n", n_arr), ("c", c_arr)):
        if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "b" and name == "c"):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if n_arr.shape != c_arr.shape:
        if n_arr.size == 1:
            n_arr = np.broadcast_to(n_arr, c_arr.shape)
        else:
            raise ValueError(f"n has shape {n_arr.shape} but c has {c_arr.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    for name, arr in (("n", n_arr), ("c", c_arr)):
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]]} is negative")
    bad = np.flatnonzero(c_arr > n_arr)
    if bad.size:
        i = bad[0]
        raise ValueError(f"c[{i}] = {c_arr[i]} exceeds n[{i}] = {n_arr[i]}")
    big = np.flatnonzero(n_arr > MAX_SAMPLES)
    if big.size:
        i = big[0]
        raise ValueError(
            f"n[{i}] = {n_arr[i]} samples: the estimator multiplies c factors per problem; "
            f"above {MAX_SAMPLES:,} this is surely not a sample count"
        )
    bad = np.flatnonzero(n_arr < k)
    if bad.size:
        i = bad[0]
        raise ValueError(f"k = {k} exceeds n[{i}] = {n_arr[i]} (pass@k needs at least k samples)")
    out = _native.pass_at_k_estimates(
        n_arr.astype(np.uint64).tolist(), c_arr.astype(np.uint64).tolist(), int(k)
    )
    return np.asarray(out, dtype=np.float64)
