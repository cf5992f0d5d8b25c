"""The GPU eigenvalue kernels (``spectral/spectral_kernels.cu``) run on the host with real threads
under ThreadSanitizer (``tests/kernel_threads.cpp``): a block's threads are OS threads, each
``__syncthreads`` a pthread barrier, so a missing or misplaced barrier shows up as a data race
report, and a work split that only holds for one thread as wrong eigenvalues."""

from __future__ import annotations

import os
import pathlib
import subprocess
import tempfile

import numpy as np
from gpu_host_kernels import compiler

from assay.spectral import _gpu_eigen

DRIVER = pathlib.Path(__file__).with_name("kernel_threads.cpp")


class ThreadedKernels:
    """The driver, built once with ``-fsanitize=thread`` (``RuntimeError`` if it cannot be)."""

    def __init__(self, source: pathlib.Path = _gpu_eigen.KERNEL_SOURCE) -> None:
        cxx = compiler()
        if cxx is None:
            raise RuntimeError("no C++ compiler (g++ or clang++)")
        self._dir = tempfile.TemporaryDirectory(prefix="assay-threaded-kernels-")
        self.exe = pathlib.Path(self._dir.name, "kernel_threads")
        cmd = [cxx, "-std=c++17", "-O1", "-g", "-fsanitize=thread", "-pthread"]
        cmd += [f'-DKERNEL_SOURCE="{source}"', str(DRIVER), "-o", str(self.exe)]
        built = subprocess.run(cmd, capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"the threaded kernels did not build:\n{built.stderr}")

    def eigenvalues(self, g: np.ndarray, threads: int, blocks: int) -> tuple[np.ndarray, str]:
        """(eigenvalues (B, n), ThreadSanitizer's report: empty when it saw no race) of a
        (B, n, n) float32/float64 batch, with ``blocks`` blocks of ``threads`` threads."""
        b, n, _ = g.shape
        work = pathlib.Path(self._dir.name)
        head = np.array([b, n, g.dtype == np.float64], dtype=np.int64).tobytes()
        (work / "in.bin").write_bytes(head + np.ascontiguousarray(g).tobytes())
        args = [str(work / "in.bin"), str(work / "out.bin"), str(threads), str(blocks)]
        # halt_on_error: the first race ends the run; exitcode 66 tells it from a driver error.
        env = {**os.environ, "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"}
        done = subprocess.run([str(self.exe), *args], capture_output=True, text=True, env=env)
        report = done.stderr if "ThreadSanitizer" in done.stderr else ""
        if done.returncode not in (0, 66) or (done.returncode == 66 and not report):
            raise RuntimeError(f"the threaded kernels failed ({done.returncode}):\n{done.stderr}")
        ev = np.fromfile(work / "out.bin", dtype=g.dtype) if not report else np.empty(0, g.dtype)
        return ev.reshape(b, n) if not report else ev, report
