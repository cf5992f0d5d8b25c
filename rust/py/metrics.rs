//! Wrappers for the text metrics: BLEU and chrF statistics per segment.

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2};
use pyo3::prelude::*;

use super::threads::detach;
use crate::metrics::bleu::statistics;
use crate::metrics::chrf::{self, ChrfOptions};
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

/// chrF statistics (segments, 3 · (char_order + word_order)) uint64: hypothesis, reference and
/// matched n-grams per order against each segment's best reference.
#[pyfunction]
#[pyo3(signature = (hyps, refs, char_order, word_order, beta, whitespace, eps_smoothing))]
#[allow(clippy::too_many_arguments)]
pub fn chrf_statistics<'py>(
    py: Python<'py>,
    hyps: Vec<String>,
    refs: Vec<Vec<String>>,
    char_order: usize,
    word_order: usize,
    beta: u32,
    whitespace: bool,
    eps_smoothing: bool,
) -> PyResult<Bound<'py, PyArray2<u64>>> {
    let opts = ChrfOptions { char_order, word_order, beta, whitespace, eps_smoothing };
    let flat = detach(py, || chrf::statistics(&hyps, &refs, &opts))?;
    let width = 3 * (char_order + word_order);
    let table = Array2::from_shape_vec((hyps.len(), width), flat).expect("rows × width");
    Ok(table.into_pyarray(py))
}
