"""The evaluation axes: one list of identifiers, shared by every family that reports per axis
(API, CLI, plots, docs)."""

from __future__ import annotations

#: The axis identifiers, in the order reports list them.
AXES = (
    "knowledge",
    "reasoning",
    "math",
    "coding",
    "instruction_following",
    "safety",
    "fairness",
    "robustness",
    "hallucination",
    "calibration",
)


def check_axis(name: object, argument: str) -> str:
    """``name`` if it is one of :data:`AXES`, else a ValueError naming ``argument``."""
    if not isinstance(name, str) or name not in AXES:
        raise ValueError(f"{argument}: unknown axis {name!r}; the axes are {', '.join(AXES)}")
    return name
