"""Power-of-two rescaling of matrices far from unit magnitude, shared by the CPU and GPU
spectral paths: every spectral metric is scale-invariant, a power-of-two scaling is exact, and
float32 Gram matrices of values near 1e19 overflow and near 1e-20 underflow into subnormals
(where the spectrum loses its small eigenvalues)."""

from __future__ import annotations

from typing import Any

#: Matrices whose largest magnitude lies outside [2^-SAFE, 2^SAFE] are rescaled.
SAFE_EXPONENT = 16


def unit_scales(xp: Any, peaks: Any) -> Any | None:
    """Per matrix, the power of two that brings its largest magnitude ``peaks`` into [0.5, 1)
    where it is far from 1 (1 elsewhere and for all-zero matrices); None when none is far."""
    _, exponents = xp.frexp(peaks)
    far = (peaks > 0) & (xp.abs(exponents) > SAFE_EXPONENT)
    if not bool(far.any()):
        return None
    return xp.where(far, xp.ldexp(xp.ones_like(peaks), -exponents), 1.0)
