"""Rebuilds the shipped model-selection sample (run once; the output is committed).

ifeval_per_model.csv: each of the 17 models of M-IFEval (lightblue-tech/M-IFEval, commit
0bc3143, Apache-2.0) on the instruction_following axis: prompt-level strict accuracy over its
1,063 prompts (English, Spanish, French, Japanese), with the binomial standard error and the
95 % Wilson interval. Read from the per-item results in ../shared/data/ifeval/.

model_sizes.json: per model, the transformers config numbers of the open-weight models (from
their published config.json; the parameter count follows from them) or the published
parameter count, and null for API models whose size is not published.

Usage: python make_sample.py PATH/TO/per_item_results.csv
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
Z95 = 1.959963984540054


def qwen(hidden, inter, layers, heads, kv, vocab, tied):  # type: ignore[no-untyped-def]
    return {
        "model_type": "qwen2",
        "hidden_size": hidden,
        "intermediate_size": inter,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "vocab_size": vocab,
        "tie_word_embeddings": tied,
    }


def llama(hidden, inter, layers, heads, kv, vocab, model_type="llama"):  # type: ignore[no-untyped-def]
    return {
        "model_type": model_type,
        "hidden_size": hidden,
        "intermediate_size": inter,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv,
        "vocab_size": vocab,
        "tie_word_embeddings": False,
    }


SIZES = {
    "Qwen__Qwen2.5-0.5B-Instruct-GPTQ-Int4": qwen(896, 4864, 24, 14, 2, 151936, True),
    "Qwen__Qwen2.5-1.5B-Instruct-GPTQ-Int4": qwen(1536, 8960, 28, 12, 2, 151936, True),
    "Qwen__Qwen2.5-3B-Instruct-GPTQ-Int4": qwen(2048, 11008, 36, 16, 2, 151936, True),
    "Qwen__Qwen2.5-7B-Instruct-GPTQ-Int4": qwen(3584, 18944, 28, 28, 4, 152064, False),
    "Qwen__Qwen2.5-14B-Instruct-GPTQ-Int4": qwen(5120, 13824, 48, 40, 8, 152064, False),
    "Qwen__Qwen2.5-32B-Instruct-GPTQ-Int4": qwen(5120, 27648, 64, 40, 8, 152064, False),
    "hugging-quants__Meta-Llama-3.1-8B-Instruct-AWQ-INT4": llama(4096, 14336, 32, 32, 8, 128256),
    "mistralai__Mistral-7B-Instruct-v0.3": llama(4096, 14336, 32, 32, 8, 32768, "mistral"),
    "deepseek-ai__deepseek-llm-7b-chat": llama(4096, 11008, 30, 32, 32, 102400),
    # Cohere's layout is not Llama's: its published parameter count, billions.
    "CohereForAI__aya-23-8B": 8.028,
    "claude-3-5-sonnet-20240620": None,
    "claude-3-haiku-20240307": None,
    "claude-3-opus-20240229": None,
    "gpt-4o-2024-08-06": None,
    "gpt-4o-mini-2024-07-18": None,
    "o1-mini-2024-09-12": None,
    "o1-preview-2024-09-12": None,
}


def main(per_item: str) -> None:
    passed: dict[str, list[int]] = defaultdict(list)
    with open(per_item, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            passed[row["model"]].append(int(row["strict_all"]))
    with open(HERE / "ifeval_per_model.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["model", "axis", "n", "score", "se", "ci_low", "ci_high"])
        for model in sorted(passed):
            n, k = len(passed[model]), sum(passed[model])
            p = k / n
            centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
            half = Z95 / (1 + Z95**2 / n) * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n))
            se = math.sqrt(p * (1 - p) / n)
            values = [p, se, centre - half, centre + half]
            out.writerow([model, "instruction_following", n, *[f"{v:.6f}" for v in values]])
    (HERE / "model_sizes.json").write_text(json.dumps(SIZES, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
