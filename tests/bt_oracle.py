"""Independent Bradley-Terry oracles for the tests, written from the published method
(FastChat's rating_systems.py / LMArena's arena-rank): logistic BT on battles, ties = ½,
rating = θ·400/ln 10 + 1000 mean-centred. Row-level NumPy/SciPy code sharing nothing with assay."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

SCALE = 400 / np.log(10)


def code(
    df: pd.DataFrame,
    a: str = "model_a",
    b: str = "model_b",
    winner: str = "winner",
    labels: dict | None = None,
):
    labels = labels or {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "tie (bothbad)": 0.5}
    models = np.array(sorted(set(df[a]) | set(df[b])), dtype=object)
    index = {m: k for k, m in enumerate(models)}
    ia = df[a].map(index).to_numpy()
    ib = df[b].map(index).to_numpy()
    y = df[winner].map(labels).to_numpy(dtype=float)
    return models, ia, ib, y


def _loss_grad_hess(free, ia, ib, y, w, k):
    theta = np.concatenate([[0.0], free])
    d = theta[ia] - theta[ib]
    p = 1 / (1 + np.exp(-d))
    loss = -np.sum(w * (y * -np.logaddexp(0, -d) + (1 - y) * -np.logaddexp(0, d)))
    r = w * (p - y)
    g = np.bincount(ia, r, k) - np.bincount(ib, r, k)
    c = w * p * (1 - p)
    h = np.zeros((k, k))
    np.add.at(h, (ia, ia), c)
    np.add.at(h, (ib, ib), c)
    np.add.at(h, (ia, ib), -c)
    np.add.at(h, (ib, ia), -c)
    return loss, g[1:], h[1:, 1:]


def mle(ia, ib, y, k, w=None) -> np.ndarray:
    """Converged maximum-likelihood θ (mean zero): SciPy's trust-region Newton, θ₀ pinned."""
    w = np.ones(len(ia)) if w is None else w
    res = minimize(
        lambda f: _loss_grad_hess(f, ia, ib, y, w, k)[0],
        np.zeros(k - 1),
        jac=lambda f: _loss_grad_hess(f, ia, ib, y, w, k)[1],
        hess=lambda f: _loss_grad_hess(f, ia, ib, y, w, k)[2],
        method="trust-exact",
        options={"gtol": 1e-11, "maxiter": 500},
    )
    # trust-exact stops at gradients ~1e-7 on some inputs: polish with Newton steps.
    return newton(ia, ib, y, k, w=w, start=res.x)


def newton(ia, ib, y, k, w=None, iters: int = 50, start=None) -> np.ndarray:
    """Plain NumPy Newton on the pinned parametrisation (fast oracle for bootstrap rounds)."""
    w = np.ones(len(ia)) if w is None else w
    free = np.zeros(k - 1) if start is None else np.array(start, dtype=float)
    for _ in range(iters):
        _, g, h = _loss_grad_hess(free, ia, ib, y, w, k)
        step = np.linalg.solve(h, g)
        free -= step
        if np.abs(step).max() < 1e-12:
            break
    theta = np.concatenate([[0.0], free])
    return theta - theta.mean()


def sandwich_se(ia, ib, y, k, theta, ridge, w=None) -> np.ndarray:
    """Standard errors of θ from (H + ridge·I)⁻¹ B (H + ridge·I)⁻¹, per-battle scores."""
    w = np.ones(len(ia)) if w is None else w
    x = np.zeros((len(ia), k))
    x[np.arange(len(ia)), ia] = 1
    x[np.arange(len(ia)), ib] = -1
    p = 1 / (1 + np.exp(-(x @ theta)))
    scores = (w * (y - p))[:, None] * x
    b = scores.T @ scores
    h = x.T @ (x * (w * p * (1 - p))[:, None])
    # In H's eigenbasis (H + ridge·I)⁻¹ is diagonal; B is zero along H's null vector (all ones),
    # so that direction, where 1/ridge would amplify rounding, is dropped exactly.
    lam, u = np.linalg.eigh(h)
    bt = u.T @ b @ u
    null = np.argmin(np.abs(lam))
    bt[null, :] = 0
    bt[:, null] = 0
    inv = 1 / (lam + ridge)
    v = u @ (inv[:, None] * bt * inv[None, :]) @ u.T
    return np.sqrt(np.diag(v))


def bootstrap_ratings(ia, ib, y, k, rounds: int, seed: int) -> np.ndarray:
    """Multinomial bootstrap over the aggregated (a, b, outcome) rows, refit by Newton."""
    rows = pd.DataFrame({"a": ia, "b": ib, "y": y}).value_counts().reset_index(name="n")
    rng = np.random.default_rng(seed)
    total = int(rows["n"].sum())
    out = np.empty((rounds, k))
    for r in range(rounds):
        n = rng.multinomial(total, rows["n"] / total)
        keep = n > 0
        out[r] = newton(
            rows["a"].to_numpy()[keep],
            rows["b"].to_numpy()[keep],
            rows["y"].to_numpy()[keep],
            k,
            w=n[keep].astype(float),
        )
    return out * SCALE + 1000


def synthetic(n_models: int, n_battles: int, seed: int, tie_rate: float = 0.1, skew: float = 1.0):
    """Battles drawn from known ratings (θ ~ N(0, 1)); pair frequencies skewed (Zipf-like
    model popularity); ties with probability ``tie_rate`` (less near p = 0 or 1), drawn so that the
    expected score of model_a stays σ(θa − θb). Returns (DataFrame, true θ)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, n_models)
    theta -= theta.mean()
    pop = 1 / np.arange(1, n_models + 1) ** skew
    pop /= pop.sum()
    a = rng.choice(n_models, n_battles, p=pop)
    b = rng.choice(n_models, n_battles, p=pop)
    clash = a == b
    b[clash] = (a[clash] + 1 + rng.integers(0, n_models - 1, clash.sum())) % n_models
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    # Ties keep the expected score equal to p, so ties-as-half BT stays consistent.
    t = np.minimum(tie_rate, 2 * np.minimum(p, 1 - p))
    tie = rng.random(n_battles) < t
    q = (p - t / 2) / (1 - t)
    winner = np.where(tie, "tie", np.where(rng.random(n_battles) < q, "model_a", "model_b"))
    names = np.array([f"m{k:03d}" for k in range(n_models)], dtype=object)
    return pd.DataFrame({"model_a": names[a], "model_b": names[b], "winner": winner}), theta


def fastchat_compute_bt(df: pd.DataFrame, anchor: tuple[str, float] | None = None) -> pd.Series:
    """FastChat's compute_bt (rating_systems.py): aggregated unique (a, b, outcome) rows,
    summed logistic loss in base-10 logits, L-BFGS-B (maxiter 100, gtol 1e-6), r·400 + 1000,
    then shifted so that the anchor model has its rating."""
    models = pd.Index(pd.unique(pd.concat([df["model_a"], df["model_b"]])))
    code = df["winner"].map({"model_a": 2, "model_b": 0}).fillna(1).to_numpy(dtype=int)
    rows = np.column_stack(
        [models.get_indexer(df["model_a"]), models.get_indexer(df["model_b"]), code]
    )
    unique, counts = np.unique(rows, return_counts=True, axis=0)
    a, b = unique[:, 0].astype(int), unique[:, 1].astype(int)
    y, w = unique[:, 2] / 2, counts.astype(float)
    alpha = np.log(10.0)

    def loss_grad(r):
        logit = alpha * (r[a] - r[b])
        p = 1 / (1 + np.exp(-logit))
        loss = -np.sum((np.log(p) * y + np.log1p(-p) * (1 - y)) * w)
        g = (p - y) * w * alpha
        grad = np.zeros_like(r)
        np.add.at(grad, a, g)
        np.add.at(grad, b, -g)
        return loss, grad

    res = minimize(
        loss_grad,
        np.zeros(len(models)),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 100, "gtol": 1e-6},
    )
    ratings = pd.Series(res.x * 400 + 1000, index=models)
    if anchor is not None:
        ratings += anchor[1] - ratings[anchor[0]]
    return ratings


def fastchat_fit_contextual(ia, ib, y, features, k, reg=0.5, tol=1e-6):
    """FastChat's fit_contextual_bt: summed loss in base-10 logits, L2 0.25·‖params‖² on
    ratings and style coefficients alike, L-BFGS-B (maxiter 100, gtol 1e-6)."""
    alpha = np.log(10.0)
    half_reg = reg / 2

    def loss_grad(params):
        r, beta = params[:k], params[k:]
        logit = alpha * (r[ia] - r[ib]) + features @ beta
        p = 1 / (1 + np.exp(-logit))
        loss = -np.sum(np.log(p) * y + np.log1p(-p) * (1 - y)) + half_reg * params @ params
        g = p - y
        grad = reg * params
        np.add.at(grad[:k], ia, alpha * g)
        np.add.at(grad[:k], ib, -alpha * g)
        grad[k:] += features.T @ g
        return loss, grad

    res = minimize(
        loss_grad,
        np.zeros(k + features.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 100, "gtol": tol},
    )
    return res.x
