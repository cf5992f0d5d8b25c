//! Text → normalized tokens → shingles.
//!
//! Normalization, in order:
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

use xxhash_rust::xxh3::xxh3_64;

use crate::text::char_scan;
use crate::text::split_hashes::{split_token_hashes, AsciiNorm};
use crate::text::tokenize::{case_rule, normalize_scanned};

pub use crate::text::hashing::{mix64, rolling_weight, token_hash, token_hash_window, P};
pub use crate::text::tokenize::{
    collapse_spaces, is_nfc_fast, is_py_space, nfc_and_case, normalize, words, Case, ShingleOpts, Unit,
};
pub use crate::text::word_tokens::{for_each_word, WordTokens};

/// Calls `f` with the UTF-8 spelling of every shingle of `text` (normalized first), in order.
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
            for_each_char_window(&text, n, f);
        }
    }
}

/// Calls `f` with every window of `n` consecutive characters of `text`, in order (one window of
/// all of them when there are fewer than `n`, none for an empty text). ASCII text is cut by
/// bytes; other text keeps the starts of the last `n` characters in a ring.
fn for_each_char_window(text: &str, n: usize, mut f: impl FnMut(&[u8])) {
    let s = text.as_bytes();
    if s.is_ascii() {
        if s.len() <= n {
            if !s.is_empty() {
                f(s);
            }
            return;
        }
        s.windows(n).for_each(f);
        return;
    }
    // At most one slot per byte: a huge `n` on a short text needs no huge ring.
    let mut ring = vec![0usize; n.min(s.len())];
    let mut count = 0;
    for (at, _) in text.char_indices() {
        if count >= n {
            f(&s[ring[count % n]..at]);
        }
        ring[count % n] = at;
        count += 1;
    }
    // The last window ends the text; with fewer than n characters it is all of them.
    f(&s[ring[if count >= n { count % n } else { 0 }]..]);
}

/// assay's own 64-bit shingle hashes of `text` (pushed onto `out`, repeats kept).
///
/// Word shingles: each token is hashed with [`token_hash`]; a window of token hashes
/// `t_0..t_{n-1}` has the polynomial hash `H = Σ t_j·P^(n−1−j) mod 2⁶⁴`, and the shingle hash
/// is `mix64(H)` (SplitMix64 finaliser). A text with `0 < k < n` tokens has the one shingle
/// `mix64(H)` over its `k` tokens. Character shingles: xxh3-64 of the shingle's UTF-8 bytes.
pub fn shingle_hashes(text: &str, opts: &ShingleOpts, out: &mut Vec<u64>) {
    out.extend_from_slice(shingle_hashes_in(text, opts, &mut Vec::new()));
}

/// [`shingle_hashes`] computed in `buf` (its earlier contents discarded) and returned as a slice
/// of it. Word shingles take two passes: the token hashes of the whole text
/// ([`crate::text::split_hashes`] unless case folding is Unicode), then the window sums over them in
/// place (Horner's rule, eight windows side by side, for n ≤ 16; the O(1) rolling update beyond).
pub fn shingle_hashes_in<'a>(text: &str, opts: &ShingleOpts, buf: &'a mut Vec<u64>) -> &'a [u64] {
    if opts.unit == Unit::Char {
        buf.clear();
        for_each_shingle(text, opts, |s| buf.push(xxh3_64(s)));
        return buf;
    }
    word_token_hashes(text, opts, buf);
    shingles_of_tokens(buf, opts.n)
}

/// The word shingle hashes of [`shingle_hashes_in`] from the token hashes in `buf`, computed over
/// them in place: one shingle of all the tokens when there are fewer than `n`.
pub fn shingles_of_tokens(buf: &mut Vec<u64>, n: usize) -> &[u64] {
    let n = n.max(1);
    if buf.len() < n {
        if !buf.is_empty() {
            // Fewer tokens than n: one shingle of them all.
            buf[0] = mix64(horner(buf));
            buf.truncate(1);
        }
        return buf;
    }
    windows_in_place(buf, n)
}

/// The hashes of the word `opts.n`-grams of `text`, one per window of `n` consecutive tokens
/// (none for a text of fewer than `n` tokens: no short-text shingle), the window at token `i`
/// at index `i`; computed in `buf` (earlier contents discarded) as [`shingle_hashes_in`] does.
pub fn word_ngram_hashes_in<'a>(text: &str, opts: &ShingleOpts, buf: &'a mut Vec<u64>) -> &'a [u64] {
    word_token_hashes(text, opts, buf);
    ngrams_of_tokens(buf, opts.n)
}

/// The n-gram hashes of [`word_ngram_hashes_in`] from the token hashes in `buf`, in place.
pub fn ngrams_of_tokens(buf: &mut Vec<u64>, n: usize) -> &[u64] {
    let n = n.max(1);
    if buf.len() < n {
        buf.clear();
        return buf;
    }
    windows_in_place(buf, n)
}

/// The `len − n + 1` window hashes of the token hashes in `tokens` (`len ≥ n`), written over them.
fn windows_in_place(tokens: &mut [u64], n: usize) -> &[u64] {
    let windows = tokens.len() - n + 1;
    if n <= 16 {
        window_hashes_in_place(tokens, n);
    } else {
        // Long windows: O(1) a token by the rolling update (whose ring keeps the token hashes
        // that the writes behind the read position overwrite).
        let mut roll = Rolling::new(n);
        for k in 0..tokens.len() {
            if let Some(h) = roll.push(tokens[k]) {
                tokens[k + 1 - n] = h;
            }
        }
    }
    &tokens[..windows]
}

/// The word token hashes of `text` under `opts` into `tokens` (cleared first); and the ASCII
/// rule they were split under when the text was split as it stands (it is then NFC), `None` when
/// it was normalized whole first.
pub fn word_token_hashes(text: &str, opts: &ShingleOpts, tokens: &mut Vec<u64>) -> Option<AsciiNorm> {
    // Unicode folding of NFC text whose non-ASCII characters keep their case is ASCII
    // lower-casing; under the other rules the text is tokenised as NFC first and checked after
    // only if it holds a byte that may start a character beyond U+02FF. Text that is not NFC, or
    // in which Unicode folding changes a non-ASCII character, is normalized whole and its normal
    // form split as it stands.
    let found = (opts.case == Case::Unicode).then(|| char_scan::scan(text, true, true));
    let case = found.map_or(opts.case, |found| case_rule(found, opts.case));
    if found.is_none_or(|found| found.nfc) && case != Case::Unicode {
        let norm = AsciiNorm { lower: case == Case::Ascii, strip: opts.strip_punct };
        match split_token_hashes(text.as_bytes(), norm, tokens) {
            Some(false) => return Some(norm),
            Some(true) if found.map_or_else(|| is_nfc_fast(text), |found| found.nfc) => return Some(norm),
            _ => {}
        }
    }
    // Under Unicode folding the scan above answered both of normalize's questions.
    let normal = match found {
        Some(found) => normalize_scanned(text, opts, found),
        None => normalize(text, opts),
    };
    if split_token_hashes(normal.as_bytes(), AsciiNorm::default(), tokens).is_none() {
        // A text of 4 GiB or more.
        token_hashes_one_by_one(&normal, tokens);
    }
    None
}

/// The word token hashes of `text` under two sets of options, `first` into `a` and `second` into
/// `b`, splitting the text once where both rules give the same tokens: equal rules, or (NFC
/// text) the ASCII rule `first` was split under equal to the one `second` names. Unicode
/// folding of the text is ASCII lower-casing exactly when [`word_token_hashes`] splits it under
/// `lower`, so `first` is best the rule with [`Case::Unicode`].
pub fn word_token_hashes_pair(
    text: &str,
    first: &ShingleOpts,
    second: &ShingleOpts,
    a: &mut Vec<u64>,
    b: &mut Vec<u64>,
) {
    let split = word_token_hashes(text, first, a);
    let same_rule = first.case == second.case && first.strip_punct == second.strip_punct;
    let named = AsciiNorm { lower: second.case == Case::Ascii, strip: second.strip_punct };
    if same_rule || (second.case != Case::Unicode && split == Some(named)) {
        b.clear();
        b.extend_from_slice(a);
    } else {
        word_token_hashes(text, second, b);
    }
}

/// The token hashes of normalized `text` from the token-at-a-time tokeniser: what texts of 4 GiB
/// or more take (the split kernel's bounds are `u32`).
fn token_hashes_one_by_one(normal: &str, tokens: &mut Vec<u64>) {
    tokens.clear();
    let keep = ShingleOpts { n: 1, unit: Unit::Word, case: Case::Keep, strip_punct: false };
    for_each_word(normal, &keep, |w| tokens.push(token_hash(w)));
}

/// `Σ_j ts[j]·P^(len−1−j) mod 2⁶⁴`.
#[inline(always)]
fn horner(ts: &[u64]) -> u64 {
    ts.iter().fold(0u64, |h, &t| h.wrapping_mul(P).wrapping_add(t))
}

/// `tokens[i] = mix64(Σ_j tokens[i + j]·P^(n−1−j))` for every window `i` of `n` token hashes,
/// in place (a block of windows reads only positions at or after its own).
fn window_hashes_in_place(tokens: &mut [u64], n: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512dq") {
        // SAFETY: the CPU supports AVX-512F/DQ (checked just above; DQ implies F).
        return unsafe { window_hashes_avx512(tokens, n) };
    }
    window_hashes_generic(tokens, n)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn window_hashes_avx512(tokens: &mut [u64], n: usize) {
    window_hashes_generic(tokens, n)
}

/// Eight windows side by side: independent multiplies (64-bit `vpmullq` lanes where the CPU has
/// them), where the streamed [`Rolling`] chains each window on the previous one.
#[inline(always)]
fn window_hashes_generic(tokens: &mut [u64], n: usize) {
    const LANES: usize = 8;
    let windows = tokens.len() + 1 - n;
    let mut i = 0;
    while i + LANES <= windows {
        let mut h = [0u64; LANES];
        for j in 0..n {
            let t: &[u64; LANES] = tokens[i + j..i + j + LANES].try_into().expect("lanes");
            for l in 0..LANES {
                h[l] = h[l].wrapping_mul(P).wrapping_add(t[l]);
            }
        }
        tokens[i..i + LANES].copy_from_slice(&h.map(mix64));
        i += LANES;
    }
    for i in i..windows {
        tokens[i] = mix64(horner(&tokens[i..i + n]));
    }
}

/// The rolling hash `H = Σ t_j·P^(n−1−j) mod 2⁶⁴` over the last `n` token hashes, fed one token
/// hash at a time (O(1) each: the last `n` live in a ring); shingles are `mix64(H)`.
pub struct Rolling {
    ring: Vec<u64>,
    pow: u64,
    h: u64,
    count: usize,
    slot: usize,
}

impl Rolling {
    pub fn new(n: usize) -> Self {
        Rolling { ring: vec![0; n], pow: rolling_weight(n), h: 0, count: 0, slot: 0 }
    }

    /// Adds a token; the shingle hash `mix64(H)` once `n` tokens are in the window.
    #[inline(always)]
    pub fn push(&mut self, t: u64) -> Option<u64> {
        let n = self.ring.len();
        let old = std::mem::replace(&mut self.ring[self.slot], t);
        let leaving = if self.count >= n { old.wrapping_mul(self.pow) } else { 0 };
        self.h = self.h.wrapping_sub(leaving).wrapping_mul(P).wrapping_add(t);
        self.slot = if self.slot + 1 == n { 0 } else { self.slot + 1 };
        self.count += 1;
        (self.count >= n).then(|| mix64(self.h))
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
        ShingleOpts { n, unit, case: Case::Keep, strip_punct: false }
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
    fn char_windows_equal_slices_between_char_starts() {
        use rand::{Rng, SeedableRng};
        let pieces = ["a", "bc", " ", "é", "東", "𐐀", "xyz"];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..5000 {
            let text: String =
                (0..rng.random_range(0..12)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect();
            let n = rng.random_range(1..7);
            let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let chars = starts.len() - 1;
            let want: Vec<&str> = match chars {
                0 => vec![],
                c if c <= n => vec![text.as_str()],
                c => (0..=c - n).map(|i| &text[starts[i]..starts[i + n]]).collect(),
            };
            let mut got = Vec::new();
            for_each_char_window(&text, n, |w| got.push(std::str::from_utf8(w).unwrap().to_string()));
            assert_eq!(got, want, "{text:?} n={n}");
        }
    }

    #[test]
    fn nfc_makes_combining_forms_equal() {
        let o = opts(1, Unit::Word);
        assert_eq!(shingle_set("cafe\u{301} x", &o), shingle_set("caf\u{e9} x", &o));
    }

    #[test]
    fn the_route_of_texts_over_4_gib_gives_the_split_kernels_hashes() {
        let text = "Tokens of\u{3000}every  length: a bb ccc internationalisation-and-localisation \
                    café\u{a0}東京タワー\t\n x\u{2029}sixteen-bytes-ok seventeen-bytes-x ";
        for reps in [1, 3, 40] {
            let t = text.repeat(reps);
            let (mut split, mut one) = (Vec::new(), Vec::new());
            assert!(split_token_hashes(t.as_bytes(), AsciiNorm::default(), &mut split).is_some());
            token_hashes_one_by_one(&t, &mut one);
            assert_eq!(split, one);
            assert_eq!(one.len(), 13 * reps);
        }
    }

    #[test]
    fn token_hash_spreads_short_tokens() {
        let words: Vec<String> = (0..20000).map(|i| format!("w{i}")).collect();
        let mut hs: Vec<u64> = words.iter().map(|w| token_hash(w.as_bytes())).collect();
        hs.extend(
            ["", "a", "ab", "abc", "abcd", "abcdefgh", "abcdefghijklmnopq"].map(|w| token_hash(w.as_bytes())),
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
    fn window_hash_ignores_bytes_past_the_token() {
        for w in ["", "a", "abc", "abcdefg", "abcdefgh", "abcdefghijklmno", "abcdefghijklmnop", "é"] {
            let mut win = [0xA5u8; 16];
            win[..w.len()].copy_from_slice(w.as_bytes());
            assert_eq!(token_hash_window(w.as_bytes(), &win), token_hash(w.as_bytes()), "{w}");
        }
        let long = "x".repeat(40);
        let o = opts(2, Unit::Word);
        let lm = ShingleOpts { case: Case::Ascii, strip_punct: true, ..o };
        let (a, b) = (format!("Hello, WORLD! {long} ab"), format!("hello world {long} ab"));
        assert_eq!(shingle_set(&a, &lm), shingle_set(&b, &o)); // transformed vs borrowed windows
        assert_eq!(shingle_set("tail ab", &o), shingle_set("tail  ab", &o)); // window at text end
    }

    /// The windowed definition: `H` of every window of `n` token hashes, recomputed from scratch.
    fn windowed_hashes(toks: &[u64], n: usize) -> Vec<u64> {
        toks.windows(n)
            .map(|w| mix64(w.iter().fold(0u64, |h, &t| h.wrapping_mul(P).wrapping_add(t))))
            .collect()
    }

    /// Both mechanisms, the blocks of eight windows (n ≤ 16) and the streamed `Rolling`
    /// (n > 16), against the from-scratch definition; with and without the short-text rule.
    #[test]
    fn block_and_streamed_rolling_hashes_equal_the_windowed_one() {
        let text: String = (0..37).map(|i| format!("{} ", "x".repeat(1 + i * 7 % 19))).collect();
        let toks: Vec<u64> = words(&text).map(|w| token_hash(w.as_bytes())).collect();
        for n in 1..=40 {
            let o = opts(n, Unit::Word);
            let want = windowed_hashes(&toks, n);
            assert_eq!(word_ngram_hashes_in(&text, &o, &mut Vec::new()), want, "n = {n}");
            let mut roll = Rolling::new(n);
            let streamed: Vec<u64> = toks.iter().filter_map(|&t| roll.push(t)).collect();
            assert_eq!(streamed, want, "n = {n}");
            let mut got = Vec::new();
            shingle_hashes(&text, &o, &mut got);
            let short = mix64(toks.iter().fold(0u64, |h, &t| h.wrapping_mul(P).wrapping_add(t)));
            assert_eq!(got, if toks.len() < n { vec![short] } else { want }, "n = {n}");
        }
    }

    /// Tokenised as NFC first and checked after: decomposed text (not NFC: tokenised again from
    /// its normal form), composed and CJK text (bytes ≥ 0xCC, NFC: the first tokens stand), with
    /// and without case folding and punctuation deletion, against the normalized text's words.
    #[test]
    fn nfc_checked_after_tokenising() {
        let texts = [
            "cafe\u{301} au lait, cafe\u{301}!",
            "café au lait, café!",
            "東京 タワー 東京 の 夜",
            "plain ascii text here",
            // Capitals beside non-ASCII letters that keep their case (the ASCII fast path of
            // Unicode folding), and one that folds; "W\u{30A}" is NFC, its lower case is not.
            "The Naïve Café OF Tokyo 東京",
            "The ÀLA Carte",
            "W\u{30A} and ẘ",
        ];
        for case in [Case::Keep, Case::Ascii, Case::Unicode] {
            for strip_punct in [false, true] {
                let o = ShingleOpts { n: 2, unit: Unit::Word, case, strip_punct };
                for text in texts {
                    let norm = crate::text::tokenize::normalize(text, &o);
                    let toks: Vec<u64> = words(&norm).map(|w| token_hash(w.as_bytes())).collect();
                    let mut got = Vec::new();
                    shingle_hashes(text, &o, &mut got);
                    assert_eq!(got, windowed_hashes(&toks, 2), "{text:?} {case:?} {strip_punct}");
                }
            }
        }
    }

    /// The portable window kernel (the one CPUs without AVX-512 DQ run) against the dispatched one.
    #[test]
    fn window_kernels_agree() {
        let toks: Vec<u64> = (0..61u64).map(mix64).collect();
        for n in [1, 2, 5, 8, 13, 16] {
            let (mut a, mut b) = (toks.clone(), toks.clone());
            window_hashes_generic(&mut a, n);
            window_hashes_in_place(&mut b, n);
            let windows = toks.len() + 1 - n;
            assert_eq!(a[..windows], b[..windows], "n = {n}");
            assert_eq!(a[..windows], windowed_hashes(&toks, n)[..], "n = {n}");
        }
    }

    /// One-letter words: a token every two bytes, the most a block of the split kernel holds.
    #[test]
    fn short_words_past_the_reserve() {
        let text: String = (0..300).map(|i| format!("{} ", (b'a' + (i % 26) as u8) as char)).collect();
        let toks: Vec<u64> = words(&text).map(|w| token_hash(w.as_bytes())).collect();
        for n in [1, 5, 20] {
            let mut got = Vec::new();
            shingle_hashes(&text, &opts(n, Unit::Word), &mut got);
            assert_eq!(got, windowed_hashes(&toks, n), "n = {n}");
        }
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
