"""Bradley-Terry leaderboards: point ratings, intervals, segments."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .. import _native
from .._checks import MAX_BOOT, integer, number
from .._errors import NotIdentifiableError
from ._battles import Battles, code_battles, group_codes, weight_column
from ._cells import Z95, Cells, anchor_index, cell_table, default_ridge, to_ratings, voter_table
from ._leaderboard import ELO_PER_THETA, Leaderboard, ratings_frame

CI_METHODS = ("sandwich", "bootstrap", "voter")
BOOT_CHUNK = 100


def _interval(
    group: Cells,
    theta: np.ndarray,
    *,
    ci: str,
    prior: float,
    ridge: float,
    n_boot: int,
    seed: int,
    anchor: int | None,
    anchor_rating: float,
    voter_table: _native.Cells | None,
    progress: Callable[[int], None] | None,
    diagnostics: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """(ci_low, ci_high) on the rating scale."""
    ratings = to_ratings(theta, anchor, anchor_rating)
    if ci == "sandwich":
        cov = _native.bt_sandwich(group.table, group.group, theta, prior=prior, ridge=ridge)
        if anchor is None:
            var = np.diag(cov)
        else:
            var = np.diag(cov) + cov[anchor, anchor] - 2 * cov[:, anchor]
        half = Z95 * np.sqrt(np.maximum(var, 0.0)) * ELO_PER_THETA
        return ratings - half, ratings + half
    reps, degenerate = [], 0
    for start in range(0, n_boot, BOOT_CHUNK):
        size = min(BOOT_CHUNK, n_boot - start)
        if voter_table is None:
            chunk, bad = _native.bt_bootstrap(
                group.table,
                group.group,
                theta,
                n_boot=size,
                seed=seed,
                first_round=start,
                prior=prior,
            )
        else:
            chunk, bad = _native.bt_bootstrap_voters(
                voter_table, theta, n_boot=size, seed=seed, first_round=start, prior=prior
            )
        reps.append(chunk)
        degenerate += bad
        if progress is not None:
            progress(size)
    boot = to_ratings(np.vstack(reps), anchor, anchor_rating)
    diagnostics["degenerate_rounds"] = diagnostics.get("degenerate_rounds", 0) + degenerate
    if degenerate > 0.1 * n_boot:
        warnings.warn(
            f"{degenerate} of {n_boot} bootstrap rounds were degenerate (a resample in which a "
            "model has no win or no loss): the intervals rest on the others; more battles or "
            "prior= > 0 avoid this",
            stacklevel=4,
        )
    low, high = np.nanquantile(boot, [0.025, 0.975], axis=0)
    return low, high


def fit(
    battles: Any,
    *,
    model_a: str = "model_a",
    model_b: str = "model_b",
    winner: str = "winner",
    outcomes: Mapping[str, str] | None = None,
    weights: str | Sequence[float] | np.ndarray | None = None,
    reweight: bool = False,
    anchor: tuple[str, float] | None = None,
    features: Mapping[str, tuple[str, str]] | None = None,
    ci: str = "sandwich",
    n_boot: int = 1000,
    voter: str | None = None,
    by: str | Sequence[str] | None = None,
    exclude_voters: Iterable[Any] | None = None,
    ridge: float | None = None,
    seed: int = 0,
    prior: float = 0.0,
    style_prior: float = 0.0,
    min_segment_battles: int = 50,
    progress: bool = False,
) -> Leaderboard:
    """Fit a Bradley-Terry leaderboard with confidence intervals.

    Parameters
    ----------
    battles
        One row per vote: pandas/polars DataFrame, pyarrow Table, dict of columns, or a
        CSV/JSONL/Parquet path.
    model_a, model_b, winner
        Column names. ``winner`` holds "model_a", "model_b", "tie", "tie (bothbad)" or
        "both_bad"; ``outcomes`` maps other labels onto those (e.g. ``{"left": "model_a"}``).
        Unknown labels raise ValueError.
    weights
        Column name or array of per-battle weights (finite, >= 0).
    reweight
        LMArena's inverse-frequency weights 1 / max(n_pair, 50) (n_pair: battles of the
        unordered pair). Not combinable with ``weights``.
    anchor
        ``(model, rating)``: shift so that ``model`` has ``rating``. Default: mean rating 1000.
    features
        Style control: ``{name: (column_a, column_b)}``; each enters as (a − b) / (a + b),
        z-scored over battles. Ratings are reported with the style effects at zero.
    ci
        "sandwich" (H⁻¹BH⁻¹ with ``ridge`` on H), "bootstrap" (``n_boot`` multinomial
        resamples of the battles, 2.5/97.5 % percentiles) or "voter" (resamples voters; needs
        ``voter``).
    by
        Segment column(s): every segment is fitted too, in parallel, into ``Leaderboard.segments``.
        Segments with fewer than ``min_segment_battles`` battles, or whose ratings are unbounded,
        are listed in ``Leaderboard.skipped_segments`` instead (with a warning).
    exclude_voters
        Voter ids (values of the ``voter`` column) whose battles are dropped before fitting.
    ridge
        Ridge added to the Hessian of the sandwich; default 1e-5·N unweighted, 1e-5 weighted.
    prior
        Gaussian-prior precision on θ (0: plain maximum likelihood, which is infinite for a
        model with no wins or no losses; this raises NotIdentifiableError).
    style_prior
        Gaussian-prior precision on the style coefficients (0: unpenalised, recovers the true
        coefficient).

    Returns
    -------
    Leaderboard
    """
    if not isinstance(ci, str) or ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}, got {ci!r}")
    if ci == "voter" and voter is None:
        raise ValueError("ci='voter' resamples voters: pass voter=<column of voter ids>")
    n_boot = integer(n_boot, "n_boot", 1, MAX_BOOT)
    seed = integer(seed, "seed", 0, 2**63 - 1)
    prior = number(prior, "prior", 0.0)
    style_prior = number(style_prior, "style_prior", 0.0)
    if ridge is not None:
        ridge = number(ridge, "ridge", 0.0)
    if by is not None and not isinstance(by, str) and len(list(by)) == 0:
        raise ValueError("by must name at least one column (or be None)")
    if outcomes is not None and not isinstance(outcomes, Mapping):
        raise TypeError(
            f"outcomes must map winner labels to model_a / model_b / tie, got "
            f"{type(outcomes).__name__}"
        )
    if isinstance(exclude_voters, (str, bytes)):
        raise TypeError("exclude_voters must be a collection of voter ids, not a single str")
    if weights is not None and reweight:
        raise ValueError("pass either weights= or reweight=True, not both")
    coded = code_battles(
        battles, model_a=model_a, model_b=model_b, winner=winner, outcomes=outcomes
    )
    w = weight_column(coded, weights)
    if exclude_voters is not None:
        if voter is None:
            raise ValueError("exclude_voters needs voter=<column of voter ids>")
        ids = pd.Index(list(exclude_voters))
        column = coded.table.column(voter, "voter")
        values = (
            column.to_pandas() if hasattr(column, "to_pandas") else pd.Series(np.asarray(column))
        )
        present = pd.Index(pd.Series(values).unique())
        unknown = ids.difference(present)
        if len(unknown):
            warnings.warn(
                f"exclude_voters: {len(unknown)} ids never vote in the battles "
                f"(e.g. {list(unknown[:3])})",
                stacklevel=2,
            )
        keep = ~pd.Series(values).isin(ids).to_numpy()
        coded = coded.subset(keep)
        w = None if w is None else w[keep]
        if not len(coded):
            raise ValueError("exclude_voters removed every battle")
    if features:
        if by is not None or ci == "voter":
            raise ValueError(
                "features= (style control) supports ci='sandwich' or 'bootstrap' without by="
            )
        from ._style import fit_style

        return fit_style(
            coded,
            w,
            features,
            ci=ci,
            n_boot=n_boot,
            seed=seed,
            ridge=ridge,
            anchor=anchor,
            prior=prior,
            style_prior=style_prior,
        )

    anchor_idx, anchor_rating = anchor_index(anchor, coded.models)
    bar = _progress_bar(progress, n_boot if ci != "sandwich" else 0)
    diagnostics: dict[str, Any] = {"battles": len(coded), "models": coded.n_models, "ci": ci}

    def estimate(
        table: _native.Cells,
        group: int,
        voter_table: _native.Cells | None,
        columns: tuple[np.ndarray, ...] | None = None,
    ) -> tuple[Cells, np.ndarray, pd.DataFrame, int, float]:
        g = Cells(table, group, coded.models, columns)
        component = g.check_identifiable(prior)
        theta, iterations = _native.bt_fit(table, group, prior=prior)
        r = ridge if ridge is not None else default_ridge(g.total, reweight)
        low, high = _interval(
            g,
            theta,
            ci=ci,
            prior=prior,
            ridge=r,
            n_boot=n_boot,
            seed=seed,
            anchor=anchor_idx,
            anchor_rating=anchor_rating,
            voter_table=voter_table,
            progress=bar.update if bar else None,
            diagnostics=diagnostics,
        )
        ratings = to_ratings(theta, anchor_idx, anchor_rating)
        frame = ratings_frame(coded.models, ratings, low, high, g.n_battles, component)
        return g, theta, frame, iterations, r

    table = cell_table(coded, w, reweight)
    voters = voter_table(coded, w, reweight, voter) if ci == "voter" and voter else None
    group, theta, frame, iterations, r = estimate(table, 0, voters)
    if "component" in frame:
        warnings.warn(
            f"the comparison graph has {frame['component'].nunique()} disconnected pieces: "
            "ratings are comparable only within a piece (see the 'component' column)",
            stacklevel=2,
        )
    diagnostics.update(iterations=iterations, ridge=r if ci == "sandwich" else None)
    board = Leaderboard(
        table=frame,
        ci=ci,
        theta=theta,
        models=coded.models,
        matrices=group.matrices,
        diagnostics=diagnostics,
    )
    if by is not None:
        columns = [by] if isinstance(by, str) else list(by)
        board.segments, board.skipped_segments = _segments(
            coded, w, reweight, columns, voter, ci, min_segment_battles, prior, estimate, bar
        )
    if bar:
        bar.close()
    return board


Estimate = Callable[..., tuple[Cells, np.ndarray, pd.DataFrame, int, float]]


def _segments(
    coded: Battles,
    w: np.ndarray | None,
    reweight: bool,
    columns: list[str],
    voter: str | None,
    ci: str,
    min_battles: int,
    prior: float,
    estimate: Estimate,
    bar: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes, keys = group_codes(coded, columns, "by")
    if bar is not None:  # every segment runs its own bootstrap
        bar.total = bar.total * (1 + len(keys))
        bar.refresh()
    counts = np.bincount(codes, minlength=len(keys))
    table = cell_table(coded, w, reweight, codes, len(keys))
    cells = table.columns()
    skipped: list[dict[str, Any]] = []

    def one(s: int) -> pd.DataFrame | None:
        key = dict(zip(columns, keys[s], strict=True))
        if counts[s] < min_battles:
            skipped.append(
                {**key, "n_battles": int(counts[s]), "reason": f"fewer than {min_battles} battles"}
            )
            return None
        voters = None
        if ci == "voter" and voter:
            mask = codes == s
            voters = voter_table(
                coded.subset(mask), None if w is None else w[mask], reweight, voter
            )
        try:
            frame = estimate(table, s, voters, cells)[2]
        except NotIdentifiableError as e:
            skipped.append({**key, "n_battles": int(counts[s]), "reason": str(e)})
            return None
        for c in reversed(columns):
            frame.insert(0, c, key[c])
        return frame

    with ThreadPoolExecutor() as pool:
        frames = [f for f in pool.map(one, range(len(keys))) if f is not None]
    if skipped:
        warnings.warn(
            f"{len(skipped)} segment(s) skipped; see Leaderboard.skipped_segments", stacklevel=3
        )
    segments = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*columns])
    return segments, pd.DataFrame(skipped)


def _progress_bar(enabled: bool, total: int) -> Any:
    if not enabled or total == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="bootstrap", unit="round")
