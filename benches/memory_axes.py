"""Peak memory of the per-axis report over 10 million rows, against the size of its input
columns. Two measures: tracemalloc (NumPy's buffers only) and the process's resident
high-water mark above its level before the call (everything, the Rust kernels' buffers
included; Linux, reset through /proc/self/clear_refs).

    python benches/memory_axes.py
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_axes import BENCHMARKS, assay_report, results


def _status(field: str) -> int:
    """A /proc/self/status field in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def main() -> None:
    frame = results()
    size = sum(v.nbytes for v in frame.values())
    assay_report(frame, BENCHMARKS)  # imports and one-time allocations out of the measure
    Path("/proc/self/clear_refs").write_text("5")  # resets the resident high-water mark
    before = _status("VmRSS")
    tracemalloc.start()
    assay_report(frame, BENCHMARKS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    resident = _status("VmHWM") - before
    print(f"input columns {size / 1e6:.0f} MB")
    print(f"tracemalloc peak (NumPy buffers) {peak / 1e6:.0f} MB = {peak / size:.2f}x")
    print(f"resident high-water above the start {resident / 1e6:.0f} MB = {resident / size:.2f}x")


if __name__ == "__main__":
    main()
