//! ROUGE-N, ROUGE-L and ROUGE-Lsum as `rouge_score` 0.1.2 computes them, on token ids:
//! n-gram overlap clipped by count, LCS over whole texts, and the summary-level union LCS over
//! `"\n"`-separated sentences with its token-count clipping. Precision, recall and F come out
//! in `rouge_score`'s own float operations.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::lcs::{self, Columns};
use super::rouge_tokenize::{with_pair_tokenizer, Tokens};
use crate::error::{KernelError, KernelResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RougeType {
    /// `rougeN`, n in 1..=9.
    N(usize),
    L,
    Lsum,
}

impl RougeType {
    pub fn from_name(name: &str) -> KernelResult<Self> {
        match name {
            "rougeL" => Ok(RougeType::L),
            "rougeLsum" => Ok(RougeType::Lsum),
            _ => match name.strip_prefix("rouge").and_then(|d| d.parse::<usize>().ok()) {
                Some(n @ 1..=9) if name.len() == 6 => Ok(RougeType::N(n)),
                _ => Err(KernelError::value(
                    "rouge_types",
                    format!("unknown ROUGE type {name:?}: use rouge1 … rouge9, rougeL or rougeLsum"),
                )),
            },
        }
    }
}

/// One text's tokens as dense ids of its pair (below the pair's vocabulary size): the whole
/// text's, and the sentences' (for `rougeLsum`), which a custom tokenizer may cut differently.
#[derive(Debug, Default, Clone)]
pub struct Document {
    pub tokens: Vec<u32>,
    pub sentences: Vec<Vec<u32>>,
}

impl Document {
    /// From the default tokenizer's output: sentences are the runs between `"\n"`, empty ones
    /// dropped (they add nothing to any sum `rougeLsum` takes).
    pub fn from_tokens(t: Tokens, with_sentences: bool) -> Self {
        let mut sentences: Vec<Vec<u32>> = Vec::new();
        if with_sentences {
            let mut current = None;
            for (&id, &s) in t.ids.iter().zip(&t.sentence) {
                if current != Some(s) {
                    sentences.push(Vec::new());
                    current = Some(s);
                }
                sentences.last_mut().expect("pushed").push(id);
            }
        }
        Document { tokens: t.ids, sentences }
    }
}

/// `scoring.fmeasure`.
fn fmeasure(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// Number of common elements of two multisets (Σ min of counts), by sorting and merging.
fn common<K: Ord>(mut a: Vec<K>, mut b: Vec<K>) -> usize {
    a.sort_unstable();
    b.sort_unstable();
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                count += 1;
                i += 1;
                j += 1;
            }
        }
    }
    count
}

fn packed2(tokens: &[u32]) -> Vec<u64> {
    tokens.windows(2).map(|w| (u64::from(w[0]) << 32) | u64::from(w[1])).collect()
}

fn packed(tokens: &[u32], n: usize) -> Vec<u128> {
    tokens.windows(n).map(|w| w.iter().fold(0u128, |k, &t| (k << 32) | u128::from(t))).collect()
}

/// Σ min of the two texts' counts of each token.
fn common_tokens(a: &[u32], b: &[u32], vocabulary: usize) -> usize {
    let mut left = vec![0u32; vocabulary];
    for &t in a {
        left[t as usize] += 1;
    }
    let mut count = 0;
    for &t in b {
        let c = &mut left[t as usize];
        if *c > 0 {
            *c -= 1;
            count += 1;
        }
    }
    count
}

/// `_score_ngrams` of the n-grams of both texts.
fn score_ngrams(target: &[u32], prediction: &[u32], n: usize, vocabulary: usize) -> [f64; 3] {
    let count = |t: &[u32]| (t.len() + 1).saturating_sub(n);
    let (target_count, prediction_count) = (count(target), count(prediction));
    let overlap = if target_count == 0 || prediction_count == 0 {
        0
    } else if n == 1 {
        common_tokens(target, prediction, vocabulary)
    } else if n == 2 {
        common(packed2(target), packed2(prediction))
    } else if n <= 4 {
        common(packed(target, n), packed(prediction, n))
    } else {
        common(target.windows(n).collect(), prediction.windows(n).collect())
    };
    let precision = overlap as f64 / prediction_count.max(1) as f64;
    let recall = overlap as f64 / target_count.max(1) as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// `_score_lcs`.
fn score_lcs(target: &[u32], prediction: &[u32], vocabulary: usize) -> [f64; 3] {
    if target.is_empty() || prediction.is_empty() {
        return [0.0; 3];
    }
    let length = lcs::length(target, &Columns::new(prediction, vocabulary));
    let precision = length as f64 / prediction.len() as f64;
    let recall = length as f64 / target.len() as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// `_summary_level_lcs`: for each target sentence, the union of its LCS indices with every
/// predicted sentence; each token of that union is a hit while both texts still hold an
/// unmatched copy of it.
fn score_summary_lcs(target: &[Vec<u32>], prediction: &[Vec<u32>], vocabulary: usize) -> [f64; 3] {
    let m: usize = target.iter().map(Vec::len).sum();
    let n: usize = prediction.iter().map(Vec::len).sum();
    if m == 0 || n == 0 {
        return [0.0; 3];
    }
    let mut left_target = vec![0u32; vocabulary];
    let mut left_prediction = vec![0u32; vocabulary];
    for &t in target.iter().flatten() {
        left_target[t as usize] += 1;
    }
    for &t in prediction.iter().flatten() {
        left_prediction[t as usize] += 1;
    }
    let columns: Vec<Columns<'_>> = prediction.iter().map(|s| Columns::new(s, vocabulary)).collect();
    let mut hits = 0usize;
    let mut in_union: Vec<bool> = Vec::new();
    for sentence in target {
        in_union.clear();
        in_union.resize(sentence.len(), false);
        for c in columns.iter().filter(|c| !c.is_empty() && c.shares_any(sentence)) {
            for i in lcs::indices(sentence, c) {
                in_union[i] = true;
            }
        }
        for (&t, _) in sentence.iter().zip(&in_union).filter(|(_, &u)| u) {
            let t = t as usize;
            if left_target[t] > 0 && left_prediction[t] > 0 {
                hits += 1;
                left_target[t] -= 1;
                left_prediction[t] -= 1;
            }
        }
    }
    let recall = hits as f64 / m as f64;
    let precision = hits as f64 / n as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// Every requested score of one (target, prediction) pair, in `types`' order; their ids are
/// below `vocabulary`.
pub fn score(
    target: &Document,
    prediction: &Document,
    types: &[RougeType],
    vocabulary: usize,
) -> Vec<[f64; 3]> {
    let (t, p) = (&target.tokens, &prediction.tokens);
    types
        .iter()
        .map(|kind| match *kind {
            RougeType::N(n) => score_ngrams(t, p, n, vocabulary),
            RougeType::L => score_lcs(t, p, vocabulary),
            RougeType::Lsum => score_summary_lcs(&target.sentences, &prediction.sentences, vocabulary),
        })
        .collect()
}

/// `score_multi`: per type, the target's score with the largest F (the first on ties).
pub fn score_multi(
    targets: &[Document],
    prediction: &Document,
    types: &[RougeType],
    vocabulary: usize,
) -> Vec<[f64; 3]> {
    let mut best: Vec<[f64; 3]> = Vec::new();
    for (k, target) in targets.iter().enumerate() {
        let scores = score(target, prediction, types, vocabulary);
        if k == 0 {
            best = scores;
        } else {
            for (b, s) in best.iter_mut().zip(scores) {
                if s[2] > b[2] {
                    *b = s;
                }
            }
        }
    }
    best
}

/// Scores of every prediction against its targets (several: `score_multi`), tokenized with the
/// default tokenizer: rows of `types.len() × 3` (precision, recall, F), in parallel.
pub fn score_texts(
    predictions: &[String],
    targets: &[Vec<String>],
    types: &[RougeType],
    stem: bool,
) -> KernelResult<Vec<f64>> {
    if predictions.len() != targets.len() {
        return Err(KernelError::shape(
            "references",
            format!("{} items (one per prediction)", predictions.len()),
            targets.len().to_string(),
        ));
    }
    if let Some(i) = targets.iter().position(Vec::is_empty) {
        return Err(KernelError::value("references", format!("item {i} has no reference")));
    }
    let sentences = types.contains(&RougeType::Lsum);
    let rows: Vec<Vec<[f64; 3]>> = predictions
        .par_iter()
        .zip(targets)
        .with_min_len(4)
        .map(|(prediction, targets)| {
            with_pair_tokenizer(stem, |tokenizer| {
                let p = Document::from_tokens(tokenizer.tokenize(prediction), sentences);
                let ts: Vec<Document> =
                    targets.iter().map(|t| Document::from_tokens(tokenizer.tokenize(t), sentences)).collect();
                score_multi(&ts, &p, types, tokenizer.vocabulary())
            })
        })
        .collect();
    Ok(rows.into_iter().flatten().flatten().collect())
}

/// Ids of one item's documents made dense (`0..` the number of distinct ids).
fn densify(prediction: &Document, targets: &[Document]) -> (Document, Vec<Document>, usize) {
    let mut dense: FxHashMap<u32, u32> = FxHashMap::default();
    let mut map = |ids: &[u32]| -> Vec<u32> {
        ids.iter()
            .map(|&t| {
                let next = dense.len() as u32;
                *dense.entry(t).or_insert(next)
            })
            .collect()
    };
    let mut doc = |d: &Document| Document {
        tokens: map(&d.tokens),
        sentences: d.sentences.iter().map(|s| map(s)).collect(),
    };
    let p = doc(prediction);
    let ts = targets.iter().map(doc).collect();
    (p, ts, dense.len())
}

/// As [`score_texts`] on documents a caller tokenized (any ids): `items[i]` is (prediction,
/// targets).
pub fn score_documents(items: &[(Document, Vec<Document>)], types: &[RougeType]) -> KernelResult<Vec<f64>> {
    if let Some(i) = items.iter().position(|(_, t)| t.is_empty()) {
        return Err(KernelError::value("references", format!("item {i} has no reference")));
    }
    let rows: Vec<Vec<[f64; 3]>> = items
        .par_iter()
        .map(|(p, ts)| {
            let (p, ts, vocabulary) = densify(p, ts);
            score_multi(&ts, &p, types, vocabulary)
        })
        .collect();
    Ok(rows.into_iter().flatten().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(RougeType::from_name("rouge2").unwrap(), RougeType::N(2));
        assert_eq!(RougeType::from_name("rougeLsum").unwrap(), RougeType::Lsum);
        for bad in ["rouge0", "rouge10", "rougel", "bleu", "rouge"] {
            assert!(RougeType::from_name(bad).is_err(), "{bad}");
        }
    }

    /// rouge_score's docstring example: 'The quick brown fox jumps over the lazy dog' against
    /// 'The quick brown dog jumps on the log.' gives rouge1 P = R = 6/8 and 6/9.
    #[test]
    fn docstring_example() {
        let types = [RougeType::N(1), RougeType::L];
        let out = score_texts(
            &["The quick brown dog jumps on the log.".into()],
            &[vec!["The quick brown fox jumps over the lazy dog".into()]],
            &types,
            false,
        )
        .unwrap();
        assert_eq!(out[0], 6.0 / 8.0);
        assert_eq!(out[1], 6.0 / 9.0);
    }
}
