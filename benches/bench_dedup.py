"""Dedup and contamination benchmarks: assay and its anchors on the same real text in one run.

Text: documentation strings of Python standard-library modules (tests/_dedup_text.py), joined into
~4 KB documents, lightly edited copies mixed in. Throughput is reported per core: run with
``RAYON_NUM_THREADS=1`` (assay then uses one thread; datasketch, rensa and the Python scan are
single-threaded anyway). Anchors too slow for the full data run on a slice; ``extra_info["scale"]``
restores the full-size time and ``extra_info["mb"]`` is the text size the group stands for.

    RAYON_NUM_THREADS=1 python -m pytest benches/bench_dedup.py --benchmark-json=dedup.json
    python benches/report.py dedup.json
"""

from __future__ import annotations

import random
import string
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _dedup_text import docstrings, edit

from assay import _native, dedup

N_DOCS = 2000  # ~8 MB of text
SLOW = 100  # docs for the pure-Python anchors (scaled up)


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    rng = random.Random(0)
    docs = list(docstrings(20)[:230])  # the rest are held out for the contamination items
    out = []
    while len(out) < N_DOCS:
        text = " ".join(rng.choice(docs) for _ in range(12))[:4000]
        out.append(text if rng.random() < 0.8 else edit(text, 0.03, rng))
    return out


def mb(texts: list[str]) -> float:
    return sum(len(t.encode()) for t in texts) / 1e6


def python_shingles(text: str, n: int = 5) -> list[str]:
    toks = text.split()
    return [" ".join(toks[i : i + n]) for i in range(max(len(toks) - n + 1, 1))]


def run(benchmark, impl, fn, *args, scale=1.0, size=0.0, rounds=None):
    """Median of ``rounds`` calls after a warm-up: 31 for the millisecond-scale calls (assay's)
    so that the shared machine's noise does not pick the median, 3 for the slow anchors."""
    rounds = rounds or (31 if impl.startswith("assay") else 3)
    benchmark.extra_info.update(impl=impl, scale=scale, mb=size)
    return benchmark.pedantic(fn, args=args, rounds=rounds, iterations=1, warmup_rounds=1)


# ---- text -> signatures (128 permutations, word 5-grams) ----


@pytest.mark.parametrize("impl", ["assay", "assay-compat", "datasketch", "rensa", "rensa-sigstep"])
def test_minhash(benchmark, corpus, impl):
    benchmark.group = "minhash text->signatures 8MB"
    size = mb(corpus)
    if impl == "assay":
        out = run(benchmark, impl, dedup.minhash, corpus, size=size)
        assert out.shape == (N_DOCS, 128)
    elif impl == "assay-compat":
        run(benchmark, impl, lambda t: dedup.minhash(t, compat="datasketch"), corpus, size=size)
    elif impl == "datasketch":
        from datasketch import MinHash

        def ds(texts):
            out = []
            for t in texts:
                m = MinHash(num_perm=128, seed=1)
                m.update_batch([s.encode() for s in python_shingles(t)])
                out.append(m.hashvalues)
            return out

        sub = corpus[:SLOW]
        run(benchmark, impl, ds, sub, scale=len(corpus) / len(sub), size=size)
    elif impl == "rensa":
        from rensa import RMinHash

        def rensa_e2e(texts):
            sets = [python_shingles(t) for t in texts]
            return RMinHash.digest_matrix_from_token_sets(sets, 128, 1)

        run(benchmark, impl, rensa_e2e, corpus, size=size)
    else:
        from rensa import RMinHash

        sets = [python_shingles(t) for t in corpus]
        benchmark.extra_info["note"] = "signature step only, shingles pre-built in Python"
        run(benchmark, impl, RMinHash.digest_matrix_from_token_sets, sets, 128, 1, size=size)


def test_minhash_paired_ratio(benchmark, corpus):
    """assay against rensa's signature step in interleaved pairs of calls, so that the shared
    VM's drifting speed hits both sides of each ratio alike; the note carries the median ratio
    and its range over the pairs (the group's own time is assay's)."""
    import time

    from rensa import RMinHash

    benchmark.group = "minhash paired: rensa signature step / assay"
    sets = [python_shingles(t) for t in corpus]
    ratios = []
    for _ in range(21):
        t0 = time.perf_counter()
        dedup.minhash(corpus)
        t1 = time.perf_counter()
        RMinHash.digest_matrix_from_token_sets(sets, 128, 1)
        t2 = time.perf_counter()
        ratios.append((t2 - t1) / (t1 - t0))
    ratios.sort()
    benchmark.extra_info["note"] = (
        f"rensa step / assay over 21 interleaved pairs: median {ratios[10]:.2f}x "
        f"(quartiles {ratios[5]:.2f}-{ratios[15]:.2f}x)"
    )
    run(benchmark, "assay", dedup.minhash, corpus, size=mb(corpus))


# ---- an Arrow column in place, against its Python strs ----

# Latin to Cyrillic letters: the same documents as two-byte UTF-8 text, which CPython stores as
# UCS-2 and must encode again for any UTF-8 consumer.
CYRILLIC = str.maketrans(string.ascii_lowercase, "абцдефгхийклмнопярстужвьыз")
# Capitals too: then lower-casing changes non-ASCII characters, as in real Cyrillic text.
CYRILLIC_CAPS = str.maketrans(
    string.ascii_letters, "абцдефгхийклмнопярстужвьызАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗ"
)
# Latin to Han characters (three-byte UTF-8): the same documents as CJK text.
CJK = str.maketrans(string.ascii_lowercase, "的一是不了人我在有他这中大来上国个到说们为子和你地出")
SCRIPTS = {
    "latin": None,
    "cyrillic": CYRILLIC,
    "cyrillic+capitals": CYRILLIC_CAPS,
    "cjk": CJK,
}


@pytest.mark.parametrize("lowercase", [False, True])
@pytest.mark.parametrize("script", list(SCRIPTS))
@pytest.mark.parametrize("impl", ["assay", "datasketch"])
def test_minhash_script_and_case(benchmark, corpus, impl, script, lowercase):
    """Text → signatures for two-byte (Cyrillic) text and with lower-casing, against datasketch
    fed the same shingles (``str.lower()`` first when lower-casing)."""
    benchmark.group = f"minhash {script} text, lowercase={lowercase}"
    table = SCRIPTS[script]
    texts = corpus if table is None else [t.translate(table) for t in corpus]
    size = mb(texts)
    if impl == "assay":
        run(benchmark, impl, lambda t: dedup.minhash(t, lowercase=lowercase), texts, size=size)
        return
    from datasketch import MinHash

    def ds(batch):
        for t in batch:
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([s.encode() for s in python_shingles(t.lower() if lowercase else t)])

    sub = texts[:SLOW]
    run(benchmark, impl, ds, sub, scale=len(texts) / len(sub), size=size)


@pytest.mark.parametrize("script", ["latin", "cyrillic", "cjk"])
@pytest.mark.parametrize("impl", ["assay", "datasketch"])
def test_minhash_char_unit(benchmark, corpus, impl, script):
    """Character 5-grams (the unit for scripts written without spaces: the CJK documents here
    have their spaces removed), against datasketch fed the same shingles: windows of 5
    characters of the text with its whitespace runs collapsed to one space."""
    benchmark.group = f"minhash {script} text, character 5-grams"
    table = SCRIPTS[script]
    texts = corpus if table is None else [t.translate(table) for t in corpus]
    if script == "cjk":
        texts = [t.replace(" ", "") for t in texts]
    size = mb(texts)
    if impl == "assay":
        run(benchmark, impl, lambda t: dedup.minhash(t, unit="char"), texts, size=size)
        return
    from datasketch import MinHash

    def ds(batch):
        for t in batch:
            c = " ".join(t.split())
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([c[i : i + 5].encode() for i in range(max(len(c) - 4, 1))])

    sub = texts[:SLOW]
    run(benchmark, impl, ds, sub, scale=len(texts) / len(sub), size=size)


@pytest.mark.parametrize("script", ["latin", "cyrillic"])
@pytest.mark.parametrize("impl", ["assay", "assay-to_pylist"])
def test_minhash_arrow(benchmark, corpus, impl, script):
    """``dedup.minhash`` of a pyarrow column read in place, against the same column made into
    Python strs first (``to_pylist``: what a caller without Arrow input does)."""
    import pyarrow as pa

    benchmark.group = f"minhash from a pyarrow column, {script} 8MB"
    texts = corpus if script == "latin" else [t.translate(CYRILLIC) for t in corpus]
    column = pa.array(texts)
    if impl == "assay":
        out = run(benchmark, impl, dedup.minhash, column, size=mb(texts))
    else:
        out = run(benchmark, impl, lambda c: dedup.minhash(c.to_pylist()), column, size=mb(texts))
    assert out.shape == (N_DOCS, 128)


# ---- LSH insert + query (threshold 0.8, 128 permutations) ----


@pytest.mark.parametrize("impl", ["assay", "datasketch"])
def test_lsh(benchmark, corpus, impl):
    benchmark.group = "lsh insert+query 2000 docs"
    sigs = dedup.minhash(corpus)
    if impl == "assay":

        def go():
            index = dedup.LSHIndex(0.8, 128)
            index.insert(range(len(sigs)), sigs)
            return index.query(sigs)

        res = run(benchmark, impl, go)
        assert all(i in r for i, r in enumerate(res))
    else:
        from datasketch import MinHash, MinHashLSH

        hashes = [MinHash(num_perm=128, hashvalues=s, scheme="affine32") for s in sigs]

        def go():
            lsh = MinHashLSH(threshold=0.8, num_perm=128)
            for i, m in enumerate(hashes):
                lsh.insert(i, m)
            return [lsh.query(m) for m in hashes]

        run(benchmark, impl, go)


# ---- 13-gram contamination scan ----


def python_scan(items: list[str], docs: list[str], n: int = 13) -> int:
    """Plain-Python lm-evaluation-harness style scan: normalize, split, look up every 13-gram."""
    table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase, string.punctuation)
    grams = set()
    for it in items:
        toks = it.translate(table).split()
        grams.update(" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1))
    hits = 0
    for d in docs:
        toks = d.translate(table).split()
        hits += sum(" ".join(toks[i : i + n]) in grams for i in range(len(toks) - n + 1))
    return hits


@pytest.fixture(scope="module")
def items(corpus) -> list[str]:
    """500 benchmark items: docstrings of modules kept out of the corpus text, 5 % leaked."""
    rng = random.Random(1)
    held_out = list(docstrings(20)[230:])
    out = [" ".join(rng.choice(held_out) for _ in range(3))[:600] for _ in range(500)]
    for k in range(0, 500, 20):  # plant a 30-word leak from 25 corpus documents
        words = corpus[k].split()
        out[k] += " " + " ".join(words[100:130])
    return out


@pytest.mark.parametrize("impl", ["assay", "python"])
def test_ngram_scan(benchmark, corpus, items, impl):
    benchmark.group = "13-gram scan 8MB corpus, 500 items"
    size = mb(corpus)
    if impl == "assay":

        def go(docs):
            sc = _native.NgramScanner(items, ngram=13, case="ascii", strip_punct=True)
            sc.scan(docs, 0)
            return sc.results()

        res = run(benchmark, impl, go, corpus, size=size)
        assert np.count_nonzero(res[1]) > 0
    else:
        sub = corpus[: SLOW * 4]
        run(benchmark, impl, python_scan, items, sub, scale=len(corpus) / len(sub), size=size)


# ---- contamination end to end: text in, report out ----


def python_contamination(items: list[str], docs: list[str], threshold: float = 0.8) -> int:
    """What a harness does without assay: the plain-Python 13-gram scan, then datasketch MinHash
    (word 5-grams of the normalized text) and MinHashLSH for the near-duplicate test."""
    from datasketch import MinHash, MinHashLSH

    table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase, string.punctuation)

    def signature(text: str) -> MinHash:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode() for s in python_shingles(text.translate(table))])
        return m

    hits = python_scan(items, docs)
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, d in enumerate(docs):
        lsh.insert(i, signature(d))
    return hits + sum(len(lsh.query(signature(it))) for it in items)


@pytest.fixture(scope="module")
def corpus_files(corpus, tmp_path_factory) -> dict[str, Path]:
    """The corpus as a Parquet file (one string column ``text``), Latin and Cyrillic."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {}
    for script in ("latin", "cyrillic"):
        texts = corpus if script == "latin" else [t.translate(CYRILLIC) for t in corpus]
        path = tmp_path_factory.mktemp("corpus") / f"{script}.parquet"
        pq.write_table(pa.table({"text": texts}), path)
        out[script] = path
    return out


@pytest.mark.parametrize("script", ["latin", "cyrillic"])
@pytest.mark.parametrize("impl", ["assay", "assay-parquet", "python+datasketch"])
def test_contamination_end_to_end(benchmark, corpus, items, corpus_files, impl, script):
    """``assay.contamination`` (13-gram scan and MinHash near duplicates, report built) on the
    corpus as Python strs and as a Parquet file read in Arrow batches, against the plain-Python
    scan plus datasketch on a slice (scaled up)."""
    import assay

    benchmark.group = f"contamination end to end, {script} 8MB corpus, 500 items"
    table = None if script == "latin" else CYRILLIC
    docs = corpus if table is None else [t.translate(table) for t in corpus]
    its = items if table is None else [t.translate(table) for t in items]
    size = mb(docs)
    if impl == "assay":
        report = run(
            benchmark, impl, lambda: assay.contamination(its, docs, progress=False), size=size
        )
        assert report.items["contaminated"].sum() >= 25  # every planted leak
    elif impl == "assay-parquet":
        path = str(corpus_files[script])
        go = lambda: assay.contamination(its, path, id_field=None, progress=False)  # noqa: E731
        report = run(benchmark, impl, go, size=size)
        assert report.items["contaminated"].sum() >= 25
    else:
        sub = docs[:SLOW]
        run(benchmark, impl, python_contamination, its, sub, scale=len(docs) / len(sub), size=size)


@pytest.fixture(scope="module")
def grouped_corpus_file(corpus, tmp_path_factory) -> Path:
    """The Latin corpus five times over (40 MB) as a Parquet file of 5 row groups of 2000
    documents, as large files come: a reader decodes a row group at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path_factory.mktemp("grouped") / "latin.parquet"
    pq.write_table(pa.table({"text": corpus * 5}), path, row_group_size=N_DOCS)
    return path


@pytest.mark.parametrize("impl", ["assay", "assay-read-in-turn"])
def test_contamination_parquet_in_batches(
    benchmark, corpus, items, grouped_corpus_file, impl, monkeypatch
):
    """``assay.contamination`` over the 40 MB Parquet corpus in 5 batches: the next batch read
    by a worker thread while the kernels work on the current one (assay), against each batch read
    in turn. With ``RAYON_NUM_THREADS=1`` the reader has a core of its own."""
    import assay
    from assay import _documents as _io

    benchmark.group = "contamination, latin 40MB Parquet corpus in 5 batches"
    if impl == "assay-read-in-turn":
        monkeypatch.setattr(_io, "prefetched", lambda batches: batches)
    path = str(grouped_corpus_file)
    go = lambda: assay.contamination(items, path, batch_size=N_DOCS, progress=False)  # noqa: E731
    report = run(benchmark, impl, go, size=5 * mb(corpus), rounds=9)
    assert report.items["contaminated"].sum() >= 25
