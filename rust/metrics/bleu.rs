//! BLEU's sufficient statistics per segment, as sacrebleu's `BLEU` extracts them: hypothesis
//! and closest reference length, and per n-gram order the matched (clipped by the largest
//! count in any reference) and total n-gram counts. Scores follow from sums of these.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::python_text::split_python;
use super::sacrebleu_tokenize::Tokenizer;
use crate::error::{KernelError, KernelResult};

/// Most n-gram orders a statistic row holds.
pub const MAX_ORDER: usize = 9;

/// n-gram counts of a token-id sequence for orders 1..=max_order, keyed by the id slice.
fn ngram_counts(tokens: &[u32], max_order: usize) -> FxHashMap<&[u32], u64> {
    let mut counts = FxHashMap::default();
    counts.reserve(tokens.len() * max_order);
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

/// Token ids of one segment's hypothesis and references, from one vocabulary (n-grams are then
/// compared as id slices, hashed fast).
fn intern<'a>(hyp: &[&'a str], refs: &[Vec<&'a str>]) -> (Vec<u32>, Vec<Vec<u32>>) {
    fn ids<'a>(vocab: &mut FxHashMap<&'a str, u32>, tokens: &[&'a str]) -> Vec<u32> {
        tokens
            .iter()
            .map(|&t| {
                let next = vocab.len() as u32;
                *vocab.entry(t).or_insert(next)
            })
            .collect()
    }
    let mut vocab: FxHashMap<&'a str, u32> = FxHashMap::default();
    let h = ids(&mut vocab, hyp);
    let r = refs.iter().map(|r| ids(&mut vocab, r)).collect();
    (h, r)
}

/// One segment's statistics: `[hyp_len, ref_len, correct_1..=max_order, total_1..=max_order]`.
pub fn segment(hyp: &[&str], refs: &[Vec<&str>], max_order: usize) -> Vec<u64> {
    let (hyp, refs) = intern(hyp, refs);
    let ref_lens: Vec<u64> = refs.iter().map(|r| r.len() as u64).collect();
    let mut row = vec![0u64; 2 + 2 * max_order];
    row[0] = hyp.len() as u64;
    row[1] = closest_ref_len(hyp.len() as u64, &ref_lens);
    let vocab = hyp.iter().chain(refs.iter().flatten()).max().map_or(0, |&m| m as usize + 1);
    if max_order <= PACKED_ORDER && vocab < PACKED_VOCAB {
        packed_counts(&hyp, &refs, max_order, &mut row);
    } else {
        sliced_counts(&hyp, &refs, max_order, &mut row);
    }
    row
}

/// n-grams packed into one u64 each (ids + 1 in 15 bits, the order in the top bits) fit
/// orders up to 4 over up to 32,766 distinct tokens.
const PACKED_ORDER: usize = 4;
const PACKED_VOCAB: usize = (1 << 15) - 1;

/// Packed n-grams of a token-id sequence, orders 1..=max_order: (ids + 1) in 15 bits each,
/// the order in the top bits.
fn packed_keys(tokens: &[u32], max_order: usize) -> impl Iterator<Item = u64> + '_ {
    (1..=max_order.min(tokens.len())).flat_map(move |n| {
        tokens.windows(n).map(move |gram| {
            let mut key = (n as u64) << 60;
            for (k, &id) in gram.iter().enumerate() {
                key |= u64::from(id + 1) << (15 * k);
            }
            key
        })
    })
}

/// Matched and total counts: the references' largest count per n-gram, then the
/// hypothesis' counts clipped by it (hash maps of packed n-grams).
fn packed_counts(hyp: &[u32], refs: &[Vec<u32>], max_order: usize, row: &mut [u64]) {
    let mut ref_max: FxHashMap<u64, u32> = FxHashMap::default();
    let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
    for r in refs {
        counts.clear();
        counts.reserve(r.len() * max_order);
        for key in packed_keys(r, max_order) {
            *counts.entry(key).or_insert(0) += 1;
        }
        if ref_max.is_empty() {
            std::mem::swap(&mut ref_max, &mut counts);
        } else {
            for (&key, &c) in &counts {
                let slot = ref_max.entry(key).or_insert(0);
                *slot = (*slot).max(c);
            }
        }
    }
    counts.clear();
    counts.reserve(hyp.len() * max_order);
    for key in packed_keys(hyp, max_order) {
        *counts.entry(key).or_insert(0) += 1;
    }
    for (&key, &count) in &counts {
        let n = (key >> 60) as usize - 1;
        row[2 + max_order + n] += u64::from(count);
        if let Some(&r) = ref_max.get(&key) {
            row[2 + n] += u64::from(count.min(r));
        }
    }
}

/// The same counts with n-grams as hashed id slices (any order, any vocabulary).
fn sliced_counts(hyp: &[u32], refs: &[Vec<u32>], max_order: usize, row: &mut [u64]) {
    let mut ref_max: FxHashMap<&[u32], u64> = FxHashMap::default();
    for r in refs {
        for (gram, count) in ngram_counts(r, max_order) {
            let slot = ref_max.entry(gram).or_insert(0);
            *slot = (*slot).max(count);
        }
    }
    for (gram, count) in ngram_counts(hyp, max_order) {
        let n = gram.len() - 1;
        row[2 + max_order + n] += count;
        if let Some(&r) = ref_max.get(gram) {
            row[2 + n] += count.min(r);
        }
    }
}

/// Statistics of every segment, flattened row-major (segments × (2 + 2·max_order)), in
/// parallel. `hyps` and every reference are already lower-cased (if asked) and right-stripped;
/// `refs[i]` holds segment i's references (missing ones left out).
pub fn statistics<S: AsRef<str> + Sync>(
    hyps: &[S],
    refs: &[Vec<S>],
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
    // Each distinct reference is tokenized once (systems scored together share them).
    let mut distinct: FxHashMap<&str, usize> = FxHashMap::default();
    let mut texts: Vec<&str> = Vec::new();
    let slots: Vec<Vec<usize>> = refs
        .iter()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    *distinct.entry(r.as_ref()).or_insert_with(|| {
                        texts.push(r.as_ref());
                        texts.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    let tokenized: Vec<_> = texts.par_iter().map(|r| tokenizer.normalized(r)).collect();
    let rows: Vec<Vec<u64>> = hyps
        .par_iter()
        .zip(slots.par_iter())
        .map(|(h, rs)| {
            let hyp_text = tokenizer.normalized(h.as_ref());
            let hyp: Vec<&str> = split_python(&hyp_text).collect();
            let refs: Vec<Vec<&str>> = rs.iter().map(|&k| split_python(&tokenized[k]).collect()).collect();
            segment(&hyp, &refs, max_order)
        })
        .collect();
    Ok(rows.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Vec<&str> {
        split_python(s).collect()
    }

    #[test]
    fn packed_and_sliced_counts_agree() {
        let words: Vec<String> = (0..40).map(|i| format!("w{}", (i * 7) % 11)).collect();
        let hyp: Vec<&str> = words.iter().map(String::as_str).collect();
        let refs = vec![hyp[3..30].to_vec(), hyp[10..].iter().rev().copied().collect::<Vec<_>>()];
        let (h, r) = intern(&hyp, &refs);
        for order in 1..=4 {
            let mut packed = vec![0u64; 2 + 2 * order];
            let mut sliced = packed.clone();
            packed_counts(&h, &r, order, &mut packed);
            sliced_counts(&h, &r, order, &mut sliced);
            assert_eq!(packed, sliced);
        }
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
