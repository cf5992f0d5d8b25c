"""assay.axes.report against statsmodels, the Open LLM Leaderboard's published normalization
examples, and real per-item results (M-IFEval, 17 models)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assay import axes

sm = pytest.importorskip("statsmodels.api")
proportion = pytest.importorskip("statsmodels.stats.proportion")
contingency = pytest.importorskip("statsmodels.stats.contingency_tables")
multitest = pytest.importorskip("statsmodels.stats.multitest")


@pytest.fixture(scope="module")
def ifeval(shared_data):
    """Real per-item results: prompt-level strict pass/fail of 17 models on 1,063 prompts.
    Cluster: the prompt's first instruction type (prompts that test the same instruction);
    group: the prompt's language."""
    items = pd.read_csv(shared_data / "ifeval" / "per_item_results.csv")
    first = items.instruction_ids.str.split(";").str[0].str.split(":").str[1]
    return pd.DataFrame(
        {
            "model": items.model,
            "benchmark": "M-IFEval",
            "item": items.lang + ":" + items.key.astype(str),
            "score": items.strict_all.astype(float),
            "instruction": first,
            "lang": items.lang,
        }
    )


@pytest.fixture(scope="module")
def ifeval_report(ifeval):
    return axes.report(ifeval, cluster="instruction", group="lang", n_boot=300)


def test_cluster_robust_errors_equal_statsmodels(ifeval, ifeval_report):
    table = ifeval_report.table
    overall = table[table.group.isna()].set_index("model")
    assert set(overall.axis) == {"instruction_following"}
    for model in ["gpt-4o-2024-08-06", "Qwen__Qwen2.5-0.5B-Instruct-GPTQ-Int4"]:
        part = ifeval[ifeval.model == model]
        y = part.score.to_numpy()
        fit = sm.OLS(y, np.ones(len(y))).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(part.instruction)[0]}
        )
        row = overall.loc[model]
        assert row.estimate == pytest.approx(fit.params[0], rel=1e-12)
        assert row.se_cluster == pytest.approx(fit.bse[0], rel=1e-10)
        naive = sm.OLS(y, np.ones(len(y))).fit()
        assert row.se == pytest.approx(naive.bse[0], rel=1e-10)
        assert row.n == len(y) and row.n_clusters == part.instruction.nunique()
        low, high = fit.conf_int(alpha=0.05)[0]
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-9)
    # per-language rows too
    es = table[(table.group == "es") & (table.model == "gpt-4o-2024-08-06")].iloc[0]
    part = ifeval[(ifeval.model == "gpt-4o-2024-08-06") & (ifeval.lang == "es")]
    fit = sm.OLS(part.score.to_numpy(), np.ones(len(part))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(part.instruction)[0]}
    )
    assert es.se_cluster == pytest.approx(fit.bse[0], rel=1e-10)


def test_wilson_without_clusters_equals_statsmodels(ifeval):
    report = axes.report(ifeval)
    row = report.table.set_index("model").loc["claude-3-opus-20240229"]
    part = ifeval[ifeval.model == "claude-3-opus-20240229"]
    low, high = proportion.proportion_confint(part.score.sum(), len(part), method="wilson")
    assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert row.se_cluster == pytest.approx(row.se)  # every item its own cluster


def test_open_llm_leaderboard_published_examples():
    """The leaderboard's normalization page: GPQA 0.6 with 4 choices -> 46.67; MuSR's three
    subtasks 0.7 / 0.4 / 0.6 with baselines 0.5 / 0.2 / 0.333 -> 40.00, 25.00, 40.03."""
    rows = []
    for bench, raw in [
        ("GPQA", 0.6),
        ("musr:murder_mysteries", 0.7),
        ("musr:object_placement", 0.4),
        ("musr:team_allocation", 0.6),
    ]:
        hits = round(raw * 1000)
        rows += [("m", bench, i, float(i < hits)) for i in range(1000)]
    frame = pd.DataFrame(rows, columns=["model", "benchmark", "item", "score"])
    baselines = {
        "GPQA": 0.25,
        "musr:murder_mysteries": 0.5,
        "musr:object_placement": 0.2,
        "musr:team_allocation": 0.333,
    }
    report = axes.report(frame, baseline=baselines)
    norm = report.table.set_index("benchmark").normalized
    assert round(norm["GPQA"], 2) == 46.67
    assert [round(norm[b], 2) for b in list(baselines)[1:]] == [40.00, 25.00, 40.03]
    by_axis = report.axes.set_index("axis").score
    assert round(by_axis["knowledge"], 2) == 46.67
    assert round(by_axis["reasoning"], 2) == 35.01  # the page: overall MuSR 35.01
    # below the baseline counts as 0
    low = axes.report(frame.assign(score=0.0), baseline=baselines)
    assert (low.table.normalized == 0).all()


def test_axis_scores_combine_benchmarks(ifeval_report):
    row = ifeval_report.axes.set_index("model").loc["gpt-4o-2024-08-06"]
    t = ifeval_report.table
    cell = t[(t.model == "gpt-4o-2024-08-06") & t.group.isna()].iloc[0]
    assert row.score == pytest.approx(cell.estimate * 100)
    assert row.se == pytest.approx(cell.se_cluster * 100)
    assert row.n_benchmarks == 1


def test_fairness_gaps_across_languages(ifeval, ifeval_report):
    groups = ifeval_report.groups.set_index("model")
    row = groups.loc["gpt-4o-2024-08-06"]
    by_lang = ifeval[ifeval.model == "gpt-4o-2024-08-06"].groupby("lang").score.mean()
    assert row.worst_group == by_lang.idxmin() == "ja"
    assert row.gap == pytest.approx(by_lang.max() - by_lang.min())
    assert row.gap_ci_low < row.gap < row.gap_ci_high


def test_binary_gap_interval_equals_resampling_items_within_languages(ifeval):
    """The binomial draws give the interval that resampling each language's items gives: the
    percentiles of 4,000 rounds of each agree to within their Monte Carlo error."""
    model = "gpt-4o-2024-08-06"
    part = ifeval[ifeval.model == model]
    rep = axes.report(part, group="lang", n_boot=4000, seed=1)
    row = rep.groups.iloc[0]
    rng = np.random.default_rng(2)
    by_lang = [g.score.to_numpy() for _, g in part.groupby("lang")]
    boot = np.array(
        [[y[rng.integers(0, len(y), len(y))].mean() for y in by_lang] for _ in range(4000)]
    )
    gaps = boot.max(axis=1) - boot.min(axis=1)
    low, high = np.quantile(gaps, [0.025, 0.975])
    assert row.gap_ci_low == pytest.approx(low, abs=0.012)
    assert row.gap_ci_high == pytest.approx(high, abs=0.012)
    assert rep.groups.iloc[0].gap_ci_high - rep.groups.iloc[0].gap_ci_low > 0.05


def test_compare_mcnemar_and_holm_equal_statsmodels(ifeval, ifeval_report):
    a, b = "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18"
    clustered = ifeval_report.compare(a, b).iloc[0]
    # clustered items are not independent pairs: the test is the cluster bootstrap, and it
    # agrees with the cluster-robust interval
    assert clustered.test == "paired_bootstrap"
    assert (clustered.p_value < 0.05) == (clustered.ci_low > 0 or clustered.ci_high < 0)
    out = axes.report(ifeval).compare(a, b)
    assert list(out.columns) == [
        "model_a", "model_b", "benchmark", "n", "dropped", "difference", "ci_low", "ci_high",
        "test", "p_value", "p_adjusted",
    ]  # fmt: skip
    row = out.iloc[0]
    wide = ifeval.pivot(index="item", columns="model", values="score")
    ya, yb = wide[a].to_numpy(), wide[b].to_numpy()
    table = [
        [np.sum((ya == 1) & (yb == 1)), np.sum((ya == 1) & (yb == 0))],
        [np.sum((ya == 0) & (yb == 1)), np.sum((ya == 0) & (yb == 0))],
    ]
    ref = contingency.mcnemar(table, exact=True)
    assert row.test == "mcnemar_exact"
    assert row.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert row.difference == pytest.approx(ya.mean() - yb.mean())
    assert row.n == 1063 and row.dropped == 0
    from assay.axes._paired import adjust

    p = np.array([0.01, 0.04, 0.03, 0.2, 0.001])
    for method, name in [("holm", "holm"), ("bh", "fdr_bh")]:
        assert adjust(p, method) == pytest.approx(multitest.multipletests(p, method=name)[1])


def test_mcnemar_large_counts_equal_statsmodels():
    from assay.axes._paired import mcnemar_exact

    rng = np.random.default_rng(5)  # synthetic paired outcomes
    for n in [10, 200, 5000]:
        a = rng.integers(0, 2, n)
        b = np.where(rng.random(n) < 0.7, a, 1 - a)
        table = [[np.sum((a == 1) & (b == 1)), np.sum((a == 1) & (b == 0))],
                 [np.sum((a == 0) & (b == 1)), np.sum((a == 0) & (b == 0))]]  # fmt: skip
        ref = contingency.mcnemar(table, exact=True).pvalue
        assert mcnemar_exact(a, b) == pytest.approx(ref, rel=1e-9)


def test_pairwise_and_dropped_items(ifeval):
    three = ["gpt-4o-2024-08-06", "o1-mini-2024-09-12", "claude-3-haiku-20240307"]
    frame = ifeval[ifeval.model.isin(three)]
    gpt = frame.index[frame.model == "gpt-4o-2024-08-06"]
    frame = frame.drop(gpt[:5])  # gpt-4o lacks 5 items
    report = axes.report(frame, cluster="instruction")
    pw = report.pairwise()
    assert len(pw) == 3
    with_gpt = (pw.model_a == "gpt-4o-2024-08-06") | (pw.model_b == "gpt-4o-2024-08-06")
    assert (pw.dropped[with_gpt] == 5).all() and (pw.n[with_gpt] == 1058).all()
    assert (pw.dropped[~with_gpt] == 0).all() and (pw.n[~with_gpt] == 1063).all()
    assert (pw.p_adjusted >= pw.p_value).all()


def test_tiers_do_not_chain(ifeval_report):
    tiers = ifeval_report.tiers()
    assert list(tiers.columns) == ["model", "score", "tier"]
    assert tiers.tier.iloc[0] == 1 and tiers.tier.is_monotonic_increasing
    assert tiers.score.is_monotonic_decreasing
    leaders = tiers.groupby("tier").model.first()
    # the top of the table (o1-preview, claude 3.5 sonnet, gpt-4o, claude 3 opus) differ by
    # less than the noise; the 0.5B model is far below them
    top = tiers.set_index("model").tier
    assert top["gpt-4o-2024-08-06"] == top["claude-3-5-sonnet-20240620"] == 1
    assert top["Qwen__Qwen2.5-0.5B-Instruct-GPTQ-Int4"] == top.max()
    assert len(leaders) >= 4
    assert ifeval_report.tiers("instruction_following").equals(tiers)
    with pytest.raises(ValueError, match="axis: no benchmark"):
        ifeval_report.tiers("coding")


def test_win_rates(ifeval_report):
    rates = ifeval_report.win_rates()
    assert rates.mean_win_rate.between(0, 1).all()
    assert rates.model.iloc[0] == "o1-preview-2024-09-12"
    assert rates.mean_win_rate.mean() == pytest.approx(0.5)


def test_clustered_interval_covers_where_the_naive_one_does_not():
    """Synthetic clustered evaluations (intra-cluster correlation 0.3): the cluster-robust
    interval covers the true mean in >= 94 % of 2,000 simulated evaluations, the naive one
    visibly less."""
    rng = np.random.default_rng(11)
    clusters, per, icc, sims = 60, 10, 0.3, 2000
    hits_robust = hits_naive = 0
    cluster_ids = np.repeat(np.arange(clusters), per)
    for _ in range(sims):
        shared = rng.normal(0, math.sqrt(icc), clusters)[cluster_ids]
        score = shared + rng.normal(0, math.sqrt(1 - icc), clusters * per)
        frame = {
            "model": np.zeros(len(score), dtype=np.int64),
            "benchmark": np.full(len(score), "sim", dtype=object),
            "item": np.arange(len(score)),
            "score": score,
            "cluster": cluster_ids,
        }
        report = axes.report(
            frame, axes={"sim": "reasoning"}, kind={"sim": (-10.0, 10.0)}, cluster="cluster"
        )
        row = report.table.iloc[0]
        hits_robust += row.ci_low <= 0 <= row.ci_high
        half = 1.959963984540054 * row.se
        hits_naive += row.estimate - half <= 0 <= row.estimate + half
    print(f"coverage: cluster-robust {hits_robust / sims:.3f}, naive {hits_naive / sims:.3f}")
    assert hits_robust / sims >= 0.94
    assert hits_naive / sims < 0.85


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (lambda f: f.assign(score=np.where(f.index == 3, np.nan, f.score)), {}, r"rows \[3\]"),
        (lambda f: pd.concat([f, f.iloc[[7]]], ignore_index=True), {}, "more than once at rows"),
        (lambda f: f.assign(score=f.score * 2), {"kind": "binary"}, "binary but rows"),
        (lambda f: f.assign(score=f.score * 2 - 0.5), {}, "outside"),
        (lambda f: f.assign(benchmark="my-bench"), {}, "mapped to no axis"),
        (lambda f: f, {"axes": {"M-IFEval": "vibes"}}, "unknown axis 'vibes'"),
        (lambda f: f, {"baseline": {"M-IFEval": 1.5}}, "baseline"),
        (lambda f: f, {"baseline": {"GPQA": 0.25}}, "no benchmark 'GPQA'"),
        (lambda f: f, {"kind": {"M-IFEval": "ordinal"}}, "kind"),
        (lambda f: f, {"cluster": "nope"}, "no column 'nope'"),
        (lambda f: f.iloc[:0], {}, "results is empty"),
        (lambda f: f, {"n_boot": 0}, "n_boot"),
        (lambda f: f, {"seed": -1}, "seed"),
        (lambda f: f, {"level": 95}, "level"),
    ],
)
def test_bad_input(ifeval, change, kwargs, match):
    frame = change(ifeval[ifeval.model == "gpt-4o-2024-08-06"].reset_index(drop=True))
    with pytest.raises(ValueError, match=match):
        axes.report(frame, **kwargs)


def test_compare_bad_input(ifeval_report):
    with pytest.raises(ValueError, match="model_a: no model 'x'"):
        ifeval_report.compare("x", "gpt-4o-2024-08-06")
    with pytest.raises(ValueError, match="same model"):
        ifeval_report.compare("gpt-4o-2024-08-06", "gpt-4o-2024-08-06")
    with pytest.raises(ValueError, match="unknown method"):
        ifeval_report.compare("gpt-4o-2024-08-06", "o1-mini-2024-09-12", correction="bonf")


def test_single_cluster_and_one_item_are_flagged_as_nan():
    frame = {
        "model": ["m", "m", "m"],
        "benchmark": ["GPQA", "GPQA", "MMLU"],
        "item": [1, 2, 1],
        "score": [1.0, 0.0, 1.0],
        "cluster": ["c", "c", "d"],
    }
    t = axes.report(frame, cluster="cluster").table.set_index("benchmark")
    assert math.isnan(t.se_cluster["GPQA"]) and t.n_clusters["GPQA"] == 1
    assert math.isnan(t.se["MMLU"]) and t.n["MMLU"] == 1


def test_cli_prints_report_writes_table_and_plots(data_dir, tmp_path, capsys):
    from assay.cli import main

    mapping = tmp_path / "axes.json"
    mapping.write_text('{"M-IFEval": "instruction_following"}')
    out, plot = tmp_path / "report.csv", tmp_path / "profile.png"
    code = main(
        [
            "axes",
            str(data_dir / "axes" / "ifeval_per_item.csv"),
            "--axes",
            str(mapping),
            "--cluster",
            "instruction",
            "--group",
            "lang",
            "--n-boot",
            "200",
            "--out",
            str(out),
            "--plot",
            str(plot),
        ]
    )
    captured = capsys.readouterr()
    text = captured.out
    assert code == 0
    assert "paired comparisons" in captured.err  # the progress bar over the resampling
    assert "tiers" in text and "subgroup gaps (lang)" in text
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "model", "benchmark", "axis", "group", "n", "n_clusters", "estimate", "se",
        "se_cluster", "ci_low", "ci_high", "normalized",
    ]  # fmt: skip
    assert len(table) == 17 * 5  # overall and four languages
    assert plot.stat().st_size > 10_000
    assert (tmp_path / "profile_pairwise.png").stat().st_size > 10_000


def test_cli_errors_are_messages(data_dir, tmp_path, capsys):
    from assay.cli import main

    results = str(data_dir / "axes" / "ifeval_per_item.csv")
    assert main(["axes", results, "--cluster", "nope"]) == 1
    assert "no column 'nope'" in capsys.readouterr().err
    assert main(["axes", results, "--out", str(tmp_path / "no" / "x.csv")]) == 1
    assert "--out" in capsys.readouterr().err
    assert main(["axes", results, "--axes", str(tmp_path / "none.json")]) == 1
    assert "--axes" in capsys.readouterr().err


def test_demo_prints_the_axes_section():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "assay", "demo"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "Per-axis report: M-IFEval per-item results of 17 models" in out.stdout
    assert "gpt-4o vs gpt-4o-mini on the same 1063 prompts" in out.stdout
    assert "axes_profile.png" in out.stdout
