"""Oracle: assay's own MinHash family written from its documentation (``assay.dedup``'s module
docstring, ``rust/text/shingle.rs``, ``rust/dedup/minhash.rs``) in plain Python integers, so that
a change of the Rust kernels that moves a signature by one bit fails the tests.

Shingling: NFC, then optional per-character Unicode lower-casing, then deletion of ASCII
punctuation; words as ``str.split()``; characters of the text with whitespace runs collapsed to
one space. Token hash (≤ 16 bytes): the token zero-padded to 16 bytes read as little-endian
``lo``, ``hi``, ``fm(S1 ^ len, fm(lo ^ S1, hi ^ S0))`` with ``fm`` the 64×64→128-bit multiply
folded by XOR; longer tokens: xxh3-64. Shingle hash: ``mix64(Σ t_j·P^(n−1−j) mod 2⁶⁴)``
(SplitMix64 finaliser), character shingles xxh3-64 of their UTF-8 bytes. Signature:
``min over shingles of (a_k·(h >> 32) + b_k) mod 2³²``, ``(a_k | 1, b_k)`` the low 32 bits of
consecutive SplitMix64 outputs from ``seed``.
"""

from __future__ import annotations

import string
import unicodedata

import numpy as np
import xxhash

M64 = (1 << 64) - 1
S0 = 0xA076_1D64_78BD_642F
S1 = 0xE703_7ED1_A0B4_28DB
GOLDEN = 0x9E37_79B9_7F4A_7C15
P = GOLDEN | 1


def mix64(x: int) -> int:
    x = ((x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D0_49BB_1331_11EB) & M64
    return x ^ (x >> 31)


def folded_mul(a: int, b: int) -> int:
    full = a * b
    return (full & M64) ^ (full >> 64)


def token_hash(tok: bytes) -> int:
    if len(tok) > 16:
        return xxhash.xxh3_64_intdigest(tok)
    padded = tok.ljust(16, b"\0")
    lo = int.from_bytes(padded[:8], "little")
    hi = int.from_bytes(padded[8:], "little")
    return folded_mul(S1 ^ len(tok), folded_mul(lo ^ S1, hi ^ S0))


def normalize(text: str, lowercase: bool, strip_punct: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    if lowercase:
        text = "".join(c.lower() for c in text)
    if strip_punct:
        text = text.translate(str.maketrans("", "", string.punctuation))
    return text


def shingle_hashes(text: str, n: int, unit: str, lowercase: bool, strip_punct: bool) -> list[int]:
    text = normalize(text, lowercase, strip_punct)
    if unit == "char":
        s = " ".join(text.split())
        grams = [s[i : i + n] for i in range(max(len(s) - n + 1, 1))] if s else []
        return [xxhash.xxh3_64_intdigest(g.encode()) for g in grams]
    toks = [token_hash(t.encode()) for t in text.split()]
    windows = [toks[i : i + n] for i in range(len(toks) - n + 1)] or ([toks] if toks else [])
    out = []
    for w in windows:
        h = 0
        for t in w:
            h = (h * P + t) & M64
        out.append(mix64(h))
    return out


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    state = seed
    a, b = [], []
    for _ in range(num_perm):
        state = (state + GOLDEN) & M64
        a.append((mix64(state) & 0xFFFF_FFFF) | 1)
        state = (state + GOLDEN) & M64
        b.append(mix64(state) & 0xFFFF_FFFF)
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


def signature(
    text: str,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    lowercase: bool = False,
    strip_punct: bool = False,
) -> np.ndarray:
    xs = np.array(
        [h >> 32 for h in shingle_hashes(text, ngram, unit, lowercase, strip_punct)],
        dtype=np.uint64,
    )
    if len(xs) == 0:
        return np.full(num_perm, 0xFFFF_FFFF, dtype=np.uint32)
    a, b = permutations(num_perm, seed)
    return ((a[:, None] * xs[None, :] + b[:, None]) & 0xFFFF_FFFF).min(axis=1).astype(np.uint32)
