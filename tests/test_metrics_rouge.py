"""assay.metrics.rouge and the rouge_score shim against rouge_score 0.1.2 itself (==): real
English prose that ships with Debian (its licence texts) perturbed by word substitutions,
deletions, insertions and sentence swaps; real SQuALITY summaries with 4 references each
(score_multi); real TruthfulQA answers; Hypothesis strings; the Porter port against NLTK's
stemmer on every word of that prose and of Python's reference manual, and on Hypothesis words."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay import _native, metrics
from assay.compat.rouge_score import rouge_scorer as our_scorer
from assay.compat.rouge_score import scoring as our_scoring

rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
from nltk.stem.porter import PorterStemmer  # noqa: E402
from rouge_score import scoring  # noqa: E402

TYPES = ["rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum"]
LICENSES = Path("/usr/share/common-licenses")


def _prose() -> str:
    if not LICENSES.is_dir():
        pytest.skip("Debian's licence texts are not on this machine")
    names = ["GPL-3", "Apache-2.0", "LGPL-2.1", "MPL-2.0", "Artistic", "GFDL-1.3"]
    return "\n".join((LICENSES / n).read_text() for n in names if (LICENSES / n).exists())


@pytest.fixture(scope="module")
def prose_pairs() -> list[tuple[str, str]]:
    """(target, prediction) pairs: runs of 1-6 real sentences, the prediction perturbed."""
    text = _prose()
    sentences = [s.strip() for s in re.split(r"(?<=[.;:])\s+", text) if len(s.split()) > 3]
    vocab = sorted({w for s in sentences for w in s.split()})
    rng = random.Random(7)
    pairs = []
    for _ in range(300):
        start = rng.randrange(len(sentences) - 6)
        target = sentences[start : start + rng.randint(1, 6)]
        pred = []
        for s in target:
            words = s.split()
            for _ in range(rng.randint(0, 4)):
                op, i = rng.choice("sdi"), rng.randrange(len(words))
                if op == "s":
                    words[i] = rng.choice(vocab)
                elif op == "d" and len(words) > 1:
                    del words[i]
                else:
                    words.insert(i, rng.choice(vocab))
            pred.append(" ".join(words))
        if len(pred) > 1 and rng.random() < 0.5:
            i = rng.randrange(len(pred) - 1)
            pred[i], pred[i + 1] = pred[i + 1], pred[i]
        pairs.append(("\n".join(target), "\n".join(pred)))
    return pairs


def _reference(targets, preds, stem, types=TYPES):
    scorer = rouge_scorer.RougeScorer(types, use_stemmer=stem)
    return [
        scorer.score(t, p) if isinstance(t, str) else scorer.score_multi(t, p)
        for t, p in zip(targets, preds, strict=True)
    ]


def _assert_equal(ours: dict[str, np.ndarray], theirs, types=TYPES):
    for k in types:
        expected = [tuple(s[k]) for s in theirs]
        assert [tuple(r) for r in ours[k].tolist()] == expected, k


@pytest.mark.parametrize("stem", [False, True])
def test_perturbed_prose(prose_pairs, stem):
    targets, preds = zip(*prose_pairs, strict=True)
    ours = metrics.rouge(list(preds), list(targets), types=TYPES, use_stemmer=stem)
    _assert_equal(ours, _reference(targets, preds, stem))


def test_porter_on_every_word_of_the_prose():
    """Every word of the licence texts and of Python's own reference manual (pydoc_data)."""
    from pydoc_data.topics import topics

    text = _prose() + " ".join(topics.values())
    words = sorted(set(re.findall(r"[a-z0-9]+", text.lower())))
    assert len(words) > 4000
    stemmer = PorterStemmer()
    assert _native.porter_stems(words) == [stemmer.stem(w) for w in words]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="abcdeilnorstuyz0", min_size=1, max_size=14), max_size=40))
def test_porter_on_hypothesis_words(words):
    stemmer = PorterStemmer()
    assert _native.porter_stems(words) == [stemmer.stem(w) for w in words]


@pytest.fixture(scope="module")
def squality(shared_data):
    base = shared_data / "summaries"
    refs = {
        (q["passage_id"], q["question_number"]): q["references"]
        for q in map(json.loads, (base / "questions_references.jsonl").open(encoding="utf-8"))
    }
    rows = [json.loads(line) for line in (base / "responses.jsonl").open(encoding="utf-8")]
    return [r["response"] for r in rows], [
        refs[(r["passage_id"], r["question_number"])] for r in rows
    ]


@pytest.mark.parametrize("stem", [False, True])
def test_squality_summaries_against_four_references(squality, stem):
    """A third of the 300 responses (all of them with ASSAY_SLOW=1)."""
    preds, refs = squality
    if not os.environ.get("ASSAY_SLOW"):
        preds, refs = preds[::3], refs[::3]
    ours = metrics.rouge(preds, refs, types=TYPES, use_stemmer=stem)
    _assert_equal(ours, _reference(refs, preds, stem))


def test_truthfulqa_answers(shared_data, truthfulqa_questions):
    rows = [json.loads(line) for line in open(shared_data / "truthfulqa" / "generations.jsonl")]
    rows = rows[::7]
    preds = [r["response"] for r in rows]
    refs = [truthfulqa_questions[(r["lang"], r["doc_id"])]["correct_answers"] for r in rows]
    ours = metrics.rouge(preds, refs, types=TYPES, use_stemmer=True)
    _assert_equal(ours, _reference(refs, preds, True))


ODD = st.one_of(
    st.text(max_size=80).filter(lambda s: not any(0xD800 <= ord(c) < 0xE000 for c in s)),
    st.lists(
        st.sampled_from(
            ["The", "cat", "CAT", "sat", "running", "İstanbul", "Café", "\n", " ", "", "K", "dogs."]
        ),
        max_size=30,
    ).map(" ".join),
    st.sampled_from(["", " ", "\n\n", "\t \n", "...", "a\nb\n\nc"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(ODD, st.lists(ODD, min_size=1, max_size=4)), min_size=1, max_size=6),
    st.booleans(),
)
def test_hypothesis_strings(items, stem):
    preds = [p for p, _ in items]
    refs = [r for _, r in items]
    ours = metrics.rouge(preds, refs, types=TYPES, use_stemmer=stem)
    _assert_equal(ours, _reference(refs, preds, stem))


def _long_texts(n_target: int, n_pred: int) -> tuple[str, str]:
    rng = random.Random(3)
    words = re.findall(r"\w+", _prose())
    target = " ".join(rng.choice(words) for _ in range(n_target))
    pred = " ".join(
        rng.choice(words) + ("\n" if rng.random() < 0.05 else "") for _ in range(n_pred)
    )
    return target, pred


def test_ten_thousand_tokens():
    """10k-token texts: n-grams against 10k tokens; the LCS types against 400 (rouge_score's
    Python DP table over 10k × 10k takes a minute: that one runs with ASSAY_SLOW=1)."""
    target, pred = _long_texts(10_000, 10_000)
    ngrams = ["rouge1", "rouge2", "rouge4"]
    ours = metrics.rouge([pred], [target], types=ngrams, use_stemmer=True)
    _assert_equal(ours, _reference([target], [pred], True, ngrams), ngrams)
    target, pred = _long_texts(10_000, 400)
    ours = metrics.rouge([pred, target], [target, pred], types=TYPES, use_stemmer=True)
    _assert_equal(ours, _reference([target, pred], [pred, target], True))


@pytest.mark.slow
def test_ten_thousand_tokens_both_sides():
    target, pred = _long_texts(10_000, 10_000)
    ours = metrics.rouge([pred], [target], types=TYPES, use_stemmer=True)
    _assert_equal(ours, _reference([target], [pred], True))


def test_only_rougelsum_and_many_references(prose_pairs):
    targets = [t for t, _ in prose_pairs[:40]]
    preds = [p for _, p in prose_pairs[:40]]
    many = [targets[i : i + 12] for i in range(len(targets) - 12)]
    ours = metrics.rouge(preds[: len(many)], many, types=["rougeLsum"])
    _assert_equal(ours, _reference(many, preds[: len(many)], False, ["rougeLsum"]), ["rougeLsum"])


# The drop-in shim -----------------------------------------------------------------------------


def test_shim_score_and_score_multi(prose_pairs):
    theirs = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    ours = our_scorer.RougeScorer(TYPES, use_stemmer=True)
    for t, p in prose_pairs[:50]:
        a, b = ours.score(t, p), theirs.score(t, p)
        assert a == b and list(a) == list(b)
        assert all(type(v).__name__ == "Score" and v._fields == b[k]._fields for k, v in a.items())
    targets = [t for t, _ in prose_pairs[:5]]
    assert ours.score_multi(targets, prose_pairs[0][1]) == theirs.score_multi(
        targets, prose_pairs[0][1]
    )
    batch = ours.score_batch([t for t, _ in prose_pairs], [p for _, p in prose_pairs])
    assert batch == [theirs.score(t, p) for t, p in prose_pairs]


class _WhitespaceTokenizer:
    """A custom tokenizer (case-sensitive whitespace split), as users pass to rouge_score."""

    def tokenize(self, text):
        return text.split()


def test_shim_custom_tokenizer(prose_pairs):
    theirs = rouge_scorer.RougeScorer(TYPES, tokenizer=_WhitespaceTokenizer())
    ours = our_scorer.RougeScorer(TYPES, tokenizer=_WhitespaceTokenizer())
    for t, p in prose_pairs[:60]:
        assert ours.score(t, p) == theirs.score(t, p)
    targets = [t for t, _ in prose_pairs[:4]]
    assert ours.score_multi(targets, "x y") == theirs.score_multi(targets, "x y")


def test_shim_split_summaries_with_nltk_splitter(prose_pairs, monkeypatch):
    """split_summaries=True calls nltk.sent_tokenize, as rouge_score does; its punkt model is
    not downloadable here, so both sides get the same stand-in splitter through NLTK."""
    import nltk

    monkeypatch.setattr(nltk, "sent_tokenize", lambda text: re.split(r"(?<=[.;:])\s+", text))
    theirs = rouge_scorer.RougeScorer(["rougeLsum", "rouge1"], split_summaries=True)
    ours = our_scorer.RougeScorer(["rougeLsum", "rouge1"], split_summaries=True)
    for t, p in prose_pairs[:80]:
        flat_t, flat_p = t.replace("\n", " "), p.replace("\n", " ")
        assert ours.score(flat_t, flat_p) == theirs.score(flat_t, flat_p)


def test_split_summaries_without_punkt_says_how_to_install(monkeypatch):
    import nltk

    def missing(text):
        raise LookupError("Resource punkt_tab not found.")

    monkeypatch.setattr(nltk, "sent_tokenize", missing)
    with pytest.raises(LookupError, match=r"nltk\.downloader punkt_tab"):
        metrics.rouge(["a b. c"], ["a b"], types=["rougeLsum"], split_summaries=True)


@pytest.mark.parametrize("n", [1, 2, 9, 250])
def test_bootstrap_aggregator_draws_as_rouge_score(prose_pairs, n):
    theirs_scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"])
    results = []
    for mod in (scoring, our_scoring):
        np.random.seed(11)  # noqa: NPY002 (the aggregator draws from the global generator)
        agg = mod.BootstrapAggregator(confidence_interval=0.9, n_samples=300)
        for t, p in prose_pairs[:n]:
            agg.add_scores(theirs_scorer.score(t, p))
        results.append(agg.aggregate())
    assert results[0] == results[1]
    if n == 1:
        item = theirs_scorer.score(*prose_pairs[0])
        assert results[1]["rouge1"].mid == item["rouge1"]


# Bad input ------------------------------------------------------------------------------------


def test_bad_input_names_the_argument_and_item():
    with pytest.raises(TypeError, match=r"predictions\[1\]"):
        metrics.rouge(["a", None], ["a", "b"])
    with pytest.raises(TypeError, match=r"references\[0\]\[1\]"):
        metrics.rouge(["a"], [["a", 3]])
    with pytest.raises(ValueError, match="references has 1 items but there are 2"):
        metrics.rouge(["a", "b"], ["a"])
    with pytest.raises(ValueError, match=r"types\[1\]: invalid rouge type 'rougeX'"):
        metrics.rouge(["a"], ["a"], types=["rouge1", "rougeX"])
    with pytest.raises(ValueError, match="rougen requires positive n"):
        our_scorer.RougeScorer(["rouge0"])
    with pytest.raises(ValueError, match="lone surrogate"):
        metrics.rouge(["a\ud800"], ["a"])
    with pytest.raises(TypeError, match="tokenize"):
        our_scorer.RougeScorer(["rouge1"], tokenizer=object())
    with pytest.raises(ValueError, match="not a lowercase ASCII"):
        _native.porter_stems(["Abc"])
    assert metrics.rouge([], [], types=["rouge1"])["rouge1"].shape == (0, 3)


def test_empty_texts_score_zero_as_rouge_score():
    theirs = rouge_scorer.RougeScorer(TYPES).score("", "the cat")
    ours = metrics.rouge(["the cat"], [""], types=TYPES)
    _assert_equal(ours, [theirs])


def test_pandas_pyarrow_numpy_inputs(prose_pairs):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    targets = [t for t, _ in prose_pairs[:20]]
    preds = [p for _, p in prose_pairs[:20]]
    base = metrics.rouge(preds, targets)
    for p, t in [
        (pd.Series(preds), pd.Series(targets)),
        (pa.array(preds), pa.array(targets)),
        (np.array(preds, dtype=object), np.array(targets, dtype=object)),
    ]:
        out = metrics.rouge(p, t)
        assert all((out[k] == base[k]).all() for k in base)
