//! Wrappers for the spectral kernels: eRank and the other metrics of batched matrices.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::threads::detach;
use crate::error::KernelError;
use crate::spectral::{spectral_metrics, Segment, SpectralFloat, SpectralOptions, N_METRICS};

/// Segments from row starts and lengths (both int64, one per matrix).
fn segments(starts: &[i64], lengths: &[i64]) -> PyResult<Vec<Segment>> {
    if starts.len() != lengths.len() {
        return Err(KernelError::shape(
            "lengths",
            format!("{} entries (one per matrix)", starts.len()),
            lengths.len().to_string(),
        )
        .into());
    }
    starts
        .iter()
        .zip(lengths)
        .enumerate()
        .map(|(b, (&s, &l))| match (usize::try_from(s), usize::try_from(l)) {
            (Ok(start), Ok(len)) => Ok(Segment { start, len }),
            _ => Err(KernelError::value("lengths", format!("entry {b} is negative")).into()),
        })
        .collect()
}

fn run<'py, T: SpectralFloat + numpy::Element>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, T>,
    starts: PyReadonlyArray1<'py, i64>,
    lengths: PyReadonlyArray1<'py, i64>,
    opts: SpectralOptions,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let segs = segments(starts.as_slice()?, lengths.as_slice()?)?;
    let d = x.shape()[1];
    let data = x.as_slice()?;
    // GIL released; in a forked child the work runs on the child's own pool.
    let out = detach(py, || spectral_metrics("x", data, d, &segs, &opts))?;
    let flat: Vec<f64> = out.iter().flat_map(|m| m.to_array()).collect();
    let table = Array2::from_shape_vec((out.len(), N_METRICS), flat).expect("B × N_METRICS values");
    Ok(table.into_pyarray(py))
}

macro_rules! spectral_fn {
    ($name:ident, $t:ty) => {
        /// Metrics (B, 8) of the matrices x[starts[b] : starts[b] + lengths[b]] of a
        /// C-contiguous (rows, d) array: entropy, erank, normalized_entropy, renyi,
        /// participation_ratio, stable_rank, numerical_rank, rankme.
        #[pyfunction]
        #[pyo3(signature = (x, starts, lengths, *, alpha=2.0, rankme=true, rankme_eps=1e-7, rank_rtol=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name<'py>(
            py: Python<'py>,
            x: PyReadonlyArray2<'py, $t>,
            starts: PyReadonlyArray1<'py, i64>,
            lengths: PyReadonlyArray1<'py, i64>,
            alpha: f64,
            rankme: bool,
            rankme_eps: f64,
            rank_rtol: Option<f64>,
        ) -> PyResult<Bound<'py, PyArray2<f64>>> {
            let opts = SpectralOptions { alpha, rankme, rankme_eps, rank_rtol };
            run(py, x, starts, lengths, opts)
        }
    };
}

spectral_fn!(spectral_metrics_f32, f32);
spectral_fn!(spectral_metrics_f64, f64);
