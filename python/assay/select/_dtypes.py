"""Bytes per stored value for the number formats models are served and trained in."""

from __future__ import annotations

#: Spellings users write, mapped to one canonical name.
ALIASES = {
    "fp32": "fp32",
    "float32": "fp32",
    "fp16": "fp16",
    "float16": "fp16",
    "half": "fp16",
    "bf16": "bf16",
    "bfloat16": "bf16",
    "fp8": "fp8",
    "float8": "fp8",
    "int8": "int8",
    "int4": "int4",
    "nf4": "nf4",
}
#: Storage width of one value, without quantisation scales.
WIDTH = {"fp32": 4.0, "fp16": 2.0, "bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5, "nf4": 0.5}
#: Formats that are quantised weight storage, not arithmetic types.
QUANTISED = frozenset({"int8", "int4", "nf4"})
#: NF4 as QLoRA stores it: a block of 64 weights shares an 8-bit scale, and every 256 of those
#: scales share a 32-bit second-level scale (double quantisation), 0.127 bits per weight.
NF4_SCALES = 1 / 64 + 4 / (64 * 256)


def canonical(dtype: object, argument: str = "dtype") -> str:
    """The canonical name of ``dtype``, or a ValueError naming ``argument``."""
    name = ALIASES.get(dtype.lower()) if isinstance(dtype, str) else None
    if name is None:
        raise ValueError(
            f"{argument}: unknown dtype {dtype!r}; use one of {', '.join(sorted(set(ALIASES)))}"
        )
    return name


def weight_bytes(dtype: str, group_size: int) -> float:
    """Bytes per weight, quantisation scales included.

    int8 and int4 carry one fp16 scale per group of ``group_size`` weights, and int4 a 4-bit
    zero point per group too (the GPTQ / AWQ layout); nf4 carries QLoRA's double-quantised
    scales; fp8 has per-tensor scales, which round to nothing.
    """
    if dtype == "int8":
        return 1.0 + 2.0 / group_size
    if dtype == "int4":
        return 0.5 + 2.5 / group_size
    if dtype == "nf4":
        return 0.5 + NF4_SCALES
    return WIDTH[dtype]
