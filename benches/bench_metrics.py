"""Text metric benchmarks: assay and sacrebleu side by side on the same segments.

Data: the WMT23 English→German paragraphs of ../shared/data/mt (104 source paragraphs, 9 real
systems, the human reference refA): 936 hypothesis segments of ~85 words. Sentence BLEU of
every segment and corpus BLEU of all of them.

    python -m pytest benches/bench_metrics.py --benchmark-json=metrics.json
    python benches/report.py metrics.json
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay import metrics

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mt"


@pytest.fixture(scope="module")
def segments():
    path = DATA / "wmt23_ende_sxs_segments.jsonl"
    if not path.exists():
        pytest.skip("shared/data is not beside the checkout")
    rows = [json.loads(line) for line in path.open()]
    hyps, refs = [], []
    for r in rows:
        for name, text in r["targets"].items():
            if name != "refA":
                hyps.append(text)
                refs.append(r["targets"]["refA"])
    return hyps, refs


def tag(benchmark, group: str, impl: str) -> None:
    benchmark.group = group
    benchmark.extra_info.update(impl=impl, scale=1.0, note="")


def test_sentence_bleu_assay(benchmark, segments):
    tag(benchmark, "sentence BLEU, 936 WMT23 paragraphs", "assay")
    hyps, refs = segments
    benchmark.pedantic(metrics.bleu, args=(hyps, refs), rounds=20, warmup_rounds=1)


def test_sentence_bleu_sacrebleu(benchmark, segments):
    sacrebleu = pytest.importorskip("sacrebleu")
    tag(benchmark, "sentence BLEU, 936 WMT23 paragraphs", "sacrebleu")
    hyps, refs = segments

    def run():
        return [sacrebleu.sentence_bleu(h, [r]).score for h, r in zip(hyps, refs, strict=True)]

    assert benchmark.pedantic(run, rounds=3) == metrics.bleu(hyps, refs).tolist()


def test_corpus_bleu_assay(benchmark, segments):
    tag(benchmark, "corpus BLEU, 936 WMT23 paragraphs", "assay")
    hyps, refs = segments
    benchmark.pedantic(metrics.corpus_bleu, args=(hyps, [refs]), rounds=20, warmup_rounds=1)


def test_corpus_bleu_sacrebleu(benchmark, segments):
    sacrebleu = pytest.importorskip("sacrebleu")
    tag(benchmark, "corpus BLEU, 936 WMT23 paragraphs", "sacrebleu")
    hyps, refs = segments
    got = benchmark.pedantic(sacrebleu.corpus_bleu, args=(hyps, [refs]), rounds=3)
    assert got.score == metrics.corpus_bleu(hyps, [refs]).score


@pytest.mark.parametrize("word_order", [0, 2])
def test_sentence_chrf_assay(benchmark, segments, word_order):
    tag(benchmark, f"sentence chrF (word order {word_order}), 936 WMT23 paragraphs", "assay")
    hyps, refs = segments
    benchmark.pedantic(
        metrics.chrf, args=(hyps, refs), kwargs={"word_order": word_order}, rounds=10
    )


@pytest.mark.parametrize("word_order", [0, 2])
def test_sentence_chrf_sacrebleu(benchmark, segments, word_order):
    sacrebleu = pytest.importorskip("sacrebleu")
    tag(benchmark, f"sentence chrF (word order {word_order}), 936 WMT23 paragraphs", "sacrebleu")
    hyps, refs = segments

    def run():
        return [
            sacrebleu.sentence_chrf(h, [r], word_order=word_order).score
            for h, r in zip(hyps, refs, strict=True)
        ]

    got = benchmark.pedantic(run, rounds=2)
    assert got == metrics.chrf(hyps, refs, word_order=word_order).tolist()


@pytest.mark.parametrize("word_order", [0, 2])
def test_corpus_chrf_assay(benchmark, segments, word_order):
    tag(benchmark, f"corpus chrF (word order {word_order}), 936 WMT23 paragraphs", "assay")
    hyps, refs = segments
    benchmark.pedantic(
        metrics.corpus_chrf, args=(hyps, [refs]), kwargs={"word_order": word_order}, rounds=10
    )


@pytest.mark.parametrize("word_order", [0, 2])
def test_corpus_chrf_sacrebleu(benchmark, segments, word_order):
    sacrebleu = pytest.importorskip("sacrebleu")
    tag(benchmark, f"corpus chrF (word order {word_order}), 936 WMT23 paragraphs", "sacrebleu")
    hyps, refs = segments
    got = benchmark.pedantic(
        sacrebleu.corpus_chrf, args=(hyps, [refs]), kwargs={"word_order": word_order}, rounds=2
    )
    assert got.score == metrics.corpus_chrf(hyps, [refs], word_order=word_order).score


@pytest.fixture(scope="module")
def long_segments(segments):
    """~170-word segments: consecutive pairs of the WMT23 paragraphs, joined."""
    hyps, refs = segments
    return (
        [hyps[i] + " " + hyps[i + 1] for i in range(0, len(hyps) - 1, 2)],
        [refs[i] + " " + refs[i + 1] for i in range(0, len(refs) - 1, 2)],
    )


TER_GROUP = "sentence TER, 468 WMT23 segments of ~170 words"


def test_sentence_ter_assay(benchmark, long_segments):
    tag(benchmark, TER_GROUP, "assay")
    hyps, refs = long_segments
    benchmark.pedantic(metrics.ter, args=(hyps, refs), rounds=3, warmup_rounds=1)


def test_sentence_ter_sacrebleu(benchmark, long_segments):
    from sacrebleu.metrics import TER

    hyps, refs = long_segments
    k = 12
    tag(
        benchmark,
        TER_GROUP,
        "sacrebleu",
    )
    benchmark.extra_info["scale"] = len(hyps) / k

    def run():
        metric = TER()
        return [
            metric.sentence_score(h, [r]).score for h, r in zip(hyps[:k], refs[:k], strict=True)
        ]

    assert benchmark.pedantic(run, rounds=1) == metrics.ter(hyps[:k], refs[:k]).tolist()
