"""``assay score``: text metrics of predictions against references, per item and corpus."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from .. import metrics
from ..metrics import statistics as st

METRICS = ("rouge", "bleu", "chrf", "chrf++", "ter", "squad")
#: Items scored per step of the progress bar.
CHUNK = 4096


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "score",
        help="ROUGE, BLEU, chrF, TER or SQuAD scores of predictions against references",
        description=(
            "Scores each prediction against its references (equal to rouge_score's, "
            "sacrebleu's and the SQuAD scripts' numbers) and prints the corpus score. Files "
            "hold one text per line, or JSON Lines with --field."
        ),
    )
    p.add_argument("--metric", required=True, choices=METRICS)
    p.add_argument("--pred", required=True, metavar="FILE", help="predictions, one per line")
    p.add_argument(
        "--ref",
        required=True,
        action="append",
        metavar="FILE",
        help="references aligned with the predictions; repeat for several per item",
    )
    p.add_argument("--field", help="read this field of each JSON line instead of plain lines")
    p.add_argument("--stem", action="store_true", help="ROUGE: NLTK's Porter stemmer")
    p.add_argument("--tokenize", default="13a", help="BLEU: sacrebleu tokenizer (13a, none…)")
    p.add_argument("--out", metavar="FILE", help="write per-item scores as CSV")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def read_texts(path: str, field: str | None) -> list[str]:
    """One text per line (``\\n``-separated, a final newline ignored), or ``field`` of each
    JSON line; errors name the file and the line."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_line = data[: e.start].count(b"\n") + 1
        raise ValueError(f"{path}: line {bad_line} is not valid UTF-8") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [s[:-1] if s.endswith("\r") else s for s in lines]
    if field is None and not path.endswith(".jsonl"):
        return lines
    if field is None:
        raise ValueError(f"{path} is JSON Lines: name the text's field with --field")
    out = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: line {i} is not JSON ({e.msg})") from None
        if not isinstance(row, dict) or field not in row:
            raise ValueError(f"{path}: line {i} has no field {field!r}")
        if not isinstance(row[field], str):
            kind = type(row[field]).__name__
            raise ValueError(f"{path}: line {i}: {field!r} is {kind}, not text")
        out.append(row[field])
    return out


def _chunks(n: int, show: bool) -> Any:
    starts = range(0, n, CHUNK)
    if not show or n <= CHUNK:
        return starts
    from tqdm.auto import tqdm

    return tqdm(starts, desc="scoring", unit="chunk", total=len(starts))


def run(args: argparse.Namespace) -> int:
    preds = read_texts(args.pred, args.field)
    streams = [read_texts(r, args.field) for r in args.ref]
    for path, stream in zip(args.ref, streams, strict=True):
        if len(stream) != len(preds):
            raise ValueError(f"--ref {path} has {len(stream)} texts but --pred has {len(preds)}")
    if not preds:
        raise ValueError(f"--pred {args.pred} holds no texts")
    refs = [list(r) for r in zip(*streams, strict=True)]
    columns: dict[str, list[np.ndarray]] = {}
    rows: list[Any] = []  # corpus metrics: the chunks' per-segment statistics
    for start in _chunks(len(preds), not args.no_progress):
        part = slice(start, start + CHUNK)
        scores, statistics = _per_item(args, preds[part], refs[part])
        for name, values in scores.items():
            columns.setdefault(name, []).append(values)
        rows.append(statistics)
    table = {name: np.concatenate(parts) for name, parts in columns.items()}
    print(f"{args.metric}: {len(preds)} predictions, {len(streams)} reference(s) each")
    for line in _summary(args, rows, table):
        print(line)
    if args.out:
        import pandas as pd

        pd.DataFrame(table).to_csv(args.out, index_label="item")
        print(f"wrote {args.out}")
    return 0


def _word_order(args: argparse.Namespace) -> int:
    return 2 if args.metric == "chrf++" else 0


def _per_item(
    args: argparse.Namespace, preds: list[str], refs: list[list[str]]
) -> tuple[dict[str, Any], Any]:
    """Per-item scores and, for corpus metrics, the per-segment statistics they came from (the
    corpus score is the score of their sum: nothing is tokenised twice)."""
    if args.metric == "rouge":
        table = metrics.rouge(preds, refs, use_stemmer=args.stem)
        return {f"{k}_{m}": v[:, i] for k, v in table.items() for i, m in enumerate("prf")}, None
    if args.metric == "bleu":  # sentence BLEU: sacrebleu's effective order
        rows = st.bleu_segment_statistics(preds, refs, args.tokenize, False, st.MAX_NGRAM_ORDER)
        scores = [st.bleu_score(r, "exp", None, True, st.MAX_NGRAM_ORDER).score
                  for r in rows.tolist()]  # fmt: skip
        return {"bleu": np.array(scores, dtype=np.float64)}, rows
    if args.metric in ("chrf", "chrf++"):
        rows = st.chrf_segment_statistics(
            preds, refs, st.CHAR_ORDER, _word_order(args), st.BETA, False, False, False
        )
        scores = [st.chrf_score(r, st.BETA, False) for r in rows.tolist()]
        return {args.metric: np.array(scores, dtype=np.float64)}, rows
    if args.metric == "ter":
        edits, lengths = st.ter_statistics(preds, refs)
        scores = [st.compute_ter(e, n).score for e, n in zip(edits, lengths, strict=True)]
        return {"ter": np.array(scores, dtype=np.float64)}, (edits, lengths)
    return dict(metrics.squad(preds, refs)), None


def _summary(args: argparse.Namespace, rows: list[Any], table: dict[str, Any]) -> list[str]:
    if args.metric == "rouge":
        return [
            f"  {k}: mean F {100 * table[f'{k}_f'].mean():.2f}"
            for k in ("rouge1", "rouge2", "rougeL", "rougeLsum")
        ]
    if args.metric == "bleu":
        total = [int(x) for x in np.concatenate(rows).sum(axis=0)]
        corpus = st.bleu_score(total, "exp", None, False, st.MAX_NGRAM_ORDER)
        return [f"  corpus {corpus}", f"  mean sentence BLEU {table['bleu'].mean():.2f}"]
    if args.metric in ("chrf", "chrf++"):
        total = [int(x) for x in np.concatenate(rows).sum(axis=0)]
        score = st.chrf_score(total, st.BETA, False)
        chrf = st.CHRFScore(score, st.CHAR_ORDER, _word_order(args), st.BETA)
        return [f"  corpus {chrf}", f"  mean sentence score {table[args.metric].mean():.2f}"]
    if args.metric == "ter":
        edits = [e for part, _ in rows for e in part]
        lengths = [n for _, part in rows for n in part]
        corpus_ter = st.ter_score(edits, lengths)  # summed in order, as sacrebleu
        return [f"  corpus {corpus_ter}", f"  mean sentence TER {table['ter'].mean():.2f}"]
    return [
        f"  exact match {100 * table['exact_match'].mean():.2f}",
        f"  F1 {100 * table['f1'].mean():.2f}",
    ]
