"""Style control against a converged reference fit; online Elo against FastChat's update rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from assay import arena

from bt_oracle import SCALE, code


def style_battles(n_models=15, n=20_000, beta=(0.25, -0.1), seed=0):
    """Battles whose outcome depends on ratings and on two style contrasts with known effects."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 0.6, n_models)
    theta -= theta.mean()
    a = rng.integers(0, n_models, n)
    b = (a + 1 + rng.integers(0, n_models - 1, n)) % n_models
    len_a, len_b = rng.lognormal(6, 0.5, n), rng.lognormal(6, 0.5, n)
    md_a, md_b = rng.poisson(3, n).astype(float), rng.poisson(3, n).astype(float)
    raw = np.column_stack(
        [
            (len_a - len_b) / (len_a + len_b),
            np.divide(md_a - md_b, md_a + md_b, out=np.zeros(n), where=md_a + md_b > 0),
        ]
    )
    z = (raw - raw.mean(0)) / raw.std(0)
    p = 1 / (1 + np.exp(-(theta[a] - theta[b] + z @ np.array(beta))))
    winner = np.where(rng.random(n) < p, "model_a", "model_b")
    names = np.array([f"m{k:02d}" for k in range(n_models)], dtype=object)
    df = pd.DataFrame(
        {
            "model_a": names[a],
            "model_b": names[b],
            "winner": winner,
            "len_a": len_a,
            "len_b": len_b,
            "md_a": md_a,
            "md_b": md_b,
        }
    )
    return df, theta, z


FEATURES = {"length": ("len_a", "len_b"), "markdown": ("md_a", "md_b")}


def reference_style_fit(df, z, style_prior=0.0):
    """Converged contextual BT by SciPy (θ₀ pinned, then mean-centred), row level."""
    models, ia, ib, y = code(df)
    k, f = len(models), z.shape[1]

    def parts(free):
        theta = np.concatenate([[0.0], free[: k - 1]])
        beta = free[k - 1 :]
        eta = theta[ia] - theta[ib] + z @ beta
        p = 1 / (1 + np.exp(-eta))
        loss = (
            np.sum(np.logaddexp(0, -eta) * y + np.logaddexp(0, eta) * (1 - y))
            + 0.5 * style_prior * beta @ beta
        )
        r = p - y
        g_theta = np.bincount(ia, r, k) - np.bincount(ib, r, k)
        grad = np.concatenate([g_theta[1:], z.T @ r + style_prior * beta])
        return loss, grad

    res = minimize(
        lambda v: parts(v)[0],
        np.zeros(k - 1 + f),
        jac=lambda v: parts(v)[1],
        method="L-BFGS-B",
        options={"ftol": 0, "gtol": 1e-12, "maxiter": 10_000, "maxcor": 50},
    )
    theta = np.concatenate([[0.0], res.x[: k - 1]])
    return models, theta - theta.mean(), res.x[k - 1 :]


def test_style_control_equals_converged_reference_fit():
    df, _, z = style_battles()
    board = arena.fit(df, features=FEATURES)
    models, theta, beta = reference_style_fit(df, z)
    np.testing.assert_allclose(board.style["coefficient"], beta, atol=1e-6)
    ratings = board.table.set_index("model")["rating"].reindex(models)
    np.testing.assert_allclose(ratings, theta * SCALE + 1000, atol=1e-4)


def test_style_prior_is_explicit_and_shrinks():
    df, _, z = style_battles(n=5000, seed=2)
    board = arena.fit(df, features=FEATURES, style_prior=500.0)
    _, _, beta = reference_style_fit(df, z, style_prior=500.0)
    np.testing.assert_allclose(board.style["coefficient"], beta, atol=1e-6)
    plain = arena.fit(df, features=FEATURES)
    assert np.all(np.abs(board.style["coefficient"]) < np.abs(plain.style["coefficient"]))


def test_style_control_recovers_true_coefficients_within_intervals():
    df, _, _ = style_battles(n=40_000, seed=4)
    for ci in ("sandwich", "bootstrap"):
        board = arena.fit(df, features=FEATURES, ci=ci, n_boot=60, seed=1)
        s = board.style.set_index("feature")
        assert s.loc["length", "ci_low"] < 0.25 < s.loc["length", "ci_high"], (ci, s)
        assert s.loc["markdown", "ci_low"] < -0.1 < s.loc["markdown", "ci_high"], (ci, s)


def test_style_features_reject_nan_and_constant_columns():
    df, _, _ = style_battles(n=500)
    bad = df.copy()
    bad.loc[3, "len_a"] = np.nan
    with pytest.raises(ValueError, match=r"battles\['len_a'\] holds nan at index \(3,\)"):
        arena.fit(bad, features=FEATURES)
    const = df.assign(md_a=1.0, md_b=1.0)
    with pytest.raises(ValueError, match="feature 'markdown' is constant"):
        arena.fit(const, features=FEATURES)
    with pytest.raises(ValueError, match="has no column 'nope'"):
        arena.fit(df, features={"x": ("nope", "len_b")})


def fastchat_online_elo(df, k=4, scale=400, base=10, init=1000):
    """FastChat's compute_online_elo, transcribed from its published update rule."""
    rating: dict[str, float] = {}
    for a, b, w in df[["model_a", "model_b", "winner"]].itertuples(index=False):
        ra, rb = rating.get(a, init), rating.get(b, init)
        ea = 1 / (1 + base ** ((rb - ra) / scale))
        eb = 1 / (1 + base ** ((ra - rb) / scale))
        sa = {"model_a": 1.0, "model_b": 0.0}.get(w, 0.5)
        rating[a] = ra + k * (sa - ea)
        rating[b] = rb + k * (1 - sa - eb)
    return pd.Series(rating)


def test_online_elo_equals_fastchat_rule_in_timestamp_order():
    df, _, _ = style_battles(n=3000, seed=7)
    df["tstamp"] = np.random.default_rng(0).permutation(len(df))
    ours = arena.elo(df, timestamp="tstamp").set_index("model")["rating"]
    ref = fastchat_online_elo(df.sort_values("tstamp"))
    np.testing.assert_allclose(ours.reindex(ref.index), ref, atol=1e-9)
    in_order = arena.elo(df).set_index("model")["rating"]
    ref_in_order = fastchat_online_elo(df)
    np.testing.assert_allclose(in_order.reindex(ref_in_order.index), ref_in_order, atol=1e-9)
    assert not np.allclose(in_order.reindex(ref.index), ref)
