"""TruthfulQA generation scoring against lm-eval's own ``process_results_gen`` (==) on real
responses of four models (English and Basque) with the questions' real answers, preprocessed by
lm-eval's own ``preprocess_function``; the patch hook; bad input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay import harness
from assay.harness import lm_eval as hook

utils = pytest.importorskip("lm_eval.tasks.truthfulqa.utils")


@pytest.fixture(scope="module")
def docs(shared_data, truthfulqa_questions):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = rows[::160]  # every model and both languages (41 documents)
    docs = [utils.preprocess_function(truthfulqa_questions[(r["lang"], r["doc_id"])]) for r in rows]
    return [r["response"] for r in rows], docs


def test_equals_lm_eval_on_real_responses(docs):
    responses, preprocessed = docs
    ours = harness.truthfulqa_gen(
        responses,
        [d["correct_answers"] for d in preprocessed],
        [d["incorrect_answers"] for d in preprocessed],
    )
    assert list(ours.columns) == list(utils.process_results_gen(preprocessed[0], [""]).keys())
    for i, (r, d) in enumerate(zip(responses, preprocessed, strict=True)):
        theirs = utils.process_results_gen(d, [r])
        assert ours.iloc[i].to_dict() == theirs, i
    assert len(ours) == len(responses) > 40


def test_process_results_gen_signature(docs):
    responses, preprocessed = docs
    for r, d in list(zip(responses, preprocessed, strict=True))[:10]:
        assert hook.process_results_gen(d, [r]) == utils.process_results_gen(d, [r])


ANSWER = st.text(max_size=40).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s))


@settings(max_examples=25, deadline=None)
@given(
    ANSWER,
    st.lists(ANSWER, min_size=1, max_size=3),
    st.lists(ANSWER, min_size=1, max_size=3),
)
def test_hypothesis_strings(response, correct, incorrect):
    doc = {"correct_answers": correct, "incorrect_answers": incorrect}
    assert hook.process_results_gen(doc, [response]) == utils.process_results_gen(doc, [response])


def test_patch_swaps_lm_evals_function():
    original = utils.process_results_gen
    with hook.patched():
        assert utils.process_results_gen is hook.process_results_gen
    assert utils.process_results_gen is original


def test_bad_input():
    with pytest.raises(ValueError, match=r"incorrect_answers\[0\] must be a non-empty list"):
        harness.truthfulqa_gen(["a"], [["b."]], [[]])
    with pytest.raises(ValueError, match="correct_answers has 1 items but there are 2"):
        harness.truthfulqa_gen(["a", "b"], [["b."]], [["c."], ["d."]])
    with pytest.raises(TypeError, match=r"responses\[0\]"):
        harness.truthfulqa_gen([None], [["b."]], [["c."]])
    assert harness.truthfulqa_gen([], [], []).shape == (0, 12)
