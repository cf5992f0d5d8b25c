//! The n-gram contamination scanner as a frozen class with a lock inside.

use std::sync::Mutex;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;

use super::threads::detach;
use pyo3::pybacked::PyBackedStr;

use super::dedup::{shingle_opts, signature_rows};
use super::lsh::Ids;
use crate::minhash::MinHasher;
use crate::ngram_scan::{NgramIndex, ScanState};
use crate::scan_and_sign::scan_and_sign;
use crate::utf8_texts::split_utf8;

/// MinHash settings of a scanner that signs what it scans: (num_perm, ngram, case, strip_punct,
/// seed), assay's own family of word shingles.
type SignSpec = (usize, usize, String, bool, u64);

/// Benchmark n-grams and the running scan results (use assay.contamination); with `sign`, every
/// scan also returns the documents' MinHash signatures, from the same tokenisation.
#[pyclass(frozen, module = "assay._native")]
pub struct NgramScanner {
    index: NgramIndex,
    hasher: Option<MinHasher>,
    state: Mutex<ScanState>,
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
    #[pyo3(signature = (items, *, ngram, case, strip_punct, sign=None))]
    fn new(
        py: Python<'_>,
        items: Vec<PyBackedStr>,
        ngram: usize,
        case: &str,
        strip_punct: bool,
        sign: Option<SignSpec>,
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
        Ok(NgramScanner { index, hasher, state })
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

    /// Per item: n-grams, matched n-grams, longest run (n-grams), its doc, doc_start, item_start
    /// (u64::MAX / u32::MAX where there is no match).
    #[allow(clippy::type_complexity)]
    fn results<'py>(
        &self,
        py: Python<'py>,
    ) -> (Ids<'py>, Ids<'py>, Ids<'py>, Bound<'py, PyArray1<u64>>, Ids<'py>, Ids<'py>) {
        let st = self.state.lock().expect("lock");
        let matched: Vec<u32> = st.matched.iter().map(|m| m.iter().filter(|&&x| x).count() as u32).collect();
        let run = |f: fn(&crate::ngram_scan::Run) -> u32, none: u32| -> Vec<u32> {
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
