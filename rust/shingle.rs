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

/// True when `text` is certainly NFC: every character is below U+0300 (no UTF-8 lead byte ≥ 0xCC,
/// checked 64 bytes at a time), or the NFC quick check says "yes".
pub fn is_nfc_fast(text: &str) -> bool {
    let low = text
        .as_bytes()
        .chunks(64)
        .all(|c| c.iter().fold(0u8, |m, &b| m.max(b)) < 0xCC);
    low || is_nfc_quick(text.chars()) == IsNormalized::Yes
}

/// Length of the Python whitespace character starting at `b[0]` (0 when it is not one).
#[inline(always)]
fn space_len(b: &[u8]) -> usize {
    match b[0] {
        b'\t'..=b'\r' | 0x1c..=0x20 => 1,
        0xC2 if matches!(b.get(1), Some(0x85 | 0xA0)) => 2,
        0xE1 if b.get(1..3) == Some(&[0x9A, 0x80]) => 3,
        0xE2 => match (b.get(1), b.get(2)) {
            (Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9 | 0xAF)) | (Some(0x81), Some(0x9F)) => 3,
            _ => 0,
        },
        0xE3 if b.get(1..3) == Some(&[0x80, 0x80]) => 3,
        _ => 0,
    }
}

/// Calls `f` with the UTF-8 bytes of every word token of `text` under `opts` (NFC, case, punctuation
/// as [`normalize`]; tokens that become empty are dropped). NFC text with ASCII-only or no case
/// folding is tokenised in one pass over the bytes, normalising each token in a small buffer.
pub fn for_each_word(text: &str, opts: &ShingleOpts, mut f: impl FnMut(&[u8])) {
    let (src, case, strip): (Cow<'_, str>, Case, bool) =
        if opts.case != Case::Unicode && is_nfc_fast(text) {
            (Cow::Borrowed(text), opts.case, opts.strip_punct)
        } else {
            (normalize(text, opts), Case::Keep, false)
        };
    let b = src.as_bytes();
    let transform = case == Case::Ascii || strip;
    // Byte map: low byte = output byte, bit 8 = keep (punctuation deleted when stripping).
    let mut lut = [0u16; 256];
    for (c, slot) in lut.iter_mut().enumerate() {
        let c = c as u8;
        let out = if case == Case::Ascii {
            c.to_ascii_lowercase()
        } else {
            c
        };
        let keep = !(strip && c.is_ascii_punctuation());
        *slot = out as u16 | (keep as u16) << 8;
    }
    let mut buf: Vec<u8> = vec![0; 64];
    let mut emit = |tok: &[u8]| {
        if !transform {
            return f(tok);
        }
        if buf.len() < tok.len() {
            buf.resize(tok.len(), 0);
        }
        let mut len = 0;
        for &c in tok {
            let v = lut[c as usize];
            buf[len] = v as u8;
            len += (v >> 8) as usize;
        }
        if len > 0 {
            f(&buf[..len])
        }
    };
    // Candidate bytes (ASCII ≤ 0x20 and every non-ASCII byte) found 64 at a time; only those are
    // examined, so the loop branches per token rather than per byte.
    let mut start = 0usize;
    let mut pos = 0usize;
    while pos < b.len() {
        let chunk = &b[pos..(pos + 64).min(b.len())];
        let mut m = special_mask(chunk);
        while m != 0 {
            let p = pos + m.trailing_zeros() as usize;
            m &= m - 1;
            let w = space_len(&b[p..]);
            if w == 0 || p < start {
                continue;
            }
            if p > start {
                emit(&b[start..p]);
            }
            start = p + w;
        }
        pos += 64;
    }
    if b.len() > start {
        emit(&b[start..]);
    }
}

/// Bit `i` set when `chunk[i]` (at most 64 bytes) is ≤ 0x20 or ≥ 0x80 (signed byte < 0x21).
#[inline(always)]
fn special_mask(chunk: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if chunk.len() == 64 {
        use std::arch::x86_64::{
            _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of x86_64; the four unaligned 16-byte loads stay inside `chunk`.
        return unsafe {
            let t = _mm_set1_epi8(0x21);
            let mut m = 0u64;
            for k in 0..4 {
                let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast());
                m |= (_mm_movemask_epi8(_mm_cmplt_epi8(v, t)) as u16 as u64) << (16 * k);
            }
            m
        };
    }
    chunk
        .iter()
        .enumerate()
        .fold(0u64, |m, (i, &c)| m | (((c as i8) < 0x21) as u64) << i)
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
    let n = opts.n.max(1);
    match opts.unit {
        Unit::Word => {
            // Tokens joined by one space in an arena: shingle i is one contiguous slice of it.
            let mut arena: Vec<u8> = Vec::with_capacity(text.len());
            let mut spans: Vec<(usize, usize)> = Vec::new();
            for_each_word(text, opts, |t| {
                if !arena.is_empty() {
                    arena.push(b' ');
                }
                spans.push((arena.len(), arena.len() + t.len()));
                arena.extend_from_slice(t);
            });
            if spans.is_empty() {
                return;
            }
            for i in 0..=spans.len().saturating_sub(n) {
                let last = (i + n).min(spans.len()) - 1;
                f(&arena[spans[i].0..spans[last].1]);
            }
        }
        Unit::Char => {
            let norm = normalize(text, opts);
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

#[inline(always)]
fn folded_mul(a: u64, b: u64) -> u64 {
    let full = (a as u128) * (b as u128);
    (full as u64) ^ ((full >> 64) as u64)
}

#[inline(always)]
fn read_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b[..8].try_into().expect("8 bytes"))
}

#[inline(always)]
fn read_u32(b: &[u8]) -> u64 {
    u32::from_le_bytes(b[..4].try_into().expect("4 bytes")) as u64
}

const S0: u64 = 0xA076_1D64_78BD_642F;
const S1: u64 = 0xE703_7ED1_A0B4_28DB;

/// assay's 64-bit token hash: for tokens of at most 16 bytes, wyhash's short-input path (the first
/// and last 8, 4 or 1 bytes read little-endian, two folded 64×64→128-bit multiplies); longer
/// tokens use xxh3-64 (seed 0). Deterministic on every platform.
#[inline(always)]
pub fn token_hash(b: &[u8]) -> u64 {
    let n = b.len();
    if n > 16 {
        return xxh3_64(b);
    }
    let (lo, hi) = if n >= 8 {
        (read_u64(b), read_u64(&b[n - 8..]))
    } else if n >= 4 {
        (read_u32(b), read_u32(&b[n - 4..]))
    } else if n > 0 {
        (
            ((b[0] as u64) << 16) | ((b[n / 2] as u64) << 8) | b[n - 1] as u64,
            0,
        )
    } else {
        (0, 0)
    };
    folded_mul(S1 ^ n as u64, folded_mul(lo ^ S1, hi ^ S0))
}

/// Odd multiplier of the rolling polynomial hash over token hashes.
pub const P: u64 = K1 | 1;

/// `P^(n-1) mod 2^64`, the weight of the token that leaves a rolling window of `n`.
pub fn rolling_weight(n: usize) -> u64 {
    (1..n).fold(1u64, |acc, _| acc.wrapping_mul(P))
}

/// assay's own 64-bit shingle hashes of `text` (pushed onto `out`, repeats kept).
///
/// Word shingles: each token is hashed with [`token_hash`]; a window of token hashes
/// `t_0..t_{n-1}` has the rolling polynomial hash `H = Σ t_j·P^(n−1−j) mod 2⁶⁴` (O(1) per token),
/// and the shingle hash is `mix64(H)` (SplitMix64 finaliser). A text with `0 < k < n` tokens has
/// the one shingle `mix64(H)` over its `k` tokens. Character shingles: xxh3-64 of the shingle's
/// UTF-8 bytes.
pub fn shingle_hashes(text: &str, opts: &ShingleOpts, out: &mut Vec<u64>) {
    for_each_shingle_hash(text, opts, |h| out.push(h));
}

/// [`shingle_hashes`] as a callback, in order, repeats kept.
pub fn for_each_shingle_hash(text: &str, opts: &ShingleOpts, mut f: impl FnMut(u64)) {
    let n = opts.n.max(1);
    match opts.unit {
        Unit::Word => {
            let pow = rolling_weight(n);
            let mut toks: Vec<u64> = Vec::with_capacity(text.len() / 4);
            for_each_word(text, opts, |w| toks.push(token_hash(w)));
            rolling_hashes(&toks, n, pow, |_, h| f(h));
            if !toks.is_empty() && toks.len() < n {
                let h = toks
                    .iter()
                    .fold(0u64, |h, &t| h.wrapping_mul(P).wrapping_add(t));
                f(mix64(h));
            }
        }
        Unit::Char => for_each_shingle(text, opts, |s| f(xxh3_64(s))),
    }
}

/// Calls `f(position, mix64(H))` for every window of `n` token hashes (none when fewer than `n`).
#[inline]
pub fn rolling_hashes(toks: &[u64], n: usize, pow: u64, mut f: impl FnMut(usize, u64)) {
    if toks.len() < n || n == 0 {
        return;
    }
    let mut h = 0u64;
    for &t in &toks[..n] {
        h = h.wrapping_mul(P).wrapping_add(t);
    }
    f(0, mix64(h));
    for i in 1..=toks.len() - n {
        h = h
            .wrapping_sub(toks[i - 1].wrapping_mul(pow))
            .wrapping_mul(P)
            .wrapping_add(toks[i + n - 1]);
        f(i, mix64(h));
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
    fn byte_tokenizer_matches_char_split() {
        let text = "A\u{85}b\u{a0}c\u{1680}d\u{2003}e\u{2028}f\u{202f}g\u{205f}h\u{3000}i\x1cj\u{200b}k é,Ü!  ";
        for o in [opts(1, Unit::Word), ShingleOpts::lm_eval(1)] {
            let mut fast = Vec::new();
            for_each_word(text, &o, |t| {
                fast.push(String::from_utf8(t.to_vec()).unwrap())
            });
            let norm = normalize(text, &o);
            let slow: Vec<&str> = words(&norm).collect();
            assert_eq!(fast, slow);
        }
    }

    #[test]
    fn token_hash_spreads_short_tokens() {
        let words: Vec<String> = (0..20000).map(|i| format!("w{i}")).collect();
        let mut hs: Vec<u64> = words.iter().map(|w| token_hash(w.as_bytes())).collect();
        hs.extend(
            [
                "",
                "a",
                "ab",
                "abc",
                "abcd",
                "abcdefgh",
                "abcdefghijklmnopq",
            ]
            .map(|w| token_hash(w.as_bytes())),
        );
        let n = hs.len();
        hs.sort_unstable();
        hs.dedup();
        assert_eq!(hs.len(), n);
        // upper 32 bits (used by MinHash) roughly uniform: mean near 2^31
        let mean = hs.iter().map(|&h| (h >> 32) as f64).sum::<f64>() / n as f64;
        assert!((mean / 2f64.powi(31) - 1.0).abs() < 0.02);
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
