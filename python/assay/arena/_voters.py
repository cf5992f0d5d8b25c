"""Per-voter diagnostics against vote manipulation.

Each voter is judged against a reference fit that leaves that voter out and caps every voter's
weight per model, so manipulators can hide neither behind their own votes nor behind each
other's. The anomaly score is the largest standardised residual in favour of one model:
for model m, z_m = Σ (y − p) / √Σ p(1 − p) over the voter's battles involving m (y the score of
m, p its leave-out predicted probability). A voter who pushes one model whenever it appears
has a large z for that model; an honest voter's z's are near-normal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._checks import integer, number
from ._battles import Battles, code_battles
from ._cells import Cells, cell_table, voter_codes
from ._leaderboard import ELO_PER_THETA


def _normal_sf(z: np.ndarray) -> np.ndarray:
    """Upper tail of the standard normal, exact to double precision."""
    from math import erfc, sqrt

    return np.array([0.5 * erfc(v / sqrt(2)) for v in np.ravel(z)]).reshape(np.shape(z))


def _capped_weights(coded: Battles, codes: np.ndarray, n_voters: int, cap: float) -> np.ndarray:
    """Per battle min(1, cap / n(voter, a), cap / n(voter, b)): no voter counts for more than
    ``cap`` battles of any one model in the reference fit."""
    k = coded.n_models
    cell_a = codes.astype(np.int64) * k + coded.first
    cell_b = codes.astype(np.int64) * k + coded.second
    n = np.bincount(cell_a, minlength=n_voters * k) + np.bincount(cell_b, minlength=n_voters * k)
    out: np.ndarray = np.minimum(1.0, cap / np.maximum(n[cell_a], n[cell_b]))
    return out


def _reference_fits(
    coded: Battles, codes: np.ndarray, excluded: np.ndarray, prior: float, cap: float
) -> tuple[np.ndarray, np.ndarray]:
    """Reference θ without the excluded voters' battles and with per-voter influence capped,
    and each voter's leave-out θ (n_voters, K) from it (an excluded voter's row is θ itself)."""
    keep = ~excluded[codes]
    sub = coded.subset(keep)
    w = _capped_weights(sub, codes[keep], len(excluded), cap)
    table = cell_table(sub, w, False)
    Cells(table, 0, coded.models).check_identifiable(prior)
    theta, _ = _native.bt_fit(table, 0, prior=prior)
    grouped = cell_table(sub, w, False, codes[keep], len(excluded))
    loo, _ = _native.bt_leave_one_group_out(grouped, theta, prior=prior)
    return theta, loo


def _judge(
    coded: Battles, codes: np.ndarray, ids: np.ndarray, loo: np.ndarray, alpha: float,
    min_appearances: int,
) -> pd.DataFrame:  # fmt: skip
    """Agreement, log-likelihood and anomaly of each voter's battles under their leave-out θ."""
    n_voters, k = len(ids), coded.n_models
    # Per-battle quantities under the voter's own leave-out fit.
    t_a = loo[codes, coded.first]
    t_b = loo[codes, coded.second]
    p = 1.0 / (1.0 + np.exp(-(t_a - t_b)))
    y = coded.score()
    known = np.isfinite(p)
    p, y_k = np.where(known, p, 0.5), np.where(known, y, 0.5)
    loglik = np.where(known, y_k * np.log(p) + (1 - y_k) * np.log1p(-p), 0.0)
    decisive = known & (coded.outcome != 1)
    agree = decisive & ((y > 0.5) == (p > 0.5))

    votes = np.bincount(codes, minlength=n_voters)
    frame = pd.DataFrame({"voter": ids, "votes": votes})
    n_decisive = np.bincount(codes, decisive, n_voters)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["agreement"] = np.bincount(codes, agree, n_voters) / n_decisive
        frame["log_likelihood"] = np.bincount(codes, loglik, n_voters) / np.bincount(
            codes, known, n_voters
        )

    # z per (voter, model): residual in favour of the model, over its binomial variance.
    resid = np.where(known, y_k - p, 0.0)
    var = np.where(known, p * (1 - p), 0.0)
    cell_a = codes.astype(np.int64) * k + coded.first
    cell_b = codes.astype(np.int64) * k + coded.second
    size = n_voters * k
    s = np.bincount(cell_a, resid, size) - np.bincount(cell_b, resid, size)
    v = np.bincount(cell_a, var, size) + np.bincount(cell_b, var, size)
    n = np.bincount(cell_a, known, size) + np.bincount(cell_b, known, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where((n >= min_appearances) & (v > 0), s / np.sqrt(v), -np.inf).reshape(n_voters, k)
    seen = (n >= min_appearances).reshape(n_voters, k).sum(axis=1)
    best = z.argmax(axis=1)
    anomaly = z[np.arange(n_voters), best]
    frame["anomaly"] = np.where(np.isfinite(anomaly), anomaly, np.nan)
    frame["target"] = pd.Series(coded.models[best]).where(np.isfinite(anomaly), None).to_numpy()
    p_single = _normal_sf(np.where(np.isfinite(anomaly), anomaly, -40.0))
    frame["p_value"] = np.where(seen > 0, np.minimum(1.0, p_single * np.maximum(seen, 1)), 1.0)
    frame["flagged"] = frame["p_value"] < alpha / n_voters

    return frame


def voters(
    battles: Any,
    *,
    voter: str = "voter",
    model_a: str = "model_a",
    model_b: str = "model_b",
    winner: str = "winner",
    outcomes: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    min_appearances: int = 5,
    top: int = 10,
    prior: float = 0.0,
    max_rounds: int = 10,
    cap: float = 10.0,
) -> pd.DataFrame:
    """One row per voter: how their votes fit the crowd's Bradley-Terry model.

    Columns
    -------
    voter, votes
        The voter id and their number of votes.
    agreement
        Share of the voter's decisive votes (no ties) won by the model that the leave-out fit
        favours.
    log_likelihood
        Mean log-likelihood per vote under the leave-out fit (ties count as half a win each way).
    anomaly, target
        The largest per-model standardised residual z (models the voter saw at least
        ``min_appearances`` times) and that model.
    p_value
        Bonferroni-adjusted p-value of ``anomaly`` over the models the voter saw.
    flagged
        ``p_value < alpha / number of voters`` (Bonferroni over voters too).

    Colluding voters can outnumber the honest votes on the model they push, so the reference fit
    caps every voter's weight at ``cap`` battles per model, leaves the judged voter out, and is
    refitted without the voters flagged so far until the flagged set is stable (at most
    ``max_rounds`` rounds).
    influence, top_rank_changes
        Largest rating change (Elo points) among the ``top`` models of the full fit when this
        voter is left out, and how many of those ``top`` positions change.
    """
    alpha = number(alpha, "alpha", 0.0, 1.0, low_open=True, high_open=True)
    min_appearances = integer(min_appearances, "min_appearances", 1)
    top = integer(top, "top", 1)
    prior = number(prior, "prior", 0.0)
    max_rounds = integer(max_rounds, "max_rounds", 1, 10_000)
    cap = number(cap, "cap", 0.0, low_open=True)
    coded = code_battles(
        battles, model_a=model_a, model_b=model_b, winner=winner, outcomes=outcomes
    )
    codes, ids = voter_codes(coded, voter)
    if len(ids) < 2:
        raise ValueError(
            f"voters needs at least 2 distinct voters in battles[{voter!r}], got {len(ids)}"
        )
    excluded = np.zeros(len(ids), dtype=bool)
    _, loo = _reference_fits(coded, codes, excluded, prior, cap)
    for _ in range(max_rounds):
        frame = _judge(coded, codes, ids, loo, alpha, min_appearances)
        flagged = frame["flagged"].to_numpy()
        if (flagged == excluded).all():
            break
        excluded = flagged
        _, loo = _reference_fits(coded, codes, excluded, prior, cap)

    # Influence on the top of the leaderboard: plain leave-one-out on all the battles.
    full = cell_table(coded, None, False)
    theta_full, _ = _native.bt_fit(full, 0, prior=prior)
    grouped = cell_table(coded, None, False, codes, len(ids))
    loo_full, _ = _native.bt_leave_one_group_out(grouped, theta_full, prior=prior)
    order = np.argsort(-theta_full)[:top]
    shift = (
        np.abs(np.nan_to_num(loo_full[:, order] - theta_full[order], nan=np.inf)) * ELO_PER_THETA
    )
    frame["influence"] = shift.max(axis=1)
    loo_rank = np.argsort(-np.nan_to_num(loo_full, nan=-np.inf), axis=1)[:, :top]
    frame["top_rank_changes"] = (loo_rank != order[None, :]).sum(axis=1)
    return frame.sort_values(
        "anomaly", ascending=False, kind="stable", na_position="last"
    ).reset_index(drop=True)
