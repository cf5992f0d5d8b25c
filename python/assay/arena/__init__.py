"""Arena leaderboards: Bradley-Terry ratings from pairwise votes, as LMArena computes them.

``fit`` gives ratings with sandwich, bootstrap or voter-clustered intervals, segments and style
control; ``elo`` the online Elo; ``voters`` per-voter diagnostics against vote manipulation.
"""

from __future__ import annotations

from ._battles import STANDARD_OUTCOMES
from ._elo import elo
from ._fit import fit
from ._leaderboard import Leaderboard
from ._voters import voters

__all__ = ["STANDARD_OUTCOMES", "Leaderboard", "elo", "fit", "voters"]
