"""GPU rows of issues 4 and 5, side by side with their anchors on the same GPU in one run.

- eRank: assay's CuPy path (``spectral._gpu.metrics_table``, what ``assay.spectral.metrics`` runs
  for CUDA input, with its own eigenvalue kernels) against torch's and CuPy's batched Gram +
  ``eigvalsh`` in the same dtype, and the official Diff-eRank method (float32 SVD of the d×d
  covariance, one sample at a time).
- MinHash: assay's GPU signatures from bytes already on the device (the kernels alone) and from a
  Python list of str (packing, the copy to the device, the kernels and the copy back), against
  assay's CPU kernels on every core of the same machine.

Times are the minimum of ``--repeat`` runs after one warm-up, with the device synchronised.
``--dry-run`` runs every code path on small inputs with NumPy and the host build of the CUDA
kernels (tests/gpu_host_kernels.py), so the script is checked on machines without a GPU.

    python benches/bench_gpu.py            # on a GPU machine: prints a Markdown table
    python benches/bench_gpu.py --dry-run  # anywhere
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _dedup_text import docstrings, edit

from assay import _cuda, _native, dedup
from assay.dedup import gpu
from assay.spectral import _gpu, _gpu_eigen


class Bench:
    def __init__(self, xp: Any, repeat: int) -> None:
        self.xp, self.repeat, self.rows = xp, repeat, []

    def sync(self) -> None:
        if self.xp is not np:
            self.xp.cuda.Device().synchronize()

    def time(self, fn: Callable[[], Any], repeat: int | None = None) -> tuple[float, Any]:
        out = fn()
        self.sync()
        best = float("inf")
        for _ in range(repeat or self.repeat):
            t0 = time.perf_counter()
            out = fn()
            self.sync()
            best = min(best, time.perf_counter() - t0)
        return best, out

    def row(self, group: str, impl: str, seconds: float, per: str, note: str = "") -> None:
        self.rows.append((group, impl, seconds, per, note))
        # Each row as it is measured too: a run cut short still reports what it measured.
        print(f"{group} | {impl} | {seconds * 1e3:.3f} ms | {per} | {note}", flush=True)

    def table(self) -> str:
        lines = ["| group | implementation | time | per | vs assay | note |"]
        lines.append("|---|---|---|---|---|---|")
        base: dict[str, float] = {}
        for group, impl, sec, _per, _note in self.rows:
            if impl.startswith("assay"):
                base.setdefault(group, sec)
        for group, impl, sec, per, note in self.rows:
            ratio = f"{sec / base[group]:.2f}×" if group in base else ""
            lines.append(f"| {group} | {impl} | {sec * 1e3:.3f} ms | {per} | {ratio} | {note} |")
        return "\n".join(lines)


def torch_gram_entropy(torch: Any, x: Any) -> Any:
    """The best plain-library path: centre, normalize rows, batched Gram, eigvalsh, entropy."""
    z = x - x.mean(dim=1, keepdim=True)
    z = z / z.norm(dim=2, keepdim=True)
    g = z @ z.mT if x.shape[1] <= x.shape[2] else z.mT @ z
    lam = torch.linalg.eigvalsh(g)
    lam = (lam / lam.sum(dim=1, keepdim=True)).clamp_min(0)
    return -(lam * torch.log(torch.where(lam > 0, lam, 1))).sum(dim=1)


def plain_gram_entropy(xp: Any, x: Any) -> Any:
    """The same with the array library's own ``eigvalsh`` (cuSOLVER syevd under CuPy)."""
    z = x - x.mean(axis=1, keepdims=True)
    z = z / xp.sqrt((z * z).sum(axis=2, keepdims=True))
    zt = xp.swapaxes(z, 1, 2)
    lam = xp.linalg.eigvalsh(z @ zt if x.shape[1] <= x.shape[2] else zt @ z)
    lam = xp.clip(lam / lam.sum(axis=1, keepdims=True), 0, None)
    return -(lam * xp.log(xp.where(lam > 0, lam, 1))).sum(axis=1)


def official_entropy(torch: Any, r: Any) -> Any:
    """Diff-eRank's official computation for one T×d matrix: float32 SVD of the covariance."""
    z = r - r.mean(dim=0, keepdim=True)
    z = z / z.norm(dim=1, keepdim=True)
    cov = z.T @ z / z.shape[0]
    s = torch.linalg.svdvals(cov / torch.trace(cov))
    return -(s * torch.log(torch.where(s > 0, s, 1))).sum()


def erank_rows(
    b: Bench,
    torch: Any,
    device: str,
    shapes: list[tuple[int, int, int]],
    kernels: Any,
    before: Any = None,
) -> None:
    """``before``: a launcher of another build of the eigenvalue kernels, timed beside ours."""
    xp = b.xp
    seen = set()
    for batch, t, d in shapes:
        for dtype in ("float32", "float64"):
            group = f"eRank {t}×{d} {dtype}, batch {batch}"
            gen = torch.Generator(device=device).manual_seed(0)
            tx = torch.randn(batch, t, d, generator=gen, device=device, dtype=getattr(torch, dtype))
            x = xp.from_dlpack(tx) if xp is not np else tx.numpy()
            sec, (table, _) = b.time(
                lambda x=x: _gpu.metrics_table(x, rankme=False, xp=xp, kernels=kernels)
            )
            b.row(group, "assay (CuPy)", sec / batch, "sample")
            if before is not None:
                sec, (old, _) = b.time(
                    lambda x=x: _gpu.metrics_table(x, rankme=False, xp=xp, kernels=before)
                )
                diff = float(np.max(np.abs(_host(old[:, 0]) - _host(table[:, 0]))))
                b.row(
                    group, "assay, kernels before", sec / batch, "sample", f"max abs ΔH {diff:.1e}"
                )
            sec, h = b.time(lambda x=x: plain_gram_entropy(xp, x))
            diff = float(np.max(np.abs(_host(h) - _host(table[:, 0]))))
            b.row(group, "CuPy Gram + eigvalsh", sec / batch, "sample", f"max abs ΔH {diff:.1e}")
            sec, h = b.time(lambda tx=tx: torch_gram_entropy(torch, tx))
            diff = float(np.max(np.abs(np.asarray(h.cpu()) - _host(table[:, 0]))))
            b.row(group, "torch Gram + eigvalsh", sec / batch, "sample", f"max abs ΔH {diff:.1e}")
            if dtype == "float32" and (t, d) not in seen:
                seen.add((t, d))
                k = min(batch, 2 if d <= 1024 else 1)  # ~4 s a sample at d = 4096 (H100)
                sec, _ = b.time(
                    lambda tx=tx, k=k: [official_entropy(torch, tx[i]) for i in range(k)], 1
                )
                b.row(group, "official (SVD of d×d)", sec / k, "sample", f"{k} samples")


def tuning_rows(b: Bench, torch: Any, device: str, kernels: Any, shape: tuple[int, ...]) -> None:
    """The eigenvalue kernels' launch shape swept on one shape (float32 and float64): threads of a
    block, and the cap on concurrent blocks (a cap below the batch keeps fewer matrices in L2)."""
    xp = b.xp
    launcher = kernels or _cuda.compiled(xp, _gpu_eigen.KERNEL_SOURCE, _gpu_eigen.KERNEL_NAMES)
    sms = getattr(launcher, "sms", 1)
    default = getattr(launcher, "max_blocks", None), getattr(launcher, "block_threads", None)
    batch, t, d = shape
    for dtype in ("float32", "float64"):
        group = f"tuning: eigenvalue kernels, {t}×{d} {dtype}, batch {batch}"
        gen = torch.Generator(device=device).manual_seed(1)
        tx = torch.randn(batch, t, d, generator=gen, device=device, dtype=getattr(torch, dtype))
        x = xp.from_dlpack(tx) if xp is not np else tx.numpy()
        for threads in (512, 1024):
            for cap in sorted({max(sms // 4, 1), max(sms // 2, 1), sms, 32 * sms}):
                launcher.max_blocks, launcher.block_threads = cap, threads
                sec, _ = b.time(
                    lambda x=x: _gpu.metrics_table(x, rankme=False, xp=xp, kernels=launcher)
                )
                b.row(group, f"assay, {threads} threads, ≤ {cap} blocks", sec / batch, "sample")
    launcher.max_blocks, launcher.block_threads = default


def chunk_rows(b: Bench, kernels: Any, texts: list[str]) -> None:
    """Shingles per item of the minimum kernel (``gpu.CHUNK``) swept, bytes on the device."""
    xp = b.xp
    data = np.frombuffer("".join(texts).encode(), dtype=np.uint8)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t.encode()) for t in texts], out=offsets[1:])
    dev_data, dev_offsets = xp.asarray(data), xp.asarray(offsets)
    group = f"tuning: MinHash chunk, {data.size / 1e6:.0f} MB"
    default = gpu.CHUNK
    for chunk in (64, 256, 1024, 4096):
        gpu.CHUNK = chunk
        sec, _ = b.time(
            lambda: gpu.signatures_from_bytes(dev_data, dev_offsets, xp=xp, kernels=kernels)
        )
        b.row(
            group,
            f"assay, {chunk} shingles an item",
            sec,
            "batch",
            f"{data.size / 1e9 / sec:.2f} GB/s",
        )
    gpu.CHUNK = default


def _host(a: Any) -> np.ndarray:
    return a.get() if hasattr(a, "get") else np.asarray(a)


def corpus(total_mb: float) -> list[str]:
    rng = random.Random(0)
    docs = list(docstrings(20))
    out, size = [], 0
    while size < total_mb * 1e6:
        text = " ".join(rng.choice(docs) for _ in range(12))[:4000]
        out.append(text if rng.random() < 0.8 else edit(text, 0.03, rng))
        size += len(out[-1].encode())
    return out


def minhash_rows(b: Bench, kernels: Any, total_mb: float) -> None:
    xp = b.xp
    texts = corpus(total_mb)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    group = f"MinHash own family, {mb:.0f} MB, 5-grams, 128 perm"
    data = np.frombuffer("".join(texts).encode(), dtype=np.uint8)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t.encode()) for t in texts], out=offsets[1:])
    dev_data, dev_offsets = xp.asarray(data), xp.asarray(offsets)
    opts = dict(num_perm=128, ngram=5, unit="word", seed=1, lowercase=False, strip_punct=False)

    def kernels_only() -> Any:
        return gpu.signatures_from_bytes(dev_data, dev_offsets, xp=xp, kernels=kernels)

    sec, sig = b.time(kernels_only)
    want = dedup.minhash(texts)
    same = bool((_host(sig) == want).all())
    b.row(
        group,
        "assay GPU, bytes on device",
        sec,
        "batch",
        f"{mb / 1e3 / sec:.2f} GB/s, equal to CPU: {same}",
    )
    default = gpu.UPLOAD_IN_WORKER
    for upload_in_worker in (True, False):
        for batch_mb in (64, 256):
            gpu.UPLOAD_IN_WORKER = upload_in_worker
            sec, sig = b.time(
                lambda n=batch_mb << 20: gpu.minhash(
                    texts, **opts, batch_bytes=n, xp=xp, kernels=kernels
                )
            )
            same = bool((sig == want).all())
            copy = "packing thread" if upload_in_worker else "caller"
            b.row(
                group,
                f"assay GPU, list of str, {batch_mb} MB batches, copied by the {copy}",
                sec,
                "batch",
                f"{mb / 1e3 / sec:.2f} GB/s, equal to CPU: {same}",
            )
    gpu.UPLOAD_IN_WORKER = default
    cores = os.cpu_count()
    buffer = np.empty(data.size, dtype=np.uint8)
    sec, _ = b.time(lambda: _native.pack_utf8(texts, buffer, case="keep"))
    b.row(
        group,
        f"host feed alone (pack_utf8, {cores} cores)",
        sec,
        "batch",
        f"{mb / 1e3 / sec:.2f} GB/s",
    )
    sec, _ = b.time(lambda: dedup.minhash(texts))
    b.row(group, f"assay CPU, {cores} cores", sec, "batch", f"{mb / 1e3 / sec:.2f} GB/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="NumPy + host kernels, small inputs")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--text-mb", type=float, help="MB of text (default 1000; dry run 0.2)")
    ap.add_argument("--kernels-before", help="another spectral_kernels.cu, timed beside ours")
    args = ap.parse_args()
    import torch

    if args.dry_run:
        from gpu_host_kernels import HostKernels

        b, kernels, device = Bench(np, 1), HostKernels(), "cpu"
        eigen = HostKernels(_gpu_eigen.KERNEL_SOURCE)
        shapes, text_mb = [(2, 16, 24)], args.text_mb or 0.2
    else:
        import cupy

        b, kernels, eigen, device = Bench(cupy, args.repeat), None, None, "cuda"
        shapes = [(128, 512, 768), (32, 512, 4096), (128, 512, 4096)]
        text_mb = args.text_mb or 1000.0
        name = torch.cuda.get_device_name()
        print(f"GPU: {name}, torch {torch.__version__}, CuPy {cupy.__version__}")
    before = None
    if args.kernels_before:
        path = Path(args.kernels_before)
        before = (
            HostKernels(path)
            if args.dry_run
            else _cuda.CudaKernels(cupy, path, _gpu_eigen.KERNEL_NAMES)
        )
    erank_rows(b, torch, device, shapes, eigen, before)
    minhash_rows(b, kernels, text_mb)
    tuning_rows(b, torch, device, eigen, shapes[0])
    chunk_rows(b, kernels, corpus(text_mb / 4))
    print(b.table())


if __name__ == "__main__":
    main()
