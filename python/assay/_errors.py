"""assay's exceptions. Each subclasses the built-in exception users already catch."""

from __future__ import annotations

from ._native import ConvergenceError, NotIdentifiableError, ShapeError

__all__ = ["ConvergenceError", "NotIdentifiableError", "ShapeError"]
