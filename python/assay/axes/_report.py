"""The per-axis report: per model × benchmark (× subgroup) estimates with honest intervals,
per-axis scores, fairness gaps, paired comparisons and tiers."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from ._dense import Dense
from ._estimates import points_per_unit, z_value
from ._paired import adjust
from ._pairwise import corpus_pair, paired_rows

TABLE_COLUMNS = [
    "model",
    "benchmark",
    "axis",
    "group",
    "n",
    "n_clusters",
    "estimate",
    "se",
    "se_cluster",
    "ci_low",
    "ci_high",
    "normalized",
]
AXES_COLUMNS = ["model", "axis", "score", "se", "ci_low", "ci_high", "n_benchmarks"]
GROUPS_COLUMNS = ["model", "benchmark", "worst_group", "gap", "gap_ci_low", "gap_ci_high"]
COMPARE_COLUMNS = [
    "model_a",
    "model_b",
    "benchmark",
    "n",
    "dropped",
    "difference",
    "ci_low",
    "ci_high",
    "test",
    "p_value",
    "p_adjusted",
]


@dataclass
class _Items:
    """The results' names, per-benchmark settings and their dense layout."""

    models: np.ndarray
    benchmarks: np.ndarray
    groups: np.ndarray | None
    binary: np.ndarray  # per benchmark
    baseline: np.ndarray  # per benchmark
    high: np.ndarray  # per benchmark: the top of the score range
    dense: Dense  # per benchmark: items × models


@dataclass
class AxisReport:
    """Per-axis scores with their uncertainty, from per-item results.

    Attributes
    ----------
    table : DataFrame
        One row per model × benchmark (× group): ``model, benchmark, axis, group, n,
        n_clusters, estimate, se, se_cluster, ci_low, ci_high, normalized``. ``se`` is the
        naive standard error, ``se_cluster`` the cluster-robust one (CR1; equal to ``se``
        without clusters). The interval honours the clustering (cluster-robust normal
        interval); without clusters it is Wilson's for binary scores and the normal one
        otherwise. ``normalized`` is the Open LLM Leaderboard v2 score: (raw − baseline) /
        (top − baseline) × 100, clipped at 0. ``group`` is null without ``group=``.
    axes : DataFrame
        ``model, axis, score, se, ci_low, ci_high, n_benchmarks``: the mean of the axis's
        benchmarks' normalized scores, errors combined as independent.
    groups : DataFrame or None
        With ``group=``: ``model, benchmark, worst_group, gap, gap_ci_low, gap_ci_high``: the
        lowest-scoring subgroup and the max − min gap, its interval from a bootstrap over
        items within subgroups.
    robustness : DataFrame or None
        With ``variant=``: ``model, benchmark, n_items, original, worst_case, worst_case_se,
        consistency`` (HELM's worst case over each item's versions; the share of items scored
        alike in every version).
    calibration : DataFrame or None
        With ``confidence=``: ``model, benchmark, n, ece, ci_low, ci_high`` (HELM's 10-bin
        equal-mass expected calibration error, bootstrap interval over items).
    """

    table: pd.DataFrame
    axes: pd.DataFrame
    groups: pd.DataFrame | None
    robustness: pd.DataFrame | None
    calibration: pd.DataFrame | None
    level: float
    n_boot: int
    seed: int
    _items: _Items = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"AxisReport({len(self._items.models)} models, {len(self._items.benchmarks)} "
            f"benchmarks, {self.axes['axis'].nunique()} axes)"
        )

    def __str__(self) -> str:
        text: str = self.axes.to_string(index=False, float_format=lambda x: f"{x:.3f}")
        return text

    # --- paired comparisons ------------------------------------------------------------

    def _code(self, model: str, argument: str) -> int:
        hits = np.flatnonzero(self._items.models == model)
        if not len(hits):
            raise ValueError(f"{argument}: no model {model!r} in the report")
        return int(hits[0])

    def _rows(
        self, pairs: list[tuple[int, int]], correction: str, progress: bool = False
    ) -> pd.DataFrame:
        it = self._items
        found = paired_rows(it.dense, it.binary, pairs, self.n_boot, self.seed, self.level)
        rows: list[dict[str, Any]] = []
        iterator: Any = pairs
        if progress:
            from tqdm.auto import tqdm

            iterator = tqdm(pairs, desc="paired comparisons", unit="pair")
        for a, b in iterator:
            block = [
                {
                    "model_a": it.models[a],
                    "model_b": it.models[b],
                    "benchmark": it.benchmarks[bench],
                    **found[(a, b, bench)],
                }
                for bench in range(len(it.benchmarks))
                if (a, b, bench) in found
            ]
            p_values = np.array([r["p_value"] for r in block])
            for row, q in zip(block, adjust(p_values, correction), strict=True):
                row["p_adjusted"] = q
            rows += block
        return pd.DataFrame(rows, columns=COMPARE_COLUMNS)

    def compare(self, model_a: str, model_b: str, *, correction: str = "holm") -> pd.DataFrame:
        """Paired differences of ``model_a`` − ``model_b`` per benchmark on the items both
        have (``dropped`` counts the items only one has).

        Binary scores of independent items get McNemar's exact test and the normal interval;
        clustered items (McNemar's test takes pairs as independent) and continuous scores a
        bootstrap over clusters (over items without clusters) with the percentile interval of
        the same resamples, so test and interval agree. p-values are adjusted across
        benchmarks (``correction="holm"`` or ``"bh"``). Each benchmark's resamples are seeded
        by the report's seed and the benchmark, so a pair's rows here equal its rows in
        :meth:`pairwise`.
        """
        a, b = self._code(model_a, "model_a"), self._code(model_b, "model_b")
        if a == b:
            raise ValueError("model_a and model_b are the same model")
        adjust(np.array([0.5]), correction)  # names a bad correction before any work
        return self._rows([(a, b)], correction)

    def pairwise(self, *, correction: str = "holm", progress: bool = False) -> pd.DataFrame:
        """:meth:`compare` for every pair of models (in the report's model order);
        ``progress`` shows a bar over the pairs."""
        adjust(np.array([0.5]), correction)
        pairs = list(itertools.combinations(range(len(self._items.models)), 2))
        return self._rows(pairs, correction, progress)

    # --- ranking -----------------------------------------------------------------------

    def _benchmarks_of(self, axis: str | None) -> list[int]:
        benches = self.table.drop_duplicates("benchmark")
        names = benches["benchmark"] if axis is None else benches["benchmark"][benches.axis == axis]
        if axis is not None and not len(names):
            raise ValueError(f"axis: no benchmark of the report is on axis {axis!r}")
        return [int(np.flatnonzero(self._items.benchmarks == n)[0]) for n in names]

    def tiers(self, axis: str | None = None) -> pd.DataFrame:
        """Models in tiers on ``axis`` (all benchmarks when None): sorted by score, a model
        joins the current tier while its paired difference to the tier's leader is not
        significant at the report's level; otherwise it leads a new tier. Measured against the
        leader, tiers do not chain through overlapping intervals.

        The paired difference is the mean over the axis's benchmarks of the normalized paired
        differences on common items, its error the benchmarks' cluster-robust errors combined
        as independent. Returns ``model, score, tier``.
        """
        it = self._items
        benches = self._benchmarks_of(axis)
        scores = self._scores(benches)
        order = sorted(scores, key=lambda m: -scores[m])
        z = z_value(self.level)
        tier, leader, out = 0, -1, []
        for m in order:
            if leader < 0 or self._significant(leader, m, benches, z):
                tier, leader = tier + 1, m
            out.append({"model": it.models[m], "score": scores[m], "tier": tier})
        return pd.DataFrame(out, columns=["model", "score", "tier"])

    def _scores(self, benches: list[int]) -> dict[int, float]:
        table = self.table[self.table.group.isna()]
        names = set(self._items.benchmarks[benches])
        part = table[table.benchmark.isin(names)]
        means = part.groupby("model", sort=False)["normalized"].mean()
        return {self._code(str(m), "model"): float(v) for m, v in means.items()}

    def _significant(self, a: int, b: int, benches: list[int], z: float) -> bool:
        it = self._items
        dense = it.dense
        n, _, means, errors = _native.axes_paired(
            dense.scores, dense.starts, dense.cluster,
            np.array([a], dtype=np.uint32), np.array([b], dtype=np.uint32),
        )  # fmt: skip
        diffs, variances = [], []
        for bench in benches:
            scale = points_per_unit(it.baseline[bench], it.high[bench])
            if bench in it.dense.corpus:
                diff, boot, shared, _ = corpus_pair(it.dense, bench, a, b, self.n_boot, self.seed)
                if shared >= 2 and boot.size:
                    diffs.append(diff * scale)
                    variances.append(float(np.var(boot, ddof=1)) * scale**2)
                continue
            if n[bench] < 2:
                continue
            mean, se = float(means[bench]), float(errors[bench])
            diffs.append(mean * scale)
            variances.append((se * scale) ** 2 if np.isfinite(se) else 0.0)
        if not diffs:
            return True
        total = sum(diffs) / len(diffs)
        se = math.sqrt(sum(variances)) / len(diffs)
        return bool(abs(total) > z * se)

    def plot(self, path: str) -> list[str]:
        """Writes the per-axis profile to ``path`` (PNG) and the pairwise significance heat
        map beside it (``<stem>_pairwise.png``); returns the paths. Needs matplotlib."""
        from ._plot import plot_report

        return plot_report(self, path)

    def win_rates(self) -> pd.DataFrame:
        """HELM's mean win rate: on each benchmark, the share of the other models a model
        scores above (ties count half), averaged over benchmarks. ``model, mean_win_rate``."""
        table = self.table[self.table.group.isna()]
        wide = table.pivot(index="model", columns="benchmark", values="estimate")
        rates = []
        for column in wide:
            values = wide[column].dropna()
            if len(values) < 2:
                continue
            v = values.to_numpy()
            above = (v[:, None] > v[None, :]).sum(axis=1) + 0.5 * ((v[:, None] == v).sum(1) - 1)
            rates.append(pd.Series(above / (len(v) - 1), index=values.index))
        mean = pd.concat(rates, axis=1).mean(axis=1) if rates else pd.Series(dtype=float)
        frame = mean.rename("mean_win_rate").rename_axis("model").reset_index()
        return frame.sort_values("mean_win_rate", ascending=False, ignore_index=True)
