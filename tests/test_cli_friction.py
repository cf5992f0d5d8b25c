"""Newcomer friction found in a user trial (issue 25), each with a regression test: CLI errors
name flags rather than Python syntax; ``--by a b``; ``--features`` before FILE; ``dedup --out``
says what it wrote; a short ``repr(Leaderboard)``; plots say what they leave out; the demo's
eRank rows are labelled; README's working command for the shipped LLMFAO sample."""

from __future__ import annotations

import pandas as pd
import pytest

from assay import arena
from assay.cli import build_parser, main

SAMPLE = "python/assay/data/arena/llmfao-crowd.csv"


@pytest.fixture
def sample(data_dir):
    return str(data_dir / "arena" / "llmfao-crowd.csv")


FLAGS = ["--model-a", "left", "--model-b", "right", "--outcome", "left=model_a",
         "--outcome", "right=model_b"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message", "python_syntax"),
    [
        ([], "name it with --model-a COLUMN", "model_a="),
        (["--model-a", "left", "--model-b", "right"], "--outcome LABEL=model_a", "outcomes={"),
        ([*FLAGS, "--ci", "voter"], "--ci voter resamples voters: pass --voter COLUMN", "voter=<"),
    ],
)
def test_errors_name_flags(sample, capsys, extra, message, python_syntax):
    assert main(["arena", sample, *extra]) == 1
    err = capsys.readouterr().err
    assert message in err and python_syntax not in err


def test_by_takes_several_columns_in_one_flag(sample, tmp_path):
    frame = pd.read_csv(sample)
    frame["half"] = frame["id"] % 2  # two derived segment columns over the real votes
    frame["third"] = frame["id"] % 3
    path = tmp_path / "votes.csv"
    frame.to_csv(path, index=False)
    outs = []
    for by in (["--by", "half", "third"], ["--by", "half", "--by", "third"]):
        out = tmp_path / f"seg{len(outs)}.csv"
        assert main(["arena", str(path), *FLAGS, *by, "--out", str(out)]) == 0
        outs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outs[0], outs[1])
    assert set(outs[0][["half", "third"]].itertuples(index=False)) == {
        (h, t) for h in range(2) for t in range(3)
    }


def test_features_do_not_swallow_the_file():
    args = build_parser().parse_args(
        ["arena", "--features", "length=a,b", "--features", "md=c,d", "votes.csv"]
    )
    assert args.file == "votes.csv" and args.features == ["length=a,b", "md=c,d"]


def test_dedup_out_says_what_it_wrote(tmp_path, capsys):
    texts = tmp_path / "docs.jsonl"
    texts.write_text('{"text": "a b c d e f"}\n{"text": "a b c d e f"}\n')
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(texts), "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out


def test_leaderboard_repr_is_short(sample):
    board = arena.fit(sample, model_a="left", model_b="right",
                      outcomes={"left": "model_a", "right": "model_b"})  # fmt: skip
    text = repr(board)
    assert len(text) < 200 and text.startswith("<Leaderboard: 59 models")


def test_plots_say_what_they_leave_out(sample, tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from assay.arena import _plot

    board = arena.fit(sample, model_a="left", model_b="right",
                      outcomes={"left": "model_a", "right": "model_b"})  # fmt: skip
    titles = []
    original = plt.Axes.set_title

    def spy(self, label, *a, **kw):
        titles.append(label)
        return original(self, label, *a, **kw)

    plt.Axes.set_title = spy
    try:
        _plot.plot_leaderboard(board, str(tmp_path / "r.png"))
    finally:
        plt.Axes.set_title = original
    assert titles == ["top 40 of 59 models", "top 30 of 59 models; grey: no battles"]


def test_demo_erank_rows_are_labelled(capsys):
    from assay.cli import demo

    demo.erank_section()
    assert "sentence 1 " in capsys.readouterr().out


def test_readme_command_for_the_sample_runs(capsys):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("assay arena python/assay/data/arena/llmfao-crowd.csv")
    command = readme[start : readme.index("```", start)].replace("\\\n", " ").split()
    assert command[:3] == ["assay", "arena", SAMPLE]
    root = Path(__file__).resolve().parents[1]
    assert main([command[1], str(root / SAMPLE), *command[3:], "--n-boot", "20"]) == 0
    assert "GPT 4" in capsys.readouterr().out
