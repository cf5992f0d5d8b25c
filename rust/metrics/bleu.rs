//! BLEU's sufficient statistics per segment, as sacrebleu's `BLEU` extracts them: hypothesis
//! and closest reference length, and per n-gram order the matched (clipped by the largest
//! count in any reference) and total n-gram counts. Scores follow from sums of these.

use rayon::prelude::*;
use std::collections::HashMap;

use super::sacrebleu_tokenize::Tokenizer;
use crate::error::{KernelError, KernelResult};

/// Most n-gram orders a statistic row holds.
pub const MAX_ORDER: usize = 9;

/// n-gram counts of a token sequence for orders 1..=max_order, keyed by the token slice.
fn ngram_counts(tokens: &[String], max_order: usize) -> HashMap<&[String], u64> {
    let mut counts = HashMap::with_capacity(tokens.len() * max_order);
    for n in 1..=max_order.min(tokens.len()) {
        for gram in tokens.windows(n) {
            *counts.entry(gram).or_insert(0) += 1;
        }
    }
    counts
}

/// sacrebleu's closest reference length: the smallest |hyp − ref|, ties to the shorter.
fn closest_ref_len(hyp_len: u64, ref_lens: &[u64]) -> u64 {
    let mut best: Option<(u64, u64)> = None;
    for &r in ref_lens {
        let diff = hyp_len.abs_diff(r);
        best = match best {
            None => Some((diff, r)),
            Some((d, l)) if diff < d || (diff == d && r < l) => Some((diff, r)),
            keep => keep,
        };
    }
    best.map_or(0, |(_, l)| l)
}

/// One segment's statistics: `[hyp_len, ref_len, correct_1..=max_order, total_1..=max_order]`.
pub fn segment(hyp: &[String], refs: &[Vec<String>], max_order: usize) -> Vec<u64> {
    let mut ref_max: HashMap<&[String], u64> = HashMap::new();
    let mut ref_lens = Vec::with_capacity(refs.len());
    for r in refs {
        ref_lens.push(r.len() as u64);
        for (gram, count) in ngram_counts(r, max_order) {
            let slot = ref_max.entry(gram).or_insert(0);
            *slot = (*slot).max(count);
        }
    }
    let mut row = vec![0u64; 2 + 2 * max_order];
    row[0] = hyp.len() as u64;
    row[1] = closest_ref_len(hyp.len() as u64, &ref_lens);
    for (gram, count) in ngram_counts(hyp, max_order) {
        let n = gram.len() - 1;
        row[2 + max_order + n] += count;
        if let Some(&r) = ref_max.get(gram) {
            row[2 + n] += count.min(r);
        }
    }
    row
}

/// Statistics of every segment, flattened row-major (segments × (2 + 2·max_order)), in
/// parallel. `hyps` and every reference are already lower-cased (if asked) and right-stripped;
/// `refs[i]` holds segment i's references (missing ones left out).
pub fn statistics(
    hyps: &[String],
    refs: &[Vec<String>],
    tokenizer: Tokenizer,
    max_order: usize,
) -> KernelResult<Vec<u64>> {
    if !(1..=MAX_ORDER).contains(&max_order) {
        return Err(KernelError::value("max_ngram_order", format!("must be in 1..={MAX_ORDER}")));
    }
    if hyps.len() != refs.len() {
        return Err(KernelError::shape(
            "references",
            format!("{} segments", hyps.len()),
            refs.len().to_string(),
        ));
    }
    let rows: Vec<Vec<u64>> = hyps
        .par_iter()
        .zip(refs.par_iter())
        .map(|(h, rs)| {
            let hyp = tokenizer.tokens(h);
            let toks: Vec<Vec<String>> = rs.iter().map(|r| tokenizer.tokens(r)).collect();
            segment(&hyp, &toks, max_order)
        })
        .collect();
    Ok(rows.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<String> {
        Tokenizer::None.tokens(s)
    }

    #[test]
    fn clipped_counts_and_closest_length() {
        let row = segment(&t("the the the cat"), &[t("the cat sat"), t("a the the cat on mat")], 2);
        // unigrams: the x3 (max ref count 2) + cat -> 3 of 4; bigrams: "the the" (1), "the cat" (1)
        assert_eq!(row, vec![4, 3, 3, 2, 4, 3]);
        assert_eq!(closest_ref_len(4, &[3, 5]), 3);
        assert_eq!(closest_ref_len(4, &[]), 0);
    }
}
