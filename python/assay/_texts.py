"""Hypotheses and references as the text metrics take them: lists of str, NumPy object
arrays, pandas or pyarrow string columns; references as sacrebleu's streams."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def texts(values: Any, name: str, *, allow_none: bool = False) -> list[Any]:
    """``values`` as a list of str (None kept where ``allow_none``), checked item by item."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(values).__name__}")
    if hasattr(values, "to_pylist"):
        out = list(values.to_pylist())
    elif hasattr(values, "tolist"):
        out = list(values.tolist())
    else:
        try:
            out = list(values)
        except TypeError:
            raise TypeError(f"{name} must be a sequence of str") from None
    for i, v in enumerate(out):
        if v is None and allow_none:
            continue
        if not isinstance(v, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(v).__name__}")
        if v.isascii():
            continue
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{name}[{i}] holds a lone surrogate (not encodable as UTF-8)"
            ) from None
    return out


def hypotheses_and_references(
    hypotheses: Any, references: Sequence[Any]
) -> tuple[list[str], list[list[str]]]:
    """(hypotheses, per-segment references without the missing ones) from sacrebleu's streams:
    ``references[k][i]`` is the k-th reference of segment i. Streams of a length other than
    the hypotheses' are an error, as in sacrebleu."""
    hyps = texts(hypotheses, "hypotheses")
    references = texts_like(references, "references")
    if not len(references):
        raise ValueError("references must be a non-empty list of reference streams")
    streams = [texts(s, f"references[{k}]", allow_none=True) for k, s in enumerate(references)]
    for k, stream in enumerate(streams):
        if len(stream) != len(hyps):
            raise ValueError(
                f"references[{k}] has {len(stream)} segments but there are {len(hyps)} hypotheses"
            )
    per_segment = [[s[i] for s in streams if s[i] is not None] for i in range(len(hyps))]
    return hyps, per_segment


def predictions_and_references(
    predictions: Any, references: Any
) -> tuple[list[str], list[list[str]]]:
    """Non-empty predictions, and per prediction its references (a str or a list of str)."""
    hyps = texts(predictions, "predictions")
    if not hyps:
        raise ValueError("predictions is empty")
    return hyps, per_item_references(references, len(hyps))


def per_item_references(references: Any, n: int, name: str = "references") -> list[list[str]]:
    """References given per prediction (a str, or a list of str for several), checked."""
    refs = texts_or_lists(references, name)
    if len(refs) != n:
        raise ValueError(f"{name} has {len(refs)} items but there are {n} predictions")
    return refs


def texts_or_lists(values: Any, name: str) -> list[list[str]]:
    items = texts_like(values, name)
    out: list[list[str]] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append([item])
        elif isinstance(item, (list, tuple)) and item:
            # The common case (ASCII str) checked inline; texts() names what is wrong otherwise.
            ok = all(type(x) is str and x.isascii() for x in item)
            out.append(list(item) if ok else texts(item, f"{name}[{i}]"))
        else:
            raise TypeError(f"{name}[{i}] must be a str or a non-empty list of str")
    return out


def texts_like(values: Any, name: str) -> list[Any]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence, not a single {type(values).__name__}")
    if hasattr(values, "to_pylist"):
        return list(values.to_pylist())
    if hasattr(values, "tolist"):
        out = values.tolist()
        if not isinstance(out, list):
            raise TypeError(f"{name} must be a sequence, got a scalar {out!r}")
        return out
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence, got {type(values).__name__}") from None
