"""assay: a Rust-accelerated metrics core for evaluating large language models.

Modules
-------
arena
    Bradley-Terry leaderboards from pairwise votes: intervals, segments, style control,
    online Elo, voter diagnostics.
dedup
    MinHash signatures, LSH index, near-duplicate clusters.
contamination
    13-gram and MinHash overlap of benchmark items with a training corpus.
spectral
    Matrix entropy, effective rank and other spectral metrics of representation batches.
erank
    Diff-eRank of a model against its untrained twin, from arrays or a transformers model.
harness
    lm-evaluation-harness's aggregations (bootstrap standard errors) float for float, and hooks.
select
    Model selection: the GPU memory a model needs, and which candidates that fit really differ.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

from . import _native, arena, dedup, erank, harness, select, spectral
from ._errors import ConvergenceError, NotIdentifiableError, ShapeError
from .contamination import contamination

if hasattr(os, "register_at_fork"):  # rayon's thread pool does not survive fork()
    os.register_at_fork(after_in_child=_native._after_fork_in_child)

try:
    __version__ = version("assay")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "ConvergenceError",
    "NotIdentifiableError",
    "ShapeError",
    "__version__",
    "_native",
    "arena",
    "contamination",
    "dedup",
    "erank",
    "harness",
    "select",
    "spectral",
]
