"""Model selection: which candidates a GPU can hold, and which of those really differ on the
axes a task needs.

``memory`` estimates the GPU memory a model needs (weights, KV cache, activations, and for
fine-tuning gradients and optimizer states); ``rule_of_thumb`` is the rough first step;
``shortlist`` keeps the models that fit and ranks them in tiers whose members are within noise
of the tier's leader.
"""

from __future__ import annotations

from .._axis_names import AXES
from ._architecture import Architecture, architecture_from_config, read_checkpoint
from ._memory import MemoryEstimate, memory, rule_of_thumb
from ._shortlist import Shortlist, shortlist

__all__ = [
    "AXES",
    "Architecture",
    "MemoryEstimate",
    "Shortlist",
    "architecture_from_config",
    "memory",
    "read_checkpoint",
    "rule_of_thumb",
    "shortlist",
]
