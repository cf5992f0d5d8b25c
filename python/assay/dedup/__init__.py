"""Near-duplicate detection: MinHash signatures, banded LSH, clusters.

Shingling (Rust, ``rust/text/shingle.rs``): Unicode NFC, optional lower-casing (``lowercase=True``,
full Unicode) and ASCII punctuation deletion (``strip_punct=True``), then word tokens split as
``str.split()`` does, or characters with whitespace runs collapsed to one space. A shingle is
``ngram`` consecutive tokens (words joined by one space). A text with ``0 < k < ngram`` tokens has
one shingle made of all ``k`` tokens; an empty text has none and gets the all-``2**32 - 1``
signature (as datasketch).

Hash families: assay's own (``compat=None``, see ``rust/text/shingle.rs`` and
``rust/dedup/minhash.rs``): a 64-bit hash per token: for a token of at most 16 UTF-8 bytes,
zero-padded to 16 and read as little-endian u64 ``lo``, ``hi``, ``fm(S1 ^ len, fm(lo ^ S1, hi ^
S0))`` with ``fm(a, b)`` the 128-bit product folded by XOR of its halves (wyhash's mixer), ``S0 =
0xA0761D6478BD642F``, ``S1 = 0xE7037ED1A0B428DB``; longer tokens: xxh3-64 (seed 0). The ``ngram``
token hashes ``t_j`` of a shingle give ``mix64(Σ t_j·P^(ngram−1−j) mod 2**64)`` with ``P =
0x9E3779B97F4A7C15`` and ``mix64`` the SplitMix64 finaliser (character shingles: xxh3-64 of their
bytes). The upper 32 bits ``x`` of a shingle hash are permuted by ``a_k·x + b_k mod 2**32``: ``a_k
| 1`` and ``b_k`` the low 32 bits of consecutive SplitMix64 outputs from ``seed``
(``tests/own_family_oracle.py`` computes the family from this description). The permutation family
is datasketch 2.x's, so the estimator is the same; only the shingle hash differs.
``compat="datasketch"`` reproduces ``datasketch.MinHash(num_perm, seed)`` of datasketch ≥ 2.0
(``scheme="affine32"``, SHA-1 of each shingle's UTF-8 bytes); ``compat="datasketch-legacy"``
reproduces ``scheme="legacy"`` (datasketch < 2.0). Signatures are identical whatever the thread
count, and on the GPU (``minhash(..., device="cuda")``, own family only: ``assay.dedup.gpu``).
"""

from __future__ import annotations

from .._documents import iter_documents
from ._clusters import clusters
from ._index import LSHIndex
from ._jaccard import exact_jaccard
from ._minhash import minhash
from ._options import MinHashOptions

__all__ = ["LSHIndex", "MinHashOptions", "clusters", "exact_jaccard", "iter_documents", "minhash"]
