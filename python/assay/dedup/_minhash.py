"""``minhash``: signatures of texts on the CPU or the GPU."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from .._utf8 import Utf8Column, utf8_column
from ._cpu import cpu_signatures, named_text_errors, text_list
from ._options import MinHashOptions, cuda_index

if TYPE_CHECKING:
    import pyarrow as pa

    Texts: TypeAlias = Sequence[str] | pa.Array | pa.ChunkedArray | pd.Series
    """Texts in memory: Python strs, or an Arrow string column (read in place)."""


def minhash(
    texts: Texts,
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    seed: int = 1,
    compat: str | None = None,
    lowercase: bool = False,
    strip_punct: bool = False,
    device: str = "cpu",
) -> np.ndarray:
    """MinHash signatures of texts.

    Parameters
    ----------
    texts : sequence of str, or an Arrow string column, length N
        A pyarrow ``Array``/``ChunkedArray`` of strings (or a pandas column stored in Arrow)
        is read in place, without a Python str per text; nulls are refused.
    num_perm : int
        Permutations per signature, 1..65536.
    ngram : int
        Tokens per shingle (≥ 1).
    unit : {"word", "char"}
    seed : int
        Seed of the permutations (non-negative; datasketch's ``seed`` in compat modes).
    compat : {None, "datasketch", "datasketch-legacy"}
        Hash family (see the module docstring).
    lowercase, strip_punct : bool
        Unicode lower-casing; deletion of ASCII punctuation.
    device : {"cpu", "cuda", "cuda:N"}
        Where the own family's signatures are computed (``assay.dedup.gpu``; needs CuPy). The
        GPU gives the CPU's signatures bit for bit; the compat modes run on the CPU only.

    Returns
    -------
    numpy.ndarray
        (N, num_perm) uint32.

    Notes
    -----
    In the compat modes a text with fewer than ``ngram`` tokens contributes its one short shingle
    (all its tokens joined by one space); user code that builds only full-length shingles gives
    such a text the empty signature instead. All longer texts match datasketch element for
    element (tests/test_dedup.py).
    """
    strs = as_texts(texts)
    options = MinHashOptions(num_perm, ngram, unit, seed, compat, lowercase, strip_punct)
    return signatures(strs, options, cuda_index(device))


def as_texts(texts: Any) -> list[str] | Utf8Column:
    """An Arrow column as its UTF-8 chunks, read in place; a list as it is (the native call
    refuses non-str items, and `text_list` then names the bad one); other iterables listed."""
    utf8 = utf8_column(texts)
    if utf8 is not None:
        return utf8
    return texts if isinstance(texts, list) else text_list(texts)


def signatures(
    strs: list[str] | Utf8Column, options: MinHashOptions, cuda: int | None
) -> np.ndarray:
    """Signatures on the CPU (``cuda=None``) or on CUDA device ``cuda``."""
    if cuda is None:
        return cpu_signatures(strs, options)
    if options.compat is not None:
        raise ValueError(f"compat={options.compat!r} runs on the CPU only: pass device='cpu'")
    try:
        import cupy
    except ImportError:
        raise ImportError("device='cuda' needs CuPy: pip install 'assay[gpu]'") from None
    from .gpu import gpu_signatures

    def on_device() -> np.ndarray:
        with cupy.cuda.Device(cuda):
            return gpu_signatures(strs, options)

    return on_device() if isinstance(strs, Utf8Column) else named_text_errors(strs, on_device)
