"""assay.metrics chrF / chrF++ against sacrebleu itself (==), on real WMT23 translations, real
TruthfulQA answers (several references: the best one counts) and Hypothesis strings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay import metrics

sacrebleu = pytest.importorskip("sacrebleu")
from sacrebleu.metrics import CHRF  # noqa: E402


@pytest.fixture(scope="module")
def wmt(wmt23):
    return wmt23


@pytest.fixture(scope="module")
def truthfulqa(shared_data, truthfulqa_questions):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = [r for r in rows if r["model"] == "gemma-2-27b-it"][:400]
    return [r["response"] for r in rows], [
        truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"] for r in rows
    ]


@pytest.mark.parametrize("word_order", [0, 2])
def test_wmt23_every_system(wmt, word_order):
    systems, ref = wmt
    for hyp in systems.values():
        ours = metrics.corpus_chrf(hyp, [ref], word_order=word_order)
        theirs = sacrebleu.corpus_chrf(hyp, [ref], word_order=word_order)
        assert ours.score == theirs.score and str(ours) == str(theirs)
        expected = [
            sacrebleu.sentence_chrf(h, [r], word_order=word_order).score
            for h, r in zip(hyp, ref, strict=True)
        ]
        assert metrics.chrf(hyp, ref, word_order=word_order).tolist() == expected


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"word_order": 2},
        {"lowercase": True, "word_order": 1},
        {"whitespace": True},
        {"eps_smoothing": True, "word_order": 2},
        {"char_order": 4, "beta": 3},
    ],
)
def test_truthfulqa_best_of_several_references(truthfulqa, kw):
    hyps, refs = truthfulqa
    metric = CHRF(**kw)
    expected = [metric.sentence_score(h, r).score for h, r in zip(hyps, refs, strict=True)]
    assert metrics.chrf(hyps, refs, **kw).tolist() == expected
    width = max(len(r) for r in refs)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(width)]
    corpus = CHRF(**kw).corpus_score(hyps, streams).score
    assert metrics.chrf(hyps, refs, level="corpus", **kw).score == corpus


PIECES = ["a", "b", "ab", ".", ",", "!", "(", " ", "\n", "\u3000", "é", "日本", "x.", ".x"]
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=50) | (
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
)


@given(
    st.lists(st.tuples(text, st.lists(text, min_size=1, max_size=3)), min_size=1, max_size=6),
    st.sampled_from([0, 2]),
)
def test_hypothesis_strings(pairs, word_order):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    ours = metrics.chrf(hyps, refs, word_order=word_order)
    for got, h, r in zip(ours, hyps, refs, strict=True):
        assert got == sacrebleu.sentence_chrf(h, r, word_order=word_order).score


@pytest.mark.parametrize(
    ("kw", "error", "match"),
    [
        ({"char_order": 7}, ValueError, "char_order must be <= 6"),
        ({"word_order": -1}, ValueError, "word_order must be >= 0"),
        ({"beta": 0}, ValueError, "beta must be >= 1"),
        ({"level": "doc"}, ValueError, "level"),
    ],
)
def test_bad_input(kw, error, match):
    with pytest.raises(error, match=match):
        metrics.chrf(["a b"], ["a b"], **kw)
