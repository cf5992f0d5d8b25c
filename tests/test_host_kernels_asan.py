"""Out-of-bounds accesses of the CUDA kernels, looked for on the host: the GPU pipelines run on
kernels built with AddressSanitizer (tests/asan_host_pipelines.py, in a Python with libasan
preloaded). Mutants that read one byte or one row past their data are caught, so a clean run
means something."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
from gpu_host_kernels import compiler

from assay.dedup import gpu
from assay.spectral import _gpu_eigen

SCRIPT = pathlib.Path(__file__).with_name("asan_host_pipelines.py")


def _libasan() -> str | None:
    cxx = compiler()
    if cxx is None:
        return None
    found = subprocess.run([cxx, "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = found.stdout.strip()
    return path if os.path.isabs(path) and os.path.exists(path) else None


LIBASAN = _libasan()
pytestmark = pytest.mark.skipif(
    LIBASAN is None and not os.environ.get("ASSAY_REQUIRE_HOST_KERNELS"),
    reason="no C++ compiler with AddressSanitizer",
)


def run_under_asan(*args: str) -> subprocess.CompletedProcess[str]:
    assert LIBASAN is not None, "ASSAY_REQUIRE_HOST_KERNELS is set, but libasan was not found"
    env = {**os.environ, "LD_PRELOAD": LIBASAN, "ASAN_OPTIONS": "detect_leaks=0"}
    cmd = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=SCRIPT.parent)


def test_gpu_pipelines_stay_inside_their_arrays():
    done = run_under_asan()
    assert "AddressSanitizer" not in done.stderr, done.stderr
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def mutant(tmp_path: pathlib.Path, source: pathlib.Path, old: str, new: str) -> pathlib.Path:
    text = source.read_text()
    assert text.count(old) == 1, old
    out = tmp_path / source.name
    out.write_text(text.replace(old, new))
    return out


@pytest.mark.parametrize(
    ("kernel", "old", "new"),
    [
        # The short-token hash reads one byte past the token.
        ("minhash", "int k = (int)len - 1; k >= 0", "int k = (int)len; k >= 0"),
        # xxh3 (17-128 bytes) reads its last 16 bytes one byte late.
        ("minhash", "acc += mix16(p + len - 16, 16);", "acc += mix16(p + len - 15, 16);"),
        # The tridiagonalisation's column products read one row past the trailing block.
        ("spectral", "for (; j < hi; ++j) s0 +=", "for (; j <= hi; ++j) s0 +="),
    ],
)
def test_a_read_past_the_data_is_caught(tmp_path, kernel, old, new):
    source = gpu.KERNEL_SOURCE if kernel == "minhash" else _gpu_eigen.KERNEL_SOURCE
    done = run_under_asan(f"--{kernel}", str(mutant(tmp_path, source, old, new)))
    assert "AddressSanitizer: heap-buffer-overflow" in done.stderr, done.stderr[-2000:]
