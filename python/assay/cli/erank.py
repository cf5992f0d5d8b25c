"""``assay erank --model DIR --texts FILE``: eRank per layer and Diff-eRank of a local model."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("erank", help="eRank per layer and Diff-eRank of a transformers model")
    p.add_argument(
        "--model",
        required=True,
        metavar="DIR",
        help="local transformers model directory (loaded offline)",
    )
    p.add_argument("--texts", required=True, metavar="FILE", help="UTF-8 text file, one per line")
    p.add_argument(
        "--layers",
        default="-1",
        help='"all", or comma-separated hidden-state indices (0 = embeddings)',
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the untrained twin")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-length", type=int, help="tokens per text (default: the model's max)")
    p.add_argument("--device", help="torch device, e.g. cuda or cpu")
    p.add_argument("--plot", metavar="PNG", help="write eRank per layer (needs assay[plot])")
    p.set_defaults(func=run)


def _layers(spec: str) -> Any:
    if spec == "all":
        return "all"
    try:
        return [int(s) for s in spec.split(",")]
    except ValueError:
        raise ValueError(
            f'--layers must be "all" or comma-separated integers, got {spec!r}'
        ) from None


def plot_layers(table: Any, path: str) -> None:
    """eRank of the trained model and of its untrained twin per layer."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError("plotting needs matplotlib: pip install 'assay[plot]'") from e
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(table["layer"], table["erank_untrained"], "o-", label="untrained twin")
    ax.plot(table["layer"], table["erank_trained"], "o-", label="trained")
    ax.set_xlabel("hidden state (0 = embeddings)")
    ax.set_ylabel("eRank (exp of mean entropy)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    try:
        from transformers import AutoModel, AutoTokenizer
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "assay erank needs torch and transformers: pip install 'assay[torch]'"
        ) from e
    from .. import erank

    texts = [t for t in Path(args.texts).read_text(encoding="utf-8").splitlines() if t.strip()]
    if not Path(args.model).is_dir():
        raise FileNotFoundError(f"--model: no model directory at {args.model}")
    tokenizer = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    model = AutoModel.from_pretrained(args.model, local_files_only=True)
    report = erank.evaluate(
        model,
        tokenizer,
        texts,
        layers=_layers(args.layers),
        seed=args.seed,
        batch_size=args.batch_size,
        device=args.device,
        max_length=args.max_length,
        progress=True,
    )
    print(f"{len(texts)} texts, untrained twin seeded with {args.seed}")
    print(report.table.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print(f"Diff-eRank (last layer listed, algorithm a): {report.diff_erank:.4f}")
    if args.plot:
        plot_layers(report.table, args.plot)
        print(f"wrote {args.plot}")
    return 0
