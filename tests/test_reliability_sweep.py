"""A systematic bad-input sweep over the public API (issue 25): every public function of every
family is called once with valid arguments, then once per (parameter, bad value) with that one
argument replaced by a value of each class below. Each call must either succeed or raise a
clear Python exception (ValueError and its subclasses, TypeError, OverflowError, a file error)
whose message names the argument (a missing file: the path), never a Rust panic, a
SystemError, an AttributeError / KeyError / IndexError / ZeroDivisionError from inside assay,
or a silent NaN where the valid call gave a number. The
run prints its counts (functions × parameters × classes); README's reliability section records
them."""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay import arena, axes, dedup, erank, harness, metrics, select, spectral

#: Bad-value classes tried for every parameter.
BAD: dict[str, Any] = {
    "None": None,
    "str": "zzz",
    "negative": -3,
    "zero": 0,
    "float": 2.5,
    "nan": float("nan"),
    "inf": float("inf"),
    "empty list": [],
    "list of None": [None, None],
    "object": object(),
    "nan array": np.array([np.nan, 1.0]),
    "bool": True,
}

CLEAR = (ValueError, TypeError, OverflowError, FileNotFoundError, NotImplementedError, ImportError)

RNG = np.random.default_rng(0)
REPS = [RNG.normal(size=(12, 8)) for _ in range(3)]
BATTLES = pd.DataFrame(
    {
        "model_a": ["a", "b", "c", "a", "b", "c", "a", "c"] * 6,
        "model_b": ["b", "c", "a", "c", "a", "b", "b", "a"] * 6,
        "winner": ["model_a", "model_b", "tie", "model_b", "model_a", "model_a", "tie", "model_b"]
        * 6,
        "voter": [f"v{i % 7}" for i in range(48)],
    }
)  # fmt: skip  (synthetic votes: three models, seven voters)
TEXTS = ["the cat sat on the mat today", "the cat sat on a mat today", "entirely different"]
ITEMS = pd.DataFrame(
    {
        "model": ["m1"] * 8 + ["m2"] * 8,
        "benchmark": ["mmlu"] * 16,
        "item": list(range(8)) * 2,
        "score": [1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0],
    }
)  # synthetic per-item results
RATINGS = pd.DataFrame(
    {"item": [0, 0, 1, 1, 2, 2, 3, 3], "rater": ["a", "b"] * 4, "rating": [1, 1, 2, 2, 3, 1, 4, 4]}
)  # synthetic ratings

#: (function, valid keyword arguments): the baseline call of each public function.
CALLS: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (arena.fit, {"battles": BATTLES, "ci": "sandwich", "anchor": None, "seed": 0}),
    (arena.elo, {"battles": BATTLES, "k": 4.0, "scale": 400.0, "init": 1000.0}),
    (arena.voters, {"battles": BATTLES, "alpha": 0.05, "min_appearances": 2, "top": 3}),
    (dedup.minhash, {"texts": TEXTS, "num_perm": 16, "ngram": 2, "seed": 1}),
    (dedup.clusters, {"texts_or_paths": TEXTS, "threshold": 0.5, "num_perm": 32, "ngram": 2}),
    (dedup.exact_jaccard, {"texts": TEXTS, "i": [0], "j": [1], "ngram": 2}),
    (spectral.entropy, {"x": REPS, "dtype": "float64"}),
    (spectral.erank, {"x": REPS}),
    (spectral.metrics, {"x": REPS, "alpha": 2.0}),
    (erank.diff_erank, {"untrained": REPS, "trained": REPS[::-1], "algorithm": "a"}),
    (erank.reduction_ratio, {"erank_1": 5.0, "erank_2": 4.0}),
    (metrics.bleu, {"predictions": TEXTS, "references": TEXTS, "level": "sentence"}),
    (metrics.corpus_bleu, {"hypotheses": TEXTS, "references": [TEXTS]}),
    (metrics.chrf, {"predictions": TEXTS, "references": TEXTS, "word_order": 2}),
    (metrics.corpus_chrf, {"hypotheses": TEXTS, "references": [TEXTS]}),
    (metrics.ter, {"predictions": TEXTS, "references": TEXTS, "level": "corpus"}),
    (metrics.corpus_ter, {"hypotheses": TEXTS, "references": [TEXTS]}),
    (metrics.rouge, {"predictions": TEXTS, "references": TEXTS, "types": ["rouge1", "rougeL"]}),
    (metrics.squad, {"predictions": TEXTS, "answers": TEXTS, "version": "2.0"}),
    (metrics.exact_match, {"predictions": TEXTS, "references": TEXTS, "ignore_case": True}),
    (metrics.pass_at_k, {"n": [10, 5], "c": [3, 0], "k": 2}),
    (harness.bootstrap_stderr, {"statistic": "mean", "items": [0.1, 0.5, 0.9, 0.3], "iters": 20}),
    (harness.bootstrap_replicates, {"statistic": "median", "items": [1.0, 2.0, 3.0], "iters": 5}),
    (
        harness.corpus_bootstrap_stderr,
        {"metric": "bleu", "items": list(zip(TEXTS, TEXTS, strict=True)), "iters": 5},
    ),
    (harness.lighteval_bootstrap_stderr, {"statistic": "mean", "items": [1.0, 2.0], "iters": 4}),
    (harness.perplexity, {"loglikelihoods": [-1.0, -2.0]}),
    (harness.weighted_perplexity, {"loglikelihoods": [-1.0, -2.0], "counts": [3, 4]}),
    (harness.bits_per_byte, {"loglikelihoods": [-1.0, -2.0], "n_bytes": [3, 4]}),
    (
        harness.multiple_choice,
        {"loglikelihoods": [[-1.0, -2.0]], "choices": [["a", "bb"]], "gold": [0]},
    ),
    (harness.truthfulqa_mc2, {"loglikelihoods": [[-1.0, -2.0, -3.0]], "labels": [[1, 0, 0]]}),
    (
        harness.truthfulqa_gen,
        {
            "responses": ["a cat."],
            "correct_answers": [["A cat."]],
            "incorrect_answers": [["A dog."]],
        },
    ),
    (axes.report, {"results": ITEMS, "n_boot": 20, "seed": 0, "level": 0.9}),
    (axes.corpus_statistics, {"metric": "bleu", "predictions": ["a b"], "references": ["a c"]}),
    (
        axes.agreement,
        {"ratings": RATINGS, "method": "krippendorff", "level": "interval", "n_boot": 20},
    ),
    (select.memory, {"params_b": 7.0, "dtype": "int4", "context": 1024, "batch": 2}),
    (select.rule_of_thumb, {"gpu_gb": 24.0, "context_factor": 1.3}),
]


def _nan(result: Any) -> bool:
    return isinstance(result, float) and math.isnan(result)


def attempt(function: Callable[..., Any], kwargs: dict[str, Any]) -> tuple[str, Any]:
    """("accepted", result), ("clear", exception) or ("failure", description) of one call."""
    try:
        return "accepted", function(**kwargs)
    except CLEAR as e:
        return "clear", e
    except BaseException as e:  # AttributeError, KeyError, ..., and a Rust panic (BaseException)
        if isinstance(e, KeyboardInterrupt):
            raise
        return "failure", f"{type(e).__name__}: {e}"


def sweep() -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for function, valid in CALLS:
        name = f"{function.__module__.split('.')[1]}.{function.__name__}"
        baseline = function(**valid)  # must run
        counts["functions"] += 1
        for param in valid:
            counts["parameters"] += 1
            for label, value in BAD.items():
                counts["calls"] += 1
                outcome, detail = attempt(function, {**valid, param: value})
                where = f"{name}({param}={label})"
                if outcome == "clear":
                    counts["clear exception"] += 1
                    named = param in str(detail) or (
                        isinstance(detail, FileNotFoundError) and str(value) in str(detail)
                    )
                    if not named:
                        failures.append(f"{where}: the message does not name {param!r}: {detail}")
                elif outcome == "failure":
                    failures.append(f"{where}: {detail}")
                else:
                    counts["accepted"] += 1
                    if _nan(detail) and not _nan(baseline):
                        failures.append(f"{where}: silent NaN")
    return counts, failures


def test_bad_input_sweep(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        counts, failures = sweep()
    with capsys.disabled():
        print(
            f"\nreliability sweep: {counts['functions']} functions × {counts['parameters']} "
            f"parameters × {len(BAD)} bad-value classes = {counts['calls']} calls; "
            f"{counts['clear exception']} clear exceptions, {counts['accepted']} accepted, "
            f"{len(failures)} failures"
        )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("function", "valid"), CALLS, ids=lambda v: getattr(v, "__name__", ""))
def test_baselines_run(function, valid):
    function(**valid)


VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.binary(max_size=8),
    lambda inner: st.lists(inner, max_size=6) | st.tuples(inner, inner),
    max_leaves=12,
)


def test_hypothesis_fuzz(capsys):
    """Random values (nested lists and tuples of None, bools, huge ints, NaN / inf floats, text,
    bytes) in one argument at a time of every public function: the same rules as the sweep."""
    counts: Counter[str] = Counter()
    failures: list[str] = []

    examples = int(os.environ.get("ASSAY_FUZZ_EXAMPLES", "1500"))

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples in every CI run
        suppress_health_check=list(HealthCheck),
    )
    @given(st.integers(0, len(CALLS) - 1), st.data())
    def run(k: int, data: st.DataObject) -> None:
        function, valid = CALLS[k]
        param = data.draw(st.sampled_from(sorted(valid)))
        value = data.draw(VALUES)
        counts["examples"] += 1
        outcome, detail = attempt(function, {**valid, param: value})
        if outcome == "failure":
            failures.append(f"{function.__name__}({param}={value!r}): {detail}")
        elif outcome == "clear" and not str(detail).strip():
            failures.append(f"{function.__name__}({param}={value!r}): empty message")
        counts["clear exception" if outcome == "clear" else outcome] += 1

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()
    with capsys.disabled():
        print(
            f"\nreliability fuzz: {counts['examples']} Hypothesis examples over "
            f"{len(CALLS)} functions; {counts['clear exception']} clear exceptions, "
            f"{counts['accepted']} accepted, {len(failures)} failures"
        )
    assert not failures, "\n".join(sorted(set(failures))[:40])
