//! Wrappers for the arena kernels: counting, Bradley-Terry fits, intervals, Elo, style control.

use std::ops::Range;
use std::sync::OnceLock;

use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

use super::codes::{with_int_pair, IntColumn};
use super::threads::detach;

use crate::arena::bradley_terry::{fit_with_structure, FitOptions, PairStats, Structure};
use crate::arena::elo::{online_elo, EloOptions};
use crate::arena::pairs::{aggregate, Battles, Cells as CoreCells};
use crate::arena::resample::{bootstrap_battles, bootstrap_voters, leave_one_group_out, Replicates};
use crate::arena::sandwich::sandwich;
use crate::arena::style::{
    fit_style, style_bootstrap as bootstrap_style, style_sandwich as sandwich_style,
    StyleBattles as CoreStyleBattles, StyleOptions,
};
use crate::error::KernelError;

pub(super) fn matrix(py: Python<'_>, rows: usize, cols: usize, data: Vec<f64>) -> Bound<'_, PyArray2<f64>> {
    Array2::from_shape_vec((rows, cols), data).expect("kernel returned rows × cols values").into_pyarray(py)
}

/// Battles aggregated into cells, one per (group, unordered pair, outcome, weight).
#[pyclass(frozen, module = "assay._native")]
pub struct Cells {
    cells: CoreCells,
    #[pyo3(get)]
    n_models: usize,
    #[pyo3(get)]
    n_groups: usize,
    /// Cell range of each group.
    ranges: Vec<Range<usize>>,
    /// Pair sums and comparison-graph structure of each group, computed on first use (a fit,
    /// its identifiability check and its intervals all read them).
    groups: Vec<OnceLock<(PairStats, Structure)>>,
}

/// θ per round as a (rounds, n_models) array, and the number of degenerate rounds.
fn replicates(py: Python<'_>, rounds: usize, n_models: usize, reps: Replicates) -> ReplicatesOut<'_> {
    (matrix(py, rounds, n_models, reps.theta), reps.degenerate_rounds)
}

type ReplicatesOut<'py> = (Bound<'py, PyArray2<f64>>, usize);

fn fit_options(prior: f64, tol: f64) -> FitOptions {
    FitOptions { prior, tol, max_iter: 100 }
}

impl Cells {
    fn of(cells: CoreCells, n_models: usize, n_groups: usize) -> Self {
        let ranges = cells.group_ranges(n_groups);
        let groups = (0..n_groups).map(|_| OnceLock::new()).collect();
        Cells { cells, n_models, n_groups, ranges, groups }
    }

    fn group(&self, group: usize) -> PyResult<Range<usize>> {
        self.ranges.get(group).cloned().ok_or_else(|| {
            KernelError::value("group", format!("group {group} out of range (n_groups = {})", self.n_groups))
                .into()
        })
    }

    fn stats(&self, py: Python<'_>, group: usize) -> PyResult<&(PairStats, Structure)> {
        let range = self.group(group)?;
        Ok(detach(py, || {
            self.groups[group].get_or_init(|| {
                let stats = PairStats::from_cells(&self.cells, range);
                let structure = Structure::of(&stats, self.n_models);
                (stats, structure)
            })
        }))
    }
}

#[pymethods]
impl Cells {
    /// Aggregates integer-coded battles (outcome 0 = first wins, 1 = tie, 2 = second wins).
    /// `first` and `second` (one integer dtype) are model codes, or with `tables` dictionary
    /// codes that the tables map to model codes (negative: missing).
    #[new]
    #[pyo3(signature = (first, second, outcome, n_models, *, tables=None, weight=None, group=None, n_groups=1))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        first: IntColumn<'_>,
        second: IntColumn<'_>,
        outcome: PyReadonlyArray1<'_, u8>,
        n_models: usize,
        tables: Option<(PyReadonlyArray1<'_, u32>, PyReadonlyArray1<'_, u32>)>,
        weight: Option<PyReadonlyArray1<'_, f64>>,
        group: Option<PyReadonlyArray1<'_, u32>>,
        n_groups: usize,
    ) -> PyResult<Self> {
        let o = outcome.as_slice()?;
        let w = weight.as_ref().map(|w| w.as_slice()).transpose()?;
        let g = group.as_ref().map(|g| g.as_slice()).transpose()?;
        let t = match &tables {
            Some((ta, tb)) => Some((ta.as_slice()?, tb.as_slice()?)),
            None => None,
        };
        let cells = with_int_pair!(&first, &second, a, b => {
            let battles = Battles { first: a, second: b, tables: t, outcome: o, weight: w, group: g, n_models, n_groups };
            detach(py, || aggregate(&battles))
        })?;
        Ok(Cells::of(cells, n_models, n_groups))
    }

    /// The same cells with LMArena's inverse-frequency weights 1 / max(n_pair, floor).
    fn reweighted(&self, floor: f64) -> Self {
        let mut cells = self.cells.clone();
        cells.reweight_inverse_frequency(floor);
        Cells::of(cells, self.n_models, self.n_groups)
    }

    /// Columns `(group, i, j, score2, weight, count)` as NumPy arrays.
    #[allow(clippy::type_complexity)]
    fn columns<'py>(
        &self,
        py: Python<'py>,
    ) -> (
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u8>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<f64>>,
    ) {
        let c = &self.cells;
        (
            c.group.clone().into_pyarray(py),
            c.i.clone().into_pyarray(py),
            c.j.clone().into_pyarray(py),
            c.score2.clone().into_pyarray(py),
            c.weight.clone().into_pyarray(py),
            c.count.clone().into_pyarray(py),
        )
    }

    fn __len__(&self) -> usize {
        self.cells.len()
    }
}

type Labels<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>);

/// Weak-component and strong-component labels of one group's comparison graph
/// (`u32::MAX` for models absent from the group).
#[pyfunction]
pub fn bt_structure<'py>(py: Python<'py>, table: &Cells, group: usize) -> PyResult<Labels<'py>> {
    let (_, s) = table.stats(py, group)?;
    Ok((s.component.clone().into_pyarray(py), s.strong.clone().into_pyarray(py)))
}

/// Maximum-likelihood θ of one group (NaN for absent models) and the Newton iterations used.
#[pyfunction]
#[pyo3(signature = (table, group, *, prior=0.0, tol=1e-10, max_iter=100))]
pub fn bt_fit<'py>(
    py: Python<'py>,
    table: &Cells,
    group: usize,
    prior: f64,
    tol: f64,
    max_iter: usize,
) -> PyResult<(Bound<'py, PyArray1<f64>>, usize)> {
    let (stats, structure) = table.stats(py, group)?;
    let opts = FitOptions { prior, tol, max_iter };
    let f = detach(py, || fit_with_structure(stats, structure, None, &opts))?;
    Ok((f.theta.into_pyarray(py), f.iterations))
}

/// Sandwich covariance (n_models, n_models) of θ for one group.
#[pyfunction]
#[pyo3(signature = (table, group, theta, *, prior=0.0, ridge))]
pub fn bt_sandwich<'py>(
    py: Python<'py>,
    table: &Cells,
    group: usize,
    theta: PyReadonlyArray1<'py, f64>,
    prior: f64,
    ridge: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (stats, structure) = table.stats(py, group)?;
    let theta = theta.as_slice()?;
    let n = theta.len();
    if n != table.n_models {
        return Err(KernelError::shape("theta", format!("length {}", table.n_models), n.to_string()).into());
    }
    let cov = detach(py, || sandwich(stats, structure, theta, prior, ridge))?;
    Ok(matrix(py, n, n, cov))
}

/// Bootstrap over battles of one group: θ per round (n_boot, n_models), degenerate rounds.
#[pyfunction]
#[pyo3(signature = (table, group, theta, *, n_boot, seed, first_round=0, prior=0.0, tol=1e-10))]
#[allow(clippy::too_many_arguments)]
pub fn bt_bootstrap<'py>(
    py: Python<'py>,
    table: &Cells,
    group: usize,
    theta: PyReadonlyArray1<'py, f64>,
    n_boot: usize,
    seed: u64,
    first_round: usize,
    prior: f64,
    tol: f64,
) -> PyResult<ReplicatesOut<'py>> {
    let range = table.group(group)?;
    let theta = theta.as_slice()?;
    let opts = fit_options(prior, tol);
    let rounds = first_round..first_round + n_boot;
    let reps =
        detach(py, || bootstrap_battles(&table.cells, range, table.n_models, theta, &opts, rounds, seed))?;
    Ok(replicates(py, n_boot, table.n_models, reps))
}

/// Voter-clustered bootstrap: `table` grouped by voter code. θ per round and degenerate rounds.
#[pyfunction]
#[pyo3(signature = (table, theta, *, n_boot, seed, first_round=0, prior=0.0, tol=1e-10))]
#[allow(clippy::too_many_arguments)]
pub fn bt_bootstrap_voters<'py>(
    py: Python<'py>,
    table: &Cells,
    theta: PyReadonlyArray1<'py, f64>,
    n_boot: usize,
    seed: u64,
    first_round: usize,
    prior: f64,
    tol: f64,
) -> PyResult<ReplicatesOut<'py>> {
    let theta = theta.as_slice()?;
    let opts = fit_options(prior, tol);
    let rounds = first_round..first_round + n_boot;
    let reps = detach(py, || {
        bootstrap_voters(&table.cells, table.n_groups, table.n_models, theta, &opts, rounds, seed)
    })?;
    Ok(replicates(py, n_boot, table.n_models, reps))
}

/// Leave-one-group-out θ (n_groups, n_models) of a table grouped by voter, and degenerate fits.
#[pyfunction]
#[pyo3(signature = (table, theta, *, prior=0.0, tol=1e-10))]
pub fn bt_leave_one_group_out<'py>(
    py: Python<'py>,
    table: &Cells,
    theta: PyReadonlyArray1<'py, f64>,
    prior: f64,
    tol: f64,
) -> PyResult<ReplicatesOut<'py>> {
    let theta = theta.as_slice()?;
    let opts = fit_options(prior, tol);
    let reps =
        detach(py, || leave_one_group_out(&table.cells, table.n_groups, table.n_models, theta, &opts))?;
    Ok(replicates(py, table.n_groups, table.n_models, reps))
}

/// Online Elo over the rows in `order`.
#[pyfunction]
#[pyo3(signature = (first, second, outcome, order, n_models, *, k=4.0, scale=400.0, base=10.0, init=1000.0))]
#[allow(clippy::too_many_arguments)]
pub fn elo_online<'py>(
    py: Python<'py>,
    first: PyReadonlyArray1<'py, u32>,
    second: PyReadonlyArray1<'py, u32>,
    outcome: PyReadonlyArray1<'py, u8>,
    order: PyReadonlyArray1<'py, i64>,
    n_models: usize,
    k: f64,
    scale: f64,
    base: f64,
    init: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (a, b, o) = (first.as_slice()?, second.as_slice()?, outcome.as_slice()?);
    let order: Vec<usize> = order.as_slice()?.iter().map(|&r| r as usize).collect();
    if let Some(&bad) = order.iter().find(|&&r| r >= a.len()) {
        return Err(KernelError::value("timestamp", format!("order index {bad} out of range")).into());
    }
    let opts = EloOptions { k, scale, base, init };
    let ratings = detach(py, || online_elo(a, b, o, &order, n_models, &opts))?;
    Ok(ratings.into_pyarray(py))
}

// --- style control (contextual Bradley-Terry with per-battle covariates) -----------------------

/// Battles with per-battle style covariates, held once (the caller's arrays, not copies) for the
/// fit, the sandwich and the bootstrap of the style-controlled Bradley-Terry model.
#[pyclass(frozen, module = "assay._native")]
pub struct StyleBattles {
    first: Py<PyArray1<u32>>,
    second: Py<PyArray1<u32>>,
    score: Py<PyArray1<f64>>,
    weight: Option<Py<PyArray1<f64>>>,
    features: Py<PyArray2<f64>>,
    n_models: usize,
    opts: StyleOptions,
}

/// The arrays of a [`StyleBattles`], borrowed for one call.
struct Borrowed<'py> {
    first: PyReadonlyArray1<'py, u32>,
    second: PyReadonlyArray1<'py, u32>,
    score: PyReadonlyArray1<'py, f64>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    features: PyReadonlyArray2<'py, f64>,
}

impl Borrowed<'_> {
    fn view(&self, n_models: usize) -> PyResult<CoreStyleBattles<'_>> {
        Ok(CoreStyleBattles {
            first: self.first.as_slice()?,
            second: self.second.as_slice()?,
            score: self.score.as_slice()?,
            weight: self.weight.as_ref().map(|w| w.as_slice()).transpose()?,
            features: self.features.as_slice()?,
            n_features: self.features.shape()[1],
            n_models,
        })
    }
}

impl StyleBattles {
    fn borrow<'py>(&self, py: Python<'py>) -> Borrowed<'py> {
        Borrowed {
            first: self.first.bind(py).readonly(),
            second: self.second.bind(py).readonly(),
            score: self.score.bind(py).readonly(),
            weight: self.weight.as_ref().map(|w| w.bind(py).readonly()),
            features: self.features.bind(py).readonly(),
        }
    }
}

#[pymethods]
impl StyleBattles {
    /// `features` is (battles, F) float64, C-contiguous; priors are the Gaussian precisions of
    /// θ and β.
    #[new]
    #[pyo3(signature = (first, second, score, features, n_models, *, weight=None, prior_theta=0.0, prior_beta=0.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        first: PyReadonlyArray1<'_, u32>,
        second: PyReadonlyArray1<'_, u32>,
        score: PyReadonlyArray1<'_, f64>,
        features: PyReadonlyArray2<'_, f64>,
        n_models: usize,
        weight: Option<PyReadonlyArray1<'_, f64>>,
        prior_theta: f64,
        prior_beta: f64,
    ) -> PyResult<Self> {
        let held = Borrowed { first, second, score, weight, features };
        held.view(n_models)?; // contiguous, or an error now rather than at the fit
        Ok(StyleBattles {
            first: held.first.as_unbound().clone_ref(held.first.py()),
            second: held.second.as_unbound().clone_ref(held.second.py()),
            score: held.score.as_unbound().clone_ref(held.score.py()),
            weight: held.weight.as_ref().map(|w| w.as_unbound().clone_ref(w.py())),
            features: held.features.as_unbound().clone_ref(held.features.py()),
            n_models,
            opts: StyleOptions { prior_theta, prior_beta, tol: 1e-10, max_iter: 100 },
        })
    }

    /// Style-controlled fit: `[θ (n_models), β (n_features)]`.
    fn fit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let held = self.borrow(py);
        let data = held.view(self.n_models)?;
        let params = detach(py, || fit_style(&data, None, None, &self.opts))?;
        Ok(params.into_pyarray(py))
    }

    /// Sandwich covariance of the parameters, (K+F, K+F).
    fn sandwich<'py>(
        &self,
        py: Python<'py>,
        params: PyReadonlyArray1<'py, f64>,
        ridge: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let held = self.borrow(py);
        let data = held.view(self.n_models)?;
        let params = params.as_slice()?;
        let d = params.len();
        let cov = detach(py, || sandwich_style(&data, params, &self.opts, ridge))?;
        Ok(matrix(py, d, d, cov))
    }

    /// Bootstrap over battle rows of the fit: (n_boot, K+F).
    fn bootstrap<'py>(
        &self,
        py: Python<'py>,
        params: PyReadonlyArray1<'py, f64>,
        n_boot: usize,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let held = self.borrow(py);
        let data = held.view(self.n_models)?;
        let params = params.as_slice()?;
        let d = params.len();
        let reps = detach(py, || bootstrap_style(&data, params, &self.opts, n_boot, seed))?;
        Ok(matrix(py, n_boot, d, reps))
    }
}
