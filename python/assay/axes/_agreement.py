"""Inter-rater agreement of human ratings: Cohen's kappa (two raters), Fleiss' kappa (the same
number of raters per item) and Krippendorff's alpha (any raters, missing ratings, four levels of
measurement), each with a bootstrap interval over items."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import MAX_BOOT, integer, number
from .._tables import Table, factorize

METHODS = ("krippendorff", "fleiss", "cohen")
LEVELS = ("nominal", "ordinal", "interval", "ratio")


@dataclass(frozen=True)
class Agreement:
    """An agreement coefficient with its bootstrap interval (resampling items)."""

    value: float
    ci_low: float
    ci_high: float
    n_items: int
    n_raters: int
    method: str
    level: str


def _distance(level: str, values: np.ndarray, marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's squared difference δ²(c, k) between the sorted values, shape (C, C);
    the ordinal one from the values' marginal counts (batched: marginals (B, C) → (B, C, C))."""
    c = values[:, None]
    k = values[None, :]
    if level == "nominal":
        return np.asarray((c != k).astype(np.float64), dtype=np.float64)
    if level == "interval":
        return np.asarray((c - k) ** 2, dtype=np.float64)
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            d = ((c - k) / (c + k)) ** 2
        return np.asarray(np.nan_to_num(d, nan=0.0), dtype=np.float64)
    # ordinal: (Σ_{g between c and k} n_g − (n_c + n_k) / 2)²
    cum = np.cumsum(marginals, axis=-1)
    lo = np.minimum(np.arange(len(values))[:, None], np.arange(len(values))[None, :])
    hi = np.maximum(np.arange(len(values))[:, None], np.arange(len(values))[None, :])
    between = cum[..., hi] - np.where(lo > 0, cum[..., np.maximum(lo - 1, 0)], 0.0)
    half = (marginals[..., :, None] + marginals[..., None, :]) / 2
    return np.asarray((between - half) ** 2, dtype=np.float64)


def _krippendorff(coincidence: np.ndarray, values: np.ndarray, level: str) -> np.ndarray:
    """α from coincidence matrices (..., C, C): 1 − (n − 1) Σ o δ² / Σ n_c n_k δ²."""
    marginals = coincidence.sum(axis=-1)
    n = marginals.sum(axis=-1)
    delta = _distance(level, values, marginals)
    observed = (coincidence * delta).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(1.0 - (n - 1) * observed / expected, dtype=np.float64)


def _kappa(confusion: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Cohen's kappa from confusion matrices (..., C, C) with disagreement weights (C, C)."""
    total = confusion.sum(axis=(-2, -1))[..., None, None]
    expected = confusion.sum(axis=-1)[..., :, None] * confusion.sum(axis=-2)[..., None, :] / total
    observed = (weights * confusion).sum(axis=(-2, -1))
    chance = (weights * expected).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(1.0 - observed / chance, dtype=np.float64)


def _fleiss(counts: np.ndarray, raters: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Fleiss' kappa of an items × categories count table (weights: items drawn per resample,
    shape (B, items))."""
    agree = (np.sum(counts * counts, axis=1) - raters) / (raters * (raters - 1.0))
    if weights is None:
        weights = np.ones((1, len(counts)))
    items = weights.sum(axis=1)
    p_mean = weights @ agree / items
    p_cat = weights @ counts / (items[:, None] * raters)
    p_exp = (p_cat * p_cat).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((p_mean - p_exp) / (1 - p_exp), dtype=np.float64)


def agreement(
    ratings: Any,
    *,
    item: str = "item",
    rater: str = "rater",
    rating: str = "rating",
    method: str = "krippendorff",
    level: str = "nominal",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Agreement:
    """Agreement between raters, from a long table of ratings (one row per item × rater).

    Parameters
    ----------
    method : {"krippendorff", "fleiss", "cohen"}
        Krippendorff's alpha (as the ``krippendorff`` package computes it: items with fewer
        than two ratings are left out); Fleiss' kappa (as statsmodels' ``fleiss_kappa``; every
        item needs the same number of raters; nominal only); Cohen's kappa (as scikit-learn's
        ``cohen_kappa_score``; exactly two raters, items both rated).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement. For Cohen's kappa, ordinal uses linear and interval / ratio
        quadratic disagreement weights. Non-nominal levels need numeric ratings.
    n_boot, seed, confidence
        The percentile bootstrap over items.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method: unknown method {method!r}; use one of {', '.join(METHODS)}")
    if not isinstance(level, str) or level not in LEVELS:
        raise ValueError(f"level: unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if method == "fleiss" and level != "nominal":
        raise ValueError("level: Fleiss' kappa is for nominal ratings")
    n_boot = integer(n_boot, "n_boot", 1, MAX_BOOT)
    seed = integer(seed, "seed", 0)
    confidence = number(confidence, "confidence", 0.0, 1.0, low_open=True, high_open=True)
    table = Table(ratings, "ratings")
    if len(table) == 0:
        raise ValueError("ratings is empty")
    items, item_names = factorize(table.column(item, "item"), f"ratings[{item!r}]")
    raters, rater_names = factorize(table.column(rater, "rater"), f"ratings[{rater!r}]")
    items, raters = items.astype(np.int64), raters.astype(np.int64)
    if level == "nominal":
        codes, values_obj = factorize(table.column(rating, "rating"), f"ratings[{rating!r}]")
        codes = codes.astype(np.int64)
        values = np.arange(len(values_obj), dtype=np.float64)
    else:
        raw = table.numeric(rating, "rating")
        bad = np.flatnonzero(~np.isfinite(raw))
        if len(bad):
            raise ValueError(f"rating: row {int(bad[0])} is not a finite number")
        values, codes = np.unique(raw, return_inverse=True)
    key = items * (int(raters.max()) + 1) + raters
    if len(np.unique(key)) != len(key):
        raise ValueError("ratings: an item is rated twice by the same rater")
    n_items, n_cat = int(items.max()) + 1, len(values)
    rng = np.random.default_rng(seed)
    tail = (1 - confidence) / 2

    if method == "krippendorff":
        per_item = np.bincount(items, minlength=n_items)
        keep = per_item[items] >= 2
        items_k = items[keep]
        used = np.unique(items_k)
        remap = np.full(n_items, -1)
        remap[used] = np.arange(len(used))
        u = remap[items_k]
        counts = np.zeros((len(used), n_cat))
        np.add.at(counts, (u, codes[keep]), 1.0)
        m = counts.sum(axis=1)
        # per item: o_ck = (n_uc n_uk − [c = k] n_uc) / (m_u − 1)
        pairs = counts[:, :, None] * counts[:, None, :]
        pairs[:, np.arange(n_cat), np.arange(n_cat)] -= counts
        pairs /= (m - 1)[:, None, None]
        value = float(_krippendorff(pairs.sum(axis=0), values, level))
        weights = rng.multinomial(len(used), np.full(len(used), 1 / len(used)), size=n_boot)
        flat = pairs.reshape(len(used), -1)
        boot = _krippendorff((weights @ flat).reshape(n_boot, n_cat, n_cat), values, level)
        n_used = len(used)
    elif method == "fleiss":
        counts = np.zeros((n_items, n_cat))
        np.add.at(counts, (items, codes), 1.0)
        per_item = counts.sum(axis=1)
        if (per_item != per_item[0]).any() or per_item[0] < 2:
            odd = np.flatnonzero(per_item != per_item[0])
            first = int(odd[0]) if len(odd) else 0
            raise ValueError(
                f"ratings: Fleiss' kappa needs the same number (>= 2) of raters on every item; "
                f"item {item_names[first]!r} has {int(per_item[first])}"
            )
        k = int(per_item[0])
        value = float(_fleiss(counts, k)[0])
        weights = rng.multinomial(n_items, np.full(n_items, 1 / n_items), size=n_boot)
        boot = _fleiss(counts, k, weights.astype(np.float64))
        n_used = n_items
    else:
        if len(rater_names) != 2:
            raise ValueError(
                f"ratings: Cohen's kappa needs exactly 2 raters, got {len(rater_names)}"
            )
        rater_a = np.full(n_items, -1)
        rater_b = np.full(n_items, -1)
        rater_a[items[raters == 0]] = codes[raters == 0]
        rater_b[items[raters == 1]] = codes[raters == 1]
        both = (rater_a >= 0) & (rater_b >= 0)
        a, b = rater_a[both], rater_b[both]
        if not len(a):
            raise ValueError("ratings: no item is rated by both raters")
        cells = np.zeros((len(a), n_cat * n_cat))
        cells[np.arange(len(a)), a * n_cat + b] = 1.0
        # disagreement weights by the distance between the labels' positions in sorted order,
        # as scikit-learn weighs them (not by the values)
        idx = np.arange(n_cat, dtype=np.float64)
        distance = np.abs(idx[:, None] - idx[None, :])
        w = {"nominal": (distance > 0) * 1.0, "ordinal": distance}.get(level, distance**2)
        value = float(_kappa(cells.sum(axis=0).reshape(n_cat, n_cat), w))
        weights = rng.multinomial(len(a), np.full(len(a), 1 / len(a)), size=n_boot)
        boot = _kappa((weights @ cells).reshape(n_boot, n_cat, n_cat), w)
        n_used = len(a)
    finite = boot[np.isfinite(boot)]
    low, high = (
        (float(np.quantile(finite, tail)), float(np.quantile(finite, 1 - tail)))
        if len(finite)
        else (float("nan"), float("nan"))
    )
    return Agreement(
        value=value,
        ci_low=low,
        ci_high=high,
        n_items=n_used,
        n_raters=len(rater_names),
        method=method,
        level=level,
    )
