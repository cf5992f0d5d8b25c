"""The fitting blocks shared by the plain, voter and style fits: one group's cells (the
battles counted per model pair) and their identifiability check, the native cell tables, and
ratings on the Elo scale with an optional anchor."""

from __future__ import annotations

import numpy as np

from .. import _native
from .._errors import NotIdentifiableError
from .._tables import factorize
from ._battles import Battles
from ._leaderboard import BASE_RATING, ELO_PER_THETA

#: Two-sided 95 % normal quantile, Φ⁻¹(0.975).
Z95 = 1.959963984540054
#: LMArena's floor in inverse-frequency weights 1 / max(n_pair, 50).
REWEIGHT_FLOOR = 50.0
#: Win-rate matrices are K×K; more models than this is an error.
MAX_MATRIX_MODELS = 5000


def default_ridge(n_battles: float, weighted: bool) -> float:
    """arena-rank's Hessian ridge for the sandwich: 1e-5 · N unweighted, 1e-5 with LMArena's
    inverse-frequency weights. User weights are rescaled to mean 1 first, so 1e-5 · N (their
    sum) applies to them as to unit weights, and intervals do not depend on their units."""
    return 1e-5 if weighted else 1e-5 * n_battles


class Cells:
    """Cells of one group (all battles, or one segment) and its per-model counts."""

    def __init__(
        self,
        table: _native.Cells,
        group: int,
        models: np.ndarray,
        columns: tuple[np.ndarray, ...] | None = None,
    ) -> None:
        """``columns``: ``table.columns()`` when the caller already holds them (segments)."""
        self.table, self.group, self.models = table, group, models
        g, i, j, score2, _, count = columns if columns is not None else table.columns()
        mine = slice(*np.searchsorted(g, [group, group + 1]))  # cells are sorted by group
        self.i, self.j = i[mine].astype(np.int64), j[mine].astype(np.int64)
        self.score2, self.count = score2[mine], count[mine]
        k = len(models)
        self.n_battles = np.bincount(self.i, self.count, k) + np.bincount(self.j, self.count, k)
        self.total = float(self.count.sum())

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        """(wins, games) K×K: wins[a, b] = score of a against b (ties half)."""
        k = len(self.models)
        if k > MAX_MATRIX_MODELS:
            raise ValueError(f"win-rate matrices are K×K: {k} models exceed {MAX_MATRIX_MODELS}")
        score = self.count * self.score2 / 2.0
        ij, ji = self.i * k + self.j, self.j * k + self.i
        games = np.bincount(ij, self.count, k * k).reshape(k, k)
        wins = np.bincount(ij, score, k * k) + np.bincount(ji, self.count - score, k * k)
        return wins.reshape(k, k), games + games.T

    def check_identifiable(self, prior: float) -> np.ndarray:
        """Weak-component labels; raises NotIdentifiableError when the MLE is infinite."""
        component, strong = _native.bt_structure(self.table, self.group)
        present = component != np.iinfo(np.uint32).max
        n_comp = len(np.unique(component[present]))
        if prior == 0 and len(np.unique(strong[present])) != n_comp:
            score = np.bincount(self.i, self.count * self.score2 / 2, len(self.models))
            score += np.bincount(self.j, self.count * (2 - self.score2) / 2, len(self.models))
            no_wins = self.models[present & (score == 0)]
            no_losses = self.models[present & (score == self.n_battles) & (self.n_battles > 0)]
            detail = []
            if len(no_wins):
                detail.append(f"no wins: {list(no_wins[:10])}")
            if len(no_losses):
                detail.append(f"no losses: {list(no_losses[:10])}")
            if not detail:
                detail.append("a group of models never lost to the rest of its component")
            raise NotIdentifiableError(
                "Bradley-Terry ratings are unbounded (the maximum-likelihood estimate is infinite) "
                f"for models with {'; '.join(detail)}. Remove them, or pass prior=λ > 0 for a "
                "Gaussian-prior (L2) fit."
            )
        return component


def to_ratings(theta: np.ndarray, anchor: int | None, anchor_rating: float) -> np.ndarray:
    ratings = theta * ELO_PER_THETA + BASE_RATING
    if anchor is not None:
        ratings = ratings - ratings[..., anchor : anchor + 1] + anchor_rating
    out: np.ndarray = ratings
    return out


def anchor_index(anchor: tuple[str, float] | None, models: np.ndarray) -> tuple[int | None, float]:
    if anchor is None:
        return None, BASE_RATING
    if not (isinstance(anchor, tuple) and len(anchor) == 2):
        raise TypeError(f"anchor must be a (model, rating) pair, got {anchor!r}")
    name, rating = anchor
    if isinstance(rating, bool) or not isinstance(rating, (int, float)) or not np.isfinite(rating):
        raise ValueError(f"anchor rating must be a finite number, got {rating!r}")
    hits = np.flatnonzero(models == name)
    if not len(hits):
        raise ValueError(f"anchor model {name!r} does not appear in the battles")
    return int(hits[0]), float(rating)


def voter_codes(battles: Battles, voter: str) -> tuple[np.ndarray, np.ndarray]:
    codes, ids = factorize(battles.table.column(voter, "voter"), f"battles[{voter!r}]")
    return codes.astype(np.uint32, copy=False), ids


def cell_table(
    coded: Battles,
    w: np.ndarray | None,
    reweight: bool,
    group: np.ndarray | None = None,
    n_groups: int = 1,
) -> _native.Cells:
    try:
        table = _native.Cells(
            *coded.local,
            coded.outcome,
            coded.n_models,
            tables=coded.mapping,
            weight=w,
            group=group,
            n_groups=n_groups,
        )
    except ValueError:
        coded.check()  # names a missing model value or a self-battle, when that is the cause
        raise
    return table.reweighted(REWEIGHT_FLOOR) if reweight else table


def voter_table(coded: Battles, w: np.ndarray | None, reweight: bool, voter: str) -> _native.Cells:
    codes, ids = voter_codes(coded, voter)
    if reweight:
        # Inverse-frequency weights come from the pooled pair counts, not each voter's.
        pooled = cell_table(coded, None, True)
        _, i, j, _, weight, _ = pooled.columns()
        k = coded.n_models
        lookup = np.zeros(k * k)
        lookup[i.astype(np.int64) * k + j] = weight
        lo, hi = np.minimum(coded.first, coded.second), np.maximum(coded.first, coded.second)
        w = lookup[lo.astype(np.int64) * k + hi]
    return cell_table(coded, w, False, codes, len(ids))
