"""Per-axis report benchmark: assay's report against a straightforward pandas + statsmodels
implementation of the same report, side by side.

Data (synthetic, labelled as such): 20 models × 50 benchmarks × 10,000 binary items = 10
million rows, items in clusters of 10 (1,000 a benchmark) and 6 subgroups; 1,000 bootstrap
rounds; the report, every pairwise comparison and the tiers. The anchor runs on 5 of the 50
benchmarks and is scaled ×10 (extra_info "scale"): its work is the same on every benchmark.

    python -m pytest benches/bench_axes.py --benchmark-json=axes.json
    python benches/report.py axes.json
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from assay import axes

MODELS, BENCHMARKS, ITEMS, GROUPS, N_BOOT = 20, 50, 10_000, 6, 1000


def results(benchmarks: int = BENCHMARKS) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n = MODELS * benchmarks * ITEMS
    item = np.tile(np.arange(ITEMS), MODELS * benchmarks)
    bench = np.tile(np.repeat(np.arange(benchmarks), ITEMS), MODELS)
    model = np.repeat(np.arange(MODELS), benchmarks * ITEMS)
    skill = rng.normal(0, 0.3, MODELS)[model]
    difficulty = rng.normal(0, 1, benchmarks * ITEMS // 10)[(bench * ITEMS + item) // 10]
    p = 1 / (1 + np.exp(-(0.4 + skill - difficulty)))
    names = np.array([f"bench-{b:02d}" for b in range(benchmarks)], dtype=object)
    return {
        "model": model,
        "benchmark": names[bench],
        "item": item,
        "score": (rng.random(n) < p).astype(np.float64),
        "cluster": item // 10,
        "group": item % GROUPS,
    }


def mapping(benchmarks: int) -> dict[str, str]:
    return {f"bench-{b:02d}": "knowledge" for b in range(benchmarks)}


def assay_report(frame: dict[str, np.ndarray], benchmarks: int) -> tuple[int, int]:
    report = axes.report(
        frame, axes=mapping(benchmarks), cluster="cluster", group="group", n_boot=N_BOOT
    )
    pairs = report.pairwise()
    tiers = report.tiers()
    return len(pairs), len(tiers)


def pandas_statsmodels_report(frame: dict[str, np.ndarray]) -> tuple[int, int]:
    """The same report written the straightforward way: a cluster-robust OLS per cell, a
    bootstrap per subgroup gap and per paired comparison, tiers from the paired z-tests."""
    from statsmodels.regression.linear_model import OLS

    df = pd.DataFrame(frame)
    rng = np.random.default_rng(0)
    rows = []
    for (m, b), part in df.groupby(["model", "benchmark"]):
        y = part.score.to_numpy()
        fit = OLS(y, np.ones(len(y))).fit(cov_type="cluster", cov_kwds={"groups": part.cluster})
        low, high = fit.conf_int()[0]
        means, boots = [], []
        for _, g in part.groupby("group"):
            values = g.score.to_numpy()
            means.append(values.mean())
            draws = rng.integers(0, len(values), size=(N_BOOT, len(values)))
            boots.append(values[draws].mean(axis=1))
        gaps = np.max(boots, axis=0) - np.min(boots, axis=0)
        rows.append((m, b, fit.params[0], fit.bse[0], low, high, np.quantile(gaps, [0.025, 0.975])))
    compared = 0
    for _, part in df.groupby("benchmark"):
        wide = part.pivot(index="item", columns="model", values="score")
        cluster = part.drop_duplicates("item").set_index("item").cluster.loc[wide.index]
        for a, b in itertools.combinations(wide.columns, 2):
            d = pd.Series(wide[a].to_numpy() - wide[b].to_numpy(), index=cluster.to_numpy())
            sums = d.groupby(level=0).sum().to_numpy()
            sizes = d.groupby(level=0).size().to_numpy()
            draws = rng.integers(0, len(sums), size=(N_BOOT, len(sums)))
            boot = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
            np.quantile(boot, [0.025, 0.975])
            compared += 1
    return compared, len(rows)


@pytest.fixture(scope="module")
def full():
    return results()


@pytest.fixture(scope="module")
def tenth():
    return results(BENCHMARKS // 10)


def test_report_assay(benchmark, full):
    benchmark.group = "per-axis report 10M rows"
    benchmark.extra_info.update(impl="assay", scale=1.0, note="report + pairwise + tiers")
    pairs, models = benchmark.pedantic(assay_report, args=(full, BENCHMARKS), rounds=3)
    assert pairs == MODELS * (MODELS - 1) // 2 * BENCHMARKS and models == MODELS


def test_report_pandas_statsmodels(benchmark, tenth):
    benchmark.group = "per-axis report 10M rows"
    benchmark.extra_info.update(
        impl="pandas+statsmodels", scale=10.0, note="5 of 50 benchmarks, scaled x10"
    )
    benchmark.pedantic(pandas_statsmodels_report, args=(tenth,), rounds=1)
