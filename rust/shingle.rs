//! Text → normalised tokens → shingles.
//!
//! Normalisation, in order:
//! 1. Unicode NFC (skipped for ASCII text and for text whose NFC quick check says "yes").
//! 2. Optional case folding: [`Case::Unicode`] (`char::to_lowercase`) or [`Case::Ascii`]
//!    (A–Z only, as lm-evaluation-harness's `Janitor.normalize_string`).
//! 3. Optional deletion of ASCII punctuation (Python's `string.punctuation`, as the Janitor).
//!
//! Tokens are either words, split on exactly the characters Python's `str.split()` splits on,
//! or characters of the text with every whitespace run collapsed to one space and the ends
//! trimmed. A shingle is `n` consecutive tokens; word shingles are spelled as the tokens joined
//! by one space, character shingles as the characters concatenated (the way datasketch users
//! build them). **Texts shorter than `n`**: a text with `0 < k < n` tokens yields one shingle made
//! of all its `k` tokens; a text with no token yields the empty set.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::xxh3_64;

/// Token unit of a shingle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Word,
    Char,
}

/// Case folding applied after NFC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Keep,
    Ascii,
    Unicode,
}

/// How a text is cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleOpts {
    pub n: usize,
    pub unit: Unit,
    pub case: Case,
    pub strip_punct: bool,
}

impl ShingleOpts {
    /// lm-evaluation-harness decontamination rules: ASCII lower-case, delete
    /// `string.punctuation`, split on whitespace, word `n`-grams.
    pub fn lm_eval(n: usize) -> Self {
        ShingleOpts {
            n,
            unit: Unit::Word,
            case: Case::Ascii,
            strip_punct: true,
        }
    }
}

/// Exactly the characters for which Python's `str.isspace()` is true (what `str.split()` uses).
#[inline]
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Applies NFC, case folding and punctuation deletion; borrows when nothing changes.
pub fn normalize<'a>(text: &'a str, opts: &ShingleOpts) -> Cow<'a, str> {
    let nfc: Cow<'a, str> = if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    };
    let needs_case = match opts.case {
        Case::Keep => false,
        Case::Ascii => nfc.bytes().any(|b| b.is_ascii_uppercase()),
        Case::Unicode => nfc
            .chars()
            .any(|c| c.is_uppercase() || c.is_titlecase_like()),
    };
    let needs_strip = opts.strip_punct && nfc.bytes().any(|b| b.is_ascii_punctuation());
    if !needs_case && !needs_strip {
        return nfc;
    }
    let mut out = String::with_capacity(nfc.len());
    for c in nfc.chars() {
        if opts.strip_punct && c.is_ascii_punctuation() {
            continue;
        }
        match opts.case {
            Case::Keep => out.push(c),
            Case::Ascii => out.push(c.to_ascii_lowercase()),
            Case::Unicode => out.extend(c.to_lowercase()),
        }
    }
    Cow::Owned(out)
}

trait TitleCase {
    fn is_titlecase_like(&self) -> bool;
}

impl TitleCase for char {
    /// Characters whose lower-case mapping differs though they are not upper-case (titlecase
    /// digraphs such as 'ǅ', some symbols): caught by comparing with the lower-case mapping.
    fn is_titlecase_like(&self) -> bool {
        !self.is_ascii() && !self.is_lowercase() && self.to_lowercase().next() != Some(*self)
    }
}

/// Word tokens of a normalised text, split as Python's `str.split()` does.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space).filter(|w| !w.is_empty())
}

/// Collapses every whitespace run to one space and trims the ends (character shingling).
pub fn collapse_spaces(text: &str) -> Cow<'_, str> {
    let clean = !text.starts_with(is_py_space)
        && !text.ends_with(is_py_space)
        && !text
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
        && text.chars().all(|c| c == ' ' || !is_py_space(c));
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    Cow::Owned(out)
}

/// Calls `f` with the UTF-8 spelling of every shingle of `text` (normalised first), in order.
/// Word shingles are the tokens joined by one space; character shingles are byte slices of the
/// collapsed text. Repeated shingles are passed repeatedly.
pub fn for_each_shingle(text: &str, opts: &ShingleOpts, mut f: impl FnMut(&[u8])) {
    let norm = normalize(text, opts);
    let n = opts.n.max(1);
    match opts.unit {
        Unit::Word => {
            let toks: Vec<&str> = words(&norm).collect();
            let mut buf = Vec::with_capacity(64);
            let windows = if toks.is_empty() {
                0
            } else {
                toks.len().saturating_sub(n) + 1
            };
            for i in 0..windows {
                buf.clear();
                for (j, t) in toks[i..(i + n).min(toks.len())].iter().enumerate() {
                    if j > 0 {
                        buf.push(b' ');
                    }
                    buf.extend_from_slice(t.as_bytes());
                }
                f(&buf);
            }
        }
        Unit::Char => {
            let text = collapse_spaces(&norm);
            let s = text.as_bytes();
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            if starts.is_empty() {
                return;
            }
            if starts.len() <= n {
                f(s);
                return;
            }
            for i in 0..=starts.len() - n {
                let end = starts.get(i + n).copied().unwrap_or(s.len());
                f(&s[starts[i]..end]);
            }
        }
    }
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xBF58_476D_1CE4_E5B9;
const K3: u64 = 0x94D0_49BB_1331_11EB;

/// SplitMix64 finaliser: a fixed bijection on u64 with full avalanche.
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(K2);
    x = (x ^ (x >> 27)).wrapping_mul(K3);
    x ^ (x >> 31)
}

/// Order-sensitive combination of token hashes into one 64-bit shingle hash.
#[inline]
fn fold(tokens: &[u64]) -> u64 {
    let mut h = K1 ^ tokens.len() as u64;
    for &t in tokens {
        h = (h ^ t).wrapping_mul(K2).rotate_left(29);
    }
    mix64(h)
}

/// assay's own 64-bit shingle hashes of `text` (pushed onto `out`, repeats kept).
///
/// Word shingles: each token is hashed with xxh3-64 (seed 0), and the `n` token hashes of a window
/// are folded in order (`h ← rotl29((h ⊕ t)·K2)`, then the SplitMix64 finaliser). Character
/// shingles: xxh3-64 of the shingle's UTF-8 bytes.
pub fn shingle_hashes(text: &str, opts: &ShingleOpts, out: &mut Vec<u64>) {
    let norm = normalize(text, opts);
    let n = opts.n.max(1);
    match opts.unit {
        Unit::Word => {
            let mut ring: Vec<u64> = Vec::with_capacity(n);
            let mut count = 0usize;
            for w in words(&norm) {
                let h = xxh3_64(w.as_bytes());
                if ring.len() < n {
                    ring.push(h);
                } else {
                    ring.copy_within(1.., 0);
                    ring[n - 1] = h;
                }
                count += 1;
                if count >= n {
                    out.push(fold(&ring));
                }
            }
            if count > 0 && count < n {
                out.push(fold(&ring));
            }
        }
        Unit::Char => for_each_shingle(
            &norm,
            &ShingleOpts {
                case: Case::Keep,
                strip_punct: false,
                ..*opts
            },
            |s| out.push(xxh3_64(s)),
        ),
    }
}

/// Sorted, de-duplicated 64-bit shingle hashes: the shingle set used for exact Jaccard.
pub fn shingle_set(text: &str, opts: &ShingleOpts) -> Vec<u64> {
    let mut v = Vec::new();
    shingle_hashes(text, opts, &mut v);
    v.sort_unstable();
    v.dedup();
    v
}

/// Exact Jaccard similarity of two sorted, de-duplicated sets (1 when both are empty).
pub fn jaccard_sorted(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: usize, unit: Unit) -> ShingleOpts {
        ShingleOpts {
            n,
            unit,
            case: Case::Keep,
            strip_punct: false,
        }
    }

    fn spelled(text: &str, o: &ShingleOpts) -> Vec<String> {
        let mut v = Vec::new();
        for_each_shingle(text, o, |s| v.push(String::from_utf8(s.to_vec()).unwrap()));
        v
    }

    #[test]
    fn word_shingles_join_with_one_space() {
        let o = opts(2, Unit::Word);
        assert_eq!(spelled("a  b\tc\n", &o), ["a b", "b c"]);
        assert_eq!(spelled("solo", &o), ["solo"]);
        assert!(spelled(" \u{3000} ", &o).is_empty());
    }

    #[test]
    fn char_shingles_collapse_whitespace() {
        let o = opts(3, Unit::Char);
        assert_eq!(spelled(" ab  cd ", &o), ["ab ", "b c", " cd"]);
        assert_eq!(spelled("é", &o), ["é"]);
    }

    #[test]
    fn nfc_makes_combining_forms_equal() {
        let o = opts(1, Unit::Word);
        assert_eq!(
            shingle_set("cafe\u{301} x", &o),
            shingle_set("caf\u{e9} x", &o)
        );
    }

    #[test]
    fn lm_eval_normalisation() {
        let o = ShingleOpts::lm_eval(1);
        assert_eq!(
            normalize("Hello, WORLD! Ünïcode", &o),
            "hello world Ünïcode"
        );
    }

    #[test]
    fn unicode_lowercase() {
        let o = ShingleOpts {
            case: Case::Unicode,
            ..opts(1, Unit::Word)
        };
        assert_eq!(normalize("ÀB ǅ", &o), "àb ǆ");
    }

    #[test]
    fn hashes_match_set_and_jaccard() {
        let o = opts(2, Unit::Word);
        let a = shingle_set("a b c d", &o);
        let b = shingle_set("a b c e", &o);
        assert_eq!(a.len(), 3);
        assert!((jaccard_sorted(&a, &b) - 0.5).abs() < 1e-12);
        assert_eq!(jaccard_sorted(&[], &[]), 1.0);
    }
}
