"""Bad input to the arena: each case gives the documented exception and message, never a
panic, a crash or a silent NaN."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from assay import ConvergenceError, NotIdentifiableError, ShapeError, _native, arena

from bt_oracle import synthetic


def battles(rows):
    return pd.DataFrame(rows, columns=["model_a", "model_b", "winner"])


def test_exceptions_subclass_builtins():
    assert issubclass(ShapeError, ValueError)
    assert issubclass(NotIdentifiableError, ValueError)
    assert issubclass(ConvergenceError, RuntimeError)


def test_unknown_winner_labels_are_an_error_not_a_tie():
    df = battles([("a", "b", "model_a"), ("b", "a", "draw"), ("a", "b", "draw")])
    with pytest.raises(ValueError, match=r"unknown labels \{'draw': 2\}"):
        arena.fit(df)
    ok = arena.fit(df.assign(winner=["model_a", "draw", "model_b"]), outcomes={"draw": "tie"})
    assert len(ok.table) == 2
    with pytest.raises(ValueError, match="must map to one of"):
        arena.fit(df, outcomes={"draw": "half"})


def test_all_tie_spellings_count_half():
    spellings = ["tie", "tie (bothbad)", "both_bad"]
    base = battles([("a", "b", "model_a"), ("a", "b", "model_b")])
    ratings = []
    for s in spellings:
        df = pd.concat([base, battles([("a", "b", s)])])
        ratings.append(arena.fit(df).table["rating"].to_numpy())
    np.testing.assert_allclose(ratings[0], ratings[1])
    np.testing.assert_allclose(ratings[0], ratings[2])


def test_a_model_battling_itself_is_named():
    df = battles([("a", "b", "model_a"), ("c", "c", "tie"), ("b", "a", "model_a")])
    with pytest.raises(
        ValueError, match=r"'c' is both model_a and model_b in row 1 \(1 such rows\)"
    ):
        arena.fit(df)


def test_undefeated_model_is_reported_not_collapsed():
    df = battles(
        [("a", "b", "model_a"), ("b", "c", "model_a"), ("c", "b", "model_a"), ("a", "c", "model_a")]
    )
    with pytest.raises(NotIdentifiableError, match=r"no losses: \['a'\]"):
        arena.fit(df)
    penalised = arena.fit(df, prior=1.0).table
    assert penalised["rating"].notna().all() and penalised.iloc[0]["model"] == "a"


def test_winless_model_is_reported():
    df = battles([("a", "b", "model_a"), ("b", "a", "model_a"), ("a", "c", "model_a")])
    with pytest.raises(NotIdentifiableError, match=r"no wins: \['c'\]"):
        arena.fit(df)


def test_nan_and_negative_weights_are_rejected():
    df, _ = synthetic(5, 200, seed=0)
    with pytest.raises(ValueError, match=r"weights holds nan at index \(3,\)"):
        arena.fit(df, weights=np.where(np.arange(200) == 3, np.nan, 1.0))
    with pytest.raises(ValueError, match="weights must be >= 0"):
        arena.fit(df, weights=-np.ones(200))
    with pytest.raises(ValueError, match="weights has 3 values for 200 battles"):
        arena.fit(df, weights=np.ones(3))
    with pytest.raises(ValueError, match="either weights= or reweight=True"):
        arena.fit(df, weights=np.ones(200), reweight=True)


def test_anchor_and_arguments_are_checked():
    df, _ = synthetic(5, 200, seed=0)
    with pytest.raises(ValueError, match="anchor model 'gpt-9' does not appear"):
        arena.fit(df, anchor=("gpt-9", 1000))
    with pytest.raises(TypeError, match="anchor must be a"):
        arena.fit(df, anchor="m000")
    with pytest.raises(ValueError, match="ci must be one of"):
        arena.fit(df, ci="jackknife")
    with pytest.raises(ValueError, match="ci='voter' resamples voters"):
        arena.fit(df, ci="voter")
    with pytest.raises(ValueError, match="n_boot must be >= 1"):
        arena.fit(df, ci="bootstrap", n_boot=0)


def test_empty_battles():
    with pytest.raises(ValueError, match="battles is empty"):
        arena.fit(battles([]))


def test_native_layer_maps_errors_without_panics():
    u = np.array([0, 1], dtype=np.uint32)
    with pytest.raises(ShapeError, match="model_b must have length 2, got length 1"):
        _native.Cells(u, u[:1], np.zeros(2, np.uint8), 2)
    with pytest.raises(ValueError, match=r"row 0 has a model code outside 0..2 \(model_a: 7, "):
        _native.Cells(np.array([7, 0], np.uint32), u, np.zeros(2, np.uint8), 2)
    swap = (np.array([1, 0], np.uint32), np.array([1, 0], np.uint32))
    local = np.array([0, -1], np.int16)
    with pytest.raises(ValueError, match=r"row 1 has a code with no model \(model_a: missing, "):
        _native.Cells(local, np.array([1, 0], np.int16), np.zeros(2, np.uint8), 2, tables=swap)
    with pytest.raises(ValueError, match="outcome code 9"):
        _native.Cells(u, u[::-1].copy(), np.array([9, 0], np.uint8), 2)
    table = _native.Cells(u, u[::-1].copy(), np.zeros(2, np.uint8), 2)
    with pytest.raises(ValueError, match="group 3 out of range"):
        _native.bt_fit(table, 3)
    with pytest.raises(TypeError):
        _native.Cells(u.astype(np.int64), u, np.zeros(2, np.uint8), 2)


def test_dictionary_codes_count_like_the_model_codes_they_map_to():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 40, 5000).astype(np.int16), rng.integers(0, 40, 5000).astype(np.int16)
    b[a == b] = (b[a == b] + 1) % 40
    perm_a, perm_b = rng.permutation(40).astype(np.uint32), rng.permutation(40).astype(np.uint32)
    ok = perm_a[a] != perm_b[b]
    a, b = a[ok], b[ok]
    outcome = rng.integers(0, 3, len(a)).astype(np.uint8)
    mapped = _native.Cells(a, b, outcome, 40, tables=(perm_a, perm_b))
    direct = _native.Cells(perm_a[a], perm_b[b], outcome, 40)
    for got, want in zip(mapped.columns(), direct.columns(), strict=True):
        np.testing.assert_array_equal(got, want)


def test_millions_of_distinct_models_get_a_clear_error():
    n = 2_000_000
    ids = np.arange(2 * n).astype(str)
    df = pd.DataFrame({"model_a": ids[:n], "model_b": ids[n:], "winner": "tie"})
    with pytest.raises(ValueError, match="4000000 distinct models take part"):
        arena.fit(df)


def test_results_do_not_depend_on_thread_count():
    code = (
        "import pandas as pd, numpy as np; from assay import arena; "
        "from bt_oracle import synthetic; df, _ = synthetic(20, 5000, seed=1); "
        "t = arena.fit(df, ci='bootstrap', n_boot=64, seed=3).table; "
        "print(repr(t['ci_low'].to_numpy().tobytes().hex()))"
    )
    out = []
    for threads in ("1", "2"):
        env = {**os.environ, "RAYON_NUM_THREADS": threads}
        run = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            cwd=os.path.dirname(__file__),
            check=True,
        )
        out.append(run.stdout)
    assert out[0] == out[1]


def test_kernels_work_in_forked_children_after_the_parent_used_threads():
    import multiprocessing as mp

    df, _ = synthetic(20, 5000, seed=1)
    parent = arena.fit(df, ci="bootstrap", n_boot=64, seed=3).table  # parent's pool is started
    ctx = mp.get_context("fork")
    with ctx.Pool(1) as pool:
        child = pool.apply_async(_bootstrap_table, (df,)).get(timeout=120)
    pd.testing.assert_frame_equal(child, parent)


def _bootstrap_table(df):
    return arena.fit(df, ci="bootstrap", n_boot=64, seed=3).table
