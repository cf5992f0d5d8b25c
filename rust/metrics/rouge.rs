//! ROUGE-N, ROUGE-L and ROUGE-Lsum as `rouge_score` 0.1.2 computes them, on token ids:
//! n-gram overlap clipped by count, LCS over whole texts, and the summary-level union LCS over
//! `"\n"`-separated sentences with its token-count clipping. Precision, recall and F come out
//! in `rouge_score`'s own float operations.

use std::cell::RefCell;

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

/// One text's tokens as dense ids of its pair (below the pair's vocabulary size), and its
/// sentences (for `rougeLsum`) as ends of runs of `sentence_tokens`: the same tokens with the
/// default tokenizer, tokens of each sentence on its own with a custom one.
#[derive(Debug, Default, Clone)]
pub struct Document {
    pub tokens: Vec<u32>,
    /// `None`: the sentences are runs of `tokens`.
    pub sentence_tokens: Option<Vec<u32>>,
    pub sentence_ends: Vec<u32>,
}

impl Document {
    pub fn from_tokens(t: Tokens) -> Self {
        Document { tokens: t.ids, sentence_tokens: None, sentence_ends: t.sentence_ends }
    }

    /// From a caller's whole-text tokens and per-sentence tokens.
    pub fn from_sentences(tokens: Vec<u32>, sentences: &[Vec<u32>]) -> Self {
        let mut ends = Vec::with_capacity(sentences.len());
        let mut flat = Vec::new();
        for s in sentences {
            flat.extend_from_slice(s);
            ends.push(flat.len() as u32);
        }
        Document { tokens, sentence_tokens: Some(flat), sentence_ends: ends }
    }

    fn all_sentence_tokens(&self) -> &[u32] {
        self.sentence_tokens.as_deref().unwrap_or(&self.tokens)
    }

    /// (start, end) of each sentence in `all_sentence_tokens()`.
    fn sentence_bounds(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut start = 0usize;
        self.sentence_ends.iter().map(move |&e| {
            let b = (start, e as usize);
            start = e as usize;
            b
        })
    }
}

/// Buffers reused across pairs on one thread: count arrays and LCS slots (all zero / absent
/// between uses), masks, rows and keys.
#[derive(Default)]
pub struct Scratch {
    left_a: Vec<u32>,
    left_b: Vec<u32>,
    slot: Vec<u32>,
    masks: Vec<u64>,
    rows: Vec<u64>,
    in_union: Vec<bool>,
    keys_a: Vec<u64>,
    keys_b: Vec<u64>,
    scores: Vec<[f64; 3]>,
}

impl Scratch {
    fn fit(&mut self, vocabulary: usize) {
        if self.slot.len() < vocabulary {
            self.slot.resize(vocabulary, lcs::ABSENT);
            self.left_a.resize(vocabulary, 0);
            self.left_b.resize(vocabulary, 0);
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
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
fn common<K: Ord>(a: &mut [K], b: &mut [K]) -> usize {
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

fn packed2(tokens: &[u32], out: &mut Vec<u64>) {
    out.clear();
    out.extend(tokens.windows(2).map(|w| (u64::from(w[0]) << 32) | u64::from(w[1])));
}

fn packed(tokens: &[u32], n: usize) -> Vec<u128> {
    tokens.windows(n).map(|w| w.iter().fold(0u128, |k, &t| (k << 32) | u128::from(t))).collect()
}

/// Σ min of the two texts' counts of each token (`left`: zeros, left zero).
fn common_tokens(a: &[u32], b: &[u32], left: &mut [u32]) -> usize {
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
    for &t in a {
        left[t as usize] = 0;
    }
    count
}

/// `_score_ngrams` of the n-grams of both texts.
fn score_ngrams(target: &[u32], prediction: &[u32], n: usize, scratch: &mut Scratch) -> [f64; 3] {
    let count = |t: &[u32]| (t.len() + 1).saturating_sub(n);
    let (target_count, prediction_count) = (count(target), count(prediction));
    let overlap = if target_count == 0 || prediction_count == 0 {
        0
    } else if n == 1 {
        common_tokens(target, prediction, &mut scratch.left_a)
    } else if n == 2 {
        packed2(target, &mut scratch.keys_a);
        packed2(prediction, &mut scratch.keys_b);
        common(&mut scratch.keys_a, &mut scratch.keys_b)
    } else if n <= 4 {
        common(&mut packed(target, n), &mut packed(prediction, n))
    } else {
        common(&mut target.windows(n).collect::<Vec<_>>(), &mut prediction.windows(n).collect::<Vec<_>>())
    };
    let precision = overlap as f64 / prediction_count.max(1) as f64;
    let recall = overlap as f64 / target_count.max(1) as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// `_score_lcs`.
fn score_lcs(target: &[u32], prediction: &[u32], scratch: &mut Scratch) -> [f64; 3] {
    if target.is_empty() || prediction.is_empty() {
        return [0.0; 3];
    }
    let columns = Columns::new(prediction, &mut scratch.slot, &mut scratch.masks);
    let length = lcs::length(target, &columns, &mut scratch.rows);
    let precision = length as f64 / prediction.len() as f64;
    let recall = length as f64 / target.len() as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// `_summary_level_lcs`: for each target sentence, the union of its LCS indices with every
/// predicted sentence; each token of that union, target sentence by sentence, is a hit while
/// both texts still hold an unmatched copy of it.
fn score_summary_lcs(target: &Document, prediction: &Document, scratch: &mut Scratch) -> [f64; 3] {
    let (t_all, p_all) = (target.all_sentence_tokens(), prediction.all_sentence_tokens());
    let m = target.sentence_ends.last().copied().unwrap_or(0) as usize;
    let n = prediction.sentence_ends.last().copied().unwrap_or(0) as usize;
    if m == 0 || n == 0 {
        return [0.0; 3];
    }
    let Scratch { left_a, left_b, slot, masks, rows, in_union, .. } = scratch;
    in_union.clear();
    in_union.resize(m, false);
    // The unions, one predicted sentence's masks at a time.
    for (ps, pe) in prediction.sentence_bounds() {
        let columns = Columns::new(&p_all[ps..pe], slot, masks);
        for (ts, te) in target.sentence_bounds() {
            let sentence = &t_all[ts..te];
            if columns.is_empty() || !columns.shares_any(sentence) {
                continue;
            }
            lcs::indices(sentence, &columns, rows, |i| in_union[ts + i] = true);
        }
    }
    for &t in &t_all[..m] {
        left_a[t as usize] += 1;
    }
    for &t in &p_all[..n] {
        left_b[t as usize] += 1;
    }
    let mut hits = 0usize;
    for (&t, _) in t_all[..m].iter().zip(in_union.iter()).filter(|(_, &u)| u) {
        let t = t as usize;
        if left_a[t] > 0 && left_b[t] > 0 {
            hits += 1;
            left_a[t] -= 1;
            left_b[t] -= 1;
        }
    }
    for &t in &t_all[..m] {
        left_a[t as usize] = 0;
    }
    for &t in &p_all[..n] {
        left_b[t as usize] = 0;
    }
    let recall = hits as f64 / m as f64;
    let precision = hits as f64 / n as f64;
    [precision, recall, fmeasure(precision, recall)]
}

/// Every requested score of one (target, prediction) pair, in `types`' order, into `out`;
/// their ids are below the vocabulary `scratch` was fitted to.
fn score_into(
    target: &Document,
    prediction: &Document,
    types: &[RougeType],
    scratch: &mut Scratch,
    out: &mut Vec<[f64; 3]>,
) {
    let (t, p) = (&target.tokens, &prediction.tokens);
    out.clear();
    let mut lcs: Option<[f64; 3]> = None;
    for kind in types {
        out.push(match *kind {
            RougeType::N(n) => score_ngrams(t, p, n, scratch),
            RougeType::L => *lcs.get_or_insert_with(|| score_lcs(t, p, scratch)),
            RougeType::Lsum if one_sentence_each(target, prediction) => {
                *lcs.get_or_insert_with(|| score_lcs(t, p, scratch))
            }
            RougeType::Lsum => score_summary_lcs(target, prediction, scratch),
        });
    }
}

/// Whether both texts are one sentence of their whole-text tokens: then `rougeLsum` is
/// `rougeL` (every token of the one LCS has a copy left on both sides, so each is a hit, and
/// the token totals are the text lengths).
fn one_sentence_each(target: &Document, prediction: &Document) -> bool {
    let single = |d: &Document| d.sentence_tokens.is_none() && d.sentence_ends.len() <= 1;
    single(target) && single(prediction)
}

/// `score_multi` into `row` (types × 3): per type, the target's score with the largest F (the
/// first on ties).
pub fn score_multi(
    targets: &[Document],
    prediction: &Document,
    types: &[RougeType],
    vocabulary: usize,
    row: &mut [f64],
) {
    SCRATCH.with(|cell| {
        let mut scratch = cell.borrow_mut();
        scratch.fit(vocabulary);
        let mut scores = std::mem::take(&mut scratch.scores);
        for (k, target) in targets.iter().enumerate() {
            score_into(target, prediction, types, &mut scratch, &mut scores);
            for (best, s) in row.chunks_exact_mut(3).zip(&scores) {
                if k == 0 || s[2] > best[2] {
                    best.copy_from_slice(s);
                }
            }
        }
        scratch.scores = scores;
    });
}

/// Scores of every prediction against its targets (several: `score_multi`), tokenized with the
/// default tokenizer: rows of `types.len() × 3` (precision, recall, F), in parallel.
pub fn score_texts<S: AsRef<str> + Sync>(
    predictions: &[S],
    targets: &[Vec<S>],
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
    let width = types.len() * 3;
    let mut out = vec![0.0; predictions.len() * width];
    out.par_chunks_mut(width.max(1)).zip(predictions.par_iter().zip(targets)).with_min_len(8).for_each(
        |(row, (prediction, targets))| {
            with_pair_tokenizer(stem, |tokenizer| {
                let p = Document::from_tokens(tokenizer.tokenize(prediction.as_ref()));
                let ts: Vec<Document> =
                    targets.iter().map(|t| Document::from_tokens(tokenizer.tokenize(t.as_ref()))).collect();
                score_multi(&ts, &p, types, tokenizer.vocabulary(), row);
            })
        },
    );
    Ok(out)
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
        sentence_tokens: d.sentence_tokens.as_deref().map(&mut map),
        sentence_ends: d.sentence_ends.clone(),
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
    let width = types.len() * 3;
    let mut out = vec![0.0; items.len() * width];
    out.par_chunks_mut(width.max(1)).zip(items.par_iter()).for_each(|(row, (p, ts))| {
        let (p, ts, vocabulary) = densify(p, ts);
        score_multi(&ts, &p, types, vocabulary, row);
    });
    Ok(out)
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
            &["The quick brown dog jumps on the log."],
            &[vec!["The quick brown fox jumps over the lazy dog"]],
            &types,
            false,
        )
        .unwrap();
        assert_eq!(out[0], 6.0 / 8.0);
        assert_eq!(out[1], 6.0 / 9.0);
    }
}
