"""assay.axes.agreement against scikit-learn, statsmodels and the krippendorff package, on
real human ratings (TruthfulQA double annotation, SQuALITY, WMT23 MQM)."""

from __future__ import annotations

import pandas as pd
import pytest

from assay import axes

krippendorff = pytest.importorskip("krippendorff")
sklearn_metrics = pytest.importorskip("sklearn.metrics")
inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")


@pytest.fixture(scope="module")
def truthfulqa(shared_data):
    return pd.read_csv(shared_data / "truthfulqa" / "human_judgments_double_annotated.csv")


@pytest.fixture(scope="module")
def squality(shared_data):
    r = pd.read_csv(shared_data / "summaries" / "ratings.csv")
    r["item"] = r.passage_id.astype(str) + ":" + r.question_number.astype(str) + ":" + r.system
    return r


@pytest.fixture(scope="module")
def mqm(shared_data):
    r = pd.read_csv(shared_data / "mt" / "wmt23_ende_sxs_ratings.csv")
    r["item"] = r.system + ":" + r.doc + ":" + r.docSegId.astype(str)
    return r


def long_pairs(frame, column):
    rows = []
    for i, row in frame.iterrows():
        rows.append((i, "annotator1", row[f"{column}_annotator1"]))
        rows.append((i, "annotator2", row[f"{column}_annotator2"]))
    return pd.DataFrame(rows, columns=["item", "rater", "rating"])


def test_cohen_reproduces_the_upstream_report_and_sklearn(truthfulqa, shared_data):
    """The TruthfulQA-multi authors' Cohen's kappa per language (upstream_report_iaa.txt)."""
    report = (shared_data / "truthfulqa" / "upstream_report_iaa.txt").read_text().split()
    langs = [w for w in report if w.isalpha()]
    for lang in langs:
        part = truthfulqa[truthfulqa.lang == lang]
        got = axes.agreement(long_pairs(part, "truthful"), method="cohen", n_boot=200)
        ref = sklearn_metrics.cohen_kappa_score(part.truthful_annotator1, part.truthful_annotator2)
        assert got.value == pytest.approx(ref, abs=1e-12)
        i = report.index(lang)
        assert got.value == pytest.approx(float(report[i + 5]), abs=1e-12)
        info = axes.agreement(long_pairs(part, "informative"), method="cohen", n_boot=50)
        assert info.value == pytest.approx(float(report[i + 6]), abs=1e-12)
        assert got.ci_low <= got.value <= got.ci_high and got.n_items == len(part)


@pytest.mark.parametrize(("level", "weights"), [("ordinal", "linear"), ("interval", "quadratic")])
def test_weighted_cohen_equals_sklearn(squality, level, weights):
    two = squality[squality.worker_id.isin(squality.worker_id.value_counts().index[:2])]
    ratings = two.rename(columns={"worker_id": "rater", "overall_rank": "rating"})
    got = axes.agreement(ratings, method="cohen", level=level, n_boot=50)
    wide = two.pivot(index="item", columns="worker_id", values="overall_rank").dropna()
    ref = sklearn_metrics.cohen_kappa_score(wide.iloc[:, 0], wide.iloc[:, 1], weights=weights)
    assert got.value == pytest.approx(ref, abs=1e-12)
    assert got.n_items == len(wide)


def test_fleiss_equals_statsmodels(squality):
    ratings = squality.rename(columns={"worker_id": "rater", "overall_rank": "rating"})
    got = axes.agreement(ratings, method="fleiss", n_boot=200)
    table = pd.crosstab(squality.item, squality.overall_rank).to_numpy()
    assert got.value == pytest.approx(inter_rater.fleiss_kappa(table, method="fleiss"), abs=1e-12)
    assert got.n_items == squality["item"].nunique() and got.n_raters == 4


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_equals_the_package(squality, mqm, level):
    for frame, rater, column in [
        (squality, "worker_id", "correctness_rating"),
        (mqm, "rater", "mqm_penalty"),
    ]:
        ratings = frame.rename(columns={rater: "rater", column: "rating"})
        got = axes.agreement(ratings, level=level, n_boot=100)
        wide = frame.pivot(index=rater, columns="item", values=column)
        ref = krippendorff.alpha(
            reliability_data=wide.to_numpy(dtype=float), level_of_measurement=level
        )
        assert got.value == pytest.approx(ref, rel=1e-9, abs=1e-12)
        assert got.ci_low <= got.value <= got.ci_high


def test_bootstrap_interval_is_seeded_and_shrinks_with_items(squality):
    ratings = squality.rename(columns={"worker_id": "rater", "overall_rating": "rating"})
    a = axes.agreement(ratings, level="interval", seed=1)
    b = axes.agreement(ratings, level="interval", seed=1)
    assert a == b
    few = ratings[ratings["item"].isin(ratings["item"].unique()[:40])]
    c = axes.agreement(few, level="interval", seed=1)
    assert (c.ci_high - c.ci_low) > (a.ci_high - a.ci_low)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "scott"}, "method: unknown method"),
        ({"level": "categorical"}, "level: unknown level"),
        ({"method": "fleiss", "level": "interval"}, "nominal"),
        ({"method": "cohen"}, "exactly 2 raters"),
        ({"n_boot": 0}, "n_boot"),
        ({"rating": "nope"}, "no column 'nope'"),
    ],
)
def test_bad_input(squality, kwargs, match):
    ratings = squality.rename(columns={"worker_id": "rater", "overall_rank": "rating"})
    with pytest.raises(ValueError, match=match):
        axes.agreement(ratings, **kwargs)


def test_fleiss_needs_equal_raters_and_duplicates_are_errors():
    frame = pd.DataFrame(
        {"item": [1, 1, 2, 2, 2], "rater": ["a", "b", "a", "b", "c"], "rating": [1, 1, 0, 1, 1]}
    )
    with pytest.raises(ValueError, match="item 2 has 3"):
        axes.agreement(frame, method="fleiss")
    twice = pd.DataFrame({"item": [1, 1], "rater": ["a", "a"], "rating": [1, 0]})
    with pytest.raises(ValueError, match="rated twice"):
        axes.agreement(twice)
    text = pd.DataFrame({"item": [1, 1], "rater": ["a", "b"], "rating": ["x", "y"]})
    with pytest.raises((ValueError, TypeError), match="rating"):
        axes.agreement(text, level="interval")
