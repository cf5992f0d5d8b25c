"""Battles from a user's table, coded once: model codes, outcome codes, weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NoReturn

import numpy as np

from .. import _native
from .._arrays import check_finite, float_array
from .._tables import Table, factorize, is_arange, is_identity, shared_codes, take

FIRST_WINS, TIE, SECOND_WINS = 0, 1, 2
#: Segment-combination spaces up to this size are coded by a lookup table, larger ones by sorting.
DENSE_GROUP_SPACE = 1 << 24

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
    """Integer-coded battles. ``outcome``: 0 = model_a wins, 1 = tie, 2 = model_b wins.

    The model columns are kept as their own codes (``local``: Categorical codes, Arrow indices,
    factorised text; any integer dtype, negative for a missing value) with ``tables`` mapping
    them to model codes, so that the counting pass reads them directly. ``first`` and
    ``second``, uint32 model codes, are built and checked on first use.
    """

    table: Table
    local: tuple[np.ndarray, np.ndarray]  # model_a, model_b codes, one integer dtype, (n,)
    tables: tuple[np.ndarray, np.ndarray]  # uint32: local code -> model code
    outcome: np.ndarray  # uint8, (n,)
    models: np.ndarray  # object, (n_models,): the name of each code
    columns: tuple[str, str]  # the model_a and model_b column names, for messages

    @property
    def n_models(self) -> int:
        return len(self.models)

    def __len__(self) -> int:
        return len(self.outcome)

    @cached_property
    def _pair(self) -> tuple[np.ndarray, np.ndarray]:
        (a, b), (ta, tb) = self.local, self.tables
        if is_identity(a, ta) and is_identity(b, tb):
            row, problem, column = _native.first_equal_u32(a, b), "same", 0
            pair: tuple[np.ndarray, np.ndarray] | None = (a, b)
        else:  # one parallel pass maps both columns and checks them
            pair, problem, row, column = _native.recode_pair_u32(a, ta, b, tb)
        if pair is None or row >= 0:
            self._raise(problem, row, column)
        return pair

    @property
    def first(self) -> np.ndarray:
        """Model code of model_a per battle (uint32)."""
        return self._pair[0]

    @property
    def second(self) -> np.ndarray:
        """Model code of model_b per battle (uint32)."""
        return self._pair[1]

    @cached_property
    def mapping(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``tables``, or None when both map every code to itself (codes are model codes)."""
        return None if all(is_arange(t) for t in self.tables) else self.tables

    def check(self) -> None:
        """Raises the named error for a missing model value or a model battling itself."""
        self._pair  # noqa: B018 (built for its checks)

    def _raise(self, problem: str, row: int, column: int) -> NoReturn:
        label = f"battles[{self.columns[column]!r}]"
        if problem == "missing":
            raise ValueError(f"{label} has a missing value at row {row}")
        (a, b), (ta, tb) = self.local, self.tables
        same = np.count_nonzero(ta[a] == tb[b])
        model_a, model_b = self.columns
        raise ValueError(
            f"a model cannot battle itself: {self.models[ta[a[row]]]!r} is both {model_a} and "
            f"{model_b} in row {row} ({same} such rows)"
        )

    def score(self) -> np.ndarray:
        """Score of model_a per battle: 1, 0.5 or 0 (float64)."""
        return (2 - self.outcome.astype(np.float64)) / 2

    def subset(self, mask: np.ndarray) -> Battles:
        return Battles(
            self.table.subset(mask),
            (self.local[0][mask], self.local[1][mask]),
            self.tables,
            self.outcome[mask],
            self.models,
            self.columns,
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
    dtype = np.promote_types(local_a.dtype, local_b.dtype)
    dtype = dtype if dtype.kind in "iu" else np.dtype(np.int64)  # uint64 with int64
    local = (local_a.astype(dtype, copy=False), local_b.astype(dtype, copy=False))
    outcome = outcome_codes(w, outcomes, f"battles[{winner!r}]")
    models = np.asarray(categories, dtype=object)
    return Battles(table, local, (table_a, table_b), outcome, models, (model_a, model_b))


def weight_column(battles: Battles, weights: Any) -> np.ndarray | None:
    """Per-battle weights from a column name or an array; finite and >= 0, rescaled to mean 1
    (only their ratios matter)."""
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
    # Rescaled to mean 1, so that neither the fit nor its intervals depend on the weights' units
    # (weights of 1e-20 underflowed the Newton steps to NaN, weights of 1e160 overflowed the
    # sandwich's meat, and a fixed ridge made intervals shrink with the scale).
    top = float(arr.max()) if len(arr) else 0.0
    if top == 0.0:
        raise ValueError("weights are all 0: no battle counts")
    scaled = arr / top  # first to a max of 1, so that the sum cannot overflow
    return np.ascontiguousarray(scaled * (len(scaled) / scaled.sum()))


def group_codes(
    battles: Battles, columns: list[str], role: str
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """One uint32 code per row for the combination of ``columns``, and each code's values."""
    parts = [factorize(battles.table.column(c, role), f"battles[{c!r}]") for c in columns]
    combined = parts[0][0]
    for codes, cats in parts[1:]:
        combined = combined.astype(np.int64) * len(cats) + codes
    space = int(np.prod([len(cats) for _, cats in parts], dtype=np.float64))
    if space <= DENSE_GROUP_SPACE:
        # Present combinations in increasing order (as np.unique), without sorting the rows.
        uniques = np.flatnonzero(np.bincount(combined, minlength=space))
        lookup = np.zeros(space, dtype=np.uint32)
        lookup[uniques] = np.arange(len(uniques), dtype=np.uint32)
        inverse = take(lookup, combined)
    else:
        uniques, inverse = np.unique(combined, return_inverse=True)
    keys = []
    for value in uniques:
        key = []
        for _, cats in reversed(parts):
            key.append(cats[value % len(cats)])
            value //= len(cats)
        keys.append(tuple(reversed(key)))
    return inverse.astype(np.uint32), keys
