"""Harness aggregation: the numbers lm-evaluation-harness reports after per-item scoring,
identical and fast.

``bootstrap_stderr`` is lm-eval's bootstrap standard error float for float;
``multiple_choice``, ``truthfulqa_mc2``, ``perplexity``, ``weighted_perplexity`` and
``bits_per_byte`` its scores from log-likelihoods, over all documents at once;
``truthfulqa_gen`` its TruthfulQA generation scores (BLEU, ROUGE-1/2/L max, diff, acc);
``lighteval_bootstrap_stderr`` lighteval's bootstrap standard error, correctly scaled or as
lighteval reports it;
``assay.harness.lm_eval`` offers it under lm-eval's own call shape and patches it in.
"""

from __future__ import annotations

from ._bootstrap import bootstrap_replicates, bootstrap_stderr
from ._corpus import corpus_bootstrap_stderr
from ._lighteval import lighteval_bootstrap_stderr
from ._multiple_choice import (
    bits_per_byte,
    multiple_choice,
    perplexity,
    truthfulqa_mc2,
    weighted_perplexity,
)
from ._truthfulqa import truthfulqa_gen

__all__ = [
    "bits_per_byte",
    "bootstrap_replicates",
    "bootstrap_stderr",
    "corpus_bootstrap_stderr",
    "lighteval_bootstrap_stderr",
    "multiple_choice",
    "perplexity",
    "truthfulqa_gen",
    "truthfulqa_mc2",
    "weighted_perplexity",
]
