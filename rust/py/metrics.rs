//! Wrappers for the text metrics: BLEU statistics per segment.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;

use super::threads::detach;
use crate::metrics::bleu::statistics;
use crate::metrics::sacrebleu_tokenize::Tokenizer;

/// BLEU statistics (segments, 2 + 2·max_order) uint64: hyp_len, ref_len, matched and total
/// n-grams per order. `refs[i]` holds segment i's references; texts are lower-cased and
/// right-stripped by the caller.
#[pyfunction]
#[pyo3(signature = (hyps, refs, tokenize, max_order))]
pub fn bleu_statistics<'py>(
    py: Python<'py>,
    hyps: Vec<String>,
    refs: Vec<Vec<String>>,
    tokenize: &str,
    max_order: usize,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let tokenizer = Tokenizer::from_name(tokenize)?;
    let flat = detach(py, || statistics(&hyps, &refs, tokenizer, max_order))?;
    let table = Array2::from_shape_vec((hyps.len(), 2 + 2 * max_order), flat).expect("rows × width");
    Ok(table.into_pyarray(py))
}
