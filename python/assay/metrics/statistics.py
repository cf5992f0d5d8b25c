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

from ._bleu import MAX_NGRAM_ORDER, SMOOTH_DEFAULTS, BLEUScore
from ._bleu import _score as bleu_score
from ._bleu import _statistics as bleu_segment_statistics
from ._chrf import BETA, CHAR_ORDER, WORD_ORDER, CHRFScore
from ._chrf import _statistics as chrf_segment_statistics
from ._chrf import f_score as chrf_score
from ._rouge import rouge_tokenized, rouge_types, sentence_splitter
from ._ter import TERScore, compute_ter, ter_statistics
from ._ter import _summed as ter_score

__all__ = [
    "BETA", "CHAR_ORDER", "MAX_NGRAM_ORDER", "SMOOTH_DEFAULTS", "WORD_ORDER", "BLEUScore",
    "CHRFScore", "TERScore", "bleu_score", "bleu_segment_statistics", "chrf_score",
    "chrf_segment_statistics", "compute_ter", "rouge_tokenized", "rouge_types",
    "sentence_splitter", "ter_score", "ter_statistics",
]  # fmt: skip
