"""Spectral metrics against an independent oracle written from the official Diff-eRank code
(centre, normalize rows, d×d covariance, SVD, entropy), on random shapes and real MiniLM
hidden states; layouts, dtypes and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from assay import ShapeError, spectral
from assay.spectral import _gpu

# ---------------------------------------------------------------- oracles (official algorithm)


def official_entropy_np(r: np.ndarray) -> float:
    """The official code's steps in float64 NumPy: full d×d covariance and its SVD."""
    r = np.asarray(r, dtype=np.float64)
    z = r - r.mean(axis=0)
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    a = z.T @ z / z.shape[0]
    s = np.linalg.svd(a / np.trace(a), compute_uv=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.nansum(s * np.log(s)))


def official_entropy_torch(r: np.ndarray, dtype: torch.dtype = torch.float32) -> float:
    """Verbatim the official Diff-eRank functions normalize, cal_cov, cal_erank (torch.svd)."""
    with torch.no_grad():
        rt = torch.from_numpy(np.asarray(r)).to(dtype)
        rt = rt - rt.mean(dim=0)
        rt = rt / torch.norm(rt, p=2, dim=1, keepdim=True)
        z = torch.nn.functional.normalize(rt, dim=1)
        a = torch.matmul(z.T, z) / z.shape[0]
        eig_val = torch.svd(a / torch.trace(a))[1]
        return float(-(eig_val * torch.log(eig_val)).nansum().item())


def oracle_spectrum(r: np.ndarray) -> np.ndarray:
    """λ of the trace-normalized covariance, float64, via the SVD of the d×d matrix."""
    r = np.asarray(r, dtype=np.float64)
    z = r - r.mean(axis=0)
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    a = z.T @ z / z.shape[0]
    return np.linalg.svd(a / np.trace(a), compute_uv=False)


def rankme_oracle(r: np.ndarray, eps: float = 1e-7) -> float:
    """RankMe as in Garrido et al. (2023): svdvals of the raw matrix, p = σ/Σσ + ε."""
    s = torch.linalg.svdvals(torch.from_numpy(np.asarray(r, dtype=np.float64)))
    p = s / torch.sum(s) + eps
    return float(torch.exp(-torch.sum(p * torch.log(p))))


@pytest.fixture(scope="module")
def fixtures(data_dir):
    npz = np.load(data_dir / "erank" / "minilm_fixtures.npz")
    values = json.loads((data_dir / "erank" / "minilm_fixture_values.json").read_text())
    return {k: npz[k] for k in npz.files}, values


def random_matrix(seed: int, t: int, d: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # Mix in a low-rank part so the spectra are far from flat.
    low = rng.normal(size=(t, 2)) @ rng.normal(size=(2, d)) * rng.uniform(0, 5)
    return low + rng.normal(size=(t, d)) * rng.uniform(0.01, 2)


# ---------------------------------------------------------------- fidelity


@given(t=st.integers(2, 40), d=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_entropy_matches_official_float64(t, d, seed):
    r = random_matrix(seed, t, d)
    assert spectral.entropy(r) == pytest.approx(official_entropy_np(r), abs=1e-9)


@given(t=st.integers(2, 30), d=st.integers(2, 30), seed=st.integers(0, 2**32 - 1))
def test_entropy_float32_close_to_float64(t, d, seed):
    r = random_matrix(seed, t, d).astype(np.float32)
    got = spectral.entropy(r)
    assert isinstance(got, float)
    assert got == pytest.approx(official_entropy_np(r), abs=2e-4)


def test_oracle_reproduces_the_shipped_reference(fixtures):
    # The oracles themselves are checked against the values computed by the official code.
    mats, values = fixtures
    for k in list(mats)[::7]:
        assert official_entropy_np(mats[k]) == pytest.approx(values[k]["H_f64"], abs=1e-9)
        assert official_entropy_torch(mats[k]) == pytest.approx(
            values[k]["H_ref_fp32_torch_svd"], abs=1e-5
        )


def test_real_minilm_hidden_states(fixtures):
    mats, values = fixtures
    keys = sorted(mats)
    ragged = [mats[k] for k in keys]
    h64 = spectral.entropy(ragged, dtype="float64")
    h32 = spectral.entropy(ragged)  # float32 input computes in float32
    for i, k in enumerate(keys):
        assert h64[i] == pytest.approx(values[k]["H_f64"], abs=1e-9), k
        assert h32[i] == pytest.approx(values[k]["H_ref_fp32_torch_svd"], abs=3e-4), k
        assert np.exp(h64[i]) == pytest.approx(values[k]["eRank_f64"], rel=1e-9)
    assert spectral.erank(ragged, dtype=np.float64) == pytest.approx(np.exp(h64), rel=1e-12)


@given(
    t=st.integers(2, 25),
    d=st.integers(2, 25),
    seed=st.integers(0, 2**32 - 1),
    alpha=st.sampled_from([0.5, 1.0, 2.0, 3.0, float("inf")]),
)
def test_every_metric_matches_its_definition(t, d, seed, alpha):
    r = random_matrix(seed, t, d)
    lam = oracle_spectrum(r)
    lam = lam[lam > 1e-14]
    h = -np.sum(lam * np.log(lam))
    if alpha == 1.0:
        renyi = h
    elif np.isinf(alpha):
        renyi = -np.log(lam.max())
    else:
        renyi = np.log(np.sum(lam**alpha)) / (1 - alpha)
    row = spectral.metrics(r, alpha=alpha).iloc[0]
    assert row["entropy"] == pytest.approx(h, abs=1e-9)
    assert row["erank"] == pytest.approx(np.exp(h), rel=1e-9)
    assert row["normalized_entropy"] == pytest.approx(h / np.log(d), abs=1e-9)
    assert row[f"renyi_{alpha:g}"] == pytest.approx(renyi, abs=1e-6)
    assert row["participation_ratio"] == pytest.approx(1 / np.sum(lam**2), rel=1e-9)
    assert row["stable_rank"] == pytest.approx(1 / lam.max(), rel=1e-9)
    assert row["rankme"] == pytest.approx(rankme_oracle(r), rel=1e-6)


@pytest.mark.parametrize(("t", "d", "rank"), [(30, 20, 5), (10, 50, 3), (64, 64, 64 - 1)])
def test_numerical_rank_counts_the_rank_of_the_centred_matrix(t, d, rank):
    rng = np.random.default_rng(rank)
    r = rng.normal(size=(t, rank)) @ rng.normal(size=(rank, d)) + rng.normal(size=d)
    z = r - r.mean(axis=0)
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    expected = np.linalg.matrix_rank(z)
    assert spectral.metrics(r, which=["numerical_rank"]).iloc[0, 0] == expected
    if rank < 10:  # float32 Gram rounding (~n·ε·λmax) hides the smallest of 63 singular values
        assert spectral.metrics(r.astype(np.float32), "numerical_rank").iloc[0, 0] == expected


def test_low_rank_rankme_float32():
    rng = np.random.default_rng(1)
    r = (rng.normal(size=(40, 4)) @ rng.normal(size=(4, 30))).astype(np.float32)
    got = spectral.metrics(r, which=["rankme"]).iloc[0, 0]
    assert got == pytest.approx(rankme_oracle(r), rel=1e-4)


# ---------------------------------------------------------------- layouts and dtypes


def test_batch_padded_and_ragged_agree():
    rng = np.random.default_rng(0)
    lens = [5, 9, 2, 7]
    mats = [rng.normal(size=(n, 12)) for n in lens]
    padded = np.full((4, 9, 12), np.nan)  # padding is never read
    for i, m in enumerate(mats):
        padded[i, : len(m)] = m
    singles = np.array([spectral.entropy(m) for m in mats])
    ragged = spectral.entropy(mats)
    assert isinstance(ragged, np.ndarray) and ragged.dtype == np.float64 and ragged.shape == (4,)
    np.testing.assert_array_equal(ragged, singles)
    np.testing.assert_array_equal(spectral.entropy(padded, lengths=lens), singles)
    dense = rng.normal(size=(3, 6, 5))
    np.testing.assert_array_equal(spectral.erank(dense), [spectral.erank(m) for m in dense])


def test_torch_input_zero_copy_and_grad():
    t = torch.randn(3, 10, 16, requires_grad=True)
    want = spectral.entropy(t.detach().numpy())
    np.testing.assert_array_equal(spectral.entropy(t), want)
    assert spectral.entropy(t[0]) == want[0]
    np.testing.assert_array_equal(
        spectral.entropy(list(t.detach().double())), spectral.entropy(t.detach().double())
    )


def test_dtypes():
    rng = np.random.default_rng(2)
    ints = rng.integers(-5, 5, size=(8, 6))
    assert spectral.entropy(ints) == spectral.entropy(ints.astype(np.float64))
    x = rng.normal(size=(8, 6)).astype(np.float32)
    assert spectral.entropy(x, dtype="float64") == spectral.entropy(x.astype(np.float64))
    assert spectral.entropy(x) != spectral.entropy(x, dtype="float64")  # computed in f32
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        spectral.entropy(x, dtype="int32")


def test_metrics_frame():
    frame = spectral.metrics(np.random.default_rng(3).normal(size=(2, 7, 5)))
    assert list(frame.columns) == [
        "entropy",
        "erank",
        "normalized_entropy",
        "renyi_2",
        "participation_ratio",
        "stable_rank",
        "numerical_rank",
        "rankme",
    ]
    assert len(frame) == 2 and frame.notna().all().all()
    assert list(spectral.metrics(np.eye(3), ["renyi", "erank"], alpha=0.5).columns) == [
        "renyi_0.5",
        "erank",
    ]


def test_cpu_and_array_module_paths_agree():
    # The GPU code written against an array module, run here with NumPy.
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 11, 7))
    lens = [11, 3, 7, 2, 9]
    want = spectral.metrics(x, lengths=lens).to_numpy()
    got, single = _gpu.metrics_table(x, lengths=lens, xp=np)
    assert not single
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    wide = rng.normal(size=(2, 30, 8))  # T > d: the d×d side
    np.testing.assert_allclose(
        _gpu.metrics_table(wide, xp=np)[0], spectral.metrics(wide).to_numpy(), rtol=1e-9, atol=1e-9
    )


@pytest.mark.gpu
def test_gpu_matches_cpu():
    import cupy as cp

    rng = np.random.default_rng(5)
    for dt, tol in ((np.float64, 1e-9), (np.float32, 3e-4)):
        x = rng.normal(size=(6, 40, 32)).astype(dt)
        got = spectral.entropy(cp.asarray(x))
        assert isinstance(got, cp.ndarray)
        np.testing.assert_allclose(got.get(), spectral.entropy(x), atol=tol)
    t = torch.randn(4, 20, 16, device="cuda")
    np.testing.assert_allclose(spectral.entropy(t).get(), spectral.entropy(t.cpu()), atol=3e-4)


# ---------------------------------------------------------------- bad input


def test_one_token_gives_nan_with_one_warning():
    x = [np.ones((1, 4)), np.random.default_rng(0).normal(size=(5, 4)), np.ones((1, 4))]
    with pytest.warns(RuntimeWarning, match="2 of 3 matrices are degenerate") as rec:
        h = spectral.entropy(x)
    assert len(rec) == 1
    assert np.isnan(h[0]) and np.isnan(h[2]) and np.isfinite(h[1])
    # The official code has no answer either: torch.svd fails on the NaN covariance on CPU.
    with pytest.raises(torch.linalg.LinAlgError, match="non-finite"):
        official_entropy_torch(np.ones((1, 4)), torch.float64)
    with pytest.raises(ValueError, match="1 of 1 matrices are degenerate"):
        spectral.entropy(np.ones((1, 4)), strict=True)


def test_equal_rows_are_degenerate():
    with pytest.warns(RuntimeWarning, match="degenerate"):
        assert np.isnan(spectral.erank(np.tile([1.0, 2.0, 3.0], (5, 1))))
    with pytest.raises(ValueError, match="degenerate"):
        spectral.metrics(np.tile([1.0, 2.0], (3, 1)), strict=True)


@pytest.mark.parametrize(
    ("x", "exc", "match"),
    [
        (np.zeros((0, 4)), ShapeError, "at least one row per matrix"),
        (np.zeros((3, 0)), ShapeError, "at least one column"),
        (np.zeros((0, 3, 4)), ValueError, "x is empty"),
        ([], ValueError, "x is empty"),
        (np.zeros((2, 2, 2, 2)), ShapeError, "got shape \\(2, 2, 2, 2\\)"),
        (np.ones((3, 3), dtype=complex), TypeError, "x must be real"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "x must be numeric"),
        (
            [np.ones((3, 4)), np.ones((2, 5))],
            ShapeError,
            "x\\[1\\] has 5 columns but x\\[0\\] has 4",
        ),
        ([np.ones((3, 4)), np.ones(4)], ShapeError, "x\\[1\\] must be 2-D"),
    ],
)
def test_bad_input_messages(x, exc, match):
    with pytest.raises(exc, match=match):
        spectral.entropy(x)


def test_non_finite_values_are_named():
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    x[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match=r"x: holds NaN at index \(1, 2, 3\)"):
        spectral.entropy(x)
    y = [np.ones((2, 2)), np.array([[1.0, np.inf], [0.0, 1.0]])]
    with pytest.raises(ValueError, match=r"holds inf at index \(1, 0, 1\)"):
        spectral.entropy(y)


def test_bad_lengths_and_options():
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    with pytest.raises(ShapeError, match=r"lengths must have shape \(2,\)"):
        spectral.entropy(x, lengths=[4])
    with pytest.raises(ValueError, match=r"lengths\[1\] = 0"):
        spectral.entropy(x, lengths=[4, 0])
    with pytest.raises(ShapeError, match=r"lengths\[0\] = 5 exceeds the padded length T = 4"):
        spectral.entropy(x, lengths=[5, 2])
    with pytest.raises(TypeError, match="lengths must be integers"):
        spectral.entropy(x, lengths=[2.5, 2])
    with pytest.raises(ValueError, match="lengths applies to a padded"):
        spectral.entropy(x[0], lengths=[4])
    with pytest.raises(ValueError, match="which: unknown metric"):
        spectral.metrics(x, which=["erank", "nope"])
    with pytest.raises(ValueError, match="alpha: must be > 0"):
        spectral.metrics(x, alpha=0.0)


def test_single_column_normalized_entropy_is_nan_documented():
    frame = spectral.metrics(np.array([[0.0], [1.0], [3.0], [7.0], [12.0]]))
    assert frame["entropy"].iloc[0] == 0.0 and frame["erank"].iloc[0] == 1.0
    assert np.isnan(frame["normalized_entropy"].iloc[0])  # H / ln 1


def test_array_module_path_layouts_and_errors():
    rng = np.random.default_rng(6)
    mats = [rng.normal(size=(n, 6)).astype(np.float32) for n in (4, 9, 2)]
    got, single = _gpu.metrics_table(mats, xp=np)
    assert not single
    np.testing.assert_allclose(got, spectral.metrics(mats).to_numpy(), rtol=2e-4, atol=2e-4)
    one, single = _gpu.metrics_table(mats[1], xp=np)
    assert single and one.shape == (1, 8)
    bad = rng.normal(size=(2, 3, 4))
    bad[1, 2, 0] = np.inf
    with pytest.raises(ValueError, match=r"holds inf at index \(1, 2, 0\)"):
        _gpu.metrics_table(bad, xp=np)
    with pytest.raises(ShapeError, match=r"x\[1\] has 5 columns"):
        _gpu.metrics_table([np.ones((2, 4)), np.ones((2, 5))], xp=np)
    with pytest.raises(ValueError, match="x is empty"):
        _gpu.metrics_table(np.zeros((0, 2, 2)), xp=np)
    degenerate, _ = _gpu.metrics_table(np.ones((1, 3)), xp=np)
    assert np.isnan(degenerate).all()


@pytest.mark.gpu
def test_gpu_metrics_frame_and_grad_tensors():
    t = torch.randn(3, 12, 10, device="cuda", requires_grad=True)
    frame = spectral.metrics(t)
    want = spectral.metrics(t.detach().cpu())
    np.testing.assert_allclose(frame.to_numpy(), want.to_numpy(), rtol=1e-3, atol=1e-3)
