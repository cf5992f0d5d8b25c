//! The n-gram contamination scanner as a frozen class with a lock inside.

use std::sync::Mutex;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use super::threads::detach;
use pyo3::pybacked::PyBackedStr;

use super::lsh::Ids;
use crate::ngram_scan::{NgramIndex, ScanState};
use crate::utf8_texts::split_utf8;

/// Benchmark n-grams and the running scan results (use assay.contamination).
#[pyclass(frozen, module = "assay._native")]
pub struct NgramScanner {
    index: NgramIndex,
    state: Mutex<ScanState>,
}

#[pymethods]
impl NgramScanner {
    #[new]
    #[pyo3(signature = (items, *, ngram, case, strip_punct))]
    fn new(
        py: Python<'_>,
        items: Vec<PyBackedStr>,
        ngram: usize,
        case: &str,
        strip_punct: bool,
    ) -> PyResult<Self> {
        let opts = super::dedup::shingle_opts(ngram, "word", case, strip_punct)?;
        let index = detach(py, || NgramIndex::new(&items, opts))?;
        let state = Mutex::new(index.new_state());
        Ok(NgramScanner { index, state })
    }

    /// Scans documents numbered `first_doc, first_doc + 1, ...` and folds them into the results.
    fn scan(&self, py: Python<'_>, texts: Vec<PyBackedStr>, first_doc: u64) {
        detach(py, || {
            let mut st = self.state.lock().expect("lock");
            self.index.scan(&texts, first_doc, &mut st)
        })
    }

    /// [`NgramScanner::scan`] of texts held as one UTF-8 buffer and offsets (an Arrow string
    /// column): text `k` is `data[offsets[k]..offsets[k + 1]]`, borrowed once checked.
    fn scan_utf8(
        &self,
        py: Python<'_>,
        data: PyReadonlyArray1<'_, u8>,
        offsets: PyReadonlyArray1<'_, i64>,
        first_doc: u64,
    ) -> PyResult<()> {
        let (data, offsets) = (data.as_slice()?, offsets.as_slice()?);
        detach(py, || {
            let texts = split_utf8(data, offsets, first_doc as usize)?;
            let mut st = self.state.lock().expect("lock");
            self.index.scan(&texts, first_doc, &mut st);
            Ok(())
        })
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
