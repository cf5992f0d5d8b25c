"""Arrow string columns read in place by ``dedup.minhash`` (``assay/_utf8.py``): the same
signatures as the list of the same Python str, for every Arrow layout users hand over (string,
large_string, string_view, dictionary, sliced and chunked arrays, pandas columns stored in
Arrow), on the CPU and on the GPU route (its kernels built for the host); bad columns are named."""

from __future__ import annotations

import itertools
import os
import sys

import fake_cupy
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from gpu_host_kernels import HostKernels, compiler
from hypothesis import given, settings
from hypothesis import strategies as st
from text_strategies import OWN_TEXTS, SIGNATURE_OPTIONS

from assay import _cuda, dedup
from assay import _utf8 as _arrow
from assay.dedup import gpu

TEXT_LISTS = st.lists(OWN_TEXTS, max_size=12)


def chunked(texts: list[str], cuts: list[int], kind: pa.DataType) -> pa.ChunkedArray:
    """``texts`` as chunks cut at ``cuts`` (empty chunks included), each a slice of one array
    with a text before and after it, so each chunk starts at a non-zero Arrow offset."""
    bounds = [0, *sorted(min(c, len(texts)) for c in cuts), len(texts)]
    whole = pa.array(["before", *texts, "after"], type=kind)
    return pa.chunked_array(
        [whole.slice(1 + lo, hi - lo) for lo, hi in itertools.pairwise(bounds)], type=kind
    )


@given(
    texts=TEXT_LISTS,
    cuts=st.lists(st.integers(0, 12), max_size=3),
    kind=st.sampled_from([pa.string(), pa.large_string()]),
    n=SIGNATURE_OPTIONS["n"],
    unit=SIGNATURE_OPTIONS["unit"],
    lowercase=SIGNATURE_OPTIONS["lowercase"],
    compat=st.sampled_from([None, "datasketch"]),
)
def test_arrow_columns_give_the_signatures_of_their_python_strs(
    texts, cuts, kind, n, unit, lowercase, compat
):
    kw = dict(num_perm=16, ngram=n, unit=unit, lowercase=lowercase, compat=compat)
    want = dedup.minhash(texts, **kw)
    column = chunked(texts, cuts, kind)
    np.testing.assert_array_equal(dedup.minhash(column, **kw), want)
    np.testing.assert_array_equal(dedup.minhash(column.combine_chunks(), **kw), want)


def test_every_arrow_layout_and_pandas_column():
    texts = ["the cat sat", "naïve café", "", "東京タワー", "the cat sat"]
    want = dedup.minhash(texts, ngram=2)
    columns = {
        "string": pa.array(texts),
        "large_string": pa.array(texts, type=pa.large_string()),
        "string_view": pa.array(texts, type=pa.string_view()),
        "dictionary": pa.array(texts).dictionary_encode(),
        "pandas string[pyarrow]": pd.Series(texts, dtype="string[pyarrow]"),
        "pandas ArrowDtype": pd.Series(texts, dtype=pd.ArrowDtype(pa.large_string())),
        "pandas Index": pd.Index(texts, dtype="string[pyarrow]"),
    }
    for name, column in columns.items():
        np.testing.assert_array_equal(dedup.minhash(column, ngram=2), want, err_msg=name)
    # A pandas column of Python objects goes the list route, with the same result.
    np.testing.assert_array_equal(dedup.minhash(pd.Series(texts, dtype=object), ngram=2), want)
    assert dedup.minhash(pa.array([], type=pa.string())).shape == (0, 128)
    assert dedup.minhash(pa.chunked_array([], type=pa.string()), num_perm=7).shape == (0, 7)


def invalid_utf8(n_valid: int) -> pa.Array:
    """A string array whose text ``n_valid`` is not UTF-8 (Arrow does not check its buffers)."""
    body = b"ok" * n_valid + b"\xff\xfe"
    offsets = np.array([*range(0, 2 * n_valid + 1, 2), len(body)], dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n_valid + 1, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(body)]
    )


def test_bad_columns_are_named_by_their_index_in_the_whole_column():
    column = pa.chunked_array([pa.array(["a b", "c"]), pa.array(["d", None])])
    with pytest.raises(TypeError, match=r"texts\[3\] is null; drop or fill the nulls first"):
        dedup.minhash(column)
    column = pa.chunked_array([pa.array(["a b", "c", "d"]), invalid_utf8(2)])
    with pytest.raises(ValueError, match=r"texts\[5\] is not valid UTF-8"):
        dedup.minhash(column)
    with pytest.raises(TypeError, match="texts must hold strings, got the Arrow type int64"):
        dedup.minhash(pa.array([1, 2]))
    with pytest.raises(TypeError, match="texts must hold strings, got the Arrow type binary"):
        dedup.minhash(pa.array([b"a"]))


def test_pyarrow_is_not_imported_for_lists(monkeypatch):
    monkeypatch.delitem(sys.modules, "pyarrow")
    assert _arrow.utf8_column(["a"]) is None


# The GPU route, its kernels built for the host (as tests/test_dedup_gpu.py).
NO_COMPILER = compiler() is None and not os.environ.get("ASSAY_REQUIRE_HOST_KERNELS")
HOST = None if NO_COMPILER else HostKernels()
needs_host = pytest.mark.skipif(NO_COMPILER, reason="no C++ compiler for the host kernels")


@needs_host
@settings(max_examples=40)
@given(texts=TEXT_LISTS, cuts=st.lists(st.integers(0, 12), max_size=3), n=SIGNATURE_OPTIONS["n"])
def test_gpu_route_reads_arrow_columns_as_the_cpu_does(texts, cuts, n):
    column = chunked(texts, cuts, pa.string())
    opts = dict(num_perm=8, ngram=n, unit="word", seed=1, lowercase=True, strip_punct=False)
    utf8 = _arrow.utf8_column(column)
    # Small staging buffers: several packs per chunk, texts too long for them on the CPU.
    got = gpu.minhash(utf8, **opts, batch_bytes=64, xp=np, kernels=HOST)
    np.testing.assert_array_equal(got, dedup.minhash(texts, **opts))


@needs_host
def test_cuda_route_takes_arrow_columns_and_names_bad_text(monkeypatch):
    cupy, cupyx = fake_cupy.modules()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    monkeypatch.setattr(_cuda, "_COMPILED", {})
    texts = ["the cat sat on the mat", "naïve café", "", "Ünïcode CAPS", "e\u0301 nfd"]
    column = pd.Series(texts, dtype="string[pyarrow]")
    got = dedup.minhash(column, lowercase=True, device="cuda")
    np.testing.assert_array_equal(got, dedup.minhash(texts, lowercase=True))
    bad = pa.chunked_array([pa.array(texts), invalid_utf8(1)])
    with pytest.raises(ValueError, match=r"texts\[6\] is not valid UTF-8"):
        dedup.minhash(bad, device="cuda")
