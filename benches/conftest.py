"""Benches import the test oracles (FastChat transcriptions) from tests/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
