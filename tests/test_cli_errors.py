"""The CLI answers bad invocations with a message, not a traceback (issue 25, defect 8)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assay.cli import main


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "assay", *args], capture_output=True, text=True, input=stdin
    )


def sample(data_dir):
    return str(data_dir / "arena" / "llmfao-crowd.csv")


ARENA = ["--model-a", "left", "--model-b", "right", "--outcome", "left=model_a",
         "--outcome", "right=model_b"]  # fmt: skip


def test_out_into_a_missing_folder_is_named_before_the_work(data_dir, tmp_path, capsys):
    missing = str(tmp_path / "no" / "board.csv")
    assert main(["arena", sample(data_dir), *ARENA, "--out", missing]) == 1
    assert "--out: the folder" in capsys.readouterr().err


def test_negative_seed(data_dir, capsys):
    assert main(["arena", sample(data_dir), *ARENA, "--seed", "-1"]) == 1
    assert "--seed must be >= 0" in capsys.readouterr().err


def test_missing_extra_names_it(data_dir, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    assert main(["arena", sample(data_dir), *ARENA, "--plot", "x.png"]) == 1
    assert "pip install 'assay[plot]'" in capsys.readouterr().err


def test_import_error_of_an_extra_names_it(monkeypatch, capsys):
    from assay import cli
    from assay.cli import demo

    def needs(module):
        def run(args):
            raise ImportError(f"No module named {module!r}", name=module)

        return run

    for module, extra in [("cupy", "gpu"), ("torch", "torch"), ("ray.data", "ray")]:
        monkeypatch.setattr(demo, "run", needs(module))
        assert cli.main(["demo"]) == 1
        assert f"pip install 'assay[{extra}]'" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
def test_broken_pipe_is_quiet():
    # a command that prints far more than a pipe holds, read by `head -n 2`
    script = (
        "import sys\n"
        "from assay import cli\n"
        "from assay.cli import demo\n"
        "def flood(args):\n"
        "    for _ in range(200_000):\n"
        "        print('x' * 80)\n"
        "demo.run = flood\n"
        "sys.exit(cli.main(['demo']))\n"
    )
    cmd = f'{sys.executable} -c "$SCRIPT" | head -n 2'
    out = subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, env={**os.environ, "SCRIPT": script}
    )
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr, out.stderr
    assert len(out.stdout.splitlines()) == 2


def test_dedup_on_cuda_without_cupy_names_the_extra(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "a", "text": "one two three four five six"}\n')
    monkeypatch.setitem(sys.modules, "cupy", None)  # as on a machine without CuPy
    assert main(["dedup", str(corpus), "--device", "cuda"]) == 1
    assert "pip install 'assay[gpu]'" in capsys.readouterr().err
