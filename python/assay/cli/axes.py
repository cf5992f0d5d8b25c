"""``assay axes RESULTS``: a per-axis report with intervals, tiers and pairwise tests."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .. import axes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("axes", help="per-axis report from per-item results")
    p.add_argument("results", help="per-item results: CSV, JSONL or Parquet, one row per item")
    p.add_argument("--axes", metavar="FILE", help="benchmark -> axis mapping (JSON or YAML)")
    p.add_argument("--group", metavar="COL", help="subgroup column (fairness gaps)")
    p.add_argument("--cluster", metavar="COL", help="cluster column (cluster-robust errors)")
    p.add_argument("--model", default="model", metavar="COL")
    p.add_argument("--benchmark", default="benchmark", metavar="COL")
    p.add_argument("--item", default="item", metavar="COL")
    p.add_argument("--score", default="score", metavar="COL")
    p.add_argument(
        "--kind", action="append", metavar="BENCHMARK=KIND",
        help="a benchmark's kind: binary, continuous, LOW:HIGH, or a corpus metric (bleu, chrf, "
        "chrf++) scored from --statistics; repeat per benchmark",
    )  # fmt: skip
    p.add_argument(
        "--statistics", nargs="+", metavar="COL",
        help="per-item sufficient statistics of corpus metrics: one column of lists (JSONL, "
        "Parquet) or one column per statistic",
    )  # fmt: skip
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap rounds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", metavar="PNG", help="write the profile; the heat map goes beside it")
    p.add_argument("--out", metavar="CSV", help="write the per-benchmark table")
    p.set_defaults(func=run)


def _mapping(path: str) -> dict[str, str]:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"--axes: no such file {path!r}")
    text = file.read_text(encoding="utf-8")
    data: Any
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as e:
            raise ValueError("--axes: reading YAML needs PyYAML (pip install pyyaml)") from e
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"--axes: {path!r} must map benchmark names to axis names")
    return {str(k): v for k, v in data.items()}


def _kinds(specs: list[str] | None) -> dict[str, Any] | None:
    """``BENCHMARK=KIND`` flags as report's ``kind`` mapping (``LOW:HIGH`` as a range)."""
    if not specs:
        return None
    out: dict[str, Any] = {}
    for spec in specs:
        name, sep, kind = spec.rpartition("=")
        if not sep or not name:
            raise ValueError(f"--kind: expected BENCHMARK=KIND, got {spec!r}")
        low, colon, high = kind.partition(":")
        if colon:
            try:
                out[name] = (float(low), float(high))
            except ValueError:
                raise ValueError(f"--kind: {kind!r} is not a LOW:HIGH range of numbers") from None
        else:
            out[name] = kind
    return out


def run(args: argparse.Namespace) -> int:
    # output folders and the plotting extra are checked before the work (cli.main)
    report = axes.report(
        args.results,
        model=args.model,
        benchmark=args.benchmark,
        item=args.item,
        score=args.score,
        axes=_mapping(args.axes) if args.axes else None,
        kind=_kinds(args.kind),
        statistics=(
            None
            if not args.statistics
            else args.statistics[0]
            if len(args.statistics) == 1
            else args.statistics
        ),
        cluster=args.cluster,
        group=args.group,
        n_boot=args.n_boot,
        seed=args.seed,
    )
    fmt = {"index": False, "float_format": lambda x: f"{x:.2f}"}
    print("per-axis scores (normalized 0-100, 95% intervals):")
    print(report.axes.to_string(**fmt))
    tiers = report.tiers()
    print("\ntiers (a model joins while its paired difference to the tier's leader is noise):")
    print(tiers.to_string(**fmt))
    if report.groups is not None:
        print(f"\nsubgroup gaps ({args.group}):")
        print(report.groups.to_string(**fmt))
    if args.out:
        report.table.to_csv(args.out, index=False)
        print(f"\nwrote {args.out}")
    if args.plot:
        pairs = report.pairwise(progress=True)
        significant = int((pairs.p_adjusted < 0.05).sum())
        print(f"\n{significant} of {len(pairs)} paired comparisons significant (Holm, 5%)")
        for path in report.plot(args.plot):
            print(f"wrote {path}")
    return 0
