"""``assay demo``: a short evaluation report on the sample data shipped in the package."""

from __future__ import annotations

import argparse
import time
from importlib.resources import files


def register(sub: argparse._SubParsersAction) -> None:
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
        f"13-gram overlap (lm-evaluation-harness normalisation) + MinHash near duplicates; "
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
    print(spectral.metrics(trained[:3], dtype="float64").round(4).to_string())
    print()


#: Report sections in order; each capability adds its own.
SECTIONS = [arena_section, erank_section, contamination_section]


def run(args: argparse.Namespace) -> int:
    for section in SECTIONS:
        section()
    return 0
