"""``report``: reads per-item results, checks them, and builds the :class:`AxisReport`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import _native
from .._checks import MAX_BOOT, integer, number
from .._tables import Table, factorize
from ..metrics.statistics import corpus_score
from ._calibration import ece
from ._corpus import CORPUS_WIDTHS, CorpusCell, corpus_cell, resampled_scores
from ._dense import build_dense, resample_counts, unique_codes
from ._estimates import cell_statistics, normalize, points_per_unit, wilson, z_value
from ._mapping import axis_of
from ._report import AXES_COLUMNS, GROUPS_COLUMNS, TABLE_COLUMNS, AxisReport, _Items

#: Kinds of score a benchmark may declare.
KINDS = ("binary", "continuous")


@dataclass(frozen=True)
class Moments:
    """Per cell ``(model × benchmarks + benchmark) × groups + group``: counts, means, errors."""

    n: np.ndarray
    n_clusters: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    se_cluster: np.ndarray
    n_groups: int | None  # None: one cell per model × benchmark


def _rows(rows: np.ndarray, limit: int = 10) -> list[int]:
    """The first ``limit`` offending rows, from a boolean mask or row indices."""
    index = np.flatnonzero(rows) if rows.dtype == bool else rows
    return [int(i) for i in index[:limit]]


def _kinds(
    kind: Mapping[str, Any] | str | None,
    benchmarks: np.ndarray,
    score: np.ndarray,
    bench: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per benchmark: binary?, range low, range high. Undeclared benchmarks are binary when
    every score is 0 or 1, else continuous on [0, 1]."""
    k = len(benchmarks)
    binary = np.zeros(k, dtype=bool)
    low, high = np.zeros(k), np.ones(k)
    declared = kind if isinstance(kind, Mapping) else {b: kind for b in benchmarks}
    is01 = (score == 0.0) | (score == 1.0)
    all01 = np.bincount(bench, weights=~is01, minlength=k) == 0
    for b, name in enumerate(benchmarks):
        spec = declared.get(name) if kind is not None else None
        if spec is None:
            binary[b] = bool(all01[b])
        elif spec == "binary":
            binary[b] = True
        elif isinstance(spec, str) and spec in CORPUS_WIDTHS:
            low[b], high[b] = 0.0, 100.0
        elif isinstance(spec, tuple) and len(spec) == 2:
            low[b], high[b] = float(spec[0]), float(spec[1])
            if not low[b] < high[b]:
                raise ValueError(f"kind[{name!r}]: the range {spec} is empty")
        elif spec != "continuous":
            raise ValueError(_bad_kind(name, spec))
    bad = binary[bench] & ~is01
    if bad.any():
        name = benchmarks[bench[np.flatnonzero(bad)[0]]]
        raise ValueError(
            f"score: benchmark {name!r} is binary but rows {_rows(bad)} hold other values"
        )
    outside = (score < low[bench]) | (score > high[bench])
    if outside.any():
        b = int(bench[np.flatnonzero(outside)[0]])
        name = benchmarks[b]
        rows = np.flatnonzero(outside & (bench == b))
        raise ValueError(
            f"score: benchmark {name!r} has scores outside [{low[b]:g}, {high[b]:g}] at "
            f"rows {_rows(rows)}; declare its range with kind={{{name!r}: (low, high)}}"
        )
    return binary, low, high


def _corpus_kinds(kind: Mapping[str, Any] | str | None, benchmarks: np.ndarray) -> dict[int, str]:
    """Benchmarks declared as corpus metrics, by code."""
    if kind is None:
        return {}
    declared = kind if isinstance(kind, Mapping) else {b: kind for b in benchmarks}
    out = {}
    for b, name in enumerate(benchmarks):
        spec = declared.get(name)
        if isinstance(spec, str) and spec in CORPUS_WIDTHS:
            out[b] = spec
        elif isinstance(spec, str) and spec not in KINDS:
            raise ValueError(_bad_kind(name, spec))
    return out


def _bad_kind(name: str, spec: Any) -> str:
    return (
        f"kind[{name!r}]: use 'binary', 'continuous', a (low, high) range or a corpus "
        f"metric ({', '.join(CORPUS_WIDTHS)}), got {spec!r}"
    )


def _float_rows(values: Any, rows: np.ndarray, label: str) -> np.ndarray:
    """``rows`` of a numeric column as float64, missing values as NaN."""
    if isinstance(values, (pa.ChunkedArray, pa.Array)):
        values = values.take(pa.array(rows)).to_numpy(zero_copy_only=False)
    else:
        values = np.asarray(values)[rows]
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{label} must be numeric") from None


def _statistics(
    table: Table,
    statistics: str | Sequence[str] | None,
    corpus: dict[int, str],
    b_codes: np.ndarray,
    benchmarks: np.ndarray,
) -> dict[int, tuple[str, np.ndarray, np.ndarray]]:
    """Per corpus-metric benchmark: (metric, its rows, their statistics (rows, width)), read
    from one column of sequences or from one column per statistic, and checked: the metric's
    width, finite non-negative integers."""
    if not corpus:
        return {}
    if statistics is None:
        names = [str(benchmarks[b]) for b in corpus]
        raise ValueError(
            f"statistics: benchmarks {names} are corpus metrics; name the column of per-item "
            "sufficient statistics (statistics='COLUMN', or a list of columns)"
        )
    out = {}
    for b, metric in corpus.items():
        rows = np.flatnonzero(b_codes == b)
        if isinstance(statistics, str):
            column = table.column(statistics, "statistics")
            if isinstance(column, (pa.ChunkedArray, pa.Array)):
                cells = column.take(pa.array(rows)).to_pylist()
            else:
                cells = list(np.asarray(column, dtype=object)[rows])
            widths = np.array([len(c) if hasattr(c, "__len__") else -1 for c in cells])
            width = CORPUS_WIDTHS[metric]
            bad = np.flatnonzero(widths != width)
            if len(bad):
                raise ValueError(
                    f"statistics: benchmark {benchmarks[b]!r} is {metric!r}, whose statistics "
                    f"have {width} values; rows {_rows(rows[bad])} do not"
                )
            stats = _float_rows(cells, np.arange(len(cells)), f"results[{statistics!r}]")
        else:
            names = list(statistics)
            if len(names) != CORPUS_WIDTHS[metric]:
                raise ValueError(
                    f"statistics: benchmark {benchmarks[b]!r} is {metric!r}, whose statistics "
                    f"have {CORPUS_WIDTHS[metric]} values; {len(names)} columns were named"
                )
            stats = np.column_stack(
                [_float_rows(table.column(c, "statistics"), rows, f"results[{c!r}]") for c in names]
            )
        bad = ~np.all(np.isfinite(stats) & (stats >= 0) & (stats == np.round(stats)), axis=1)
        if bad.any():
            raise ValueError(
                f"statistics: rows {_rows(rows[bad])} of benchmark {benchmarks[b]!r} are not "
                "finite non-negative integers"
            )
        out[b] = (metric, rows, stats)
    return out


def _check_repeats(
    m: np.ndarray, b: np.ndarray, i: np.ndarray, v: np.ndarray, n_models: int, n_variants: int
) -> None:
    """Each (model, benchmark, item, variant) once, counted per slot in one pass."""
    width = int(i.max()) + 1
    _, unit = unique_codes(b.astype(np.int64) * width + i)
    slot = (unit * n_models + m) * n_variants + v
    _, slot_codes = unique_codes(slot)
    counts = np.bincount(slot_codes)
    if (counts > 1).any():
        seen = np.zeros(len(counts), dtype=bool)
        dup = np.zeros(len(slot_codes), dtype=bool)
        for row in np.flatnonzero(counts[slot_codes] > 1):
            dup[row] = seen[slot_codes[row]]
            seen[slot_codes[row]] = True
        raise ValueError(
            f"results: (model, benchmark, item, variant) given more than once at rows {_rows(dup)}"
        )


def _names(values: np.ndarray) -> np.ndarray:
    """Category labels as an object array of Python str."""
    out = np.empty(len(values), dtype=object)
    out[:] = [str(v) for v in values]
    return out


def _baselines(
    baseline: Mapping[str, float] | None, benchmarks: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    out: np.ndarray = low.copy()
    for name, value in (baseline or {}).items():
        hits = np.flatnonzero(benchmarks == name)
        if not len(hits):
            raise ValueError(f"baseline: no benchmark {name!r} in the results")
        b = int(hits[0])
        if not (isinstance(value, (int, float)) and math.isfinite(value)) or not (
            low[b] <= value < high[b]
        ):
            raise ValueError(
                f"baseline[{name!r}] must be a number in [{low[b]:g}, {high[b]:g}), got {value!r}"
            )
        out[b] = float(value)
    return out


def report(
    results: Any,
    *,
    model: str = "model",
    benchmark: str = "benchmark",
    item: str = "item",
    score: str = "score",
    axes: Mapping[str, str] | None = None,
    kind: Mapping[str, Any] | str | None = None,
    statistics: str | Sequence[str] | None = None,
    baseline: Mapping[str, float] | None = None,
    cluster: str | None = None,
    group: str | None = None,
    variant: str | None = None,
    original: str = "original",
    confidence: str | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> AxisReport:
    """A per-axis report from a long table of per-item scores.

    Parameters
    ----------
    results
        Any table the intake reads (pandas, polars, pyarrow, dict of columns, CSV / JSONL /
        Parquet path) with one row per model × benchmark × item.
    model, benchmark, item, score : str
        Column names. Scores are numbers; NaN is an error.
    axes : dict, optional
        Benchmark → axis, overriding the built-in mapping (``assay.axes.BENCHMARK_AXES``).
        A benchmark on no axis is an error.
    kind : dict or str, optional
        Per benchmark (or for all): ``"binary"`` (0/1), ``"continuous"`` on [0, 1], or a
        ``(low, high)`` range. Default: binary when every score is 0 or 1, else [0, 1].
        Scores outside the range are an error. A corpus metric (``"bleu"``, ``"chrf"``,
        ``"chrf++"``) is scored on the sum of per-item sufficient statistics, as sacrebleu
        scores a corpus (its range is [0, 100]).
    statistics : str or list of str, optional
        For corpus-metric benchmarks (whose ``score`` values are not used, but must be numbers or
        missing): the column holding each item's sufficient statistics as
        a sequence, or one column per statistic (``assay.axes.corpus_statistics`` computes
        them). Their errors and intervals come from a bootstrap over items (clusters).
    baseline : dict, optional
        Benchmark → the random-guess score (e.g. 1/k for k-way multiple choice), for the
        normalized score. Default: the bottom of the range.
    cluster : str, optional
        Column of cluster ids (items sharing a passage, a template, a source): errors and
        intervals are cluster-robust, and bootstraps resample clusters.
    group : str, optional
        Column of subgroups (language, demographic): per-subgroup rows in ``table`` and the
        fairness gaps in ``groups``.
    variant, original : str, optional
        Column naming each row's version of the item (e.g. original / typo / paraphrase), and
        the label of the unperturbed version. ``table`` then scores the original versions, and
        ``robustness`` gives HELM's worst case over each item's versions and the consistency
        rate (the share of items scored alike in every version).
    confidence : str, optional
        Column of the model's confidence in its answer (in [0, 1], binary scores): the
        ``calibration`` table gives HELM's 10-bin equal-mass expected calibration error with a
        bootstrap interval.
    n_boot, seed : int
        Bootstrap rounds and seed for the subgroup gaps and the paired tests.
    level : float
        Interval level.
    """
    n_boot = integer(n_boot, "n_boot", 1, MAX_BOOT)
    seed = integer(seed, "seed", 0, (1 << 64) - 1)
    level = number(level, "level", 0.0, 1.0, low_open=True, high_open=True)
    table = Table(results, "results")
    if len(table) == 0:
        raise ValueError("results is empty")
    y = table.numeric(score, "score", nulls=True)  # missing scores are named below
    m_codes, models = factorize(table.column(model, "model"), f"results[{model!r}]")
    b_codes, benchmarks = factorize(table.column(benchmark, "benchmark"), f"results[{benchmark!r}]")
    corpus = _corpus_kinds(kind, _names(benchmarks))
    if corpus:  # scores of corpus benchmarks are their statistics': a placeholder marks presence
        y = y.copy()  # the column may be the caller's memory
        y[np.isin(b_codes, list(corpus))] = 0.0
    nan = np.isnan(y) | np.isinf(y)
    if nan.any():
        raise ValueError(f"score: rows {_rows(nan)} hold NaN or infinite scores")
    i_codes, items_seen = factorize(table.column(item, "item"), f"results[{item!r}]")
    models, benchmarks = _names(models), _names(benchmarks)
    c_codes = g_codes = groups = None
    if cluster is not None:
        c_codes = factorize(table.column(cluster, "cluster"), f"results[{cluster!r}]")[0]
    if group is not None:
        g_codes, groups = factorize(table.column(group, "group"), f"results[{group!r}]")
        groups = _names(groups)
    v_codes = variants = None
    if variant is not None:
        v_codes, variants = factorize(table.column(variant, "variant"), f"results[{variant!r}]")
        variants = _names(variants)
        _check_repeats(m_codes, b_codes, i_codes, v_codes, len(models), len(variants))
    # without variant=, the layout names repeated (model, benchmark, item) rows
    conf = None
    if confidence is not None:
        conf = table.numeric(confidence, "confidence")
        bad = ~((conf >= 0) & (conf <= 1))
        if bad.any():
            raise ValueError(f"confidence: rows {_rows(bad)} are not in [0, 1]")

    axis_names = []
    for name in benchmarks:
        a = axis_of(name, axes)
        if a is None:
            raise ValueError(
                f"axes: benchmark {name!r} is mapped to no axis; pass axes={{{name!r}: AXIS}}"
            )
        axis_names.append(a)
    axis_names_arr = np.array(axis_names, dtype=object)
    binary, low, high = _kinds(kind, benchmarks, y, b_codes)
    base = _baselines(baseline, benchmarks, low, high)
    corpus_stats = _statistics(table, statistics, corpus, b_codes, benchmarks)
    robustness_out = keep = None
    if v_codes is not None and variants is not None:
        if corpus:
            names = [str(benchmarks[b]) for b in corpus]
            raise ValueError(
                f"variant: benchmarks {names} are corpus metrics, which have no per-item "
                "scores to take the worst case of; report them without variant="
            )
        hits = np.flatnonzero(variants == original)
        if not len(hits):
            raise ValueError(
                f"variant: no row has the original label {original!r}; labels are "
                f"{list(variants)[:10]} (pass original=...)"
            )
        robustness_out = robustness(
            m_codes,
            b_codes,
            i_codes,
            y,
            v_codes,
            int(hits[0]),
            c_codes,
            models,
            benchmarks,
            z_value(level),
        )
        keep = v_codes == hits[0]
    calibration_out = None
    if conf is not None:
        if not binary.all():
            names = list(benchmarks[~binary])
            raise ValueError(f"confidence: calibration needs binary scores; {names} are not")
        rows = slice(None) if keep is None else keep
        calibration_out = calibration(
            m_codes[rows], b_codes[rows], y[rows], conf[rows], models, benchmarks, n_boot, seed,
            level,
        )  # fmt: skip

    dense = build_dense(
        m_codes, b_codes, i_codes, y, c_codes, g_codes, len(models), len(benchmarks),
        len(items_seen), keep, corpus_stats,
    )  # fmt: skip
    del m_codes, b_codes, i_codes, y, c_codes, g_codes  # the layout holds them from here on
    items = _Items(models, benchmarks, groups, binary, base, high, dense)
    z = z_value(level)
    frames = [_cells(items, _moments(items), axis_names_arr, level, n_boot, seed)]
    group_moments = None
    if groups is not None:
        group_moments = _moments(items, len(groups))
        frames.append(_cells(items, group_moments, axis_names_arr, level, n_boot, seed))
    table_out = pd.concat(frames, ignore_index=True)[TABLE_COLUMNS]
    groups_out = None if group_moments is None else _gaps(items, group_moments, n_boot, seed, level)
    return AxisReport(
        table=table_out,
        axes=_axis_scores(table_out, items, z),
        groups=groups_out,
        robustness=robustness_out,
        calibration=calibration_out,
        level=level,
        n_boot=n_boot,
        seed=seed,
        _items=items,
    )


def _moments(items: _Items, n_groups: int | None = None) -> Moments:
    """Per cell (model × benchmark (× subgroup with ``n_groups``)): n, n_clusters, mean and
    the naive and cluster-robust standard errors, from the layout in one native pass."""
    dense = items.dense
    n, n_clusters, mean, se, se_cluster = _native.axes_moments(
        dense.scores, dense.starts, dense.cluster,
        None if n_groups is None else dense.group, n_groups or 1,
    )  # fmt: skip
    return Moments(n.astype(np.int64), n_clusters.astype(np.int64), mean, se, se_cluster, n_groups)


def _cells(
    items: _Items, stats: Moments, axis_names: np.ndarray, level: float, n_boot: int,
    seed: int,
) -> pd.DataFrame:  # fmt: skip
    """Table rows of every present cell; per subgroup when ``stats`` are per subgroup."""
    z = z_value(level)
    n_bench = len(items.benchmarks)
    g = stats.n_groups
    n_groups = g or 1
    idx = np.flatnonzero(stats.n > 0)
    m, rest = np.divmod(idx, n_bench * n_groups)
    b, gi = np.divmod(rest, n_groups)
    est, se, se_c = stats.mean[idx], stats.se[idx], stats.se_cluster[idx]
    n = stats.n[idx]
    low, high = est - z * se_c, est + z * se_c
    if items.dense.cluster is None:
        binary = items.binary[b]
        w_low, w_high = wilson(est[binary] * n[binary], n[binary].astype(np.float64), z)
        low[binary], high[binary] = w_low, w_high
    n_clusters = stats.n_clusters[idx]
    for j in np.flatnonzero(np.isin(b, list(items.dense.corpus))):
        cell = _corpus_cell(items, int(m[j]), int(b[j]), None if g is None else int(gi[j]),
                            n_boot, seed, (1 - level) / 2)  # fmt: skip
        est[j], se[j], se_c[j] = cell.estimate, cell.se, cell.se_cluster
        low[j], high[j], n_clusters[j] = cell.ci_low, cell.ci_high, cell.n_clusters
    normalized = normalize(est, items.baseline[b], items.high[b])
    return pd.DataFrame(
        {
            "model": items.models[m],
            "benchmark": items.benchmarks[b],
            "axis": axis_names[b],
            "group": None if g is None else items.groups[gi],  # type: ignore[index]
            "n": n,
            "n_clusters": n_clusters,
            "estimate": est,
            "se": se,
            "se_cluster": se_c,
            "ci_low": low,
            "ci_high": high,
            "normalized": normalized,
        }
    )


def _corpus_cell(
    items: _Items, m: int, b: int, g: int | None, n_boot: int, seed: int, tail: float
) -> CorpusCell:
    """A corpus-metric cell from the dense layout: model m's items of benchmark b (in
    subgroup g)."""
    dense = items.dense
    s, e = int(dense.starts[b]), int(dense.starts[b + 1])
    keep = ~np.isnan(dense.scores[s:e, m])
    if g is not None:
        assert dense.group is not None
        keep &= dense.group[s:e] == g
    cluster = None if dense.cluster is None else dense.cluster[s:e][keep]
    rng = np.random.default_rng([seed, b, m] if g is None else [seed, b, m, g])
    block = dense.corpus[b]
    return corpus_cell(block.metric, block.stats[keep, m], cluster, n_boot, rng, tail)


def _axis_scores(table: pd.DataFrame, items: _Items, z: float) -> pd.DataFrame:
    overall = table[table.group.isna()].copy()
    code = {name: i for i, name in enumerate(items.benchmarks)}
    b = np.array([code[n] for n in overall.benchmark], dtype=np.int64)
    scale = points_per_unit(items.baseline[b], items.high[b])
    overall["var"] = (overall["se_cluster"].to_numpy() * scale) ** 2
    rows = []
    for (model, axis), part in overall.groupby(["model", "axis"], sort=False):
        k = len(part)
        score = float(part["normalized"].mean())
        se = math.sqrt(float(part["var"].sum())) / k
        rows.append(
            {
                "model": model,
                "axis": axis,
                "score": score,
                "se": se,
                "ci_low": score - z * se,
                "ci_high": score + z * se,
                "n_benchmarks": k,
            }
        )
    return pd.DataFrame(rows, columns=AXES_COLUMNS)


def _gaps(items: _Items, stats: Moments, n_boot: int, seed: int, level: float) -> pd.DataFrame:
    """Worst subgroup and the max − min gap of subgroup means per model × benchmark, with a
    percentile interval from resampling items within each subgroup: for binary scores the
    resampled count of successes is drawn from its binomial law directly (the same
    distribution as drawing items; natively, each model × benchmark its own stream), for other
    scores one set of item draws serves every model that has all the subgroup's items."""
    dense, groups = items.dense, items.groups
    assert dense.group is not None and groups is not None
    tail = (1 - level) / 2
    n_models = len(items.models)
    shape = (n_models, len(items.benchmarks), len(groups))
    cell_n, cell_mean = stats.n.reshape(shape), stats.mean.reshape(shape)
    # only binary benchmarks' cells are drawn: the others count as empty
    binary_n = (stats.n.reshape(shape) * items.binary[None, :, None]).astype(np.uint64).ravel()
    drawn = _native.axes_binomial_gaps(binary_n, stats.mean, *shape, n_boot, seed, tail)
    binomial_low, binomial_high = (a.reshape(shape[:2]) for a in drawn)
    rows = []
    for b in range(len(items.benchmarks)):
        present = np.flatnonzero(cell_n[:, b, :].any(axis=0))
        if len(present) < 2:
            continue
        rng = np.random.default_rng([seed, b, len(present)])
        if b in dense.corpus:
            rows += _corpus_gaps(items, b, present, rng, n_boot, tail)
            continue
        s, e = int(dense.starts[b]), int(dense.starts[b + 1])
        means = np.full((len(present), n_models), np.nan)
        boot = np.full((0 if items.binary[b] else n_boot, len(present), n_models), np.nan)
        for j, k in enumerate(present):
            counts = cell_n[:, b, k]
            has = counts > 0
            means[j] = np.where(has, cell_mean[:, b, k], np.nan)
            if items.binary[b]:  # the intervals come from the native binomial draws
                continue
            yg = dense.scores[s:e][dense.group[s:e] == k]
            full = counts == len(yg)
            if full.any():
                weights = resample_counts(n_boot, len(yg), rng)
                boot[:, j, full] = weights @ yg[:, full] / len(yg)
            for m in np.flatnonzero(has & ~full):
                own = yg[~np.isnan(yg[:, m]), m]
                draws = rng.integers(0, len(own), size=(n_boot, len(own)))
                boot[:, j, m] = own[draws].mean(axis=1)
        for m in range(n_models):
            seen = ~np.isnan(means[:, m])
            if seen.sum() < 2:
                continue
            if items.binary[b]:
                low, high = float(binomial_low[m, b]), float(binomial_high[m, b])
            else:
                gaps = np.nanmax(boot[:, seen, m], axis=1) - np.nanmin(boot[:, seen, m], axis=1)
                low, high = float(np.quantile(gaps, tail)), float(np.quantile(gaps, 1 - tail))
            worst = np.flatnonzero(seen)[int(np.argmin(means[seen, m]))]
            rows.append(
                {
                    "model": items.models[m],
                    "benchmark": items.benchmarks[b],
                    "worst_group": groups[present[worst]],
                    "gap": float(np.nanmax(means[:, m]) - np.nanmin(means[:, m])),
                    "gap_ci_low": low,
                    "gap_ci_high": high,
                }
            )
    return pd.DataFrame(rows, columns=GROUPS_COLUMNS)


def _corpus_gaps(
    items: _Items,
    b: int,
    present: np.ndarray,
    rng: np.random.Generator,
    n_boot: int,
    tail: float,
) -> list[dict[str, Any]]:
    """Fairness rows of a corpus-metric benchmark: each subgroup's corpus score, the gap
    between the best and the worst, and its percentile interval from resampling items within
    each subgroup and re-scoring the resampled sums."""
    dense, groups = items.dense, items.groups
    assert dense.group is not None and groups is not None
    s, e = int(dense.starts[b]), int(dense.starts[b + 1])
    block = dense.corpus[b]
    g = dense.group[s:e]
    rows = []
    for m in range(len(items.models)):
        has = ~np.isnan(dense.scores[s:e, m])
        scores, boots, seen = [], [], []
        for j, k in enumerate(present):
            stats = block.stats[(g == k) & has, m]
            if not len(stats):
                continue
            n = len(stats)
            draws = resample_counts(n_boot, n, rng)
            scores.append(corpus_score(block.metric, stats.sum(axis=0)))
            boots.append(resampled_scores(block.metric, stats, np.arange(n), n, draws))
            seen.append(j)
        if len(seen) < 2:
            continue
        boot = np.array(boots)
        gaps = boot.max(axis=0) - boot.min(axis=0)
        rows.append(
            {
                "model": items.models[m],
                "benchmark": items.benchmarks[b],
                "worst_group": groups[present[seen[int(np.argmin(scores))]]],
                "gap": float(max(scores) - min(scores)),
                "gap_ci_low": float(np.quantile(gaps, tail)),
                "gap_ci_high": float(np.quantile(gaps, 1 - tail)),
            }
        )
    return rows


ROBUSTNESS_COLUMNS = [
    "model", "benchmark", "n_items", "original", "worst_case", "worst_case_se", "consistency",
]  # fmt: skip
CALIBRATION_COLUMNS = ["model", "benchmark", "n", "ece", "ci_low", "ci_high"]


def robustness(
    m: np.ndarray,
    b: np.ndarray,
    i: np.ndarray,
    y: np.ndarray,
    v: np.ndarray,
    original: int,
    c: np.ndarray | None,
    models: np.ndarray,
    benchmarks: np.ndarray,
    z: float,
) -> pd.DataFrame:
    """Per model × benchmark: the mean on original versions, HELM's worst case (each item's
    lowest score over its versions, averaged, with a cluster-robust error) and the share of
    items scored alike in every version."""
    m, b, i = m.astype(np.int64), b.astype(np.int64), i.astype(np.int64)
    width = int(i.max()) + 1
    unit = (m * len(benchmarks) + b) * width + i
    units, inverse = np.unique(unit, return_inverse=True)
    worst = np.full(len(units), np.inf)
    best = np.full(len(units), -np.inf)
    np.minimum.at(worst, inverse, y)
    np.maximum.at(best, inverse, y)
    pair = units // width
    pairs, owner = np.unique(pair, return_inverse=True)
    unit_cluster = None
    if c is not None:
        unit_cluster = np.zeros(len(units), dtype=np.int64)
        unit_cluster[inverse] = c
    stats = cell_statistics(owner, worst, unit_cluster, len(pairs))
    is_original = v == original
    row_pair = np.searchsorted(pairs, (m * len(benchmarks) + b)[is_original])
    orig_n = np.bincount(row_pair, minlength=len(pairs))
    orig_sum = np.bincount(row_pair, weights=y[is_original], minlength=len(pairs))
    consistent = np.bincount(owner, weights=(worst == best).astype(np.float64))
    mm, bb = np.divmod(pairs, len(benchmarks))
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "model": models[mm],
                "benchmark": benchmarks[bb],
                "n_items": stats["n"],
                "original": orig_sum / orig_n,
                "worst_case": stats["estimate"],
                "worst_case_se": stats["se_cluster"],
                "consistency": consistent / stats["n"],
            },
            columns=ROBUSTNESS_COLUMNS,
        )


def calibration(
    m: np.ndarray,
    b: np.ndarray,
    y: np.ndarray,
    conf: np.ndarray,
    models: np.ndarray,
    benchmarks: np.ndarray,
    n_boot: int,
    seed: int,
    level: float,
) -> pd.DataFrame:
    """Per model × benchmark: HELM's 10-bin equal-mass ECE with a percentile bootstrap
    interval over items."""
    rng = np.random.default_rng(seed)
    tail = (1 - level) / 2
    pair = m.astype(np.int64) * len(benchmarks) + b
    rows = []
    for p in np.unique(pair):
        rows_p = np.flatnonzero(pair == p)
        cp, yp = conf[rows_p], y[rows_p]
        value = ece(cp, yp)
        draws = rng.integers(0, len(rows_p), size=(n_boot, len(rows_p)))
        boot = np.array([ece(cp[d], yp[d]) for d in draws])
        mi, bi = divmod(int(p), len(benchmarks))
        rows.append(
            {
                "model": models[mi],
                "benchmark": benchmarks[bi],
                "n": len(rows_p),
                "ece": value,
                "ci_low": float(np.quantile(boot, tail)),
                "ci_high": float(np.quantile(boot, 1 - tail)),
            }
        )
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
