"""``assay select``: which models fit a GPU, and their tiers on the axes that matter."""

from __future__ import annotations

import argparse

from .. import select


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("select", help="models that fit a GPU, ranked in tiers on chosen axes")
    p.add_argument("--gpu", type=float, required=True, metavar="GB", help="GPU memory, GB")
    p.add_argument(
        "--scores",
        required=True,
        metavar="FILE",
        help="per-model scores: model, score, se or ci_low/ci_high, optional axis and params_b",
    )
    p.add_argument("--axes", metavar="AXIS[,AXIS...]", help="axes to rank on, comma-separated")
    p.add_argument(
        "--sizes",
        metavar="FILE",
        help="model sizes: JSON object model -> billions / config, or a table model, params_b",
    )
    p.add_argument("--context", type=int, default=4096, help="tokens per sequence")
    p.add_argument("--dtype", default="bf16", help="weight format: bf16, fp16, fp8, int8, int4…")
    p.add_argument("--out", help="write the shortlist as CSV")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(
        f"rule of thumb for {args.gpu:g} GB: about "
        f"{select.rule_of_thumb(args.gpu):.1f}B parameters in 16-bit at ordinary context lengths"
    )
    result = select.shortlist(
        args.scores,
        gpu_gb=args.gpu,
        axes=args.axes,
        sizes=args.sizes,
        dtype=args.dtype,
        context=args.context,
    )
    print(result)
    if args.out:
        result.table.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0
