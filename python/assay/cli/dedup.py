"""``assay dedup PATH...`` and ``assay contamination --benchmark FILE --corpus PATH...``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "dedup", help="near-duplicate clusters (MinHash LSH) of JSONL/Parquet/text files"
    )
    p.add_argument("paths", nargs="+", type=Path, help="files or folders")
    p.add_argument("--threshold", type=float, default=0.8, help="Jaccard threshold (default 0.8)")
    p.add_argument("--num-perm", type=int, default=128)
    p.add_argument("--ngram", type=int, default=5)
    p.add_argument("--unit", choices=["word", "char"], default="word")
    p.add_argument("--text-field", default="text")
    p.add_argument("--id-field", default="id")
    p.add_argument("--out", help="write id, cluster, keep as CSV")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (needs assay[gpu])")
    p.set_defaults(func=run_dedup)
    c = sub.add_parser(
        "contamination", help="benchmark items' 13-gram / MinHash overlap with a corpus"
    )
    c.add_argument("--benchmark", required=True, type=Path, help="JSONL/Parquet/text file of items")
    c.add_argument("--corpus", required=True, nargs="+", type=Path, help="files or folders")
    c.add_argument("--ngram", type=int, default=13)
    c.add_argument(
        "--threshold", type=float, default=0.8, help="MinHash Jaccard for near duplicates"
    )
    c.add_argument("--text-field", default="text")
    c.add_argument("--id-field", default="id")
    c.add_argument("--out", help="write the per-item table as CSV")
    c.set_defaults(func=run_contamination)


def run_dedup(args: argparse.Namespace) -> int:
    from ..dedup import clusters

    frame = clusters(
        list(args.paths),
        args.threshold,
        num_perm=args.num_perm,
        ngram=args.ngram,
        unit=args.unit,
        text_field=args.text_field,
        id_field=args.id_field,
        device=args.device,
    )
    sizes = frame.groupby("cluster").size()
    dup = int((~frame["keep"]).sum())
    print(
        f"{len(frame)} documents, {len(sizes)} clusters, {int((sizes > 1).sum())} with "
        f"duplicates; {dup} documents to drop ({dup / max(len(frame), 1):.1%}) at Jaccard >= "
        f"{args.threshold}"
    )
    big = frame[frame["cluster"].isin(sizes[sizes > 1].index)]
    if len(big):
        print(big.head(30).to_string(index=False))
    if args.out:
        frame.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0


def run_contamination(args: argparse.Namespace) -> int:
    from ..contamination import contamination

    report = contamination(
        args.benchmark,
        list(args.corpus),
        ngram=args.ngram,
        threshold=args.threshold,
        text_field=args.text_field,
        id_field=args.id_field,
    )
    print(report)
    if args.out:
        report.items.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    return 0
