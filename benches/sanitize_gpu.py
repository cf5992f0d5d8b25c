"""Small runs of every CUDA kernel for NVIDIA's compute-sanitizer (benches/gpu_check.sh runs it
with memcheck, racecheck and synccheck): the checks the host build of the kernels cannot make.
Each result is also compared with the CPU, so a run that the sanitizer slows down still proves
something.

    compute-sanitizer --tool racecheck python3 benches/sanitize_gpu.py [--large]
"""

from __future__ import annotations

import sys
from pathlib import Path

import cupy as cp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _dedup_text import docstrings

from assay import dedup
from assay.spectral import _gpu_eigen


def main() -> None:
    odd = "e\u0301 naïve   Ünïcode\u3000tokens-longer-than-sixteen-bytes"
    texts = [*docstrings()[:30], "", "x", odd]
    for unit in ("word", "char"):
        got = dedup.minhash(texts, unit=unit, lowercase=True, strip_punct=True, device="cuda")
        assert (got == dedup.minhash(texts, unit=unit, lowercase=True, strip_punct=True)).all()
    rng = np.random.default_rng(0)
    sizes = [1, 2, 3, 70, 130] + ([1030] if "--large" in sys.argv else [])
    for n in sizes:
        for dtype in (np.float32, np.float64):
            x = rng.normal(size=(2, n, max(n // 2, 1)))
            g = (x @ x.transpose(0, 2, 1)).astype(dtype)
            got = cp.asnumpy(_gpu_eigen.symmetric_eigenvalues(cp, cp.asarray(g)))
            want = np.linalg.eigvalsh(g.astype(np.float64))
            tol = 8 * max(n, 1) * np.finfo(dtype).eps * np.abs(want).max()
            assert np.abs(got - want).max() <= tol, (n, dtype)
    cp.cuda.Device().synchronize()
    print("sanitize_gpu: all kernels ran and agree with the CPU", sizes)


if __name__ == "__main__":
    main()
