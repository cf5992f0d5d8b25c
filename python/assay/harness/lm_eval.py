"""lm-evaluation-harness hooks: its ``bootstrap_stderr`` call shape on assay's kernel, and a
patch that puts it in place inside lm-eval.

``bootstrap_stderr(f, xs, iters)`` recognises lm-eval's own aggregation functions (mean,
median, nanmean, perplexity, f1, matthews_corrcoef, and the corpus bleu, chrf, chrf++ and
ter) and computes their standard error in assay, equal to lm-eval's; any other function goes
to lm-eval's own implementation. ``process_results_gen(doc, results)`` is its
TruthfulQA generation scoring, the same numbers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from ._bootstrap import bootstrap_stderr as _fast_stderr
from ._corpus import corpus_bootstrap_stderr
from ._truthfulqa import process_results_gen

#: lm-eval's aggregation function names → assay's statistic names.
AGGREGATIONS = {
    "mean": "mean",
    "median": "median",
    "nanmean": "nanmean",
    "perplexity": "perplexity",
    "f1_score": "f1",
    "matthews_corrcoef": "mcc",
}
#: lm-eval's corpus aggregations (sacrebleu's corpus scores) → assay's corpus metrics.
CORPUS_AGGREGATIONS = {"bleu": "bleu", "chrf": "chrf", "chrfpp": "chrf++", "ter": "ter"}
_ORIGINAL: dict[str, Callable[..., float]] = {}


def _metrics() -> ModuleType:
    try:
        return importlib.import_module("lm_eval.api.metrics")
    except ImportError as e:
        raise ImportError(
            "assay.harness.lm_eval needs lm-evaluation-harness: pip install lm-eval "
            f"(importing lm_eval.api.metrics failed: {e})"
        ) from e


def _statistic(f: Callable[..., Any], metrics: ModuleType) -> str | None:
    for function, statistic in AGGREGATIONS.items():
        if f is getattr(metrics, function, None):
            return statistic
    return None


def bootstrap_stderr(f: Callable[[Sequence[Any]], float], xs: Sequence[Any], iters: int) -> float:
    """lm-eval's ``bootstrap_stderr(f, xs, iters)``: the same float, computed by assay for
    lm-eval's own aggregations and by lm-eval for anything else."""
    metrics = _metrics()
    for function, metric in CORPUS_AGGREGATIONS.items():
        if f is getattr(metrics, function, None):
            return corpus_bootstrap_stderr(metric, xs, iters)
    statistic = _statistic(f, metrics)
    if statistic is None:
        original = _ORIGINAL.get("bootstrap_stderr", metrics.bootstrap_stderr)
        return float(original(f, xs, iters))
    return _fast_stderr(statistic, xs, iters)


def _truthfulqa_utils() -> ModuleType | None:
    try:
        return importlib.import_module("lm_eval.tasks.truthfulqa.utils")
    except ImportError:  # lm-eval without its task dependencies (datasets, rouge_score)
        return None


def patch() -> None:
    """Makes lm-eval use assay's bootstrap standard error (``stderr_for_metric`` and every
    task then report the same numbers, sooner) and its TruthfulQA generation scoring
    (``process_results_gen``; patch before the tasks are loaded, as their YAML binds the
    function then). Undo with :func:`unpatch`."""
    metrics = _metrics()
    if "bootstrap_stderr" not in _ORIGINAL:
        _ORIGINAL["bootstrap_stderr"] = metrics.bootstrap_stderr
    setattr(metrics, "bootstrap_stderr", bootstrap_stderr)  # noqa: B010
    utils = _truthfulqa_utils()
    if utils is not None:
        if "process_results_gen" not in _ORIGINAL:
            _ORIGINAL["process_results_gen"] = utils.process_results_gen
        setattr(utils, "process_results_gen", process_results_gen)  # noqa: B010


def unpatch() -> None:
    """Restores lm-eval's own functions."""
    metrics = _metrics()
    if "bootstrap_stderr" in _ORIGINAL:
        setattr(metrics, "bootstrap_stderr", _ORIGINAL.pop("bootstrap_stderr"))  # noqa: B010
    utils = _truthfulqa_utils()
    if utils is not None and "process_results_gen" in _ORIGINAL:
        setattr(utils, "process_results_gen", _ORIGINAL.pop("process_results_gen"))  # noqa: B010


@contextmanager
def patched() -> Iterator[None]:
    """``with patched(): ...`` runs lm-eval with assay's functions in place."""
    patch()
    try:
        yield
    finally:
        unpatch()
