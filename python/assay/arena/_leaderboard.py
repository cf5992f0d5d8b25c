"""The result of :func:`assay.arena.fit`: tables a user reads, plus what is needed to derive
win-rate matrices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Elo points per unit of θ: rating = θ · 400 / ln 10 + 1000.
ELO_PER_THETA = 400.0 / np.log(10.0)
BASE_RATING = 1000.0


def rank_upper_bound(ci_low: np.ndarray, ci_high: np.ndarray) -> np.ndarray:
    """1 + the number of models whose lower bound exceeds this model's upper bound."""
    out: np.ndarray = 1 + (ci_low[None, :] > ci_high[:, None]).sum(axis=1)
    return out


def ratings_frame(
    models: np.ndarray,
    rating: np.ndarray,
    ci_low: np.ndarray,
    ci_high: np.ndarray,
    n_battles: np.ndarray,
    component: np.ndarray | None = None,
) -> pd.DataFrame:
    """Leaderboard rows for the models with a finite rating, sorted by rating (ties keep the
    models' order)."""
    keep = np.flatnonzero(np.isfinite(rating))
    keep = keep[np.argsort(-rating[keep], kind="stable")]
    low, high = ci_low[keep], ci_high[keep]
    columns = {
        "model": models[keep],
        "rating": rating[keep],
        "ci_low": low,
        "ci_high": high,
        "rank_ub": rank_upper_bound(low, high),
        "n_battles": n_battles[keep].astype(np.int64),
    }
    if component is not None and len(np.unique(component[keep])) > 1:
        # Ranks are only meaningful within a connected piece of the comparison graph.
        pieces = component[keep]
        for piece in np.unique(pieces):
            mine = pieces == piece
            columns["rank_ub"][mine] = rank_upper_bound(low[mine], high[mine])
        columns["component"] = pieces
    return pd.DataFrame(columns)


@dataclass
class Leaderboard:
    """Bradley-Terry leaderboard.

    Attributes
    ----------
    table : DataFrame
        ``model, rating, ci_low, ci_high, rank_ub, n_battles`` sorted by rating (Elo scale:
        θ · 400 / ln 10 + 1000, mean-centred or anchored). A ``component`` column appears when
        the comparison graph falls into pieces whose ratings are not comparable.
    segments : DataFrame or None
        With ``by=``: the ``by`` columns, then the same columns as ``table``, one block per segment.
    style : DataFrame or None
        With ``features=``: ``feature, coefficient, ci_low, ci_high`` (log-odds per standard
        deviation of the feature contrast).
    ci : str
        The interval method: "sandwich", "bootstrap" or "voter".
    diagnostics : dict
        Counts and settings (battles, models, ridge, iterations, degenerate bootstrap rounds, ...).
    """

    table: pd.DataFrame
    ci: str
    theta: np.ndarray
    models: np.ndarray
    #: Computes (wins, games), K×K, on demand for the win-rate matrices.
    matrices: Callable[[], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    segments: pd.DataFrame | None = None
    skipped_segments: pd.DataFrame | None = None
    style: pd.DataFrame | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def win_rates(self) -> pd.DataFrame:
        """Empirical win rate of the row model against the column model (ties count half);
        NaN where the two never met."""
        with np.errstate(invalid="ignore", divide="ignore"):
            wins, games = self.matrices()
            rate = np.where(games > 0, wins / games, np.nan)
        return self._square(rate)

    def predicted_win_rates(self) -> pd.DataFrame:
        """Bradley-Terry probability that the row model beats the column model."""
        t = self.theta
        rate = 1.0 / (1.0 + np.exp(-(t[:, None] - t[None, :])))
        np.fill_diagonal(rate, np.nan)
        return self._square(rate)

    def _square(self, matrix: np.ndarray) -> pd.DataFrame:
        order = [np.flatnonzero(self.models == m)[0] for m in self.table["model"]]
        names = self.models[order]
        return pd.DataFrame(matrix[np.ix_(order, order)], index=names, columns=names)

    def plot(self, path: str, top: int = 40) -> list[str]:
        """Writes the forest plot of the ``top`` ratings with their intervals to ``path`` (PNG)
        and the win-rate heat map beside it (``<stem>_winrates.png``); returns the paths.
        Needs matplotlib."""
        from ._plot import plot_leaderboard

        return plot_leaderboard(self, path, top)

    def __str__(self) -> str:
        text: str = self.table.to_string(index=False, float_format=lambda x: f"{x:.1f}")
        return text

    def __repr__(self) -> str:
        head = self.table.head(3)
        top = ", ".join(f"{m} {r:.1f}" for m, r in zip(head["model"], head["rating"], strict=True))
        more = ", ..." if len(self.table) > 3 else ""
        return f"<Leaderboard: {len(self.table)} models, ci={self.ci!r}; {top}{more}>"
