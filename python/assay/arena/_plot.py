"""Leaderboard figures: a CI forest plot and a win-rate heatmap (needs ``assay[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ._leaderboard import Leaderboard


def plot_leaderboard(board: Leaderboard, path: str, top: int = 40) -> list[str]:
    """Write ``path`` (forest plot of ratings with CIs) and ``<stem>_winrates.png`` beside it.
    Returns the written paths."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("plotting needs matplotlib: pip install 'assay[plot]'") from e
    table = board.table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.25 * len(table) + 1.2))
    ax.errorbar(
        table["rating"],
        range(len(table)),
        xerr=[table["rating"] - table["ci_low"], table["ci_high"] - table["rating"]],
        fmt="o",
        ms=3,
        capsize=2,
    )
    ax.set_yticks(range(len(table)), table["model"], fontsize=7)
    ax.set_xlabel(f"rating (95% CI, {board.ci})")
    shown = len(table)
    if shown < len(board.table):
        ax.set_title(f"top {shown} of {len(board.table)} models", fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    heat_path = str(Path(path).with_name(Path(path).stem + "_winrates.png"))
    k = min(top, 30)
    rates = board.win_rates().iloc[:k, :k]
    fig, ax = plt.subplots(figsize=(9, 8))
    # pairs without battles (and the diagonal) are NaN: drawn grey, apart from a 0.5 win rate
    cmap = matplotlib.colormaps["RdBu"].with_extremes(bad="0.85")
    values = np.ma.masked_invalid(rates.to_numpy(dtype=float))  # type: ignore[no-untyped-call]
    im = ax.imshow(values, cmap=cmap, vmin=0, vmax=1)
    title = "grey: no battles"
    if k < len(board.table):
        title = f"top {k} of {len(board.table)} models; " + title
    ax.set_title(title, fontsize=9)
    ax.set_xticks(range(len(rates)), rates.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(len(rates)), rates.index, fontsize=6)
    fig.colorbar(im, ax=ax, label="empirical win rate of row vs column")
    fig.tight_layout()
    fig.savefig(heat_path, dpi=120)
    plt.close(fig)
    return [path, heat_path]
