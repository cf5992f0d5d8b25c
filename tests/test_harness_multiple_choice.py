"""assay.harness's log-likelihood scores against lm-evaluation-harness's own code."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from assay import harness

task = pytest.importorskip("lm_eval.api.task")
metrics = pytest.importorskip("lm_eval.api.metrics")
truthfulqa = pytest.importorskip("lm_eval.tasks.truthfulqa.utils")


def lm_eval_multiple_choice(lls, choices, gold):
    """lm-eval's ConfigurableTask.process_results for one multiple_choice document."""
    fake = SimpleNamespace(
        config=SimpleNamespace(process_results=None),
        OUTPUT_TYPE="multiple_choice",
        _metric_fn_list={"acc": None, "acc_norm": None, "acc_bytes": None},
        doc_to_choice=lambda doc: choices,
        doc_to_target=lambda doc: gold,
        multiple_input=False,
        multiple_target=False,
    )
    results = [(ll, False) for ll in lls]
    return task.ConfigurableTask.process_results(fake, {}, results)


@pytest.fixture(scope="module")
def questions(shared_data):
    """Real TruthfulQA questions with their answers (mc-style: correct and incorrect)."""
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "questions.jsonl")]
    return [r for r in rows if r.get("lang", "en") == "en"][:300]


def synthetic_lls(rng, n):
    """Synthetic log-likelihoods (no model's): negative, with ties now and then."""
    lls = -rng.gamma(2.0, 8.0, n)
    if n > 2 and rng.random() < 0.2:
        lls[1] = lls[0]
    return lls


def test_multiple_choice_equals_lm_eval(questions):
    rng = np.random.default_rng(0)
    all_lls, all_choices, golds = [], [], []
    for q in questions:
        choices = [" " + a for a in q["correct_answers"][:1] + q["incorrect_answers"]]
        lls = synthetic_lls(rng, len(choices))
        all_lls.append(lls)
        all_choices.append(choices)
        golds.append(int(rng.integers(0, len(choices))))
    ours = harness.multiple_choice(all_lls, all_choices, golds)
    for d, (lls, choices, gold) in enumerate(zip(all_lls, all_choices, golds, strict=True)):
        ref = lm_eval_multiple_choice(lls.tolist(), choices, gold)
        assert ours.acc[d] == ref["acc"]
        assert ours.acc_norm[d] == ref["acc_norm"]
        assert ours.acc_bytes[d] == ref["acc_bytes"]
    assert 0 < ours.acc.mean() < 1
    assert (ours.pred != ours.pred_norm).any()  # the normalizations matter on real answers


def test_multiple_choice_non_ascii_and_2d():
    choices = [["é", "ab"], ["日本", "abc"]]
    lls = np.array([[-2.0, -3.0], [-6.0, -6.5]])
    ours = harness.multiple_choice(lls, choices, [1, 1])
    for d in range(2):
        ref = lm_eval_multiple_choice(lls[d].tolist(), choices[d], 1)
        assert (ours.acc[d], ours.acc_norm[d], ours.acc_bytes[d]) == (
            ref["acc"],
            ref["acc_norm"],
            ref["acc_bytes"],
        )
    # characters and bytes differ for non-ASCII choices, and so do the picks
    assert list(ours.pred_norm) == [1, 1] and list(ours.pred_bytes) == [0, 0]


def test_out_of_range_gold_scores_zero_with_a_warning():
    with pytest.warns(UserWarning, match="1 documents"):
        out = harness.multiple_choice([[-1.0, -2.0]], [["a", "b"]], [5])
    assert out.acc[0] == lm_eval_multiple_choice([-1.0, -2.0], ["a", "b"], 5)["acc"] == 0.0


def test_truthfulqa_mc2_equals_lm_eval(questions):
    rng = np.random.default_rng(1)
    lls, labels = [], []
    for q in questions:
        n_true, n_false = len(q["correct_answers"]), len(q["incorrect_answers"])
        lls.append(synthetic_lls(rng, n_true + n_false) / 4)
        labels.append([1] * n_true + [0] * n_false)
    ours = harness.truthfulqa_mc2(lls, labels)
    for d in range(len(lls)):
        doc = {"mc2_targets": {"labels": labels[d]}}
        ref = truthfulqa.process_results_mc2(doc, [(ll, False) for ll in lls[d].tolist()])
        assert ours[d] == ref["acc"]


def test_perplexity_aggregations_equal_lm_eval():
    rng = np.random.default_rng(2)
    ll = -rng.gamma(3.0, 40.0, 500)
    words = rng.integers(5, 200, 500)
    nbytes = words * 5 + rng.integers(0, 40, 500)
    assert harness.perplexity(ll / 100) == metrics.perplexity((ll / 100).tolist())
    items = list(zip(ll.tolist(), words.tolist(), strict=True))
    assert harness.weighted_perplexity(ll, words) == metrics.weighted_perplexity(items)
    byte_items = list(zip(ll.tolist(), nbytes.tolist(), strict=True))
    assert harness.bits_per_byte(ll, nbytes) == metrics.bits_per_byte(byte_items)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: harness.multiple_choice([], [], []), ValueError, "no documents"),
        (lambda: harness.multiple_choice([[]], [[]], [0]), ValueError, "document 0 has no choices"),
        (
            lambda: harness.multiple_choice([[-1.0], [math.nan, -1]], [["a"], ["a", "b"]], [0, 0]),
            ValueError,
            "document 1 has a NaN",
        ),
        (lambda: harness.multiple_choice([[-1.0]], [["a", "b"]], [0]), ValueError, "document 0"),
        (lambda: harness.multiple_choice([[-1.0]], [[None]], [0]), TypeError, "choice"),
        (lambda: harness.multiple_choice([[-1.0]], [["a"]], [0.5]), ValueError, "gold"),
        (lambda: harness.multiple_choice([["x"]], [["a"]], [0]), TypeError, "loglikelihoods"),
        (lambda: harness.truthfulqa_mc2([[-1.0, -2.0]], [[1, 2]]), ValueError, "labels"),
        (lambda: harness.truthfulqa_mc2([[-1.0, -2.0]], [[1]]), ValueError, "labels"),
        (lambda: harness.perplexity([]), ValueError, "loglikelihoods is empty"),
        (lambda: harness.perplexity([-1.0, math.nan]), ValueError, "item 1 is NaN"),
        (lambda: harness.bits_per_byte([-1.0], [0]), ValueError, "add up to 0"),
        (lambda: harness.bits_per_byte([-1.0], [1.5]), ValueError, "n_bytes"),
        (lambda: harness.bits_per_byte([-1.0, -2.0], [1]), ValueError, "n_bytes"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
