"""Style control: Bradley-Terry with per-battle covariates (contextual BT)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import _native
from .._arrays import check_finite
from ._battles import Battles
from ._cells import Z95, Cells, anchor_index, cell_table, default_ridge, to_ratings
from ._leaderboard import Leaderboard, ratings_frame


def style_matrix(coded: Battles, features: Mapping[str, tuple[str, str]]) -> np.ndarray:
    """(n, F) float64: per feature (a − b) / (a + b) (0 where a + b = 0), z-scored."""
    columns = []
    for name, pair in features.items():
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise TypeError(f"features[{name!r}] must be a (column_a, column_b) pair, got {pair!r}")
        a = coded.table.numeric(pair[0], f"feature {name!r}")
        b = coded.table.numeric(pair[1], f"feature {name!r}")
        check_finite(a, f"battles[{pair[0]!r}]")
        check_finite(b, f"battles[{pair[1]!r}]")
        total = a + b
        contrast = np.divide(a - b, total, out=np.zeros_like(total), where=total != 0)
        sd = contrast.std()
        if sd == 0:
            raise ValueError(
                f"feature {name!r} is constant over the battles; it cannot be estimated"
            )
        columns.append((contrast - contrast.mean()) / sd)
    return np.ascontiguousarray(np.column_stack(columns))


def fit_style(
    coded: Battles,
    w: np.ndarray | None,
    features: Mapping[str, tuple[str, str]],
    *,
    ci: str,
    n_boot: int,
    seed: int,
    ridge: float | None,
    anchor: tuple[str, float] | None,
    prior: float,
    style_prior: float,
) -> Leaderboard:
    x = style_matrix(coded, features)
    k = coded.n_models
    group = Cells(cell_table(coded, w, False), 0, coded.models)
    group.check_identifiable(prior)
    battles = _native.StyleBattles(
        coded.first, coded.second, coded.score(), x, k, weight=w, prior_theta=prior,
        prior_beta=style_prior,
    )  # fmt: skip
    params = battles.fit()
    anchor_idx, anchor_rating = anchor_index(anchor, coded.models)
    theta, beta = params[:k], params[k:]
    ratings = to_ratings(theta, anchor_idx, anchor_rating)
    r = ridge if ridge is not None else default_ridge(len(coded), w is not None)
    if ci == "sandwich":
        cov = battles.sandwich(params, r)
        var = np.diag(cov)[:k].copy()
        if anchor_idx is not None:
            var = var + cov[anchor_idx, anchor_idx] - 2 * cov[:k, anchor_idx]
        half = Z95 * np.sqrt(np.maximum(var, 0)) * (400 / np.log(10))
        low, high = ratings - half, ratings + half
        beta_half = Z95 * np.sqrt(np.maximum(np.diag(cov)[k:], 0))
        beta_low, beta_high = beta - beta_half, beta + beta_half
    else:
        reps = battles.bootstrap(params, n_boot, seed)
        boot = to_ratings(reps[:, :k], anchor_idx, anchor_rating)
        low, high = np.quantile(boot, [0.025, 0.975], axis=0)
        beta_low, beta_high = np.quantile(reps[:, k:], [0.025, 0.975], axis=0)
    style = pd.DataFrame(
        {"feature": list(features), "coefficient": beta, "ci_low": beta_low, "ci_high": beta_high}
    )
    return Leaderboard(
        table=ratings_frame(coded.models, ratings, low, high, group.n_battles),
        ci=ci,
        theta=theta,
        models=coded.models,
        matrices=group.matrices,
        style=style,
        diagnostics={
            "battles": len(coded),
            "models": k,
            "ci": ci,
            "ridge": r if ci == "sandwich" else None,
            "features": list(features),
        },
    )
