"""Battles from a user's table, coded once: model codes, outcome codes, weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _native
from .._arrays import check_finite, float_array
from .._tables import Table, factorize, is_identity, shared_codes, take

FIRST_WINS, TIE, SECOND_WINS = 0, 1, 2

#: Winner labels understood without ``outcomes=`` (LMArena's and arena-rank's spellings).
STANDARD_OUTCOMES: dict[str, int] = {
    "model_a": FIRST_WINS,
    "model_b": SECOND_WINS,
    "tie": TIE,
    "tie (bothbad)": TIE,
    "both_bad": TIE,
}


@dataclass
class Battles:
    """Integer-coded battles. ``outcome``: 0 = model_a wins, 1 = tie, 2 = model_b wins."""

    table: Table
    first: np.ndarray  # uint32, (n,)
    second: np.ndarray  # uint32, (n,)
    outcome: np.ndarray  # uint8, (n,)
    models: np.ndarray  # object, (n_models,): the name of each code

    @property
    def n_models(self) -> int:
        return len(self.models)

    def __len__(self) -> int:
        return len(self.first)

    def score(self) -> np.ndarray:
        """Score of model_a per battle: 1, 0.5 or 0 (float64)."""
        return (2 - self.outcome.astype(np.float64)) / 2

    def subset(self, mask: np.ndarray) -> Battles:
        return Battles(
            self.table.subset(mask),
            self.first[mask],
            self.second[mask],
            self.outcome[mask],
            self.models,
        )


def outcome_codes(values: Any, outcomes: Mapping[str, str] | None, name: str) -> np.ndarray:
    """Outcome code per row; unknown labels raise ValueError listing them."""
    mapping = dict(STANDARD_OUTCOMES)
    for label, meaning in (outcomes or {}).items():
        if meaning not in STANDARD_OUTCOMES:
            raise ValueError(
                f"outcomes[{label!r}] = {meaning!r}; each label must map to one of "
                f"{sorted(STANDARD_OUTCOMES)}"
            )
        mapping[str(label)] = STANDARD_OUTCOMES[meaning]
    codes, labels = factorize(values, name)
    table = np.full(len(labels), 255, dtype=np.uint8)
    for k, label in enumerate(labels):
        table[k] = mapping.get(str(label), 255)
    unknown = np.flatnonzero(table == 255)
    if len(unknown):
        rows = np.bincount(codes, minlength=len(labels))
        counts = {str(labels[k]): int(rows[k]) for k in unknown[:5]}
        raise ValueError(
            f"{name} has unknown labels {counts} (label: rows); "
            f"known labels are {sorted(mapping)}; "
            "map other labels with outcomes={label: 'model_a' | 'model_b' | 'tie'}"
        )
    if np.array_equal(table, np.arange(len(table))):
        return codes.astype(np.uint8, copy=False)  # labels already in code order
    return take(table, codes)


def code_battles(
    source: Any,
    *,
    model_a: str,
    model_b: str,
    winner: str,
    outcomes: Mapping[str, str] | None,
) -> Battles:
    table = source if isinstance(source, Table) else Table(source, "battles")
    a = table.column(model_a, "model_a")
    b = table.column(model_b, "model_b")
    w = table.column(winner, "winner")
    if len(table) == 0:
        raise ValueError("battles is empty: no rows to fit")
    labels = [f"battles[{model_a!r}]", f"battles[{model_b!r}]"]
    categories, ((local_a, table_a), (local_b, table_b)) = shared_codes([a, b], labels)
    models = np.asarray(categories, dtype=object)
    if is_identity(local_a, table_a) and is_identity(local_b, table_b):
        pair, row = (local_a, local_b), _native.first_equal_u32(local_a, local_b)
    else:
        # One parallel pass maps both columns into the shared codes and checks them.
        dtype = np.promote_types(local_a.dtype, local_b.dtype)
        dtype = dtype if dtype.kind in "iu" else np.dtype(np.int64)  # uint64 with int64
        pair, problem, row, column = _native.recode_pair_u32(
            local_a.astype(dtype, copy=False), table_a, local_b.astype(dtype, copy=False), table_b
        )
        if problem == "missing":
            raise ValueError(f"{labels[column]} has a missing value at row {row}")
    if pair is None or row >= 0:
        model = models[table_a[local_a[row]]]
        same = np.count_nonzero(table_a[local_a] == table_b[local_b])
        raise ValueError(
            f"a model cannot battle itself: {model!r} is both {model_a} and {model_b} "
            f"in row {row} ({same} such rows)"
        )
    first, second = pair
    outcome = outcome_codes(w, outcomes, f"battles[{winner!r}]")
    return Battles(table, first, second, outcome, models)


def weight_column(battles: Battles, weights: Any) -> np.ndarray | None:
    """Per-battle weights from a column name or an array; finite and >= 0."""
    if weights is None:
        return None
    if isinstance(weights, str):
        arr = battles.table.numeric(weights, "weights")
    else:
        arr = float_array(weights, "weights", ndim=1).astype(np.float64, copy=False)
    if len(arr) != len(battles):
        raise ValueError(f"weights has {len(arr)} values for {len(battles)} battles")
    check_finite(arr, "weights")
    if (arr < 0).any():
        raise ValueError(f"weights must be >= 0, got {arr.min()} at index {int(arr.argmin())}")
    return np.ascontiguousarray(arr)


def group_codes(
    battles: Battles, columns: list[str], role: str
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """One uint32 code per row for the combination of ``columns``, and each code's values."""
    parts = [factorize(battles.table.column(c, role), f"battles[{c!r}]") for c in columns]
    combined = np.zeros(len(battles), dtype=np.int64)
    for codes, cats in parts:
        combined = combined * len(cats) + codes
    uniques, inverse = np.unique(combined, return_inverse=True)
    keys = []
    for value in uniques:
        key = []
        for _, cats in reversed(parts):
            key.append(cats[value % len(cats)])
            value //= len(cats)
        keys.append(tuple(reversed(key)))
    return inverse.astype(np.uint32), keys
