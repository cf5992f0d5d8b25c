//! The n-gram contamination scanner as a frozen class with a lock inside.

use std::sync::Mutex;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;

use super::threads::detach;
use pyo3::pybacked::PyBackedStr;

use super::dedup::Ids;
use super::dedup::{shingle_opts, signature_rows};
use crate::contamination::near_duplicates::NearDuplicates;
use crate::contamination::ngram_scan::{NgramIndex, ScanState};
use crate::contamination::scan_and_sign::scan_and_sign;
use crate::dedup::minhash::MinHasher;
use crate::error::KernelError;
use crate::text::utf8_texts::split_utf8;

/// MinHash settings of a scanner that signs what it scans: (num_perm, ngram, case, strip_punct,
/// seed), assay's own family of word shingles.
type SignSpec = (usize, usize, String, bool, u64);
/// Per item: best estimated Jaccard, first document with it.
type NearResults<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<i64>>);

/// Benchmark n-grams and the running scan results (use assay.contamination); with `sign`, every
/// scan also returns the documents' MinHash signatures, from the same tokenisation.
#[pyclass(frozen, module = "assay._native")]
pub struct NgramScanner {
    index: NgramIndex,
    hasher: Option<MinHasher>,
    state: Mutex<ScanState>,
    near: Option<Mutex<NearDuplicates>>,
}

impl NgramScanner {
    /// Scans `texts` into the results; their signatures when the scanner signs.
    fn scan_texts<S: AsRef<str> + Sync>(&self, texts: &[S], first_doc: u64) -> Option<Vec<u32>> {
        let mut st = self.state.lock().expect("lock");
        match &self.hasher {
            Some(hasher) => Some(scan_and_sign(&self.index, hasher, texts, first_doc, &mut st)),
            None => {
                self.index.scan(texts, first_doc, &mut st);
                None
            }
        }
    }

    /// Scans and signs `texts`, folds their signatures into the near duplicates, and returns
    /// the documents the results now point at (n-gram runs and near duplicates), ascending.
    fn scan_near_texts<S: AsRef<str> + Sync>(&self, texts: &[S], first_doc: u64) -> PyResult<Vec<u64>> {
        let near = self
            .near
            .as_ref()
            .ok_or_else(|| KernelError::value("near", "the scanner was built without near="))?;
        let sigs = self
            .scan_texts(texts, first_doc)
            .ok_or_else(|| KernelError::value("sign", "near duplicates need sign="))?;
        let mut near = near.lock().expect("lock");
        near.update(&sigs, first_doc);
        let st = self.state.lock().expect("lock");
        let mut docs: Vec<u64> = st.best.iter().flatten().map(|r| r.doc).collect();
        docs.extend(near.best_doc.iter().filter(|&&d| d >= 0).map(|&d| d as u64));
        docs.sort_unstable();
        docs.dedup();
        Ok(docs)
    }

    fn rows<'py>(
        &self,
        py: Python<'py>,
        flat: Option<Vec<u32>>,
        rows: usize,
    ) -> Option<Bound<'py, PyArray2<u32>>> {
        let np = self.hasher.as_ref().map_or(0, MinHasher::num_perm);
        flat.map(|flat| signature_rows(py, flat, rows, np))
    }
}

#[pymethods]
impl NgramScanner {
    #[new]
    #[pyo3(signature = (items, *, ngram, case, strip_punct, sign=None, near=None))]
    fn new(
        py: Python<'_>,
        items: Vec<PyBackedStr>,
        ngram: usize,
        case: &str,
        strip_punct: bool,
        sign: Option<SignSpec>,
        near: Option<(PyReadonlyArray2<'_, u32>, f64)>,
    ) -> PyResult<Self> {
        let opts = shingle_opts(ngram, "word", case, strip_punct)?;
        let hasher = match sign {
            Some((num_perm, n, case, strip, seed)) => {
                Some(MinHasher::own(shingle_opts(n, "word", &case, strip)?, num_perm, seed)?)
            }
            None => None,
        };
        let index = detach(py, || NgramIndex::new(&items, opts))?;
        let state = Mutex::new(index.new_state());
        let near = match near {
            Some((sigs, threshold)) => {
                let np = hasher.as_ref().map_or(0, MinHasher::num_perm);
                if sigs.shape() != [items.len(), np] {
                    return Err(KernelError::shape(
                        "near",
                        format!("({}, {np}) item signatures", items.len()),
                        format!("{:?}", sigs.shape()),
                    )
                    .into());
                }
                Some(Mutex::new(NearDuplicates::new(sigs.as_slice()?, np, threshold)?))
            }
            None => None,
        };
        Ok(NgramScanner { index, hasher, state, near })
    }

    /// Scans documents numbered `first_doc, first_doc + 1, ...` and folds them into the results;
    /// returns their (B, num_perm) uint32 signatures when the scanner signs, else None.
    fn scan<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        first_doc: u64,
    ) -> Option<Bound<'py, PyArray2<u32>>> {
        let flat = detach(py, || self.scan_texts(&texts, first_doc));
        self.rows(py, flat, texts.len())
    }

    /// [`NgramScanner::scan`] of texts held as one UTF-8 buffer and offsets (an Arrow string
    /// column): text `k` is `data[offsets[k]..offsets[k + 1]]`, borrowed once checked.
    fn scan_utf8<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
        offsets: PyReadonlyArray1<'py, i64>,
        first_doc: u64,
    ) -> PyResult<Option<Bound<'py, PyArray2<u32>>>> {
        let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
        let flat = detach(py, || {
            let texts = split_utf8(data, offsets, first_doc as usize)?;
            Ok::<_, crate::error::KernelError>(self.scan_texts(&texts, first_doc))
        })?;
        Ok(self.rows(py, flat, offsets.len().saturating_sub(1)))
    }

    /// [`NgramScanner::scan`] that also folds the batch into the near duplicates (the scanner
    /// needs `sign` and `near`), and returns the documents the results now point at.
    fn scan_near<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<PyBackedStr>,
        first_doc: u64,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        Ok(detach(py, || self.scan_near_texts(&texts, first_doc))?.into_pyarray(py))
    }

    /// [`NgramScanner::scan_near`] of texts held as one UTF-8 buffer and offsets.
    fn scan_near_utf8<'py>(
        &self,
        py: Python<'py>,
        data: PyReadonlyArray1<'py, u8>,
        offsets: PyReadonlyArray1<'py, i64>,
        first_doc: u64,
    ) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
        let docs = detach(py, || {
            let texts = split_utf8(data, offsets, first_doc as usize)?;
            self.scan_near_texts(&texts, first_doc)
        })?;
        Ok(docs.into_pyarray(py))
    }

    /// Per item: the best estimated Jaccard of a document at or above the threshold (0 if
    /// none) and the first document with it (-1 if none).
    fn near_results<'py>(&self, py: Python<'py>) -> PyResult<NearResults<'py>> {
        let near = self
            .near
            .as_ref()
            .ok_or_else(|| KernelError::value("near", "the scanner was built without near="))?;
        let near = near.lock().expect("lock");
        Ok((near.best_jaccard.clone().into_pyarray(py), near.best_doc.clone().into_pyarray(py)))
    }

    /// Per item: n-grams, matched n-grams, longest run (n-grams), its doc, doc_start, item_start
    /// (u64::MAX / u32::MAX where there is no match).
    #[allow(clippy::type_complexity)]
    fn results<'py>(
        &self,
        py: Python<'py>,
    ) -> (Ids<'py>, Ids<'py>, Ids<'py>, Bound<'py, PyArray1<u64>>, Ids<'py>, Ids<'py>) {
        let st = self.state.lock().expect("lock");
        let matched: Vec<u32> = st.matched.iter().map(|m| m.iter().filter(|&&x| x).count() as u32).collect();
        let run = |f: fn(&crate::contamination::ngram_scan::Run) -> u32, none: u32| -> Vec<u32> {
            st.best.iter().map(|b| b.as_ref().map_or(none, f)).collect()
        };
        let doc: Vec<u64> = st.best.iter().map(|b| b.map_or(u64::MAX, |r| r.doc)).collect();
        (
            self.index.item_ngrams.clone().into_pyarray(py),
            matched.into_pyarray(py),
            run(|r| r.ngrams, 0).into_pyarray(py),
            doc.into_pyarray(py),
            run(|r| r.doc_start, u32::MAX).into_pyarray(py),
            run(|r| r.item_start, u32::MAX).into_pyarray(py),
        )
    }
}
