"""Text metrics equal to the reference packages' floats, fast: BLEU, chrF and chrF++ as
sacrebleu computes them.

``bleu(predictions, references, level=...)`` takes references per prediction;
``sentence_bleu`` and ``corpus_bleu`` take sacrebleu's reference streams;
``bleu_statistics`` gives the per-segment sufficient statistics (for corpus bootstraps) and
``compute_bleu`` turns summed statistics into a score.
"""

from __future__ import annotations

from ._bleu import BLEUScore, bleu, bleu_statistics, compute_bleu, corpus_bleu, sentence_bleu
from ._chrf import CHRFScore, chrf, corpus_chrf
from ._rouge import rouge

__all__ = [
    "BLEUScore",
    "CHRFScore",
    "bleu",
    "bleu_statistics",
    "chrf",
    "compute_bleu",
    "corpus_bleu",
    "corpus_chrf",
    "rouge",
    "sentence_bleu",
]
