"""GPU MinHash signatures (CuPy): assay's own hash family, bit-identical to the CPU path.

Texts are packed as UTF-8 into a pinned host buffer (``_native.pack_utf8``), copied to the device
and shingled there in passes over all bytes of the batch at once:

1. ASCII lower-casing by a byte table, punctuation deleted by stream compaction;
2. one whitespace flag per byte (Python's ``str.isspace()`` set, multi-byte spaces included);
3. token bounds where the flag changes or a text begins or ends (``flatnonzero``);
4. one 64-bit hash per token (wyhash mixer up to 16 bytes, xxh3-64 beyond), per-window Horner sums
   (character units: xxh3-64 of each window of ``ngram`` characters of the collapsed text);
5. per text and permutation the minimum of ``a_k·x + b_k mod 2**32`` over chunks of 256 shingles,
   folded into the signature with ``atomicMin``.

A text goes to the device only where its bytes need no Unicode work: it is NFC and, with
``lowercase=True``, no non-ASCII character of it changes case. Other texts (and any longer than
the staging buffer) are hashed by the CPU kernels, so the result never depends on the route.
The CUDA source is ``minhash_kernels.cu``; its kernels are grid-stride loops over independent
items, so the tests run the same source compiled for the host with NumPy in place of CuPy.
"""

from __future__ import annotations

import importlib
import pathlib
import string
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

from .. import _native
from .._cuda import Kernels, compiled, to_device
from .._utf8 import Utf8Column
from ._cpu import cpu_signatures
from ._options import MinHashOptions

KERNEL_SOURCE = pathlib.Path(__file__).with_name("minhash_kernels.cu")
KERNEL_NAMES = ("space_mask", "token_hashes", "word_shingles", "char_shingles", "minhash_chunks")
CHUNK = 256
"""Shingles per (chunk, permutation) item of the minimum kernel: bounds the longest loop."""
TEXTS_PER_PACK = 1 << 16
UPLOAD_IN_WORKER = False
"""Copy each pack to the device from the packing thread (overlapping the kernels of the pack
before), or from the caller's thread (benches/bench_gpu.py measures both)."""
_PUNCT = np.zeros(256, dtype=bool)
_PUNCT[list(string.punctuation.encode())] = True
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[65:91] += 32


def _prepend_zero(xp: Any, counts: Any) -> Any:
    out = xp.zeros(counts.size + 1, dtype=xp.int64)
    out[1:] = xp.cumsum(counts)
    return out


def _windows(xp: Any, item_offsets: Any, ngram: int) -> tuple[Any, Any, Any]:
    """Per text with ``m`` items: ``m - ngram + 1`` windows of ``ngram`` (one of all ``m`` when
    ``0 < m < ngram``). Returns (window offsets per text, first item, items) of each window."""
    m = xp.diff(item_offsets)
    count = xp.where(m >= ngram, m - ngram + 1, (m > 0).astype(xp.int64))
    offsets = _prepend_zero(xp, count)
    w = xp.arange(int(offsets[-1]), dtype=xp.int64)
    text = xp.searchsorted(offsets, w, side="right") - 1
    first = item_offsets[text] + (w - offsets[text])
    return offsets, first, xp.minimum(m[text], ngram).astype(xp.int32)


def _token_bounds(xp: Any, kernels: Kernels, data: Any, offsets: Any) -> tuple[Any, Any, Any]:
    """(token starts, token ends, whitespace flag per byte) of the packed texts."""
    n = data.size
    space = xp.empty(n, dtype=xp.uint8)
    kernels.launch("space_mask", n, data, n, space)
    word = space == 0
    begins = xp.zeros(n + 1, dtype=bool)
    begins[offsets] = True
    before = xp.concatenate([xp.zeros(1, dtype=bool), word[:-1]])
    after = xp.concatenate([word[1:], xp.zeros(1, dtype=bool)])
    starts = xp.flatnonzero(word & (begins[:-1] | ~before))
    ends = xp.flatnonzero(word & (begins[1:] | ~after)) + 1
    return starts, ends, space


def _minima(xp: Any, kernels: Kernels, x: Any, win_offsets: Any, a: Any, b: Any) -> Any:
    n_texts, num_perm = win_offsets.size - 1, a.size
    sig = xp.full((n_texts, num_perm), 0xFFFF_FFFF, dtype=xp.uint32)
    chunk_offsets = _prepend_zero(xp, (xp.diff(win_offsets) + CHUNK - 1) // CHUNK)
    c = xp.arange(int(chunk_offsets[-1]), dtype=xp.int64)
    text = xp.searchsorted(chunk_offsets, c, side="right") - 1
    first = win_offsets[text] + (c - chunk_offsets[text]) * CHUNK
    last = xp.minimum(first + CHUNK, win_offsets[text + 1])
    items = c.size * num_perm
    kernels.launch("minhash_chunks", items, x, first, last, text, c.size, a, b, num_perm, sig)
    return sig


def signatures_from_bytes(
    data: Any,
    offsets: Any,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    lowercase: bool = False,
    strip_punct: bool = False,
    xp: Any = None,
    kernels: Kernels | None = None,
) -> Any:
    """(N, num_perm) uint32 signatures of N texts packed as UTF-8 bytes, on the device.

    ``data`` is a uint8 array of the concatenated texts, ``offsets`` an int64 array of N + 1 byte
    offsets; both live where ``xp`` computes (CuPy by default; torch CUDA tensors are taken
    without a copy). Each text must be valid UTF-8, NFC and, with ``lowercase=True``, change case
    only in ASCII letters (what ``_native.pack_utf8`` checks for ``minhash``).
    """
    from .._checks import integer_in as _check_int

    if xp is None:
        xp = importlib.import_module("cupy")
    num_perm = _check_int("num_perm", num_perm, 1, 1 << 16)
    ngram = _check_int("ngram", ngram, 1, 1 << 20)
    seed = _check_int("seed", seed, 0, (1 << 64) - 1)
    if unit not in ("word", "char"):
        raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")
    data = xp.asarray(data)
    offsets = xp.asarray(offsets)
    if data.ndim != 1 or data.dtype != xp.uint8:
        raise ValueError(f"data must be a 1-D uint8 array, got {data.dtype} of shape {data.shape}")
    if offsets.ndim != 1 or offsets.size == 0 or offsets.dtype.kind not in "iu":
        raise ValueError(f"offsets must be a non-empty 1-D integer array, got {offsets.dtype}")
    offsets = offsets.astype(xp.int64)
    if int(offsets[0]) != 0 or int(offsets[-1]) != data.size or bool((xp.diff(offsets) < 0).any()):
        raise ValueError(
            "offsets must rise from 0 to len(data) (text k is data[offsets[k]:offsets[k + 1]])"
        )
    kernels = kernels or compiled(xp, KERNEL_SOURCE, KERNEL_NAMES)
    if lowercase:
        data = xp.asarray(_LOWER)[data]
    if strip_punct:
        keep = ~xp.asarray(_PUNCT)[data]
        offsets = _prepend_zero(xp, keep)[offsets]
        data = data[keep]
    starts, ends, space = _token_bounds(xp, kernels, data, offsets)
    if unit == "word":
        hashes = xp.empty(starts.size, dtype=xp.uint64)
        kernels.launch("token_hashes", starts.size, data, starts, ends, starts.size, hashes)
        win_offsets, first, length = _windows(xp, xp.searchsorted(starts, offsets), ngram)
        x = xp.empty(first.size, dtype=xp.uint32)
        kernels.launch("word_shingles", first.size, hashes, first, length, first.size, x)
    else:
        data, offsets = _collapse_spaces(xp, data, offsets, starts, ends, space)
        char_starts = xp.concatenate(
            [xp.flatnonzero((data & 0xC0) != 0x80), xp.full(1, data.size, dtype=xp.int64)]
        )
        win_offsets, first, length = _windows(xp, xp.searchsorted(char_starts, offsets), ngram)
        span_start, span_end = char_starts[first], char_starts[first + length]
        x = xp.empty(first.size, dtype=xp.uint32)
        kernels.launch("char_shingles", first.size, data, span_start, span_end, first.size, x)
    a, b = (xp.asarray(v) for v in _native.own_minhash_permutations(num_perm, seed))
    return _minima(xp, kernels, x, win_offsets, a, b)


def _collapse_spaces(
    xp: Any, data: Any, offsets: Any, starts: Any, ends: Any, space: Any
) -> tuple[Any, Any]:
    """The texts with whitespace runs collapsed to one space and the ends trimmed: the tokens of
    a text joined by one 0x20 written over the first byte of each gap between them."""
    keep = space == 0
    token_text = xp.searchsorted(offsets, starts, side="right") - 1
    gaps = ends[:-1][token_text[1:] == token_text[:-1]]
    keep[gaps] = True
    data = data.copy()
    data[gaps] = 0x20
    return data[keep], _prepend_zero(xp, keep)[offsets]


def minhash(
    texts: Sequence[str] | Utf8Column,
    *,
    num_perm: int,
    ngram: int,
    unit: str,
    seed: int,
    lowercase: bool,
    strip_punct: bool,
    batch_bytes: int = 256 << 20,
    xp: Any = None,
    kernels: Kernels | None = None,
) -> np.ndarray:
    """(N, num_perm) uint32 signatures (a NumPy array) computed on the GPU; arguments as
    ``assay.dedup.minhash`` (see :func:`gpu_signatures`)."""
    options = MinHashOptions(num_perm, ngram, unit, seed, None, lowercase, strip_punct)
    return gpu_signatures(texts, options, batch_bytes, xp, kernels)


def gpu_signatures(
    texts: Sequence[str] | Utf8Column,
    options: MinHashOptions,
    batch_bytes: int = 256 << 20,
    xp: Any = None,
    kernels: Kernels | None = None,
) -> np.ndarray:
    """(N, num_perm) uint32 signatures (a NumPy array) computed on the GPU in batches of at most
    ``batch_bytes`` of UTF-8 text, the own hash family only. ``texts``: Python str, or an Arrow
    column's UTF-8 chunks (``assay._utf8``), whose bytes are checked and packed as they are.

    A worker thread packs the next batch into a second staging buffer (and, with
    ``UPLOAD_IN_WORKER``, copies it to the device) while the device hashes the current one
    (packing releases the GIL)."""
    if not isinstance(texts, Utf8Column):
        return _signatures(_StrTexts(texts), options, batch_bytes, xp, kernels)
    parts = [_Utf8Texts(*c) for c in texts.chunks]
    rows = [_signatures(p, options, batch_bytes, xp, kernels) for p in parts]
    return np.concatenate(rows) if rows else np.empty((0, options.num_perm), dtype=np.uint32)


class _StrTexts:
    """Texts given as Python str."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts
        self.count = len(texts)
        # A text of k characters has at most 4k UTF-8 bytes.
        self.max_bytes = 4 * sum(map(len, texts))

    def pack(self, start: int, buffer: np.ndarray, case: str) -> tuple[int, np.ndarray, Any]:
        chunk = self._texts[start : start + TEXTS_PER_PACK]
        return _native.pack_utf8(list(chunk), buffer, case=case)

    def strs(self, start: int, which: np.ndarray) -> list[str]:
        return [self._texts[start + int(i)] for i in which]


class _Utf8Texts:
    """Texts given as one UTF-8 buffer and offsets, from text ``first`` of the input on."""

    def __init__(self, first: int, data: np.ndarray, offsets: np.ndarray) -> None:
        self._first, self._data, self._offsets = first, data, offsets
        self.count = offsets.size - 1
        self.max_bytes = int(offsets[-1] - offsets[0])

    def pack(self, start: int, buffer: np.ndarray, case: str) -> tuple[int, np.ndarray, Any]:
        # Only the texts that can fit are handed over (each is checked as UTF-8 when it is).
        fit = int(np.searchsorted(self._offsets, self._offsets[start] + buffer.size, "right"))
        stop = min(start + TEXTS_PER_PACK, max(fit - 1, start + 1))
        offsets = self._offsets[start : stop + 1]
        first = self._first + start
        return _native.pack_utf8_buffer(self._data, offsets, buffer, case=case, first=first)

    def strs(self, start: int, which: np.ndarray) -> list[str]:
        o = self._offsets[start:]
        return [self._data[o[i] : o[i + 1]].tobytes().decode() for i in which]


Texts = _StrTexts | _Utf8Texts


def _signatures(
    texts: Texts, options: MinHashOptions, batch_bytes: int, xp: Any, kernels: Kernels | None
) -> np.ndarray:
    if xp is None:
        xp = importlib.import_module("cupy")
    out = np.empty((texts.count, options.num_perm), dtype=np.uint32)
    if not texts.count:
        return out
    nbytes = min(batch_bytes, texts.max_bytes + 1)  # small inputs get small buffers
    buffers = [_staging_buffer(xp, nbytes) for _ in range(2)]
    case = options.case
    upload = _uploader(xp) if UPLOAD_IN_WORKER else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        for start, count, offsets, on_cpu, data in _packs(texts, buffers, case, pool, upload):
            if upload is None:
                data = to_device(xp, data)
            sig = signatures_from_bytes(
                data, offsets, num_perm=options.num_perm, ngram=options.ngram,
                unit=options.unit, seed=options.seed, lowercase=options.lowercase,
                strip_punct=options.strip_punct, xp=xp, kernels=kernels,
            )  # fmt: skip
            rows = out[start : start + count]
            rows[:] = sig.get() if hasattr(sig, "get") else sig  # waits for the device
            cpu = np.flatnonzero(on_cpu)
            if cpu.size:
                rows[cpu] = cpu_signatures(texts.strs(start, cpu), options)
    return out


Pack = tuple[int, int, np.ndarray, np.ndarray, Any]
Upload = Callable[[np.ndarray], Any]


def _packs(
    texts: Texts,
    buffers: list[np.ndarray],
    case: str,
    pool: ThreadPoolExecutor,
    upload: Upload | None,
) -> Iterator[Pack]:
    """(first index, number of texts, byte offsets, CPU flags, bytes) of consecutive packs; the
    bytes on the device with ``upload``, else the filled part of the host buffer.

    While the caller works on one pack, the next is made in the other buffer (and, with
    ``upload``, copied to the device by the same worker). A buffer is filled again only once the
    caller has asked for the pack after the one it held: by then the caller must have copied that
    pack's host bytes."""

    def pack(start: int, buffer: np.ndarray) -> Pack:
        count, offsets, on_cpu = texts.pack(start, buffer, case)
        host = buffer[: int(offsets[-1])]
        return start, count, offsets, on_cpu, upload(host) if upload else host

    pending: Future[Pack] | None = pool.submit(pack, 0, buffers[0])
    turn = 0
    while pending is not None:
        current = pending.result()
        turn += 1
        end = current[0] + current[1]
        pending = pool.submit(pack, end, buffers[turn % 2]) if end < texts.count else None
        yield current


def _uploader(xp: Any) -> Upload | None:
    """Copies a pack to the current device from the packing thread, on a stream of its own that
    does not wait for the kernels of the pack before (CuPy's default stream would), so the copy
    overlaps them. It returns once the copy is done."""
    if xp is np:
        return None
    device, stream = xp.cuda.Device(), xp.cuda.Stream(non_blocking=True)

    def upload(host: np.ndarray) -> Any:
        with device, stream:
            data = xp.empty(host.shape, dtype=host.dtype)
            data.set(host, stream=stream)
            stream.synchronize()
        return data

    return upload


def _staging_buffer(xp: Any, nbytes: int) -> np.ndarray:
    """A host uint8 buffer: page-locked on a GPU, so the copy to the device is one DMA."""
    if xp is np:
        return np.empty(nbytes, dtype=np.uint8)
    import cupyx

    buffer: np.ndarray = cupyx.empty_pinned(nbytes, dtype=np.uint8)
    return buffer
