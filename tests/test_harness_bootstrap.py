"""assay.harness.bootstrap_stderr against lm-evaluation-harness's own bootstrap_stderr."""

from __future__ import annotations

import json
import math
import random
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay import harness
from assay.harness import lm_eval as hook

metrics = pytest.importorskip("lm_eval.api.metrics")

FUNCTIONS = {
    "mean": metrics.mean,
    "median": metrics.median,
    "nanmean": metrics.nanmean,
    "perplexity": metrics.perplexity,
    "f1": metrics.f1_score,
    "mcc": metrics.matthews_corrcoef,
}


def lm_eval_stderr(statistic, items, iters, monkeypatch):
    """lm-eval's own bootstrap (its single-process path: the same chunks and seeds as its
    multiprocessing pool, without forking a pool per call)."""
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    return metrics.bootstrap_stderr(FUNCTIONS[statistic], items, iters)


@pytest.fixture(scope="module")
def bleu(shared_data):
    """Real per-document BLEU maxima lm-eval computed for TruthfulQA-gen responses."""
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    return [r["lm_eval_bleu_max"] for r in rows if r["model"] == "gemma-2-27b-it"][:800]


@pytest.fixture(scope="module")
def ifeval(shared_data):
    """Real prompt-level pass/fail of two models on the same M-IFEval prompts."""
    items = pd.read_csv(shared_data / "ifeval" / "per_item_results.csv")
    wide = items.pivot_table(index=["lang", "key"], columns="model", values="strict_all")
    return wide


def test_resample_stream_is_random_choices():
    xs = [math.sin(i) * 10 ** (i % 7) for i in range(37)]
    reps = harness.bootstrap_replicates("mean", xs, 2000)
    expected = []
    for chunk in range(2):
        rnd = random.Random(chunk)
        for _ in range(1000):
            sample = rnd.choices(xs, k=len(xs))
            expected.append(sum(sample) / len(sample))
    assert reps.tolist() == expected
    few = harness.bootstrap_replicates("median", xs, 7)
    rnd = random.Random(0)
    assert few.tolist() == [sorted(rnd.choices(xs, k=37))[18] for _ in range(7)]


@pytest.mark.parametrize("statistic", ["mean", "median", "perplexity", "nanmean"])
@pytest.mark.parametrize("iters", [30, 1000, 2500])
def test_values_equal_lm_eval_on_real_bleu(statistic, iters, bleu, monkeypatch):
    items = [-b / 100 for b in bleu] if statistic == "perplexity" else list(bleu)
    if statistic == "nanmean":
        items = [math.nan if i % 9 == 0 else x for i, x in enumerate(items)]
    assert harness.bootstrap_stderr(statistic, items, iters) == lm_eval_stderr(
        statistic, items, iters, monkeypatch
    )


@pytest.mark.parametrize("statistic", ["f1", "mcc"])
def test_pairs_equal_lm_eval_on_real_pass_fail(statistic, ifeval, monkeypatch):
    a, b = "gpt-4o-2024-08-06", "claude-3-5-sonnet-20240620"
    items = list(zip(ifeval[a].astype(int), ifeval[b].astype(int), strict=True))
    ours = harness.bootstrap_stderr(statistic, items, 1000)
    assert ours == lm_eval_stderr(statistic, items, 1000, monkeypatch)
    assert ours > 0


def test_multiclass_mcc_and_string_labels(monkeypatch):
    rng = np.random.default_rng(3)  # synthetic labels
    gold = rng.choice(["A", "B", "C", "D"], 300)
    pred = np.where(rng.random(300) < 0.6, gold, rng.choice(["A", "B", "C", "D"], 300))
    items = list(zip(gold.tolist(), pred.tolist(), strict=True))
    assert harness.bootstrap_stderr("mcc", items, 1000) == lm_eval_stderr(
        "mcc", items, 1000, monkeypatch
    )


@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=60),
    st.sampled_from(["mean", "median", "nanmean"]),
    st.integers(min_value=2, max_value=40),
)
def test_hypothesis_values(xs, statistic, iters):
    import os

    os.environ["DISABLE_MULTIPROC"] = "1"
    try:
        expected = metrics.bootstrap_stderr(FUNCTIONS[statistic], xs, iters)
    finally:
        del os.environ["DISABLE_MULTIPROC"]
    got = harness.bootstrap_stderr(statistic, xs, iters)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_python_version_summation_is_the_running_interpreters():
    # sum() is compensated from CPython 3.12: 1e16, 1, -1e16 gives 1 there, 0 before.
    from assay.harness._bootstrap import COMPENSATED_SUM

    assert COMPENSATED_SUM == (sum([1e16, 1.0, -1e16]) == 1.0)
    assert COMPENSATED_SUM == (sys.version_info >= (3, 12))


def test_hook_recognises_lm_eval_functions_and_falls_back(monkeypatch):
    xs = [float(i % 5) for i in range(200)]
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    assert hook.bootstrap_stderr(metrics.median, xs, 1000) == metrics.bootstrap_stderr(
        metrics.median, xs, 1000
    )

    def spread(v):
        return max(v) - min(v)

    assert hook.bootstrap_stderr(spread, xs, 1000) == metrics.bootstrap_stderr(spread, xs, 1000)


def test_patch_puts_assay_inside_lm_eval(monkeypatch):
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    xs = [math.cos(i) for i in range(300)]
    before = metrics.stderr_for_metric(metrics.median, 1000)(xs)
    original = metrics.bootstrap_stderr
    with hook.patched():
        assert metrics.bootstrap_stderr is hook.bootstrap_stderr
        assert metrics.stderr_for_metric(metrics.median, 1000)(xs) == before
    assert metrics.bootstrap_stderr is original


@pytest.mark.slow
def test_full_100k_iterations_f1_equal_lm_eval(ifeval, monkeypatch):
    a, b = "gpt-4o-2024-08-06", "o1-preview-2024-09-12"
    items = list(zip(ifeval[a].astype(int), ifeval[b].astype(int), strict=True))
    assert harness.bootstrap_stderr("f1", items, 100_000) == lm_eval_stderr(
        "f1", items, 100_000, monkeypatch
    )


@pytest.mark.parametrize(
    ("statistic", "items", "iters", "error", "match"),
    [
        ("mean", [], 1000, ValueError, "items is empty"),
        ("mean", [1.0, 2.0], 0, ValueError, "iters must be >= 1"),
        ("mean", [1.0, 2.0], -5, ValueError, "iters must be >= 1"),
        ("mean", [1.0, 2.0], 1, ValueError, "iters: the standard deviation needs >= 2"),
        ("mean", [1.0, 2.0], 2.5, TypeError, "iters must be an integer"),
        ("mean", [1.0, 2.0], True, TypeError, "iters must be an integer"),
        ("mode", [1.0, 2.0], 10, ValueError, "statistic: unknown statistic"),
        (None, [1.0, 2.0], 10, TypeError, "statistic must be a str"),
        ("mean", ["a", "b"], 10, TypeError, "items must be numbers"),
        ("mean", [[1.0, 2.0]], 10, ValueError, "flat sequence"),
        ("median", [1.0, math.nan], 10, ValueError, r"items\[1\] is NaN"),
        ("mean", [1.0, 2.0, math.nan], 10, ValueError, r"items\[2\] is NaN \(1 in all\)"),
        ("perplexity", [None, -1.0], 10, TypeError, r"items\[0\] is None"),
        ("f1", [1.0, 0.0], 10, ValueError, r"\(gold, pred\) pairs"),
        ("f1", [(0, 1), (2, 1)], 10, ValueError, "item 1 holds a label other than 0 or 1"),
        ("mcc", [(0, 1, 1)], 10, ValueError, r"\(gold, pred\) pairs"),
        ("mcc", [], 10, ValueError, r"\(gold, pred\) pairs"),
    ],
)
def test_bad_input_names_the_argument(statistic, items, iters, error, match):
    with pytest.raises(error, match=match):
        harness.bootstrap_stderr(statistic, items, iters)


def test_lm_eval_missing_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "lm_eval.api.metrics", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install lm-eval"):
        hook.bootstrap_stderr(sum, [1.0], 10)
