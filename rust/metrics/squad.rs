//! SQuAD answer scores as the official v1.1 / v2.0 evaluation scripts compute them: answers
//! normalized (lower-cased, ASCII punctuation dropped, the words a / an / the dropped, runs of
//! whitespace collapsed), exact match of the normalized strings, and token F1 from the
//! multiset (v1.1, v2.0) or set (HELM, lighteval) overlap; the best over the gold answers.
//!
//! Normalization runs here on ASCII strings, where Python's `\b`, `lower()` and `split()`
//! are plain ASCII rules; the caller normalizes other strings in Python first (normalizing is
//! idempotent, so a string normalized twice is unchanged).

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// Python's `str.split()` whitespace among ASCII characters.
fn is_python_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f)
}

/// An answer normalized: its bytes, and its tokens as ranges of them.
#[derive(Debug, Default, PartialEq)]
pub struct Normalized {
    bytes: Vec<u8>,
    tokens: Vec<(u32, u32)>,
}

impl Normalized {
    fn token(&self, i: usize) -> &[u8] {
        let (a, b) = self.tokens[i];
        &self.bytes[a as usize..b as usize]
    }

    fn len(&self) -> usize {
        self.tokens.len()
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.token(i))
    }

    /// Same tokens, in order: the normalized strings (tokens joined by one space) are equal.
    fn same_text(&self, other: &Normalized) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// `normalize_answer(text).split()`.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized::default();
    if !text.is_ascii() {
        // Normalized by the caller: only the split at single spaces is left.
        out.bytes = text.as_bytes().to_vec();
        let mut start = 0usize;
        for (i, &b) in out.bytes.iter().enumerate().chain([(text.len(), &b' ')]) {
            if b == b' ' {
                if i > start {
                    out.tokens.push((start as u32, i as u32));
                }
                start = i + 1;
            }
        }
        return out;
    }
    // One pass over the text without its punctuation, lower-cased: alphanumeric runs that are
    // articles are taken back out and end the token, as their replacement by a space does.
    out.bytes.reserve(text.len());
    let mut token: Option<usize> = None;
    let mut run: Option<usize> = None;
    let end_token = |out: &mut Normalized, token: &mut Option<usize>, at: usize| {
        if let Some(s) = token.take() {
            if at > s {
                out.tokens.push((s as u32, at as u32));
            }
        }
    };
    let end_run = |out: &mut Normalized, token: &mut Option<usize>, run: &mut Option<usize>| {
        if let Some(r) = run.take() {
            if matches!(&out.bytes[r..], b"a" | b"an" | b"the") {
                out.bytes.truncate(r);
                end_token(out, token, r);
            }
        }
    };
    for b in text.bytes().filter(|b| !b.is_ascii_punctuation()) {
        let b = b.to_ascii_lowercase();
        if b.is_ascii_alphanumeric() {
            run.get_or_insert(out.bytes.len());
        } else {
            end_run(&mut out, &mut token, &mut run);
            if is_python_space(b) {
                let at = out.bytes.len();
                end_token(&mut out, &mut token, at);
                continue;
            }
        }
        token.get_or_insert(out.bytes.len());
        out.bytes.push(b);
    }
    end_run(&mut out, &mut token, &mut run);
    let at = out.bytes.len();
    end_token(&mut out, &mut token, at);
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

/// Σ min of the two token counts: a linear scan for short answers, a hash map past that.
fn multiset_common(pred: &Normalized, gold: &Normalized) -> usize {
    if gold.len() <= 16 {
        let mut used = [false; 16];
        return pred
            .iter()
            .filter(|t| {
                let hit = (0..gold.len()).find(|&j| !used[j] && gold.token(j) == *t);
                hit.inspect(|&j| used[j] = true).is_some()
            })
            .count();
    }
    let mut left: FxHashMap<&[u8], u32> = FxHashMap::default();
    for t in gold.iter() {
        *left.entry(t).or_insert(0) += 1;
    }
    pred.iter()
        .filter(|t| match left.get_mut(t) {
            Some(c) if *c > 0 => {
                *c -= 1;
                true
            }
            _ => false,
        })
        .count()
}

/// Token F1 of one prediction against one gold answer, in the scripts' float operations.
pub fn f1(pred: &Normalized, gold: &Normalized, overlap: Overlap) -> f64 {
    match overlap {
        Overlap::Set => {
            let p: FxHashSet<&[u8]> = pred.iter().collect();
            let g: FxHashSet<&[u8]> = gold.iter().collect();
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
            if overlap == Overlap::MultisetV2 && (pred.len() == 0 || gold.len() == 0) {
                return f64::from(u8::from(pred.same_text(gold)));
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
pub fn scores<S: AsRef<str> + Sync>(
    predictions: &[S],
    golds: &[Vec<S>],
    overlap: Overlap,
) -> Vec<(f64, f64)> {
    predictions
        .par_iter()
        .zip(golds)
        .with_min_len(64)
        .map(|(p, gs)| {
            let pt = normalize(p.as_ref());
            let mut best = (0.0f64, 0.0f64);
            for g in gs {
                let gt = normalize(g.as_ref());
                // Normalized strings are their tokens joined by single spaces.
                let exact = f64::from(u8::from(pt.same_text(&gt)));
                best = (best.0.max(exact), best.1.max(f1(&pt, &gt, overlap)));
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<String> {
        let n = normalize(text);
        n.iter().map(|t| String::from_utf8(t.to_vec()).unwrap()).collect()
    }

    #[test]
    fn normalizes_as_the_script() {
        assert_eq!(tokens("The  Cat's hat, an APPLE!"), ["cats", "hat", "apple"]);
        assert_eq!(tokens("the\u{1}x a-b"), ["\u{1}x", "ab"]);
        assert!(tokens("a an the ...").is_empty());
        assert_eq!(tokens("caf\u{e9}  x"), ["caf\u{e9}", "x"]);
    }

    #[test]
    fn long_answers_count_as_short_ones() {
        let a = normalize(&"x y z ".repeat(20));
        let b = normalize(&"x x y ".repeat(20));
        assert_eq!(multiset_common(&a, &b), 40);
        assert_eq!(multiset_common(&b, &a), 40);
    }
}
