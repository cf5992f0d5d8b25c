"""``from assay.compat import sacrebleu`` gives sacrebleu's BLEU: scores (==), str(),
signatures, on real WMT23 translations."""

from __future__ import annotations

import json

import pytest

from assay.compat import sacrebleu as ours

sacrebleu = pytest.importorskip("sacrebleu")


@pytest.fixture(scope="module")
def wmt(shared_data):
    rows = [json.loads(line) for line in open(shared_data / "mt" / "wmt23_ende_sxs_segments.jsonl")]
    return [r["targets"]["ONLINE-A"] for r in rows], [r["targets"]["refA"] for r in rows]


def test_module_functions(wmt):
    hyp, ref = wmt
    a, b = ours.corpus_bleu(hyp, [ref]), sacrebleu.corpus_bleu(hyp, [ref])
    assert a.score == b.score and str(a) == str(b)
    assert (a.counts, a.totals, a.precisions, a.bp) == (b.counts, b.totals, b.precisions, b.bp)
    for h, r in list(zip(hyp, ref, strict=True))[:30]:
        x, y = ours.sentence_bleu(h, [r]), sacrebleu.sentence_bleu(h, [r])
        assert x.score == y.score and str(x) == str(y)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"lowercase": True, "tokenize": "none"}, {"smooth_method": "floor"},
     {"smooth_method": "add-k", "smooth_value": 2}, {"effective_order": True}],
)  # fmt: skip
def test_metric_class_and_signature(wmt, kwargs):
    hyp, ref = wmt
    mine, theirs = ours.BLEU(**kwargs), sacrebleu.BLEU(**kwargs)
    streams = [ref, [r if i % 3 else None for i, r in enumerate(ref)]]  # a variable count
    assert mine.corpus_score(hyp, streams).score == theirs.corpus_score(hyp, streams).score
    assert str(mine.get_signature()) == str(theirs.get_signature())
    assert mine.get_signature().format(short=True) == theirs.get_signature().format(short=True)
    assert (
        mine.sentence_score(hyp[0], [ref[0]]).score == theirs.sentence_score(hyp[0], [ref[0]]).score
    )
    assert str(mine.get_signature()) == str(theirs.get_signature())


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"word_order": 2}, {"lowercase": True, "whitespace": True}, {"eps_smoothing": True}],
)
def test_chrf_class_functions_and_signature(wmt, kwargs):
    hyp, ref = wmt
    mine, theirs = ours.CHRF(**kwargs), sacrebleu.CHRF(**kwargs)
    a, b = mine.corpus_score(hyp, [ref]), theirs.corpus_score(hyp, [ref])
    assert a.score == b.score and str(a) == str(b)
    assert str(mine.get_signature()) == str(theirs.get_signature())
    assert mine.get_signature().format(short=True) == theirs.get_signature().format(short=True)
    x, y = mine.sentence_score(hyp[3], [ref[3]]), theirs.sentence_score(hyp[3], [ref[3]])
    assert x.score == y.score
    assert ours.corpus_chrf(hyp, [ref]).score == sacrebleu.corpus_chrf(hyp, [ref]).score
    assert ours.sentence_chrf(hyp[0], [ref[0]], word_order=2).score == (
        sacrebleu.sentence_chrf(hyp[0], [ref[0]], word_order=2).score
    )


def test_signature_needs_a_scoring_first():
    with pytest.raises(ValueError, match="evaluate the metric first"):
        ours.BLEU().get_signature()
