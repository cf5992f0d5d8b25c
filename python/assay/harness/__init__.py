"""Harness aggregation: the numbers lm-evaluation-harness reports after per-item scoring,
identical and fast.

``bootstrap_stderr`` is lm-eval's bootstrap standard error float for float;
``assay.harness.lm_eval`` offers it under lm-eval's own call shape and patches it in.
"""

from __future__ import annotations

from ._bootstrap import bootstrap_replicates, bootstrap_stderr

__all__ = ["bootstrap_replicates", "bootstrap_stderr"]
