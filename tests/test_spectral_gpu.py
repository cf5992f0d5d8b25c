"""GPU eigenvalue kernels of the spectral metrics (``spectral/spectral_kernels.cu``), built for the
host and run with NumPy: eigenvalues against LAPACK's, metrics against the official Diff-eRank
values shipped with the MiniLM fixtures and against the CPU path; NVRTC compiles the source."""

from __future__ import annotations

import json
import os

import fake_cupy
import numpy as np
import pytest
from gpu_host_kernels import HostKernels, compiler
from hypothesis import given
from hypothesis import strategies as st

from assay import _cuda, spectral
from assay.spectral import _gpu, _gpu_eigen

NO_COMPILER = compiler() is None and not os.environ.get("ASSAY_REQUIRE_HOST_KERNELS")
pytestmark = pytest.mark.skipif(NO_COMPILER, reason="no C++ compiler for the host kernels")
HOST = None if NO_COMPILER else HostKernels(_gpu_eigen.KERNEL_SOURCE)
# Absolute eigenvalue error allowed, in units of eps·‖A‖ (LAPACK's bound grows like n·eps).
ULPS = 8


def check_eigenvalues(g: np.ndarray) -> None:
    got = _gpu_eigen.symmetric_eigenvalues(np, g, HOST)
    want = np.linalg.eigvalsh(g.astype(np.float64))
    assert got.dtype == g.dtype and got.shape == want.shape
    n = g.shape[-1]
    scale = np.abs(want).max(axis=1, keepdims=True)
    scale[scale == 0] = 1  # the zero matrix: absolute errors
    err = np.abs(got - want) / (scale * np.finfo(g.dtype).eps * max(n, 1))
    assert err.max() <= ULPS, err.max()


@given(
    b=st.integers(1, 4),
    n=st.integers(1, 70),
    seed=st.integers(0, 2**32 - 1),
    dtype=st.sampled_from([np.float32, np.float64]),
    rank=st.integers(0, 70),
)
def test_eigenvalues_equal_lapack(b, n, seed, dtype, rank):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(b, n, min(rank, n) or 1)) * rng.uniform(1e-3, 1e3)
    g = x @ x.transpose(0, 2, 1)  # Gram matrices, rank ≤ `rank`: many zero eigenvalues
    check_eigenvalues(g.astype(dtype))


def test_eigenvalues_refuse_other_dtypes():
    with pytest.raises(TypeError, match="float32 or float64, got int64"):
        _gpu_eigen.symmetric_eigenvalues(np, np.eye(3, dtype=np.int64)[None], HOST)


def test_eigenvalues_of_matrices_already_reduced():
    # Diagonal and tridiagonal inputs take the no-reflection branch at every step.
    for dtype in (np.float32, np.float64):
        off = np.diag(np.full(7, 0.5), 1)
        tri = np.diag(np.arange(1.0, 9.0)) + off + off.T
        mats = np.stack([np.eye(8), np.zeros((8, 8)), np.diag([3.0, 1, 2, 0, 0, 5, -1, 7]), tri])
        check_eigenvalues(mats.astype(dtype))
        check_eigenvalues(np.full((1, 5, 5), 2.0, dtype=dtype))  # rank one, repeated zeros


def test_eigenvalues_of_gram_matrices_with_zero_rows():
    # Padded matrices (zero rows at the end, as ragged batches give) and zero rows between
    # others: reflections that are the identity next to ones that are not, in every order.
    rng = np.random.default_rng(7)
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(4, 40, 60))
        x[0, 9:] = 0  # padded: 9 rows of 40
        x[1, [3, 4, 17, 30, 31, 32]] = 0  # zero rows in the middle
        x[2, ::2] = 0  # every other row
        x[3, 1:] = 0  # one row
        check_eigenvalues((x @ x.transpose(0, 2, 1)).astype(dtype))


def test_eigenvalues_of_matrices_wider_than_the_virtual_threads():
    # n > 1024: the symmetric product and the rank-2 update take their row-per-thread branches
    # for the first reflections, then the sliced ones.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 1030, 300))
    check_eigenvalues(x @ x.transpose(0, 2, 1))


def test_metrics_on_real_minilm_states_equal_the_official_values(data_dir):
    npz = np.load(data_dir / "erank" / "minilm_fixtures.npz")
    values = json.loads((data_dir / "erank" / "minilm_fixture_values.json").read_text())
    keys = sorted(npz.files)
    mats = [npz[k] for k in keys]
    h64, _ = _gpu.metrics_table(mats, dtype=np.float64, xp=np, kernels=HOST)
    h32, _ = _gpu.metrics_table(mats, xp=np, kernels=HOST)  # float32 computes in float32
    for i, k in enumerate(keys):
        assert h64[i, 0] == pytest.approx(values[k]["H_f64"], abs=1e-9), k
        assert h32[i, 0] == pytest.approx(values[k]["H_ref_fp32_torch_svd"], abs=3e-4), k


@pytest.mark.parametrize("t,d", [(40, 24), (24, 40), (1, 5), (33, 33)])
def test_every_metric_equals_the_cpu_path(t, d):
    rng = np.random.default_rng(t * d)
    low = rng.normal(size=(5, t, 2)) @ rng.normal(size=(5, 2, d))
    x = low + rng.normal(size=(5, t, d)) * 0.1
    lens = np.array([t, max(t - 3, 1), t, 1, max(t // 2, 1)])
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = spectral.metrics(x, lengths=lens).to_numpy()
    got, _ = _gpu.metrics_table(x, lengths=lens, xp=np, kernels=HOST)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_default_kernels_with_a_cupy_stand_in(monkeypatch, data_dir):
    # The compile-once launcher and its launch shapes, as under CuPy (tests/fake_cupy.py).
    cupy, _ = fake_cupy.modules()
    monkeypatch.setattr(_cuda, "_COMPILED", {})
    fake_cupy.LAUNCHES.clear()
    npz = np.load(data_dir / "erank" / "minilm_fixtures.npz")
    mats = [npz[k] for k in sorted(npz.files)[:6]]
    got, single = _gpu.metrics_table(mats, dtype=np.float64, xp=cupy)
    assert not single
    np.testing.assert_allclose(got, spectral.metrics(mats, dtype=np.float64), rtol=1e-9, atol=1e-9)
    kinds = {(name, threads) for name, _, threads in fake_cupy.LAUNCHES}
    assert kinds == {("tridiagonalize_f64", 1024), ("bisect_f64", 256)}
    assert len(_cuda._COMPILED) == 1


@pytest.mark.gpu
def test_cuda_eigenvalues_equal_lapack():
    import cupy as cp

    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        x = rng.normal(size=(6, 96, 200))
        g = (x @ x.transpose(0, 2, 1)).astype(dtype)
        got = _gpu_eigen.symmetric_eigenvalues(cp, cp.asarray(g)).get()
        want = np.linalg.eigvalsh(g.astype(np.float64))
        tol = ULPS * 96 * np.finfo(dtype).eps * np.abs(want).max()
        assert np.abs(got - want).max() <= tol
