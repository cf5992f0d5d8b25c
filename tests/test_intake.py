"""The shared intake layer: arrays (NumPy, torch, DLPack) and tables (pandas, pyarrow, polars,
dicts, files), zero-copy where promised."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import assay
from assay import ShapeError, arena
from assay._arrays import check_finite, float_array
from assay._tables import Table, factorize, shared_codes

LLMFAO = {
    "model_a": "left",
    "model_b": "right",
    "outcomes": {"left": "model_a", "right": "model_b"},
}


def test_package_exposes_compiled_native_module():
    assert assay._native.__file__.endswith((".so", ".pyd"))
    assert assay.__version__ == "0.1.0"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_arrays_pass_through_without_copy(dtype):
    x = np.arange(12, dtype=dtype).reshape(3, 4)
    y = float_array(x, "x", ndim=2)
    assert y.dtype == dtype
    assert np.shares_memory(x, y)


def test_integers_are_upcast_and_complex_rejected():
    assert float_array(np.arange(4, dtype=np.int32), "x").dtype == np.float64
    with pytest.raises(TypeError, match="x must be real, got complex128"):
        float_array(np.ones(3, dtype=complex), "x")
    with pytest.raises(TypeError, match="x must be numeric, got <U1"):
        float_array(np.array(["a"]), "x")
    with pytest.raises(ShapeError, match=r"x must be 3-D, got shape \(2, 2\)"):
        float_array(np.ones((2, 2)), "x", ndim=3)


def test_torch_cpu_tensors_are_zero_copy():
    torch = pytest.importorskip("torch")
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    arr = float_array(t, "t", ndim=2)
    t[0, 0] = 42.0  # mutate the tensor: the array sees it, so they share memory
    assert arr[0, 0] == 42.0
    g = torch.ones(3, dtype=torch.float64, requires_grad=True)
    assert float_array(g, "g").tolist() == [1.0, 1.0, 1.0]


def test_check_finite_names_argument_and_position():
    with pytest.raises(ValueError, match=r"w holds inf at index \(2,\); values must be finite"):
        check_finite(np.array([1.0, 2.0, np.inf]), "w")


@pytest.fixture(scope="module")
def llmfao(data_dir) -> pd.DataFrame:
    return pd.read_csv(data_dir / "arena" / "llmfao-crowd.csv")


def table_variants(df: pd.DataFrame, tmp_path) -> dict:
    cat = df.assign(left=df["left"].astype("category"), right=df["right"].astype("category"))
    arrow = pa.Table.from_pandas(df, preserve_index=False)
    dict_arrow = arrow.set_column(
        arrow.schema.get_field_index("left"), "left", arrow.column("left").dictionary_encode()
    ).set_column(
        arrow.schema.get_field_index("right"), "right", arrow.column("right").dictionary_encode()
    )
    csv, jsonl, parquet = tmp_path / "b.csv", tmp_path / "b.jsonl", tmp_path / "b.parquet"
    df.to_csv(csv, index=False)
    df.to_json(jsonl, orient="records", lines=True)
    pq.write_table(arrow, parquet)
    variants = {
        "pandas": df,
        "pandas-categorical": cat,
        "arrow": arrow,
        "arrow-dictionary": dict_arrow,
        "dict": {c: df[c].to_numpy() for c in df.columns},
        "csv": str(csv),
        "jsonl": jsonl,
        "parquet": parquet,
    }
    try:
        import polars as pl

        variants["polars"] = pl.from_pandas(df)
    except ImportError:
        pass
    return variants


def test_every_table_kind_gives_the_same_leaderboard(llmfao, tmp_path):
    expected = arena.fit(llmfao, **LLMFAO).table
    for name, source in table_variants(llmfao, tmp_path).items():
        got = arena.fit(source, **LLMFAO).table
        pd.testing.assert_frame_equal(got, expected, check_dtype=False, obj=name)


def joint_codes(columns: list, labels: list[str]) -> tuple[list[np.ndarray], np.ndarray]:
    """Model codes as the arena's intake builds them: one category space (``shared_codes``),
    each column's own codes mapped through its table."""
    categories, parts = shared_codes(columns, labels)
    return [table[local] for local, table in parts], np.asarray(categories, dtype=object)


def test_categorical_codes_are_reused_and_unified():
    a = pd.Series(["x", "y", "x"], dtype="category")
    b = pd.Series(["z", "x", "y"], dtype=pd.CategoricalDtype(["z", "y", "x"]))
    (ca, cb), cats = joint_codes([a, b], ["a", "b"])
    assert list(cats[ca]) == ["x", "y", "x"]
    assert list(cats[cb]) == ["z", "x", "y"]
    assert ca.dtype == np.uint32


def plain_strings(values: list[str], copies: bool) -> np.ndarray:
    """An object array of str; with ``copies``, equal values are distinct objects."""
    out = np.empty(len(values), dtype=object)
    out[:] = ["".join(list(v)) for v in values] if copies else values
    return out


@pytest.mark.parametrize("copies", [False, True])
def test_text_columns_are_coded_like_pandas_factorize(copies):
    rng = np.random.default_rng(5)
    names = [f"model-{i}" for i in range(300)] + ["é", "日本語", "", "a b"]
    a = plain_strings([names[i] for i in rng.integers(0, len(names), 20_000)], copies)
    b = plain_strings([names[i] for i in rng.integers(0, len(names), 20_000)], copies)
    (ca, cb), cats = joint_codes([a, b], ["a", "b"])
    assert ca.dtype == cb.dtype == np.uint32
    assert list(cats[ca]) == list(a) and list(cats[cb]) == list(b)
    # Categories in first-seen order over a, then b's new ones: as pandas.factorize gives them.
    codes, uniques = pd.factorize(np.concatenate([a, b]))
    assert list(cats) == list(uniques)
    np.testing.assert_array_equal(np.concatenate([ca, cb]), codes)


def test_text_columns_with_other_objects_fall_back_to_pandas():
    mixed = np.array(["x", 3, "x", 3], dtype=object)
    assert assay._native.factorize_str(mixed) is None
    ca, cats = factorize(mixed, "m")
    assert list(cats[ca]) == ["x", 3, "x", 3]
    lone_surrogate = np.array(["ok", "\ud800"], dtype=object)  # no UTF-8 form
    assert assay._native.factorize_str(lone_surrogate) is None
    with pytest.raises(ValueError, match=r"s holds text with no UTF-8 form .* at row 1"):
        factorize(lone_surrogate, "s")
    with pytest.raises(ValueError, match=r"m has a missing value at row 2"):
        factorize(np.array(["x", "y", None], dtype=object), "m")


@pytest.mark.parametrize("kind", ["object", "category", "arrow-str", "int64"])
def test_model_columns_of_every_kind_report_self_battles_and_gaps(kind):
    a, b = ["p", "q", "r", "q", "p"], ["q", "r", "r", "p", "p"]
    convert = {
        "object": lambda v: pd.Series(v, dtype=object),
        "category": lambda v: pd.Series(v, dtype="category"),
        "arrow-str": lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow")),
        "int64": lambda v: pd.Series([ord(x) for x in v], dtype=np.int64),
    }[kind]
    df = pd.DataFrame({"model_a": convert(a), "model_b": convert(b), "winner": "tie"})
    name = "'r'" if kind != "int64" else "114"
    with pytest.raises(ValueError, match=rf"{name} is both model_a and model_b in row 2 \(2 such"):
        arena.fit(df)
    df["model_b"] = convert(["q", "r", "p", "p", "q"])
    if kind != "int64":
        df.loc[3, "model_b"] = None
        with pytest.raises(ValueError, match=r"battles\['model_b'\] has a missing value at row 3"):
            arena.fit(df)


def test_missing_values_and_columns_are_named(llmfao):
    bad = llmfao.copy()
    bad.loc[5, "left"] = None
    with pytest.raises(ValueError, match=r"battles\['left'\] has a missing value at row 5"):
        arena.fit(bad, **LLMFAO)
    with pytest.raises(
        ValueError, match=r"battles has no column 'model_x_' \(the model_a column\)"
    ):
        arena.fit(llmfao, model_a="model_x_")


def test_paths_that_do_not_exist_or_have_no_known_format(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        arena.fit(tmp_path / "missing.csv")
    odd = tmp_path / "battles.xyz"
    odd.write_text("a")
    with pytest.raises(ValueError, match="cannot tell the format"):
        arena.fit(odd)
    with pytest.raises(TypeError, match="battles must be a pandas/polars DataFrame"):
        arena.fit(42)


def test_table_dict_columns_must_have_equal_lengths():
    with pytest.raises(ValueError, match="columns have different lengths"):
        Table({"a": [1, 2], "b": [1]}, "battles")


def test_integer_model_ids_use_the_lookup_path_and_match_names(llmfao):
    ids = pd.Index(sorted(set(llmfao["left"]) | set(llmfao["right"])))
    as_int = llmfao.assign(
        left=ids.get_indexer(llmfao["left"]) * 3 + 1, right=ids.get_indexer(llmfao["right"]) * 3 + 1
    )
    by_int = arena.fit(as_int, **LLMFAO).table
    by_name = arena.fit(llmfao, **LLMFAO).table
    np.testing.assert_allclose(by_int["rating"], by_name["rating"])
    assert list(by_int["model"]) == [ids.get_loc(m) * 3 + 1 for m in by_name["model"]]


class _CudaStandIn:
    """Reports a CUDA DLPack device, as a CUDA torch tensor or a CuPy array does."""

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, **_):
        raise AssertionError("a CUDA array must not be imported to the host")


def test_cuda_arrays_are_routed_to_the_gpu_path(monkeypatch):
    from assay import spectral
    from assay._arrays import on_gpu
    from assay.spectral import _gpu

    assert on_gpu(_CudaStandIn()) and not on_gpu(np.ones(2))
    if _gpu.cp is None:  # CI: no CuPy, so the GPU path asks for the extra
        with pytest.raises(ImportError, match=r"pip install 'assay\[gpu\]'"):
            spectral.entropy(_CudaStandIn())
    seen = []
    table = np.arange(8, dtype=np.float64)[None, :]  # what the GPU kernel would return
    monkeypatch.setattr(_gpu, "metrics_table", lambda x, **kw: (seen.append(x), (table, True))[1])
    assert spectral.entropy(_CudaStandIn()) == 0.0  # column 0 of the GPU kernel's table
    assert len(seen) == 1 and isinstance(seen[0], _CudaStandIn)


def test_host_only_intake_refuses_cuda_arrays():
    with pytest.raises(TypeError, match="x lives on a GPU"):
        float_array(_CudaStandIn(), "x")
