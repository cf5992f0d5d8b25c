//! One pass over a text's non-ASCII characters that decides the two questions normalization asks
//! of every text: is it certainly NFC, and does Unicode lower-casing change a non-ASCII character?
//!
//! Two-byte characters (U+0080–U+07FF: Latin-1 and Latin Extended, Greek, Cyrillic, Hebrew,
//! Arabic, ...) are answered from a 2048-bit table of each property, indexed by the lead byte and
//! the byte after it: 64 bytes at a time on CPUs with AVX-512 VBMI, one lead byte at a time
//! without decoding the character elsewhere. Three-byte characters (the rest of the BMP: CJK,
//! kana, Hangul, Indic scripts, ...) are screened the same way by blocks of 64 code points: a
//! 1024-bit table says which blocks hold any character with the property, and only characters of
//! those blocks are looked up one at a time, as are four-byte characters.

use std::sync::OnceLock;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized};

/// What [`scan`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// The NFC quick check says "yes" (true when not asked).
    pub nfc: bool,
    /// Lower-casing changes a non-ASCII character ([`changes_case`]; false when not asked).
    pub folds: bool,
}

/// Answers the questions asked: `nfc` (is the text certainly NFC?) and `fold` (does it hold a
/// non-ASCII character that lower-casing changes?), stopping as soon as both are decided.
///
/// Characters below U+0300 and the BMP characters of [`nfc_safe_bmp`] are starters with quick
/// check "yes": the quick check's state after a run of them is its initial state, so it starts
/// at the first other character.
pub fn scan(text: &str, nfc: bool, fold: bool) -> Scan {
    let mut open = Open::new(nfc, fold);
    candidates(text, open.open, |at| open.visit(text, at));
    open.found
}

/// Calls `f` with each non-ASCII character of `text` that lower-casing changes, and its byte
/// offset, in order.
pub fn for_each_folding(text: &str, mut f: impl FnMut(usize, char)) {
    let fold_only = Questions { nfc: false, fold: true };
    candidates(text, fold_only, |at| {
        let c = text[at..].chars().next().expect("`at` starts a character");
        if folds(c) {
            f(at, c);
        }
        fold_only
    });
}

/// The questions a walk over a text's characters still asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Questions {
    nfc: bool,
    fold: bool,
}

/// Calls `visit` with the byte offset of every non-ASCII character of `text` that may answer
/// one of the questions `open` (each character that does is among them), in order, until it
/// returns no open question.
fn candidates(text: &str, open: Questions, visit: impl FnMut(usize) -> Questions) {
    #[cfg(target_arch = "x86_64")]
    if avx512::available() {
        // SAFETY: the CPU has AVX-512 F, BW and VBMI (checked just above).
        return unsafe { avx512::candidates(text, open, visit) };
    }
    candidates_by_lead(text, open, visit)
}

/// [`candidates`] for any CPU: per 64-byte chunk, the lead bytes of two- and three-byte characters
/// are looked up in the tables of [`two_byte_rows`] and [`three_byte_rows`] (no character
/// decoded); every lead byte of a four-byte character is visited.
fn candidates_by_lead(text: &str, mut open: Questions, mut visit: impl FnMut(usize) -> Questions) {
    let (nfc2, fold2) = two_byte_rows();
    let (nfc3, fold3) = three_byte_rows();
    let asked = |nfc: u64, fold: u64, open: Questions| (nfc * open.nfc as u64) | (fold * open.fold as u64);
    let rows_for = |open: Questions| -> (Rows, BlockRows) {
        (
            std::array::from_fn(|r| asked(nfc2[r], fold2[r], open)),
            std::array::from_fn(|r| asked(nfc3[r], fold3[r], open)),
        )
    };
    let (mut rows2, mut rows3) = rows_for(open);
    let bytes = text.as_bytes();
    let mut chunk = 0;
    while chunk < bytes.len() && (open.nfc || open.fold) {
        let (two, longer) = lead_bytes(bytes, chunk);
        let mut look = 0;
        let mut leads = two;
        while leads != 0 {
            let i = leads.trailing_zeros() as usize;
            leads &= leads - 1;
            // A lead byte of valid UTF-8 has its continuation bytes after it.
            let (lead, next) = (bytes[chunk + i], bytes[chunk + i + 1]);
            look |= (rows2[(lead & 0x1F) as usize] >> (next & 0x3F) & 1) << i;
        }
        let mut leads = longer;
        while leads != 0 {
            let i = leads.trailing_zeros() as usize;
            leads &= leads - 1;
            let (lead, next) = (bytes[chunk + i], bytes[chunk + i + 1]);
            let hit = lead >= 0xF0 || rows3[(lead & 0x0F) as usize] >> (next & 0x3F) & 1 == 1;
            look |= (hit as u64) << i;
        }
        while look != 0 && (open.nfc || open.fold) {
            let before = open;
            open = visit(chunk + look.trailing_zeros() as usize);
            look &= look - 1;
            if open != before {
                (rows2, rows3) = rows_for(open);
            }
        }
        chunk += 64;
    }
}

/// Bits of the lead bytes of two-byte characters (0xC0–0xDF) and of longer characters (≥ 0xE0)
/// among the 64 bytes of `bytes` from `at` (fewer at the end).
#[inline(always)]
fn lead_bytes(bytes: &[u8], at: usize) -> (u64, u64) {
    let mut c = [0u8; 64];
    let c = match bytes[at..].first_chunk::<64>() {
        Some(full) => full,
        None => {
            let rest = &bytes[at..];
            c[..rest.len()].copy_from_slice(rest);
            &c
        }
    };
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_set1_epi8,
        };
        let (mut two, mut longer) = (0u64, 0u64);
        for k in 0..4 {
            // SAFETY: SSE2 is part of x86_64; the unaligned 16-byte load stays inside `c`.
            unsafe {
                let v = _mm_loadu_si128(c.as_ptr().add(16 * k).cast());
                let e0 = _mm_set1_epi8(0xE0u8 as i8);
                let is_two = _mm_cmpeq_epi8(_mm_and_si128(v, e0), _mm_set1_epi8(0xC0u8 as i8));
                let is_longer = _mm_cmpeq_epi8(_mm_max_epu8(v, e0), v);
                two |= (_mm_movemask_epi8(is_two) as u16 as u64) << (16 * k);
                longer |= (_mm_movemask_epi8(is_longer) as u16 as u64) << (16 * k);
            }
        }
        (two, longer)
    }
    #[cfg(not(target_arch = "x86_64"))]
    lead_bytes_by_word(c)
}

/// [`lead_bytes`] of a 64-byte chunk without vector instructions: ASCII skipped 8 bytes at a
/// time, other words byte by byte.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn lead_bytes_by_word(c: &[u8; 64]) -> (u64, u64) {
    let (mut two, mut longer) = (0u64, 0u64);
    for (w, word) in c.chunks_exact(8).enumerate() {
        if u64::from_le_bytes(word.try_into().expect("8 bytes")) & 0x8080_8080_8080_8080 == 0 {
            continue;
        }
        for (k, &b) in word.iter().enumerate() {
            two |= ((b & 0xE0 == 0xC0) as u64) << (8 * w + k);
            longer |= ((b >= 0xE0) as u64) << (8 * w + k);
        }
    }
    (two, longer)
}

/// A two-byte property table as 32 rows of 64 bits: bit `next & 0x3F` of row `lead & 0x1F` is
/// code point `(lead & 0x1F) << 6 | (next & 0x3F)`.
type Rows = [u64; 32];

/// The two-byte characters that end the NFC fast path, and those that lower-casing changes.
fn two_byte_rows() -> &'static (Rows, Rows) {
    static ROWS: OnceLock<(Rows, Rows)> = OnceLock::new();
    ROWS.get_or_init(|| {
        let rows = |member: &dyn Fn(usize) -> bool| -> Rows {
            std::array::from_fn(|r| (0..64).map(|k| (member(64 * r + k) as u64) << k).sum())
        };
        let (nfc, fold) = (nfc_safe_bmp(), folding_bmp());
        (rows(&|cp| cp >= 0x300 && !nfc.contains(cp)), rows(&|cp| fold.contains(cp)))
    })
}

/// A three-byte property table by blocks, as 16 rows of 64 bits: bit `next & 0x3F` of row
/// `lead & 0x0F` stands for the 64 code points `(lead & 0x0F) << 12 | (next & 0x3F) << 6 | 0..64`,
/// and is set where any of them has the property.
type BlockRows = [u64; 16];

/// The blocks of three-byte characters that hold a character ending the NFC fast path, and those
/// that hold a character lower-casing changes.
fn three_byte_rows() -> &'static (BlockRows, BlockRows) {
    static ROWS: OnceLock<(BlockRows, BlockRows)> = OnceLock::new();
    ROWS.get_or_init(|| {
        let rows = |member: &dyn Fn(usize) -> bool| -> BlockRows {
            std::array::from_fn(|r| {
                (0..64).map(|k| ((0..64).any(|c| member(r << 12 | k << 6 | c)) as u64) << k).sum()
            })
        };
        let (nfc, fold) = (nfc_safe_bmp(), folding_bmp());
        (rows(&|cp| !nfc.contains(cp)), rows(&|cp| fold.contains(cp)))
    })
}

/// [`candidates`] one character at a time (the reference of the tests): every non-ASCII
/// character, skipping ASCII 8 bytes at a time.
#[cfg(test)]
fn candidates_scalar(text: &str, mut open: Questions, mut visit: impl FnMut(usize) -> Questions) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() && (open.nfc || open.fold) {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            if word & 0x8080_8080_8080_8080 == 0 {
                at += 8;
                continue;
            }
        }
        if bytes[at] >= 0xC0 {
            open = visit(at);
        }
        at += 1;
    }
}

/// The questions still open and the answers so far.
struct Open {
    open: Questions,
    found: Scan,
}

impl Open {
    fn new(nfc: bool, fold: bool) -> Self {
        Open { open: Questions { nfc, fold }, found: Scan { nfc: true, folds: false } }
    }

    /// Looks at the non-ASCII character starting at byte `at` of `text`; the questions left.
    #[inline(always)]
    fn visit(&mut self, text: &str, at: usize) -> Questions {
        let c = text[at..].chars().next().expect("`at` starts a character");
        let cp = c as usize;
        if self.open.fold && folds(c) {
            (self.found.folds, self.open.fold) = (true, false);
        }
        if self.open.nfc && cp >= 0x300 && (cp >= 0x10000 || !nfc_safe_bmp().contains(cp)) {
            self.found.nfc = is_nfc_quick(text[at..].chars()) == IsNormalized::Yes;
            self.open.nfc = false;
        }
        self.open
    }
}

/// [`changes_case`], BMP characters looked up in a table.
#[inline(always)]
fn folds(c: char) -> bool {
    let cp = c as usize;
    if cp < 0x10000 {
        folding_bmp().contains(cp)
    } else {
        changes_case(c)
    }
}

/// [`scan`] one character at a time (the reference of the vector kernel's tests).
#[cfg(test)]
fn scan_scalar(text: &str, nfc: bool, fold: bool) -> Scan {
    let mut open = Open::new(nfc, fold);
    candidates_scalar(text, open.open, |at| open.visit(text, at));
    open.found
}

/// [`scan`] by the portable kernel (the one CPUs without AVX-512 VBMI run).
#[cfg(test)]
fn scan_by_lead(text: &str, nfc: bool, fold: bool) -> Scan {
    let mut open = Open::new(nfc, fold);
    candidates_by_lead(text, open.open, |at| open.visit(text, at));
    open.found
}

/// A set of BMP characters, one bit each (8 KiB), for per-character properties that a scan asks
/// of every character.
pub struct BmpSet(Box<[u64; 1024]>);

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
    pub fn contains(&self, cp: usize) -> bool {
        self.0[cp >> 6] >> (cp & 63) & 1 == 1
    }
}

/// BMP characters that are starters (combining class 0) with NFC quick check "yes".
pub fn nfc_safe_bmp() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| {
        BmpSet::of(|c| {
            canonical_combining_class(c) == 0 && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
        })
    })
}

/// BMP characters for which [`changes_case`] holds.
pub fn folding_bmp() -> &'static BmpSet {
    static SET: OnceLock<BmpSet> = OnceLock::new();
    SET.get_or_init(|| BmpSet::of(changes_case))
}

/// Whether lower-casing changes the non-ASCII character `c` (upper-case, or title-case such as
/// 'ǅ'); false for ASCII.
pub fn changes_case(c: char) -> bool {
    !c.is_ascii() && (c.is_uppercase() || c.is_titlecase_like())
}

pub trait TitleCase {
    fn is_titlecase_like(&self) -> bool;
}

impl TitleCase for char {
    /// Characters whose lower-case mapping differs though they are not upper-case (titlecase
    /// digraphs such as 'ǅ', some symbols): caught by comparing with the lower-case mapping.
    fn is_titlecase_like(&self) -> bool {
        !self.is_ascii() && !self.is_lowercase() && self.to_lowercase().next() != Some(*self)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m512i, _mm512_and_si512, _mm512_cmpeq_epi8_mask, _mm512_cmpge_epu8_mask, _mm512_loadu_si512,
        _mm512_mask_blend_epi8, _mm512_maskz_loadu_epi8, _mm512_movepi8_mask, _mm512_or_si512,
        _mm512_permutex2var_epi8, _mm512_set1_epi8, _mm512_shuffle_epi8, _mm512_slli_epi16,
        _mm512_srli_epi16, _mm512_test_epi8_mask,
    };
    use std::sync::OnceLock;

    use super::{three_byte_rows, two_byte_rows, Questions};

    pub fn available() -> bool {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vbmi")
    }

    /// A bit table in `R` registers (64 bytes each).
    #[derive(Clone, Copy)]
    struct Registers<const R: usize>([__m512i; R]);

    // SAFETY: plain vector data, read only.
    unsafe impl<const R: usize> Send for Registers<R> {}
    unsafe impl<const R: usize> Sync for Registers<R> {}

    /// A two-byte table: 2048 bits.
    type Table = Registers<4>;
    /// A three-byte block table: 1024 bits.
    type BlockTable = Registers<2>;

    /// Rows of 64 bits in registers, little-endian: row `r` bit `k` is byte `8r + k / 8`, bit
    /// `k % 8` (for the two-byte tables, code point `cp`'s bit `cp % 8` of byte `cp / 8`).
    fn registers<const R: usize>(rows: &[u64]) -> Registers<R> {
        assert_eq!(rows.len(), 8 * R, "8 rows of 64 bits a register");
        let bytes: Vec<u8> = rows.iter().flat_map(|r| r.to_le_bytes()).collect();
        // SAFETY: R unaligned 64-byte loads of the 64·R bytes.
        Registers(std::array::from_fn(|k| unsafe { _mm512_loadu_si512(bytes[64 * k..].as_ptr().cast()) }))
    }

    /// [`two_byte_rows`] in registers.
    fn tables() -> &'static (Table, Table) {
        static TABLES: OnceLock<(Table, Table)> = OnceLock::new();
        TABLES.get_or_init(|| {
            let (nfc_rows, fold_rows) = two_byte_rows();
            (registers(nfc_rows), registers(fold_rows))
        })
    }

    /// [`three_byte_rows`] in registers: byte `8·(lead & 0x0F) + (next & 0x3F) / 8`, bit
    /// `next % 8`.
    fn block_tables() -> &'static (BlockTable, BlockTable) {
        static TABLES: OnceLock<(BlockTable, BlockTable)> = OnceLock::new();
        TABLES.get_or_init(|| {
            let (nfc_rows, fold_rows) = three_byte_rows();
            (registers(nfc_rows), registers(fold_rows))
        })
    }

    /// Bits of the lanes of `index` (its low 7 bits: byte of the table) and `bit` set in `table`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    fn lookup_blocks(table: &BlockTable, index: __m512i, bit: __m512i) -> u64 {
        let [t0, t1] = table.0;
        _mm512_test_epi8_mask(_mm512_permutex2var_epi8(t0, index, t1), bit)
    }

    /// Bits of the lanes of `index` (cp / 8) and `bit` (1 << cp % 8) set in `table`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    fn lookup(table: &Table, index: __m512i, bit: __m512i) -> u64 {
        let [t0, t1, t2, t3] = table.0;
        let low = _mm512_permutex2var_epi8(t0, index, t1);
        let high = _mm512_permutex2var_epi8(t2, index, t3);
        let byte = _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high);
        _mm512_test_epi8_mask(byte, bit)
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub fn candidates(text: &str, mut open: Questions, mut visit: impl FnMut(usize) -> Questions) {
        let (nfc_table, fold_table) = tables();
        let (nfc_blocks, fold_blocks) = block_tables();
        let bytes = text.as_bytes();
        let n = bytes.len();
        // Powers of two in every 16-byte lane, for the bit of each code point within its byte.
        let pow2 = pow2_lanes();
        let mut chunk = 0;
        while chunk < n && (open.nfc || open.fold) {
            let load = |from: usize| {
                let len = n.saturating_sub(from).min(64);
                let mask = if len == 64 { u64::MAX } else { (1u64 << len) - 1 };
                // SAFETY: the mask covers only bytes `from..from + len` of the text; masked-off
                // lanes are not read (AVX-512 masked loads suppress faults).
                unsafe { _mm512_maskz_loadu_epi8(mask, bytes.as_ptr().add(from.min(n)).cast()) }
            };
            let v = load(chunk);
            if _mm512_movepi8_mask(v) == 0 {
                chunk += 64;
                continue;
            }
            let w = load(chunk + 1);
            let byte = |b: u8| _mm512_set1_epi8(b as i8);
            let lead2 = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, byte(0xE0)), byte(0xC0));
            let lead3 = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, byte(0xF0)), byte(0xE0));
            let mut look = _mm512_cmpge_epu8_mask(v, byte(0xF0));
            // Two-byte code point (lead & 0x1F) << 6 | (next & 0x3F): byte cp >> 3 of a table, bit
            // cp & 7. For a three-byte lead (lead & 0x1F < 16) the same index is byte
            // 8·(lead & 0x0F) + (next & 0x3F) / 8 of a block table, and the same bit.
            let index = _mm512_or_si512(
                _mm512_and_si512(_mm512_slli_epi16(v, 3), byte(0xF8)),
                _mm512_and_si512(_mm512_srli_epi16(w, 3), byte(0x07)),
            );
            let bit = _mm512_shuffle_epi8(pow2, _mm512_and_si512(w, byte(0x07)));
            if open.nfc {
                look |= lead2 & lookup(nfc_table, index, bit);
                look |= lead3 & lookup_blocks(nfc_blocks, index, bit);
            }
            if open.fold {
                look |= lead2 & lookup(fold_table, index, bit);
                look |= lead3 & lookup_blocks(fold_blocks, index, bit);
            }
            // Lead bytes are never continuation bytes, so each bit starts a character.
            while look != 0 && (open.nfc || open.fold) {
                open = visit(chunk + look.trailing_zeros() as usize);
                look &= look - 1;
            }
            chunk += 64;
        }
    }

    #[inline(always)]
    fn pow2_lanes() -> __m512i {
        let pow2: [u8; 64] = std::array::from_fn(|i| 1 << (i % 8));
        // SAFETY: one unaligned 64-byte load of the 64-byte array.
        unsafe { _mm512_loadu_si512(pow2.as_ptr().cast()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn the_vector_scan_equals_the_scalar_scan_at_every_offset() {
        // Two-byte characters on both sides of each table's edges, a three-byte lead, an astral
        // capital, at every place in and across 64-byte chunks.
        let pieces = [
            "ж", "Ж", "ё", "Ё", "é", "É", "Ά", "\u{374}", "\u{387}", "\u{483}", "\u{301}", "\u{7FF}", "Ǆ",
            "東", "𐐀", "ß",
        ];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        for _ in 0..20000 {
            let mut text = String::new();
            for _ in 0..rng.random_range(0..12) {
                text.push_str(&"x".repeat(rng.random_range(0..70)));
                text.push_str(pieces[rng.random_range(0..pieces.len())]);
            }
            for (nfc, fold) in [(true, false), (false, true), (true, true)] {
                let want = scan_scalar(&text, nfc, fold);
                assert_eq!(scan(&text, nfc, fold), want, "{text:?} {nfc} {fold}");
                assert_eq!(scan_by_lead(&text, nfc, fold), want, "by lead: {text:?} {nfc} {fold}");
            }
        }
    }

    #[test]
    fn lead_bytes_of_every_byte_at_every_place() {
        for b in 0..=255u8 {
            for i in [0, 1, 7, 8, 15, 31, 56, 63] {
                let mut c = [b'x'; 64];
                c[i] = b;
                let want = (((b & 0xE0 == 0xC0) as u64) << i, ((b >= 0xE0) as u64) << i);
                assert_eq!(lead_bytes(&c, 0), want, "{b:#04x} at {i}");
                assert_eq!(lead_bytes_by_word(&c), want, "by word: {b:#04x} at {i}");
                assert_eq!(lead_bytes(&c[..i + 1], 0), want, "short: {b:#04x} at {i}");
            }
        }
    }

    #[test]
    fn folding_characters_are_found_in_order() {
        let text = format!("{}Ж{}жЁx𐐀 Ǆ", "a".repeat(70), "b".repeat(63));
        let mut found = Vec::new();
        for_each_folding(&text, |at, c| found.push((at, c)));
        let want: Vec<(usize, char)> = text.char_indices().filter(|&(_, c)| changes_case(c)).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn every_three_byte_character_at_places_in_a_chunk() {
        // CJK, kana, Hangul, the compatibility ideographs (not NFC), fullwidth capitals (folding),
        // combining marks: every BMP character beyond U+07FF, alone and after a safe CJK run.
        for c in (0x800..0x10000u32).filter_map(char::from_u32) {
            for (at, before) in [(0, ""), (61, ""), (63, ""), (1, "東京")] {
                let text = format!("{}{before}{c}{}", "a".repeat(at), "b".repeat(at % 3));
                for (nfc, fold) in [(true, false), (false, true), (true, true)] {
                    let want = scan_scalar(&text, nfc, fold);
                    assert_eq!(scan(&text, nfc, fold), want, "U+{:04X} at {at}", c as u32);
                    assert_eq!(scan_by_lead(&text, nfc, fold), want, "by lead: U+{:04X} at {at}", c as u32);
                }
            }
        }
    }

    #[test]
    fn three_byte_blocks_hold_exactly_the_characters_that_ask() {
        let (nfc3, fold3) = three_byte_rows();
        let block = |rows: &BlockRows, cp: usize| rows[cp >> 12] >> (cp >> 6 & 63) & 1 == 1;
        for c in (0x800..0x10000u32).filter_map(char::from_u32) {
            let cp = c as usize;
            if !nfc_safe_bmp().contains(cp) {
                assert!(block(nfc3, cp), "U+{cp:04X} ends the NFC fast path");
            }
            if changes_case(c) {
                assert!(block(fold3, cp), "U+{cp:04X} changes case");
            }
        }
        // The CJK unified ideographs (U+4E00–U+9FFF) are safe and caseless: no lookups.
        assert!((0x4E00..0xA000).step_by(64).all(|cp| !block(nfc3, cp) && !block(fold3, cp)));
    }

    #[test]
    fn every_two_byte_character_at_every_place_in_a_chunk() {
        for c in (0x80..0x800u32).filter_map(char::from_u32) {
            for at in [0, 1, 31, 62, 63, 64, 127] {
                let text = format!("{}{c}{}", "a".repeat(at), "b".repeat(at % 3));
                for (nfc, fold) in [(true, false), (false, true), (true, true)] {
                    let want = scan_scalar(&text, nfc, fold);
                    assert_eq!(scan(&text, nfc, fold), want, "U+{:04X} at {at}", c as u32);
                    assert_eq!(scan_by_lead(&text, nfc, fold), want, "by lead: U+{:04X} at {at}", c as u32);
                }
            }
        }
    }
}
