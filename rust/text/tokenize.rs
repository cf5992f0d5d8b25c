//! Text → normalized word tokens.
//!
//! Normalization, in order:
//! 1. Unicode NFC (skipped when every character is below U+0300 or the NFC quick check says "yes").
//! 2. Optional case folding: [`Case::Unicode`] (`char::to_lowercase`) or [`Case::Ascii`]
//!    (A–Z only, as lm-evaluation-harness's `Janitor.normalize_string`).
//! 3. Optional deletion of ASCII punctuation (Python's `string.punctuation`, as the Janitor).
//!
//! Words are split on exactly the characters Python's `str.split()` splits on (the fast byte-level
//! tokeniser is [`crate::text::word_tokens`]).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

use crate::text::bytes::{byte_map, space_len, special_mask};
use crate::text::char_scan;
pub use crate::text::options::{Case, ShingleOpts, Unit};

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
    // One scan answers both questions of NFC text; text made NFC here is asked again.
    let found = char_scan::scan(text, true, opts.case == Case::Unicode);
    normalize_scanned(text, opts, found)
}

/// [`normalize`] of a text already scanned: `found` is [`char_scan::scan`]`(text, true,
/// opts.case == Case::Unicode)`.
pub fn normalize_scanned<'a>(text: &'a str, opts: &ShingleOpts, found: char_scan::Scan) -> Cow<'a, str> {
    let unicode = opts.case == Case::Unicode;
    let (nfc, fold): (Cow<'a, str>, bool) = if found.nfc {
        (Cow::Borrowed(text), found.folds)
    } else {
        let nfc: String = text.nfc().collect();
        let fold = unicode && folds_non_ascii_case(&nfc);
        (Cow::Owned(nfc), fold)
    };
    let lower_ascii = opts.case != Case::Keep;
    let changes_ascii =
        |b: &u8| (lower_ascii && b.is_ascii_uppercase()) || (opts.strip_punct && b.is_ascii_punctuation());
    if !fold && !nfc.as_bytes().iter().any(changes_ascii) {
        return nfc;
    }
    Cow::Owned(rewrite(&nfc, opts, fold))
}

/// `text` with its ASCII bytes lower-cased (under [`Case::Ascii`] or [`Case::Unicode`]) or
/// deleted (punctuation, with `strip_punct`), and, with `fold`, each non-ASCII character that
/// lower-casing changes replaced by its lower case (`char::to_lowercase`). Every other non-ASCII
/// character is its own lower case, so it is copied as it stands.
fn rewrite(text: &str, opts: &ShingleOpts, fold: bool) -> String {
    let lut = byte_map(opts.case != Case::Keep, opts.strip_punct);
    let mut out: Vec<u8> = Vec::with_capacity(text.len() + 16);
    let copy = |run: &[u8], out: &mut Vec<u8>| {
        if opts.strip_punct {
            out.extend(run.iter().filter_map(|&b| {
                let v = lut[b as usize];
                (v >> 8 != 0).then_some(v as u8)
            }));
        } else {
            // A–Z lower-cased by arithmetic rather than the byte map: the loop is then vectorised.
            let lower = (opts.case != Case::Keep) as u8 * 0x20;
            out.extend(run.iter().map(|&b| b + (b.wrapping_sub(b'A') < 26) as u8 * lower));
        }
    };
    let bytes = text.as_bytes();
    let mut from = 0;
    if fold {
        char_scan::for_each_folding(text, |at, c| {
            copy(&bytes[from..at], &mut out);
            for lower in c.to_lowercase() {
                out.extend_from_slice(lower.encode_utf8(&mut [0; 4]).as_bytes());
            }
            from = at + c.len_utf8();
        });
    }
    copy(&bytes[from..], &mut out);
    // SAFETY: the byte map changes or deletes ASCII bytes only and leaves every byte ≥ 0x80 as
    // it is, and the runs between replaced characters are whole characters; so `out` is the
    // UTF-8 of whole characters.
    unsafe { String::from_utf8_unchecked(out) }
}

/// True when `text` is certainly NFC: the NFC quick check says "yes" ([`char_scan::scan`] reads
/// only as far as the first character that is not a starter with quick check "yes").
pub fn is_nfc_fast(text: &str) -> bool {
    char_scan::scan(text, true, false).nfc
}

/// Whether `text` is certainly NFC ([`is_nfc_fast`]), and the case rule that lower-cases it as
/// `case` does if it is: Unicode folding of NFC text in which no non-ASCII character changes case
/// is ASCII lower-casing. One scan answers both. (The rule holds for NFC text only: [`normalize`]
/// folds after NFC, which may compose characters that then fold.)
pub fn nfc_and_case(text: &str, case: Case) -> (bool, Case) {
    let found = char_scan::scan(text, true, case == Case::Unicode);
    (found.nfc, case_rule(found, case))
}

/// The case rule of [`nfc_and_case`] from the scan `found` of an NFC text (the fold question
/// asked under [`Case::Unicode`]).
pub fn case_rule(found: char_scan::Scan, case: Case) -> Case {
    if case == Case::Unicode && !found.folds {
        Case::Ascii
    } else {
        case
    }
}

/// True when Unicode case folding ([`Case::Unicode`]) changes a non-ASCII character of `text`:
/// otherwise it is ASCII lower-casing, byte for byte.
pub fn folds_non_ascii_case(text: &str) -> bool {
    char_scan::scan(text, false, true).folds
}

/// Word tokens of a normalized text, split as Python's `str.split()` does.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_py_space).filter(|w| !w.is_empty())
}

/// The next byte at or after a position that may start a Python whitespace character (an ASCII
/// control byte, the space, or a lead byte 0xC2, 0xE1–0xE3 of the non-ASCII ones), from masks of
/// 64 bytes ([`special_mask`]) each reused until the walk leaves it.
struct SpaceStops<'a> {
    bytes: &'a [u8],
    from: usize,
    mask: u64,
    len: usize,
}

impl<'a> SpaceStops<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        SpaceStops { bytes, from: 0, mask: 0, len: 0 }
    }

    /// The first such byte at or after `at` (the text's length when there is none).
    #[inline(always)]
    fn next(&mut self, mut at: usize) -> usize {
        loop {
            if at >= self.bytes.len() {
                return self.bytes.len();
            }
            if !(self.from..self.from + self.len).contains(&at) {
                let chunk = &self.bytes[at..self.bytes.len().min(at + 64)];
                (self.from, self.mask, self.len) = (at, special_mask(chunk), chunk.len());
            }
            let rest = self.mask >> (at - self.from);
            if rest != 0 {
                return at + rest.trailing_zeros() as usize;
            }
            at = self.from + self.len;
        }
    }
}

/// Collapses every whitespace run to one space and trims the ends (character shingling): the
/// words of [`words`] joined by one space. Borrows when nothing changes. One pass over the bytes:
/// only ASCII control bytes, the space and the lead bytes of non-ASCII Python whitespace
/// (0xC2, 0xE1, 0xE2, 0xE3) are looked at more closely.
pub fn collapse_spaces(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0; // b[..copied] is in `out` (or unchanged, while `out` is None)
    let mut seen_word = false;
    let mut stops = SpaceStops::new(b);
    let mut i = 0;
    while i < b.len() {
        let stop = stops.next(i);
        if stop > i {
            seen_word = true;
            i = stop;
            continue;
        }
        let c = b[i];
        if space_len(&b[i..]) == 0 {
            seen_word = true;
            i += 1;
            continue;
        }
        let mut end = i;
        while end < b.len() {
            match space_len(&b[end..]) {
                0 => break,
                len => end += len,
            }
        }
        let inner = seen_word && end < b.len();
        if !(inner && end == i + 1 && c == b' ') {
            let o = out.get_or_insert_with(|| Vec::with_capacity(b.len()));
            o.extend_from_slice(&b[copied..i]);
            if inner {
                o.push(b' ');
            }
            copied = end;
        }
        i = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.extend_from_slice(&b[copied..]);
            debug_assert!(std::str::from_utf8(&o).is_ok());
            // SAFETY: `o` is `text` with whole whitespace characters (runs between character
            // boundaries) cut out and ASCII spaces put in their place: valid UTF-8 still.
            Cow::Owned(unsafe { String::from_utf8_unchecked(o) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::char_scan::changes_case;
    use unicode_normalization::{is_nfc_quick, IsNormalized};

    fn opts(n: usize, unit: Unit) -> ShingleOpts {
        ShingleOpts { n, unit, case: Case::Keep, strip_punct: false }
    }

    #[test]
    fn space_stops_are_every_byte_that_may_start_a_space() {
        for b in 0..=255u8 {
            let stop = b <= b' ' || matches!(b, 0xC2 | 0xE1..=0xE3);
            for at in [0, 1, 15, 63, 64, 65, 100] {
                let mut bytes = vec![b'x'; 130];
                bytes[at] = b;
                let mut stops = SpaceStops::new(&bytes);
                let want = if stop { at } else { 130 };
                assert_eq!(stops.next(0), want, "{b:#04x} at {at}");
                assert_eq!(stops.next(at.saturating_sub(1)), want, "{b:#04x} at {at}, from before it");
                assert_eq!(stops.next(at + 1), 130, "{b:#04x} at {at}, from after it");
                assert_eq!(SpaceStops::new(&bytes[..at + 1]).next(0), if stop { at } else { at + 1 });
            }
        }
    }

    #[test]
    fn collapsed_spaces_equal_the_words_joined_by_one_space() {
        use rand::{Rng, SeedableRng};
        // Every Python whitespace character, and non-space characters that share their lead
        // bytes (U+00A3, U+00C2, U+1681, U+200B, U+2030, U+3001), among words, at either end.
        let pieces = [
            "a", "bc", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x1b", "\x00",
            "\u{85}", "\u{a0}", "\u{a3}", "\u{c2}", "\u{1680}", "\u{1681}", "\u{2000}", "\u{200a}",
            "\u{200b}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{2030}", "\u{205f}", "\u{3000}", "\u{3001}",
            "東", "é",
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for _ in 0..20000 {
            let text: String =
                (0..rng.random_range(0..10)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect();
            let want = words(&text).collect::<Vec<_>>().join(" ");
            let got = collapse_spaces(&text);
            assert_eq!(got, want, "{text:?}");
            assert_eq!(matches!(got, Cow::Borrowed(_)), want == text, "{text:?}");
        }
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
            let rule = if folds { Case::Unicode } else { Case::Ascii };
            assert_eq!(nfc_and_case(&text, Case::Unicode), (quick, rule), "{text:?}");
            assert_eq!(nfc_and_case(&text, Case::Keep), (quick, Case::Keep), "{text:?}");
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

    /// The rule written out: NFC, then each character's ASCII punctuation deleted and the
    /// character lower-cased, one at a time.
    fn normalize_char_by_char(text: &str, opts: &ShingleOpts) -> String {
        let mut out = String::new();
        for c in text.nfc() {
            match opts.case {
                _ if opts.strip_punct && c.is_ascii_punctuation() => {}
                Case::Keep => out.push(c),
                Case::Ascii => out.push(c.to_ascii_lowercase()),
                Case::Unicode => out.extend(c.to_lowercase()),
            }
        }
        out
    }

    #[test]
    fn normalize_equals_the_rule_for_every_character() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for text in [format!("A{c},b"), format!("ж{c}Ж\u{301}")] {
                for strip_punct in [false, true] {
                    let o = ShingleOpts { case: Case::Unicode, strip_punct, ..opts(1, Unit::Word) };
                    assert_eq!(normalize(&text, &o), normalize_char_by_char(&text, &o), "U+{:04X}", c as u32);
                }
            }
        }
    }

    #[test]
    fn normalize_equals_the_rule_on_mixed_text() {
        use rand::{Rng, SeedableRng};
        let pieces = [
            "a", "Z", " ", ",", "ж", "Ж", "Ё", "é", "E\u{301}", "İ", "Ⱥ", "ǅ", "ΣΑΣ", "東", "𐐀", "K", "ß",
            "Ω",
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for _ in 0..20000 {
            let text: String =
                (0..rng.random_range(0..60)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect();
            for case in [Case::Keep, Case::Ascii, Case::Unicode] {
                for strip_punct in [false, true] {
                    let o = ShingleOpts { case, strip_punct, ..opts(1, Unit::Word) };
                    assert_eq!(normalize(&text, &o), normalize_char_by_char(&text, &o), "{text:?} {o:?}");
                }
            }
        }
    }

    #[test]
    fn lm_eval_normalization() {
        let o = ShingleOpts::lm_eval(1);
        assert_eq!(normalize("Hello, WORLD! Ünïcode", &o), "hello world Ünïcode");
    }

    #[test]
    fn unicode_lowercase() {
        let o = ShingleOpts { case: Case::Unicode, ..opts(1, Unit::Word) };
        assert_eq!(normalize("ÀB ǅ", &o), "àb ǆ");
    }
}
