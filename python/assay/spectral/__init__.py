"""Spectral metrics of representation matrices: matrix entropy, effective rank and friends.

For each T×d matrix R (T tokens, d features): subtract the mean over tokens, divide each row
by its L2 norm (Z), and take the eigenvalues λ of the covariance ZᵀZ/T divided by its trace
(computed on the smaller side: ZZᵀ has the same nonzero spectrum). Then

- ``entropy``: H = −Σ λ ln λ (nats, 0 ln 0 = 0), as the official Diff-eRank code computes it;
- ``erank``: exp(H), the effective rank (Roy & Vetterli 2007; Wei et al. 2024);
- ``normalized_entropy``: H / ln d (the first version of the Diff-eRank paper; NaN for d = 1);
- ``renyi_<alpha>``: ln(Σ λ^α) / (1 − α) (α = 1: H; α = inf: −ln max λ);
- ``participation_ratio``: (Σλ)² / Σλ²;
- ``stable_rank``: ‖Z‖²_F / ‖Z‖²₂ = Σλ / max λ;
- ``numerical_rank``: the number of λ (squared singular values of Z) above
  ``rank_rtol · max λ``, by default max(T, d) · ε of the compute dtype;
- ``rankme``: RankMe (Garrido et al. 2023) of the raw matrix R: p = σ / Σσ + 1e-7 over the
  min(T, d) singular values σ of R, exp(−Σ p ln p).

A matrix whose centred rows include an exact zero (T = 1, all rows equal, a row equal to the
token mean) cannot be normalized; the official code gives NaN and so does assay, with one
``RuntimeWarning`` counting such matrices (``strict=True`` raises instead).

The CPU path is Rust (batched, GIL released); CUDA input (CuPy, torch) goes to the GPU path in
``_gpu`` and its kernels in ``spectral_kernels.cu``.
"""

from __future__ import annotations

from ._metrics import COLUMNS, entropy, erank, metrics

__all__ = ["COLUMNS", "entropy", "erank", "metrics"]
