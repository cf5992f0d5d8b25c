"""Text metrics equal to the reference packages' floats, fast: BLEU as sacrebleu computes it.

``bleu(predictions, references, level=...)`` takes references per prediction;
``sentence_bleu`` and ``corpus_bleu`` take sacrebleu's reference streams;
``bleu_statistics`` gives the per-segment sufficient statistics (for corpus bootstraps) and
``compute_bleu`` turns summed statistics into a score.
"""

from __future__ import annotations

from ._bleu import BLEUScore, bleu, bleu_statistics, compute_bleu, corpus_bleu, sentence_bleu

__all__ = [
    "BLEUScore",
    "bleu",
    "bleu_statistics",
    "compute_bleu",
    "corpus_bleu",
    "sentence_bleu",
]
