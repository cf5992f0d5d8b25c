//! Wrappers for style control (contextual Bradley-Terry with per-battle covariates).

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::threads::detach;

use super::arena::matrix;
use crate::style::{
    fit_style, style_bootstrap as bootstrap_style, style_sandwich as sandwich_style, StyleBattles,
    StyleOptions,
};

struct StyleInput<'a> {
    first: PyReadonlyArray1<'a, u32>,
    second: PyReadonlyArray1<'a, u32>,
    score: PyReadonlyArray1<'a, f64>,
    weight: Option<PyReadonlyArray1<'a, f64>>,
    features: PyReadonlyArray2<'a, f64>,
}

impl StyleInput<'_> {
    fn view(&self, n_models: usize) -> PyResult<StyleBattles<'_>> {
        Ok(StyleBattles {
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

fn style_options(prior_theta: f64, prior_beta: f64) -> StyleOptions {
    StyleOptions { prior_theta, prior_beta, tol: 1e-10, max_iter: 100 }
}

/// Style-controlled fit: `[θ (n_models), β (n_features)]`.
#[pyfunction]
#[pyo3(signature = (first, second, score, features, n_models, *, weight=None, prior_theta=0.0, prior_beta=0.0))]
#[allow(clippy::too_many_arguments)]
pub fn style_fit<'py>(
    py: Python<'py>,
    first: PyReadonlyArray1<'py, u32>,
    second: PyReadonlyArray1<'py, u32>,
    score: PyReadonlyArray1<'py, f64>,
    features: PyReadonlyArray2<'py, f64>,
    n_models: usize,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    prior_theta: f64,
    prior_beta: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let input = StyleInput { first, second, score, weight, features };
    let data = input.view(n_models)?;
    let opts = style_options(prior_theta, prior_beta);
    let params = detach(py, || fit_style(&data, None, None, &opts))?;
    Ok(params.into_pyarray(py))
}

/// Sandwich covariance of the style-controlled parameters, (K+F, K+F).
#[pyfunction]
#[pyo3(signature = (first, second, score, features, n_models, params, *, weight=None, prior_theta=0.0, prior_beta=0.0, ridge))]
#[allow(clippy::too_many_arguments)]
pub fn style_sandwich<'py>(
    py: Python<'py>,
    first: PyReadonlyArray1<'py, u32>,
    second: PyReadonlyArray1<'py, u32>,
    score: PyReadonlyArray1<'py, f64>,
    features: PyReadonlyArray2<'py, f64>,
    n_models: usize,
    params: PyReadonlyArray1<'py, f64>,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    prior_theta: f64,
    prior_beta: f64,
    ridge: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let input = StyleInput { first, second, score, weight, features };
    let data = input.view(n_models)?;
    let params = params.as_slice()?;
    let opts = style_options(prior_theta, prior_beta);
    let d = params.len();
    let cov = detach(py, || sandwich_style(&data, params, &opts, ridge))?;
    Ok(matrix(py, d, d, cov))
}

/// Bootstrap over battle rows of the style-controlled fit: (n_boot, K+F).
#[pyfunction]
#[pyo3(signature = (first, second, score, features, n_models, params, *, n_boot, seed, weight=None, prior_theta=0.0, prior_beta=0.0))]
#[allow(clippy::too_many_arguments)]
pub fn style_bootstrap<'py>(
    py: Python<'py>,
    first: PyReadonlyArray1<'py, u32>,
    second: PyReadonlyArray1<'py, u32>,
    score: PyReadonlyArray1<'py, f64>,
    features: PyReadonlyArray2<'py, f64>,
    n_models: usize,
    params: PyReadonlyArray1<'py, f64>,
    n_boot: usize,
    seed: u64,
    weight: Option<PyReadonlyArray1<'py, f64>>,
    prior_theta: f64,
    prior_beta: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let input = StyleInput { first, second, score, weight, features };
    let data = input.view(n_models)?;
    let params = params.as_slice()?;
    let opts = style_options(prior_theta, prior_beta);
    let d = params.len();
    let reps = detach(py, || bootstrap_style(&data, params, &opts, n_boot, seed))?;
    Ok(matrix(py, n_boot, d, reps))
}
