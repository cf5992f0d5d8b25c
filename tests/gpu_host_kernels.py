"""assay's CUDA kernels (``assay/dedup/minhash_kernels.cu``, ``spectral/spectral_kernels.cu``)
compiled for the host.

Each kernel loops over its items grid-stride (and a block's threads over a phase's items,
block-stride, with barriers between phases), so with a grid of one block of one thread it visits
every item in turn and computes what the GPU computes; ``atomicMin`` becomes a plain minimum and
``__syncthreads`` a no-op. A small header supplies CUDA's built-ins. The tests run the GPU
pipelines (``assay.dedup.gpu``, ``spectral._gpu_eigen``) with NumPy arrays and these kernels, so
every line of the CUDA sources is exercised on machines without a GPU; NVRTC's compilation is
checked by ``nvrtc_ptx``.
"""

from __future__ import annotations

import ctypes
import pathlib
import shutil
import subprocess
import tempfile
from typing import Any

import numpy as np

from assay.dedup import gpu

SHIM = r"""
#include <math.h>
struct assay_dim3 { unsigned x, y, z; };
static const assay_dim3 threadIdx = {0, 0, 0}, blockIdx = {0, 0, 0};
static const assay_dim3 blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
#define __global__
#define __device__
#define __constant__
#define __shared__ static
static inline void __syncthreads() {}
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(threads)
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
static inline unsigned atomicMin(unsigned *p, unsigned v) {
    unsigned old = *p;
    if (v < old) *p = v;
    return old;
}
"""


def compiler() -> str | None:
    return shutil.which("g++") or shutil.which("clang++")


class HostKernels:
    """``assay._cuda.Kernels`` backed by the host build of a CUDA source (NumPy arrays in)."""

    def __init__(
        self, source: pathlib.Path = gpu.KERNEL_SOURCE, flags: tuple[str, ...] = ()
    ) -> None:
        cxx = compiler()
        if cxx is None:
            raise RuntimeError("no C++ compiler (g++ or clang++) to build the host kernels")
        self._dir = tempfile.TemporaryDirectory(prefix="assay-host-kernels-")
        shim = pathlib.Path(self._dir.name, "cuda_host_shim.h")
        shim.write_text(SHIM)
        lib = pathlib.Path(self._dir.name, source.stem + ".so")
        cmd = [cxx, "-O2", "-shared", "-fPIC", *flags, "-x", "c++", "-include", str(shim)]
        subprocess.run([*cmd, str(source), "-o", str(lib)], check=True)
        self._lib = ctypes.CDLL(str(lib))
        self.launched: dict[str, int] = {}

    def launch(self, name: str, items: int, *args: Any, per_block: bool = False) -> None:
        self.launched[name] = self.launched.get(name, 0) + items
        if items:
            self.call(name, args)

    def call(self, name: str, args: tuple[Any, ...]) -> None:
        """Runs kernel ``name`` once over all its items: arrays as pointers, the rest as i64."""
        conv = []
        for a in args:
            if isinstance(a, np.ndarray):
                assert a.flags.c_contiguous, f"{name}: argument not contiguous"
                conv.append(ctypes.c_void_p(a.ctypes.data))
            else:
                conv.append(ctypes.c_longlong(int(a)))
        getattr(self._lib, name)(*conv)

    def xxh3_64(self, data: bytes) -> int:
        """xxh3-64 of ``data`` through the kernel source (char_shingles keeps the upper half)."""
        buf = np.frombuffer(data, dtype=np.uint8).copy()
        out = np.zeros(1, dtype=np.uint32)
        bounds = np.array([0], dtype=np.int64), np.array([len(data)], dtype=np.int64)
        self.launch("char_shingles", 1, buf, *bounds, 1, out)
        return int(out[0])


def nvrtc_available() -> bool:
    try:
        from cuda import pathfinder

        pathfinder.load_nvidia_dynamic_lib("nvrtc")
        return True
    except Exception:
        return False


def nvrtc_ptx(source: str, arch: str, options: tuple[str, ...] = ()) -> str:
    """PTX of ``source`` from NVRTC (CuPy's ``RawModule`` compiler), which needs no GPU: found by
    ``cuda.pathfinder`` (torch's CUDA wheels bring it). Raises ``RuntimeError`` with the log."""
    from cuda import pathfinder

    lib = ctypes.CDLL(pathfinder.load_nvidia_dynamic_lib("nvrtc").abs_path)
    prog = ctypes.c_void_p()
    name = b"kernels.cu"
    if lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), name, 0, None, None):
        raise RuntimeError("nvrtcCreateProgram failed")
    opts = [f"--gpu-architecture={arch}".encode(), *(o.encode() for o in options)]
    rc = lib.nvrtcCompileProgram(prog, len(opts), (ctypes.c_char_p * len(opts))(*opts))
    size = ctypes.c_size_t()
    lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
    log = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetProgramLog(prog, log)
    if rc:
        raise RuntimeError(f"NVRTC error {rc}:\n{log.value.decode()}")
    lib.nvrtcGetPTXSize(prog, ctypes.byref(size))
    ptx = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetPTX(prog, ptx)
    lib.nvrtcDestroyProgram(ctypes.byref(prog))
    return ptx.value.decode()
