"""Drop-in for ``rouge_score`` 0.1.2: ``from assay.compat.rouge_score import rouge_scorer,
scoring`` in place of ``from rouge_score import rouge_scorer, scoring``; the same classes,
call shapes and floats, scored in Rust."""

from . import rouge_scorer, scoring

__all__ = ["rouge_scorer", "scoring"]
