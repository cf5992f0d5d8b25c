"""Report figures: the per-axis profile (each model's axis scores with intervals) and the
pairwise significance heat map (needs ``assay[plot]``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._report import AxisReport


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plotting needs matplotlib: pip install 'assay[plot]'") from e
    return plt


def plot_report(report: AxisReport, path: str) -> list[str]:
    """Writes ``path`` (the profile: one panel per axis, every model's score with its
    interval, best first) and ``<stem>_pairwise.png`` beside it (adjusted p-values of the
    paired differences over all benchmarks, signed by the direction). Returns the paths."""
    plt = _pyplot()
    axes_table = report.axes
    names = list(dict.fromkeys(axes_table["axis"]))
    models = report.tiers()["model"].tolist()
    height = 0.28 * len(models) + 1.4
    fig, panels = plt.subplots(1, len(names), figsize=(4.2 * len(names), height), squeeze=False)
    for panel, axis in zip(panels[0], names, strict=True):
        part = axes_table[axes_table["axis"] == axis].set_index("model").reindex(models[::-1])
        y = np.arange(len(part))
        panel.errorbar(
            part["score"],
            y,
            xerr=[part["score"] - part["ci_low"], part["ci_high"] - part["score"]],
            fmt="o",
            ms=3,
            capsize=2,
        )
        panel.set_yticks(y, part.index if panel is panels[0][0] else [""] * len(y), fontsize=7)
        panel.set_title(axis.replace("_", " "), fontsize=9)
        panel.set_xlabel(f"normalized score ({report.level:.0%} interval)", fontsize=8)
        panel.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)

    heat_path = str(Path(path).with_name(Path(path).stem + "_pairwise.png"))
    k = len(models)
    signed = np.full((k, k), np.nan)
    index = {m: i for i, m in enumerate(models)}
    pairs = report.pairwise()
    for (a, b), part in pairs.groupby(["model_a", "model_b"], sort=False):
        p = float(part["p_adjusted"].min())
        direction = np.sign(part["difference"].mean())
        strength = -np.log10(max(p, 1e-12))
        signed[index[a], index[b]] = direction * strength
        signed[index[b], index[a]] = -direction * strength
    fig, ax = plt.subplots(figsize=(0.32 * k + 3, 0.32 * k + 2))
    limit = max(2.0, float(np.nanmax(np.abs(signed))) if np.isfinite(signed).any() else 2.0)
    image = ax.imshow(signed, cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_xticks(range(k), models, rotation=90, fontsize=6)
    ax.set_yticks(range(k), models, fontsize=6)
    fig.colorbar(image, ax=ax, label="±log10 adjusted p (row better: blue); grey: not compared")
    ax.set_facecolor("0.85")
    fig.tight_layout()
    fig.savefig(heat_path, dpi=120)
    plt.close(fig)
    return [path, heat_path]
