"""Corpus-metric bootstrap standard errors equal to lm-eval's own ``bootstrap_stderr`` of its
``bleu``, ``chrf`` and ``chrf++`` aggregations (which re-score the corpus with sacrebleu for
every resample), on real WMT23 translations and TruthfulQA answers."""

from __future__ import annotations

import json

import pytest

from assay import harness
from assay.harness import lm_eval as hook

metrics = pytest.importorskip("lm_eval.api.metrics")

FUNCTIONS = {
    "bleu": metrics.bleu,
    "chrf": metrics.chrf,
    "chrf++": metrics.chrfpp,
    "ter": metrics.ter,
}


@pytest.fixture(scope="module")
def wmt_items(wmt23):
    systems, ref = wmt23
    hyp = systems["ONLINE-W"]
    return list(zip(ref, hyp, strict=True))[:60]  # lm-eval's (reference, prediction) items


@pytest.mark.parametrize("metric", ["bleu", "chrf", "chrf++"])
@pytest.mark.parametrize("iters", [20, 100])
def test_equal_to_lm_eval_on_wmt23(wmt_items, metric, iters, monkeypatch):
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    expected = metrics.bootstrap_stderr(FUNCTIONS[metric], wmt_items, iters)
    assert harness.corpus_bootstrap_stderr(metric, wmt_items, iters) == expected
    assert hook.bootstrap_stderr(FUNCTIONS[metric], wmt_items, iters) == expected


def test_several_references_cut_as_lm_eval_zips_them(
    shared_data, truthfulqa_questions, monkeypatch
):
    """Items with different numbers of references: lm-eval's zip keeps the fewest."""
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = [r for r in rows if r["model"] == "Meta-Llama-3-70B-Instruct"][:40]
    items = [
        (truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"], r["response"])
        for r in rows
    ]
    assert len({len(ref) for ref, _ in items}) > 1
    for metric in ["bleu", "chrf"]:
        expected = metrics.bootstrap_stderr(FUNCTIONS[metric], items, 30)
        assert harness.corpus_bootstrap_stderr(metric, items, 30) == expected


def test_ter_equal_to_lm_eval(wmt_items, shared_data, truthfulqa_questions, monkeypatch):
    """TER re-scored per resample by lm-eval is slow: 6 paragraphs, and short TruthfulQA
    answers with several references (non-integer mean lengths, summed in resample order)."""
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    few = wmt_items[:6]
    expected = metrics.bootstrap_stderr(metrics.ter, few, 5)
    assert harness.corpus_bootstrap_stderr("ter", few, 5) == expected
    assert hook.bootstrap_stderr(metrics.ter, few, 5) == expected
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    items = [
        (truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"], r["response"][:150])
        for r in rows[:30]
    ]
    expected = metrics.bootstrap_stderr(metrics.ter, items, 20)
    assert harness.corpus_bootstrap_stderr("ter", items, 20) == expected


def test_other_functions_fall_back_to_lm_eval(wmt_items, monkeypatch):
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")

    def longest(xs):
        return max(len(p) for _, p in xs)

    few = wmt_items[:8]
    assert hook.bootstrap_stderr(longest, few, 4) == metrics.bootstrap_stderr(longest, few, 4)


@pytest.mark.parametrize(
    ("metric", "items", "iters", "error", "match"),
    [
        ("rouge", [("a", "b")], 10, ValueError, "unknown corpus metric"),
        ("bleu", [], 10, ValueError, "items is empty"),
        ("bleu", [("a", "b")], 0, ValueError, "iters must be >= 1"),
        ("bleu", [("a", "b")], 1, ValueError, ">= 2 resamples"),
        ("bleu", ["ab"], 10, ValueError, r"items\[0\] must be a \(reference, prediction\) pair"),
        ("bleu", [("a", 3)], 10, TypeError, "prediction must be a str"),
    ],
)
def test_bad_input(metric, items, iters, error, match):
    with pytest.raises(error, match=match):
        harness.corpus_bootstrap_stderr(metric, items, iters)
