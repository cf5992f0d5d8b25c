"""lighteval's bootstrap standard error: an oracle transcribed from lighteval 0.13's
``metrics/utils/stderr.py`` (lighteval itself pulls inspect-ai and pins an older NLTK than the
ROUGE tests use, so it is not installed here), its pool's ``starmap`` run in order in one
process, with lm-eval's statistics as the metric; assay's ``scale="lighteval"`` equals it, and
the default is √(resamples) times larger, the bootstrap standard error itself."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from assay import harness

metrics = pytest.importorskip("lm_eval.api.metrics")


# --- lighteval 0.13, metrics/utils/stderr.py, transcribed (pool.starmap in order) ------------
def _stddev(arr):
    mu = np.mean(arr)
    return math.sqrt(sum((x - mu) ** 2 for x in arr) / (len(arr) - 1))


def mean_stderr(arr):
    return _stddev(arr) / math.sqrt(len(arr))


def _bootstrap_internal(metric, number_draws, population, seed):
    rnd = random.Random()
    rnd.seed(seed)
    samples = [rnd.choices(population, k=len(population)) for _ in range(number_draws)]
    return [metric(s) for s in samples]


def lighteval_bootstrap_stderr(metric, population, number_experiments):
    res = []
    number_draws = min(1000, number_experiments)
    number_seeds = number_experiments // number_draws
    for seed in range(number_seeds):
        res.extend(_bootstrap_internal(metric, number_draws, population, seed))
    return mean_stderr(res)


STATISTICS = {"mean": metrics.mean, "median": metrics.median, "perplexity": metrics.perplexity}


@pytest.mark.parametrize("statistic", list(STATISTICS))
@pytest.mark.parametrize("iters", [50, 1000, 2000])
def test_equals_lightevals_float(statistic, iters):
    rng = np.random.default_rng(iters)
    items = (-rng.exponential(1.5, size=300)).tolist()  # log-likelihood-like values
    expected = lighteval_bootstrap_stderr(STATISTICS[statistic], items, iters)
    ours = harness.lighteval_bootstrap_stderr(statistic, items, iters, scale="lighteval")
    assert ours == expected
    corrected = harness.lighteval_bootstrap_stderr(statistic, items, iters)
    resamples = iters // min(1000, iters) * min(1000, iters)
    assert corrected == pytest.approx(expected * math.sqrt(resamples), rel=1e-12)


def test_corrected_scale_matches_lm_evals_bootstrap():
    """Corrected, it is lm-eval's number (the same resamples; sums differ only in rounding)."""
    rng = np.random.default_rng(5)
    items = rng.random(500).tolist()
    ours = harness.lighteval_bootstrap_stderr("median", items, 1000)
    assert ours == pytest.approx(harness.bootstrap_stderr("median", items, 1000), rel=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="scale must be one of"):
        harness.lighteval_bootstrap_stderr("mean", [1.0, 2.0], 10, scale="half")
    with pytest.raises(ValueError, match=">= 2 resamples"):
        harness.lighteval_bootstrap_stderr("mean", [1.0, 2.0], 1)
