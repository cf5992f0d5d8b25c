"""Building blocks of the text metrics for code that aggregates them itself: corpus bootstraps,
harness hooks, per-axis corpus benchmarks and the compat shims.

A corpus metric (BLEU, chrF, TER) is a function of per-segment sufficient statistics summed over
the corpus, so a resample of segments is scored from the sum of its rows without tokenising
anything again. ``bleu_segment_statistics`` / ``chrf_segment_statistics`` / ``ter_statistics``
give the rows; ``bleu_score`` / ``chrf_score`` / ``ter_score`` give sacrebleu's float of summed
rows. ROUGE's building blocks are its type check, its sentence splitter and the scores of
pre-tokenised texts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._bleu import MAX_NGRAM_ORDER, SMOOTH_DEFAULTS, BLEUScore
from ._bleu import _score as bleu_score
from ._bleu import _statistics as bleu_segment_statistics
from ._chrf import BETA, CHAR_ORDER, WORD_ORDER, CHRFScore
from ._chrf import _statistics as chrf_segment_statistics
from ._chrf import f_score as chrf_score
from ._rouge import rouge_tokenized, rouge_types, sentence_splitter
from ._ter import TERScore, compute_ter, ter_statistics
from ._ter import _summed as ter_score

#: Corpus metrics with sacrebleu's default settings (BLEU: 13a, exp smoothing; chrF2; chrF2++)
#: and the width of their per-segment statistics: BLEU ``sys_len, ref_len, correct_1..4,
#: total_1..4``; chrF ``[hyp, ref, match]`` per character order (6) and, for chrF++, per word
#: order (2).
DEFAULT_WIDTHS = {"bleu": 2 + 2 * MAX_NGRAM_ORDER, "chrf": 18, "chrf++": 24}


def segment_statistics(metric: str, hyps: list[str], refs: list[list[str]]) -> np.ndarray:
    """Per-segment statistics (N, width) int64 of a metric of ``DEFAULT_WIDTHS`` with
    sacrebleu's default settings; ``refs`` per segment."""
    if metric == "bleu":
        return bleu_segment_statistics(hyps, refs, "13a", False, MAX_NGRAM_ORDER)
    word_order = 2 if metric == "chrf++" else 0
    return chrf_segment_statistics(hyps, refs, CHAR_ORDER, word_order, BETA, False, False, False)


def corpus_score(metric: str, totals: Sequence[float]) -> float:
    """A metric of ``DEFAULT_WIDTHS`` from summed statistics: sacrebleu's corpus float."""
    row = [int(x) for x in totals]
    if metric == "bleu":
        return bleu_score(row, "exp", None, False, MAX_NGRAM_ORDER).score
    return chrf_score(row, BETA, False)


__all__ = [
    "BETA",
    "CHAR_ORDER",
    "DEFAULT_WIDTHS",
    "MAX_NGRAM_ORDER",
    "SMOOTH_DEFAULTS",
    "WORD_ORDER",
    "BLEUScore",
    "CHRFScore",
    "TERScore",
    "bleu_score",
    "bleu_segment_statistics",
    "chrf_score",
    "chrf_segment_statistics",
    "compute_ter",
    "corpus_score",
    "rouge_tokenized",
    "rouge_types",
    "segment_statistics",
    "sentence_splitter",
    "ter_score",
    "ter_statistics",
]  # fmt: skip
