"""Which axis a benchmark measures: a built-in mapping of well-known benchmarks, overridable
per call."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .._axis_names import check_axis

#: Well-known benchmarks and the axis each measures (names compared without case, spaces,
#: dashes or underscores, so "MMLU-Pro", "mmlu_pro" and "mmlupro" are one benchmark).
BENCHMARK_AXES = {
    "ifeval": "instruction_following",
    "mifeval": "instruction_following",
    "bbh": "reasoning",
    "bigbenchhard": "reasoning",
    "musr": "reasoning",
    "arcchallenge": "reasoning",
    "hellaswag": "reasoning",
    "winogrande": "reasoning",
    "math": "math",
    "mathlvl5": "math",
    "gsm8k": "math",
    "gpqa": "knowledge",
    "mmlu": "knowledge",
    "mmlupro": "knowledge",
    "triviaqa": "knowledge",
    "naturalquestions": "knowledge",
    "humaneval": "coding",
    "mbpp": "coding",
    "livecodebench": "coding",
    "truthfulqa": "hallucination",
    "halueval": "hallucination",
    "bbq": "fairness",
    "toxigen": "safety",
    "harmbench": "safety",
    "xstest": "safety",
}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.lower())


def axis_of(benchmark: str, overrides: Mapping[str, str] | None) -> str | None:
    """The axis of ``benchmark``: the caller's mapping first, then the built-in one (also for
    sub-tasks named ``benchmark:subtask`` or ``benchmark_subtask`` of a known benchmark)."""
    if overrides and benchmark in overrides:
        return check_axis(overrides[benchmark], f"axes[{benchmark!r}]")
    key = _key(benchmark)
    if key in BENCHMARK_AXES:
        return BENCHMARK_AXES[key]
    head = _key(re.split(r"[:/]", benchmark)[0])
    return BENCHMARK_AXES.get(head)
