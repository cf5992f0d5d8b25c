"""assay.select.shortlist and the ``assay select`` command."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assay import arena, select
from assay.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def table(**extra):
    """Synthetic scores: A and B within noise of each other, C clearly behind, D best but
    too big for 24 GB."""
    rows = {
        "model": ["A", "B", "C", "D"],
        "score": [0.80, 0.79, 0.70, 0.85],
        "se": [0.01, 0.01, 0.01, 0.01],
        **extra,
    }
    return pd.DataFrame(rows)


SIZES = {"A": 7.0, "B": 3.0, "C": 1.5, "D": 70.0}


def test_same_tier_next_tier_and_excluded():
    result = select.shortlist(table(), gpu_gb=24, axes=None, sizes=SIZES)
    t = result.table
    assert list(t.model) == ["A", "B", "C"]
    assert list(t.tier) == [1, 1, 2]
    assert list(t.params_b) == [7.0, 3.0, 1.5]
    assert t.memory_gb.iloc[0] == pytest.approx(select.memory(7.0).total_gb)
    assert np.allclose(t.ci_low, t.score - 1.959963984540054 * t.se)
    ex = result.excluded
    assert list(ex.model) == ["D"]
    need = select.memory(70.0).total_gb
    assert ex.memory_gb.iloc[0] == pytest.approx(need)
    assert ex.reason.iloc[0] == f"needs {need:.1f} GB > 24 GB"
    text = str(result)
    assert "3 of 4 models fit 24 GB" in text and "needs" in text
    # in int4 the 70B model fits a 64 GB GPU, and leads
    big = select.shortlist(table(), gpu_gb=64, axes=None, sizes=SIZES, dtype="int4")
    assert list(big.table.model[:3]) == ["D", "A", "B"]
    assert list(big.table.tier) == [1, 2, 2, 3]


def test_tiers_are_measured_against_the_leader_and_do_not_chain():
    # 0.775 is within noise of 0.80, 0.75 of 0.775, but 0.75 is not within noise of 0.80
    score = np.array([0.80, 0.775, 0.75])
    se = np.full(3, 0.01)
    z = 1.959963984540054
    assert abs(score[0] - score[1]) < z * math.hypot(0.01, 0.01) < abs(score[0] - score[2])
    assert list(select._shortlist.tiers(score, se, z)) == [1, 1, 2]


def test_intervals_instead_of_standard_errors_and_confidence():
    frame = table().drop(columns="se")
    frame["ci_low"] = [0.78, 0.77, 0.68, 0.83]
    frame["ci_high"] = [0.82, 0.81, 0.72, 0.87]
    result = select.shortlist(frame, gpu_gb=24, axes=None, sizes=SIZES)
    assert list(result.table.tier) == [1, 1, 2]
    assert result.table.se.iloc[0] == pytest.approx(0.02 / 1.959963984540054)
    loose = select.shortlist(frame, gpu_gb=24, axes=None, sizes=SIZES, confidence=0.5)
    assert list(loose.table.tier) == [1, 2, 3]


def test_axes_are_averaged_and_a_missing_axis_excludes_the_model():
    rows = pd.DataFrame(
        {
            "model": ["A", "A", "B", "B", "C"],
            "axis": ["coding", "math", "coding", "math", "coding"],
            "score": [0.6, 0.8, 0.5, 0.7, 0.9],
            "se": [0.03, 0.04, 0.03, 0.04, 0.01],
            "params_b": [7, 7, 7, 7, 7],
        }
    )
    result = select.shortlist(rows, gpu_gb=24, axes=["coding", "math"])
    t = result.table
    assert list(t.model) == ["A", "B"]
    assert t.score.iloc[0] == pytest.approx(0.7)
    assert t.se.iloc[0] == pytest.approx(0.05 / 2)
    assert list(t.tier) == [1, 2]  # 0.1 apart, limit 1.96 * sqrt(2) * 0.025 = 0.069
    assert result.excluded.set_index("model").reason["C"] == "no score on math"
    coding = select.shortlist(rows, gpu_gb=24, axes="coding")
    assert list(coding.table.model) == ["C", "A", "B"]
    with pytest.raises(ValueError, match=r"axes: .*several axes"):
        select.shortlist(rows, gpu_gb=24, axes=None)
    with pytest.raises(ValueError, match=r"axes: \['safety'\] not in the scores"):
        select.shortlist(rows, gpu_gb=24, axes=["coding", "safety"])
    with pytest.raises(ValueError, match="axes: unknown axis 'codin'"):
        select.shortlist(rows, gpu_gb=24, axes=["codin"])
    with pytest.raises(ValueError, match="axes must name"):
        select.shortlist(rows, gpu_gb=24, axes=[])
    with pytest.raises(ValueError, match="given twice"):
        select.shortlist(pd.concat([rows, rows]), gpu_gb=24, axes="coding")


def test_arena_leaderboard(data_dir):
    board = arena.fit(
        data_dir / "arena" / "llmfao-crowd.csv",
        model_a="left",
        model_b="right",
        outcomes={"left": "model_a", "right": "model_b"},
    )
    sizes = {m: 7.0 for m in board.table.model}
    top = board.table.model.iloc[0]
    sizes[top] = 400.0
    result = select.shortlist(board, gpu_gb=80, axes=None, sizes=sizes)
    assert list(result.excluded.model) == [top]
    t = result.table
    assert list(t.model) == list(board.table.model[1:])
    assert (np.diff(t.tier) >= 0).all() and t.tier.iloc[0] == 1 and t.tier.iloc[-1] > 1
    # the leader's tier holds exactly the models within noise of it
    lead = t.iloc[0]
    within = t.score.iloc[0] - t.score <= 1.959963984540054 * np.hypot(lead.se, t.se)
    assert list(t.tier == 1) == list(within.cummin())
    with pytest.raises(ValueError, match="axes: an arena leaderboard"):
        select.shortlist(board, gpu_gb=80, axes="knowledge", sizes=sizes)


def test_axis_report_duck_type():
    class Report:  # anything with an `axes` table, as assay's per-axis report has
        axes = table(axis=["coding"] * 4)

    result = select.shortlist(Report(), gpu_gb=24, axes="coding", sizes=SIZES)
    assert list(result.table.model) == ["A", "B", "C"]


def test_sizes_from_configs_files_and_unpublished(tmp_path):
    config = {
        "model_type": "llama",
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "vocab_size": 32000,
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    sizes = {"A": config, "B": path, "C": None, "D": tmp_path}
    result = select.shortlist(table(), gpu_gb=24, axes=None, sizes=sizes)
    t = result.table.set_index("model")
    assert t.params_b["A"] == t.params_b["B"] == 6.738415616
    assert t.memory_gb["A"] == pytest.approx(select.memory(config=config).total_gb)
    assert result.excluded.set_index("model").reason["C"] == "parameter count not published"
    listed = tmp_path / "sizes.csv"
    listed.write_text("model,params_b\nA,7\nB,3\nC,\nD,70\n")
    result = select.shortlist(table(), gpu_gb=24, axes=None, sizes=listed)
    assert set(result.excluded.model) == {"C", "D"}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sizes": {"A": 7, "B": 3, "C": 1}}, ValueError, r"sizes has no entry for \['D'\]"),
        ({"sizes": {**SIZES, "A": 0}}, ValueError, r"sizes\['A'\]"),
        ({"sizes": {**SIZES, "A": -1}}, ValueError, r"sizes\['A'\]"),
        ({"sizes": {**SIZES, "A": True}}, TypeError, r"sizes\['A'\]"),
        ({"sizes": {**SIZES, "A": [7]}}, TypeError, r"sizes\['A'\]"),
        ({"sizes": None}, ValueError, "sizes is required"),
        ({"sizes": SIZES, "gpu_gb": 0}, ValueError, "gpu_gb"),
        ({"sizes": SIZES, "gpu_gb": math.nan}, ValueError, "gpu_gb"),
        ({"sizes": SIZES, "dtype": "int3"}, ValueError, "dtype"),
        ({"sizes": SIZES, "context": 0}, ValueError, "context"),
        ({"sizes": SIZES, "confidence": 1.0}, ValueError, "confidence"),
        ({"sizes": SIZES, "axes": "coding"}, ValueError, "axes"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    kwargs = {"gpu_gb": 24, "axes": None, **kwargs}
    with pytest.raises(error, match=match):
        select.shortlist(table(), **kwargs)


def test_bad_scores():
    with pytest.raises(ValueError, match="rows \\[1\\]"):
        select.shortlist(table(score=[0.8, math.nan, 0.7, 0.6]), gpu_gb=24, axes=None, sizes=SIZES)
    with pytest.raises(ValueError, match="'se' column or 'ci_low'"):
        select.shortlist(table().drop(columns="se"), gpu_gb=24, axes=None, sizes=SIZES)
    with pytest.raises(ValueError, match="no column 'model'"):
        select.shortlist(table().rename(columns={"model": "m"}), gpu_gb=24, axes=None)
    with pytest.raises(ValueError, match="listed twice"):
        select.shortlist(pd.concat([table(), table()]), gpu_gb=24, axes=None, sizes=SIZES)


def test_cli_on_the_shipped_sample(data_dir, tmp_path, capsys):
    out = tmp_path / "shortlist.csv"
    code = main(
        [
            "select",
            "--gpu",
            "24",
            "--scores",
            str(data_dir / "select" / "ifeval_per_model.csv"),
            "--sizes",
            str(data_dir / "select" / "model_sizes.json"),
            "--axes",
            "instruction_following",
            "--dtype",
            "int4",
            "--out",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "rule of thumb for 24 GB: about 6.9B" in text
    assert "parameter count not published" in text
    t = pd.read_csv(out)
    # Qwen2.5 32B and 14B in int4 both fit 24 GB and are within noise of each other
    assert list(t.model[:2]) == [
        "Qwen__Qwen2.5-32B-Instruct-GPTQ-Int4",
        "Qwen__Qwen2.5-14B-Instruct-GPTQ-Int4",
    ]
    assert list(t.tier[:3]) == [1, 1, 2]
    assert len(t) == 10  # the open-weight models; the 7 API models are excluded
    bf16 = main(
        [
            "select",
            "--gpu",
            "24",
            "--scores",
            str(data_dir / "select" / "ifeval_per_model.csv"),
            "--sizes",
            str(data_dir / "select" / "model_sizes.json"),
        ]
    )
    assert bf16 == 0
    text = capsys.readouterr().out
    excluded = text.split("excluded:")[1]
    assert "Qwen__Qwen2.5-32B-Instruct-GPTQ-Int4" in excluded and "> 24 GB" in excluded


def test_cli_errors_are_messages_not_tracebacks(data_dir, tmp_path, capsys):
    scores = str(data_dir / "select" / "ifeval_per_model.csv")
    assert main(["select", "--gpu", "24", "--scores", scores, "--axes", "codin"]) == 1
    assert "unknown axis 'codin'" in capsys.readouterr().err
    missing = str(tmp_path / "no" / "such" / "dir" / "out.csv")
    sizes = str(data_dir / "select" / "model_sizes.json")
    assert main(["select", "--gpu", "24", "--scores", scores, "--sizes", sizes, "--out", missing])
    assert "--out" in capsys.readouterr().err


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/data is not beside the checkout")
def test_shipped_scores_are_derived_from_the_per_item_results(data_dir):
    """The shipped per-model scores recomputed from M-IFEval's per-item results."""
    items = pd.read_csv(SHARED / "ifeval" / "per_item_results.csv")
    shipped = pd.read_csv(data_dir / "select" / "ifeval_per_model.csv").set_index("model")
    from statsmodels.stats.proportion import proportion_confint

    for model, part in items.groupby("model"):
        k, n = int(part.strict_all.sum()), len(part)
        row = shipped.loc[model]
        assert row.n == n and row.score == pytest.approx(k / n, abs=1e-6)
        low, high = proportion_confint(k, n, method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-6)
    sizes = json.loads((data_dir / "select" / "model_sizes.json").read_text())
    assert set(sizes) == set(shipped.index)
    with open(data_dir / "select" / "ifeval_per_model.csv", newline="") as f:
        assert {r["axis"] for r in csv.DictReader(f)} == {"instruction_following"}


def test_shortlist_from_a_real_axis_report(data_dir):
    from assay import axes

    report = axes.report(data_dir / "axes" / "ifeval_per_item.csv", cluster="instruction")
    sizes = data_dir / "select" / "model_sizes.json"
    result = select.shortlist(
        report, gpu_gb=24, axes="instruction_following", sizes=sizes, dtype="int4"
    )
    t = result.table
    assert len(t) == 10 and len(result.excluded) == 7
    assert t.model.iloc[0] == "Qwen__Qwen2.5-32B-Instruct-GPTQ-Int4"
    row = report.axes.set_index("model").loc["Qwen__Qwen2.5-32B-Instruct-GPTQ-Int4"]
    assert t.score.iloc[0] == pytest.approx(row.score) and t.se.iloc[0] == pytest.approx(row.se)
