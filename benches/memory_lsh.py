"""Memory of ``dedup.LSHIndex`` per indexed document, at 200,000 documents.

Reports the index's own accounting (``LSHIndex.nbytes``: heap bytes of signatures, keys, bucket
tables and chains) and the growth of the process's resident memory while inserting, both per
document. The signatures are random (every band value distinct: the most buckets an index can
have); keys are the document numbers as strings, as ``dedup.clusters`` uses them.

    python benches/memory_lsh.py
"""

from __future__ import annotations

import gc

import numpy as np

from assay import dedup

N_DOCS = 200_000


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main() -> None:
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, (N_DOCS, 128), dtype=np.uint32)
    keys = [str(i) for i in range(N_DOCS)]
    gc.collect()
    index = dedup.LSHIndex(threshold=0.8, num_perm=128)
    before = rss_bytes()
    index.insert(keys, sigs)
    grown = rss_bytes() - before
    bands, rows = index.banding
    print(f"{N_DOCS} documents, {bands} bands x {rows} rows, num_perm 128")
    print(f"index.nbytes: {index.nbytes / N_DOCS:.0f} B per document (signature alone: 512 B)")
    print(f"resident memory growth while inserting: {grown / N_DOCS:.0f} B per document")


if __name__ == "__main__":
    main()
