"""chrF and chrF++ as sacrebleu 2.x computes them: per-segment statistics in Rust (character
and word n-grams, the best reference by sentence F-score), the score from them in sacrebleu's
own float operations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _native
from .._checks import choice, integer
from .._texts import hypotheses_and_references, predictions_and_references

CHAR_ORDER, WORD_ORDER, BETA = 6, 0, 2


@dataclass
class CHRFScore:
    """A chrF score with sacrebleu's fields and ``str()`` (``chrF2 = 55.23``, ``chrF2++``)."""

    score: float
    char_order: int
    word_order: int
    beta: int

    @property
    def name(self) -> str:
        return f"chrF{self.beta}" + "+" * self.word_order

    def format(self, width: int = 2, score_only: bool = False, signature: str = "") -> str:
        sc = f"{self.score:.{width}f}"
        if score_only:
            return sc
        head = f"{self.name}|{signature}" if signature else self.name
        return f"{head} = {sc}"

    def __str__(self) -> str:
        return self.format()


def f_score(stats: Sequence[int], beta: int, eps_smoothing: bool) -> float:
    """sacrebleu's ``CHRF._compute_f_score`` of summed statistics ([hyp, ref, match] per
    order), operation for operation."""
    eps = 1e-16
    score = 0.0
    effective_order = 0
    factor = beta**2
    avg_prec, avg_rec = 0.0, 0.0
    order = len(stats) // 3
    for i in range(order):
        n_hyp, n_ref, n_match = stats[3 * i : 3 * i + 3]
        prec = n_match / n_hyp if n_hyp > 0 else eps
        rec = n_match / n_ref if n_ref > 0 else eps
        denom = factor * prec + rec
        score += ((1 + factor) * prec * rec / denom) if denom > 0 else eps
        if n_hyp > 0 and n_ref > 0:
            avg_prec += prec
            avg_rec += rec
            effective_order += 1
    if eps_smoothing:
        return 100 * score / order
    if effective_order == 0:
        avg_prec = avg_rec = 0.0
    else:
        avg_prec /= effective_order
        avg_rec /= effective_order
    if avg_prec + avg_rec:
        score = (1 + factor) * avg_prec * avg_rec
        score /= (factor * avg_prec) + avg_rec
        return 100 * score
    return 0.0


def _statistics(
    hyps: list[str],
    refs: list[list[str]],
    char_order: int,
    word_order: int,
    beta: int,
    lowercase: bool,
    whitespace: bool,
    eps_smoothing: bool,
) -> np.ndarray:
    char_order = integer(char_order, "char_order", 1, 6)
    word_order = integer(word_order, "word_order", 0, 4)
    beta = integer(beta, "beta", 1, 1000)
    if lowercase:
        hyps = [h.lower() for h in hyps]
        refs = [[r.lower() for r in rs] for rs in refs]
    stats = _native.chrf_statistics(
        hyps, refs, char_order, word_order, beta, whitespace, eps_smoothing
    )
    return stats.astype(np.int64)


def chrf(
    predictions: Any,
    references: Any,
    *,
    level: str = "sentence",
    char_order: int = CHAR_ORDER,
    word_order: int = WORD_ORDER,
    beta: int = BETA,
    lowercase: bool = False,
    whitespace: bool = False,
    eps_smoothing: bool = False,
) -> np.ndarray | CHRFScore:
    """chrF (``word_order=2``: chrF++) of predictions against their references, equal to
    sacrebleu's: ``"sentence"`` gives shape (N,) scores, ``"corpus"`` one :class:`CHRFScore`.
    References: a str or a list of str per prediction (the best one counts, as sacrebleu)."""
    choice(level, "level", ("sentence", "corpus"))
    hyps, refs = predictions_and_references(predictions, references)
    stats = _statistics(
        hyps, refs, char_order, word_order, beta, lowercase, whitespace, eps_smoothing
    )
    if level == "corpus":
        total = [int(x) for x in stats.sum(axis=0)]
        return CHRFScore(f_score(total, beta, eps_smoothing), char_order, word_order, beta)
    return np.array([f_score(r, beta, eps_smoothing) for r in stats.tolist()], dtype=np.float64)


def corpus_chrf(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    char_order: int = CHAR_ORDER,
    word_order: int = WORD_ORDER,
    beta: int = BETA,
    remove_whitespace: bool = True,
    eps_smoothing: bool = False,
    lowercase: bool = False,
) -> CHRFScore:
    """``sacrebleu.corpus_chrf`` (reference streams), the same float."""
    hyps, per_segment = hypotheses_and_references(hypotheses, references)
    stats = _statistics(
        hyps, per_segment, char_order, word_order, beta, lowercase, not remove_whitespace,
        eps_smoothing,
    )  # fmt: skip
    total = [int(x) for x in stats.sum(axis=0)]
    return CHRFScore(f_score(total, beta, eps_smoothing), char_order, word_order, beta)
