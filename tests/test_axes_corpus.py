"""Corpus metrics (BLEU, chrF, chrF++) as a benchmark kind of assay.axes.report, against
sacrebleu itself on real WMT23 translations (9 systems, 104 paragraphs of 17 documents): the
estimates are sacrebleu's corpus scores, and the bootstrap errors, intervals and paired tests
equal a bootstrap written here that re-scores the resampled texts with sacrebleu."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay import axes

sacrebleu = pytest.importorskip("sacrebleu")

SCORERS = {
    "bleu": lambda h, r: sacrebleu.corpus_bleu(h, [r]).score,
    "chrf": lambda h, r: sacrebleu.corpus_chrf(h, [r]).score,
    "chrf++": lambda h, r: sacrebleu.corpus_chrf(h, [r], word_order=2).score,
}


@pytest.fixture(scope="module")
def wmt(data_dir):
    """Real WMT23 en→de paragraphs: per-system translations, the human reference, and each
    paragraph's document (the cluster) and position (the subgroup: a document's lead paragraph
    or its body)."""
    path = data_dir / "mt" / "wmt23_ende.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    systems = [s for s in rows[0]["targets"] if s != "refA"][:4]
    return {
        "hyps": {s: [r["targets"][s] for r in rows] for s in systems},
        "ref": [r["targets"]["refA"] for r in rows],
        "doc": [r["doc"] for r in rows],
        "domain": ["lead" if r["docSegId"] == 1 else "body" for r in rows],
    }


def results(wmt, metric: str, benchmark: str = "wmt23") -> pd.DataFrame:
    frames = []
    for system, hyps in wmt["hyps"].items():
        stats = axes.corpus_statistics(metric, hyps, wmt["ref"])
        frames.append(
            pd.DataFrame(
                {
                    "model": system,
                    "benchmark": benchmark,
                    "item": np.arange(len(hyps)),
                    "score": np.nan,
                    "stats": list(stats),
                    "doc": pd.factorize(pd.Series(wmt["doc"]))[0],
                    "domain": wmt["domain"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def report(frame: pd.DataFrame, metric: str, **kw):
    return axes.report(
        frame, kind={"wmt23": metric}, statistics="stats", axes={"wmt23": "knowledge"}, **kw
    )


@pytest.mark.parametrize("metric", list(SCORERS))
def test_estimates_are_sacrebleus_corpus_scores(wmt, metric):
    rep = report(results(wmt, metric), metric, group="domain", n_boot=20)
    table = rep.table
    score = SCORERS[metric]
    for system, hyps in wmt["hyps"].items():
        row = table[(table.model == system) & table.group.isna()].iloc[0]
        assert row.estimate == score(hyps, wmt["ref"])  # the same float
        assert row.normalized == row.estimate  # range [0, 100], baseline 0
        assert row.n == len(hyps)
        for domain in sorted(set(wmt["domain"])):
            keep = [d == domain for d in wmt["domain"]]
            sub = table[(table.model == system) & (table.group == domain)].iloc[0]
            expected = score(
                [h for h, k in zip(hyps, keep, strict=True) if k],
                [r for r, k in zip(wmt["ref"], keep, strict=True) if k],
            )
            assert sub.estimate == expected


def oracle_bootstrap(hyps, ref, codes, k, n_boot, rng, score):
    """Corpus scores of resampled clusters, each resample re-scored by sacrebleu from texts,
    with the draws numpy makes for k clusters per round."""
    draws = rng.integers(0, k, size=(n_boot, k), dtype=np.int64)
    members = [np.flatnonzero(codes == c) for c in range(k)]
    out = []
    for row in draws:
        picked = np.concatenate([members[c] for c in row])
        out.append(score([hyps[i] for i in picked], [ref[i] for i in picked]))
    return np.array(out)


def test_cluster_bootstrap_equals_resampling_the_texts(wmt):
    n_boot, seed = 40, 7
    frame = results(wmt, "bleu")
    rep = report(frame, "bleu", cluster="doc", n_boot=n_boot, seed=seed)
    docs = pd.factorize(pd.Series(wmt["doc"]))[0]
    n, k = len(docs), int(docs.max()) + 1
    for m, (system, hyps) in enumerate(wmt["hyps"].items()):
        rng = np.random.default_rng([seed, 0, m])
        items = oracle_bootstrap(hyps, wmt["ref"], np.arange(n), n, n_boot, rng, SCORERS["bleu"])
        clusters = oracle_bootstrap(hyps, wmt["ref"], docs, k, n_boot, rng, SCORERS["bleu"])
        row = rep.table[rep.table.model == system].iloc[0]
        assert row.n_clusters == k
        assert row.se == pytest.approx(np.std(items, ddof=1), rel=1e-12)
        assert row.se_cluster == pytest.approx(np.std(clusters, ddof=1), rel=1e-12)
        low, high = np.quantile(clusters, [0.025, 0.975])
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)


def test_paired_comparison_equals_paired_resampling_of_the_texts(wmt):
    n_boot, seed = 40, 3
    rep = report(results(wmt, "chrf"), "chrf", cluster="doc", n_boot=n_boot, seed=seed)
    systems = list(wmt["hyps"])
    out = rep.compare(systems[0], systems[2])
    row = out.iloc[0]
    score = SCORERS["chrf"]
    ha, hb, ref = wmt["hyps"][systems[0]], wmt["hyps"][systems[2]], wmt["ref"]
    assert row.difference == score(ha, ref) - score(hb, ref)
    assert row.test == "paired_bootstrap" and row.n == len(ref) and row.dropped == 0
    docs = pd.factorize(pd.Series(wmt["doc"]))[0]
    k = int(docs.max()) + 1
    draws = np.random.default_rng([seed, 0, 0, 2]).integers(0, k, size=(n_boot, k))
    members = [np.flatnonzero(docs == c) for c in range(k)]
    diffs = []
    for d in draws:
        picked = np.concatenate([members[c] for c in d])
        sub = [ref[i] for i in picked]
        diffs.append(score([ha[i] for i in picked], sub) - score([hb[i] for i in picked], sub))
    diffs_arr = np.array(diffs)
    low, high = np.quantile(diffs_arr, [0.025, 0.975])
    assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)
    share = min(np.mean(diffs_arr <= 0), np.mean(diffs_arr >= 0))
    assert row.p_value == pytest.approx(min(1.0, 2 * share))
    # tiers and pairwise use the same paired resampling
    assert len(rep.pairwise()) == 6
    assert set(rep.tiers().model) == set(systems)


def test_fairness_gap_of_a_corpus_metric(wmt):
    rep = report(results(wmt, "bleu"), "bleu", group="domain", n_boot=50)
    domains = sorted(set(wmt["domain"]))
    for system, hyps in wmt["hyps"].items():
        scores = {}
        for domain in domains:
            keep = [i for i, d in enumerate(wmt["domain"]) if d == domain]
            scores[domain] = SCORERS["bleu"]([hyps[i] for i in keep], [wmt["ref"][i] for i in keep])
        row = rep.groups[rep.groups.model == system].iloc[0]
        assert row.gap == pytest.approx(max(scores.values()) - min(scores.values()), rel=1e-12)
        assert row.worst_group == min(scores, key=scores.__getitem__)
        assert row.gap_ci_low <= row.gap_ci_high


def test_statistics_as_columns_and_arrow_input(wmt):
    frame = results(wmt, "bleu")
    wide = np.stack(frame.pop("stats").to_list())
    names = [f"s{j}" for j in range(wide.shape[1])]
    for j, name in enumerate(names):
        frame[name] = wide[:, j]
    arrow = pa.Table.from_pandas(frame)
    rep = axes.report(arrow, kind={"wmt23": "bleu"}, statistics=names,
                      axes={"wmt23": "knowledge"}, n_boot=10)  # fmt: skip
    system = next(iter(wmt["hyps"]))
    estimate = rep.table[rep.table.model == system].estimate.iloc[0]
    assert estimate == SCORERS["bleu"](wmt["hyps"][system], wmt["ref"])


def test_corpus_and_per_item_benchmarks_in_one_report(wmt):
    frame = results(wmt, "bleu")
    rng = np.random.default_rng(0)
    other = frame.assign(benchmark="MMLU", score=rng.integers(0, 2, len(frame)).astype(float),
                         stats=None)  # fmt: skip
    both = pd.concat([frame, other], ignore_index=True)
    rep = axes.report(both, kind={"wmt23": "bleu"}, statistics="stats",
                      axes={"wmt23": "knowledge"}, n_boot=10)  # fmt: skip
    mmlu = rep.table[rep.table.benchmark == "MMLU"]
    assert (mmlu.estimate <= 1).all() and len(rep.axes) == len(wmt["hyps"])
    pairs = rep.pairwise()
    assert set(pairs[pairs.benchmark == "MMLU"].test) == {"mcnemar_exact"}
    assert set(pairs[pairs.benchmark == "wmt23"].test) == {"paired_bootstrap"}


def test_missing_items_are_dropped_from_paired_corpus_comparisons(wmt):
    frame = results(wmt, "bleu")
    systems = list(wmt["hyps"])
    frame = frame[~((frame.model == systems[1]) & (frame.item < 10))]
    rep = report(frame, "bleu", n_boot=10)
    row = rep.compare(systems[0], systems[1]).iloc[0]
    assert row.n == len(wmt["ref"]) - 10 and row.dropped == 10
    ha, hb, ref = wmt["hyps"][systems[0]][10:], wmt["hyps"][systems[1]][10:], wmt["ref"][10:]
    assert row.difference == SCORERS["bleu"](ha, ref) - SCORERS["bleu"](hb, ref)


def test_bad_statistics_name_the_column_and_rows(wmt):
    frame = results(wmt, "bleu")
    with pytest.raises(ValueError, match="statistics: benchmarks \\['wmt23'\\] are corpus"):
        axes.report(frame, kind={"wmt23": "bleu"}, axes={"wmt23": "knowledge"})
    with pytest.raises(ValueError, match=r"statistics: .*'chrf'.* 18 values; rows \[0, 1"):
        report(frame, "chrf")
    bad = frame.copy()
    bad.at[5, "stats"] = np.array([-1] + [0] * 9)
    with pytest.raises(ValueError, match="rows \\[5\\] of benchmark 'wmt23' are not finite"):
        report(bad, "bleu")
    with pytest.raises(ValueError, match="2 columns were named"):
        axes.report(frame, kind={"wmt23": "bleu"}, statistics=["a", "b"],
                    axes={"wmt23": "knowledge"})  # fmt: skip
    with pytest.raises(ValueError, match="corpus metric \\(bleu, chrf, chrf\\+\\+\\)"):
        report(frame, "sacrebleu")
    with pytest.raises(ValueError, match="variant: benchmarks \\['wmt23'\\] are corpus"):
        report(frame.assign(version="original"), "bleu", variant="version")
    with pytest.raises(ValueError, match="metric"):
        axes.corpus_statistics("rouge", ["a"], ["a"])


def test_the_callers_score_column_is_left_alone(wmt):
    frame = results(wmt, "bleu")
    frame["score"] = 5.0
    before = frame.score.to_numpy().copy()
    report(frame, "bleu", n_boot=5)
    assert np.array_equal(frame.score.to_numpy(), before)


WORDS = st.sampled_from(["der", "die", "das", "Haus", "ist", "groß", "klein", "rot", ".", ","])
SENTENCE = st.lists(WORDS, min_size=0, max_size=12).map(" ".join)


@given(
    st.lists(st.tuples(SENTENCE, SENTENCE, SENTENCE), min_size=2, max_size=25),
    st.sampled_from(list(SCORERS)),
)
def test_estimates_equal_sacrebleu_on_generated_texts(rows, metric):
    """Synthetic: generated sentences for two models against one reference each."""
    ref = [r for r, _, _ in rows]
    hyps = {"a": [a for _, a, _ in rows], "b": [b for _, _, b in rows]}
    frames = [
        pd.DataFrame(
            {
                "model": m,
                "benchmark": "wmt23",
                "item": range(len(ref)),
                "score": 0.0,
                "stats": list(axes.corpus_statistics(metric, h, ref)),
            }
        )
        for m, h in hyps.items()
    ]
    rep = report(pd.concat(frames, ignore_index=True), metric, n_boot=5)
    for m, h in hyps.items():
        assert rep.table[rep.table.model == m].estimate.iloc[0] == SCORERS[metric](h, ref)
    diff = rep.compare("a", "b").difference.iloc[0]
    assert diff == SCORERS[metric](hyps["a"], ref) - SCORERS[metric](hyps["b"], ref)


def test_cli_reports_a_corpus_benchmark_from_jsonl(wmt, tmp_path, capsys):
    from assay.cli import main

    frame = results(wmt, "bleu")
    frame["stats"] = [list(map(int, x)) for x in frame.stats]
    path = tmp_path / "results.jsonl"
    frame.drop(columns="score").assign(score=0.0).to_json(path, orient="records", lines=True)
    mapping = tmp_path / "axes.json"
    mapping.write_text('{"wmt23": "knowledge"}')
    args = ["axes", str(path), "--axes", str(mapping), "--kind", "wmt23=bleu",
            "--statistics", "stats", "--cluster", "doc", "--n-boot", "20",
            "--out", str(tmp_path / "t.csv")]  # fmt: skip
    assert main(args) == 0
    table = pd.read_csv(tmp_path / "t.csv")
    for system, hyps in wmt["hyps"].items():
        estimate = table[table.model == system].estimate.iloc[0]
        assert estimate == pytest.approx(SCORERS["bleu"](hyps, wmt["ref"]), rel=1e-15)
    assert main(["axes", str(path), "--kind", "wmt23"]) == 1
    assert "--kind: expected BENCHMARK=KIND" in capsys.readouterr().err


def test_one_cluster_gives_no_interval_and_no_test(wmt):
    """With every paragraph in one cluster there is nothing to resample: the errors and the
    interval are NaN and the paired comparison claims nothing (p = 1)."""
    frame = results(wmt, "bleu").assign(doc=0)
    rep = report(frame, "bleu", cluster="doc", n_boot=10)
    assert rep.table.se_cluster.isna().all() and (rep.table.n_clusters == 1).all()
    systems = list(wmt["hyps"])
    row = rep.compare(systems[0], systems[1]).iloc[0]
    assert np.isnan(row.ci_low) and np.isnan(row.ci_high) and row.p_value == 1.0
    assert row.difference == SCORERS["bleu"](wmt["hyps"][systems[0]], wmt["ref"]) - SCORERS["bleu"](
        wmt["hyps"][systems[1]], wmt["ref"]
    )
    with pytest.raises(ValueError, match="seed must be <="):
        report(frame, "bleu", seed=1 << 64)
