"""ROUGE benchmarks: assay, rouge_score (the reference), rouge-score-rs and rouge-rust
(``fast_rouge``) side by side on the same real pairs, each result checked against assay's.

Data (../shared/data): long pairs are the 300 SQuALITY responses (~225 words) against their
first reference summary (~240 words, several paragraphs); short pairs are 2,000 TruthfulQA
answers (first 200 characters, ~20 words) against the question's best answer (~8 words).
Types rouge1/2/L/Lsum, with and without stemming; fast_rouge computes rouge1/2/L without
stemming only, so it runs in the "rouge1/2/L" groups. rouge_score runs on a slice (``scale``
restores the full count). Per-core figures: run with RAYON_NUM_THREADS=1.

    python -m pytest benches/bench_rouge.py --benchmark-json=rouge.json
    python benches/report.py rouge.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay import metrics

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FOUR = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
THREE = ["rouge1", "rouge2", "rougeL"]


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip("shared/data is not beside the checkout")
    return path


@pytest.fixture(scope="module")
def long_pairs() -> tuple[list[str], list[str]]:
    base = _need(DATA / "summaries")
    refs = {
        (q["passage_id"], q["question_number"]): q["references"][0]
        for q in map(json.loads, (base / "questions_references.jsonl").open(encoding="utf-8"))
    }
    rows = [json.loads(line) for line in (base / "responses.jsonl").open(encoding="utf-8")]
    return [r["response"] for r in rows], [
        refs[(r["passage_id"], r["question_number"])] for r in rows
    ]


@pytest.fixture(scope="module")
def short_pairs() -> tuple[list[str], list[str]]:
    base = _need(DATA / "truthfulqa")
    best = {}
    for q in map(json.loads, (base / "questions.jsonl").open(encoding="utf-8")):
        best[(q["lang"], q["doc_id"])] = q["best_answer"]
    rows = [json.loads(line) for line in (base / "generations.jsonl").open(encoding="utf-8")]
    rows = rows[:2000]
    return [r["response"][:200] for r in rows], [best[(r["lang"], r["doc_id"])] for r in rows]


def tag(benchmark, group: str, impl: str, scale: float = 1.0) -> None:
    benchmark.group = group
    benchmark.extra_info.update(impl=impl, scale=scale, note="")


def _pairs(request, size):
    return request.getfixturevalue(f"{size}_pairs")


def _ours(preds, targets, types, stem):
    table = metrics.rouge(preds, targets, types=types, use_stemmer=stem)
    return [{k: tuple(table[k][i]) for k in types} for i in range(len(preds))]


CASES = [(size, stem) for size in ("long", "short") for stem in (False, True)]


def _group(size, stem, types=FOUR):
    n = "300 SQuALITY pairs" if size == "long" else "2,000 TruthfulQA pairs"
    return f"ROUGE {'/'.join(t[5:] for t in types)}, {n}, stemmer {'on' if stem else 'off'}"


@pytest.mark.parametrize(("size", "stem"), CASES)
def test_rouge_assay(benchmark, request, size, stem):
    preds, targets = _pairs(request, size)
    tag(benchmark, _group(size, stem), "assay")
    benchmark.pedantic(
        metrics.rouge,
        args=(preds, targets),
        kwargs={"types": FOUR, "use_stemmer": stem},
        rounds=20,
        warmup_rounds=1,
    )


@pytest.mark.parametrize(("size", "stem"), CASES)
def test_rouge_score_rs(benchmark, request, size, stem):
    rs = pytest.importorskip("rouge_score_rs.rouge_scorer")
    preds, targets = _pairs(request, size)
    tag(benchmark, _group(size, stem), "rouge-score-rs (score_batch)")
    scorer = rs.RougeScorer(FOUR, use_stemmer=stem)
    got = benchmark.pedantic(scorer.score_batch, args=(targets, preds), rounds=20, warmup_rounds=1)
    assert [{k: tuple(s[k]) for k in FOUR} for s in got] == _ours(preds, targets, FOUR, stem)


@pytest.mark.parametrize(("size", "stem"), CASES)
def test_rouge_score_reference(benchmark, request, size, stem):
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    preds, targets = _pairs(request, size)
    k = 60 if size == "long" else 400
    tag(benchmark, _group(size, stem), "rouge_score", scale=len(preds) / k)
    scorer = rouge_scorer.RougeScorer(FOUR, use_stemmer=stem)

    def run():
        return [scorer.score(t, p) for t, p in zip(targets[:k], preds[:k], strict=True)]

    got = benchmark.pedantic(run, rounds=3)
    expected = _ours(preds[:k], targets[:k], FOUR, stem)
    assert [{t: tuple(s[t]) for t in FOUR} for s in got] == expected


@pytest.mark.parametrize("size", ["long", "short"])
def test_rouge_three_assay(benchmark, request, size):
    preds, targets = _pairs(request, size)
    tag(benchmark, _group(size, False, THREE), "assay")
    benchmark.pedantic(
        metrics.rouge, args=(preds, targets), kwargs={"types": THREE}, rounds=20, warmup_rounds=1
    )


@pytest.mark.parametrize("size", ["long", "short"])
def test_rouge_three_fast_rouge(benchmark, request, size):
    fast_rouge = pytest.importorskip("fast_rouge")
    preds, targets = _pairs(request, size)
    tag(benchmark, _group(size, False, THREE), "rouge-rust (fast_rouge.score_batch)")
    got = benchmark.pedantic(
        fast_rouge.score_batch, args=(targets, preds), rounds=20, warmup_rounds=1
    )
    ours = metrics.rouge(preds, targets, types=THREE)
    names = {"rouge1": "rouge1", "rouge2": "rouge2", "rougeL": "rougeL"}
    for t in THREE:
        theirs = [g[names[t]].fmeasure for g in got]
        close = [abs(a - b) < 1e-9 for a, b in zip(theirs, ours[t][:, 2], strict=True)]
        benchmark.extra_info["note"] = f"F equal to assay's on {sum(close)}/{len(close)} pairs"


@pytest.mark.parametrize("size", ["long", "short"])
def test_rouge_three_rs(benchmark, request, size):
    rs = pytest.importorskip("rouge_score_rs.rouge_scorer")
    preds, targets = _pairs(request, size)
    tag(benchmark, _group(size, False, THREE), "rouge-score-rs (score_batch)")
    scorer = rs.RougeScorer(THREE)
    benchmark.pedantic(scorer.score_batch, args=(targets, preds), rounds=20, warmup_rounds=1)
