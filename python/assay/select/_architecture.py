"""What a model's memory depends on besides its parameter count: its architecture (from a
transformers ``config.json``) and its exact parameter count (from a safetensors checkpoint).

The parameter count from a config follows the decoder layout of Llama and its descendants
(Mistral, Qwen2/3, Gemma, Phi-3): token embeddings, per layer a query/key/value/output
attention projection (grouped-query: key and value have ``kv_heads`` heads) and a gated MLP of
three matrices, two RMSNorm vectors per layer and one at the end, and an output head unless it
is tied to the embeddings. Other layouts need a parameter count or a checkpoint.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: model_type values whose parameter count the Llama layout gives exactly.
LLAMA_LAYOUT = frozenset(
    {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3", "granite", "olmo2"}
)
#: model_types whose transformers config class defaults ``tie_word_embeddings`` to False
#: (transformers' base class defaults it to True).
UNTIED_BY_DEFAULT = frozenset({"llama", "mistral", "mixtral", "qwen2", "qwen3", "phi3", "olmo2"})


@dataclass(frozen=True)
class Architecture:
    """The shape numbers that memory estimates need.

    ``hidden`` is the residual width, ``heads`` the query heads, ``kv_heads`` the key/value
    heads (fewer than ``heads`` under grouped-query attention), ``head_dim`` the width of one
    head, ``intermediate`` the MLP's inner width, ``vocab`` the vocabulary size.
    """

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    tied_embeddings: bool = False
    qkv_bias: bool = False
    model_type: str = ""

    def parameters(self) -> int:
        """The parameter count of the Llama layout with these numbers."""
        if self.model_type and self.model_type not in LLAMA_LAYOUT:
            raise ValueError(
                f"config: cannot count the parameters of model_type {self.model_type!r} "
                f"(known layouts: {', '.join(sorted(LLAMA_LAYOUT))}); pass params_b or a "
                "safetensors checkpoint"
            )
        q = self.heads * self.head_dim
        kv = self.kv_heads * self.head_dim
        attention = self.hidden * (q + 2 * kv) + q * self.hidden
        if self.qkv_bias:
            attention += q + 2 * kv
        mlp = 3 * self.hidden * self.intermediate
        per_layer = attention + mlp + 2 * self.hidden
        embeddings = self.vocab * self.hidden * (1 if self.tied_embeddings else 2)
        return self.layers * per_layer + embeddings + self.hidden


def guess_architecture(params: float) -> Architecture:
    """A Llama-like shape for a parameter count alone: 12·L·d² parameters in the layers with
    L = d/128 (the aspect ratio of Llama 2 7B), multi-head attention of 128-wide heads, a gated
    MLP of width 8/3·d and a 32,000-token vocabulary. Used only when nothing better is given."""
    hidden = max(128, round((params * 128 / 12) ** (1 / 3) / 128) * 128)
    heads = hidden // 128
    return Architecture(
        layers=max(1, hidden // 128),
        hidden=hidden,
        heads=heads,
        kv_heads=heads,
        head_dim=128,
        intermediate=round(8 * hidden / 3),
        vocab=32_000,
    )


def _config_int(config: Mapping[str, Any], keys: tuple[str, ...], default: int | None) -> int:
    for key in keys:
        if key in config and config[key] is not None:
            value = config[key]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"config[{key!r}] must be a positive integer, got {value!r}")
            return value
    if default is None:
        raise ValueError(f"config has none of {list(keys)}")
    return default


def read_config(config: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    """A config as a mapping: a dict as is, a path to ``config.json`` or to the folder that
    holds one read as JSON. Multimodal configs give their ``text_config``."""
    if isinstance(config, (str, os.PathLike)):
        path = Path(config)
        if path.is_dir():
            path = path / "config.json"
        if not path.is_file():
            raise FileNotFoundError(f"config: no such file {str(path)!r}")
        try:
            config = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"config: {str(path)!r} is not a JSON file: {e}") from None
    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a dict or a path to config.json, got {type(config)}")
    text = config.get("text_config")
    return text if isinstance(text, Mapping) and "hidden_size" in text else config


def architecture_from_config(config: Mapping[str, Any] | str | os.PathLike[str]) -> Architecture:
    """The :class:`Architecture` a transformers ``config.json`` describes (dict or path)."""
    cfg = read_config(config)
    model_type = str(cfg.get("model_type", ""))
    hidden = _config_int(cfg, ("hidden_size", "n_embd", "d_model"), None)
    heads = _config_int(cfg, ("num_attention_heads", "n_head"), None)
    kv_heads = _config_int(cfg, ("num_key_value_heads", "num_kv_heads"), heads)
    if heads % kv_heads:
        raise ValueError(
            f"config: num_attention_heads ({heads}) is not a multiple of num_key_value_heads "
            f"({kv_heads})"
        )
    tied = cfg.get("tie_word_embeddings", model_type not in UNTIED_BY_DEFAULT)
    return Architecture(
        layers=_config_int(cfg, ("num_hidden_layers", "n_layer", "num_layers"), None),
        hidden=hidden,
        heads=heads,
        kv_heads=kv_heads,
        head_dim=_config_int(cfg, ("head_dim",), hidden // heads),
        intermediate=_config_int(cfg, ("intermediate_size", "n_inner"), 4 * hidden),
        vocab=_config_int(cfg, ("vocab_size",), 32_000),
        tied_embeddings=bool(tied),
        qkv_bias=bool(cfg.get("attention_bias", model_type == "qwen2")),
        model_type=model_type,
    )


#: safetensors dtypes of floating-point weights; other tensors (int64 position ids, packed
#: integer quantisation) are buffers, not parameters.
FLOAT_DTYPES = frozenset({"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"})


@dataclass(frozen=True)
class Checkpoint:
    """What a safetensors checkpoint holds: ``parameters`` elements of floating-point tensors
    taking ``parameter_bytes``, and ``bytes`` of tensor data in all."""

    parameters: int
    parameter_bytes: int
    bytes: int


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Counts the parameters and tensor bytes of a ``.safetensors`` file, or of every one in a
    folder, from their headers alone (8-byte little-endian length, then a JSON table of
    ``dtype, shape, data_offsets`` per tensor): nothing is loaded."""
    path = Path(path)
    files = sorted(path.glob("*.safetensors")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise FileNotFoundError(f"no safetensors checkpoint at {str(path)!r}")
    parameters = parameter_bytes = size = 0
    for file in files:
        with file.open("rb") as f:
            head = f.read(8)
            if len(head) != 8:
                raise ValueError(f"{str(file)!r} is too short to be a safetensors file")
            (length,) = struct.unpack("<Q", head)
            if length > min(100_000_000, file.stat().st_size - 8):
                raise ValueError(f"{str(file)!r}: header length {length} exceeds the file")
            try:
                header = json.loads(f.read(length))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise ValueError(f"{str(file)!r}: unreadable safetensors header: {e}") from None
        for name, tensor in header.items():
            if name == "__metadata__":
                continue
            try:
                elements = math.prod(int(d) for d in tensor["shape"])
                start, end = tensor["data_offsets"]
                nbytes = int(end) - int(start)
                is_float = tensor["dtype"] in FLOAT_DTYPES
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"{str(file)!r}: malformed entry for tensor {name!r}") from None
            size += nbytes
            if is_float:
                parameters += elements
                parameter_bytes += nbytes
    return Checkpoint(parameters=parameters, parameter_bytes=parameter_bytes, bytes=size)
