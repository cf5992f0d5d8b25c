//! Text → normalised word tokens.
//!
//! Normalisation, in order:
//! 1. Unicode NFC (skipped when every character is below U+0300 or the NFC quick check says "yes").
//! 2. Optional case folding: [`Case::Unicode`] (`char::to_lowercase`) or [`Case::Ascii`]
//!    (A–Z only, as lm-evaluation-harness's `Janitor.normalize_string`).
//! 3. Optional deletion of ASCII punctuation (Python's `string.punctuation`, as the Janitor).
//!
//! Words are split on exactly the characters Python's `str.split()` splits on (the fast byte-level
//! tokeniser is [`crate::word_tokens`]).

use std::borrow::Cow;
use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

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
        ShingleOpts { n, unit: Unit::Word, case: Case::Ascii, strip_punct: true }
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
    let nfc: Cow<'a, str> =
        if is_nfc_fast(text) { Cow::Borrowed(text) } else { Cow::Owned(text.nfc().collect()) };
    let needs_case = match opts.case {
        Case::Keep => false,
        Case::Ascii => nfc.bytes().any(|b| b.is_ascii_uppercase()),
        Case::Unicode => nfc.chars().any(|c| c.is_uppercase() || c.is_titlecase_like()),
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

/// True when `text` is certainly NFC: the NFC quick check says "yes". Characters below U+0300
/// (UTF-8 lead bytes below 0xCC, skipped 1 KiB at a time by a vector maximum) and the BMP
/// characters of [`nfc_safe_bmp`] are starters (combining class 0) with quick-check "yes": the
/// check's state after any run of them is its initial state, so it starts at the first other
/// character (and is not run at all in text such as Cyrillic, Greek or CJK without marks).
pub fn is_nfc_fast(text: &str) -> bool {
    let Some(at) = first_byte_at_least(text.as_bytes(), 0xCC) else {
        return true;
    };
    let (rest, safe) = (&text[at..], nfc_safe_bmp());
    for (i, c) in rest.char_indices() {
        let cp = c as usize;
        if cp >= 0x300 && (cp >= 0x10000 || !safe.contains(cp)) {
            return is_nfc_quick(rest[i..].chars()) == IsNormalized::Yes;
        }
    }
    true
}

/// BMP characters that are starters (combining class 0) with NFC quick check "yes".
fn nfc_safe_bmp() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| {
        BmpSet::of(|c| {
            canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
        })
    })
}

/// A set of BMP characters, one bit each (8 KiB), for per-character properties that a scan asks
/// of every character.
struct BmpSet(Box<[u64; 1024]>);

impl BmpSet {
    fn of(member: impl Fn(char) -> bool) -> Self {
        let mut bits = Box::new([0u64; 1024]);
        for c in (0..0x10000u32).filter_map(char::from_u32).filter(|&c| member(c)) {
            bits[c as usize >> 6] |= 1 << (c as usize & 63);
        }
        BmpSet(bits)
    }

    /// Whether code point `cp` (< 0x10000) is in the set.
    #[inline(always)]
    fn contains(&self, cp: usize) -> bool {
        self.0[cp >> 6] >> (cp & 63) & 1 == 1
    }
}

/// The case rule that lower-cases NFC `text` as `case` does: Unicode folding of a text in which
/// no non-ASCII character changes case is ASCII lower-casing. (Only for NFC text: [`normalize`]
/// folds after NFC, which may compose characters that then fold.)
pub fn case_for_nfc(text: &str, case: Case) -> Case {
    if case == Case::Unicode && !folds_non_ascii_case(text) {
        Case::Ascii
    } else {
        case
    }
}

/// True when Unicode case folding ([`Case::Unicode`]) changes a non-ASCII character of `text`:
/// otherwise it is ASCII lower-casing, byte for byte. BMP characters are looked up in a table.
pub fn folds_non_ascii_case(text: &str) -> bool {
    first_byte_at_least(text.as_bytes(), 0x80).is_some_and(|at| {
        let folding = folding_bmp();
        text[at..].chars().any(|c| {
            let cp = c as usize;
            if cp < 0x10000 {
                folding.contains(cp)
            } else {
                changes_case(c)
            }
        })
    })
}

/// Whether lower-casing changes the non-ASCII character `c` (upper-case, or title-case such as
/// 'ǅ'); false for ASCII.
fn changes_case(c: char) -> bool {
    !c.is_ascii() && (c.is_uppercase() || c.is_titlecase_like())
}

/// BMP characters for which [`changes_case`] holds.
fn folding_bmp() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| BmpSet::of(changes_case))
}

/// Index of the first byte ≥ `limit`, skipping 1 KiB chunks whose vector maximum is below it. For
/// `limit` = 0x80 (the first non-ASCII byte) or ≥ 0xC0 (only lead bytes are so large) that byte
/// begins a character.
fn first_byte_at_least(bytes: &[u8], limit: u8) -> Option<usize> {
    let chunks = bytes.chunks(1024);
    for (k, chunk) in chunks.enumerate() {
        if chunk.iter().fold(0u8, |m, &b| m.max(b)) >= limit {
            return chunk.iter().position(|&b| b >= limit).map(|i| k * 1024 + i);
        }
    }
    None
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
        && !text.as_bytes().windows(2).any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(n: usize, unit: Unit) -> ShingleOpts {
        ShingleOpts { n, unit, case: Case::Keep, strip_punct: false }
    }

    #[test]
    fn fast_checks_skipping_a_prefix_equal_the_checks_over_the_whole_text() {
        use rand::{Rng, SeedableRng};
        use unicode_normalization::is_nfc;
        // Starters below U+0300, combining marks (U+0301, U+0327, U+0323 in both orders),
        // precomposed letters, singleton decompositions (U+212B, U+0374, U+0386 is "yes"),
        // capitals beyond ASCII, Cyrillic, a Cyrillic combining mark, Hangul syllable + jamo.
        let pieces = [
            "a",
            "Z ",
            "é",
            "ǅ",
            "\u{301}",
            "\u{327}\u{323}",
            "\u{323}\u{327}",
            "\u{212B}",
            "東",
            "Ünï",
            "ß",
            "жёлтый",
            "\u{483}",
            "Ά",
            "\u{374}",
            "가\u{11A8}",
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..5000 {
            let mut text: String = "x".repeat(rng.random_range(0..2100));
            for _ in 0..rng.random_range(0..5) {
                text.push_str(pieces[rng.random_range(0..pieces.len())]);
                text.push_str(&"y".repeat(rng.random_range(0..3)));
            }
            let quick = is_nfc_quick(text.chars()) == IsNormalized::Yes;
            assert_eq!(is_nfc_fast(&text), quick, "{text:?}");
            assert!(!quick || is_nfc(&text));
            let folds = text.chars().any(changes_case);
            assert_eq!(folds_non_ascii_case(&text), folds, "{text:?}");
        }
    }

    #[test]
    fn fast_nfc_check_equals_the_quick_check_for_every_bmp_character_in_context() {
        // Each BMP character alone, after a starter, before and after combining marks of high and
        // low class (U+05B0: class 10, quick check "yes"), and between characters that compose.
        for c in (0x80..0x10000u32).filter_map(char::from_u32) {
            for text in [
                format!("{c}"),
                format!("я{c}"),
                format!("{c}\u{301}"),
                format!("{c}\u{323}"),
                format!("{c}\u{5B0}"),
                format!("\u{301}{c}"),
                format!("e{c}\u{301}"),
                format!("{c}\u{1161}"),
            ] {
                let quick = is_nfc_quick(text.chars()) == IsNormalized::Yes;
                assert_eq!(is_nfc_fast(&text), quick, "U+{:04X} in {text:?}", c as u32);
            }
        }
    }

    #[test]
    fn the_case_table_holds_every_character_that_changes_case() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let text = format!("x{c}");
            assert_eq!(folds_non_ascii_case(&text), changes_case(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn lm_eval_normalisation() {
        let o = ShingleOpts::lm_eval(1);
        assert_eq!(normalize("Hello, WORLD! Ünïcode", &o), "hello world Ünïcode");
    }

    #[test]
    fn unicode_lowercase() {
        let o = ShingleOpts { case: Case::Unicode, ..opts(1, Unit::Word) };
        assert_eq!(normalize("ÀB ǅ", &o), "àb ǆ");
    }
}
