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
from types import MappingProxyType, ModuleType
from typing import Any

from ._bootstrap import bootstrap_stderr as _fast_stderr
from ._corpus import corpus_bootstrap_stderr, corpus_score
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


def bleu(items: Sequence[Any]) -> float:
    """lm-eval's ``bleu`` aggregation (sacrebleu's corpus BLEU of (reference, prediction)
    items), the same float."""
    return corpus_score("bleu", items)


def chrf(items: Sequence[Any]) -> float:
    """lm-eval's ``chrf`` aggregation, the same float."""
    return corpus_score("chrf", items)


def chrfpp(items: Sequence[Any]) -> float:
    """lm-eval's ``chrf++`` aggregation, the same float."""
    return corpus_score("chrf++", items)


def ter(items: Sequence[Any]) -> float:
    """lm-eval's ``ter`` aggregation, the same float."""
    return corpus_score("ter", items)


#: lm-eval's corpus aggregations: module attribute, registry name, assay's function.
_CORPUS_FUNCTIONS = [("bleu", "bleu", bleu), ("chrf", "chrf", chrf), ("chrfpp", "chrf++", chrfpp),
                     ("ter", "ter", ter)]  # fmt: skip


def _registry() -> ModuleType:
    _metrics()  # the clear message when lm-eval is missing
    return importlib.import_module("lm_eval.api.registry")


def register() -> list[str]:
    """Registers assay's corpus metrics in lm-eval's registries under their own names,
    ``assay_bleu``, ``assay_chrf``, ``assay_chrf++`` and ``assay_ter`` (metric and aggregation
    alike; a task's YAML then names them in ``metric_list``). Their values equal lm-eval's
    ``bleu`` / ``chrf`` / ``chrf++`` / ``ter``; lm-eval computes no standard error for metrics
    it does not know, so use :func:`patch` where the standard error matters. Returns the names;
    calling it again is harmless."""
    registry = _registry()
    names = []
    for _, name, function in _CORPUS_FUNCTIONS:
        ours = f"assay_{name}"
        registry.register_aggregation(ours)(function)

        def passthrough(items: Any) -> Any:  # lm-eval's metrics pass items to the aggregation
            return items

        registry.register_metric(
            metric=ours,
            higher_is_better=name != "ter",
            output_type="generate_until",
            aggregation=ours,
        )(_PASSTHROUGH.setdefault(ours, passthrough))
        names.append(ours)
    return names


_PASSTHROUGH: dict[str, Callable[[Any], Any]] = {}


def _replace(registry: Any, name: str, function: Callable[..., Any]) -> None:
    """Points an existing entry of an lm-eval registry at ``function``: its ``register``
    refuses a second target, so the table is updated in place (a frozen one is rebuilt)."""
    table = registry._objs
    if name not in table:
        return
    if isinstance(table, MappingProxyType):
        registry._objs = MappingProxyType({**table, name: function})
    else:
        table[name] = function


def _truthfulqa_utils() -> ModuleType | None:
    try:
        return importlib.import_module("lm_eval.tasks.truthfulqa.utils")
    except ImportError:  # lm-eval without its task dependencies (datasets, rouge_score)
        return None


def patch() -> None:
    """Makes lm-eval use assay's functions, which give the same numbers sooner: its bootstrap
    standard error (``stderr_for_metric`` and every task), its corpus aggregations ``bleu``,
    ``chrf``, ``chrf++`` and ``ter``, and its TruthfulQA generation scoring
    (``process_results_gen``). Patch before the tasks are loaded (``simple_evaluate`` loads
    them on each call), as a task binds its functions then. Undo with :func:`unpatch`."""
    metrics = _metrics()
    if "bootstrap_stderr" not in _ORIGINAL:
        _ORIGINAL["bootstrap_stderr"] = metrics.bootstrap_stderr
    setattr(metrics, "bootstrap_stderr", bootstrap_stderr)  # noqa: B010
    registry = _registry()
    for attribute, name, function in _CORPUS_FUNCTIONS:
        if attribute not in _ORIGINAL:
            _ORIGINAL[attribute] = getattr(metrics, attribute)
        setattr(metrics, attribute, function)
        _replace(registry.AGGREGATION_REGISTRY, name, function)
        _replace(registry.METRIC_AGGREGATION_REGISTRY, name, function)
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
    registry = _registry()
    for attribute, name, _ in _CORPUS_FUNCTIONS:
        if attribute in _ORIGINAL:
            original = _ORIGINAL.pop(attribute)
            setattr(metrics, attribute, original)
            _replace(registry.AGGREGATION_REGISTRY, name, original)
            _replace(registry.METRIC_AGGREGATION_REGISTRY, name, original)
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
