"""assay.metrics BLEU against sacrebleu itself (==), on real WMT23 translations, real
TruthfulQA answers (several references) and Hypothesis strings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay import metrics

sacrebleu = pytest.importorskip("sacrebleu")
from sacrebleu.metrics import BLEU  # noqa: E402


@pytest.fixture(scope="module")
def wmt(wmt23):
    return wmt23


@pytest.fixture(scope="module")
def truthfulqa(shared_data, truthfulqa_questions):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = [r for r in rows if r["model"] == "Meta-Llama-3-8B-Instruct" and r["lang"] == "en"][:300]
    return [r["response"] for r in rows], [
        truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"] for r in rows
    ]


def test_wmt23_every_system_corpus_and_sentence(wmt):
    systems, ref = wmt
    for name, hyp in systems.items():
        ours = metrics.corpus_bleu(hyp, [ref])
        theirs = sacrebleu.corpus_bleu(hyp, [ref])
        assert ours.score == theirs.score, name
        assert str(ours) == str(theirs)
        assert (ours.counts, ours.totals, ours.sys_len, ours.ref_len) == (
            theirs.counts, theirs.totals, theirs.sys_len, theirs.ref_len,
        )  # fmt: skip
        sentence = metrics.bleu(hyp, ref)
        assert sentence.tolist() == [
            sacrebleu.sentence_bleu(h, [r]).score for h, r in zip(hyp, ref, strict=True)
        ]


@pytest.mark.parametrize("tokenize", ["13a", "intl", "none", "char"])
@pytest.mark.parametrize("smooth", ["exp", "floor", "add-k", "none"])
@pytest.mark.parametrize("lowercase", [False, True])
def test_truthfulqa_several_references(truthfulqa, tokenize, smooth, lowercase):
    hyps, refs = truthfulqa
    kw = {"tokenize": tokenize, "smooth_method": smooth, "lowercase": lowercase}
    ours = metrics.bleu(hyps, refs, **kw)
    ref_metric = BLEU(effective_order=True, **kw)
    expected = [ref_metric.sentence_score(h, r).score for h, r in zip(hyps, refs, strict=True)]
    assert ours.tolist() == expected
    width = max(len(r) for r in refs)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(width)]
    corpus = metrics.corpus_bleu(hyps, streams, **kw)
    assert corpus.score == BLEU(**kw).corpus_score(hyps, streams).score
    assert metrics.bleu(hyps, refs, level="corpus", **kw).score == corpus.score


PIECES = ["a", "b", "c", ".", ",", "-", "3", " ", "\n", "&amp;", "\x1c", "\u3000", "<skipped>",
          "é", "$", "'"]  # fmt: skip
text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60
) | st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@given(st.lists(st.tuples(text, st.lists(text, min_size=1, max_size=3)), min_size=1, max_size=8))
def test_hypothesis_strings(pairs):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    ours = metrics.bleu(hyps, refs)
    for got, h, r in zip(ours, hyps, refs, strict=True):
        assert got == sacrebleu.sentence_bleu(h, r).score
    width = max(len(r) for r in refs)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(width)]
    assert metrics.corpus_bleu(hyps, streams).score == sacrebleu.corpus_bleu(hyps, streams).score


def test_thirteen_a_tokens_on_hypothesis_text():
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    t = Tokenizer13a()
    for s in [
        "Hello, world! $3.50-4,000 (approx.).",
        "a.,b",
        "x&quot;y &lt;z&gt;",
        "1-2-3",
        "a-\nb",
    ]:
        stats = metrics.bleu_statistics([s], [[s]], tokenize="13a")
        assert stats[0, 0] == len(t(s.rstrip()).split())


def test_inputs_from_arrays_and_columns(wmt):
    import pandas as pd
    import pyarrow as pa

    systems, ref = wmt
    hyp = next(iter(systems.values()))
    base = metrics.bleu(hyp, ref)
    assert np.array_equal(metrics.bleu(np.array(hyp, dtype=object), pd.Series(ref)), base)
    assert np.array_equal(metrics.bleu(pa.array(hyp), pa.chunked_array([ref])), base)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: metrics.bleu(["a"], ["a", "b"]), ValueError, "references has 2 items"),
        (lambda: metrics.bleu(["a", None], ["a", "b"]), TypeError, r"predictions\[1\]"),
        (lambda: metrics.bleu(["a"], [3]), TypeError, r"references\[0\]"),
        (lambda: metrics.bleu([], []), ValueError, "predictions is empty"),
        (lambda: metrics.bleu("abc", ["a"]), TypeError, "predictions must be a sequence"),
        (lambda: metrics.bleu(["a"], ["a"], tokenize="intl2"), ValueError, "tokenize"),
        (lambda: metrics.bleu(["a"], ["a"], smooth_method="add"), ValueError, "smooth_method"),
        (lambda: metrics.bleu(["a"], ["a"], level="doc"), ValueError, "level"),
        (lambda: metrics.bleu(["\ud800"], ["a"]), ValueError, "lone surrogate"),
        (lambda: metrics.corpus_bleu(["a", "b"], [["a"]]), ValueError, r"references\[0\] has 1"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@given(st.lists(st.tuples(text, st.lists(text, min_size=1, max_size=3)), min_size=1, max_size=8))
def test_hypothesis_strings_intl(pairs):
    hyps = [h for h, _ in pairs]
    refs = [r for _, r in pairs]
    ours = metrics.bleu(hyps, refs, tokenize="intl")
    for got, h, r in zip(ours, hyps, refs, strict=True):
        assert got == sacrebleu.sentence_bleu(h, r, tokenize="intl").score
