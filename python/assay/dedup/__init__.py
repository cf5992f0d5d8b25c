"""Near-duplicate detection: MinHash signatures, banded LSH, clusters.

Shingling (Rust, ``rust/shingle.rs``): Unicode NFC, optional lower-casing (``lowercase=True``,
full Unicode) and ASCII punctuation deletion (``strip_punct=True``), then word tokens split as
``str.split()`` does, or characters with whitespace runs collapsed to one space. A shingle is
``ngram`` consecutive tokens (words joined by one space). A text with ``0 < k < ngram`` tokens has
one shingle made of all ``k`` tokens; an empty text has none and gets the all-``2**32 - 1``
signature (as datasketch).

Hash families: assay's own (``compat=None``, see ``rust/shingle.rs`` and ``rust/minhash.rs``): a
64-bit hash per token: for a token of at most 16 UTF-8 bytes, zero-padded to 16 and read as
little-endian u64 ``lo``, ``hi``, ``fm(S1 ^ len, fm(lo ^ S1, hi ^ S0))`` with ``fm(a, b)`` the
128-bit product folded by XOR of its halves (wyhash's mixer), ``S0 = 0xA0761D6478BD642F``,
``S1 = 0xE7037ED1A0B428DB``; longer tokens: xxh3-64 (seed 0). The ``ngram`` token hashes ``t_j``
of a shingle give ``mix64(Σ t_j·P^(ngram−1−j) mod 2**64)`` with ``P = 0x9E3779B97F4A7C15`` and
``mix64`` the SplitMix64 finaliser (character shingles: xxh3-64 of their bytes). The upper 32
bits ``x`` of a shingle hash are permuted by ``a_k·x + b_k mod 2**32``: ``a_k | 1`` and ``b_k``
the low 32 bits of consecutive SplitMix64 outputs from ``seed``
(``tests/own_family_oracle.py`` computes the family from this description). The
permutation family is datasketch 2.x's, so the estimator is the same; only the shingle hash
differs. ``compat="datasketch"`` reproduces
``datasketch.MinHash(num_perm, seed)`` of datasketch ≥ 2.0 (``scheme="affine32"``, SHA-1 of each
shingle's UTF-8 bytes); ``compat="datasketch-legacy"`` reproduces ``scheme="legacy"`` (datasketch
< 2.0). Signatures are identical whatever the thread count, and on the GPU
(``minhash(..., device="cuda")``, own family only: ``assay.dedup.gpu``).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from .. import _native
from .._checks import integer_in as _check_int
from ._arrow import Utf8Column, utf8_column
from ._io import batches, is_paths, iter_batches, iter_documents

if TYPE_CHECKING:
    import pyarrow as pa

    Texts: TypeAlias = Sequence[str] | pa.Array | pa.ChunkedArray | pd.Series
    """Texts in memory: Python strs, or an Arrow string column (read in place)."""

__all__ = ["LSHIndex", "clusters", "exact_jaccard", "iter_documents", "minhash"]

_UNITS = ("word", "char")
_COMPAT = (None, "datasketch", "datasketch-legacy")


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


def _texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(texts).__name__}")
    try:
        out = list(texts)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of str, got {type(texts).__name__}") from None
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(t).__name__}")
    return out


def minhash(
    texts: Texts,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    compat: str | None = None,
    lowercase: bool = False,
    strip_punct: bool = False,
    device: str = "cpu",
) -> np.ndarray:
    """MinHash signatures of texts.

    Parameters
    ----------
    texts : sequence of str, or an Arrow string column, length N
        A pyarrow ``Array``/``ChunkedArray`` of strings (or a pandas column stored in Arrow)
        is read in place, without a Python str per text; nulls are refused.
    num_perm : int
        Permutations per signature, 1..65536.
    ngram : int
        Tokens per shingle (≥ 1).
    unit : {"word", "char"}
    seed : int
        Seed of the permutations (non-negative; datasketch's ``seed`` in compat modes).
    compat : {None, "datasketch", "datasketch-legacy"}
        Hash family (see the module docstring).
    lowercase, strip_punct : bool
        Unicode lower-casing; deletion of ASCII punctuation.
    device : {"cpu", "cuda", "cuda:N"}
        Where the own family's signatures are computed (``assay.dedup.gpu``; needs CuPy). The
        GPU gives the CPU's signatures bit for bit; the compat modes run on the CPU only.

    Returns
    -------
    numpy.ndarray
        (N, num_perm) uint32.

    Notes
    -----
    In the compat modes a text with fewer than ``ngram`` tokens contributes its one short shingle
    (all its tokens joined by one space); user code that builds only full-length shingles gives
    such a text the empty signature instead. All longer texts match datasketch element for
    element (tests/test_dedup.py).
    """
    # An Arrow column is read in place; a list goes to the native call as it is (which refuses
    # non-str items; `_texts` then names the bad item). Other iterables are listed first.
    utf8 = utf8_column(texts)
    strs: list[str] = []
    if utf8 is None:
        strs = texts if isinstance(texts, list) else _texts(texts)
    num_perm = _check_int("num_perm", num_perm, 1, 1 << 16)
    ngram = _check_int("ngram", ngram, 1, 1 << 20)
    seed = _check_int("seed", seed, 0, (1 << 32) - 1 if compat else (1 << 64) - 1)
    if unit not in _UNITS:
        raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")
    if compat not in _COMPAT:
        raise ValueError(
            f"compat must be None, 'datasketch' or 'datasketch-legacy', got {compat!r}"
        )
    cuda = _cuda_index(device)
    if cuda is not None and compat is not None:
        raise ValueError(f"compat={compat!r} runs on the CPU only: pass device='cpu'")
    kw = dict(
        num_perm=num_perm,
        ngram=ngram,
        unit=unit,
        strip_punct=bool(strip_punct),
        seed=seed,
        case="lower" if lowercase else "keep",
    )
    if compat is not None:
        a, b = datasketch_permutations(num_perm, seed, compat == "datasketch-legacy")
        kw.update(a=a, b=b)
    if cuda is not None:
        opts = dict(num_perm=num_perm, ngram=ngram, unit=unit, seed=seed)
        norm = dict(lowercase=bool(lowercase), strip_punct=bool(strip_punct))
    if utf8 is not None:  # the column's errors name their text already
        if cuda is not None:
            return _on_gpu(utf8, cuda, {**opts, **norm})
        family = compat or "xxh3"
        rows = [
            _native.minhash_signatures_utf8(data, offsets, family=family, first=first, **kw)
            for first, data, offsets in utf8.chunks
        ]
        return np.concatenate(rows) if rows else np.empty((0, num_perm), dtype=np.uint32)
    try:
        if cuda is not None:
            return _on_gpu(strs, cuda, {**opts, **norm})
        return _native.minhash_signatures(strs, family=compat or "xxh3", **kw)
    except UnicodeEncodeError as err:
        raise _unencodable(strs, err) from None
    except TypeError as err:
        try:
            _texts(strs)
        except TypeError as named:  # the item that is not a str, by its index
            raise named from None
        raise err


def _unencodable(texts: Sequence[str], err: UnicodeEncodeError) -> UnicodeEncodeError:
    """``err`` again, naming the first text that has no UTF-8 form (a lone surrogate)."""
    for i, t in enumerate(texts):
        try:
            t.encode()
        except UnicodeEncodeError as bad:
            reason = f"a lone surrogate in texts[{i}]; decode with errors='replace' or drop it"
            return UnicodeEncodeError(bad.encoding, bad.object, bad.start, bad.end, reason)
    return err


def _cuda_index(device: Any) -> int | None:
    """None for ``"cpu"``, N for ``"cuda"`` (N = 0) or ``"cuda:N"``; anything else is an error."""
    if device == "cpu":
        return None
    match = re.fullmatch(r"cuda(?::(\d+))?", device) if isinstance(device, str) else None
    if match is None:
        raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {device!r}")
    return int(match.group(1) or 0)


def _on_gpu(texts: list[str] | Utf8Column, device: int, opts: dict) -> np.ndarray:
    try:
        import cupy
    except ImportError:
        raise ImportError("device='cuda' needs CuPy: pip install 'assay[gpu]'") from None
    from . import gpu

    with cupy.cuda.Device(device):
        return gpu.minhash(texts, **opts)


def _positions(values: Any, name: str, n: int) -> np.ndarray:
    """``values`` as uint32 positions into ``n`` texts, checked."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer positions, got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 0) | (arr >= n)) if arr.size else np.array([], dtype=np.intp)
    if bad.size:
        k = int(bad[0])
        raise ValueError(f"{name}[{k}] = {arr[k]} is not a position in the {n} texts")
    return np.ascontiguousarray(arr, dtype=np.uint32)


def exact_jaccard(
    texts: Sequence[str],
    i: Any,
    j: Any,
    *,
    ngram: int = 5,
    unit: str = "word",
    lowercase: bool = False,
    strip_punct: bool = False,
) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of ``texts[i[k]]`` and ``texts[j[k]]``.

    Shingles are compared by their 64-bit hashes (a collision needs ~2**32 shingles per pair).
    Two empty sets have similarity 1.

    Returns
    -------
    numpy.ndarray
        (len(i),) float64.
    """
    texts = _texts(texts)
    ia, ja = _positions(i, "i", len(texts)), _positions(j, "j", len(texts))
    if len(ia) != len(ja):
        raise ValueError(f"i and j must have the same length, got {len(ia)} and {len(ja)}")
    if unit not in _UNITS:
        raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")
    return _native.exact_jaccard(
        texts,
        ia,
        ja,
        ngram=_check_int("ngram", ngram, 1, 1 << 20),
        unit=unit,
        case="lower" if lowercase else "keep",
        strip_punct=bool(strip_punct),
    )


def _encode_key(k: Any) -> str:
    if isinstance(k, str):
        return "s:" + k
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return "i:" + str(int(k))
    raise TypeError(f"keys must be str or int, got {type(k).__name__}")


def _encode_keys(keys: Sequence[Any]) -> tuple[list[str | int], list[str]]:
    """(the keys as Python values, their tagged spellings for the native index)."""
    if isinstance(keys, range) or (isinstance(keys, np.ndarray) and keys.dtype.kind in "iu"):
        values: list[Any] = list(keys) if isinstance(keys, range) else keys.tolist()
        return values, [f"i:{k}" for k in values]
    values = [int(k) if isinstance(k, np.integer) else k for k in keys]
    return values, [_encode_key(k) for k in values]


def _decode_key(k: str) -> str | int:
    return int(k[2:]) if k.startswith("i:") else k[2:]


class LSHIndex:
    """Banded LSH index over MinHash signatures.

    With ``bands=None`` the banding is the largest ``rows`` whose candidate probability
    ``1 - (1 - t**rows)**bands`` at ``threshold`` is ≥ 0.98 (``bands = num_perm // rows``):
    18 bands × 7 rows at 0.8 with 128 permutations, 0.986 in theory (datasketch's default there,
    9 × 13, gives 0.40). Measured on real stdlib text with planted and natural near duplicates
    (tests/test_dedup.py, 174 pairs at Jaccard ≥ 0.8, many more just below): candidate recall
    1.000, precision 1.000 after exact verification, 0.93 after estimated-Jaccard verification
    (its SD is ~0.035 at 128 permutations, so pairs just under the threshold slip through; use
    exact verification where precision matters). An explicit ``bands`` must divide
    ``num_perm``. Keys are str or int.
    """

    def __init__(
        self, threshold: float = 0.8, num_perm: int = 128, bands: int | None = None
    ) -> None:
        num_perm = _check_int("num_perm", num_perm, 1, 1 << 16)
        if not isinstance(threshold, (int, float)) or not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
        if bands is None:
            bands, rows = _native.lsh_banding(float(threshold), num_perm)
        else:
            bands = _check_int("bands", bands, 1)
            if num_perm % bands:
                raise ValueError(
                    f"bands: num_perm={num_perm} does not split into {bands} bands of equal rows"
                )
            rows = num_perm // bands
        self._native = _native.LshIndex(num_perm, bands, rows, float(threshold))
        self._keys: list[str | int] | None = None

    @classmethod
    def _wrap(cls, native: Any) -> LSHIndex:
        obj = cls.__new__(cls)
        obj._native, obj._keys = native, None
        return obj

    @property
    def num_perm(self) -> int:
        return int(self._native.params[0])

    @property
    def threshold(self) -> float:
        return float(self._native.params[3])

    @property
    def banding(self) -> tuple[int, int]:
        """(bands, rows)."""
        return int(self._native.params[1]), int(self._native.params[2])

    @property
    def recall_at_threshold(self) -> float:
        """Candidate probability of a pair whose Jaccard equals the threshold."""
        b, r = self.banding
        return 1.0 - (1.0 - self.threshold**r) ** b

    def __len__(self) -> int:
        return len(self._native)

    @property
    def nbytes(self) -> int:
        """Memory held by the index, in bytes: signatures (4·num_perm per item), keys, one
        bucket-table slot and one chain link per band and item."""
        return int(self._native.nbytes)

    def keys(self) -> list[str | int]:
        """The keys in insertion order (a new list: later inserts do not change it)."""
        return list(self._key_list())

    def _key_list(self) -> list[str | int]:
        """The keys, kept here after an insert, decoded from the native index once after a load."""
        if self._keys is None:
            self._keys = [_decode_key(k) for k in self._native.keys()]
        return self._keys

    def _sigs(self, signatures: Any) -> np.ndarray:
        sigs = np.asarray(signatures)
        if sigs.ndim != 2 or sigs.dtype != np.uint32:
            raise ValueError(
                f"signatures must be a 2-D uint32 array, got {sigs.dtype} {sigs.shape}"
            )
        if sigs.shape[1] != self.num_perm:
            raise ValueError(f"signatures must have {self.num_perm} columns, got {sigs.shape}")
        return np.ascontiguousarray(sigs)

    def insert(self, keys: Sequence[Any], signatures: Any) -> None:
        """Adds one key per signature row; duplicate keys raise ValueError (nothing is added)."""
        sigs = self._sigs(signatures)
        values, enc = _encode_keys(keys)
        if len(enc) != sigs.shape[0]:
            raise ValueError(f"keys has {len(enc)} entries but signatures has {sigs.shape[0]} rows")
        try:
            self._native.insert(enc, sigs)
        except ValueError as e:
            m = re.search(r"duplicate key (.*)$", str(e), re.S)
            if not m:
                raise
            key = _decode_key(m.group(1))
            raise ValueError(f"keys: duplicate key {key!r} (keys must be unique)") from None
        if self._keys is not None:
            self._keys.extend(values)
        elif len(self._native) == len(values):  # the first insert: nothing to decode later
            self._keys = values

    def query(
        self, signatures: Any, *, verify: bool = False, exclude: Sequence[Any] | None = None
    ) -> list[list[str | int]]:
        """Candidate keys per signature row (with ``verify``: estimated Jaccard ≥ threshold).

        A document that was inserted finds itself: pass its key per row in ``exclude`` (one
        key, or None, per signature row) to leave it out of that row's candidates."""
        offsets, ids = self._native.query(self._sigs(signatures), bool(verify))
        keys, off, idl = self._key_list(), offsets.tolist(), ids.tolist()
        rows = [[keys[i] for i in idl[off[r] : off[r + 1]]] for r in range(len(off) - 1)]
        if exclude is None:
            return rows
        if isinstance(exclude, (str, bytes)) or len(exclude) != len(rows):
            raise ValueError(
                f"exclude must hold one key (or None) per signature row: {len(rows)} rows"
            )
        return [[k for k in row if k != own] for row, own in zip(rows, exclude, strict=True)]

    def pair_indices(self, *, verify: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Candidate pairs as insertion positions ``(i, j)``, ``i < j``, sorted."""
        return self._native.pairs(bool(verify))

    def pairs(self, *, verify: bool = False) -> list[tuple[str | int, str | int]]:
        """Candidate pairs of keys (first inserted first)."""
        i, j = self.pair_indices(verify=verify)
        keys = self._key_list()
        return [(keys[a], keys[b]) for a, b in zip(i.tolist(), j.tolist(), strict=False)]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the index in assay's binary format (see ``rust/lsh_file.rs``)."""
        self._native.save(os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LSHIndex:
        """Memory-maps and validates an index file; bad files raise ValueError."""
        if not os.path.exists(path):
            raise FileNotFoundError(f"index file does not exist: {path}")
        return cls._wrap(_native.LshIndex.load(os.fspath(path)))


def clusters(
    texts_or_paths: Any,
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    lowercase: bool = False,
    strip_punct: bool = False,
    bands: int | None = None,
    verify: str = "exact",
    ids: Sequence[Any] | None = None,
    text_field: str = "text",
    id_field: str | None = "id",
    errors: str = "strict",
    batch_size: int = 10_000,
    progress: bool | None = None,
    device: str = "cpu",
) -> pd.DataFrame:
    """Near-duplicate clusters, streamed in batches.

    Documents are texts in memory (a sequence of str) or files: a path, a folder or a sequence of
    ``pathlib.Path`` (JSONL with ``text_field``, Parquet, ``.txt``/``.md``). Candidate pairs from
    the LSH index are verified by the exact Jaccard similarity of their shingle sets (the default,
    ``verify="exact"``; files are read a second time for the texts of candidate documents), by
    the Jaccard similarity their signatures estimate (``"estimate"``: no second pass, but pairs
    within one cluster share signatures, so a seed can drop a sizeable share of true pairs, ~15 %
    at J ≥ 0.8 on one 296k-document corpus) or not at all (``"none"``); clusters are the
    connected components of verified pairs (union-find). Memory: the signatures (4·num_perm bytes
    per document), one batch of text, and for ``"exact"`` the texts of candidate documents.
    Empty documents share the empty signature, so they form one cluster (datasketch likewise
    estimates their similarity as 1). ``device="cuda"`` computes the signatures on the GPU (as
    ``minhash``; the same clusters).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``cluster`` (numbered by first member in input order) and ``keep`` (True for
        the first document of each cluster in input order), one row per document in input order.
    """
    if verify not in ("estimate", "exact", "none"):
        raise ValueError(f"verify must be 'estimate', 'exact' or 'none', got {verify!r}")
    in_memory = not is_paths(texts_or_paths)
    batch_size = _check_int("batch_size", batch_size, 1, 1 << 30)
    _cuda_index(device)
    index = LSHIndex(threshold, num_perm, bands)
    opts = dict(
        num_perm=num_perm,
        ngram=ngram,
        unit=unit,
        seed=seed,
        lowercase=lowercase,
        strip_punct=strip_punct,
    )
    if in_memory:  # checked once above; already-validated texts are batched as they are
        docs: Any = batches(enumerate(_texts(texts_or_paths, "texts_or_paths")), batch_size)
    else:
        docs = iter_batches(
            texts_or_paths, batch_size, text_field=text_field, id_field=id_field, errors=errors
        )
    all_ids: list[Any] = []
    kept_texts: list[str] = []
    show = sys.stderr.isatty() if progress is None else progress
    from tqdm.auto import tqdm

    with tqdm(desc="minhash", unit="doc", disable=not show) as bar:
        for batch_ids, texts in docs:
            start = len(all_ids)
            index.insert(range(start, start + len(texts)), minhash(texts, **opts, device=device))
            all_ids.extend(batch_ids)
            if verify == "exact" and in_memory:
                kept_texts.extend(texts)
            bar.update(len(texts))
    if ids is not None:
        ids = list(ids)
        if len(ids) != len(all_ids):
            raise ValueError(f"ids has {len(ids)} entries for {len(all_ids)} documents")
        all_ids = ids
    _check_unique(all_ids)
    i, j = index.pair_indices(verify=verify == "estimate")
    if verify == "exact" and len(i):
        if in_memory:
            texts_of, a, b = kept_texts, i, j
        else:  # a second pass keeps the texts of candidate documents only
            needed = np.unique(np.concatenate([i, j]))
            texts_of = _texts_at(
                iter_batches(texts_or_paths, batch_size, text_field=text_field,
                             id_field=id_field, errors=errors),
                needed,
            )  # fmt: skip
            a, b = np.searchsorted(needed, i), np.searchsorted(needed, j)
        jac = exact_jaccard(
            texts_of, a, b, ngram=ngram, unit=unit, lowercase=lowercase, strip_punct=strip_punct
        )
        i, j = i[jac >= threshold], j[jac >= threshold]
    labels, keep = _native.union_find(len(all_ids), i, j)
    return pd.DataFrame({"id": all_ids, "cluster": labels.astype(np.int64), "keep": keep})


def _texts_at(docs: Any, positions: np.ndarray) -> list[str]:
    """The texts at ``positions`` (sorted, unique) of a stream of (ids, texts) batches."""
    out: list[str] = []
    start, k = 0, 0
    for _, texts in docs:
        end = start + len(texts)
        while k < len(positions) and positions[k] < end:
            text = texts[int(positions[k]) - start]
            out.append(text.as_py() if hasattr(text, "as_py") else text)  # Arrow scalars too
            k += 1
        start = end
    if k != len(positions):
        raise RuntimeError("the files changed between the two passes of verify='exact'")
    return out


def _check_unique(ids: list[Any]) -> None:
    seen: set[Any] = set()
    for k in ids:
        if k in seen:
            raise ValueError(f"duplicate id {k!r}: document ids must be unique")
        seen.add(k)
