"""Parameters accepted without a check gave NaN, nonsense or a foreign error (issue 25,
defect 6): each is now a clear exception naming the argument."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assay import arena, erank


@pytest.fixture(scope="module")
def votes(data_dir):
    df = pd.read_csv(data_dir / "arena" / "llmfao-crowd.csv")
    return df.rename(columns={"left": "model_a", "right": "model_b", "worker": "voter"}).assign(
        winner=lambda d: d.winner.map({"left": "model_a", "right": "model_b", "tie": "tie"})
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_rounds": 0}, ValueError, "max_rounds must be >= 1"),
        ({"top": 0}, ValueError, "top must be >= 1"),
        ({"alpha": -1}, ValueError, "alpha"),
        ({"alpha": 2}, ValueError, "alpha"),
        ({"alpha": math.nan}, ValueError, "alpha"),
        ({"prior": math.nan}, ValueError, "prior"),
        ({"cap": -1}, ValueError, "cap"),
        ({"top": 2.5}, TypeError, "top must be an integer"),
    ],
)
def test_voters_parameters(votes, kwargs, error, match):
    with pytest.raises(error, match=match):
        arena.voters(votes, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"prior": math.nan}, ValueError, "prior"),
        ({"n_boot": None, "ci": "bootstrap"}, TypeError, "n_boot must be an integer"),
        ({"n_boot": 2.5, "ci": "bootstrap"}, TypeError, "n_boot must be an integer"),
        ({"n_boot": True, "ci": "bootstrap"}, TypeError, "n_boot must be an integer"),
        ({"n_boot": 10**30, "ci": "bootstrap"}, ValueError, "n_boot must be <="),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"by": []}, ValueError, "by must name at least one column"),
        ({"outcomes": ["left"]}, TypeError, "outcomes must map"),
        ({"exclude_voters": "j1", "voter": "voter"}, TypeError, "not a single str"),
    ],
)
def test_fit_parameters(votes, kwargs, error, match):
    with pytest.raises(error, match=match):
        arena.fit(votes, **kwargs)


def test_unknown_excluded_voters_warn(votes):
    with pytest.warns(UserWarning, match="1 ids never vote"):
        arena.fit(votes, voter="voter", exclude_voters=["nobody-by-this-name"])


def test_degenerate_bootstrap_rounds_warn():
    df = pd.DataFrame(  # four battles: most resamples leave a model without a win or a loss
        {
            "model_a": ["a", "b", "c", "a"],
            "model_b": ["b", "c", "a", "c"],
            "winner": ["model_a", "model_a", "model_a", "tie"],
        }
    )
    with pytest.warns(UserWarning, match="bootstrap rounds were degenerate"):
        arena.fit(df, ci="bootstrap", n_boot=200)


def test_diff_erank_entropies_are_checked():
    with pytest.raises(ValueError, match=r"item 1 is -0\.5"):
        erank.diff_erank(np.array([1.0, -0.5]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match="item 0 is inf"):
        erank.diff_erank(np.array([math.inf]), np.array([1.0]))
    with pytest.warns(UserWarning, match="1 NaN entropies"):
        erank.diff_erank(np.array([1.0, math.nan]), np.array([0.5, 0.5]))
