"""BLEU as sacrebleu 2.x computes it: per-segment statistics in Rust (tokenization, clipped
n-gram matches), the score from them in sacrebleu's own float operations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _native
from .._checks import choice, integer
from .._texts import hypotheses_and_references, predictions_and_references
from ._intl import tokenize_intl

#: Smoothing methods and their default values (Chen and Cherry, WMT 2014), as sacrebleu.
SMOOTH_DEFAULTS: dict[str, float | None] = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}
MAX_NGRAM_ORDER = 4


@dataclass
class BLEUScore:
    """A BLEU score with sacrebleu's fields and ``str()`` format."""

    score: float
    counts: list[Any]
    totals: list[Any]
    precisions: list[float]
    bp: float
    sys_len: int
    ref_len: int
    name: str = field(default="BLEU", repr=False)

    @property
    def ratio(self) -> float:
        return self.sys_len / self.ref_len if self.ref_len else 0

    def format(self, width: int = 2, score_only: bool = False, signature: str = "") -> str:
        """sacrebleu's line: ``BLEU = 32.15 65.1/40.3/26.8/18.1 (BP = 0.977 ratio = ...)``."""
        sc = f"{self.score:.{width}f}"
        if score_only:
            return sc
        prec = "/".join(f"{p:.1f}" for p in self.precisions)
        verbose = (
            f"{prec} (BP = {self.bp:.3f} ratio = {self.ratio:.3f} hyp_len = {self.sys_len:d} "
            f"ref_len = {self.ref_len:d})"
        )
        head = f"{self.name}|{signature}" if signature else self.name
        return f"{head} = {sc} {verbose}"

    def __str__(self) -> str:
        return self.format()


def _log(x: float) -> float:
    return -9999999999 if x == 0.0 else math.log(x)


def compute_bleu(
    correct: list[Any],
    total: list[Any],
    sys_len: int,
    ref_len: int,
    smooth_method: str = "none",
    smooth_value: float | None = None,
    effective_order: bool = False,
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> BLEUScore:
    """BLEU from its sufficient statistics, in sacrebleu's ``BLEU.compute_bleu`` operations
    (brevity penalty, smoothing, effective order, the floored log), so the float is its."""
    if not isinstance(smooth_method, str) or smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(
            f"smooth_method: unknown method {smooth_method!r}; use one of {list(SMOOTH_DEFAULTS)}"
        )
    if smooth_value is None:
        smooth_value = SMOOTH_DEFAULTS[smooth_method]
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    precisions = [0.0] * max_ngram_order
    if not any(correct):
        return BLEUScore(0.0, correct, total, precisions, bp, sys_len, ref_len)
    smooth_mteval = 1.0
    eff_order = max_ngram_order
    for n in range(1, len(precisions) + 1):
        if smooth_method == "add-k" and n > 1:
            correct[n - 1] += smooth_value
            total[n - 1] += smooth_value
        if total[n - 1] == 0:
            break
        if effective_order:
            eff_order = n
        if correct[n - 1] == 0:
            if smooth_method == "exp":
                smooth_mteval *= 2
                precisions[n - 1] = 100.0 / (smooth_mteval * total[n - 1])
            elif smooth_method == "floor":
                assert smooth_value is not None
                precisions[n - 1] = 100.0 * smooth_value / total[n - 1]
        else:
            precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1]
    score = bp * math.exp(sum([_log(p) for p in precisions[:eff_order]]) / eff_order)
    return BLEUScore(score, correct, total, precisions, bp, sys_len, ref_len)


def bleu_statistics(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    tokenize: str = "13a",
    lowercase: bool = False,
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> np.ndarray:
    """Per-segment BLEU statistics, shape (N, 2 + 2·max_ngram_order), int64:
    ``sys_len, ref_len, correct_1..n, total_1..n``. ``references`` are sacrebleu's streams
    (one list per reference, aligned with the hypotheses; ``None`` marks a missing one)."""
    hyps, per_segment = hypotheses_and_references(hypotheses, references)
    return _statistics(hyps, per_segment, tokenize, lowercase, max_ngram_order)


def _statistics(
    hyps: list[str],
    per_segment: list[list[str]],
    tokenize: str,
    lowercase: bool,
    max_ngram_order: int,
) -> np.ndarray:
    # the tokenizer name and the order's range are checked once, by the kernel
    max_ngram_order = integer(max_ngram_order, "max_ngram_order")
    if not isinstance(tokenize, str):
        raise TypeError(f"tokenize must be a str, got {type(tokenize).__name__}")

    def prepare(text: str) -> str:  # sacrebleu's _preprocess_segment before tokenizing
        return (text.lower() if lowercase else text).rstrip()

    if tokenize == "intl":
        plain = prepare

        def prepare(text: str) -> str:
            return tokenize_intl(plain(text))

        tokenize = "none"
    stats = _native.bleu_statistics(
        [prepare(h) for h in hyps],
        [[prepare(r) for r in refs] for refs in per_segment],
        tokenize,
        max_ngram_order,
    )
    return stats.astype(np.int64)


def _score(
    row: Sequence[int],
    smooth_method: str,
    smooth_value: float | None,
    effective_order: bool,
    max_ngram_order: int,
) -> BLEUScore:
    k = max_ngram_order
    return compute_bleu(
        [int(x) for x in row[2 : 2 + k]],
        [int(x) for x in row[2 + k : 2 + 2 * k]],
        int(row[0]),
        int(row[1]),
        smooth_method,
        smooth_value,
        effective_order,
        k,
    )


def corpus_bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    tokenize: str = "13a",
    lowercase: bool = False,
    use_effective_order: bool = False,
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> BLEUScore:
    """Corpus BLEU equal to ``sacrebleu.corpus_bleu`` (same arguments and defaults)."""
    hyps, per_segment = hypotheses_and_references(hypotheses, references)
    return _scores(
        hyps, per_segment, "corpus", smooth_method, smooth_value, tokenize, lowercase,
        use_effective_order, max_ngram_order,
    )  # type: ignore[return-value]  # fmt: skip


def sentence_bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    tokenize: str = "13a",
    lowercase: bool = False,
    use_effective_order: bool = True,
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> np.ndarray:
    """Sentence BLEU of every hypothesis, shape (N,), each equal to ``sacrebleu.sentence_bleu``
    of that hypothesis and its references (``use_effective_order`` True, as sacrebleu's
    sentence-level default)."""
    hyps, per_segment = hypotheses_and_references(hypotheses, references)
    return _scores(
        hyps, per_segment, "sentence", smooth_method, smooth_value, tokenize, lowercase,
        use_effective_order, max_ngram_order,
    )  # type: ignore[return-value]  # fmt: skip


def _scores(
    hyps: list[str],
    refs: list[list[str]],
    level: str,
    smooth_method: str,
    smooth_value: float | None,
    tokenize: str,
    lowercase: bool,
    effective: bool,
    max_ngram_order: int,
) -> np.ndarray | BLEUScore:
    """Sentence scores (N,) or the corpus score from per-segment references."""
    if not isinstance(smooth_method, str) or smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(
            f"smooth_method: unknown method {smooth_method!r}; use one of {list(SMOOTH_DEFAULTS)}"
        )
    stats = _statistics(hyps, refs, tokenize, lowercase, max_ngram_order)
    if level == "corpus":
        total = [int(x) for x in stats.sum(axis=0)]
        return _score(total, smooth_method, smooth_value, effective, max_ngram_order)
    return np.array(
        [_score(r, smooth_method, smooth_value, effective, max_ngram_order).score
         for r in stats.tolist()],
        dtype=np.float64,
    )  # fmt: skip


def bleu(
    predictions: Any,
    references: Any,
    *,
    level: str = "sentence",
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    tokenize: str = "13a",
    lowercase: bool = False,
    use_effective_order: bool | None = None,
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> np.ndarray | BLEUScore:
    """BLEU of predictions against their references, equal to sacrebleu's.

    Parameters
    ----------
    predictions : sequence of str (list, NumPy, pandas, pyarrow)
    references : sequence of str, or of lists of str (several references per prediction)
    level : {"sentence", "corpus"}
        ``"sentence"``: shape (N,) scores, each ``sacrebleu.sentence_bleu``'s;
        ``"corpus"``: one :class:`BLEUScore`, ``sacrebleu.corpus_bleu``'s.
    use_effective_order : bool, optional
        Default as sacrebleu: True at sentence level, False at corpus level.
    """
    choice(level, "level", ("sentence", "corpus"))
    hyps, refs = predictions_and_references(predictions, references)
    effective = (level == "sentence") if use_effective_order is None else use_effective_order
    return _scores(
        hyps, refs, level, smooth_method, smooth_value, tokenize, lowercase, effective,
        max_ngram_order,
    )  # fmt: skip
