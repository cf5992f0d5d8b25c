"""13-gram contamination: planted leaks on real text, the lm-evaluation-harness normalization
oracle, the shipped sample, near duplicates, CLI and bad input."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from _dedup_text import docstrings, shingles

import assay
from assay.contamination import contamination


def lm_eval_tokens(text: str) -> list[str]:
    return shingles(text, 1, lm_eval=True)


def test_every_planted_leak_is_found_with_its_source():
    rng = random.Random(13)
    docs = list(docstrings())
    items, corpus = docs[:60], list(docs[60:260])
    planted = {}
    hosts = rng.sample(range(len(corpus)), 30)  # one leak per host: no leak splits another
    for k in range(0, 60, 2):  # half the items leak a span of 13..60 tokens into one document
        toks = items[k].split()
        while True:  # a leak of >= 13 tokens after normalization (punctuation-only tokens vanish)
            length = min(len(toks), rng.randint(13, 60))
            start = rng.randint(0, len(toks) - length)
            norm = len(lm_eval_tokens(" ".join(toks[start : start + length])))
            if norm >= 13:
                break
        d = hosts[k // 2]
        host = corpus[d].split()
        at = rng.randint(0, len(host))
        corpus[d] = " ".join([*host[:at], *toks[start : start + length], *host[at:]])
        planted[k] = (d, norm)
    report = contamination(items, corpus, progress=False)
    frame = report.items
    for k, (_d, length) in planted.items():
        row = frame.iloc[k]
        assert row["contaminated"], k
        assert row["longest_match"] >= length
        # the reported span really is shared: check tokens with the Janitor's normalization
        src = lm_eval_tokens(corpus[row["source"]])
        it = lm_eval_tokens(items[k])
        s, i, n = row["source_token"], row["item_token"], row["longest_match"]
        assert src[s : s + n] == it[i : i + n]
    # overlap fraction equals the oracle's set of item 13-grams found in any document
    grams = set()
    for doc in corpus:
        grams.update(shingles(doc, 13, lm_eval=True))
    for k in range(60):
        own = shingles(items[k], 13, lm_eval=True) if len(lm_eval_tokens(items[k])) >= 13 else []
        want = np.mean([g in grams for g in own]) if own else 0.0
        assert frame["overlap"].iloc[k] == pytest.approx(want, abs=1e-12), k
    assert report.contaminated_share == pytest.approx(frame["contaminated"].mean())


def test_overlap_equals_oracle_with_unicode_separators():
    """Every Python whitespace character as separator (the kernel's delimiter scan), capitals and
    punctuation (the Janitor's normalization), against the oracle's 13-gram sets."""
    rng = random.Random(5)
    seps = [" ", "\t", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u1680", "\u2007", "\u2028", "\u3000"]

    def respace(text: str) -> str:
        return "".join(w + rng.choice(seps) for w in text.split())

    docs = [respace(d) for d in docstrings()[:120]]
    items = [respace(" ".join(d.split()[k : k + 40])) for d in docs[:40] for k in (0, 25)]
    frame = contamination(items, docs[20:], progress=False).items
    grams = set()
    for doc in docs[20:]:
        grams.update(shingles(doc, 13, lm_eval=True))
    checked = 0
    for k, item in enumerate(items):
        own = shingles(item, 13, lm_eval=True) if len(lm_eval_tokens(item)) >= 13 else []
        want = np.mean([g in grams for g in own]) if own else 0.0
        assert frame["overlap"].iloc[k] == pytest.approx(want, abs=1e-12), k
        checked += 0 < want < 1 or want == 1
    assert checked > 20  # items of the scanned documents overlap: the test is not vacuous


def test_leak_of_exactly_13_tokens_found_and_12_not():
    item = " ".join(f"w{i}" for i in range(40))
    span = " ".join(f"w{i}" for i in range(10, 23))
    corpus = [f"prefix {span} suffix", "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12"]
    frame = contamination([item], corpus, progress=False).items
    assert frame["longest_match"][0] == 13 and frame["source"][0] == 0
    assert frame["item_token"][0] == 10 and frame["source_token"][0] == 1
    short = contamination([item], corpus[1:], progress=False).items
    assert short["longest_match"][0] == 0 and not short["contaminated"][0]


def test_normalization_is_lm_eval_harness():
    item = "The QUICK, brown fox -- jumps over the lazy dog; the end of it all is near now!"
    doc = "the quick brown fox jumps over the lazy dog the end of it all is near now"
    assert contamination([item], [doc], progress=False).items["overlap"][0] == 1.0
    raw = contamination([item], [doc], progress=False, lm_eval_normalization=False).items
    assert raw["overlap"][0] < 1.0
    with pytest.warns(DeprecationWarning, match="lm_eval_normalization"):  # the old spelling
        old = contamination([item], [doc], progress=False, lm_eval_normalisation=False).items
    assert old["overlap"][0] == raw["overlap"][0]


@pytest.mark.parametrize("lm_eval", [True, False])
def test_scan_signs_documents_as_minhash_does(lm_eval):
    """The scanner signs each corpus document from the tokens it scans (one tokenisation where
    the two rules agree): the signatures equal dedup.minhash's under the near-duplicate test's
    rule, for ASCII text, Latin and Cyrillic capitals (which Unicode lower-casing changes and the
    lm-eval rule does not) and decomposed accents, from Python strs and from an Arrow column, and
    the n-gram results equal those of a scanner that does not sign."""
    import pyarrow as pa

    docs = list(docstrings()[:120])
    caps = str.maketrans("abcdefghij", "ÀÉÎÕÜАБВГД")
    texts = [
        *docs[:40],
        *(d.translate(caps) for d in docs[40:80]),
        *(d.replace("e ", "e\u0301 ").upper() for d in docs[80:]),
        "",
        "x",
    ]
    items = [docs[3][:400], docs[50].translate(caps)[:400]]
    case, strip = ("ascii", True) if lm_eval else ("keep", False)
    lower = "lower" if lm_eval else "keep"
    signing = assay._native.NgramScanner(
        items, ngram=13, case=case, strip_punct=strip, sign=(64, 5, lower, strip, 1)
    )
    plain = assay._native.NgramScanner(items, ngram=13, case=case, strip_punct=strip)
    want = assay.dedup.minhash(texts, num_perm=64, ngram=5, lowercase=lm_eval, strip_punct=strip)
    np.testing.assert_array_equal(signing.scan(texts[:70], 0), want[:70])
    column = pa.chunked_array([texts[70:100], texts[100:]])
    parts = [
        signing.scan_utf8(data, offsets, 70 + first)
        for first, data, offsets in assay._utf8.utf8_column(column, "corpus").chunks
    ]
    np.testing.assert_array_equal(np.concatenate(parts), want[70:])
    assert plain.scan(texts, 0) is None
    for got, expected in zip(signing.results(), plain.results(), strict=True):
        np.testing.assert_array_equal(got, expected)
    assert signing.results()[2].min() > 0  # both items found in the corpus


def test_near_duplicate_short_item_and_shipped_sample(data_dir):
    items = ["What is two plus two? Answer with one number.", "Unrelated tiny item."]
    corpus = ["what is two plus two answer with one number", "something else entirely here"]
    frame = contamination(items, corpus, progress=False).items
    assert frame["n_ngrams"][0] == 0 and frame["near_duplicate"][0] == 0
    assert frame["jaccard"][0] == 1.0 and frame["contaminated"][0]
    assert not frame["contaminated"][1] and frame["near_duplicate"][1] is None
    sample = data_dir / "contamination"
    report = assay.contamination(
        sample / "benchmark.jsonl", sample / "corpus.jsonl", progress=False
    )
    truth = [json.loads(line) for line in (sample / "benchmark.jsonl").read_text().splitlines()]
    for rec, flagged in zip(truth, report.items["contaminated"], strict=False):
        assert flagged == (rec["leak"] is not None), rec["id"]
    assert report.n_documents == 97 and report.contaminated_share == 0.5


def test_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus path does not exist"):
        contamination(["x"], tmp_path / "missing")
    with pytest.raises(ValueError, match="benchmark is empty"):
        contamination([], ["a"])
    with pytest.raises(ValueError, match="ngram must be an integer"):
        contamination(["a"], ["a"], ngram=0)
    with pytest.raises(ValueError, match="num_perm must be an integer"):
        contamination(["a"], ["a"], num_perm=0)
    bad = tmp_path / "c.jsonl"
    bad.write_bytes(b'{"text": "ok"}\n{"text": "\xff"}\n')
    with pytest.raises(ValueError, match=r"c.jsonl:2: invalid UTF-8 at byte 10"):
        contamination(["a"], bad)
    dup = tmp_path / "b.jsonl"
    dup.write_text('{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n')
    with pytest.raises(ValueError, match="benchmark ids must be unique"):
        contamination(dup, ["a"])


def test_empty_parquet_corpus(tmp_path):
    """A Parquet corpus of no rows (its text column has no chunks) is a corpus of no documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "empty.parquet")
    report = contamination(["one two three"], tmp_path / "empty.parquet", progress=False)
    assert report.n_documents == 0 and report.contaminated_share == 0.0
    assert not report.items["contaminated"][0]


def test_cli_contamination(data_dir, capsys, tmp_path):
    from assay.cli import main

    sample = data_dir / "contamination"
    out = tmp_path / "r.csv"
    assert (
        main(
            [
                "contamination",
                "--benchmark",
                str(sample / "benchmark.jsonl"),
                "--corpus",
                str(sample / "corpus.jsonl"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "20 of 40 benchmark items contaminated (50.0%)" in text
    assert out.read_text().startswith("item,n_ngrams,overlap")
    assert (
        main(
            [
                "contamination",
                "--benchmark",
                str(sample / "benchmark.jsonl"),
                "--corpus",
                str(tmp_path / "nope"),
            ]
        )
        == 1
    )
    assert "corpus path does not exist" in capsys.readouterr().err


def test_streaming_memory_is_flat(tmp_path):
    """Peak memory is set by the batch, not the corpus: 4x the documents, same peak."""
    import tracemalloc

    docs = docstrings()
    items = [docs[3][:300], docs[5][:300]]

    def peak_for(n_docs: int) -> tuple[int, int]:
        path = tmp_path / f"corpus{n_docs}.jsonl"
        with path.open("w") as fh:
            for k in range(n_docs):
                fh.write(json.dumps({"text": f"{docs[k % len(docs)][:500]} doc {k}"}) + "\n")
        tracemalloc.start()
        try:
            report = contamination(items, path, batch_size=500, progress=False)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.n_documents == n_docs and report.items["contaminated"].all()
        return peak, path.stat().st_size

    small, _ = peak_for(2_500)
    big, size = peak_for(10_000)
    assert big < 1.25 * small, (small, big)
    assert big < size / 2, (big, size)
