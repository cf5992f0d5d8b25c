//! Wrappers for the harness kernels: lm-evaluation-harness's bootstrap standard error.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;

use super::threads::detach;
use crate::stats::lm_eval_bootstrap::{replicates, resample_indices, sample_stddev, Items, Statistic};
use crate::stats::python_sum::Summation;

fn summation(compensated: bool) -> Summation {
    if compensated {
        Summation::Compensated
    } else {
        Summation::Plain
    }
}

/// Runs the bootstrap (`labels` = gold, pred, classes for f1 and mcc; `values` otherwise)
/// with the GIL released: the standard error and the replicates it came from.
fn run(
    py: Python<'_>,
    statistic: &str,
    values: Option<&[f64]>,
    labels: Option<(&[u32], &[u32], usize)>,
    iters: usize,
    compensated: bool,
) -> PyResult<(f64, Vec<f64>)> {
    let stat = Statistic::from_name(statistic)?;
    let items = match (values, labels) {
        (Some(v), _) => Items::Values(v),
        (None, Some((gold, pred, classes))) => Items::Labels { gold, pred, classes },
        (None, None) => Items::Values(&[]),
    };
    let mode = summation(compensated);
    let out = detach(py, || {
        let reps = replicates(stat, items, iters, mode)?;
        let se = sample_stddev(&reps, mode)?;
        Ok::<_, crate::error::KernelError>((se, reps))
    })?;
    Ok(out)
}

/// lm-eval's bootstrap standard error of `statistic` (mean, median, nanmean, perplexity) over
/// float64 `values`; `compensated` reproduces CPython ≥ 3.12's `sum()`.
#[pyfunction]
#[pyo3(signature = (statistic, values, iters, compensated))]
pub fn lm_eval_bootstrap_values(
    py: Python<'_>,
    statistic: &str,
    values: PyReadonlyArray1<'_, f64>,
    iters: usize,
    compensated: bool,
) -> PyResult<f64> {
    Ok(run(py, statistic, Some(values.as_slice()?), None, iters, compensated)?.0)
}

/// lm-eval's bootstrap standard error of f1 or mcc over (gold, pred) label codes
/// (uint32, each below `classes`).
#[pyfunction]
#[pyo3(signature = (statistic, gold, pred, classes, iters, compensated))]
pub fn lm_eval_bootstrap_labels(
    py: Python<'_>,
    statistic: &str,
    gold: PyReadonlyArray1<'_, u32>,
    pred: PyReadonlyArray1<'_, u32>,
    classes: usize,
    iters: usize,
    compensated: bool,
) -> PyResult<f64> {
    let labels = (gold.as_slice()?, pred.as_slice()?, classes);
    Ok(run(py, statistic, None, Some(labels), iters, compensated)?.0)
}

/// The resample statistics of `lm_eval_bootstrap_values`, in lm-eval's order (for checks).
#[pyfunction]
#[pyo3(signature = (statistic, values, iters, compensated))]
pub fn lm_eval_bootstrap_replicates<'py>(
    py: Python<'py>,
    statistic: &str,
    values: PyReadonlyArray1<'py, f64>,
    iters: usize,
    compensated: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (_, reps) = run(py, statistic, Some(values.as_slice()?), None, iters, compensated)?;
    Ok(reps.into_pyarray(py))
}

/// The item indices of every resample lm-eval's bootstrap draws from `n` items with `iters`:
/// shape (resamples, n), uint32.
#[pyfunction]
#[pyo3(signature = (n, iters))]
pub fn lm_eval_resample_indices(
    py: Python<'_>,
    n: usize,
    iters: usize,
) -> PyResult<Bound<'_, PyArray2<u32>>> {
    let flat = detach(py, || resample_indices(n, iters))?;
    let rows = flat.len() / n;
    Ok(Array2::from_shape_vec((rows, n), flat).expect("rows × n").into_pyarray(py))
}
