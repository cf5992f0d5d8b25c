"""SQuAD F1 / exact match and pass@k: assay beside the official SQuAD v1.1 script's functions
(transcribed in tests/test_metrics_squad.py) and lm-eval's copy of the Codex pass@k estimator,
on the same inputs, each result checked against assay's.

Data: the 6,536 TruthfulQA generations of ../shared/data/truthfulqa (first line, at most 120
characters) against the question's correct answers (4 on average): 26k answer pairs.

    python -m pytest benches/bench_qa.py --benchmark-json=qa.json
    python benches/report.py qa.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from assay import metrics

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "truthfulqa"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


@pytest.fixture(scope="module")
def answers():
    if not DATA.exists():
        pytest.skip("shared/data is not beside the checkout")
    best = {}
    for q in map(json.loads, (DATA / "questions.jsonl").open(encoding="utf-8")):
        best[(q["lang"], q["doc_id"])] = q["correct_answers"]
    rows = [json.loads(line) for line in (DATA / "generations.jsonl").open(encoding="utf-8")]
    preds = [r["response"].split("\n")[0][:120] for r in rows]
    return preds, [best[(r["lang"], r["doc_id"])] for r in rows]


GROUP = "SQuAD v1.1 F1 + EM, 6,536 TruthfulQA answers x 4 gold"


def tag(benchmark, group: str, impl: str) -> None:
    benchmark.group = group
    benchmark.extra_info.update(impl=impl, scale=1.0, note="")


def test_squad_assay(benchmark, answers):
    tag(benchmark, GROUP, "assay")
    benchmark.pedantic(metrics.squad, args=answers, rounds=20, warmup_rounds=1)


def test_squad_official(benchmark, answers):
    from test_metrics_squad import (
        v11_exact_match_score,
        v11_f1_score,
        v11_metric_max_over_ground_truths,
    )

    tag(benchmark, GROUP, "official v1.1 script functions")
    preds, golds = answers

    def run():
        best = v11_metric_max_over_ground_truths
        f1 = [best(v11_f1_score, p, g) for p, g in zip(preds, golds, strict=True)]
        em = [best(v11_exact_match_score, p, g) for p, g in zip(preds, golds, strict=True)]
        return f1, em

    f1, em = benchmark.pedantic(run, rounds=3)
    ours = metrics.squad(preds, golds)
    assert ours["f1"].tolist() == f1 and ours["exact_match"].tolist() == em


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(0)
    n = np.full(20_000, 200)
    return n, rng.integers(0, 201, size=20_000)


def test_pass_at_k_assay(benchmark, samples):
    tag(benchmark, "pass@10, 20,000 problems x 200 samples", "assay")
    benchmark.pedantic(metrics.pass_at_k, args=(*samples, 10), rounds=20, warmup_rounds=1)


def test_pass_at_k_codex(benchmark, samples):
    crux = pytest.importorskip("lm_eval.tasks.cruxeval.utils")
    tag(benchmark, "pass@10, 20,000 problems x 200 samples", "Codex estimator (lm-eval copy)")
    n, c = samples

    def run():
        return [crux._pass_at_k(int(a), int(b), 10) for a, b in zip(n, c, strict=True)]

    assert benchmark.pedantic(run, rounds=3) == metrics.pass_at_k(n, c, 10).tolist()
