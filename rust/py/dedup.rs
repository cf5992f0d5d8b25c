//! Wrappers for the dedup kernels: MinHash signatures, exact Jaccard, banding, clusters and
//! the stateful LSH index.

use std::path::PathBuf;
use std::sync::RwLock;

use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadwriteArray1,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use super::threads::detach;

use crate::dedup::clusterer::{Clusterer as CoreClusterer, Verify};
use crate::dedup::device_pack::pack;
use crate::dedup::lsh::LshIndex as Core;
use crate::dedup::lsh::{band_hashes, banding_from_bands, choose_banding, clusters};
use crate::dedup::lsh_file;
use crate::dedup::minhash::{own_permutations, Family, MinHasher};
use crate::error::KernelError;
use crate::text::shingle::{jaccard_sorted, shingle_set, Case, ShingleOpts, Unit};
use crate::text::utf8_texts::split_utf8;

/// Shingling options from the Python-level strings (validated in Python; re-checked here).
pub fn shingle_opts(ngram: usize, unit: &str, case: &str, strip_punct: bool) -> PyResult<ShingleOpts> {
    if ngram == 0 {
        return Err(PyValueError::new_err("ngram must be at least 1, got 0"));
    }
    let unit = match unit {
        "word" => Unit::Word,
        "char" => Unit::Char,
        u => return Err(PyValueError::new_err(format!("unit must be 'word' or 'char', got {u:?}"))),
    };
    let case = match case {
        "keep" => Case::Keep,
        "lower" => Case::Unicode,
        "ascii" => Case::Ascii,
        c => return Err(PyValueError::new_err(format!("case must be keep/lower/ascii, got {c:?}"))),
    };
    Ok(ShingleOpts { n: ngram, unit, case, strip_punct })
}

/// (B, num_perm) uint32 MinHash signatures; `family` is "xxh3", "datasketch" or "datasketch-legacy"
/// (the last two need datasketch's permutation parameters `a`, `b`).
#[pyfunction]
#[pyo3(signature = (texts, *, num_perm, ngram, unit, case, strip_punct, seed, family, a=None, b=None))]
#[allow(clippy::too_many_arguments)]
pub fn minhash_signatures<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    num_perm: usize,
    ngram: usize,
    unit: &str,
    case: &str,
    strip_punct: bool,
    seed: u64,
    family: &str,
    a: Option<PyReadonlyArray1<'py, u64>>,
    b: Option<PyReadonlyArray1<'py, u64>>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let hasher = min_hasher(num_perm, shingle_opts(ngram, unit, case, strip_punct)?, seed, family, a, b)?;
    let out = detach(py, || hasher.batch(&texts));
    Ok(signature_rows(py, out, texts.len(), hasher.num_perm()))
}

/// As [`minhash_signatures`], of texts held as one UTF-8 buffer (Arrow's string layout): text `k`
/// is `data[offsets[k]..offsets[k + 1]]`, borrowed without a copy once checked; errors name it
/// `texts[first + k]`.
#[pyfunction]
#[pyo3(signature = (data, offsets, *, num_perm, ngram, unit, case, strip_punct, seed, family, a=None, b=None, first=0))]
#[allow(clippy::too_many_arguments)]
pub fn minhash_signatures_utf8<'py>(
    py: Python<'py>,
    data: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, i64>,
    num_perm: usize,
    ngram: usize,
    unit: &str,
    case: &str,
    strip_punct: bool,
    seed: u64,
    family: &str,
    a: Option<PyReadonlyArray1<'py, u64>>,
    b: Option<PyReadonlyArray1<'py, u64>>,
    first: usize,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let hasher = min_hasher(num_perm, shingle_opts(ngram, unit, case, strip_punct)?, seed, family, a, b)?;
    let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
    let out = detach(py, || split_utf8(data, offsets, first).map(|texts| hasher.batch(&texts)))?;
    Ok(signature_rows(py, out, offsets.len() - 1, hasher.num_perm()))
}

/// The index of the first text of `data` and `offsets` (Arrow's string layout) that is not valid
/// UTF-8, None when all are (SIMD validation, on all threads).
#[pyfunction]
pub fn first_invalid_utf8(
    py: Python<'_>,
    data: PyReadonlyArray1<'_, u8>,
    offsets: PyReadonlyArray1<'_, i64>,
) -> PyResult<Option<usize>> {
    let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
    Ok(detach(py, || crate::text::utf8_texts::first_invalid_utf8(data, offsets))?)
}

fn min_hasher(
    num_perm: usize,
    opts: ShingleOpts,
    seed: u64,
    family: &str,
    a: Option<PyReadonlyArray1<'_, u64>>,
    b: Option<PyReadonlyArray1<'_, u64>>,
) -> PyResult<MinHasher> {
    Ok(match (family, &a, &b) {
        ("xxh3", _, _) => MinHasher::own(opts, num_perm, seed)?,
        ("datasketch" | "datasketch-legacy", Some(a), Some(b)) => {
            let fam = if family == "datasketch" { Family::Datasketch } else { Family::DatasketchLegacy };
            MinHasher::datasketch(opts, fam, a.as_slice()?, b.as_slice()?)?
        }
        _ => return Err(PyValueError::new_err(format!("family {family:?} needs permutations a, b"))),
    })
}

pub(super) fn signature_rows(
    py: Python<'_>,
    flat: Vec<u32>,
    rows: usize,
    num_perm: usize,
) -> Bound<'_, PyArray2<u32>> {
    Array2::from_shape_vec((rows, num_perm), flat)
        .expect("batch returns rows × num_perm values")
        .into_pyarray(py)
}

type U32Pair<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>);

/// The own family's permutation parameters `(a, b)` for `num_perm` and `seed`: the ones the CPU
/// kernels use, for the GPU path.
#[pyfunction]
pub fn own_minhash_permutations(py: Python<'_>, num_perm: usize, seed: u64) -> U32Pair<'_> {
    let (a, b) = own_permutations(num_perm, seed);
    (a.into_pyarray(py), b.into_pyarray(py))
}

type PackedArrays<'py> = (usize, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<bool>>);

/// Packs texts from the front of `texts` as UTF-8 into `buffer` (pinned host memory on the GPU
/// path) until the next one does not fit: (texts taken, their byte offsets, which of them were
/// left empty for the CPU kernels). `case` as [`shingle_opts`].
#[pyfunction]
#[pyo3(signature = (texts, buffer, *, case))]
pub fn pack_utf8<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    mut buffer: PyReadwriteArray1<'py, u8>,
    case: &str,
) -> PyResult<PackedArrays<'py>> {
    let case = shingle_opts(1, "word", case, false)?.case;
    let buf = buffer.as_slice_mut()?;
    let packed = detach(py, || pack(&texts, case, buf));
    Ok((packed.count, packed.offsets.into_pyarray(py), packed.on_cpu.into_pyarray(py)))
}

/// As [`pack_utf8`], of texts held as one UTF-8 buffer and offsets (Arrow's string layout); errors
/// name text `k` `texts[first + k]`.
#[pyfunction]
#[pyo3(signature = (data, offsets, buffer, *, case, first=0))]
pub fn pack_utf8_buffer<'py>(
    py: Python<'py>,
    data: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, i64>,
    mut buffer: PyReadwriteArray1<'py, u8>,
    case: &str,
    first: usize,
) -> PyResult<PackedArrays<'py>> {
    let case = shingle_opts(1, "word", case, false)?.case;
    let (data, offsets, buf) = (data.as_slice()?, offsets.as_slice()?, buffer.as_slice_mut()?);
    let packed = detach(py, || split_utf8(data, offsets, first).map(|texts| pack(&texts, case, buf)))?;
    Ok((packed.count, packed.offsets.into_pyarray(py), packed.on_cpu.into_pyarray(py)))
}

/// Exact Jaccard of shingle sets (64-bit shingle hashes) for pairs `(i[k], j[k])` of `texts`.
#[pyfunction]
#[pyo3(signature = (texts, i, j, *, ngram, unit, case, strip_punct))]
#[allow(clippy::too_many_arguments)]
pub fn exact_jaccard<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
    ngram: usize,
    unit: &str,
    case: &str,
    strip_punct: bool,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    use rayon::prelude::*;
    let opts = shingle_opts(ngram, unit, case, strip_punct)?;
    let (i, j) = (i.as_slice()?, j.as_slice()?);
    if i.len() != j.len() || i.iter().chain(j).any(|&x| x as usize >= texts.len()) {
        return Err(PyValueError::new_err("i and j must be equal-length indices into texts"));
    }
    let out = detach(py, || {
        let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| shingle_set(t, &opts)).collect();
        i.iter()
            .zip(j)
            .map(|(&a, &b)| jaccard_sorted(&sets[a as usize], &sets[b as usize]))
            .collect::<Vec<f64>>()
    });
    Ok(out.into_pyarray(py))
}

/// (bands, rows): with `bands` given, the rows that split `num_perm` into them (an error when
/// they do not divide it); otherwise the largest rows with candidate probability ≥ `recall` at
/// `threshold`.
#[pyfunction]
#[pyo3(signature = (threshold, num_perm, bands=None, recall=0.98))]
pub fn lsh_banding(
    threshold: f64,
    num_perm: usize,
    bands: Option<usize>,
    recall: f64,
) -> PyResult<(usize, usize)> {
    Ok(match bands {
        Some(b) => banding_from_bands(num_perm, b)?,
        None => choose_banding(threshold, num_perm, recall)?,
    })
}

/// (N, bands) uint64: the hash of each band of each signature, as the index buckets them
/// (for engines that group bands themselves: the Ray path).
#[pyfunction]
pub fn lsh_band_hashes<'py>(
    py: Python<'py>,
    signatures: PyReadonlyArray2<'py, u32>,
    bands: usize,
    rows: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let shape = signatures.shape();
    let (n, num_perm) = (shape[0], shape[1]);
    if bands == 0 || rows == 0 || bands * rows > num_perm {
        return Err(KernelError::value(
            "bands",
            format!("{bands} bands × {rows} rows do not fit {num_perm} columns"),
        )
        .into());
    }
    let sigs = signatures.as_slice()?;
    let out = detach(py, || band_hashes(sigs, num_perm, bands, rows));
    Ok(Array2::from_shape_vec((n, bands), out).expect("N × bands hashes").into_pyarray(py))
}

type Labels<'py> = (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<bool>>);

/// Cluster label and keep mask (first in input order) from the edge list `(i, j)`.
#[pyfunction]
pub fn union_find<'py>(
    py: Python<'py>,
    n: usize,
    i: PyReadonlyArray1<'py, u32>,
    j: PyReadonlyArray1<'py, u32>,
) -> PyResult<Labels<'py>> {
    let (i, j) = (i.as_slice()?, j.as_slice()?);
    if i.len() != j.len() || i.iter().chain(j).any(|&x| x as usize >= n) {
        return Err(PyValueError::new_err("edges must be equal-length indices below n"));
    }
    let edges: Vec<(u32, u32)> = i.iter().copied().zip(j.iter().copied()).collect();
    let (labels, keep) = detach(py, || clusters(n, &edges));
    Ok((labels.into_pyarray(py), keep.into_pyarray(py)))
}

// --- the stateful LSH index, a frozen class with a lock inside ---------------------------------

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

// --- clusters, one call per batch ----------------------------------------------------------

/// Near-duplicate clusters built batch by batch (use assay.dedup.clusters): each `add` signs
/// and indexes a batch in one call; `finish` verifies the candidate pairs and joins them.
#[pyclass(frozen, module = "assay._native")]
pub struct Clusterer {
    inner: RwLock<CoreClusterer>,
}

impl Clusterer {
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, CoreClusterer> {
        self.inner.write().expect("lock")
    }
}

#[pymethods]
impl Clusterer {
    #[new]
    #[pyo3(signature = (*, num_perm, ngram, unit, case, strip_punct, seed, bands, rows, threshold))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        num_perm: usize,
        ngram: usize,
        unit: &str,
        case: &str,
        strip_punct: bool,
        seed: u64,
        bands: usize,
        rows: usize,
        threshold: f64,
    ) -> PyResult<Self> {
        let hasher = MinHasher::own(shingle_opts(ngram, unit, case, strip_punct)?, num_perm, seed)?;
        Ok(Clusterer { inner: RwLock::new(CoreClusterer::new(hasher, bands, rows, threshold)?) })
    }

    fn __len__(&self) -> usize {
        self.inner.read().expect("lock").len()
    }

    /// Signs and indexes the next documents.
    fn add(&self, py: Python<'_>, texts: Vec<PyBackedStr>) -> PyResult<()> {
        Ok(detach(py, || self.write().add_texts(&texts))?)
    }

    /// [`Clusterer::add`] of texts held as one UTF-8 buffer and offsets (Arrow's layout); errors
    /// name the text `texts[first + k]`.
    fn add_utf8(
        &self,
        py: Python<'_>,
        data: PyReadonlyArray1<'_, u8>,
        offsets: PyReadonlyArray1<'_, i64>,
        first: usize,
    ) -> PyResult<()> {
        let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
        Ok(detach(py, || split_utf8(data, offsets, first).and_then(|t| self.write().add_texts(&t)))?)
    }

    /// Indexes the next documents' (N, num_perm) uint32 signatures, computed elsewhere.
    fn add_signatures(&self, py: Python<'_>, signatures: PyReadonlyArray2<'_, u32>) -> PyResult<()> {
        let sigs = signatures.as_slice()?;
        Ok(detach(py, || self.write().add_signatures(sigs))?)
    }

    /// The documents in candidate pairs, ascending (uint32): those exact verification needs.
    fn needed<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        let docs = detach(py, || self.inner.read().expect("lock").needed());
        docs.into_pyarray(py)
    }

    /// Shingle sets of documents `positions[k]` (uint32) from `texts[k]`.
    fn add_shingles(
        &self,
        py: Python<'_>,
        positions: PyReadonlyArray1<'_, u32>,
        texts: Vec<PyBackedStr>,
    ) -> PyResult<()> {
        let positions = positions.as_slice()?;
        Ok(detach(py, || self.write().add_shingles(positions, &texts))?)
    }

    /// (cluster label per document, keep mask) with candidate pairs verified by `verify`:
    /// "exact", "estimate" or "none".
    fn finish<'py>(&self, py: Python<'py>, verify: &str) -> PyResult<Labels<'py>> {
        let verify = match verify {
            "exact" => Verify::Exact,
            "estimate" => Verify::Estimate,
            "none" => Verify::None,
            v => {
                return Err(KernelError::value(
                    "verify",
                    format!("use 'exact', 'estimate' or 'none', got {v:?}"),
                )
                .into())
            }
        };
        let (labels, keep) = detach(py, || self.inner.read().expect("lock").finish(verify))?;
        Ok((labels.into_pyarray(py), keep.into_pyarray(py)))
    }
}
