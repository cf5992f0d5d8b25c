"""The Ray Data path gives the single-machine clusters (local Ray, 2 CPUs)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from _dedup_text import docstrings, edit

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from assay import dedup  # noqa: E402
from assay.dedup import ray as assay_ray  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_clusters_equal_single_machine(local_ray):
    rng = random.Random(4)
    base = [d for d in docstrings() if len(d.split()) >= 60][:120]
    texts = base + [edit(d, rng.uniform(0.0, 0.05), rng) for d in base[:60]]
    rng.shuffle(texts)
    ids = [f"doc-{k}" for k in range(len(texts))]
    single = dedup.clusters(texts, 0.8, ids=ids, verify="estimate")  # as the Ray path verifies
    assert single["cluster"].nunique() < len(texts)  # there are clusters to find
    rows = [{"id": i, "text": t} for i, t in zip(ids, texts, strict=True)]
    ds = ray.data.from_items(rows).repartition(4)
    distributed = assay_ray.dedup(ds, threshold=0.8, batch_size=50)
    assert distributed["id"].tolist() == ids
    np.testing.assert_array_equal(distributed["cluster"], single["cluster"])
    np.testing.assert_array_equal(distributed["keep"], single["keep"])
