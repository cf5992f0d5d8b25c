"""Online Elo in timestamp order (FastChat's ``compute_online_elo``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._checks import number
from ._battles import code_battles


def elo(
    battles: Any,
    *,
    k: float = 4.0,
    timestamp: str | None = None,
    model_a: str = "model_a",
    model_b: str = "model_b",
    winner: str = "winner",
    outcomes: Mapping[str, str] | None = None,
    scale: float = 400.0,
    base: float = 10.0,
    init: float = 1000.0,
) -> pd.DataFrame:
    """Online Elo ratings after playing the battles in ``timestamp`` order (input order when
    ``timestamp`` is None; ties in time keep input order).

    Returns a DataFrame ``model, rating, n_battles`` sorted by rating.
    """
    coded = code_battles(
        battles, model_a=model_a, model_b=model_b, winner=winner, outcomes=outcomes
    )
    if timestamp is None:
        order = np.arange(len(coded), dtype=np.int64)
    else:
        column = coded.table.column(timestamp, "timestamp")
        values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
        if pd.isna(values).any():
            raise ValueError(f"battles[{timestamp!r}] has missing timestamps")
        order = np.argsort(values, kind="stable").astype(np.int64)
    k = number(k, "k", 0.0, low_open=True)
    scale = number(scale, "scale", 0.0, low_open=True)
    base = number(base, "base", 1.0, low_open=True)
    init = number(init, "init")
    ratings = _native.elo_online(
        coded.first,
        coded.second,
        coded.outcome,
        order,
        coded.n_models,
        k=k,
        scale=scale,
        base=base,
        init=init,
    )
    n = np.bincount(coded.first, minlength=coded.n_models) + np.bincount(
        coded.second, minlength=coded.n_models
    )
    frame = pd.DataFrame({"model": coded.models, "rating": ratings, "n_battles": n})
    return frame.sort_values("rating", ascending=False, kind="stable").reset_index(drop=True)
