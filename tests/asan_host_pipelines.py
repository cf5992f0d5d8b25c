"""The GPU pipelines on the host build of their CUDA kernels, compiled with AddressSanitizer:
run as a script with libasan preloaded (tests/test_host_kernels_asan.py), it reports any read
or write outside an array, as compute-sanitizer's memcheck would on a GPU. The inputs put each
kernel's last access at the end of its array: the last text of a batch ends with a token of
every length regime of the token hash and of xxh3 (0-16, 17-128, 129-240, > 240 bytes), with a
multi-byte space, or with nothing; signatures must also equal the CPU kernels'.

usage: python asan_host_pipelines.py [--minhash SOURCE] [--spectral SOURCE]   (prints "ok")
With other sources (mutants, say) only memory errors are looked for.
"""

from __future__ import annotations

import argparse
import itertools
import pathlib

import numpy as np
from gpu_host_kernels import HostKernels

from assay import dedup
from assay.dedup import gpu
from assay.spectral import _gpu_eigen

FLAGS = ("-fsanitize=address", "-fno-omit-frame-pointer", "-g")
TAIL_LENGTHS = (*range(0, 18), 100, 128, 129, 240, 241, 300)


def batches() -> list[list[str]]:
    out = []
    for n in TAIL_LENGTHS:
        tail = "x" * n
        out += [[tail], ["alpha  beta", "gamma, " + tail], ["délta é", tail + "\u3000"]]
    return [*out, [""], ["   "], ["a", ""], ["\u2029"]]


def check_minhash(kernels: HostKernels, compare: bool) -> None:
    for texts, unit, ngram, lowercase, strip_punct in itertools.product(
        batches(), ("word", "char"), (1, 2, 5), (False, True), (False, True)
    ):
        opts = dict(num_perm=4, ngram=ngram, unit=unit, seed=1)
        norm = dict(lowercase=lowercase, strip_punct=strip_punct)
        sig = gpu.minhash(texts, **opts, **norm, xp=np, kernels=kernels)
        if compare:
            assert (sig == dedup.minhash(texts, **opts, **norm)).all(), (texts, opts, norm)


def check_eigenvalues(kernels: HostKernels) -> None:
    rng = np.random.default_rng(0)
    for n, dtype in itertools.product((1, 2, 3, 17, 70), (np.float32, np.float64)):
        x = rng.normal(size=(2, n, n))
        g = (x @ x.transpose(0, 2, 1)).astype(dtype)
        got = _gpu_eigen.symmetric_eigenvalues(np, g, kernels)
        assert got.shape == (2, n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minhash", type=pathlib.Path, default=gpu.KERNEL_SOURCE)
    ap.add_argument("--spectral", type=pathlib.Path, default=_gpu_eigen.KERNEL_SOURCE)
    args = ap.parse_args()
    compare = args.minhash == gpu.KERNEL_SOURCE
    check_minhash(HostKernels(args.minhash, FLAGS), compare)
    check_eigenvalues(HostKernels(args.spectral, FLAGS))
    print("ok")


if __name__ == "__main__":
    main()
