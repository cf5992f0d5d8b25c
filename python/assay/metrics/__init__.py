"""Text metrics equal to the reference packages' floats, fast: BLEU, chrF, chrF++ and TER as
sacrebleu computes them, ROUGE as rouge_score, SQuAD's exact match and F1 as its official
scripts (and HELM's set F1), lm-eval's ``exact_match``, and pass@k.

``bleu(predictions, references, level=...)`` takes references per prediction;
``sentence_bleu`` and ``corpus_bleu`` take sacrebleu's reference streams;
``bleu_statistics`` gives the per-segment sufficient statistics (for corpus bootstraps) and
``compute_bleu`` turns summed statistics into a score.
"""

from __future__ import annotations

from ._bleu import BLEUScore, bleu, bleu_statistics, compute_bleu, corpus_bleu, sentence_bleu
from ._chrf import CHRFScore, chrf, corpus_chrf
from ._rouge import rouge
from ._squad import exact_match, normalize_answer, pass_at_k, squad
from ._ter import TERScore, corpus_ter, ter

__all__ = [
    "BLEUScore",
    "CHRFScore",
    "TERScore",
    "bleu",
    "bleu_statistics",
    "chrf",
    "compute_bleu",
    "corpus_bleu",
    "corpus_chrf",
    "corpus_ter",
    "exact_match",
    "normalize_answer",
    "pass_at_k",
    "rouge",
    "sentence_bleu",
    "squad",
    "ter",
]
