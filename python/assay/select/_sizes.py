"""How big each candidate is: a parameter count, a transformers config, or a checkpoint, per
model, read into one form the memory estimate takes."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from .._tables import Table
from ._architecture import architecture_from_config, read_checkpoint

#: What a model's size may be given as: billions of parameters, a config dict, a path to a
#: config.json / safetensors file / model folder, or None for "not published".
SizeSpec = Union[float, int, Mapping[str, Any], str, "os.PathLike[str]", None]


@dataclass(frozen=True)
class ModelSize:
    """A model's parameter count (billions; None when not published) and, where known, the
    config that gives its architecture (a dict or the path :func:`memory` reads)."""

    params_b: float | None
    config: Mapping[str, Any] | str | os.PathLike[str] | None = None


def resolve(model: str, spec: SizeSpec) -> ModelSize:
    """Reads one model's size specification (see :data:`SizeSpec`)."""
    if spec is None or (isinstance(spec, float) and math.isnan(spec)):
        return ModelSize(None)
    if isinstance(spec, bool):
        raise TypeError(f"sizes[{model!r}] must be a parameter count, got {spec!r}")
    if isinstance(spec, (int, float)):
        if not math.isfinite(spec) or spec <= 0:
            raise ValueError(f"sizes[{model!r}] must be > 0 billion parameters, got {spec!r}")
        return ModelSize(float(spec))
    if isinstance(spec, Mapping):
        return ModelSize(architecture_from_config(spec).parameters() / 1e9, spec)
    if isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if path.suffix == ".safetensors" or (path.is_dir() and any(path.glob("*.safetensors"))):
            params = read_checkpoint(path).parameters / 1e9
            folder = path if path.is_dir() else path.parent
            return ModelSize(params, folder if (folder / "config.json").is_file() else None)
        return ModelSize(architecture_from_config(path).parameters() / 1e9, path)
    raise TypeError(
        f"sizes[{model!r}] must be billions of parameters, a config dict or a path, "
        f"got {type(spec).__name__}"
    )


def read_sizes(sizes: Any) -> dict[str, SizeSpec]:
    """``sizes`` as a dict model → spec: a mapping as is, a JSON file holding one object of
    model → spec, or a table (any the intake reads) with ``model`` and ``params_b`` columns
    (an empty ``params_b`` means not published)."""
    if isinstance(sizes, (str, os.PathLike)) and Path(sizes).suffix.lower() == ".json":
        path = Path(sizes)
        if not path.is_file():
            raise FileNotFoundError(f"sizes: no such file {str(path)!r}")
        try:
            sizes = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"sizes: {str(path)!r} is not a JSON file: {e}") from None
        if not isinstance(sizes, Mapping):
            raise ValueError(f"sizes: {str(path)!r} must hold one JSON object of model -> size")
    if isinstance(sizes, Mapping):
        return {str(k): v for k, v in sizes.items()}
    table = Table(sizes, "sizes")
    models = [str(m) for m in _values(table.column("model", "model"))]
    counts = [None if v is None else float(v) for v in _values(table.column("params_b"))]
    if len(models) != len(counts):
        raise ValueError("sizes: the model and params_b columns differ in length")
    return dict(zip(models, counts, strict=True))


def _values(column: Any) -> list[Any]:
    if hasattr(column, "to_pylist"):
        return list(column.to_pylist())
    if hasattr(column, "tolist"):
        return list(column.tolist())
    return list(column)
