"""Bradley-Terry fits against independent oracles (tests/bt_oracle.py), on real LLMFAO votes
and on synthetic battles drawn from known ratings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from assay import arena

from bt_oracle import SCALE, bootstrap_ratings, code, mle, sandwich_se, synthetic

LLMFAO = {
    "model_a": "left",
    "model_b": "right",
    "outcomes": {"left": "model_a", "right": "model_b"},
}
LABELS = {"left": 1.0, "right": 0.0, "tie": 0.5}


@pytest.fixture(scope="module")
def llmfao(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "arena" / "llmfao-crowd.csv")


@pytest.fixture(scope="module")
def llmfao_oracle(llmfao):
    models, ia, ib, y = code(llmfao, "left", "right", "winner", LABELS)
    theta = mle(ia, ib, y, len(models))
    return models, ia, ib, y, theta


def by_model(board: arena.Leaderboard, column: str = "rating") -> pd.Series:
    return board.table.set_index("model")[column]


def test_point_ratings_equal_converged_mle_on_llmfao(llmfao, llmfao_oracle):
    models, _, _, _, theta = llmfao_oracle
    board = arena.fit(llmfao, **LLMFAO)
    ours = by_model(board).reindex(models).to_numpy()
    np.testing.assert_allclose(ours, theta * SCALE + 1000, atol=1e-6, rtol=0)  # 1e-6 Elo


def test_sandwich_equals_oracle_sandwich_at_same_theta_and_ridge(llmfao, llmfao_oracle):
    models, ia, ib, y, theta = llmfao_oracle
    ridge = 1e-5 * len(llmfao)
    board = arena.fit(llmfao, **LLMFAO, ci="sandwich")
    assert board.diagnostics["ridge"] == pytest.approx(ridge)
    se = sandwich_se(ia, ib, y, len(models), theta, ridge)
    half = (by_model(board, "ci_high") - by_model(board, "ci_low")).reindex(models).to_numpy() / 2
    np.testing.assert_allclose(half, 1.959963984540054 * se * SCALE, rtol=1e-9)


def test_explicit_ridge_is_used(llmfao, llmfao_oracle):
    models, ia, ib, y, theta = llmfao_oracle
    board = arena.fit(llmfao, **LLMFAO, ridge=3.0)
    se = sandwich_se(ia, ib, y, len(models), theta, 3.0)
    half = (by_model(board, "ci_high") - by_model(board, "ci_low")).reindex(models).to_numpy() / 2
    np.testing.assert_allclose(half, 1.959963984540054 * se * SCALE, rtol=1e-9)


def test_bootstrap_quantiles_match_reference_bootstrap_within_monte_carlo_error(
    llmfao, llmfao_oracle
):
    models, ia, ib, y, _ = llmfao_oracle
    rounds = 2000
    board = arena.fit(llmfao, **LLMFAO, ci="bootstrap", n_boot=rounds, seed=1)
    ref = bootstrap_ratings(ia, ib, y, len(models), rounds, seed=2)
    lo_ref, hi_ref = np.quantile(ref, [0.025, 0.975], axis=0)
    sd = ref.std(axis=0)
    # The 2.5 % quantile of 2000 draws has a Monte-Carlo s.e. of about 0.06 sd; the
    # difference of two independent estimates about 0.085 sd. Allow 5 such s.e.
    lo = by_model(board, "ci_low").reindex(models).to_numpy()
    hi = by_model(board, "ci_high").reindex(models).to_numpy()
    assert np.abs(lo - lo_ref).max() < 5 * 0.085 * sd.max()
    assert np.all(np.abs(lo - lo_ref) < 5 * 0.085 * sd)
    assert np.all(np.abs(hi - hi_ref) < 5 * 0.085 * sd)


def test_bootstrap_is_reproducible_and_thread_count_independent(llmfao):
    a = arena.fit(llmfao, **LLMFAO, ci="bootstrap", n_boot=150, seed=7)
    b = arena.fit(llmfao, **LLMFAO, ci="bootstrap", n_boot=150, seed=7)
    pd.testing.assert_frame_equal(a.table, b.table)
    c = arena.fit(llmfao, **LLMFAO, ci="bootstrap", n_boot=150, seed=8)
    assert not np.allclose(a.table["ci_low"], c.table["ci_low"])


def test_synthetic_ratings_recovered_within_intervals():
    df, theta = synthetic(n_models=60, n_battles=60_000, seed=3, tie_rate=0.1)
    board = arena.fit(df)
    truth = pd.Series(theta * SCALE + 1000, index=[f"m{k:03d}" for k in range(60)])
    t = board.table.set_index("model")
    inside = (t["ci_low"] <= truth[t.index]) & (truth[t.index] <= t["ci_high"])
    # 95 % intervals over 60 models: about 3 misses expected; 9 or more has probability < 0.5 %.
    assert inside.sum() >= 52, inside.sum()


def test_voter_bootstrap_is_wider_than_battle_bootstrap_with_clustered_voters(llmfao):
    voter = arena.fit(llmfao, **LLMFAO, ci="voter", voter="worker", n_boot=400, seed=0)
    battle = arena.fit(llmfao, **LLMFAO, ci="bootstrap", n_boot=400, seed=0)
    w_voter = (voter.table["ci_high"] - voter.table["ci_low"]).median()
    w_battle = (battle.table["ci_high"] - battle.table["ci_low"]).median()
    assert w_voter > w_battle
    pd.testing.assert_series_equal(voter.table["rating"], battle.table["rating"])


def test_rank_upper_bound_definition(llmfao):
    t = arena.fit(llmfao, **LLMFAO).table
    expected = [1 + int((t["ci_low"] > hi).sum()) for hi in t["ci_high"]]
    assert t["rank_ub"].tolist() == expected


def test_anchor_shifts_ratings_and_uses_contrast_intervals(llmfao, llmfao_oracle):
    models, *_, theta = llmfao_oracle
    board = arena.fit(llmfao, **LLMFAO, anchor=("GPT 4", 1200.0))
    t = board.table.set_index("model")
    assert t.loc["GPT 4", "rating"] == pytest.approx(1200.0)
    assert t.loc["GPT 4", "ci_high"] == pytest.approx(1200.0)  # no uncertainty about the anchor
    k = int(np.flatnonzero(models == "GPT 4")[0])
    np.testing.assert_allclose(
        t["rating"].reindex(models), (theta - theta[k]) * SCALE + 1200, atol=1e-6
    )


def test_inverse_frequency_weights_equal_weighted_oracle():
    df, _ = synthetic(n_models=12, n_battles=4000, seed=5)
    board = arena.fit(df, reweight=True)
    models, ia, ib, y = code(df)
    lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
    n_pair = pd.Series(lo * 100 + hi).map(pd.Series(lo * 100 + hi).value_counts()).to_numpy()
    w = 1 / np.maximum(n_pair, 50)
    theta = mle(ia, ib, y, len(models), w=w)
    np.testing.assert_allclose(by_model(board).reindex(models), theta * SCALE + 1000, atol=1e-6)
    se = sandwich_se(ia, ib, y, len(models), theta, 1e-5, w=w)
    half = (by_model(board, "ci_high") - by_model(board, "ci_low")).reindex(models) / 2
    np.testing.assert_allclose(half, 1.959963984540054 * se * SCALE, rtol=1e-9)


def test_weights_column_equals_weighted_oracle():
    df, _ = synthetic(n_models=10, n_battles=3000, seed=9)
    df["w"] = np.random.default_rng(0).uniform(0.2, 2.0, len(df))
    board = arena.fit(df, weights="w")
    models, ia, ib, y = code(df)
    theta = mle(ia, ib, y, len(models), w=df["w"].to_numpy())
    np.testing.assert_allclose(by_model(board).reindex(models), theta * SCALE + 1000, atol=1e-6)


def test_segments_equal_separate_fits(llmfao):
    df = llmfao.assign(half=np.where(llmfao["prompt"] % 2 == 0, "even", "odd"))
    board = arena.fit(df, **LLMFAO, by="half")
    assert list(board.segments.columns[:2]) == ["half", "model"]
    for half, part in df.groupby("half"):
        alone = arena.fit(part, **LLMFAO).table.set_index("model")
        seg = board.segments[board.segments["half"] == half].set_index("model")
        pd.testing.assert_series_equal(seg["rating"], alone["rating"], check_names=False, atol=1e-9)
        pd.testing.assert_series_equal(seg["ci_low"], alone["ci_low"], check_names=False, atol=1e-9)


def test_small_segments_are_skipped_with_a_flag(llmfao):
    df = llmfao.assign(seg=np.where(np.arange(len(llmfao)) < 30, "tiny", "big"))
    with pytest.warns(UserWarning, match="1 segment"):
        board = arena.fit(df, **LLMFAO, by="seg")
    assert set(board.segments["seg"]) == {"big"}
    assert board.skipped_segments.loc[0, "seg"] == "tiny"
    assert "fewer than 50 battles" in board.skipped_segments.loc[0, "reason"]


def test_disconnected_graph_fits_each_piece_and_says_so():
    a, _ = synthetic(n_models=5, n_battles=500, seed=1)
    b, _ = synthetic(n_models=5, n_battles=500, seed=2)
    b = b.replace({c: c.replace("m", "x") for c in set(b.model_a) | set(b.model_b)})
    with pytest.warns(UserWarning, match="2 disconnected pieces"):
        board = arena.fit(pd.concat([a, b]))
    t = board.table.set_index("model")
    assert t["component"].nunique() == 2
    alone = arena.fit(a).table.set_index("model")
    np.testing.assert_allclose(t.loc[alone.index, "rating"], alone["rating"], atol=1e-6)


def test_win_rate_matrices(llmfao):
    board = arena.fit(llmfao, **LLMFAO)
    emp, pred = board.win_rates(), board.predicted_win_rates()
    assert list(emp.index) == list(board.table["model"])
    pair = llmfao[
        ((llmfao.left == "GPT 4") & (llmfao.right == "command"))
        | ((llmfao.left == "command") & (llmfao.right == "GPT 4"))
    ]
    score = ((pair.left == "GPT 4") & (pair.winner == "left")) | (
        (pair.right == "GPT 4") & (pair.winner == "right")
    )
    expected = (score.sum() + 0.5 * (pair.winner == "tie").sum()) / len(pair)
    assert emp.loc["GPT 4", "command"] == pytest.approx(expected)
    t = board.table.set_index("model")["rating"]
    assert pred.loc["GPT 4", "command"] == pytest.approx(
        1 / (1 + 10 ** ((t["command"] - t["GPT 4"]) / 400))
    )
    total = pred.to_numpy() + pred.to_numpy().T
    off = ~np.eye(len(total), dtype=bool)
    np.testing.assert_allclose(total[off], 1.0)
    assert np.isnan(np.diag(total)).all()


def test_no_warning_on_clean_data(llmfao):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        arena.fit(llmfao, **LLMFAO)
