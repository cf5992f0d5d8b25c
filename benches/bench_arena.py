"""Arena benchmarks, assay and its anchors side by side on the same battles.

Data: 150 models with Zipf-skewed popularity (so pair frequencies are skewed), 10 % ties,
columns as pandas Categoricals (model_a, model_b, winner). Anchors: FastChat's compute_bt /
bootstrap / contextual fit (transcribed in tests/bt_oracle.py; the PyPI FastChat predates them),
evalica, and LMArena's arena-rank. Anchors too slow to run in full run fewer rounds; their time is
scaled to the full count (extra_info "scale") and the report multiplies by it.

    python -m pytest benches/bench_arena.py --benchmark-json=arena.json
    python benches/report.py arena.json
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assay import arena

from bt_oracle import fastchat_compute_bt, fastchat_fit_contextual

N, K = 1_000_000, 150


def battles(n: int = N, k: int = K, seed: int = 0, segments: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, k)
    pop = 1 / np.arange(1, k + 1) ** 1.1
    pop /= pop.sum()
    a = rng.choice(k, n, p=pop)
    b = rng.choice(k, n, p=pop)
    clash = a == b
    b[clash] = (a[clash] + 1 + rng.integers(0, k - 1, clash.sum())) % k
    p = 1 / (1 + np.exp(-(theta[a] - theta[b])))
    tie = rng.random(n) < 0.1
    q = np.clip((p - 0.05) / 0.9, 0, 1)
    outcome = np.where(tie, 1, np.where(rng.random(n) < q, 0, 2))
    names = pd.Categorical.from_codes
    models = [f"model-{i:03d}" for i in range(k)]
    df = pd.DataFrame(
        {
            "model_a": names(a, models),
            "model_b": names(b, models),
            "winner": names(outcome, ["model_a", "tie", "model_b"]),
        }
    )
    if segments:
        df["country"] = names(rng.integers(0, segments, n), [f"c{i:02d}" for i in range(segments)])
    return df


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return battles()


def once(benchmark, fn, *args, rounds=3, warmup=0, **kwargs):
    """Median of ``rounds`` calls; millisecond-scale calls take more rounds and one warm-up so
    that the shared 2-core machine's noise does not decide the median."""
    return benchmark.pedantic(
        fn, args=args, kwargs=kwargs, rounds=rounds, iterations=1, warmup_rounds=warmup
    )


def tag(benchmark, group: str, impl: str, scale: float = 1.0, note: str = "") -> None:
    benchmark.group = group
    benchmark.extra_info.update(impl=impl, scale=scale, note=note)


# --- point fit at 1e6 ------------------------------------------------------------------------


def test_fit_assay(benchmark, df):
    tag(benchmark, "fit 1e6", "assay", note="includes the sandwich CIs")
    board = once(benchmark, arena.fit, df, rounds=21, warmup=1)
    assert len(board.table) == K


def test_fit_fastchat(benchmark, df):
    tag(benchmark, "fit 1e6", "fastchat")
    plain = df.astype(str)
    once(benchmark, fastchat_compute_bt, plain, rounds=2)


def test_fit_evalica(benchmark, df):
    evalica = pytest.importorskip("evalica")
    tag(benchmark, "fit 1e6", "evalica")
    w = {"model_a": evalica.Winner.X, "model_b": evalica.Winner.Y, "tie": evalica.Winner.Draw}
    xs, ys = df["model_a"].astype(str).tolist(), df["model_b"].astype(str).tolist()
    winners = [w[x] for x in df["winner"].astype(str)]
    once(benchmark, evalica.bradley_terry, xs, ys, winners, rounds=5, warmup=1)


def test_fit_arena_rank(benchmark, df):
    data = pytest.importorskip("arena_rank.utils.data_utils")
    bt = pytest.importorskip("arena_rank.models.bradley_terry")
    tag(benchmark, "fit 1e6", "arena-rank", note="includes its sandwich CIs")
    plain = df.astype(str)

    def run():
        ds = data.PairDataset.from_pandas(plain)
        return bt.BradleyTerry(len(ds.competitors)).compute_ratings_and_cis(ds)

    once(benchmark, run, rounds=1)


# --- bootstrap, 1000 rounds at 1e6 -----------------------------------------------------------


def test_bootstrap_assay(benchmark, df):
    tag(benchmark, "bootstrap 1000 rounds 1e6", "assay")
    once(benchmark, arena.fit, df, ci="bootstrap", n_boot=1000, rounds=2)


def test_bootstrap_fastchat(benchmark, df):
    rounds = 4
    tag(
        benchmark,
        "bootstrap 1000 rounds 1e6",
        "fastchat",
        scale=1000 / rounds,
        note=f"{rounds} rounds timed, scaled to 1000",
    )
    plain = df.astype(str)
    models = pd.Index(pd.unique(pd.concat([plain["model_a"], plain["model_b"]])))
    code = plain["winner"].map({"model_a": 2, "model_b": 0}).fillna(1).to_numpy(dtype=int)
    rows = np.column_stack(
        [models.get_indexer(plain["model_a"]), models.get_indexer(plain["model_b"]), code]
    )
    unique, counts = np.unique(rows, return_counts=True, axis=0)
    rng = np.random.default_rng(0)

    labels = np.array(["model_b", "tie", "model_a"])

    def run():
        draws = rng.multinomial(len(plain), counts / counts.sum(), size=rounds)
        out = []
        for draw in draws:
            rows_of_draw = np.repeat(unique, draw, axis=0)
            sample = pd.DataFrame(
                {
                    "model_a": models[rows_of_draw[:, 0]],
                    "model_b": models[rows_of_draw[:, 1]],
                    "winner": labels[rows_of_draw[:, 2]],
                }
            )
            out.append(fastchat_compute_bt(sample))
        return out

    once(benchmark, run, rounds=1)


# --- 12 segments at 1e6 ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def segmented() -> pd.DataFrame:
    return battles(segments=12, seed=1)


def test_segments_assay(benchmark, segmented):
    tag(benchmark, "12 segments 1e6", "assay", note="overall fit + 12 segment fits, sandwich CIs")
    board = once(benchmark, arena.fit, segmented, by="country", rounds=11, warmup=1)
    assert board.segments["country"].nunique() == 12


def test_segments_evalica(benchmark, segmented):
    evalica = pytest.importorskip("evalica")
    tag(benchmark, "12 segments 1e6", "evalica", note="point fits only")
    w = {"model_a": evalica.Winner.X, "model_b": evalica.Winner.Y, "tie": evalica.Winner.Draw}
    parts = [
        (
            g["model_a"].astype(str).tolist(),
            g["model_b"].astype(str).tolist(),
            [w[x] for x in g["winner"].astype(str)],
        )
        for _, g in segmented.groupby("country", observed=True)
    ]
    once(benchmark, lambda: [evalica.bradley_terry(*p) for p in parts], rounds=2)


def test_segments_arena_rank(benchmark, segmented):
    data = pytest.importorskip("arena_rank.utils.data_utils")
    bt = pytest.importorskip("arena_rank.models.bradley_terry")
    tag(benchmark, "12 segments 1e6", "arena-rank", scale=12, note="1 segment timed, scaled to 12")
    part = segmented[segmented["country"] == "c00"].astype(str)

    def run():
        ds = data.PairDataset.from_pandas(part)
        return bt.BradleyTerry(len(ds.competitors)).compute_ratings_and_cis(ds)

    once(benchmark, run, rounds=1)


# --- 1e7 from integer codes / Arrow dictionary columns ---------------------------------------


@pytest.fixture(scope="module")
def big_columns() -> dict:
    df = battles(n=10_000_000, seed=2)
    return {
        "model_a": df["model_a"].cat.codes.to_numpy(np.int32),
        "model_b": df["model_b"].cat.codes.to_numpy(np.int32),
        "winner": df["winner"],
    }


def test_fit_1e7_integer_codes_assay(benchmark, big_columns):
    tag(benchmark, "fit 1e7 integer codes", "assay", note="target: <= 100 ms beyond reading")
    once(benchmark, arena.fit, big_columns, rounds=7, warmup=1)


# --- style control at 1e6, 4 features -------------------------------------------------------


@pytest.fixture(scope="module")
def styled(df) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    out = df.copy()
    for f in ("tokens", "headers", "lists", "bold"):
        out[f"{f}_a"] = rng.poisson(20, N).astype(float)
        out[f"{f}_b"] = rng.poisson(20, N).astype(float)
    return out


FEATURES = {f: (f"{f}_a", f"{f}_b") for f in ("tokens", "headers", "lists", "bold")}


def test_style_fit_assay(benchmark, styled):
    tag(benchmark, "style fit 1e6 x4", "assay", note="includes sandwich CIs")
    once(benchmark, arena.fit, styled, features=FEATURES, rounds=2)


def test_style_fit_fastchat(benchmark, styled):
    tag(benchmark, "style fit 1e6 x4", "fastchat")
    from assay.arena._battles import code_battles
    from assay.arena._style import style_matrix

    coded = code_battles(
        styled, model_a="model_a", model_b="model_b", winner="winner", outcomes=None
    )
    x = style_matrix(coded, FEATURES)
    once(
        benchmark,
        fastchat_fit_contextual,
        coded.first.astype(int),
        coded.second.astype(int),
        coded.score(),
        x,
        coded.n_models,
        rounds=1,
    )


def test_style_bootstrap_assay(benchmark, styled):
    tag(benchmark, "style 100 rounds 1e6 x4", "assay", note="target <= 30 s")
    once(benchmark, arena.fit, styled, features=FEATURES, ci="bootstrap", n_boot=100, rounds=1)


def test_style_bootstrap_fastchat(benchmark, styled):
    rounds = 2
    tag(
        benchmark,
        "style 100 rounds 1e6 x4",
        "fastchat",
        scale=100 / rounds,
        note=f"{rounds} rounds timed, scaled to 100",
    )
    from assay.arena._battles import code_battles
    from assay.arena._style import style_matrix

    coded = code_battles(
        styled, model_a="model_a", model_b="model_b", winner="winner", outcomes=None
    )
    x = style_matrix(coded, FEATURES)
    a, b, y = coded.first.astype(int), coded.second.astype(int), coded.score()
    rng = np.random.default_rng(0)

    def run():
        for _ in range(rounds):
            idx = rng.integers(0, N, N)
            fastchat_fit_contextual(a[idx], b[idx], y[idx], x[idx], coded.n_models)

    once(benchmark, run, rounds=1)


# --- intake: string columns -------------------------------------------------------------------


@pytest.fixture(scope="module")
def strings(df) -> tuple[np.ndarray, np.ndarray]:
    return df["model_a"].astype(str).to_numpy(object), df["model_b"].astype(str).to_numpy(object)


def test_factorize_assay(benchmark, strings):
    from assay._tables import shared_codes

    # The arena's intake of text model columns: each coded, then one shared category space
    # (the counting pass reads the codes through their tables).
    tag(benchmark, "factorize 2x1e6 strings", "assay", note="both columns into one code space")
    once(benchmark, shared_codes, list(strings), ["a", "b"], rounds=7, warmup=1)


def test_factorize_pandas(benchmark, strings):
    tag(
        benchmark, "factorize 2x1e6 strings", "pandas.factorize", note="pd.factorize of each column"
    )
    once(benchmark, lambda: [pd.factorize(s) for s in strings], rounds=7, warmup=1)
