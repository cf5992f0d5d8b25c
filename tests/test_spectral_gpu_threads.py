"""The GPU eigenvalue kernels with real threads per block, under ThreadSanitizer
(tests/threaded_kernels.py): no data race between a block's threads, and LAPACK's eigenvalues
whatever the block size, the device's 1024 threads included. Removing any of the barriers the
kernels need makes these tests fail with a race report (checked by hand: each of the five
barriers between phases of a reflection; the other three are redundant after the callers'
barriers, so their removal is an equivalent mutant)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from threaded_kernels import ThreadedKernels

ULPS = 8  # as tests/test_spectral_gpu.py: absolute error in units of n·eps·‖A‖


@pytest.fixture(scope="module")
def threaded() -> ThreadedKernels:
    try:
        return ThreadedKernels()
    except RuntimeError as e:
        if os.environ.get("ASSAY_REQUIRE_HOST_KERNELS"):
            raise
        pytest.skip(str(e))


@pytest.mark.parametrize(
    ("b", "n", "threads", "blocks", "dtype"),
    [
        (3, 33, 32, 2, np.float64),  # a grid smaller than the batch
        (2, 70, 64, 1, np.float32),
        (2, 70, 256, 3, np.float64),  # more blocks than matrices
        (1, 12, 1024, 1, np.float32),  # the device's block size
        (1, 1030, 32, 1, np.float32),  # trailing blocks wider than the 1024 virtual threads
    ],
)
def test_kernels_with_real_threads_are_race_free_and_exact(threaded, b, n, threads, blocks, dtype):
    rng = np.random.default_rng(n * threads)
    x = rng.normal(size=(b, n, max(n // 2, 1)))
    check_threaded(threaded, (x @ x.transpose(0, 2, 1)).astype(dtype), threads, blocks)


@pytest.mark.parametrize(("threads", "dtype"), [(64, np.float64), (256, np.float32)])
def test_identity_reflections_with_real_threads_are_race_free_and_exact(threaded, threads, dtype):
    # Zero rows (padding at the end, gaps in the middle): the steps that skip their pass.
    rng = np.random.default_rng(threads)
    x = rng.normal(size=(3, 40, 30))
    x[0, 11:] = 0
    x[1, [2, 3, 20, 21, 22]] = 0
    x[2, ::3] = 0
    check_threaded(threaded, (x @ x.transpose(0, 2, 1)).astype(dtype), threads, 2)


def check_threaded(threaded: ThreadedKernels, g: np.ndarray, threads: int, blocks: int) -> None:
    """The eigenvalues of ``g`` by the kernels on real threads: no race, LAPACK's accuracy."""
    got, race = threaded.eigenvalues(g, threads, blocks)
    assert race == "", race
    want = np.linalg.eigvalsh(g.astype(np.float64))
    scale = np.abs(want).max(axis=1, keepdims=True) * np.finfo(g.dtype).eps * g.shape[-1]
    assert (np.abs(got - want) / scale).max() <= ULPS
