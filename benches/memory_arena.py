"""Peak memory of ``arena.fit`` over its input columns, at 1e7 battles.

Runs the fit in this process after resetting the kernel's peak-RSS counter (Linux
/proc/self/clear_refs), so the peak covers the fit alone:

    python benches/memory_arena.py
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd

from assay import arena


def rss(field: str) -> int:
    status = open("/proc/self/status").read()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) * 1024


def main(n: int = 10_000_000, k: int = 150) -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, k, n).astype(np.int32)
    b = ((a + 1 + rng.integers(0, k - 1, n)) % k).astype(np.int32)
    winner = pd.Categorical.from_codes(
        rng.integers(0, 3, n).astype(np.int8), ["model_a", "tie", "model_b"]
    )
    columns = {"model_a": a, "model_b": b, "winner": winner}
    input_bytes = a.nbytes + b.nbytes + winner.codes.nbytes
    arena.fit({k_: v[:1000] for k_, v in columns.items()})  # warm up imports and the extension
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current RSS
    base = rss("VmRSS")
    start = time.perf_counter()
    arena.fit(columns)
    elapsed = time.perf_counter() - start
    extra = rss("VmHWM") - base
    print(
        f"battles {n:,}: input columns {input_bytes / 2**20:.0f} MiB, "
        f"peak extra memory during fit {extra / 2**20:.0f} MiB = {extra / input_bytes:.2f}x "
        f"the input; fit {elapsed * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
