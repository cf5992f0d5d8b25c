"""Diff-eRank (Wei et al., NeurIPS 2024): how much redundancy a trained model's representations
remove, measured as the effective rank of an untrained twin's minus the trained model's.

From arrays: :func:`diff_erank`. From a transformers model (needs ``assay[torch]``):
:func:`representations`, :func:`untrained_twin` and :func:`evaluate`.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import spectral
from ._checks import number
from ._errors import ShapeError

__all__ = [
    "ErankReport",
    "alignment",
    "diff_erank",
    "evaluate",
    "reduction_ratio",
    "representations",
    "untrained_twin",
]


def _entropies(x: Any, name: str, strict: bool) -> np.ndarray:
    if isinstance(x, np.ndarray) and x.ndim == 1:  # entropies already
        h = x.astype(np.float64)
        bad = np.flatnonzero(np.isinf(h) | (h < 0))
        if len(bad):
            raise ValueError(
                f"{name}: a 1-D array is read as matrix entropies, which are finite and >= 0; "
                f"item {int(bad[0])} is {h[bad[0]]} (pass representations as (T, d) arrays)"
            )
        missing = int(np.isnan(h).sum())
        if missing:
            warnings.warn(
                f"{name}: {missing} NaN entropies (degenerate matrices) are left out",
                stacklevel=3,
            )
        return h
    try:
        h = spectral.entropy(list(x) if isinstance(x, (list, tuple)) else x, strict=strict)
    except (ValueError, TypeError) as e:
        raise type(e)(f"{name}: {e}") from e
    return np.atleast_1d(np.asarray(h.get() if hasattr(h, "get") else h, dtype=np.float64))


def diff_erank(
    untrained: Any, trained: Any, algorithm: str = "a", *, strict: bool = False
) -> float:
    """Diff-eRank of two collections of representations of the same texts.

    Parameters
    ----------
    untrained, trained : list of (T_i, d) arrays, (B, T, d) array, or 1-D array of entropies
        Representations of each text by the untrained and by the trained model (or the
        matrix entropies :func:`assay.spectral.entropy` already computed from them).
    algorithm : {"a", "b"}
        ``"a"`` (the paper's Definition 3.5): exp(mean H₀) − exp(mean H₁), mean over texts.
        ``"b"``: mean over texts of exp(H₀) − exp(H₁) (needs the same texts in both).
    strict : bool
        Raise on degenerate matrices (T = 1, equal rows) instead of warning and leaving them
        out (for ``"b"`` the pair is left out).

    Returns
    -------
    float
        Diff-eRank (positive when training reduced the effective rank).
    """
    if not isinstance(algorithm, str) or algorithm not in ("a", "b"):
        raise ValueError(f'algorithm must be "a" or "b", got {algorithm!r}')
    h0 = _entropies(untrained, "untrained", strict)
    h1 = _entropies(trained, "trained", strict)
    if algorithm == "b":
        if h0.shape != h1.shape:
            raise ShapeError(
                f"algorithm 'b' pairs texts: untrained has {h0.size} "
                f"matrices, trained has {h1.size}"
            )
        keep = np.isfinite(h0) & np.isfinite(h1)
        if not keep.any():
            raise ValueError("no text has a finite entropy in both models")
        return float(np.mean(np.exp(h0[keep]) - np.exp(h1[keep])))
    h0, h1 = h0[np.isfinite(h0)], h1[np.isfinite(h1)]
    if h0.size == 0 or h1.size == 0:
        raise ValueError(
            "no finite entropy left in " + ("untrained" if h0.size == 0 else "trained")
        )
    return float(np.exp(h0.mean()) - np.exp(h1.mean()))


def reduction_ratio(erank_1: float, erank_2: float) -> float:
    """Image reduction ratio of the Diff-eRank paper (multimodal section): (eRank₁ − eRank₂) /
    eRank₁, with eRank₁ of the vision encoder's image representations and eRank₂ of the same
    image after the projector (connector) into the language model."""
    erank_1 = number(erank_1, "erank_1", 0.0, low_open=True)
    erank_2 = number(erank_2, "erank_2")
    return float((erank_1 - erank_2) / erank_1)


def alignment(*eranks: float) -> float:
    """Image-text alignment of the Diff-eRank paper: avg(eRank₃, eRank₄, eRank₅) / max(...),
    the effective ranks of the image, the text and the image-text representations in the
    language model (1 when they agree). Any number of positive eRanks is accepted."""
    arr = np.asarray(eranks, dtype=np.float64)
    if arr.size < 2 or not np.isfinite(arr).all() or (arr <= 0).any():
        raise ValueError(f"alignment needs at least two positive finite eRanks, got {eranks}")
    return float(arr.mean() / arr.max())


def _layers(layer: Any, n_hidden: int) -> list[int]:
    """Indices into ``hidden_states`` (0 = embeddings, n_hidden − 1 = last layer)."""
    if isinstance(layer, str):
        if layer != "all":
            raise ValueError(f'layers must be an int, a list of ints or "all", got {layer!r}')
        return list(range(n_hidden))
    wanted = [layer] if isinstance(layer, (int, np.integer)) else list(layer)
    out = []
    for w in wanted:
        if not -n_hidden <= int(w) < n_hidden:
            raise ValueError(
                f"layer {w} out of range: the model has {n_hidden} hidden states "
                "(embeddings + layers)"
            )
        out.append(int(w) % n_hidden)
    return out


def _max_length(model: Any, tokenizer: Any, max_length: int | None) -> int:
    limits = [
        getattr(model.config, "max_position_embeddings", None),
        getattr(tokenizer, "model_max_length", None),
    ]
    limit = min(int(v) for v in limits if v is not None and int(v) < 10**9)
    if max_length is None:
        return limit
    if max_length < 2 or max_length > limit:
        raise ValueError(
            f"max_length must be in [2, {limit}] (the model's maximum), got {max_length}"
        )
    return max_length


def _batches(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    layers: Any,
    batch_size: int,
    device: Any,
    max_length: int | None,
    truncation: bool,
    progress: bool = False,
    on_device: bool = False,
) -> Iterator[tuple[dict[int, Any], np.ndarray, np.ndarray]]:
    """Per batch: {hidden-state index: (B, T, d) float32 array}, the (B,) token counts and the
    (B,) positions of its texts in ``texts`` (batches group texts of similar length). The
    model runs in eval mode and gets its own mode back afterwards.

    ``on_device``: a model on a CUDA device yields CUDA tensors (where CuPy is installed), so
    that the spectral metrics run on the GPU without a copy to the host."""

    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a sequence of str")
    if len(texts) == 0:
        raise ValueError("texts is empty")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    limit = _max_length(model, tokenizer, max_length)
    lengths = np.array([len(tokenizer(t, truncation=False)["input_ids"]) for t in texts])
    long = [int(i) for i in np.flatnonzero(lengths > limit)]
    if long and not truncation:
        raise ValueError(
            f"{len(long)} texts exceed the maximum length {limit} tokens (first: "
            f"texts[{long[0]}]); pass truncation=True to cut them"
        )
    if long:
        warnings.warn(
            f"{len(long)} texts exceed {limit} tokens and were truncated (first: texts[{long[0]}])",
            UserWarning,
            stacklevel=3,
        )
    was_training = model.training
    model.eval()
    try:
        yield from _forward(
            model, tokenizer, texts, layers, batch_size, device, limit, lengths, progress,
            on_device,
        )  # fmt: skip
    finally:
        if was_training:  # the caller's mode, as it was
            model.train()


def _forward(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    layers: Any,
    batch_size: int,
    device: Any,
    limit: int,
    lengths: np.ndarray,
    progress: bool,
    on_device: bool,
) -> Iterator[tuple[dict[int, Any], np.ndarray, np.ndarray]]:
    """The forward passes of :func:`_batches`, texts batched by token length (similar lengths
    pad little), each batch with the texts' original positions."""
    import torch

    if device is not None:
        model.to(device)
    dev = next(model.parameters()).device
    keep = on_device and dev.type == "cuda" and importlib.util.find_spec("cupy") is not None
    by_length = np.argsort(lengths, kind="stable")
    starts = range(0, len(texts), batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="eRank", unit="batch")
    for s in starts:
        positions = by_length[s : s + batch_size]
        enc = tokenizer(
            [texts[int(i)] for i in positions],
            padding=True,
            truncation=True,
            max_length=limit,
            return_tensors="pt",
        )
        enc = {k: v.to(dev) for k, v in enc.items()}
        with torch.inference_mode():
            out = model(**enc, output_hidden_states=True)
        hidden = getattr(out, "hidden_states", None)
        if hidden is None:
            raise TypeError(
                f"{type(model).__name__} returned no hidden_states; use a model "
                "that supports output_hidden_states (e.g. transformers.AutoModel)"
            )
        mask = enc["attention_mask"].cpu().numpy()
        # Right padding keeps the valid tokens first; left padding is moved to the end.
        order = np.argsort(mask == 0, axis=1, kind="stable")
        chosen: dict[int, Any] = {}
        index = torch.from_numpy(order[:, :, None]).to(dev) if keep else None
        for li in _layers(layers, len(hidden)):
            if index is not None:
                chosen[li] = torch.take_along_dim(hidden[li].float(), index, dim=1).contiguous()
                continue
            h = hidden[li].float().cpu().numpy()
            chosen[li] = np.ascontiguousarray(np.take_along_axis(h, order[:, :, None], axis=1))
        yield chosen, mask.sum(axis=1).astype(np.int64), positions


def representations(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    layer: Any = -1,
    *,
    batch_size: int = 16,
    device: Any = None,
    max_length: int | None = None,
    truncation: bool = True,
) -> Any:
    """Hidden states of each text, padding tokens dropped (special tokens kept).

    Parameters
    ----------
    model, tokenizer
        A transformers model (returning ``hidden_states``) and its tokenizer. The model is put
        in eval mode.
    texts : sequence of str
    layer : int, list of int or "all"
        Index into ``hidden_states`` (0 = embeddings, -1 = last layer).
    batch_size : int
        Texts per forward pass.
    device : str or torch.device, optional
        Where to run the model (default: where it is).
    max_length : int, optional
        Tokens per text (default and maximum: the model's maximum).
    truncation : bool
        Cut texts longer than ``max_length`` (with a warning counting them) or raise.

    Returns
    -------
    list of numpy.ndarray, float32, shape (T_i, d)
        For one layer; for several, a dict {hidden-state index: list}.
    """
    out: dict[int, list[Any]] = {}
    for chosen, lens, positions in _batches(
        model, tokenizer, texts, layer, batch_size, device, max_length, truncation
    ):
        for li, h in chosen.items():
            row = out.setdefault(li, [None] * len(texts))
            for i, (n, at) in enumerate(zip(lens, positions, strict=True)):
                row[int(at)] = h[i, :n]
    if isinstance(layer, (int, np.integer)):
        return next(iter(out.values()))
    return out


def untrained_twin(model: Any, seed: int = 0) -> Any:
    """The same architecture, randomly initialised with ``torch.manual_seed(seed)``, in eval
    mode (dropout off, unlike the official code), on the model's device and dtype. The
    global torch RNG state is restored afterwards."""
    import torch

    param = next(model.parameters())
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        twin = type(model)(model.config)
    return twin.to(device=param.device, dtype=param.dtype).eval()


@dataclass
class ErankReport:
    """Result of :func:`evaluate`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per hidden-state index: ``layer, erank_untrained, erank_trained, diff_erank``
        (algorithm "a": exp of mean entropy), ``erank_untrained_b, erank_trained_b`` (algorithm
        "b": mean of per-text eRanks) and ``diff_erank_b`` (mean of per-text differences).
    entropy_trained, entropy_untrained : dict[int, numpy.ndarray]
        Per-text matrix entropies (nats), per layer.
    """

    table: pd.DataFrame
    entropy_trained: dict[int, np.ndarray] = field(repr=False)
    entropy_untrained: dict[int, np.ndarray] = field(repr=False)

    @property
    def diff_erank(self) -> float:
        """Diff-eRank (algorithm "a") of the last layer in the table."""
        return float(self.table["diff_erank"].iloc[-1])


def _entropy_by_layer(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    layers: Any,
    batch_size: int,
    device: Any,
    max_length: int | None,
    truncation: bool,
    progress: bool,
    dtype: str = "float32",
) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    args = (model, tokenizer, texts, layers, batch_size, device, max_length, truncation, progress)
    for chosen, lens, positions in _batches(*args, on_device=True):
        for li, h in chosen.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # counted once in evaluate
                ent = spectral.entropy(h, lengths=lens, dtype=dtype)
            row = out.setdefault(li, np.full(len(texts), np.nan))
            row[positions] = ent.get() if hasattr(ent, "get") else ent
    return out


def evaluate(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    layers: Any = -1,
    seed: int = 0,
    batch_size: int = 16,
    device: Any = None,
    max_length: int | None = None,
    truncation: bool = True,
    progress: bool = False,
    dtype: str = "float32",
    untrained: Any = None,
) -> ErankReport:
    """eRank per layer of ``model`` and of its untrained twin, and Diff-eRank.

    Parameters
    ----------
    model, tokenizer, texts, batch_size, device, max_length, truncation
        As in :func:`representations`.
    layers : int, list of int or "all"
        Hidden-state indices to score (default: the last layer).
    seed : int
        Seed of :func:`untrained_twin`.
    progress : bool
        Show a tqdm progress bar over batches.
    dtype : {"float32", "float64"}
        Precision of the spectra (the hidden states come as the model computes them).
    untrained : model, optional
        The untrained reference model, instead of :func:`untrained_twin` (same tokenizer).

    Returns
    -------
    ErankReport
        The model is left in the mode it came in; texts are batched by token length.
    """
    twin = untrained_twin(model, seed) if untrained is None else untrained
    args = (texts, layers, batch_size, device, max_length, truncation, progress, dtype)
    h1 = _entropy_by_layer(model, tokenizer, *args)
    h0 = _entropy_by_layer(twin, tokenizer, *args)
    rows = []
    for li in h1:
        bad = int((~np.isfinite(h1[li])).sum() + (~np.isfinite(h0[li])).sum())
        if bad:
            warnings.warn(
                f"layer {li}: {bad} degenerate matrices (texts of one token) left out",
                RuntimeWarning,
                stacklevel=2,
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            e0 = float(np.exp(np.nanmean(h0[li])))
            e1 = float(np.exp(np.nanmean(h1[li])))
            b = diff_erank(h0[li], h1[li], "b")
            both = np.isfinite(h0[li]) & np.isfinite(h1[li])  # the texts algorithm (b) pairs
            e0_b = float(np.mean(np.exp(h0[li][both])))
            e1_b = float(np.mean(np.exp(h1[li][both])))
        rows.append(
            {
                "layer": li,
                "erank_untrained": e0,
                "erank_trained": e1,
                "diff_erank": e0 - e1,
                "erank_untrained_b": e0_b,
                "erank_trained_b": e1_b,
                "diff_erank_b": b,
            }
        )
    return ErankReport(pd.DataFrame(rows), h1, h0)
