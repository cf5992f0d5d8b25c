//! Wrappers for the text metrics: BLEU and chrF statistics per segment, ROUGE scores.

use numpy::ndarray::{Array2, Array3};
use numpy::{IntoPyArray, PyArray2, PyArray3};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;

use super::threads::detach;
use crate::metrics::bleu::statistics;
use crate::metrics::chrf::{self, ChrfOptions};
use crate::metrics::rouge::{self, Document, RougeType};
use crate::metrics::sacrebleu_tokenize::Tokenizer;
use crate::metrics::squad::{self, Overlap};
use crate::metrics::{pass_at_k, porter, ter};

/// BLEU statistics (segments, 2 + 2·max_order) uint64: hyp_len, ref_len, matched and total
/// n-grams per order. `refs[i]` holds segment i's references; texts are lower-cased and
/// right-stripped by the caller.
#[pyfunction]
#[pyo3(signature = (hyps, refs, tokenize, max_order))]
pub fn bleu_statistics<'py>(
    py: Python<'py>,
    hyps: Vec<PyBackedStr>,
    refs: Vec<Vec<PyBackedStr>>,
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
    hyps: Vec<PyBackedStr>,
    refs: Vec<Vec<PyBackedStr>>,
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

fn rouge_types(types: &[String]) -> PyResult<Vec<RougeType>> {
    Ok(types.iter().map(|t| RougeType::from_name(t)).collect::<Result<_, _>>()?)
}

fn scores_table(py: Python<'_>, items: usize, types: usize, flat: Vec<f64>) -> Bound<'_, PyArray3<f64>> {
    Array3::from_shape_vec((items, types, 3), flat).expect("items × types × 3").into_pyarray(py)
}

/// ROUGE scores (items, types, 3) float64 — precision, recall, F — of each prediction against
/// its references (the best F per type over several, as `score_multi`), with `rouge_score`'s
/// default tokenizer.
#[pyfunction]
#[pyo3(signature = (predictions, references, types, use_stemmer))]
pub fn rouge_scores<'py>(
    py: Python<'py>,
    predictions: Vec<PyBackedStr>,
    references: Vec<Vec<PyBackedStr>>,
    types: Vec<String>,
    use_stemmer: bool,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let kinds = rouge_types(&types)?;
    let flat = detach(py, || rouge::score_texts(&predictions, &references, &kinds, use_stemmer))?;
    Ok(scores_table(py, predictions.len(), kinds.len(), flat))
}

/// A document tokenized by the caller: whole-text token ids and per-sentence token ids.
type TokenizedDocument = (Vec<u32>, Vec<Vec<u32>>);

/// As `rouge_scores`, on token ids of a caller's tokenizer: `items[i]` = (prediction, targets).
#[pyfunction]
#[pyo3(signature = (items, types))]
pub fn rouge_scores_tokenized<'py>(
    py: Python<'py>,
    items: Vec<(TokenizedDocument, Vec<TokenizedDocument>)>,
    types: Vec<String>,
) -> PyResult<Bound<'py, PyArray3<f64>>> {
    let kinds = rouge_types(&types)?;
    let n = items.len();
    let flat = detach(py, || {
        let doc = |(tokens, sentences): TokenizedDocument| Document::from_sentences(tokens, &sentences);
        let docs: Vec<(Document, Vec<Document>)> =
            items.into_iter().map(|(p, ts)| (doc(p), ts.into_iter().map(doc).collect())).collect();
        rouge::score_documents(&docs, &kinds)
    })?;
    Ok(scores_table(py, n, kinds.len(), flat))
}

/// NLTK's Porter stems (NLTK_EXTENSIONS mode) of words the ROUGE tokenizer makes: lowercase
/// ASCII `[a-z0-9]+`. Others raise, naming the index.
#[pyfunction]
pub fn porter_stems(words: Vec<String>) -> PyResult<Vec<String>> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if w.is_empty() || !w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "words[{i}] = {w:?} is not a lowercase ASCII [a-z0-9]+ token"
                )));
            }
            Ok(String::from_utf8(porter::stem(w.as_bytes())).expect("ASCII in, ASCII out"))
        })
        .collect()
}

/// Best exact match and token F1 (fractions) of each prediction over its gold answers, as
/// SQuAD's scripts: `overlap` "v1.1", "v2.0" or "set" (HELM / lighteval). Non-ASCII strings
/// come normalized by the caller.
#[pyfunction]
#[pyo3(signature = (predictions, golds, overlap))]
pub fn squad_scores<'py>(
    py: Python<'py>,
    predictions: Vec<PyBackedStr>,
    golds: Vec<Vec<PyBackedStr>>,
    overlap: &str,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let overlap = match overlap {
        "v1.1" => Overlap::Multiset,
        "v2.0" => Overlap::MultisetV2,
        "set" => Overlap::Set,
        other => {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "overlap must be 'v1.1', 'v2.0' or 'set', got {other:?}"
            )))
        }
    };
    let rows = detach(py, || squad::scores(&predictions, &golds, overlap));
    let flat: Vec<f64> = rows.into_iter().flat_map(|(e, f)| [e, f]).collect();
    Ok(Array2::from_shape_vec((predictions.len(), 2), flat).expect("rows × 2").into_pyarray(py))
}

/// pass@k per problem (n samples, c correct), the Codex paper's estimator; checked by the caller.
#[pyfunction]
pub fn pass_at_k_estimates(py: Python<'_>, n: Vec<u64>, c: Vec<u64>, k: u64) -> Vec<f64> {
    detach(py, || pass_at_k::estimates(&n, &c, k))
}

/// TER statistics per segment (sacrebleu's): the fewest edits over the segment's references and
/// the mean reference length. Words are ids ranked in string order, as the caller made them.
#[pyfunction]
pub fn ter_statistics(
    py: Python<'_>,
    hyps: Vec<Vec<u32>>,
    refs: Vec<Vec<Vec<u32>>>,
) -> PyResult<(Vec<u64>, Vec<f64>)> {
    if hyps.len() != refs.len() {
        return Err(pyo3::exceptions::PyValueError::new_err("hyps and refs differ in length"));
    }
    let rows = detach(py, || ter::statistics(&hyps, &refs))?;
    Ok(rows.into_iter().unzip())
}
