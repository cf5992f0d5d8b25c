"""assay.metrics TER and the sacrebleu shim's TER against sacrebleu 2.6.0 itself (==): real
WMT23 translations cut into sentences (and a few whole paragraphs), real TruthfulQA answers
with several references, every tokenizer option, and Hypothesis strings over small vocabularies
(many repeated words, so many shift candidates and ties)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay import metrics
from assay.compat import sacrebleu as ours

sacrebleu = pytest.importorskip("sacrebleu")
from sacrebleu.metrics import TER  # noqa: E402


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n", " ")) if s]


@pytest.fixture(scope="module")
def wmt_sentences(wmt23):
    """Sentence pairs of two real systems against the human reference (paragraphs whose
    sentence counts agree), ~20 words each."""
    systems, ref = wmt23
    hyps, refs = [], []
    for name in list(systems)[:2]:
        for h, r in zip(systems[name], ref, strict=True):
            hs, rs = _sentences(h), _sentences(r)
            if len(hs) == len(rs):
                hyps.extend(hs)
                refs.extend(rs)
    return hyps[:300], refs[:300]


def test_wmt23_sentences_sentence_and_corpus(wmt_sentences):
    hyps, refs = wmt_sentences
    metric = TER()
    expected = [metric.sentence_score(h, [r]).score for h, r in zip(hyps, refs, strict=True)]
    assert metrics.ter(hyps, refs).tolist() == expected
    theirs = sacrebleu.corpus_ter(hyps, [refs])
    mine = metrics.corpus_ter(hyps, [refs])
    assert (mine.score, mine.num_edits, mine.ref_length) == (
        theirs.score, theirs.num_edits, theirs.ref_length,
    )  # fmt: skip
    assert str(mine) == str(theirs)


def test_wmt23_whole_paragraphs(wmt23):
    systems, ref = wmt23
    hyp = next(iter(systems.values()))[:6]
    expected = [TER().sentence_score(h, [r]).score for h, r in zip(hyp, ref[:6], strict=True)]
    assert metrics.ter(hyp, ref[:6]).tolist() == expected


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"normalized": True},
        {"no_punct": True},
        {"case_sensitive": True},
        {"normalized": True, "asian_support": True, "no_punct": True},
    ],
)
def test_truthfulqa_several_references(shared_data, truthfulqa_questions, options):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = rows[::60]
    hyps = [r["response"][:300] for r in rows]
    refs = [truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"] for r in rows]
    metric = TER(**options)
    expected = [metric.sentence_score(h, r).score for h, r in zip(hyps, refs, strict=True)]
    assert metrics.ter(hyps, refs, **options).tolist() == expected
    width = max(len(r) for r in refs)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(width)]
    assert metrics.corpus_ter(hyps, streams, **options).score == (
        TER(**options).corpus_score(hyps, streams).score
    )


def test_compat_classes_and_signature(wmt_sentences):
    hyps, refs = wmt_sentences
    for options in ({}, {"normalized": True, "no_punct": True, "case_sensitive": True}):
        mine, theirs = ours.TER(**options), TER(**options)
        a, b = (
            mine.corpus_score(hyps[:50], [refs[:50]]),
            theirs.corpus_score(hyps[:50], [refs[:50]]),
        )
        assert a.score == b.score and str(a) == str(b)
        assert str(mine.get_signature()) == str(theirs.get_signature())
        assert mine.get_signature().format(short=True) == theirs.get_signature().format(short=True)
    assert (
        ours.sentence_ter(hyps[0], [refs[0]]).score
        == sacrebleu.sentence_ter(hyps[0], [refs[0]]).score
    )
    assert (
        ours.corpus_ter(hyps[:9], [refs[:9]]).score
        == sacrebleu.corpus_ter(hyps[:9], [refs[:9]]).score
    )


WORDS = st.sampled_from(
    ["a", "b", "c", "d", "the", "The", "x.", "y,", "é", "東京", "&amp;", "1,000"]
)
TEXT = st.lists(WORDS, max_size=40).map(" ".join) | st.text(max_size=30).filter(
    lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(TEXT, st.lists(TEXT, min_size=1, max_size=3)), min_size=1, max_size=5),
    st.booleans(),
    st.booleans(),
)
def test_hypothesis_strings(pairs, normalized, case_sensitive):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    kw = {"normalized": normalized, "case_sensitive": case_sensitive}
    metric = TER(**kw)
    expected = [metric.sentence_score(h, r).score for h, r in zip(hyps, refs, strict=True)]
    assert metrics.ter(hyps, refs, **kw).tolist() == expected


def test_bad_input():
    with pytest.raises(TypeError, match=r"predictions\[0\]"):
        metrics.ter([None], ["a"])
    with pytest.raises(ValueError, match="references has 1 items but there are 2"):
        metrics.ter(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="references\\[0\\] has 1 segments but there are 2"):
        metrics.corpus_ter(["a", "b"], [["a"]])
    with pytest.raises(ValueError, match="level"):
        metrics.ter(["a"], ["a"], level="doc")
