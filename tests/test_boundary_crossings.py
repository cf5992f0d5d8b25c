"""dedup.clusters and contamination cross into Rust once per batch: every call into
``assay._native`` from their modules is counted, and running the same corpus in twice as many
batches costs exactly one more call per extra batch (signatures, LSH, verification and the
near-duplicate search stay inside the native call)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import assay
from assay import _native
from assay.dedup import _clusters, _cpu, _index, _jaccard

DEDUP_MODULES = [_clusters, _cpu, _index, _jaccard]
CONTAMINATION = __import__("assay.contamination", fromlist=["_native"])


class Counting:
    """Stands in for ``assay._native``: every function call and every method call of the
    objects it makes is counted by name."""

    def __init__(self, calls: list[str]) -> None:
        self._calls = calls

    def _wrap(self, name: str, value: Any) -> Any:
        if not callable(value) or (isinstance(value, type) and issubclass(value, BaseException)):
            return value
        calls = self._calls

        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            out = value(*args, **kwargs)
            return _Object(out, calls) if type(out).__module__ == "assay._native" else out

        return call

    def __getattr__(self, name: str) -> Any:
        return self._wrap(name, getattr(_native, name))


class _Object:
    def __init__(self, inner: Any, calls: list[str]) -> None:
        self._inner, self._calls = inner, calls

    def __len__(self) -> int:
        return len(self._inner)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append(name)
            return value(*args, **kwargs)

        return call


def counted(monkeypatch: pytest.MonkeyPatch, modules: list[Any], run: Any) -> list[str]:
    calls: list[str] = []
    with monkeypatch.context() as m:
        for module in modules:
            m.setattr(module, "_native", Counting(calls))
        run()
    return calls


@pytest.fixture(scope="module")
def corpus(data_dir) -> list[str]:
    """Real documents: the shipped contamination sample's corpus, with planted copies."""
    path = data_dir / "contamination" / "corpus.jsonl"
    texts = [json.loads(line)["text"] for line in path.open(encoding="utf-8")][:400]
    return texts + texts[:40]


@pytest.mark.parametrize("verify", ["exact", "estimate", "none"])
def test_clusters_cross_once_per_batch(monkeypatch, corpus, verify):
    def run(batch_size: int) -> list[str]:
        return counted(
            monkeypatch, DEDUP_MODULES,
            lambda: assay.dedup.clusters(corpus, verify=verify, batch_size=batch_size,
                                         progress=False),
        )  # fmt: skip

    five, ten = run(len(corpus) // 5 + 1), run(len(corpus) // 10 + 1)
    assert len(ten) - len(five) == 5, (five, ten)
    assert ten.count("add") == 10 and "minhash_signatures" not in ten
    assert "union_find" not in ten and "exact_jaccard" not in ten
    assert assay.dedup.clusters(corpus, verify=verify, progress=False).keep.sum() <= 400


def test_contamination_crosses_once_per_batch(monkeypatch, corpus):
    items = [t[:300] for t in corpus[:30]]

    def run(batch_size: int) -> list[str]:
        return counted(
            monkeypatch, [CONTAMINATION],
            lambda: assay.contamination(items, corpus, batch_size=batch_size, progress=False),
        )  # fmt: skip

    five, ten = run(len(corpus) // 5 + 1), run(len(corpus) // 10 + 1)
    assert len(ten) - len(five) == 5, (five, ten)
    assert ten.count("scan_near") == 10
