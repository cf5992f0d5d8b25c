"""Parquet corpora streamed as Arrow batches (``assay/_documents.py``): the texts reach the
kernels as Arrow arrays, and clusters and contamination reports equal those of the same texts
as a list of str; nulls, dictionary columns, ids, invalid UTF-8 and non-string columns."""

from __future__ import annotations

import random
import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from _dedup_text import docstrings, edit

from assay import _documents as _io
from assay import dedup
from assay.contamination import contamination


@pytest.fixture(scope="module")
def texts() -> list[str]:
    rng = random.Random(4)
    base = [d for d in docstrings() if len(d.split()) >= 60][:40]
    copies = [edit(rng.choice(base), 0.02, rng) for _ in range(20)]
    out = base + copies + ["Ünïcode Ж текст " * 20, ""]
    rng.shuffle(out)
    return out


def test_long_documents_come_in_fewer_rows(tmp_path, monkeypatch):
    # Row groups of short and of 20 KB documents, at most ~100 KB of text a batch: the long ones
    # come a few rows at a time (a batch's memory bounded by the cap, not by batch_size), the
    # short file still in batches of batch_size rows; every row once, in order.
    monkeypatch.setattr(_io, "PARQUET_BATCH_BYTES", 100_000)
    rng = random.Random(5)
    short = [" ".join(rng.choice(["ab", "cd", "ef"]) for _ in range(20)) for _ in range(300)]
    long = ["".join(rng.choice("abcdefgh ") for _ in range(20_000)) for _ in range(60)]
    pq.write_table(pa.table({"text": short + long}), tmp_path / "mixed.parquet", row_group_size=60)
    pq.write_table(pa.table({"text": short}), tmp_path / "short.parquet")
    got = [batch.to_pylist() for _, batch in _io.iter_batches(tmp_path / "mixed.parquet", 1000)]
    assert [t for b in got for t in b] == short + long
    assert max(sum(len(t) for t in b) for b in got) <= 100_000
    assert max(len(b) for b in got) == 4  # 100 KB / 20 KB a row (and offsets)
    sizes = [len(t) for _, t in _io.iter_batches(tmp_path / "short.parquet", 128)]
    assert sizes == [128, 128, 44]
    # A text column whose name holds a dot is measured as well.
    pq.write_table(pa.table({"doc.text": long}), tmp_path / "dotted.parquet")
    dotted = _io.iter_batches(tmp_path / "dotted.parquet", 1000, text_field="doc.text")
    assert max(len(t) for _, t in dotted) == 4


def test_batches_are_arrow_arrays_in_order(tmp_path, texts):
    pq.write_table(pa.table({"text": texts}), tmp_path / "a.parquet", row_group_size=7)
    got = list(_io.iter_batches(tmp_path / "a.parquet", 5))
    assert all(isinstance(t, pa.Array) and len(t) <= 5 for _, t in got)
    assert [s for _, t in got for s in t.to_pylist()] == texts
    assert [i for ids, _ in got for i in ids] == [
        f"{tmp_path / 'a.parquet'}:{r}" for r in range(len(texts))
    ]


def test_clusters_equal_those_of_the_list(tmp_path, texts):
    half = len(texts) // 2
    ids = [f"doc{k}" for k in range(len(texts))]
    pq.write_table(pa.table({"text": texts[:half], "id": ids[:half]}), tmp_path / "a.parquet")
    dictionary = pa.array(texts[half:]).dictionary_encode()
    pq.write_table(pa.table({"text": dictionary, "id": ids[half:]}), tmp_path / "b.parquet")
    (tmp_path / "c.jsonl").write_text('{"text": "a jsonl document between the files"}\n')
    pq.write_table(
        pa.table({"text": pa.array([None, texts[0]], pa.large_string())}), tmp_path / "d.parquet"
    )
    streamed = dedup.clusters(tmp_path, 0.8, batch_size=6, progress=False)
    listed = dedup.clusters([*texts, "a jsonl document between the files", "", texts[0]], 0.8)
    np.testing.assert_array_equal(streamed["cluster"], listed["cluster"])
    np.testing.assert_array_equal(streamed["keep"], listed["keep"])
    assert streamed["id"].tolist()[: len(texts)] == ids
    assert streamed["id"].iloc[-1] == f"{tmp_path / 'd.parquet'}:1"
    assert not streamed["keep"].iloc[-1]  # texts[0] again


def test_contamination_equals_that_of_the_list(tmp_path, texts):
    rng = random.Random(8)
    items = [
        " ".join(t.split()[5:40]) for t in rng.sample([t for t in texts if len(t.split()) > 50], 6)
    ]
    items.append("an item that leaks nowhere at all " * 3)
    pq.write_table(pa.table({"text": texts}), tmp_path / "corpus.parquet", row_group_size=9)
    streamed = contamination(items, tmp_path / "corpus.parquet", batch_size=8, progress=False)
    listed = contamination(items, texts, batch_size=8, progress=False)
    cols = [
        "n_ngrams",
        "overlap",
        "longest_match",
        "source_token",
        "item_token",
        "jaccard",
        "contaminated",
    ]
    pd.testing.assert_frame_equal(streamed.items[cols], listed.items[cols])
    assert streamed.items["contaminated"].sum() >= 6
    rows = [s if s is None else int(s.rsplit(":", 1)[1]) for s in streamed.items["source"]]
    assert rows == listed.items["source"].tolist()


def test_bad_parquet_columns(tmp_path):
    good = pa.array(["fine", "also fine"])
    _, offsets, _ = good.buffers()
    broken = pa.Array.from_buffers(
        pa.string(), 2, [None, offsets, pa.py_buffer(b"fin\xffalso fine")]
    )
    pq.write_table(pa.table({"text": broken}), tmp_path / "bad.parquet")
    with pytest.raises(ValueError, match=r"bad.parquet:0: invalid UTF-8 at byte 3"):
        dedup.clusters(tmp_path / "bad.parquet", progress=False)
    assert len(dedup.clusters(tmp_path / "bad.parquet", errors="replace", progress=False)) == 2
    pq.write_table(pa.table({"text": [1, 2]}), tmp_path / "ints.parquet")
    with pytest.raises(ValueError, match=r"ints.parquet: column 'text' holds int64, not strings"):
        dedup.clusters(tmp_path / "ints.parquet", progress=False)
    with pytest.raises(ValueError, match=r"no column 'body'"):
        dedup.clusters(tmp_path / "ints.parquet", text_field="body", progress=False)


def test_prefetched_batches_keep_order_errors_and_early_stops():
    # The next item is made by a worker thread while the caller holds the current one.
    made = []

    def items():
        for k in range(5):
            made.append((k, threading.current_thread() is not threading.main_thread()))
            if k == 3:
                raise ValueError("bad batch 3")
            yield k

    got = []
    with pytest.raises(ValueError, match="bad batch 3"):
        for k in _io.prefetched(items()):
            got.append(k)
    assert got == [0, 1, 2]  # batch 3's error comes in its turn, after the batches before it
    assert all(in_worker for _, in_worker in made)
    taken = []

    def counted():
        for k in range(100):
            taken.append(k)
            yield k

    stream = _io.prefetched(counted())
    assert [next(stream), next(stream)] == [0, 1]
    stream.close()
    assert taken == [0, 1, 2]  # the worker stops after the one item it had in hand


def test_a_file_error_comes_after_the_batches_before_it(tmp_path, texts):
    # Two good Parquet files, then a broken one: the good batches arrive, then the error.
    for name in ("a", "b"):
        pq.write_table(pa.table({"text": texts[:10]}), tmp_path / f"{name}.parquet")
    pq.write_table(pa.table({"text": [1, 2]}), tmp_path / "c.parquet")
    got = []
    with pytest.raises(ValueError, match=r"c\.parquet: column 'text' holds int64"):
        for _, batch in _io.iter_batches(tmp_path, 4):
            got.append(len(batch))
    assert got == [4, 4, 2, 4, 4, 2]
