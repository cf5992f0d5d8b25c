"""Expected calibration error as HELM computes it: ten equal-mass bins of the model's
confidence, the gap between mean confidence and accuracy in each, weighted by bin size
(HELM's ``ece_10_bin``, from the ``uncertainty-calibration`` package's ``get_ece_em``)."""

from __future__ import annotations

import numpy as np


def equal_mass_edges(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Upper bin edges: the sorted confidences cut into ``bins`` runs of ⌈n / bins⌉, each edge
    halfway between a run's last value and the next run's first, the last edge 1.0; repeated
    edges are merged."""
    values = np.sort(confidence)
    bins = min(bins, len(values))
    size = int(np.ceil(len(values) / bins))
    starts = np.arange(0, len(values), size)
    edges = [(values[s - 1] + values[s]) / 2.0 for s in starts[1:]]
    return np.unique(np.array([*edges, 1.0]))


def ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Σ_b (n_b / n) · |mean confidence_b − accuracy_b| over equal-mass bins; a value falls in
    the first bin whose edge is ≥ it (``bisect_left``)."""
    edges = equal_mass_edges(confidence, bins)
    which = np.searchsorted(edges, confidence, side="left")
    n = len(confidence)
    counts = np.bincount(which, minlength=len(edges))
    gap = np.bincount(which, weights=confidence - correct, minlength=len(edges))
    with np.errstate(invalid="ignore", divide="ignore"):
        per_bin = np.where(counts > 0, np.abs(gap / counts), 0.0)
    return float(np.dot(counts / n, per_bin))
