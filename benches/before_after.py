"""Same-run timing of assay's arena, spectral and dedup calls under two builds (a refactor
must not slow them down): each case runs in a fresh interpreter of each build, the builds
alternating case by case and round by round so that the machine's drift hits both alike.

    python benches/before_after.py --before /tmp/before/bin/python --after .venv/bin/python

Data are synthetic (labelled as such): 1 million arena battles of 150 models (bench_arena's
generator), 32 matrices of 512 × 768 (bench_spectral's), 20,000 documents of ~1 kB.
Prints a markdown table of median seconds per call (5 calls per interpreter, 3 rounds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

CASES = {
    "arena fit 1M battles (sandwich)": "arena_fit",
    "arena bootstrap 1M battles, 100 rounds": "arena_bootstrap",
    "arena 20 segments": "arena_segments",
    "arena style fit 1M battles × 4 features": "arena_style",
    "spectral metrics 32 × 512 × 768 float32": "spectral",
    "dedup minhash 20k docs": "minhash",
    "dedup clusters 20k docs (exact)": "clusters",
    "contamination 20k docs vs 200 items": "contamination",
}


def _setup(case: str) -> Callable[[], object]:
    sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]
    import numpy as np

    if case.startswith("arena"):
        from bench_arena import battles

        from assay import arena

        df = battles(segments=20 if case == "arena_segments" else 0)
        if case == "arena_style":
            rng = np.random.default_rng(3)
            features = {}
            for f in ("tokens", "headers", "lists", "bold"):
                for side in ("a", "b"):
                    df[f"{f}_{side}"] = rng.poisson(20, len(df)).astype(float)
                features[f] = (f"{f}_a", f"{f}_b")
            return lambda: arena.fit(df, features=features)
        if case == "arena_fit":
            return lambda: arena.fit(df)
        if case == "arena_bootstrap":
            return lambda: arena.fit(df, ci="bootstrap", n_boot=100)
        return lambda: arena.fit(df, by="country")
    if case == "spectral":
        from assay import spectral

        rng = np.random.default_rng(0)
        x = (rng.normal(size=(32, 512, 16)) @ rng.normal(size=(16, 768))).astype(np.float32)
        x += rng.normal(size=x.shape).astype(np.float32)
        return lambda: spectral.metrics(x)
    rng = np.random.default_rng(1)
    words = np.array([f"w{i}" for i in range(5000)])
    docs = [" ".join(words[rng.zipf(1.3, 160) % 5000]) for _ in range(20_000)]
    docs += docs[:2000]  # exact duplicates to cluster
    from assay import contamination, dedup

    if case == "minhash":
        return lambda: dedup.minhash(docs)
    if case == "clusters":
        return lambda: dedup.clusters(docs, progress=False)
    items = [docs[i][:400] for i in range(0, 20_000, 100)]
    return lambda: contamination(items, docs, progress=False)


def worker(case: str, calls: int) -> None:
    run = _setup(case)
    run()  # warm-up: imports, first allocations
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(json.dumps(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True, help="python of the earlier build")
    ap.add_argument("--after", required=True, help="python of the build under test")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=5)
    ap.add_argument("--only", nargs="*", help="case labels to run (default: all)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.calls)
        return
    results: dict[str, dict[str, list[float]]] = {}
    for label, case in CASES.items():
        if args.only and case not in args.only:
            continue
        results[label] = {"before": [], "after": []}
        for r in range(args.rounds):
            order = ("before", "after") if r % 2 == 0 else ("after", "before")
            for build in order:
                python = args.before if build == "before" else args.after
                out = subprocess.run(
                    [python, __file__, "--before", "-", "--after", "-", "--worker", case,
                     "--calls", str(args.calls)],
                    capture_output=True, text=True, check=True, cwd=HERE.parent,
                )  # fmt: skip
                results[label][build] += json.loads(out.stdout.strip().splitlines()[-1])
        print(label, {k: round(statistics.median(v), 4) for k, v in results[label].items()},
              file=sys.stderr)  # fmt: skip
    print("| call | before (s) | after (s) | after / before |")
    print("|---|---|---|---|")
    for label, r in results.items():
        b, a = statistics.median(r["before"]), statistics.median(r["after"])
        print(f"| {label} | {b:.4f} | {a:.4f} | {a / b:.3f} |")


if __name__ == "__main__":
    main()
