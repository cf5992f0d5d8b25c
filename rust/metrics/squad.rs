//! SQuAD answer scores as the official v1.1 / v2.0 evaluation scripts compute them: answers
//! normalized (lower-cased, ASCII punctuation dropped, the words a / an / the dropped, runs of
//! whitespace collapsed), exact match of the normalized strings, and token F1 from the
//! multiset (v1.1, v2.0) or set (HELM, lighteval) overlap; the best over the gold answers.
//!
//! Normalization runs here on ASCII strings, where Python's `\b`, `lower()` and `split()`
//! are plain ASCII rules; the caller normalizes other strings in Python first (normalizing is
//! idempotent, so a string normalized twice is unchanged).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Python's `str.split()` whitespace among ASCII characters.
fn is_python_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f)
}

/// The normalized tokens of `text` (`normalize_answer(text).split()`).
pub fn tokens(text: &str) -> Vec<String> {
    if !text.is_ascii() {
        // Normalized by the caller: only the whitespace split is left.
        return text.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect();
    }
    // Lower-case and drop punctuation, then cut alphanumeric runs that are articles (each
    // becomes a separator) and split the rest at whitespace.
    let kept: Vec<u8> =
        text.bytes().filter(|b| !b.is_ascii_punctuation()).map(|b| b.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    let mut token: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < kept.len() {
        let b = kept[i];
        if b.is_ascii_alphanumeric() {
            let start = i;
            while i < kept.len() && kept[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let run = &kept[start..i];
            if matches!(run, b"a" | b"an" | b"the") {
                if !token.is_empty() {
                    out.push(String::from_utf8(std::mem::take(&mut token)).expect("ASCII"));
                }
            } else {
                token.extend_from_slice(run);
            }
            continue;
        }
        if is_python_space(b) {
            if !token.is_empty() {
                out.push(String::from_utf8(std::mem::take(&mut token)).expect("ASCII"));
            }
        } else {
            token.push(b);
        }
        i += 1;
    }
    if !token.is_empty() {
        out.push(String::from_utf8(token).expect("ASCII"));
    }
    out
}

/// How token F1 counts overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overlap {
    /// SQuAD v1.1: `Counter(pred) & Counter(gold)`; 0 when nothing overlaps.
    Multiset,
    /// SQuAD v2.0: as v1.1, and an empty side scores 1 only when both are empty.
    MultisetV2,
    /// HELM / lighteval: NLTK's `f_measure` of the token sets; 0 when either is empty.
    Set,
}

fn multiset_common(pred: &[String], gold: &[String]) -> usize {
    let mut left: FxHashMap<&str, u32> = FxHashMap::default();
    for t in gold {
        *left.entry(t).or_insert(0) += 1;
    }
    pred.iter()
        .filter(|t| match left.get_mut(t.as_str()) {
            Some(c) if *c > 0 => {
                *c -= 1;
                true
            }
            _ => false,
        })
        .count()
}

/// Token F1 of one prediction against one gold answer, in the scripts' float operations.
pub fn f1(pred: &[String], gold: &[String], overlap: Overlap) -> f64 {
    match overlap {
        Overlap::Set => {
            let p: std::collections::HashSet<&str> = pred.iter().map(String::as_str).collect();
            let g: std::collections::HashSet<&str> = gold.iter().map(String::as_str).collect();
            if p.is_empty() || g.is_empty() {
                return 0.0;
            }
            let common = p.intersection(&g).count();
            let precision = common as f64 / p.len() as f64;
            let recall = common as f64 / g.len() as f64;
            if precision == 0.0 || recall == 0.0 {
                return 0.0;
            }
            1.0 / (0.5 / precision + (1.0 - 0.5) / recall)
        }
        Overlap::Multiset | Overlap::MultisetV2 => {
            if overlap == Overlap::MultisetV2 && (pred.is_empty() || gold.is_empty()) {
                return f64::from(u8::from(pred == gold));
            }
            let same = multiset_common(pred, gold);
            if same == 0 {
                return 0.0;
            }
            let precision = 1.0 * same as f64 / pred.len() as f64;
            let recall = 1.0 * same as f64 / gold.len() as f64;
            (2.0 * precision * recall) / (precision + recall)
        }
    }
}

/// Per item, the best exact match and the best F1 over its gold answers (fractions).
pub fn scores(predictions: &[String], golds: &[Vec<String>], overlap: Overlap) -> Vec<(f64, f64)> {
    predictions
        .par_iter()
        .zip(golds)
        .with_min_len(64)
        .map(|(p, gs)| {
            let pt = tokens(p);
            let mut best = (0.0f64, 0.0f64);
            for g in gs {
                let gt = tokens(g);
                // Normalized strings are their tokens joined by single spaces.
                let exact = f64::from(u8::from(pt == gt));
                best = (best.0.max(exact), best.1.max(f1(&pt, &gt, overlap)));
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_as_the_script() {
        assert_eq!(tokens("The  Cat's hat, an APPLE!"), ["cats", "hat", "apple"]);
        assert_eq!(tokens("the\u{1}x a-b"), ["\u{1}x", "ab"]);
        assert!(tokens("a an the ...").is_empty());
    }
}
