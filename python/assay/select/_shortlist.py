"""The shortlist: the candidates that fit a GPU, ranked on the axes a task needs, in tiers of
models whose differences are within the noise."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .._axis_names import check_axis
from .._checks import number
from .._tables import Table
from ._memory import memory
from ._sizes import read_sizes, resolve

#: Intervals given as ci_low / ci_high are read as 95 % normal intervals: se = width / (2 z).
Z95 = NormalDist().inv_cdf(0.975)
TABLE_COLUMNS = ["model", "score", "se", "ci_low", "ci_high", "tier", "params_b", "memory_gb"]
EXCLUDED_COLUMNS = ["model", "params_b", "memory_gb", "reason"]


@dataclass(frozen=True)
class Shortlist:
    """Which candidates fit and how they rank.

    Attributes
    ----------
    table : DataFrame
        The models that fit, best first: ``model, score, se, ci_low, ci_high, tier,
        params_b, memory_gb``. Tier 1 holds the leader and every model whose difference to it
        is not significant; the first model that differs significantly starts tier 2, and so on.
    excluded : DataFrame
        ``model, params_b, memory_gb, reason``: the models that do not fit (with the memory
        they would need), have no published size, or lack a score on a named axis.
    """

    table: pd.DataFrame
    excluded: pd.DataFrame
    gpu_gb: float
    axes: tuple[str, ...] | None
    dtype: str
    context: int

    def __str__(self) -> str:
        on = ", ".join(self.axes) if self.axes else "the overall score"
        head = (
            f"{len(self.table)} of {len(self.table) + len(self.excluded)} models fit "
            f"{self.gpu_gb:g} GB ({self.dtype}, {self.context} tokens), ranked on {on}:"
        )
        fmt = {"float_format": lambda x: f"{x:.3f}", "index": False}
        parts = [head, self.table.to_string(**fmt) if len(self.table) else "(none)"]
        if len(self.excluded):
            parts += ["", "excluded:", self.excluded.to_string(**fmt)]
        return "\n".join(parts)


def _z(confidence: float) -> float:
    level = number(confidence, "confidence", 0.0, 1.0, low_open=True, high_open=True)
    return NormalDist().inv_cdf(0.5 + level / 2)


def _scores_frame(scores: Any, axes: tuple[str, ...] | None) -> pd.DataFrame:
    """One row per model (× axis): model, [axis], score, se, ci_low, ci_high, [params_b]."""
    from ..arena import Leaderboard

    if isinstance(scores, Leaderboard):
        if axes is not None:
            raise ValueError("axes: an arena leaderboard has one overall score; pass axes=None")
        t = scores.table
        frame = pd.DataFrame(
            {
                "model": t["model"].astype(str),
                "score": t["rating"],
                "ci_low": t["ci_low"],
                "ci_high": t["ci_high"],
            }
        )
        frame["se"] = (frame["ci_high"] - frame["ci_low"]) / (2 * Z95)
        return frame
    per_axis = getattr(scores, "axes", None)  # an AxisReport: its per-axis table
    source = per_axis if isinstance(per_axis, pd.DataFrame) else scores
    table = Table(source, "scores")
    cols = table.columns
    frame = pd.DataFrame({"model": [str(m) for m in np.asarray(table.column("model", "model"))]})
    frame["score"] = table.numeric("score", "score")
    if "axis" in cols:
        frame["axis"] = [str(a) for a in np.asarray(table.column("axis"))]
    if "params_b" in cols:
        frame["params_b"] = np.asarray(table.column("params_b"), dtype=object)
    has_ci = "ci_low" in cols and "ci_high" in cols
    if "se" in cols:
        frame["se"] = table.numeric("se")
    elif has_ci:
        frame["se"] = (table.numeric("ci_high") - table.numeric("ci_low")) / (2 * Z95)
    else:
        raise ValueError("scores needs an 'se' column or 'ci_low' and 'ci_high' columns")
    if has_ci:
        frame["ci_low"], frame["ci_high"] = table.numeric("ci_low"), table.numeric("ci_high")
    else:
        frame["ci_low"] = frame.score - Z95 * frame.se
        frame["ci_high"] = frame.score + Z95 * frame.se
    bad = ~np.isfinite(frame[["score", "se", "ci_low", "ci_high"]].to_numpy()).all(axis=1)
    bad |= frame["se"].to_numpy() < 0
    if bad.any():
        rows = np.flatnonzero(bad)[:10].tolist()
        raise ValueError(f"scores: rows {rows} hold NaN, infinite or negative-width intervals")
    return frame


def _combine(
    frame: pd.DataFrame, axes: tuple[str, ...] | None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per model: the mean over the named axes (their errors combined as independent).
    Returns the rows and, for models lacking a named axis, the reason they are left out."""
    if "axis" not in frame:
        if axes is not None:
            raise ValueError(
                f"axes: the scores have no 'axis' column, so {list(axes)} cannot apply"
            )
        dup = frame["model"].duplicated(keep=False)
        if dup.any():
            raise ValueError(f"scores: models listed twice: {sorted(set(frame.model[dup]))}")
        return frame, {}
    present = sorted(set(frame["axis"]))
    if axes is None:
        if len(present) > 1:
            raise ValueError(f"axes: the scores hold several axes {present}; name those to rank on")
        axes = tuple(present)
    missing_axes = [a for a in axes if a not in present]
    if missing_axes:
        raise ValueError(f"axes: {missing_axes} not in the scores, which have {present}")
    frame = frame[frame["axis"].isin(axes)]
    dup = frame.duplicated(["model", "axis"], keep=False)
    if dup.any():
        pairs = sorted(set(zip(frame.model[dup], frame.axis[dup], strict=True)))[:10]
        raise ValueError(f"scores: (model, axis) rows given twice: {pairs}")
    reasons: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for model, part in frame.groupby("model", sort=False):
        lacking = [a for a in axes if a not in set(part["axis"])]
        if lacking:
            reasons[str(model)] = f"no score on {', '.join(lacking)}"
            continue
        k = len(part)
        row = {
            "model": model,
            "score": part["score"].mean(),
            "se": math.sqrt(float((part["se"] ** 2).sum())) / k,
        }
        one = k == 1  # a single axis keeps its own (possibly asymmetric) interval
        row["ci_low"] = part["ci_low"].iloc[0] if one else math.nan
        row["ci_high"] = part["ci_high"].iloc[0] if one else math.nan
        if "params_b" in part:
            row["params_b"] = part["params_b"].iloc[0]
        rows.append(row)
    return pd.DataFrame(rows), reasons


def tiers(score: np.ndarray, se: np.ndarray, z: float) -> np.ndarray:
    """Tier numbers (1 = best) for models sorted by descending score: a model joins the current
    tier while its difference to the tier's leader is within z standard errors of the
    difference (the two scores' errors combined as independent); otherwise it leads a new tier.
    Measured against the leader, tiers do not chain through overlapping intervals."""
    out = np.empty(len(score), dtype=np.int64)
    tier, leader = 0, -1
    for i in range(len(score)):
        if leader < 0 or score[leader] - score[i] > z * math.hypot(se[leader], se[i]):
            tier, leader = tier + 1, i
        out[i] = tier
    return out


def shortlist(
    scores: Any,
    *,
    gpu_gb: float,
    axes: Sequence[str] | str | None,
    sizes: Any = None,
    dtype: str = "bf16",
    context: int = 4096,
    confidence: float = 0.95,
) -> Shortlist:
    """The candidates that fit a GPU of ``gpu_gb`` GB, ranked on ``axes``, in tiers.

    Parameters
    ----------
    scores
        An arena ``Leaderboard``, a per-axis report (anything with an ``axes`` DataFrame), or
        a table (any the intake reads) with ``model``, ``score`` and ``se`` or
        ``ci_low``/``ci_high`` columns (read as 95 % intervals), optionally ``axis`` and
        ``params_b``. Several axes combine as a mean, their errors as independent.
    axes : str or list of str, or None
        The axes that matter; a model's score is the mean over them. None for scores with one
        axis or none (leaderboards).
    sizes : dict or table, optional
        Model → billions of parameters, a transformers config (dict or path), a safetensors
        checkpoint or model folder, or None for a size that is not published (that model is
        excluded with the reason). A table with ``model, params_b`` works too. Default: the
        scores' ``params_b`` column.
    dtype, context
        What the memory estimate (:func:`memory`, inference, batch 1) assumes.
    confidence : float
        Level of the significance test between a tier's leader and each model.
    """
    gpu = number(gpu_gb, "gpu_gb", 0.0, low_open=True)
    z = _z(confidence)
    if isinstance(axes, str):
        axes = tuple(a.strip() for a in axes.split(","))
    elif axes is not None:
        axes = tuple(axes)
        if not axes:
            raise ValueError("axes must name at least one axis, or be None")
    if axes is not None:
        for a in axes:
            check_axis(a, "axes")
    frame, reasons = _combine(_scores_frame(scores, axes), axes)

    if sizes is None:
        if "params_b" not in frame:
            raise ValueError("sizes is required: the scores have no 'params_b' column")
        specs = dict(zip(frame["model"], frame["params_b"], strict=True))
    else:
        specs = read_sizes(sizes)
    unknown = [m for m in frame["model"] if m not in specs]
    if unknown:
        raise ValueError(f"sizes has no entry for {unknown} (give None for an unpublished size)")

    needs, params = {}, {}
    for model in frame["model"]:
        size = resolve(model, specs[model])
        params[model] = size.params_b
        if size.params_b is None:
            reasons.setdefault(model, "parameter count not published")
            continue
        est = memory(size.params_b, dtype=dtype, context=context, config=size.config)
        needs[model] = est.total_gb
        if est.total_gb > gpu:
            reasons.setdefault(model, f"needs {est.total_gb:.1f} GB > {gpu:g} GB")

    fit = frame[~frame["model"].isin(reasons)].sort_values("score", ascending=False, kind="stable")
    fit = fit.assign(
        tier=tiers(fit["score"].to_numpy(), fit["se"].to_numpy(), z),
        params_b=[params[m] for m in fit["model"]],
        memory_gb=[needs[m] for m in fit["model"]],
    )
    fit.loc[fit["ci_low"].isna(), "ci_low"] = fit["score"] - Z95 * fit["se"]
    fit.loc[fit["ci_high"].isna(), "ci_high"] = fit["score"] + Z95 * fit["se"]
    excluded = pd.DataFrame(
        {
            "model": list(reasons),
            "params_b": [params.get(m) for m in reasons],
            "memory_gb": [needs.get(m, math.nan) for m in reasons],
            "reason": list(reasons.values()),
        },
        columns=EXCLUDED_COLUMNS,
    )
    return Shortlist(
        table=fit[TABLE_COLUMNS].reset_index(drop=True),
        excluded=excluded,
        gpu_gb=gpu,
        axes=axes,
        dtype=dtype,
        context=context,
    )
