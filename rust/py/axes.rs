//! Wrappers for the per-axis kernels: the items × models layout and the grouped reductions.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::threads::detach;
use crate::axes::gaps::binomial_gaps;
use crate::axes::layout::{layout, Rows, Units};
use crate::axes::moments::moments;
use crate::axes::paired::paired;
use crate::error::KernelError;

type Arr1<'py, T> = Bound<'py, PyArray1<T>>;
type LayoutArrays<'py> = (
    Bound<'py, PyArray2<f64>>,
    Arr1<'py, u64>,
    Arr1<'py, i64>,
    Option<Arr1<'py, u32>>,
    Option<Arr1<'py, u32>>,
    Bound<'py, PyArray2<bool>>,
);

fn slice<'a, T: numpy::Element>(a: &'a Option<PyReadonlyArray1<'_, T>>) -> PyResult<Option<&'a [T]>> {
    a.as_ref().map(|x| x.as_slice()).transpose().map_err(Into::into)
}

/// The results (uint32 codes per row, float64 scores, optional uint32 cluster and subgroup
/// codes, an optional bool mask of rows to use) as units × models: (scores (units, models),
/// unit keys `benchmark * n_items + item` (uint64), starts (benchmarks + 1, int64), cluster and
/// subgroup per unit, complete (benchmarks, models)).
#[pyfunction]
#[pyo3(signature = (model, benchmark, item, score, cluster, group, keep, n_models, n_benchmarks, n_items))]
#[allow(clippy::too_many_arguments)]
pub fn axes_layout<'py>(
    py: Python<'py>,
    model: PyReadonlyArray1<'py, u32>,
    benchmark: PyReadonlyArray1<'py, u32>,
    item: PyReadonlyArray1<'py, u32>,
    score: PyReadonlyArray1<'py, f64>,
    cluster: Option<PyReadonlyArray1<'py, u32>>,
    group: Option<PyReadonlyArray1<'py, u32>>,
    keep: Option<PyReadonlyArray1<'py, bool>>,
    n_models: usize,
    n_benchmarks: usize,
    n_items: usize,
) -> PyResult<LayoutArrays<'py>> {
    let rows = Rows {
        model: model.as_slice()?,
        benchmark: benchmark.as_slice()?,
        item: item.as_slice()?,
        score: score.as_slice()?,
        cluster: slice(&cluster)?,
        group: slice(&group)?,
        keep: slice(&keep)?,
    };
    let out = detach(py, || layout(&rows, n_models, n_benchmarks, n_items))?;
    let units = out.unit_keys.len();
    let scores = Array2::from_shape_vec((units, n_models), out.scores).expect("units × models");
    let complete =
        Array2::from_shape_vec((n_benchmarks, n_models), out.complete).expect("benchmarks × models");
    let starts: Vec<i64> = out.starts.iter().map(|&s| s as i64).collect();
    Ok((
        scores.into_pyarray(py),
        out.unit_keys.into_pyarray(py),
        starts.into_pyarray(py),
        out.unit_cluster.map(|c| c.into_pyarray(py)),
        out.unit_group.map(|g| g.into_pyarray(py)),
        complete.into_pyarray(py),
    ))
}

/// The layout's units from its arrays, checked against each other.
fn units<'a>(
    scores: &'a PyReadonlyArray2<'_, f64>,
    starts: &'a [usize],
    cluster: Option<&'a [u32]>,
) -> PyResult<Units<'a>> {
    let shape = scores.shape();
    let (n_units, n_models) = (shape[0], shape[1]);
    if starts.first() != Some(&0) || starts.last() != Some(&n_units) || starts.windows(2).any(|w| w[0] > w[1])
    {
        return Err(KernelError::value("starts", format!("must rise from 0 to the {n_units} units")).into());
    }
    if let Some(c) = cluster {
        if c.len() != n_units {
            return Err(
                KernelError::shape("unit_cluster", format!("{n_units} units"), c.len().to_string()).into()
            );
        }
    }
    Ok(Units { n_models, scores: scores.as_slice()?, starts, cluster })
}

fn usize_starts(starts: &[i64]) -> PyResult<Vec<usize>> {
    starts
        .iter()
        .map(|&s| {
            usize::try_from(s).map_err(|_| KernelError::value("starts", "holds a negative entry").into())
        })
        .collect()
}

/// Per cell `(model * n_benchmarks + benchmark) * n_groups + group`: (n, n_clusters, mean, se,
/// se_cluster), the CR1 cluster-robust error as statsmodels' clustered OLS on an intercept.
#[pyfunction]
#[pyo3(signature = (scores, starts, unit_cluster, unit_group, n_groups))]
#[allow(clippy::type_complexity)]
pub fn axes_moments<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray2<'py, f64>,
    starts: PyReadonlyArray1<'py, i64>,
    unit_cluster: Option<PyReadonlyArray1<'py, u32>>,
    unit_group: Option<PyReadonlyArray1<'py, u32>>,
    n_groups: usize,
) -> PyResult<(Arr1<'py, u64>, Arr1<'py, u64>, Arr1<'py, f64>, Arr1<'py, f64>, Arr1<'py, f64>)> {
    let starts = usize_starts(starts.as_slice()?)?;
    let view = units(&scores, &starts, slice(&unit_cluster)?)?;
    let group = slice(&unit_group)?;
    if let Some(g) = group {
        if g.len() != scores.shape()[0] {
            return Err(KernelError::shape(
                "unit_group",
                format!("{} units", scores.shape()[0]),
                g.len().to_string(),
            )
            .into());
        }
        if let Some(row) = g.iter().position(|&x| x as usize >= n_groups) {
            return Err(
                KernelError::value("unit_group", format!("unit {row} holds a code >= {n_groups}")).into()
            );
        }
    }
    let out = detach(py, || moments(view, group, n_groups));
    Ok((
        out.n.into_pyarray(py),
        out.n_clusters.into_pyarray(py),
        out.mean.into_pyarray(py),
        out.se.into_pyarray(py),
        out.se_cluster.into_pyarray(py),
    ))
}

/// Per pair `(a[p], b[p])` × benchmark (index `p * n_benchmarks + benchmark`): (n shared items,
/// items only one has, mean difference a − b, its CR1 cluster-robust standard error).
#[pyfunction]
#[pyo3(signature = (scores, starts, unit_cluster, a, b))]
#[allow(clippy::type_complexity)]
pub fn axes_paired<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray2<'py, f64>,
    starts: PyReadonlyArray1<'py, i64>,
    unit_cluster: Option<PyReadonlyArray1<'py, u32>>,
    a: PyReadonlyArray1<'py, u32>,
    b: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Arr1<'py, u64>, Arr1<'py, u64>, Arr1<'py, f64>, Arr1<'py, f64>)> {
    let starts = usize_starts(starts.as_slice()?)?;
    let view = units(&scores, &starts, slice(&unit_cluster)?)?;
    let (a, b) = (a.as_slice()?, b.as_slice()?);
    if a.len() != b.len() {
        return Err(KernelError::shape(
            "b",
            format!("{} entries (one per pair)", a.len()),
            b.len().to_string(),
        )
        .into());
    }
    for (arg, models) in [("a", a), ("b", b)] {
        if let Some(p) = models.iter().position(|&m| m as usize >= view.n_models) {
            return Err(KernelError::value(
                arg,
                format!("pair entry {p} names a model >= {}", view.n_models),
            )
            .into());
        }
    }
    let out = detach(py, || paired(view, a, b));
    Ok((
        out.n.into_pyarray(py),
        out.dropped.into_pyarray(py),
        out.mean.into_pyarray(py),
        out.se_cluster.into_pyarray(py),
    ))
}

/// Per model × benchmark: the percentile interval (`tail`, `1 − tail`) of the max − min gap
/// between subgroup means of binary scores, from the cells' counts and means (as returned by
/// `axes_moments` with subgroups); NaN with fewer than 2 subgroups.
#[pyfunction]
#[pyo3(signature = (n, mean, n_models, n_benchmarks, n_groups, n_boot, seed, tail))]
#[allow(clippy::too_many_arguments)]
pub fn axes_binomial_gaps<'py>(
    py: Python<'py>,
    n: PyReadonlyArray1<'py, u64>,
    mean: PyReadonlyArray1<'py, f64>,
    n_models: usize,
    n_benchmarks: usize,
    n_groups: usize,
    n_boot: usize,
    seed: u64,
    tail: f64,
) -> PyResult<(Arr1<'py, f64>, Arr1<'py, f64>)> {
    let (n, mean) = (n.as_slice()?, mean.as_slice()?);
    let cells = n_models * n_benchmarks * n_groups;
    for (arg, len) in [("n", n.len()), ("mean", mean.len())] {
        if len != cells {
            return Err(KernelError::shape(arg, format!("{cells} cells"), len.to_string()).into());
        }
    }
    if !(0.0..0.5).contains(&tail) {
        return Err(KernelError::value("tail", format!("must be in [0, 0.5), got {tail}")).into());
    }
    let out = detach(py, || binomial_gaps(n, mean, n_models, n_benchmarks, n_groups, n_boot, seed, tail));
    let (low, high): (Vec<f64>, Vec<f64>) = out.into_iter().unzip();
    Ok((low.into_pyarray(py), high.into_pyarray(py)))
}
