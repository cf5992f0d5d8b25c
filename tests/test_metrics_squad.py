"""SQuAD exact match / F1 against oracles transcribed from the official v1.1 and v2.0
evaluation scripts (not installable: ``evaluate.load`` downloads them), HELM's set F1 through
NLTK's own ``f_measure``, lm-eval's installed ``exact_match_hf_evaluate``, and pass@k against
lm-eval's installed copy of the Codex estimator. Real TruthfulQA answers and Hypothesis
strings (arbitrary Unicode included)."""

from __future__ import annotations

import json
import re
import string
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay import metrics


# --- The official SQuAD v1.1 script (evaluate-v1.1.py), transcribed -------------------------
def v11_normalize_answer(s):
    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def v11_f1_score(prediction, ground_truth):
    prediction_tokens = v11_normalize_answer(prediction).split()
    ground_truth_tokens = v11_normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def v11_exact_match_score(prediction, ground_truth):
    return v11_normalize_answer(prediction) == v11_normalize_answer(ground_truth)


def v11_metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    return max(metric_fn(prediction, gt) for gt in ground_truths)


# --- The official SQuAD v2.0 script (evaluate-v2.0.py), transcribed -------------------------
def v20_normalize_answer(s):
    def remove_articles(text):
        regex = re.compile(r"\b(a|an|the)\b", re.UNICODE)
        return re.sub(regex, " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def v20_get_tokens(s):
    if not s:
        return []
    return v20_normalize_answer(s).split()


def v20_compute_exact(a_gold, a_pred):
    return int(v20_normalize_answer(a_gold) == v20_normalize_answer(a_pred))


def v20_compute_f1(a_gold, a_pred):
    gold_toks = v20_get_tokens(a_gold)
    pred_toks = v20_get_tokens(a_pred)
    common = Counter(gold_toks) & Counter(pred_toks)
    num_same = sum(common.values())
    if len(gold_toks) == 0 or len(pred_toks) == 0:
        return int(gold_toks == pred_toks)
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(pred_toks)
    recall = 1.0 * num_same / len(gold_toks)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def v20_scores(answers, a_pred):
    # get_raw_scores: gold answers that normalize to nothing are dropped; none left → [''].
    gold_answers = [a for a in answers if v20_normalize_answer(a)]
    if not gold_answers:
        gold_answers = [""]
    return (
        max(v20_compute_exact(a, a_pred) for a in gold_answers),
        max(v20_compute_f1(a, a_pred) for a in gold_answers),
    )


# --- HELM's f1_score (helm/benchmark/metrics/evaluate_reference_metrics.py) -------------------
def helm_f1_score(gold, pred):
    from nltk.metrics.scores import f_measure

    ret = f_measure(
        set(v11_normalize_answer(gold).split()), set(v11_normalize_answer(pred).split())
    )
    if ret is None:
        return 0.0
    return ret


def _check(preds, answers):
    for version in ("1.1", "2.0"):
        ours = metrics.squad(preds, answers, version=version)
        for i, (p, gs) in enumerate(zip(preds, answers, strict=True)):
            gs = [gs] if isinstance(gs, str) else gs
            if version == "1.1":
                em = v11_metric_max_over_ground_truths(v11_exact_match_score, p, gs)
                f1 = v11_metric_max_over_ground_truths(v11_f1_score, p, gs)
            else:
                em, f1 = v20_scores(gs, p)
            assert (ours["exact_match"][i], ours["f1"][i]) == (em, f1), (version, i, p, gs)
    ours = metrics.squad(preds, answers, f1="set")
    for i, (p, gs) in enumerate(zip(preds, answers, strict=True)):
        gs = [gs] if isinstance(gs, str) else gs
        assert ours["f1"][i] == max(helm_f1_score(g, p) for g in gs), (i, p, gs)


def test_truthfulqa_answers(shared_data, truthfulqa_questions):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = rows[::5]
    preds = [r["response"].split("\n")[0][:120] for r in rows]
    answers = [truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"] for r in rows]
    _check(preds, answers)
    # Answers copied with edits: exact matches and partial overlaps both occur.
    preds = [a[0].upper() + " " if i % 2 else "The " + a[-1] for i, a in enumerate(answers)]
    _check(preds, answers)
    assert metrics.squad(preds, answers)["exact_match"].sum() > 100


WORDS = st.sampled_from(
    ["the", "The", "a", "an", "A", "cat", "Paris", "1,000", "U.S.", "it's", "—", "naïve", "İ",
     "Ω", "\x01", "an_x", "_a", "théâtre", "ᵃ", "ǅ"]
)  # fmt: skip
ANSWER = st.one_of(
    st.lists(WORDS, max_size=8).map(" ".join),
    st.text(max_size=20).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s)),
    st.sampled_from(["", " ", "the", "a an the", "!!!"]),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(ANSWER, st.lists(ANSWER, min_size=1, max_size=3)), min_size=1, max_size=8)
)
def test_hypothesis_strings(items):
    _check([p for p, _ in items], [g for _, g in items])


def test_normalize_answer_is_the_scripts():
    for s in ["The Cat's  hat", "an apple a day", "naïve İstanbul — the end", "a\x01the b"]:
        assert metrics.normalize_answer(s) == v11_normalize_answer(s)


# --- lm-eval's exact_match ---------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(ANSWER, ANSWER), min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, [r"\s+"], [r"^the ", r"\.$"], [r"\d"]]),
)
def test_exact_match_equals_lm_eval(pairs, case, punct, numbers, regexes):
    from lm_eval.api.metrics import exact_match_hf_evaluate

    preds = [p for p, _ in pairs]
    refs = [r for _, r in pairs]
    kw = dict(ignore_case=case, ignore_punctuation=punct, ignore_numbers=numbers,
              regexes_to_ignore=regexes)  # fmt: skip
    ours = metrics.exact_match(preds, refs, **kw)
    assert ours.mean() == exact_match_hf_evaluate(preds, refs, **kw)["exact_match"]


def test_exact_match_trailing_nul_as_lm_eval():
    from lm_eval.api.metrics import exact_match_hf_evaluate

    preds, refs = ["a\x00", "b!\x00", "x"], ["a", "b", "y"]
    for punct in (False, True):
        ours = metrics.exact_match(preds, refs, ignore_punctuation=punct).mean()
        assert ours == exact_match_hf_evaluate(preds, refs, ignore_punctuation=punct)["exact_match"]


# --- pass@k ------------------------------------------------------------------------------------
def test_pass_at_k_equals_the_codex_estimator():
    crux = pytest.importorskip("lm_eval.tasks.cruxeval.utils")
    rng = np.random.default_rng(0)
    n = rng.integers(1, 400, size=2000)
    c = (rng.random(2000) * (n + 1)).astype(int)
    for k in (1, 2, 5, 10, 100):
        keep = n >= k
        ours = metrics.pass_at_k(n[keep], c[keep], k)
        theirs = [crux._pass_at_k(int(a), int(b), k) for a, b in zip(n[keep], c[keep], strict=True)]
        assert ours.tolist() == theirs


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 3000).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))
    )
)
def test_pass_at_k_hypothesis(nck):
    crux = pytest.importorskip("lm_eval.tasks.cruxeval.utils")
    n, c, k = nck
    assert metrics.pass_at_k([n], [c], k)[0] == crux._pass_at_k(n, c, k)


# --- Bad input ---------------------------------------------------------------------------------
def test_bad_input():
    with pytest.raises(TypeError, match=r"predictions\[1\]"):
        metrics.squad(["a", 2], ["a", "b"])
    with pytest.raises(ValueError, match="answers has 1 items but there are 2"):
        metrics.squad(["a", "b"], ["a"])
    with pytest.raises(TypeError, match=r"answers\[0\]"):
        metrics.squad(["a"], [[]])
    with pytest.raises(ValueError, match="version"):
        metrics.squad(["a"], ["a"], version="3")
    with pytest.raises(ValueError, match=r"c\[1\] = 5 exceeds n\[1\] = 4"):
        metrics.pass_at_k([3, 4], [1, 5], 1)
    with pytest.raises(ValueError, match=r"k = 5 exceeds n\[0\] = 3"):
        metrics.pass_at_k([3], [1], 5)
    with pytest.raises(ValueError, match=r"n\[0\] = -1 is negative"):
        metrics.pass_at_k([-1], [0], 1)
    with pytest.raises(TypeError, match="n must hold integers"):
        metrics.pass_at_k([3.5], [1], 1)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        metrics.pass_at_k([3], [1], 0)
    with pytest.raises(ValueError, match="references has 1 items"):
        metrics.exact_match(["a", "b"], ["a"])
