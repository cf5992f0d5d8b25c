"""Per-axis scoring: from per-item results to per-axis, per-subgroup reports with honest
uncertainty, paired comparisons between models and tiers.

``report`` builds an :class:`AxisReport` (tables with fixed column names, ``compare``,
``pairwise``, ``tiers``, ``win_rates``); ``agreement`` measures inter-rater agreement of human
ratings; ``corpus_statistics`` gives the per-item statistics of corpus metrics (BLEU, chrF)
for ``report``. ``AXES`` lists the axis identifiers and ``BENCHMARK_AXES`` the built-in mapping of
well-known benchmarks to them.
"""

from __future__ import annotations

from .._axis_names import AXES
from ._agreement import Agreement, agreement
from ._build import report
from ._corpus import corpus_statistics
from ._mapping import BENCHMARK_AXES
from ._report import AxisReport

__all__ = [
    "AXES",
    "BENCHMARK_AXES",
    "Agreement",
    "AxisReport",
    "agreement",
    "corpus_statistics",
    "report",
]
