"""Signatures on the CPU (the Rust kernels, GIL released), and the checks that name a bad
text by its index."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _native
from .._utf8 import Utf8Column
from ._options import MinHashOptions


def text_list(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of str, not a single {type(texts).__name__}")
    try:
        out = list(texts)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of str, got {type(texts).__name__}") from None
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{name}[{i}] must be str, got {type(t).__name__}")
    return out


def cpu_signatures(texts: list[str] | Utf8Column, options: MinHashOptions) -> np.ndarray:
    """(N, num_perm) uint32 signatures of texts (Python str or an Arrow column's UTF-8 chunks,
    read in place), a native call per list or chunk."""
    kw = options.kernel_arguments()
    if isinstance(texts, Utf8Column):  # the column's errors name their text already
        rows = [
            _native.minhash_signatures_utf8(data, offsets, family=options.family, first=first, **kw)
            for first, data, offsets in texts.chunks
        ]
        return np.concatenate(rows) if rows else np.empty((0, options.num_perm), dtype=np.uint32)
    return named_text_errors(
        texts, lambda: _native.minhash_signatures(texts, family=options.family, **kw)
    )


def named_text_errors(texts: list[str], compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()``; a text it cannot take (not a str, no UTF-8 form) is named by index."""
    try:
        return compute()
    except UnicodeEncodeError as err:
        raise unencodable(texts, err) from None
    except TypeError as err:
        try:
            text_list(texts)
        except TypeError as named:  # the item that is not a str, by its index
            raise named from None
        raise err


def unencodable(texts: Sequence[str], err: UnicodeEncodeError) -> UnicodeEncodeError:
    """``err`` again, naming the first text that has no UTF-8 form (a lone surrogate)."""
    for i, t in enumerate(texts):
        try:
            t.encode()
        except UnicodeEncodeError as bad:
            reason = f"a lone surrogate in texts[{i}]; decode with errors='replace' or drop it"
            return UnicodeEncodeError(bad.encoding, bad.object, bad.start, bad.end, reason)
    return err
