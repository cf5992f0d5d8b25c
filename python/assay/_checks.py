"""Checks of scalar arguments shared by every family: each names the argument, rejects bools
where a number is meant and NaN / infinity where a finite value is."""

from __future__ import annotations

import math
import numbers

import numpy as np

#: Bootstrap rounds beyond this are a mistake, not a request (10**30 ran without end).
MAX_BOOT = 10_000_000


def integer(value: object, name: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int in [low, high]; bools, floats and other types are TypeErrors."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    out = int(value)
    if low is not None and out < low:
        raise ValueError(f"{name} must be >= {low}, got {out}")
    if high is not None and out > high:
        raise ValueError(f"{name} must be <= {high}, got {out}")
    return out


def integer_in(name: str, value: object, low: int, high: int = 1 << 16) -> int:
    """``value`` as an int in [low, high]; anything else (bools and floats included) is one
    ValueError naming the argument and the range (dedup's and contamination's checks)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= int(value) <= high
    ):
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def number(
    value: object,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` as a finite float in the interval; bools and non-numbers are TypeErrors."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    out = float(value)
    bad = not math.isfinite(out)
    bad |= low is not None and (out <= low if low_open else out < low)
    bad |= high is not None and (out >= high if high_open else out > high)
    if bad:
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        span = f"{'(' if low_open else '['}{lo}, {hi}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be a finite number in {span}, got {value!r}")
    return out


def choice(value: object, name: str, options: tuple[str, ...]) -> str:
    """``value`` as one of the option names; anything else names the argument and the options
    (an array or a list is refused before it is compared, which NumPy could not answer)."""
    if not isinstance(value, str) or value not in options:
        shown = value if isinstance(value, str) else type(value).__name__
        raise ValueError(f"{name} must be one of {list(options)}, got {shown!r}")
    return value


def flag(value: object, name: str) -> bool:
    """``value`` as a bool: True / False (NumPy's too), or 0 / 1; anything else names the
    argument."""
    if isinstance(value, (numbers.Integral, np.bool_)) and int(value) in (0, 1):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
