"""Vote-manipulation safeguards on real LLMFAO votes with planted fake voters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assay import arena

LLMFAO = {
    "model_a": "left",
    "model_b": "right",
    "outcomes": {"left": "model_a", "right": "model_b"},
}
N_FAKE_IDS = 6


@pytest.fixture(scope="module")
def llmfao(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "arena" / "llmfao-crowd.csv")


def plant_fakes(df: pd.DataFrame, target: str, share: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Fake voters that copy real crowd votes, except that they vote for ``target`` whenever it
    appears; half of their battles involve the target. ``share`` of all votes are theirs."""
    rng = np.random.default_rng(seed)
    n_fake = round(share / (1 - share) * len(df))
    has_target = (df["left"] == target) | (df["right"] == target)
    rows = pd.concat(
        [
            df[has_target].sample(n_fake // 2, replace=True, random_state=seed),
            df[~has_target].sample(n_fake - n_fake // 2, replace=True, random_state=seed + 1),
        ]
    ).copy()
    pushed = (rows["left"] == target) | (rows["right"] == target)
    rows.loc[pushed, "winner"] = np.where(rows.loc[pushed, "left"] == target, "left", "right")
    rows["worker"] = rng.integers(0, N_FAKE_IDS, len(rows)) + 10_000
    return pd.concat([df, rows], ignore_index=True)


def test_voters_flags_planted_fakes_and_at_most_two_real_voters(llmfao):
    clean = arena.fit(llmfao, **LLMFAO).table.set_index("model")
    target = clean.index[30]  # a mid-table model
    df = plant_fakes(llmfao, target)
    assert (df["worker"] >= 10_000).mean() == pytest.approx(0.05, abs=0.002)
    report = arena.voters(df, **LLMFAO, voter="worker")
    assert list(report.columns) == [
        "voter",
        "votes",
        "agreement",
        "log_likelihood",
        "anomaly",
        "target",
        "p_value",
        "flagged",
        "influence",
        "top_rank_changes",
    ]
    flagged = set(report.loc[report["flagged"], "voter"])
    fakes = set(range(10_000, 10_000 + N_FAKE_IDS))
    assert fakes <= flagged
    assert len(flagged - fakes) <= 2
    assert set(report.loc[report["voter"].isin(fakes), "target"]) == {target}

    # The manipulation moved the target out of its clean interval; excluding the flagged
    # voters restores it to within the clean interval.
    pushed = arena.fit(df, **LLMFAO).table.set_index("model")
    assert pushed.loc[target, "rating"] > clean.loc[target, "ci_high"]
    restored = arena.fit(df, **LLMFAO, voter="worker", exclude_voters=flagged).table.set_index(
        "model"
    )
    assert (
        clean.loc[target, "ci_low"]
        <= restored.loc[target, "rating"]
        <= clean.loc[target, "ci_high"]
    )


def test_voters_on_clean_data_flags_at_most_two(llmfao):
    report = arena.voters(llmfao, **LLMFAO, voter="worker")
    assert len(report) == 124
    assert report["flagged"].sum() <= 2
    assert report["votes"].sum() == len(llmfao)
    assert report["agreement"].between(0, 1).all()


def test_voter_influence_is_leave_one_out_change(llmfao):
    report = arena.voters(llmfao, **LLMFAO, voter="worker", top=5).set_index("voter")
    full = arena.fit(llmfao, **LLMFAO).table.set_index("model")["rating"]
    top5 = full.index[:5]
    voter = report.index[0]
    loo = arena.fit(llmfao[llmfao["worker"] != voter], **LLMFAO).table.set_index("model")["rating"]
    assert report.loc[voter, "influence"] == pytest.approx(
        (loo[top5] - full[top5]).abs().max(), rel=1e-6
    )


def test_exclude_voters_needs_voter_column(llmfao):
    with pytest.raises(ValueError, match="exclude_voters needs voter="):
        arena.fit(llmfao, **LLMFAO, exclude_voters=[1])
    with pytest.raises(ValueError, match="at least 2 distinct voters"):
        arena.voters(llmfao.assign(worker=1), **LLMFAO, voter="worker")
