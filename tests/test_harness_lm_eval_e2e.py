"""lm-eval's evaluator itself, end to end and offline: two tasks defined from local JSON Lines
files (real WMT23 sentences with a real system's translations, generate_until with BLEU, chrF,
TER and exact match; a two-choice task on real TruthfulQA questions with acc, acc_norm, F1 and
MCC), scored for a model whose outputs are fixed, once with lm-eval's own functions and once with
``assay.harness.lm_eval`` patched in: identical result dictionaries, standard errors
included, with assay's functions shown to have run."""

from __future__ import annotations

import json
import re
import zlib

import pytest

lm_eval = pytest.importorskip("lm_eval")
pytest.importorskip("datasets")
from lm_eval.api.model import LM  # noqa: E402
from lm_eval.tasks import TaskManager  # noqa: E402

from assay.harness import _corpus  # noqa: E402
from assay.harness import lm_eval as hook  # noqa: E402

MT_TASK = """task: assay_e2e_mt
dataset_path: json
dataset_kwargs:
  data_files:
    test: {path}
test_split: test
output_type: generate_until
doc_to_text: "{{{{source}}}}"
doc_to_target: "{{{{reference}}}}"
generation_kwargs:
  until: ["\\n"]
metric_list:
  - metric: bleu
  - metric: chrf
  - metric: ter
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
"""

MC_TASK = """task: assay_e2e_mc
dataset_path: json
dataset_kwargs:
  data_files:
    test: {path}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{question}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: label
metric_list:
  - metric: acc
  - metric: acc_norm
  - metric: f1
  - metric: mcc
"""


class FixedModel(LM):
    """Generations looked up by prompt; log-likelihoods a fixed function of the request."""

    def __init__(self, generations: dict[str, str]) -> None:
        super().__init__()
        self.generations = generations

    def generate_until(self, requests):
        return [self.generations[r.args[0]] for r in requests]

    def loglikelihood(self, requests):
        out = []
        for r in requests:
            context, continuation = r.args
            h = zlib.crc32(f"{context}|{continuation}".encode())
            out.append((-(h % 1000) / 100 - len(continuation) / 10, False))
        return out

    def loglikelihood_rolling(self, requests):
        raise NotImplementedError


@pytest.fixture(scope="module")
def tasks(tmp_path_factory, wmt23, truthfulqa_questions):
    root = tmp_path_factory.mktemp("lm_eval_tasks")
    systems, ref = wmt23
    hyp = systems["ONLINE-W"]
    first = lambda text: re.split(r"(?<=[.!?])\s+", text.replace("\n", " "))[0]  # noqa: E731
    mt = [
        {"source": f"segment {i}", "reference": first(r), "hypothesis": first(h)}
        for i, (h, r) in enumerate(zip(hyp, ref, strict=True))
    ][:40]
    mc = []
    for i, q in enumerate(list(truthfulqa_questions.values())[:60]):
        # two choices (lm-eval's f1 is scikit-learn's binary F1), the true one first or second
        choices = [q["best_answer"], q["incorrect_answers"][0]]
        label = i % 2
        mc.append({"question": q["question"], "choices": choices[::-1] if label else choices,
                   "label": label})  # fmt: skip
    for name, rows, template in (("mt", mt, MT_TASK), ("mc", mc, MC_TASK)):
        data = root / f"{name}.jsonl"
        data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        (root / f"{name}.yaml").write_text(template.format(path=data), encoding="utf-8")
    return root, {d["source"]: d["hypothesis"] for d in mt}


def _evaluate(root, generations):
    result = lm_eval.simple_evaluate(
        model=FixedModel(generations),
        tasks=["assay_e2e_mt", "assay_e2e_mc"],
        task_manager=TaskManager(include_path=str(root)),
        bootstrap_iters=20,
        random_seed=0,
        numpy_random_seed=0,
        torch_random_seed=0,
        fewshot_random_seed=0,
    )
    return result["results"]


def test_evaluator_results_identical_with_assay_patched_in(tasks, monkeypatch):
    monkeypatch.setenv("DISABLE_MULTIPROC", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    root, generations = tasks
    theirs = _evaluate(root, generations)
    calls = []
    score, stderr = _corpus.corpus_score, _corpus.corpus_bootstrap_stderr
    monkeypatch.setattr(hook, "corpus_score", lambda *a: calls.append("score") or score(*a))
    monkeypatch.setattr(
        hook, "corpus_bootstrap_stderr", lambda *a: calls.append("stderr") or stderr(*a)
    )
    with hook.patched():
        ours = _evaluate(root, generations)
    assert ours == theirs
    assert calls.count("score") >= 3 and calls.count("stderr") >= 3
    mt = theirs["assay_e2e_mt"]
    assert mt["bleu_stderr,none"] > 0 and mt["ter_stderr,none"] > 0
    assert theirs["assay_e2e_mc"]["f1_stderr,none"] > 0


def test_register_adds_assay_metrics(tasks):
    from lm_eval.api import registry

    names = hook.register()
    assert names == ["assay_bleu", "assay_chrf", "assay_chrf++", "assay_ter"]
    assert hook.register() == names  # again: harmless
    items = [("a b c d", "a b c e"), ("the cat sat", "the cat sat")]
    metrics = pytest.importorskip("lm_eval.api.metrics")
    for ours, theirs in [("assay_bleu", metrics.bleu), ("assay_ter", metrics.ter)]:
        assert registry.get_aggregation(ours)(items) == theirs(items)
        assert registry.get_metric_aggregation(ours) is registry.get_aggregation(ours)
