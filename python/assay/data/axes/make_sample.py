"""Rebuilds the shipped per-axis sample (run once; the output is committed).

ifeval_per_item.csv: the per-item results of M-IFEval (lightblue-tech/M-IFEval, commit
0bc3143, Apache-2.0): 17 models × 1,063 prompts in English, Spanish, French and Japanese, one
row per model and prompt, in the long form ``assay.axes.report`` reads: ``model, benchmark,
item, score, instruction, lang`` where ``score`` is the prompt-level strict pass (0/1),
``instruction`` the prompt's first instruction type (prompts that test the same instruction
form a cluster) and ``lang`` its language (a subgroup).

Usage: python make_sample.py PATH/TO/per_item_results.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(per_item: str) -> None:
    with (
        open(per_item, newline="", encoding="utf-8") as f,
        open(HERE / "ifeval_per_item.csv", "w", newline="", encoding="utf-8") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["model", "benchmark", "item", "score", "instruction", "lang"])
        for row in csv.DictReader(f):
            first = row["instruction_ids"].split(";")[0].split(":")[1]
            item = f"{row['lang']}:{row['key']}"
            writer.writerow([row["model"], "M-IFEval", item, row["strict_all"], first, row["lang"]])


if __name__ == "__main__":
    main(sys.argv[1])
