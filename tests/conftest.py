"""Shared fixtures: sample data paths, hypothesis profiles, the gpu marker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("fast", max_examples=20, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "fast")
)

DATA = Path(__file__).resolve().parents[1] / "python" / "assay" / "data"


def _has_gpu() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _has_gpu():
        return
    skip = pytest.mark.skip(reason="no CUDA GPU with CuPy on this machine")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


#: The project's real data sets (../shared/data beside the checkout, as CI lays it out).
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared/data is not beside the checkout")
    return SHARED_DATA


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "slow" in item.keywords and not os.environ.get("ASSAY_SLOW"):
        pytest.skip("long-running: set ASSAY_SLOW=1 to run it")


@pytest.fixture(scope="session")
def wmt23(shared_data: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Real WMT23 en→de paragraphs: {system: translations} and the human reference refA."""
    import json

    path = shared_data / "mt" / "wmt23_ende_sxs_segments.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    systems = [k for k in rows[0]["targets"] if k != "refA"]
    return {s: [r["targets"][s] for r in rows] for s in systems}, [
        r["targets"]["refA"] for r in rows
    ]


@pytest.fixture(scope="session")
def truthfulqa_questions(shared_data: Path) -> dict[tuple[str, int], dict]:
    """Real TruthfulQA questions by (language, doc id), with their correct answers."""
    import json

    out = {}
    for line in (shared_data / "truthfulqa" / "questions.jsonl").open(encoding="utf-8"):
        q = json.loads(line)
        out[(q["lang"], q["doc_id"])] = q
    return out
