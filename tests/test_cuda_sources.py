"""assay's CUDA sources compile with NVRTC, the compiler CuPy's RawModule uses on a GPU machine
(it needs no GPU: torch's CUDA wheels bring the library), for Ampere and Hopper, in every C++
dialect CuPy might ask for."""

from __future__ import annotations

import pytest
from gpu_host_kernels import nvrtc_available, nvrtc_ptx

from assay.dedup import gpu
from assay.spectral import _gpu_eigen

SOURCES = {"minhash": gpu, "spectral": _gpu_eigen}


@pytest.mark.skipif(not nvrtc_available(), reason="no NVRTC library (CUDA wheels) installed")
@pytest.mark.parametrize("options", [(), ("-std=c++11",), ("-std=c++17",)])
@pytest.mark.parametrize("arch", ["compute_80", "compute_90"])
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_cuda_source_compiles_with_nvrtc(source, arch, options):
    module = SOURCES[source]
    ptx = nvrtc_ptx(module.KERNEL_SOURCE.read_text(), arch, options)
    for name in module.KERNEL_NAMES:
        assert f".entry {name}(" in ptx
