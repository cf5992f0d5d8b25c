"""MinHash options: one typed, checked object for the CPU, GPU and Ray paths, and the
datasketch permutations of the compat families."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import integer_in

UNITS = ("word", "char")
COMPATS = (None, "datasketch", "datasketch-legacy")


@dataclass(frozen=True)
class MinHashOptions:
    """How texts become signatures (see ``assay.dedup``): ``num_perm`` permutations,
    ``ngram``-token shingles of ``unit`` tokens, the permutations' ``seed``, the hash family
    (``compat``) and the normalization. Checked on construction, each error naming its
    argument."""

    num_perm: int = 128
    ngram: int = 5
    unit: str = "word"
    seed: int = 1
    compat: str | None = None
    lowercase: bool = False
    strip_punct: bool = False

    def __post_init__(self) -> None:
        fix = functools.partial(object.__setattr__, self)
        fix("num_perm", integer_in("num_perm", self.num_perm, 1, 1 << 16))
        fix("ngram", integer_in("ngram", self.ngram, 1, 1 << 20))
        top = (1 << 32) - 1 if self.compat else (1 << 64) - 1
        fix("seed", integer_in("seed", self.seed, 0, top))
        if self.unit not in UNITS:
            raise ValueError(f"unit must be 'word' or 'char', got {self.unit!r}")
        if self.compat not in COMPATS:
            raise ValueError(
                f"compat must be None, 'datasketch' or 'datasketch-legacy', got {self.compat!r}"
            )
        fix("lowercase", bool(self.lowercase))
        fix("strip_punct", bool(self.strip_punct))

    @property
    def case(self) -> str:
        """The kernels' case rule."""
        return "lower" if self.lowercase else "keep"

    @property
    def family(self) -> str:
        """The kernels' hash family: assay's own (``"xxh3"``) or a datasketch one."""
        return self.compat or "xxh3"

    def kernel_arguments(self) -> dict[str, Any]:
        """Keyword arguments of the native signature kernels (datasketch's permutations
        included in the compat families)."""
        out: dict[str, Any] = dict(
            num_perm=self.num_perm, ngram=self.ngram, unit=self.unit,
            strip_punct=self.strip_punct, seed=self.seed, case=self.case,
        )  # fmt: skip
        if self.compat is not None:
            a, b = datasketch_permutations(
                self.num_perm, self.seed, self.compat == "datasketch-legacy"
            )
            out.update(a=a, b=b)
        return out


@functools.lru_cache(maxsize=16)
def datasketch_permutations(
    num_perm: int, seed: int, legacy: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` datasketch draws from ``numpy.random.RandomState(seed)`` (as uint64)."""
    gen = np.random.RandomState(seed)
    if legacy:
        prime = np.uint64((1 << 61) - 1)
        ab = [
            (gen.randint(1, prime, dtype=np.uint64), gen.randint(0, prime, dtype=np.uint64))
            for _ in range(num_perm)
        ]
        arr = np.array(ab, dtype=np.uint64).T
        return np.ascontiguousarray(arr[0]), np.ascontiguousarray(arr[1])
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a.astype(np.uint64), b.astype(np.uint64)


def cuda_index(device: Any) -> int | None:
    """None for ``"cpu"``, N for ``"cuda"`` (N = 0) or ``"cuda:N"``; anything else is an error."""
    if device == "cpu":
        return None
    match = re.fullmatch(r"cuda(?::(\d+))?", device) if isinstance(device, str) else None
    if match is None:
        raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    return int(match.group(1) or 0)
