"""Print the side-by-side table of a pytest-benchmark JSON file: per group, each
implementation's median time and its ratio to assay.

    python -m pytest benches --benchmark-json=bench.json && python benches/report.py bench.json
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def rows(path: str) -> list[tuple[str, str, float, dict]]:
    with open(path) as f:
        data = json.load(f)
    out = []
    for b in data["benchmarks"]:
        impl = b.get("extra_info", {}).get("impl", b["name"])
        # Anchors too slow to run in full time fewer rounds; "scale" restores the full count.
        scale = b.get("extra_info", {}).get("scale", 1.0)
        out.append(
            (b["group"] or b["name"], impl, b["stats"]["median"] * scale, b.get("extra_info", {}))
        )
    return out


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def table(path: str) -> str:
    groups: dict[str, list[tuple[str, float, dict]]] = defaultdict(list)
    for group, impl, median, extra in rows(path):
        groups[group].append((impl, median, extra))
    lines = ["| group | implementation | median | vs assay | note |", "|---|---|---|---|---|"]
    for group, entries in groups.items():
        ours = next((m for impl, m, _ in entries if impl == "assay"), None)
        for impl, median, extra in sorted(entries, key=lambda e: e[1]):
            ratio = f"{median / ours:.1f}x slower" if ours and impl != "assay" else ""
            if ours and impl != "assay" and median < ours:
                ratio = f"{ours / median:.1f}x FASTER than assay"
            lines.append(
                f"| {group} | {impl} | {fmt_time(median)} | {ratio} | {extra.get('note', '')} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else "bench.json"))
