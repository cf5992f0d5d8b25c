//! chrF and chrF++ statistics per segment, as sacrebleu's `CHRF` extracts them: for each
//! character n-gram order (whitespace removed unless asked) and each word n-gram order (words
//! split off one leading or trailing punctuation mark), the hypothesis, reference and matched
//! counts against the reference with the best sentence-level F-score.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::python_text::{is_python_space, split_python};
use crate::error::{KernelError, KernelResult};

/// Orders that fit the packed n-gram keys: 21-bit characters × 6, 32-bit word ids × 4.
pub const MAX_CHAR_ORDER: usize = 6;
pub const MAX_WORD_ORDER: usize = 4;

#[derive(Clone, Copy, Debug)]
pub struct ChrfOptions {
    pub char_order: usize,
    pub word_order: usize,
    pub beta: u32,
    pub whitespace: bool,
    pub eps_smoothing: bool,
}

/// sacrebleu's `_PUNCTS`: ASCII punctuation.
fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// sacrebleu's `_remove_punctuation`: a word of several characters loses one trailing (or
/// else one leading) punctuation mark to a word of its own.
fn words(sent: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for w in split_python(sent) {
        let mut chars = w.char_indices();
        let first = chars.next().map(|(_, c)| c);
        let second = chars.next();
        if second.is_none() {
            out.push(w);
            continue;
        }
        let (last_at, last) = w.char_indices().next_back().expect("non-empty");
        if is_punct(last) {
            out.extend([&w[..last_at], &w[last_at..]]);
        } else if first.is_some_and(is_punct) {
            let cut = first.map_or(0, char::len_utf8);
            out.extend([&w[..cut], &w[cut..]]);
        } else {
            out.push(w);
        }
    }
    out
}

/// Sorted (packed n-gram, count) runs for one order.
fn runs(keys: &mut [u128]) -> Vec<(u128, u64)> {
    keys.sort_unstable();
    let mut out: Vec<(u128, u64)> = Vec::with_capacity(keys.len());
    for &k in keys.iter() {
        match out.last_mut() {
            Some((key, c)) if *key == k => *c += 1,
            _ => out.push((k, 1)),
        }
    }
    out
}

/// Characters of one segment's texts as small ids (1-based, so 0 marks "past the end"), when
/// there are few enough that a 6-character window fits a u64 (10 bits each); otherwise their
/// code points (21 bits each, in a u128).
struct CharIds {
    ids: FxHashMap<char, u64>,
    bits: u32,
}

impl CharIds {
    fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let mut ids = FxHashMap::default();
        for t in texts {
            for c in t.chars() {
                let next = ids.len() as u64 + 1;
                ids.entry(c).or_insert(next);
            }
        }
        let bits = if ids.len() < (1 << 10) { 10 } else { 21 };
        CharIds { ids, bits }
    }

    fn code(&self, c: char) -> u64 {
        if self.bits == 10 {
            self.ids[&c]
        } else {
            u64::from(c) + 1
        }
    }
}

/// Runs of the character n-grams of every order from one sort: each position's window of
/// `order` characters (zero-padded past the end), most significant first, is sorted once; an
/// n-gram is the window's first n digits, so the n-prefixes come out sorted too.
fn char_runs(chars: &[u64], order: usize, bits: u32) -> Vec<Vec<(u128, u64)>> {
    let window = |i: usize| -> u128 {
        (0..order).fold(0u128, |k, j| (k << bits) | u128::from(chars.get(i + j).copied().unwrap_or(0)))
    };
    let sorted: Vec<u128> = if bits as usize * order <= 64 {
        let mut keys: Vec<u64> = (0..chars.len()).map(|i| window(i) as u64).collect();
        keys.sort_unstable();
        keys.into_iter().map(u128::from).collect()
    } else {
        let mut keys: Vec<u128> = (0..chars.len()).map(window).collect();
        keys.sort_unstable();
        keys
    };
    let digit = (1u128 << bits) - 1;
    (1..=order)
        .map(|n| {
            let shift = bits as usize * (order - n);
            let mut out: Vec<(u128, u64)> = Vec::new();
            for &key in &sorted {
                let prefix = key >> shift;
                if prefix & digit == 0 {
                    continue; // the window ends before n characters
                }
                match out.last_mut() {
                    Some((k, c)) if *k == prefix => *c += 1,
                    _ => out.push((prefix, 1)),
                }
            }
            out
        })
        .collect()
}

/// n-gram runs per order of one text: characters first (orders 1..=char_order), then words.
fn ngram_runs(
    text: &str,
    opts: &ChrfOptions,
    char_ids: &CharIds,
    vocab: &mut FxHashMap<String, u32>,
) -> Vec<Vec<(u128, u64)>> {
    let chars: Vec<u64> =
        text.chars().filter(|&c| opts.whitespace || !is_python_space(c)).map(|c| char_ids.code(c)).collect();
    let mut out = char_runs(&chars, opts.char_order, char_ids.bits);
    if opts.word_order > 0 {
        let ids: Vec<u32> = words(text)
            .into_iter()
            .map(|w| {
                let next = vocab.len() as u32;
                *vocab.entry(w.to_owned()).or_insert(next)
            })
            .collect();
        let mut keys = Vec::with_capacity(ids.len());
        for n in 1..=opts.word_order {
            keys.clear();
            keys.extend(ids.windows(n).map(|g| g.iter().fold(0u128, |k, &i| (k << 32) | u128::from(i))));
            out.push(runs(&mut keys));
        }
    }
    out
}

/// sacrebleu's `_get_match_statistics`: [hyp count (0 when the reference has no n-gram of this
/// order), reference count, matched count].
fn match_statistics(hyp: &[(u128, u64)], reference: &[(u128, u64)]) -> [u64; 3] {
    let (mut matched, mut hyp_count, mut j) = (0, 0, 0);
    for &(key, count) in hyp {
        hyp_count += count;
        while j < reference.len() && reference[j].0 < key {
            j += 1;
        }
        if j < reference.len() && reference[j].0 == key {
            matched += count.min(reference[j].1);
        }
    }
    let ref_count: u64 = reference.iter().map(|r| r.1).sum();
    [if reference.is_empty() { 0 } else { hyp_count }, ref_count, matched]
}

/// sacrebleu's `_compute_f_score`, operation for operation (so that the best reference is the
/// one sacrebleu picks).
pub fn f_score(stats: &[u64], beta: u32, eps_smoothing: bool) -> f64 {
    let eps = 1e-16;
    let order = stats.len() / 3;
    let factor = f64::from(beta * beta);
    let (mut score, mut avg_prec, mut avg_rec, mut effective) = (0.0f64, 0.0f64, 0.0f64, 0u32);
    for i in 0..order {
        let (n_hyp, n_ref, n_match) = (stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]);
        let prec = if n_hyp > 0 { n_match as f64 / n_hyp as f64 } else { eps };
        let rec = if n_ref > 0 { n_match as f64 / n_ref as f64 } else { eps };
        let denom = factor * prec + rec;
        score += if denom > 0.0 { (1.0 + factor) * prec * rec / denom } else { eps };
        if n_hyp > 0 && n_ref > 0 {
            avg_prec += prec;
            avg_rec += rec;
            effective += 1;
        }
    }
    if eps_smoothing {
        return 100.0 * score / order as f64;
    }
    if effective == 0 {
        avg_prec = 0.0;
        avg_rec = 0.0;
    } else {
        avg_prec /= f64::from(effective);
        avg_rec /= f64::from(effective);
    }
    if avg_prec + avg_rec != 0.0 {
        let mut s = (1.0 + factor) * avg_prec * avg_rec;
        s /= (factor * avg_prec) + avg_rec;
        100.0 * s
    } else {
        0.0
    }
}

/// One segment's statistics: 3 × (char_order + word_order) counts against the best reference.
pub fn segment<S: AsRef<str>>(hyp: &str, refs: &[S], opts: &ChrfOptions) -> Vec<u64> {
    let mut vocab = FxHashMap::default();
    let char_ids = CharIds::new(std::iter::once(hyp).chain(refs.iter().map(AsRef::as_ref)));
    let hyp_runs = ngram_runs(hyp, opts, &char_ids, &mut vocab);
    let mut best = Vec::new();
    let mut best_f = -1.0;
    for r in refs {
        let ref_runs = ngram_runs(r.as_ref(), opts, &char_ids, &mut vocab);
        let stats: Vec<u64> =
            hyp_runs.iter().zip(&ref_runs).flat_map(|(h, r)| match_statistics(h, r)).collect();
        let f = f_score(&stats, opts.beta, opts.eps_smoothing);
        if f > best_f {
            best_f = f;
            best = stats;
        }
    }
    best
}

/// Statistics of every segment, flattened row-major, in parallel; `refs[i]` holds segment i's
/// references (at least one), already lower-cased if asked.
pub fn statistics<S: AsRef<str> + Sync>(
    hyps: &[S],
    refs: &[Vec<S>],
    opts: &ChrfOptions,
) -> KernelResult<Vec<u64>> {
    if !(1..=MAX_CHAR_ORDER).contains(&opts.char_order) {
        return Err(KernelError::value("char_order", format!("must be in 1..={MAX_CHAR_ORDER}")));
    }
    if opts.word_order > MAX_WORD_ORDER {
        return Err(KernelError::value("word_order", format!("must be in 0..={MAX_WORD_ORDER}")));
    }
    if hyps.len() != refs.len() {
        return Err(KernelError::shape(
            "references",
            format!("{} segments", hyps.len()),
            refs.len().to_string(),
        ));
    }
    if let Some(i) = refs.iter().position(Vec::is_empty) {
        return Err(KernelError::value("references", format!("segment {i} has no reference")));
    }
    let rows: Vec<Vec<u64>> =
        hyps.par_iter().zip(refs.par_iter()).map(|(h, r)| segment(h.as_ref(), r, opts)).collect();
    Ok(rows.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_split_as_sacrebleu() {
        // CHRF(word_order=2)._remove_punctuation("Hello, (world) a . x!y")
        assert_eq!(words("Hello, (world) a . x!y"), ["Hello", ",", "(world", ")", "a", ".", "x!y"]);
        assert_eq!(words("\"quoted"), ["\"", "quoted"]);
    }

    #[test]
    fn one_sort_gives_every_order_as_separate_sorts_do() {
        let text: Vec<u64> = "abracadabra cadabra".chars().map(|c| u64::from(c) + 1).collect();
        for bits in [10u32, 21] {
            let packed = if bits == 10 {
                let ids = CharIds::new(std::iter::once("abracadabra cadabra"));
                "abracadabra cadabra".chars().map(|c| ids.code(c)).collect::<Vec<_>>()
            } else {
                text.clone()
            };
            let all = char_runs(&packed, 6, bits);
            for n in 1..=6 {
                let mut keys: Vec<u128> = packed
                    .windows(n)
                    .map(|g| g.iter().fold(0u128, |k, &c| (k << bits) | u128::from(c)))
                    .collect();
                assert_eq!(all[n - 1], runs(&mut keys), "order {n}, {bits} bits");
            }
        }
    }

    #[test]
    fn identical_texts_score_100() {
        let opts =
            ChrfOptions { char_order: 6, word_order: 2, beta: 2, whitespace: false, eps_smoothing: false };
        let stats = segment("the cat sat", &["the cat sat".to_owned()], &opts);
        assert_eq!(f_score(&stats, 2, false), 100.0);
    }
}
