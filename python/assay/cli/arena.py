"""``assay arena FILE``: a Bradley-Terry leaderboard from a battles file."""

from __future__ import annotations

import argparse
from typing import cast

from .. import arena


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("arena", help="Bradley-Terry leaderboard from pairwise votes")
    p.add_argument("file", help="battles as CSV, JSONL or Parquet")
    p.add_argument("--model-a", default="model_a")
    p.add_argument("--model-b", default="model_b")
    p.add_argument("--winner", default="winner")
    p.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="LABEL=MEANING",
        help="map a winner label onto model_a/model_b/tie, e.g. left=model_a",
    )
    p.add_argument(
        "--by",
        action="extend",
        nargs="+",
        metavar="COL",
        help="segment columns: --by a b or --by a --by b",
    )
    p.add_argument("--ci", choices=["sandwich", "bootstrap", "voter"], default="sandwich")
    p.add_argument("--n-boot", type=int, default=1000)
    p.add_argument("--voter", help="voter id column (for --ci voter)")
    p.add_argument(
        "--features",
        action="append",
        default=[],
        metavar="NAME=COL_A,COL_B",
        help="a style feature, e.g. length=len_a,len_b (repeat the flag for several)",
    )
    p.add_argument("--anchor", metavar="MODEL=RATING")
    p.add_argument(
        "--reweight", action="store_true", help="inverse-frequency weights 1/max(n_pair, 50)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write the leaderboard as CSV")
    p.add_argument("--plot", help="write a CI forest plot (PNG); a win-rate heatmap goes beside it")
    p.set_defaults(func=run)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{what} must look like KEY=VALUE, got {item!r}")
        out[key] = value
    return out


def run(args: argparse.Namespace) -> int:
    anchor = None
    if args.anchor:
        name, rating = next(iter(_pairs([args.anchor], "--anchor").items()))
        anchor = (name, float(rating))
    # (column of a, column of b) per feature; fit names a feature that is not a pair
    features = {
        k: cast(tuple[str, str], tuple(v.split(",")))
        for k, v in _pairs(args.features, "--features").items()
    }
    board = arena.fit(
        args.file,
        model_a=args.model_a,
        model_b=args.model_b,
        winner=args.winner,
        outcomes=_pairs(args.outcome, "--outcome") or None,
        by=args.by,
        ci=args.ci,
        n_boot=args.n_boot,
        voter=args.voter,
        features=features or None,
        anchor=anchor,
        reweight=args.reweight,
        seed=args.seed,
        progress=args.ci != "sandwich",
    )
    print(board)
    if board.style is not None:
        print("\nstyle coefficients (log-odds per SD):")
        print(board.style.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    if board.segments is not None:
        print(
            f"\n{board.segments.groupby(args.by).ngroups} segments fitted; "
            f"{0 if board.skipped_segments is None else len(board.skipped_segments)} skipped"
        )
    if args.out:
        (board.segments if board.segments is not None else board.table).to_csv(
            args.out, index=False
        )
        print(f"wrote {args.out}")
    if args.plot:
        for path in board.plot(args.plot):
            print(f"wrote {path}")
    return 0
