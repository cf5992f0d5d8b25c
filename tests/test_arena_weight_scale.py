"""Weights' units do not change an arena fit (issue: weights of 1e-20 gave an empty
leaderboard, 1e160 NaN intervals, and sandwich intervals shrank with the scale)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assay import arena


@pytest.fixture(scope="module")
def llmfao(data_dir):
    import pandas as pd

    return pd.read_csv(data_dir / "arena" / "llmfao-crowd.csv")


def fit(df, **kwargs):
    return arena.fit(
        df, model_a="left", model_b="right", outcomes={"left": "model_a", "right": "model_b"},
        **kwargs,
    )  # fmt: skip


@pytest.mark.parametrize("scale", [1e-20, 1e-12, 1e12, 1e160])
def test_intervals_do_not_depend_on_the_weights_units(llmfao, scale):
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 2.0, len(llmfao))
    ref = fit(llmfao, weights=w).table.set_index("model")
    got = fit(llmfao, weights=w * scale).table.set_index("model")
    assert len(got) == len(ref) == 59
    assert np.isfinite(got[["rating", "ci_low", "ci_high"]].to_numpy()).all()
    for column in ["rating", "ci_low", "ci_high"]:
        assert got[column].to_numpy() == pytest.approx(ref[column].to_numpy(), rel=1e-9)


def test_unit_weights_equal_no_weights(llmfao):
    plain = fit(llmfao).table
    ones = fit(llmfao, weights=np.full(len(llmfao), 3.0)).table
    assert ones.rating.to_numpy() == pytest.approx(plain.rating.to_numpy(), rel=1e-9)
    assert ones.ci_low.to_numpy() == pytest.approx(plain.ci_low.to_numpy(), rel=1e-9)


@pytest.mark.parametrize("rating", [math.nan, math.inf, -math.inf, "1000"])
def test_non_finite_anchor_is_an_error(llmfao, rating):
    with pytest.raises(ValueError, match="anchor rating must be a finite number"):
        fit(llmfao, anchor=("GPT 4", rating))


def test_all_zero_weights_are_an_error(llmfao):
    with pytest.raises(ValueError, match="weights are all 0"):
        fit(llmfao, weights=np.zeros(len(llmfao)))
