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


#: Report sections in order; each capability adds its own.
SECTIONS = [arena_section, contamination_section]


def run(args: argparse.Namespace) -> int:
    for section in SECTIONS:
        section()
    return 0
