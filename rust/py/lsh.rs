//! The stateful LSH index as a frozen class with a lock inside.

use std::path::PathBuf;
use std::sync::RwLock;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::threads::detach;

use crate::lsh::LshIndex as Core;
use crate::lsh_file;

pub type Ids<'py> = Bound<'py, PyArray1<u32>>;

/// Banded MinHash LSH index (use assay.dedup.LSHIndex).
#[pyclass(frozen, module = "assay._native")]
pub struct LshIndex {
    inner: RwLock<Core>,
}

fn rows<'a>(sigs: &'a PyReadonlyArray2<'_, u32>, np: usize) -> PyResult<(&'a [u32], usize)> {
    let shape = sigs.shape();
    if shape[1] != np {
        return Err(crate::error::KernelError::shape(
            "signatures",
            format!("{np} columns (num_perm)"),
            format!("shape {shape:?}"),
        )
        .into());
    }
    Ok((sigs.as_slice()?, shape[0]))
}

#[pymethods]
impl LshIndex {
    #[new]
    fn new(num_perm: usize, bands: usize, rows: usize, threshold: f64) -> PyResult<Self> {
        let inner = RwLock::new(Core::new(num_perm, bands, rows, threshold)?);
        Ok(LshIndex { inner })
    }

    #[getter]
    fn params(&self) -> (usize, usize, usize, f64) {
        let g = self.inner.read().expect("lock");
        (g.num_perm, g.bands, g.rows, g.threshold)
    }

    fn __len__(&self) -> usize {
        self.inner.read().expect("lock").len()
    }

    fn keys(&self) -> Vec<String> {
        self.inner.read().expect("lock").keys.iter().map(str::to_owned).collect()
    }

    /// Heap bytes held by the index.
    #[getter]
    fn nbytes(&self) -> usize {
        self.inner.read().expect("lock").nbytes()
    }

    fn insert(&self, py: Python<'_>, keys: Vec<String>, sigs: PyReadonlyArray2<'_, u32>) -> PyResult<()> {
        let np = self.inner.read().expect("lock").num_perm;
        let (s, _) = rows(&sigs, np)?;
        detach(py, || self.inner.write().expect("lock").insert(&keys, s))?;
        Ok(())
    }

    /// Candidates per row as (offsets, ids): row r's ids are ids[offsets[r]:offsets[r+1]].
    fn query<'py>(
        &self,
        py: Python<'py>,
        sigs: PyReadonlyArray2<'py, u32>,
        verify: bool,
    ) -> PyResult<(Ids<'py>, Ids<'py>)> {
        let np = self.inner.read().expect("lock").num_perm;
        let (s, n) = rows(&sigs, np)?;
        let lists = detach(py, || self.inner.read().expect("lock").query(s, n, verify))?;
        let mut offsets = vec![0u32];
        for l in &lists {
            offsets.push(offsets.last().copied().unwrap_or(0) + l.len() as u32);
        }
        let ids: Vec<u32> = lists.into_iter().flatten().collect();
        Ok((offsets.into_pyarray(py), ids.into_pyarray(py)))
    }

    fn pairs<'py>(&self, py: Python<'py>, verify: bool) -> (Ids<'py>, Ids<'py>) {
        let p = detach(py, || self.inner.read().expect("lock").pairs(verify));
        let (i, j): (Vec<u32>, Vec<u32>) = p.into_iter().unzip();
        (i.into_pyarray(py), j.into_pyarray(py))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        detach(py, || lsh_file::save(&self.inner.read().expect("lock"), &path))?;
        Ok(())
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let core = detach(py, || lsh_file::load(&path))?;
        Ok(LshIndex { inner: RwLock::new(core) })
    }
}
