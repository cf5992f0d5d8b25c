"""Spectral metrics are scale-invariant over each dtype's range (issue: float32 at 1e19
raised ConvergenceError; at 1e-20 rankme was 5.64 instead of 4.68, NaN at 1e-25)."""

from __future__ import annotations

import numpy as np
import pytest

from assay import spectral


@pytest.fixture(scope="module")
def states(data_dir):
    data = np.load(data_dir / "erank" / "minilm_fixtures.npz")
    return [data[k] for k in sorted(data.files) if k.startswith("trained_")][:4]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scale", [1e-30, 1e-25, 1e-20, 1e19, 1e30])
def test_metrics_do_not_move_with_the_scale(states, dtype, scale):
    ref = spectral.metrics(states, dtype=dtype).to_numpy()
    x = [(s.astype(np.float64) * scale).astype(dtype) for s in states]
    assert all(np.isfinite(m).all() and (m != 0).any() for m in x)  # still in the dtype's range
    got = spectral.metrics(x, dtype=dtype).to_numpy()
    assert np.isfinite(got).all()
    tol = 1e-4 if dtype == "float32" else 1e-9
    assert got == pytest.approx(ref, rel=tol, abs=tol)


def test_power_of_two_rescaling_is_exact_in_float64(states):
    ref = spectral.metrics(states, dtype="float64").to_numpy()
    got = spectral.metrics([s.astype(np.float64) * 2.0**80 for s in states], dtype="float64")
    assert (got.to_numpy() == ref).all()


@pytest.mark.parametrize("scale", [1e-25, 1e19])
def test_gpu_path_rescales_too(states, scale):
    """The GPU path (run here on NumPy arrays, its CPU emulation) rescales the same way."""
    from assay.spectral import _gpu

    ref, _ = _gpu.metrics_table([s.astype(np.float32) for s in states], xp=np)
    x = [(s.astype(np.float64) * scale).astype(np.float32) for s in states]
    got, _ = _gpu.metrics_table(x, xp=np)
    assert np.isfinite(got).all()
    assert got == pytest.approx(ref, rel=1e-4, abs=1e-4)
