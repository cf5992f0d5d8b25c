"""The ``assay`` command line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from assay.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assay", *args], capture_output=True, text=True)


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == "assay 0.1.0"


def test_demo_prints_the_llmfao_leaderboard():
    out = run("demo")
    assert out.returncode == 0, out.stderr
    assert "Arena leaderboard: LLMFAO" in out.stdout
    assert "8931 battles, 59 models" in out.stdout
    assert "GPT 4" in out.stdout


def test_arena_command_writes_table_and_plots(data_dir, tmp_path, capsys):
    table, plot = tmp_path / "t.csv", tmp_path / "ratings.png"
    code = main(
        [
            "arena",
            str(data_dir / "arena" / "llmfao-crowd.csv"),
            "--model-a",
            "left",
            "--model-b",
            "right",
            "--outcome",
            "left=model_a",
            "--outcome",
            "right=model_b",
            "--ci",
            "bootstrap",
            "--n-boot",
            "50",
            "--out",
            str(table),
            "--plot",
            str(plot),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert "GPT 4" in printed
    assert "bootstrap: 100%" in captured.err and "50/50" in captured.err  # the progress bar
    written = pd.read_csv(table)
    assert list(written.columns) == ["model", "rating", "ci_low", "ci_high", "rank_ub", "n_battles"]
    assert len(written) == 59
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "ratings_winrates.png").read_bytes()[:4] == b"\x89PNG"


def test_arena_command_reports_bad_input_cleanly(data_dir, capsys):
    code = main(["arena", str(data_dir / "arena" / "llmfao-crowd.csv")])
    assert code == 1
    err = capsys.readouterr().err
    assert "assay arena: error: battles has no column 'model_a'" in err
    with pytest.raises(SystemExit):
        main(["arena"])
