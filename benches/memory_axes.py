"""Peak memory of the per-axis report over 10 million rows, against the size of its input
columns (tracemalloc sees NumPy's buffers).

    python benches/memory_axes.py
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_axes import BENCHMARKS, assay_report, results


def main() -> None:
    frame = results()
    size = sum(v.nbytes for v in frame.values())
    tracemalloc.start()
    assay_report(frame, BENCHMARKS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"input columns {size / 1e6:.0f} MB; peak allocated by the report {peak / 1e6:.0f} MB")
    print(f"ratio {peak / size:.2f}x the input columns")


if __name__ == "__main__":
    main()
