"""How much GPU memory a model needs: weights, KV cache, activations, and for fine-tuning the
gradients and optimizer states, in GB of 10⁹ bytes (as the rule of thumb counts them)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .._checks import integer, number
from . import _dtypes
from ._architecture import Architecture, architecture_from_config, guess_architecture

GB = 1e9
MODES = ("inference", "full", "lora", "qlora")
#: Activation bytes per token per hidden unit of one transformer layer in training with 16-bit
#: activations (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
#: Transformer Models", sbh·34), without the attention-score term that flash attention never
#: stores.
TRAIN_ACTIVATION_BYTES = 34
#: The rule of thumb's usable fraction of GPU memory, and its bytes per parameter (16-bit).
RULE_USABLE = 0.75
RULE_BYTES_PER_PARAM = 2.0


@dataclass(frozen=True)
class MemoryEstimate:
    """GPU memory a model needs, in GB (10⁹ bytes), by part.

    ``kv_cache_gb`` is 0 when training (no cache is kept); ``gradients_gb`` and
    ``optimizer_gb`` are 0 for inference. ``assumptions`` says what each part assumed.
    """

    params_b: float
    trainable_params_b: float
    dtype: str
    mode: str
    weights_gb: float
    kv_cache_gb: float
    activations_gb: float
    gradients_gb: float
    optimizer_gb: float
    overhead_gb: float
    assumptions: tuple[str, ...]

    @property
    def total_gb(self) -> float:
        """The sum of the parts, GB."""
        return (
            self.weights_gb
            + self.kv_cache_gb
            + self.activations_gb
            + self.gradients_gb
            + self.optimizer_gb
            + self.overhead_gb
        )

    def fits(self, gpu_gb: float) -> bool:
        """True when the total fits in ``gpu_gb`` GB of GPU memory."""
        return self.total_gb <= number(gpu_gb, "gpu_gb", 0.0, low_open=True)

    def __str__(self) -> str:
        parts = [
            ("weights", self.weights_gb),
            ("KV cache", self.kv_cache_gb),
            ("activations", self.activations_gb),
            ("gradients", self.gradients_gb),
            ("optimizer states", self.optimizer_gb),
            ("overhead", self.overhead_gb),
        ]
        lines = [f"{self.params_b:.3g}B parameters, {self.dtype}, {self.mode}:"]
        lines += [f"  {name:<17}{gb:9.2f} GB" for name, gb in parts if gb or name == "weights"]
        lines.append(f"  {'total':<17}{self.total_gb:9.2f} GB")
        lines += [f"  - {a}" for a in self.assumptions]
        return "\n".join(lines)


def _positive_float(value: object, argument: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{argument} must be a number, got {type(value).__name__}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{argument} must be a finite number > 0, got {value!r}")
    return float(value)


def _positive_int(value: object, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{argument} must be an integer, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{argument} must be > 0, got {value}")
    return value


def rule_of_thumb(gpu_gb: float, *, context_factor: float = 1.3) -> float:
    """The largest model, in billions of parameters, that a GPU of ``gpu_gb`` GB holds by the
    widely shared rule of thumb: (GPU GB × 0.75) ÷ context factor ÷ 2 bytes per parameter.

    A rough first step: the 0.75 leaves a quarter for the runtime, and the context factor (1.0
    for short prompts, 1.3 for ordinary lengths) stands in for the KV cache. For long contexts,
    quantised weights or fine-tuning use :func:`memory`, whose KV term is exact.
    """
    gpu = number(gpu_gb, "gpu_gb", 0.0, low_open=True)
    factor = number(context_factor, "context_factor", 0.0, low_open=True)
    return gpu * RULE_USABLE / factor / RULE_BYTES_PER_PARAM


def _architecture(
    params: float | None,
    config: Mapping[str, Any] | str | os.PathLike[str] | None,
    overrides: dict[str, int | None],
    assumptions: list[str],
) -> tuple[float, Architecture]:
    if config is not None:
        arch = architecture_from_config(config)
        if params is None:
            params = float(arch.parameters())
            assumptions.append("parameter count from the config's Llama-layout shapes")
    elif params is None:
        raise ValueError("params_b is required unless config= gives the architecture")
    else:
        arch = guess_architecture(params)
        if None in overrides.values():
            assumptions.append(
                f"architecture guessed from the parameter count ({arch.layers} layers, width "
                f"{arch.hidden}, multi-head attention): pass config= or layers/kv_heads/head_dim "
                "for an exact KV cache"
            )
    for name, value in overrides.items():
        if value is not None:
            arch = replace(arch, **{name: integer(value, name, 1)})  # type: ignore[arg-type]
    return params, arch


def memory(
    params_b: float | None = None,
    *,
    dtype: str = "bf16",
    context: int = 4096,
    batch: int = 1,
    layers: int | None = None,
    kv_heads: int | None = None,
    head_dim: int | None = None,
    kv_dtype: str | None = None,
    overhead_gb: float = 1.0,
    activations_gb: float | None = None,
    mode: str = "inference",
    config: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    group_size: int = 128,
    lora_rank: int = 16,
    gradient_checkpointing: bool = True,
) -> MemoryEstimate:
    """GPU memory needed to run (``mode="inference"``) or fine-tune (``"full"``, ``"lora"``,
    ``"qlora"``) a model of ``params_b`` billion parameters, by part.

    Parameters
    ----------
    params_b : float
        Parameters, billions. May be left out when ``config`` gives a Llama-layout model.
    dtype : str
        Weight format: fp32, fp16, bf16, fp8, int8, int4 (``group_size`` weights share an fp16
        scale and a 4-bit zero point) or nf4. For ``"qlora"`` the base weights are nf4 and a
        16-bit ``dtype`` names the compute type.
    context, batch : int
        Tokens per sequence and sequences at once.
    layers, kv_heads, head_dim : int, optional
        Architecture numbers for the KV cache, overriding ``config``.
    kv_dtype : str, optional
        KV cache format; default the weights' format, or bf16 for quantised weights.
    overhead_gb : float
        CUDA context, library workspaces and allocator slack, GB.
    activations_gb : float, optional
        The activation memory, GB, when measured or known better than the estimate below.
    config : dict or path, optional
        A transformers ``config.json`` (dict, file or the folder holding it).

    Notes
    -----
    - KV cache: 2 (keys and values) × layers × kv_heads × head_dim × context × batch × bytes,
      so grouped-query attention is counted right.
    - Inference activations: the working set of one layer's forward pass over the whole
      context (residual, normed input, q, k, v, attention output: ~5 × hidden; gate, up and
      activated MLP: 3 × intermediate) in the compute type, plus fp32 logits of the last token.
    - Full fine-tuning: AdamW with two fp32 states per parameter (8 bytes), gradients in the
      weights' type, and an fp32 master copy of 16-bit weights (mixed precision): 16 bytes per
      parameter in bf16.
    - LoRA / QLoRA: adapters of rank ``lora_rank`` on the q, k, v and o projections of every
      layer, trained in fp32 (weights, gradients and AdamW states: 16 bytes per adapter
      parameter); the base is frozen (no gradients, no optimizer states).
    - Training activations: 34 bytes per token per hidden unit per layer (Korthikanti et al.,
      without attention scores, which flash attention does not store); with
      ``gradient_checkpointing`` each layer keeps only its input and one layer is recomputed at
      a time; fp32 logits and their gradient over the vocabulary.
    """
    if mode not in MODES:
        raise ValueError(f"mode: unknown mode {mode!r}; use one of {', '.join(MODES)}")
    dtype = _dtypes.canonical(dtype)
    if params_b is not None:
        params_b = number(params_b, "params_b", 0.0, low_open=True)
    context = integer(context, "context", 1)
    batch = integer(batch, "batch", 1)
    group_size = integer(group_size, "group_size", 1)
    lora_rank = integer(lora_rank, "lora_rank", 1)
    overhead_gb = number(overhead_gb, "overhead_gb", 0.0)
    if activations_gb is not None:
        activations_gb = number(activations_gb, "activations_gb", 0.0)
    if mode == "full" and dtype in _dtypes.QUANTISED:
        raise ValueError(f"dtype: full fine-tuning needs float weights, got {dtype}")

    assumptions: list[str] = []
    overrides = {"layers": layers, "kv_heads": kv_heads, "head_dim": head_dim}
    params_raw = None if params_b is None else params_b * GB
    params, arch = _architecture(params_raw, config, overrides, assumptions)

    compute = dtype if dtype in ("fp32", "fp16", "bf16") else "bf16"
    base = "nf4" if mode == "qlora" else dtype
    act = _dtypes.WIDTH[compute]
    weights = params * _dtypes.weight_bytes(base, group_size)
    kv = gradients = optimizer = 0.0
    trainable = 0.0
    tokens = batch * context
    if base in _dtypes.QUANTISED:
        assumptions.append(f"{base} weights computed in {compute}")

    if mode == "inference":
        kv_name = _dtypes.canonical(kv_dtype, "kv_dtype") if kv_dtype is not None else compute
        kv = 2 * arch.layers * arch.kv_heads * arch.head_dim * tokens * _dtypes.WIDTH[kv_name]
        activations = tokens * (5 * arch.hidden + 3 * arch.intermediate) * act
        activations += batch * arch.vocab * 4
        assumptions.append(f"KV cache in {kv_name}")
    else:
        if mode == "full":
            trainable = params
            gradients = params * _dtypes.WIDTH[dtype]
            optimizer = params * (8 if dtype == "fp32" else 12)
            master = "" if dtype == "fp32" else f" and an fp32 master copy of the {dtype} weights"
            assumptions.append(f"AdamW with two fp32 states per parameter{master}")
        else:
            q = arch.heads * arch.head_dim
            kv_width = arch.kv_heads * arch.head_dim
            per_layer = (arch.hidden + q) * 2 + (arch.hidden + kv_width) * 2
            trainable = float(arch.layers * lora_rank * per_layer)
            weights += trainable * 4
            gradients = trainable * 4
            optimizer = trainable * 8
            assumptions.append(
                f"rank-{lora_rank} adapters on q, k, v, o of every layer, trained in fp32 "
                f"with AdamW; {base} base frozen"
            )
        per_layer_act = tokens * arch.hidden * TRAIN_ACTIVATION_BYTES
        if gradient_checkpointing:
            activations = arch.layers * tokens * arch.hidden * act + per_layer_act
            assumptions.append("gradient checkpointing: one layer's activations at a time")
        else:
            activations = arch.layers * per_layer_act
        activations += tokens * arch.vocab * 4 * 2

    if activations_gb is not None:
        assumptions.append("activations as given (activations_gb)")
    return MemoryEstimate(
        params_b=params / GB,
        trainable_params_b=trainable / GB,
        dtype=base,
        mode=mode,
        weights_gb=weights / GB,
        kv_cache_gb=kv / GB,
        activations_gb=activations / GB if activations_gb is None else float(activations_gb),
        gradients_gb=gradients / GB,
        optimizer_gb=optimizer / GB,
        overhead_gb=float(overhead_gb),
        assumptions=tuple(assumptions),
    )
