"""Rebuilds the shipped machine-translation sample (run once; the output is committed).

wmt23_ende.jsonl: the 104 WMT23 English→German paragraph segments of
google/wmt-mqm-human-evaluation (commit 7fadea2, Apache-2.0), as ../shared/data/mt has them:
per segment its doc, docSegId and the German texts of 9 system conditions and the human
reference refA (the English source is left out to keep the package small).

mqm.csv: per system condition and segment, the mean MQM penalty of its 3 expert raters (higher
is worse), from wmt23_ende_sxs_ratings.csv.

Usage: python make_sample.py PATH/TO/shared/data/mt
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent


def main(source: Path) -> None:
    rows = [json.loads(line) for line in (source / "wmt23_ende_sxs_segments.jsonl").open()]
    with (HERE / "wmt23_ende.jsonl").open("w", encoding="utf-8") as out:
        for r in rows:
            keep = {"doc": r["doc"], "docSegId": r["docSegId"], "targets": r["targets"]}
            out.write(json.dumps(keep, ensure_ascii=False) + "\n")
    penalties: defaultdict[tuple[str, str, str], list[float]] = defaultdict(list)
    with (source / "wmt23_ende_sxs_ratings.csv").open() as f:
        for r in csv.DictReader(f):
            penalties[(r["system"], r["doc"], r["docSegId"])].append(float(r["mqm_penalty"]))
    with (HERE / "mqm.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["system", "doc", "docSegId", "mqm_penalty"])
        for (system, doc, seg), values in sorted(penalties.items()):
            w.writerow([system, doc, seg, round(sum(values) / len(values), 4)])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
