"""Robustness (variants) and calibration (confidences) in assay.axes.report. The data here are
synthetic (labelled as such): the shipped real results carry neither variants nor
confidences."""

from __future__ import annotations

import bisect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay import axes
from assay.axes._calibration import ece

sm = pytest.importorskip("statsmodels.api")


# --- an oracle transcribed from the uncertainty-calibration package (p-lambda), whose
# get_ece_em HELM calls for ece_10_bin: equal-mass bins, bisect_left, plug-in L1 error ---
def _split(sequence, parts):
    size = int(np.ceil(len(sequence) * 1.0 / parts))
    return [sequence[i : i + size] for i in range(0, len(sequence), size)]


def _equal_bins(probs, num_bins=10):
    sorted_probs = sorted(probs)
    num_bins = min(num_bins, len(sorted_probs))
    binned = _split(sorted_probs, num_bins)
    bins = [(binned[i][-1] + binned[i + 1][0]) / 2.0 for i in range(len(binned) - 1)]
    bins.append(1.0)
    return sorted(set(bins))


def oracle_ece(probs, labels, num_bins=10):
    bins = _equal_bins(list(probs), num_bins)
    binned = [[] for _ in bins]
    for p, y in zip(probs, labels, strict=True):
        binned[bisect.bisect_left(bins, p)].append((p, y))
    total = len(probs)
    errors = [abs(np.mean([p - y for p, y in d])) if d else 0.0 for d in binned]
    return float(np.dot([len(d) / total for d in binned], errors))


@given(
    st.lists(
        st.tuples(st.floats(0, 1, allow_nan=False), st.integers(0, 1)), min_size=1, max_size=300
    )
)
def test_ece_equals_the_published_algorithm(pairs):
    probs = np.array([p for p, _ in pairs])
    labels = np.array([y for _, y in pairs], dtype=np.float64)
    assert ece(probs, labels) == pytest.approx(oracle_ece(probs, labels), abs=1e-12)


def synthetic_with_confidence(seed=0, n=2000):
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0.3, 1.0, n)
    over = np.clip(conf - 0.15, 0, 1)  # an overconfident model: right 15 points less often
    return pd.DataFrame(
        {
            "model": ["m"] * n + ["calibrated"] * n,
            "benchmark": "MMLU",
            "item": np.tile(np.arange(n), 2),
            "score": np.concatenate([rng.random(n) < over, rng.random(n) < conf]).astype(float),
            "confidence": np.concatenate([conf, conf]),
        }
    )


def test_calibration_table():
    frame = synthetic_with_confidence()
    report = axes.report(frame, confidence="confidence", n_boot=200)
    cal = report.calibration.set_index("model")
    part = frame[frame.model == "m"]
    assert cal.ece["m"] == pytest.approx(oracle_ece(part.confidence, part.score), abs=1e-12)
    assert cal.ece["m"] > 0.1 > cal.ece["calibrated"]
    assert cal.ci_low["m"] <= cal.ece["m"] <= cal.ci_high["m"]
    assert list(report.calibration.columns) == [
        "model",
        "benchmark",
        "n",
        "ece",
        "ci_low",
        "ci_high",
    ]


def synthetic_variants(seed=1, items=400):
    rng = np.random.default_rng(seed)
    rows = []
    for model, fragility in [("steady", 0.02), ("fragile", 0.25)]:
        base = rng.random(items) < 0.7
        for variant in ["original", "typo", "paraphrase"]:
            flip = rng.random(items) < (0 if variant == "original" else fragility)
            for i in range(items):
                rows.append((model, "MMLU", i, float(base[i] ^ flip[i]), variant, i // 8))
    return pd.DataFrame(rows, columns=["model", "benchmark", "item", "score", "variant", "passage"])


def test_robustness_worst_case_and_consistency():
    frame = synthetic_variants()
    report = axes.report(frame, variant="variant", cluster="passage")
    rob = report.robustness.set_index("model")
    for model in ["steady", "fragile"]:
        part = frame[frame.model == model]
        per_item = part.groupby("item").score
        worst = per_item.min()
        assert rob.worst_case[model] == pytest.approx(worst.mean())
        assert rob.consistency[model] == pytest.approx((per_item.max() == worst).mean())
        assert rob.original[model] == pytest.approx(part.score[part.variant == "original"].mean())
        clusters = part.drop_duplicates("item").set_index("item").passage.loc[worst.index]
        fit = sm.OLS(worst.to_numpy(), np.ones(len(worst))).fit(
            cov_type="cluster", cov_kwds={"groups": clusters.to_numpy()}
        )
        assert rob.worst_case_se[model] == pytest.approx(fit.bse[0], rel=1e-10)
    assert rob.consistency["steady"] > rob.consistency["fragile"]
    # the main table scores the original versions only
    table = report.table.set_index("model")
    assert table.n["steady"] == 400
    assert table.estimate["steady"] == pytest.approx(rob.original["steady"])


def test_variant_and_confidence_errors():
    frame = synthetic_variants()
    with pytest.raises(ValueError, match="no row has the original label 'clean'"):
        axes.report(frame, variant="variant", original="clean")
    with pytest.raises(ValueError, match=r"\(model, benchmark, item\) given more than once"):
        axes.report(frame)  # variants without variant=
    bad = synthetic_with_confidence().assign(confidence=1.5)
    with pytest.raises(ValueError, match=r"confidence: rows \[0"):
        axes.report(bad, confidence="confidence")
    cont = synthetic_with_confidence().assign(score=0.5)
    with pytest.raises(ValueError, match="calibration needs binary scores"):
        axes.report(cont, confidence="confidence")
