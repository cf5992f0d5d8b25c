"""A forged LSH index file (valid checksum, hostile header) is a ValueError naming the file and
the field, never an abort of the interpreter (issue: a 64-byte file with bands = 2**32 - 1
allocated 137 GB and killed the process)."""

from __future__ import annotations

import math
import struct
import subprocess
import sys

import pytest
import xxhash


def forged(path, num_perm, bands, rows, threshold):
    body = b"ASSAYLSH" + struct.pack("<IIIIQdQQ", 1, num_perm, bands, rows, 0, threshold, 0, 0)
    path.write_bytes(body + struct.pack("<Q", xxhash.xxh3_64_intdigest(body)))
    assert path.stat().st_size == 64


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ((2**32 - 1, 2**32 - 1, 1, 0.5), "num_perm"),
        ((128, 2**32 - 1, 2**32 - 1, 0.5), "bands"),
        ((128, 16, 8, math.nan), "threshold"),
        ((128, 16, 8, 5.0), "threshold"),
    ],
)
def test_forged_header_is_a_value_error_in_a_live_interpreter(tmp_path, fields, field):
    path = tmp_path / "forged.lsh"
    forged(path, *fields)
    # in a child process, so that a regression (an abort) fails this test instead of pytest
    code = (
        "import sys\n"
        "from assay.dedup import LSHIndex\n"
        "try:\n"
        f"    LSHIndex.load({str(path)!r})\n"
        "except ValueError as e:\n"
        "    print('ValueError:', e)\n"
        "    sys.exit(0)\n"
        "sys.exit(3)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, (out.returncode, out.stderr[-500:])
    assert field in out.stdout and str(path) in out.stdout


def test_sane_header_of_the_same_layout_loads(tmp_path):
    from assay.dedup import LSHIndex

    path = tmp_path / "empty.lsh"
    forged(path, 128, 16, 8, 0.8)
    assert len(LSHIndex.load(path)) == 0
