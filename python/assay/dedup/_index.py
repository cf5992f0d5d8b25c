"""The banded LSH index over MinHash signatures, with keys of Python values (str or int)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _native
from .._checks import integer_in


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
    ``1 - (1 - t**rows)**bands`` at ``threshold`` is ≥ 0.98 (``bands = num_perm // rows``), so
    a pair at the threshold is a candidate with probability ≥ 0.98 (datasketch's default
    banding favours precision and misses many). Verifying candidates by their estimated Jaccard
    lets pairs just under the threshold through (the estimate's spread at 128 permutations);
    use exact verification where precision matters. Recall and precision on real text are in
    benches/RESULTS.md. An explicit ``bands`` must divide ``num_perm``. Keys are str or int.
    """

    def __init__(
        self, threshold: float = 0.8, num_perm: int = 128, bands: int | None = None
    ) -> None:
        num_perm = integer_in("num_perm", num_perm, 1, 1 << 16)
        if not isinstance(threshold, (int, float)) or not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
        if bands is not None:
            bands = integer_in("bands", bands, 1)
        bands, rows = _native.lsh_banding(float(threshold), num_perm, bands)
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
        except _native.DuplicateKeyError as e:
            key = _decode_key(e.args[1])
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
        """Writes the index in assay's binary format (see ``rust/dedup/lsh_file.rs``)."""
        self._native.save(os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> LSHIndex:
        """Memory-maps and validates an index file; bad files raise ValueError."""
        if not os.path.exists(path):
            raise FileNotFoundError(f"index file does not exist: {path}")
        return cls._wrap(_native.LshIndex.load(os.fspath(path)))


def check_unique(ids: list[Any]) -> None:
    seen: set[Any] = set()
    for k in ids:
        if k in seen:
            raise ValueError(f"duplicate id {k!r}: document ids must be unique")
        seen.add(k)
