"""Harness aggregation benchmarks: lm-evaluation-harness's bootstrap standard error, assay and
lm-eval side by side on the same items.

Items: 10,000 synthetic (labelled as such) binary (gold, pred) pairs at 80 % agreement for
F1 and MCC, and 10,000 synthetic log-likelihoods for median and perplexity. assay runs the full
100,000 resamples on both cores. lm-eval runs its own ``bootstrap_stderr`` (its
multiprocessing pool over the same 2 cores) on 2,000 resamples (2 of its 1,000-resample
chunks), timed as it is and scaled ×50 to 100,000 (extra_info "scale"): its cost is linear
in the number of chunks. A full lm-eval run of F1 would take about half an hour.

    python -m pytest benches/bench_harness.py --benchmark-json=harness.json
    python benches/report.py harness.json
"""

from __future__ import annotations

import numpy as np
import pytest

from assay import harness

N, ITERS, ANCHOR_ITERS = 10_000, 100_000, 2_000


@pytest.fixture(scope="module")
def items():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, N)
    pred = np.where(rng.random(N) < 0.8, gold, 1 - gold)
    pairs = list(zip(gold.tolist(), pred.tolist(), strict=True))
    loglik = (-rng.gamma(2.0, 1.5, N)).tolist()
    return {"f1": pairs, "mcc": pairs, "median": loglik, "perplexity": loglik}


def tag(benchmark, group: str, impl: str, scale: float = 1.0, note: str = "") -> None:
    benchmark.group = group
    benchmark.extra_info.update(impl=impl, scale=scale, note=note)


STATISTICS = ["f1", "mcc", "median", "perplexity"]


@pytest.mark.parametrize("statistic", STATISTICS)
def test_bootstrap_assay(benchmark, items, statistic):
    tag(benchmark, f"bootstrap stderr {statistic} 10k x 100k", "assay")
    benchmark.pedantic(
        harness.bootstrap_stderr, args=(statistic, items[statistic], ITERS), rounds=3
    )


@pytest.mark.parametrize("statistic", STATISTICS)
def test_bootstrap_lm_eval(benchmark, items, statistic, monkeypatch):
    metrics = pytest.importorskip("lm_eval.api.metrics")
    monkeypatch.delenv("DISABLE_MULTIPROC", raising=False)  # lm-eval's own mp.Pool
    function = {
        "f1": metrics.f1_score,
        "mcc": metrics.matthews_corrcoef,
        "median": metrics.median,
        "perplexity": metrics.perplexity,
    }[statistic]
    tag(
        benchmark,
        f"bootstrap stderr {statistic} 10k x 100k",
        "lm-eval",
        scale=ITERS / ANCHOR_ITERS,
        note="2,000 resamples on its mp.Pool, scaled to 100,000",
    )
    got = benchmark.pedantic(
        metrics.bootstrap_stderr, args=(function, items[statistic], ANCHOR_ITERS), rounds=1
    )
    assert got == harness.bootstrap_stderr(statistic, items[statistic], ANCHOR_ITERS)


# --- corpus metrics: 100 resamples of ~10k long segments ----------------------------------


@pytest.fixture(scope="module")
def corpus_items():
    """The 936 real WMT23 paragraphs (9 systems, reference refA) repeated 10 times: 9,360
    (reference, prediction) items of ~85 words, as lm-eval collects them."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "mt"
    path = path / "wmt23_ende_sxs_segments.jsonl"
    if not path.exists():
        pytest.skip("shared/data is not beside the checkout")
    rows = [json.loads(line) for line in path.open()]
    items = [
        (r["targets"]["refA"], text)
        for r in rows
        for name, text in r["targets"].items()
        if name != "refA"
    ]
    return items * 10


CORPUS = ["bleu", "chrf"]


@pytest.mark.parametrize("metric", CORPUS)
def test_corpus_bootstrap_assay(benchmark, corpus_items, metric):
    tag(benchmark, f"corpus {metric} stderr, 9,360 segments x 100 resamples", "assay")
    benchmark.pedantic(harness.corpus_bootstrap_stderr, args=(metric, corpus_items, 100), rounds=3)


@pytest.mark.parametrize("metric", CORPUS)
def test_corpus_bootstrap_lm_eval(benchmark, corpus_items, metric, monkeypatch):
    metrics = pytest.importorskip("lm_eval.api.metrics")
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")  # one chunk: its pool would add nothing
    function = {"bleu": metrics.bleu, "chrf": metrics.chrf}[metric]
    tag(
        benchmark,
        f"corpus {metric} stderr, 9,360 segments x 100 resamples",
        "lm-eval",
        scale=50.0,
        note="2 resamples timed, scaled to 100",
    )
    got = benchmark.pedantic(metrics.bootstrap_stderr, args=(function, corpus_items, 2), rounds=1)
    assert got == harness.corpus_bootstrap_stderr(metric, corpus_items, 2)


@pytest.fixture(scope="module")
def truthfulqa_docs():
    import json
    from pathlib import Path

    utils = pytest.importorskip("lm_eval.tasks.truthfulqa.utils")
    base = Path(__file__).resolve().parents[2] / "shared" / "data" / "truthfulqa"
    if not base.exists():
        pytest.skip("shared/data is not beside the checkout")
    questions = {}
    for q in map(json.loads, (base / "questions.jsonl").open(encoding="utf-8")):
        questions[(q["lang"], q["doc_id"])] = q
    rows = [json.loads(line) for line in (base / "generations.jsonl").open(encoding="utf-8")]
    docs = [utils.preprocess_function(questions[(r["lang"], r["doc_id"])]) for r in rows]
    return [r["response"] for r in rows], docs


TRUTHFULQA = "truthfulqa_gen scoring, 6,536 real responses (4 models, en + eu)"


def test_truthfulqa_gen_assay(benchmark, truthfulqa_docs):
    responses, docs = truthfulqa_docs
    tag(benchmark, TRUTHFULQA, "assay")
    correct = [d["correct_answers"] for d in docs]
    incorrect = [d["incorrect_answers"] for d in docs]
    benchmark.pedantic(
        harness.truthfulqa_gen, args=(responses, correct, incorrect), rounds=5, warmup_rounds=1
    )


def test_truthfulqa_gen_lm_eval(benchmark, truthfulqa_docs):
    from lm_eval.tasks.truthfulqa import utils

    responses, docs = truthfulqa_docs
    k = 40
    tag(benchmark, TRUTHFULQA, "lm-eval process_results_gen", scale=len(docs) / k)

    def run():
        return [
            utils.process_results_gen(d, [r]) for d, r in zip(docs[:k], responses[:k], strict=True)
        ]

    got = benchmark.pedantic(run, rounds=1)
    ours = harness.truthfulqa_gen(
        responses[:k],
        [d["correct_answers"] for d in docs[:k]],
        [d["incorrect_answers"] for d in docs[:k]],
    )
    assert [ours.iloc[i].to_dict() for i in range(k)] == got
