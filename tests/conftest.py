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
