"""``assay score``: per-item scores and corpus summaries equal to the references' (sacrebleu,
rouge_score), files as plain lines or JSON Lines, several references, errors that name the
file and line, and the progress bar on long inputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assay.cli import main

sacrebleu = pytest.importorskip("sacrebleu")


@pytest.fixture
def files(wmt23, tmp_path):
    systems, ref = wmt23
    hyps = [h.replace("\n", " ") for h in next(iter(systems.values()))]
    other = [h.replace("\n", " ") for h in list(systems.values())[1]]
    ref = [r.replace("\n", " ") for r in ref]
    paths = {}
    for name, texts in (("hyp", hyps), ("ref", ref), ("ref2", other)):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text("\n".join(texts) + "\n", encoding="utf-8")
    return paths, hyps, ref, other


def test_bleu_corpus_and_sentences_equal_sacrebleu(files, tmp_path, capsys):
    paths, hyps, ref, other = files
    out = tmp_path / "bleu.csv"
    args = ["score", "--metric", "bleu", "--pred", str(paths["hyp"])]
    assert (
        main([*args, "--ref", str(paths["ref"]), "--ref", str(paths["ref2"]), "--out", str(out)])
        == 0
    )
    printed = capsys.readouterr().out
    assert str(sacrebleu.corpus_bleu(hyps, [ref, other])) in printed
    table = pd.read_csv(out)
    expected = [
        sacrebleu.sentence_bleu(h, [r, o]).score for h, r, o in zip(hyps, ref, other, strict=True)
    ]
    assert table["bleu"].tolist() == pytest.approx(expected, rel=1e-15, abs=0)


def test_chrfpp_and_rouge(files, tmp_path, capsys):
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    paths, hyps, ref, _ = files
    assert (
        main(
            ["score", "--metric", "chrf++", "--pred", str(paths["hyp"]), "--ref", str(paths["ref"])]
        )
        == 0
    )
    assert str(sacrebleu.corpus_chrf(hyps, [ref], word_order=2)) in capsys.readouterr().out
    out = tmp_path / "rouge.csv"
    code = main(["score", "--metric", "rouge", "--stem", "--pred", str(paths["hyp"]),
                 "--ref", str(paths["ref"]), "--out", str(out)])  # fmt: skip
    assert code == 0
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    expected = [scorer.score(r, h)["rougeL"].fmeasure for h, r in zip(hyps, ref, strict=True)]
    assert pd.read_csv(out)["rougeL_f"].tolist() == pytest.approx(expected, rel=1e-15, abs=0)


def test_jsonl_fields_and_squad(tmp_path, capsys):
    pred = tmp_path / "pred.jsonl"
    gold = tmp_path / "gold.jsonl"
    pred.write_text("\n".join(json.dumps({"text": t}) for t in ["Paris", "the Moon", "x"]) + "\n")
    gold.write_text("\n".join(json.dumps({"text": t}) for t in ["paris.", "Moon", "y z"]) + "\n")
    assert (
        main(
            [
                "score",
                "--metric",
                "squad",
                "--pred",
                str(pred),
                "--ref",
                str(gold),
                "--field",
                "text",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "exact match 66.67" in printed and "F1 66.67" in printed


def test_errors_name_the_file_and_line(tmp_path, capsys):
    good = tmp_path / "a.txt"
    good.write_text("one\ntwo\n")
    short = tmp_path / "b.txt"
    short.write_text("one\n")
    bad = tmp_path / "c.txt"
    bad.write_bytes(b"one\ntw\xff\n")
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text('{"text": "a"}\n{"other": 1}\n')
    cases = [
        (["--pred", str(good), "--ref", str(short)], "has 1 texts but --pred has 2"),
        (["--pred", str(good), "--ref", str(bad)], "c.txt: line 2 is not valid UTF-8"),
        (
            ["--pred", str(jsonl), "--ref", str(good), "--field", "text"],
            "d.jsonl: line 2 has no field 'text'",
        ),
        (["--pred", str(jsonl), "--ref", str(good)], "name the text's field with --field"),
    ]
    for extra, message in cases:
        assert main(["score", "--metric", "bleu", *extra]) == 1
        assert message in capsys.readouterr().err


def test_progress_bar_on_long_inputs(tmp_path, capsys):
    lines = [f"the quick brown fox number {i} jumps" for i in range(9000)]  # synthetic
    p = tmp_path / "p.txt"
    p.write_text("\n".join(lines) + "\n")
    assert main(["score", "--metric", "rouge", "--pred", str(p), "--ref", str(p)]) == 0
    captured = capsys.readouterr()
    assert "scoring" in captured.err and "rouge1: mean F 100.00" in captured.out


def test_demo_text_metrics_section_shows_sacrebleus_numbers(capsys):
    from assay.cli import demo

    demo.text_metrics_section()
    printed = capsys.readouterr().out
    rows = [
        json.loads(line) for line in open(demo.sample("mt", "wmt23_ende.jsonl"), encoding="utf-8")
    ]
    ref = [r["targets"]["refA"] for r in rows]
    hyp = [r["targets"]["ONLINE-W"] for r in rows]
    bleu = sacrebleu.corpus_bleu(hyp, [ref]).score
    chrf = sacrebleu.corpus_chrf(hyp, [ref], word_order=2).score
    line = next(s for s in printed.splitlines() if s.strip().startswith("ONLINE-W"))
    assert line.split()[1:3] == [f"{bleu:.2f}", f"{chrf:.2f}"]


def test_ter_corpus_equals_sacrebleu(files, tmp_path, capsys):
    _, hyps, ref, _ = files
    hyps, ref = hyps[:5], ref[:5]  # sacrebleu's TER takes ~0.5 s a paragraph
    (tmp_path / "h5.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    (tmp_path / "r5.txt").write_text("\n".join(ref) + "\n", encoding="utf-8")
    args = ["--pred", str(tmp_path / "h5.txt"), "--ref", str(tmp_path / "r5.txt")]
    assert main(["score", "--metric", "ter", *args]) == 0
    assert str(sacrebleu.corpus_ter(hyps, [ref])) in capsys.readouterr().out


def test_demo_bleu_stderr_is_lm_evals(capsys, monkeypatch):
    lm_metrics = pytest.importorskip("lm_eval.api.metrics")
    from assay.cli import demo

    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    demo.text_metrics_section()
    printed = capsys.readouterr().out
    rows = [
        json.loads(line) for line in open(demo.sample("mt", "wmt23_ende.jsonl"), encoding="utf-8")
    ]
    items = [(r["targets"]["refA"], r["targets"]["ONLINE-W"]) for r in rows]
    stderr = lm_metrics.bootstrap_stderr(lm_metrics.bleu, items, 100)
    bleu = sacrebleu.corpus_bleu([p for _, p in items], [[r for r, _ in items]]).score
    assert f"ONLINE-W: corpus BLEU {bleu:.2f} ± {stderr:.2f}, the standard error" in printed
