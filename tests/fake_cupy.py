"""A stand-in for CuPy on machines without a GPU: NumPy arrays, and ``RawModule`` compiling the
CUDA source for the host (tests/gpu_host_kernels.py). It runs the code between assay's public
``device="cuda"`` entry points and the kernels (device selection, compilation cache, launch
configuration, pinned staging buffers) as it runs under CuPy, and checks each launch's shape.
"""

from __future__ import annotations

import pathlib
import tempfile
import types
from typing import Any

import numpy as np
from gpu_host_kernels import HostKernels

SMS = 132


class _Function:
    def __init__(self, host: HostKernels, name: str, log: list) -> None:
        self._host, self._name, self._log = host, name, log

    def __call__(self, grid: tuple[int], block: tuple[int], args: tuple[Any, ...]) -> None:
        assert len(grid) == 1 and 1 <= grid[0] <= 32 * SMS, grid
        assert block in ((256,), (512,), (1024,)), block
        for a in args:
            assert isinstance(a, (np.ndarray, np.int64)), (self._name, type(a))
        self._log.append((self._name, grid[0], block[0]))
        self._host.call(self._name, args)


class _RawModule:
    def __init__(self, code: str, options: tuple[str, ...] = ()) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="assay-fake-cupy-")
        source = pathlib.Path(self._dir.name, "module.cu")
        source.write_text(code)
        self._host = HostKernels(source)

    def get_function(self, name: str) -> _Function:
        return _Function(self._host, name, LAUNCHES)


class _Device:
    current = 0

    def __init__(self, index: int | None = None) -> None:
        self.id = _Device.current if index is None else index
        self.attributes = {"MultiProcessorCount": SMS}

    def __enter__(self) -> _Device:
        self._before, _Device.current = _Device.current, self.id
        return self

    def __exit__(self, *exc: object) -> None:
        _Device.current = self._before

    def synchronize(self) -> None:
        pass


class _Stream:
    """A CUDA stream: work on it is done when it is issued (NumPy)."""

    def __init__(self, non_blocking: bool = False) -> None:
        self.non_blocking = non_blocking

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def synchronize(self) -> None:
        pass


class _DeviceArray(np.ndarray):
    """An array "on the device": NumPy's, with CuPy's host transfers."""

    def set(self, host: np.ndarray, stream: _Stream | None = None) -> None:
        assert host.shape == self.shape and host.dtype == self.dtype, (host.shape, self.shape)
        self[...] = host

    def get(self) -> np.ndarray:
        return np.array(self)


LAUNCHES: list[tuple[str, int, int]] = []
"""(kernel, blocks, threads) of every launch, in order."""


def modules() -> tuple[types.ModuleType, types.ModuleType]:
    """(cupy, cupyx) stand-ins: NumPy's namespace plus what assay's GPU code uses of CuPy's."""
    cupy = types.ModuleType("cupy")
    cupy.__dict__.update({k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    cupy.empty = lambda *args, **kwargs: np.empty(*args, **kwargs).view(_DeviceArray)
    cupy.RawModule = _RawModule
    cupy.asnumpy = np.asarray
    cupy.cuda = types.SimpleNamespace(Device=_Device, Stream=_Stream)
    cupyx = types.ModuleType("cupyx")
    cupyx.empty_pinned = lambda n, dtype: np.empty(n, dtype=dtype)
    return cupy, cupyx
