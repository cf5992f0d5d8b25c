"""GPU MinHash path (``assay.dedup.gpu``): the CUDA kernels built for the host and run with NumPy
give the CPU kernels' signatures bit for bit, and xxh3-64 equals the xxhash package's; on a GPU
machine the same comparisons run through CuPy (tests marked ``gpu``)."""

from __future__ import annotations

import functools
import os
import random
import sys
import unicodedata

import fake_cupy
import numpy as np
import pandas as pd
import pytest
import xxhash
from _dedup_text import docstrings
from gpu_host_kernels import HostKernels, compiler
from hypothesis import given
from hypothesis import strategies as st
from own_family_oracle import permutations, token_hash
from text_strategies import OWN_TEXTS, SIGNATURE_OPTIONS

from assay import _cuda, _native, dedup
from assay.cli import main
from assay.dedup import gpu

# CI sets ASSAY_REQUIRE_HOST_KERNELS: there a missing compiler fails the module instead.
NO_COMPILER = compiler() is None and not os.environ.get("ASSAY_REQUIRE_HOST_KERNELS")
pytestmark = pytest.mark.skipif(NO_COMPILER, reason="no C++ compiler for the host kernels")

XXH3_LENGTHS = [*range(0, 300), 511, 512, 1023, 1024, 1025, 1087, 1088, 2048, 2049, 4097]


# One build for the module (Hypothesis tests take no function-scoped fixtures).
HOST = None if NO_COMPILER else HostKernels()


@pytest.fixture(scope="module")
def host() -> HostKernels:
    assert HOST is not None
    return HOST


def host_minhash(host: HostKernels, texts: list[str], **kw) -> np.ndarray:
    opts = dict(num_perm=128, ngram=5, unit="word", seed=1, lowercase=False, strip_punct=False)
    return gpu.minhash(texts, **{**opts, **kw}, xp=np, kernels=host)


def test_xxh3_every_length_regime_equals_xxhash(host):
    rng = random.Random(5)
    for n in XXH3_LENGTHS:
        data = rng.randbytes(n)
        assert host.xxh3_64(data) == xxhash.xxh3_64_intdigest(data) >> 32, n


def test_token_hashes_equal_the_documented_family(host):
    rng = random.Random(6)
    toks = [rng.randbytes(n) for n in XXH3_LENGTHS for _ in range(2)]
    data = np.frombuffer(b"".join(toks), dtype=np.uint8).copy()
    ends = np.cumsum([len(t) for t in toks], dtype=np.int64)
    starts = np.ascontiguousarray(ends - [len(t) for t in toks])
    out = np.zeros(len(toks), dtype=np.uint64)
    host.launch("token_hashes", len(toks), data, starts, ends, len(toks), out)
    assert out.tolist() == [token_hash(t) for t in toks]


def test_space_mask_flags_exactly_python_whitespace(host):
    # Every whitespace character, and near misses that share their first UTF-8 bytes.
    chars = [c for c in map(chr, range(0x3001)) if c.isspace()]
    chars += ["\u200b", "\u2027", "\u202a", "\u2060", "\u3001", "\u1681", "\xa1", "a", "é"]
    rng = random.Random(8)
    text = "".join(rng.choice(chars) for _ in range(3000))
    data = np.frombuffer(text.encode(), dtype=np.uint8).copy()
    flags = np.zeros(data.size, dtype=np.uint8)
    host.launch("space_mask", data.size, data, data.size, flags)
    want = np.concatenate([np.full(len(c.encode()), c.isspace()) for c in text])
    np.testing.assert_array_equal(flags.astype(bool), want)


def test_permutations_equal_the_oracle():
    for num_perm, seed in [(1, 0), (128, 1), (300, 2**64 - 1)]:
        a, b = _native.own_minhash_permutations(num_perm, seed)
        oa, ob = permutations(num_perm, seed)
        assert a.flags.c_contiguous and b.flags.c_contiguous
        np.testing.assert_array_equal(a, oa)
        np.testing.assert_array_equal(b, ob)


@given(texts=st.lists(OWN_TEXTS, min_size=1, max_size=6), **SIGNATURE_OPTIONS)
def test_gpu_pipeline_equals_cpu(texts, n, num_perm, seed, unit, lowercase, strip_punct):
    kw = dict(num_perm=num_perm, ngram=n, seed=seed, unit=unit)
    kw.update(lowercase=lowercase, strip_punct=strip_punct)
    want = dedup.minhash(texts, **kw)
    # A small staging buffer: several batches, and texts longer than it go to the CPU.
    got = gpu.minhash(texts, **kw, batch_bytes=700, xp=np, kernels=HOST)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("ngram", [1, 5, 13])
@pytest.mark.parametrize("unit", ["word", "char"])
def test_gpu_pipeline_on_real_text(host, ngram, unit, monkeypatch):
    monkeypatch.setattr(gpu, "TEXTS_PER_PACK", 37)  # packs of a few texts, as well as of bytes
    texts = list(docstrings()[:200])
    for lowercase, strip_punct in [(False, False), (True, True)]:
        kw = dict(ngram=ngram, unit=unit, lowercase=lowercase, strip_punct=strip_punct)
        before = dict(host.launched)
        got = host_minhash(host, texts, **kw, batch_bytes=64 << 10)
        np.testing.assert_array_equal(got, dedup.minhash(texts, **kw))
        # The device kernels did the work: one shingle kernel item per CPU shingle, roughly.
        name = "word_shingles" if unit == "word" else "char_shingles"
        assert host.launched[name] - before.get(name, 0) > 1000


def test_packing_routes_only_what_needs_unicode_work_to_the_cpu():
    texts = ["plain ascii", "naïve café 東京", "e\u0301", "Ünïcode", "ǅ digraph", ""]
    buf = np.empty(1 << 10, dtype=np.uint8)
    count, offsets, on_cpu = _native.pack_utf8(texts, buf, case="keep")
    assert count == 6 and on_cpu.tolist() == [False, False, True, False, False, False]
    assert bytes(buf[: offsets[-1]]).decode() == "plain asciinaïve café 東京Ünïcodeǅ digraph"
    _, _, on_cpu = _native.pack_utf8(texts, buf, case="lower")
    assert on_cpu.tolist() == [False, False, True, True, True, False]
    assert unicodedata.is_normalized("NFC", texts[1])


def test_bytes_entry_point_checks_its_arguments():
    data = np.frombuffer(b"one two three", dtype=np.uint8)
    run = functools.partial(gpu.signatures_from_bytes, xp=np, kernels=HOST)
    np.testing.assert_array_equal(run(data, [0, 7, 13]), dedup.minhash(["one two", " three"]))
    with pytest.raises(ValueError, match="offsets must rise"):
        run(data, [0, 9, 7, 13])
    with pytest.raises(ValueError, match="offsets must rise"):
        run(data, [0, 14])
    with pytest.raises(ValueError, match="offsets must be"):
        run(data, [])
    with pytest.raises(ValueError, match="data must be a 1-D uint8"):
        run(data.astype(np.int32), [0, 13])
    with pytest.raises(ValueError, match="unit must be"):
        run(data, [0, 13], unit="token")
    with pytest.raises(ValueError, match="num_perm"):
        run(data, [0, 13], num_perm=0)


@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_a_bad_text_is_named_on_either_device(device, monkeypatch):
    cupy, cupyx = fake_cupy.modules()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    with pytest.raises(UnicodeEncodeError, match=r"'\\ud800' in position 1: .* in texts\[2\]"):
        dedup.minhash(["fine", "also fine", "x\ud800y"], device=device)
    for bad in (3, b"bytes"):
        with pytest.raises(TypeError, match=r"texts\[1\] must be str"):
            dedup.minhash(["fine", bad], device=device)


def test_device_argument_is_checked(tmp_path, capsys):
    with pytest.raises(ValueError, match="device must be"):
        dedup.minhash(["a b"], device="tpu")
    with pytest.raises(ValueError, match="device must be"):
        dedup.minhash(["a b"], device="cuda:x")
    with pytest.raises(ValueError, match="CPU only"):
        dedup.minhash(["a b"], device="cuda", compat="datasketch")
    with pytest.raises(ValueError, match="device must be"):
        dedup.clusters(["a b"], device=0)
    (tmp_path / "a.txt").write_text("some text")
    assert main(["dedup", str(tmp_path), "--device", "gpu"]) == 1
    assert "device must be 'cpu', 'cuda' or 'cuda:N', got 'gpu'" in capsys.readouterr().err


@pytest.mark.parametrize("upload_in_worker", [True, False])
def test_cuda_route_end_to_end_with_a_cupy_stand_in(monkeypatch, upload_in_worker):
    # Everything between device="cuda" and the kernels, as under CuPy (tests/fake_cupy.py), in
    # packs of 7 texts copied to the "device" by the packing thread or by the caller.
    monkeypatch.setattr(gpu, "TEXTS_PER_PACK", 7)
    monkeypatch.setattr(gpu, "UPLOAD_IN_WORKER", upload_in_worker)
    cupy, cupyx = fake_cupy.modules()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    monkeypatch.setattr(_cuda, "_COMPILED", {})
    fake_cupy.LAUNCHES.clear()
    texts = [*docstrings()[:40], unicodedata.normalize("NFD", "Crème brûlée"), ""]
    for unit in ("word", "char"):
        got = dedup.minhash(texts, unit=unit, lowercase=True, device="cuda:1")
        np.testing.assert_array_equal(got, dedup.minhash(texts, unit=unit, lowercase=True))
    frame = dedup.clusters(texts + texts[:5], device="cuda")
    pd.testing.assert_frame_equal(frame, dedup.clusters(texts + texts[:5]))
    launched = {name for name, _, _ in fake_cupy.LAUNCHES}
    assert launched == set(gpu.KERNEL_NAMES)
    assert len(_cuda._COMPILED) == 2  # one build per device (1, then 0)


@pytest.mark.gpu
@pytest.mark.parametrize("unit", ["word", "char"])
def test_cuda_signatures_equal_cpu(unit):
    texts = list(docstrings()) * 3
    texts += [unicodedata.normalize("NFD", t) for t in texts[:50]]
    for lowercase, strip_punct in [(False, False), (True, True)]:
        kw = dict(unit=unit, lowercase=lowercase, strip_punct=strip_punct)
        np.testing.assert_array_equal(
            dedup.minhash(texts, **kw, device="cuda"), dedup.minhash(texts, **kw)
        )


@pytest.mark.gpu
@pytest.mark.parametrize("upload_in_worker", [True, False])
def test_cuda_signatures_over_many_packs_equal_cpu(monkeypatch, upload_in_worker):
    # Packs of 50 texts: each copied while the device hashes the one before (or not).
    monkeypatch.setattr(gpu, "TEXTS_PER_PACK", 50)
    monkeypatch.setattr(gpu, "UPLOAD_IN_WORKER", upload_in_worker)
    texts = list(docstrings()) * 4
    np.testing.assert_array_equal(dedup.minhash(texts, device="cuda"), dedup.minhash(texts))


@pytest.mark.gpu
def test_cuda_clusters_equal_cpu():
    texts = list(docstrings()) * 2
    pd.testing.assert_frame_equal(
        dedup.clusters(texts, device="cuda"), dedup.clusters(texts, device="cpu")
    )


@pytest.mark.gpu
def test_cuda_takes_device_arrays():
    import cupy as cp

    texts = list(docstrings()[:100])
    data = b"".join(t.encode() for t in texts)
    offsets = np.cumsum([0] + [len(t.encode()) for t in texts])
    device_bytes = cp.asarray(np.frombuffer(data, dtype=np.uint8))
    sig = gpu.signatures_from_bytes(device_bytes, cp.asarray(offsets))
    assert isinstance(sig, cp.ndarray)
    np.testing.assert_array_equal(sig.get(), dedup.minhash(texts))
