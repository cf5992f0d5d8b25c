"""``assay demo``: a short evaluation report on the sample data shipped in the package."""

from __future__ import annotations

import argparse
import time
from importlib.resources import files


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="evaluation report on the shipped sample data")
    p.set_defaults(func=run)


def sample(*parts: str) -> str:
    """Path of a sample file shipped in assay/data."""
    return str(files("assay").joinpath("data", *parts))


def arena_section() -> None:
    from .. import arena

    path = sample("arena", "llmfao-crowd.csv")
    start = time.perf_counter()
    board = arena.fit(
        path, model_a="left", model_b="right", outcomes={"left": "model_a", "right": "model_b"}
    )
    elapsed = time.perf_counter() - start
    d = board.diagnostics
    print("== Arena leaderboard: LLMFAO crowd votes (CC BY 4.0, D. Ustalov / llmonitor.com) ==")
    print(
        f"{d['battles']} battles, {d['models']} models; Bradley-Terry with ties, 95% sandwich CIs; "
        f"fitted in {elapsed * 1000:.0f} ms\n"
    )
    print(board.table.head(15).to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    print(f"... {len(board.table) - 15} more models\n")


def contamination_section() -> None:
    from ..contamination import contamination

    start = time.perf_counter()
    report = contamination(
        sample("contamination", "benchmark.jsonl"),
        sample("contamination", "corpus.jsonl"),
        progress=False,
    )
    elapsed = time.perf_counter() - start
    print("== Contamination: 40 benchmark items vs 97 Python stdlib docstrings (PSF License) ==")
    print(
        f"13-gram overlap (lm-evaluation-harness normalization) + MinHash near duplicates; "
        f"{elapsed * 1000:.0f} ms\n"
    )
    print(report, "\n")


def erank_section() -> None:
    import numpy as np

    from .. import erank, spectral

    data = np.load(sample("erank", "minilm_fixtures.npz"))
    trained = [data[k] for k in sorted(data.files) if k.startswith("trained_")]
    untrained = [data[k] for k in sorted(data.files) if k.startswith("untrained_")]
    start = time.perf_counter()
    h1 = spectral.entropy(trained, dtype="float64")
    h0 = spectral.entropy(untrained, dtype="float64")
    elapsed = time.perf_counter() - start
    print("== eRank and Diff-eRank: all-MiniLM-L6-v2 last-layer states of 20 sentences ==")
    print(
        f"trained eRank {np.exp(h1.mean()):.3f}, untrained (seed 0) eRank "
        f"{np.exp(h0.mean()):.3f}; computed in {elapsed * 1000:.1f} ms"
    )
    print(
        f"Diff-eRank: {erank.diff_erank(h0, h1):.4f} (algorithm a), "
        f"{erank.diff_erank(h0, h1, algorithm='b'):.4f} (algorithm b)"
    )
    table = spectral.metrics(trained[:3], dtype="float64").round(4)
    table.index = [f"sentence {i + 1}" for i in range(len(table))]
    print(table.to_string())
    print()


def axes_section() -> None:
    import tempfile
    from pathlib import Path

    from .. import axes

    start = time.perf_counter()
    report = axes.report(
        sample("axes", "ifeval_per_item.csv"), cluster="instruction", group="lang", n_boot=500
    )
    tiers = report.tiers()
    elapsed = time.perf_counter() - start
    print(
        "== Per-axis report: M-IFEval per-item results of 17 models (Apache-2.0, lightblue-tech) =="
    )
    print(
        "instruction_following, prompt-level strict accuracy normalized to 0-100; intervals "
        "cluster-robust by instruction type; tiers from paired tests against each tier's "
        f"leader; {elapsed * 1000:.0f} ms\n"
    )
    table = report.axes.merge(tiers[["model", "tier"]], on="model").sort_values(
        "score", ascending=False
    )
    columns = ["model", "score", "ci_low", "ci_high", "tier"]
    print(table[columns].to_string(index=False, float_format=lambda x: f"{x:.1f}"))
    pair = report.compare("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18").iloc[0]
    low, high = pair.ci_low * 100, pair.ci_high * 100
    print(
        f"\ngpt-4o vs gpt-4o-mini on the same {pair.n} prompts: difference "
        f"{pair.difference * 100:+.1f} points [{low:+.1f}, {high:+.1f}], "
        f"{pair.test.replace('_', ' ')} p = {pair.p_value:.2g}"
    )
    assert report.groups is not None
    gaps = report.groups.set_index("model").loc["gpt-4o-2024-08-06"]
    print(
        f"gpt-4o's language gap: {gaps.gap * 100:.1f} points, worst language {gaps.worst_group} "
        f"[{gaps.gap_ci_low * 100:.1f}, {gaps.gap_ci_high * 100:.1f}]"
    )
    try:
        folder = Path(tempfile.gettempdir()) / "assay-demo"
        folder.mkdir(exist_ok=True)
        paths = report.plot(str(folder / "axes_profile.png"))
        print(f"wrote {paths[0]} and {paths[1]}")
    except ImportError:
        print("(plots need matplotlib: pip install 'assay[plot]')")
    print()


def text_metrics_section() -> None:
    import json

    import pandas as pd

    from .. import harness, metrics

    rows = [json.loads(line) for line in open(sample("mt", "wmt23_ende.jsonl"), encoding="utf-8")]
    ref = [r["targets"]["refA"] for r in rows]
    systems = [s for s in rows[0]["targets"] if s != "refA"]
    mqm = pd.read_csv(sample("mt", "mqm.csv")).groupby("system")["mqm_penalty"].mean()
    start = time.perf_counter()
    table = []
    for s in systems:
        hyp = [r["targets"][s] for r in rows]
        table.append(
            {
                "system": s,
                "BLEU": metrics.corpus_bleu(hyp, [ref]).score,
                "chrF++": metrics.corpus_chrf(hyp, [ref], word_order=2).score,
                "ROUGE-L F": 100 * metrics.rouge(hyp, ref, types=["rougeL"])["rougeL"][:, 2].mean(),
                "MQM": mqm[s],
            }
        )
    elapsed = time.perf_counter() - start
    frame = pd.DataFrame(table).sort_values("chrF++", ascending=False)
    print(
        "== Text metrics: WMT23 English-German, 9 systems x 104 paragraphs (Apache-2.0, Google) =="
    )
    print(
        "corpus BLEU and chrF++ equal to sacrebleu's, ROUGE-L to rouge_score's, against the human "
        f"reference refA; scored in {elapsed * 1000:.0f} ms. MQM: mean expert penalty per "
        "segment (lower is better)\n"
    )
    print(frame.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    ranks = frame[["BLEU", "chrF++", "ROUGE-L F"]].rank().corrwith(-frame["MQM"].rank())
    print(
        "Spearman correlation with -MQM across systems: "
        + ", ".join(f"{k} {v:+.2f}" for k, v in ranks.items())
    )
    best = frame.iloc[0]["system"]
    items = [(r["targets"]["refA"], r["targets"][best]) for r in rows]
    start = time.perf_counter()
    stderr = harness.corpus_bootstrap_stderr("bleu", items, iters=100)
    elapsed = time.perf_counter() - start
    print(
        f"{best}: corpus BLEU {frame.iloc[0]['BLEU']:.2f} ± {stderr:.2f}, the standard error "
        f"lm-evaluation-harness reports (its 100-resample bootstrap, float for float); "
        f"{elapsed * 1000:.0f} ms"
    )
    print()


#: Report sections in order; each capability adds its own.
SECTIONS = [arena_section, erank_section, contamination_section, axes_section, text_metrics_section]


def run(args: argparse.Namespace) -> int:
    for section in SECTIONS:
        section()
    return 0
