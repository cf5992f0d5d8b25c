//! Token hashes of NFC text, optionally ASCII lower-cased and stripped of ASCII punctuation,
//! split on exactly what Python's `str.split()` splits on, in three steps per block of 512 bytes:
//! a delimiter bit per byte (64 at a time), the bounds of every token flattened out of those
//! bits, then the token hashes, one independent computation per token (tokens of at most 16
//! bytes normalized inside one register where the CPU has AVX-512 VBMI2).
//!
//! [`WordTokens`](crate::text::word_tokens::WordTokens) walks the text token by token; its loop carries
//! its position from one token to the next and branches on every token's length and place. Here
//! plain ASCII text branches about once per block of ~70 tokens (more for the lead bytes of
//! multi-byte spaces, chunks of over 16 bounds, and, without VBMI2, tokens that normalization
//! changes), and the hashes of neighbouring tokens overlap in the pipeline.

use crate::text::bytes::{byte_map, normalize_token, space_len, unchanged, window};
use crate::text::hashing::token_hash_window;

const CHUNK: usize = 64;
const CHUNKS: usize = 8;
const BLOCK: usize = CHUNK * CHUNKS;
/// Slack past the last bound of a block: [`flatten`] writes 16 at a time.
const SLACK: usize = 16;

/// ASCII normalization of each token: lower-casing A–Z and/or deleting `string.punctuation`
/// (tokens left empty are dropped), as lm-evaluation-harness's `Janitor` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AsciiNorm {
    pub lower: bool,
    pub strip: bool,
}

/// The token hashes ([`token_hash_window`]) of the words of `text` (read as NFC, normalized by
/// `norm`) into `tokens` (cleared first); and whether a byte ≥ 0xCC was seen (a character at or
/// above U+0300: only then may the text not be NFC). `None` (and `tokens` untouched) for a text
/// of 4 GiB or more, whose byte offsets do not fit the `u32` bounds.
pub fn split_token_hashes(text: &[u8], norm: AsciiNorm, tokens: &mut Vec<u64>) -> Option<bool> {
    if u32::try_from(text.len()).is_err() {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if avx512::available() {
            // SAFETY: the CPU has AVX-512 F, BW, VL and VBMI2, POPCNT and BMI1/2 (checked just above).
            return Some(unsafe { avx512::split_token_hashes(text, norm, tokens) });
        }
        if ssse3::available() {
            // SAFETY: the CPU has AVX2, SSSE3, POPCNT and BMI1 (checked just above).
            return Some(unsafe { ssse3::split_token_hashes(text, norm, tokens) });
        }
    }
    Some(split_with::<false, false>(text, norm, tokens))
}

/// Rewrites tokens that [`AsciiNorm`] changes, in a buffer made on first use.
struct Rewriter {
    norm: AsciiNorm,
    buf: Vec<u8>,
}

impl Rewriter {
    /// The hash of `tok` normalized (`win`: 16 bytes starting at it), `None` when nothing of it
    /// is kept.
    #[inline(always)]
    fn hash<const WIDE: bool, const SHUF: bool>(&mut self, tok: &[u8], win: &[u8; 16]) -> Option<u64> {
        let AsciiNorm { lower, strip } = self.norm;
        if tok.len() <= 16 {
            #[cfg(target_arch = "x86_64")]
            if WIDE {
                // SAFETY: WIDE callers run with AVX-512 BW, VL and VBMI2 enabled and checked.
                let (w, len) = unsafe { avx512::normalize_window(win, tok.len(), lower, strip) };
                return (len > 0).then(|| token_hash_window(&w[..len], &w));
            }
            #[cfg(target_arch = "x86_64")]
            if SHUF {
                // SAFETY: SHUF callers run with SSSE3 and POPCNT enabled and checked.
                let (w, len) = unsafe { ssse3::normalize_window(win, tok.len(), lower, strip) };
                return (len > 0).then(|| token_hash_window(&w[..len], &w));
            }
        }
        if unchanged(tok, win, lower, strip) {
            return Some(token_hash_window(tok, win));
        }
        self.rewritten(tok)
    }

    #[inline(never)]
    fn rewritten(&mut self, tok: &[u8]) -> Option<u64> {
        let AsciiNorm { lower, strip } = self.norm;
        let len = normalize_token(tok, byte_map(lower, strip), &mut self.buf)?;
        let first: &[u8; 16] = self.buf.first_chunk().expect("normalize_token keeps 64 bytes");
        Some(token_hash_window(&self.buf[..len], first))
    }
}

/// [`split_token_hashes`] for a text under 4 GiB; `WIDE`: with AVX-512 BW, VL and VBMI2, `SHUF`:
/// with SSSE3 and POPCNT (the caller has checked the CPU and enabled them).
#[inline(always)]
fn split_with<const WIDE: bool, const SHUF: bool>(
    text: &[u8],
    norm: AsciiNorm,
    tokens: &mut Vec<u64>,
) -> bool {
    let n = text.len();
    tokens.clear();
    let transform = norm.lower || norm.strip;
    let mut rewriter = Rewriter { norm, buf: Vec::new() };
    // starts[0] carries the start of a token still open at the end of the previous block.
    let mut starts = [0u32; 1 + BLOCK / 2 + SLACK];
    let mut ends = [0u32; BLOCK / 2 + SLACK];
    let mut open = false;
    let mut after_delim = true;
    let mut spill = 0u64;
    let mut high = false;
    let mut pad = [0u8; 16];
    for block in (0..n).step_by(BLOCK) {
        let (mut ns, mut ne) = (open as usize, 0);
        for at in (block..n.min(block + BLOCK)).step_by(CHUNK) {
            let (d, h) = delimiters::<WIDE>(text, at, &mut spill);
            high |= h;
            let prev = (d << 1) | after_delim as u64;
            flatten::<WIDE>(!d & prev, at as u32, &mut starts, &mut ns);
            flatten::<WIDE>(d & !prev, at as u32, &mut ends, &mut ne);
            after_delim = d >> 63 != 0;
        }
        tokens.reserve(ne + 1);
        let out = &mut tokens.spare_capacity_mut()[..ne];
        let mut kept = 0;
        for (&s, &e) in starts.iter().zip(&ends[..ne]) {
            let rest = &text[s as usize..];
            let tok = &rest[..(e - s) as usize];
            // Near the end of the text through `pad`, whose stale bytes past the token the hash ignores.
            let win = window(rest, &mut pad);
            if !transform {
                out[kept].write(token_hash_window(tok, win));
                kept += 1;
            } else if let Some(h) = rewriter.hash::<WIDE, SHUF>(tok, win) {
                out[kept].write(h);
                kept += 1;
            }
        }
        // SAFETY: the first `kept` slots of the spare capacity were written just above.
        unsafe { tokens.set_len(tokens.len() + kept) };
        open = ns > ne;
        starts[0] = starts[ne];
    }
    // A text whose length is a multiple of 64 has no padding delimiter to close its last token.
    if open {
        let rest = &text[starts[0] as usize..];
        let win = window(rest, &mut pad);
        let h = if transform {
            rewriter.hash::<WIDE, SHUF>(rest, win)
        } else {
            Some(token_hash_window(rest, win))
        };
        tokens.extend(h);
    }
    high
}

/// Bit `i` set when byte `at + i` of `text` belongs to a delimiter (a Python whitespace
/// character) or lies past the end of the text; and whether a byte ≥ 0xCC is among them.
/// `spill` carries the bits of a multi-byte space that runs into the next chunk.
#[inline(always)]
fn delimiters<const WIDE: bool>(text: &[u8], at: usize, spill: &mut u64) -> (u64, bool) {
    let chunk = &text[at..text.len().min(at + CHUNK)];
    let (mut d, leads, high) = match chunk.first_chunk::<CHUNK>() {
        Some(c) => ascii_spaces::<WIDE>(c),
        None => {
            let mut c = [0u8; CHUNK];
            c[..chunk.len()].copy_from_slice(chunk);
            let (d, leads, high) = ascii_spaces::<WIDE>(&c);
            (d | !0u64 << chunk.len(), leads, high)
        }
    };
    d |= std::mem::take(spill);
    let mut rest = leads;
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        let w = space_len(&text[at + i..]);
        if w > 0 {
            let bits = ((1u128 << w) - 1) << i;
            d |= bits as u64;
            *spill |= (bits >> 64) as u64;
        }
    }
    (d, high != 0)
}

/// Bits of a 64-byte chunk's ASCII whitespace bytes (`\t`..`\r`, 0x1C..0x20), of its bytes that
/// may begin a non-ASCII whitespace character (0xC2, 0xE1–0xE3: see `space_len`), and of its
/// bytes ≥ 0xCC (characters at or above U+0300). Other non-ASCII bytes cost nothing more.
#[inline(always)]
fn ascii_spaces<const WIDE: bool>(c: &[u8; CHUNK]) -> (u64, u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        if WIDE {
            // SAFETY: WIDE callers run with AVX-512 BW enabled and checked.
            return unsafe { avx512::ascii_spaces(c) };
        }
        use std::arch::x86_64::{_mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128};
        let (mut d, mut leads, mut high) = (0u64, 0u64, 0u64);
        for k in 0..CHUNK / 16 {
            // SAFETY: SSE2 is part of x86_64; the unaligned 16-byte load stays inside `c`.
            unsafe {
                let v = _mm_loadu_si128(c.as_ptr().add(16 * k).cast());
                let within = |lo, hi| sse2_within(v, lo, hi);
                let bits = |m| (_mm_movemask_epi8(m) as u16 as u64) << (16 * k);
                d |= bits(_mm_or_si128(within(b'\t', b'\r'), within(0x1C, 0x20)));
                leads |= bits(_mm_or_si128(within(0xC2, 0xC2), within(0xE1, 0xE3)));
                high |= bits(within(0xCC, 0xFF));
            }
        }
        (d, leads, high)
    }
    #[cfg(not(target_arch = "x86_64"))]
    c.iter().enumerate().fold((0, 0, 0), |(d, leads, high), (i, &b)| {
        let space = matches!(b, b'\t'..=b'\r' | 0x1C..=0x20);
        let lead = matches!(b, 0xC2 | 0xE1..=0xE3);
        (d | (space as u64) << i, leads | (lead as u64) << i, high | ((b >= 0xCC) as u64) << i)
    })
}

/// Lanes of `v` whose byte is in `lo..=hi` (unsigned) set to 0xFF, the others to 0.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn sse2_within(v: std::arch::x86_64::__m128i, lo: u8, hi: u8) -> std::arch::x86_64::__m128i {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8};
    // lo ≤ v ≤ hi ⟺ saturating (v − lo) − (hi − lo) is zero.
    // SAFETY: SSE2 is part of x86_64; register operations only.
    unsafe {
        let shifted = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
        _mm_cmpeq_epi8(_mm_subs_epu8(shifted, _mm_set1_epi8((hi - lo) as i8)), _mm_setzero_si128())
    }
}

/// Appends `at + i` for every set bit `i` of `bits` to `out[*len..]`, advancing `*len`. Slots
/// past the count are written too (the extra ones are overwritten later or never read): the
/// portable loop writes 16 whatever the count, branching only for a chunk of more than 16
/// bounds; the AVX-512 one writes the count rounded up to a multiple of 16.
#[inline(always)]
fn flatten<const WIDE: bool>(mut bits: u64, at: u32, out: &mut [u32], len: &mut usize) {
    let count = bits.count_ones() as usize;
    let k = *len;
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        // SAFETY: WIDE callers run with AVX-512 F, BW and VBMI2 enabled and checked.
        unsafe { avx512::flatten(bits, at, &mut out[k..k + count.next_multiple_of(16)]) };
        *len += count;
        return;
    }
    for slot in &mut out[k..k + SLACK] {
        // Past the last bit this is `at + 64`, which may wrap for a text near 4 GiB: unread.
        *slot = at.wrapping_add(bits.trailing_zeros());
        bits &= bits.wrapping_sub(1);
    }
    let mut k = k + SLACK;
    while bits != 0 {
        out[k] = at + bits.trailing_zeros();
        bits &= bits - 1;
        k += 1;
    }
    *len += count;
}

#[cfg(target_arch = "x86_64")]
mod ssse3 {
    use std::arch::x86_64::{
        _mm_add_epi8, _mm_and_si128, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x, _mm_shuffle_epi8, _mm_storeu_si128,
    };

    /// The kernel for CPUs with AVX2 but not AVX-512 (x86-64-v3: the baseline x86 server and
    /// desktop of the last decade).
    pub fn available() -> bool {
        is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("ssse3")
            && is_x86_feature_detected!("popcnt")
            && is_x86_feature_detected!("bmi1")
    }

    #[target_feature(enable = "avx2,ssse3,popcnt,bmi1")]
    pub fn split_token_hashes(text: &[u8], norm: super::AsciiNorm, tokens: &mut Vec<u64>) -> bool {
        super::split_with::<false, true>(text, norm, tokens)
    }

    /// For each 8-bit mask, the indices of its set bits in order, then 0x80 (a zero byte under
    /// `pshufb`) in the other lanes.
    const COMPRESS: [u64; 256] = {
        let mut table = [0u64; 256];
        let mut m = 0;
        while m < 256 {
            let (mut lanes, mut k, mut bit) = ([0x80u8; 8], 0, 0);
            while bit < 8 {
                if m >> bit & 1 == 1 {
                    lanes[k] = bit as u8;
                    k += 1;
                }
                bit += 1;
            }
            table[m] = u64::from_le_bytes(lanes);
            m += 1;
        }
        table
    };

    /// Row `k`: the `pshufb` lanes that move the bytes at 8.. of a register to `k`.. and keep
    /// its first `k` bytes (0x80 past the 16: zero).
    const CLOSE_UP: [[u8; 16]; 9] = {
        let mut table = [[0x80u8; 16]; 9];
        let mut k = 0;
        while k <= 8 {
            let mut j = 0;
            while j < 16 {
                if j < k {
                    table[k][j] = j as u8;
                } else if j < k + 8 {
                    table[k][j] = (j + 8 - k) as u8;
                }
                j += 1;
            }
            k += 1;
        }
        table
    };

    /// [`super::avx512::normalize_window`] with SSSE3: each 8-byte half compressed by a `pshufb`
    /// of a [`COMPRESS`] row, then the second half closed up to the first by one more.
    #[inline]
    #[target_feature(enable = "ssse3,popcnt")]
    pub fn normalize_window(win: &[u8; 16], len: usize, lower: bool, strip: bool) -> ([u8; 16], usize) {
        // SAFETY: one unaligned 16-byte load of `win`.
        let mut v = unsafe { _mm_loadu_si128(win.as_ptr().cast()) };
        let within = super::sse2_within;
        if lower {
            v = _mm_add_epi8(v, _mm_and_si128(within(v, b'A', b'Z'), _mm_set1_epi8(0x20)));
        }
        let mut keep = (1u32 << len) - 1;
        if strip {
            let punct = _mm_or_si128(
                _mm_or_si128(within(v, 0x21, 0x2F), within(v, 0x3A, 0x40)),
                _mm_or_si128(within(v, 0x5B, 0x60), within(v, 0x7B, 0x7E)),
            );
            keep &= !(_mm_movemask_epi8(punct) as u32);
        }
        let (low, high) = ((keep & 0xFF) as usize, (keep >> 8) as usize);
        let halves = _mm_set_epi64x((COMPRESS[high] + 0x0808_0808_0808_0808) as i64, COMPRESS[low] as i64);
        let kept_low = low.count_ones() as usize;
        // SAFETY: one unaligned 16-byte load of a table row.
        let close_up = unsafe { _mm_loadu_si128(CLOSE_UP[kept_low].as_ptr().cast()) };
        let packed = _mm_shuffle_epi8(_mm_shuffle_epi8(v, halves), close_up);
        let mut out = [0u8; 16];
        // SAFETY: one unaligned 16-byte store into `out`.
        unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), packed) };
        (out, kept_low + high.count_ones() as usize)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m128i, _mm512_add_epi32, _mm512_castsi512_si128, _mm512_cmple_epu8_mask, _mm512_cvtepu8_epi32,
        _mm512_extracti32x4_epi32, _mm512_loadu_si512, _mm512_maskz_compress_epi8, _mm512_set1_epi32,
        _mm512_set1_epi8, _mm512_set_epi64, _mm512_storeu_si512, _mm512_sub_epi8, _mm_cmple_epu8_mask,
        _mm_loadu_si128, _mm_mask_add_epi8, _mm_maskz_compress_epi8, _mm_set1_epi8, _mm_storeu_si128,
        _mm_sub_epi8,
    };

    use super::CHUNK;

    pub fn available() -> bool {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("popcnt")
            && is_x86_feature_detected!("bmi1")
            && is_x86_feature_detected!("bmi2")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512vbmi2")
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
    pub fn split_token_hashes(text: &[u8], norm: super::AsciiNorm, tokens: &mut Vec<u64>) -> bool {
        super::split_with::<true, false>(text, norm, tokens)
    }

    /// The first `len` (≤ 16) bytes of `win` lower-cased (A–Z, with `lower`) and without ASCII
    /// punctuation (with `strip`), zero-padded to 16 bytes; and how many bytes are kept.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512vbmi2,popcnt,bmi1,bmi2")]
    pub fn normalize_window(win: &[u8; 16], len: usize, lower: bool, strip: bool) -> ([u8; 16], usize) {
        // SAFETY: one unaligned 16-byte load of `win`.
        let mut v = unsafe { _mm_loadu_si128(win.as_ptr().cast()) };
        let within = |v: __m128i, lo: u8, hi: u8| {
            _mm_cmple_epu8_mask(_mm_sub_epi8(v, _mm_set1_epi8(lo as i8)), _mm_set1_epi8((hi - lo) as i8))
        };
        let mut keep = ((1u32 << len) - 1) as u16;
        if lower {
            v = _mm_mask_add_epi8(v, within(v, b'A', b'Z'), v, _mm_set1_epi8(0x20));
        }
        if strip {
            let punct =
                within(v, 0x21, 0x2F) | within(v, 0x3A, 0x40) | within(v, 0x5B, 0x60) | within(v, 0x7B, 0x7E);
            keep &= !punct;
        }
        let mut out = [0u8; 16];
        // SAFETY: one unaligned 16-byte store into `out`.
        unsafe { _mm_storeu_si128(out.as_mut_ptr().cast(), _mm_maskz_compress_epi8(keep, v)) };
        (out, keep.count_ones() as usize)
    }

    /// [`super::ascii_spaces`], one 64-byte register at a time.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw")]
    pub fn ascii_spaces(c: &[u8; CHUNK]) -> (u64, u64, u64) {
        // SAFETY: one unaligned 64-byte load of `c`, which holds 64 bytes.
        let v = unsafe { _mm512_loadu_si512(c.as_ptr().cast()) };
        let within = |lo: u8, hi: u8| {
            _mm512_cmple_epu8_mask(
                _mm512_sub_epi8(v, _mm512_set1_epi8(lo as i8)),
                _mm512_set1_epi8((hi - lo) as i8),
            )
        };
        let spaces = within(b'\t', b'\r') | within(0x1C, 0x20);
        (spaces, within(0xC2, 0xC2) | within(0xE1, 0xE3), within(0xCC, 0xFF))
    }

    /// [`super::flatten`]: the set bits' positions compressed out of a register of 0..64, 16 at a
    /// time widened to `u32` and stored; `out` holds a multiple of 16 slots, at least the count.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
    pub fn flatten(bits: u64, at: u32, out: &mut [u32]) {
        const IOTA: [i64; 8] = {
            let mut lanes = [0i64; 8];
            let mut i = 0;
            while i < 64 {
                lanes[i / 8] |= (i as i64) << (8 * (i % 8));
                i += 1;
            }
            lanes
        };
        let [l0, l1, l2, l3, l4, l5, l6, l7] = IOTA;
        let iota = _mm512_set_epi64(l7, l6, l5, l4, l3, l2, l1, l0);
        let packed = _mm512_maskz_compress_epi8(bits, iota);
        let base = _mm512_set1_epi32(at as i32);
        let quarters = [
            _mm512_castsi512_si128(packed),
            _mm512_extracti32x4_epi32::<1>(packed),
            _mm512_extracti32x4_epi32::<2>(packed),
            _mm512_extracti32x4_epi32::<3>(packed),
        ];
        for (q, dst) in quarters.into_iter().zip(out.chunks_exact_mut(16)) {
            let pos = _mm512_add_epi32(_mm512_cvtepu8_epi32(q), base);
            // SAFETY: one unaligned 64-byte store into a 16-slot chunk of `out`.
            unsafe { _mm512_storeu_si512(dst.as_mut_ptr().cast(), pos) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingle::token_hash;
    use crate::text::tokenize::{words, Case, ShingleOpts, Unit};
    use crate::text::word_tokens::WordTokens;

    #[test]
    fn byte_classes_of_every_byte_at_every_place() {
        for b in 0..=255u8 {
            for i in [0, 1, 15, 16, 31, 47, 63] {
                let mut c = [b'x'; CHUNK];
                c[i] = b;
                let bit = |flag: bool| (flag as u64) << i;
                let want = (
                    bit(matches!(b, b'\t'..=b'\r' | 0x1C..=0x20)),
                    bit(matches!(b, 0xC2 | 0xE1..=0xE3)),
                    bit(b >= 0xCC),
                );
                assert_eq!(ascii_spaces::<false>(&c), want, "{b:#04x} at {i}");
                #[cfg(target_arch = "x86_64")]
                if avx512::available() {
                    assert_eq!(ascii_spaces::<true>(&c), want, "AVX-512: {b:#04x} at {i}");
                }
            }
        }
    }

    fn by_split(text: &str) -> Vec<u64> {
        words(text).map(|w| token_hash(w.as_bytes())).collect()
    }

    /// The dispatched kernel's hashes, checked equal to the portable kernel's (the one CPUs
    /// without AVX-512 VBMI2 run), with the high-byte flag.
    fn hashes_with(text: &str, norm: AsciiNorm) -> (Vec<u64>, bool) {
        let mut got = vec![7; 3];
        let high = split_token_hashes(text.as_bytes(), norm, &mut got).unwrap();
        let mut portable = Vec::new();
        assert_eq!(split_with::<false, false>(text.as_bytes(), norm, &mut portable), high, "{text:?}");
        assert_eq!(got, portable, "{text:?}");
        #[cfg(target_arch = "x86_64")]
        if ssse3::available() {
            let mut shuffled = Vec::new();
            // SAFETY: the CPU has what the SSSE3 kernel needs (checked just above).
            assert_eq!(unsafe { ssse3::split_token_hashes(text.as_bytes(), norm, &mut shuffled) }, high);
            assert_eq!(shuffled, portable, "SSSE3: {text:?}");
        }
        (got, high)
    }

    fn hashes(text: &str) -> (Vec<u64>, bool) {
        hashes_with(text, AsciiNorm::default())
    }

    /// Against `str.split()`'s words hashed one by one: every Python whitespace character at
    /// every offset around the first 64-byte chunk bound and the first 512-byte block bound,
    /// runs of delimiters, tokens over 16 bytes and over a block, near misses of the multi-byte
    /// spaces, texts ending inside a token at a chunk bound.
    #[test]
    fn equals_split_words() {
        let spaces = [
            " ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\u{85}", "\u{a0}", "\u{1680}",
            "\u{2000}", "\u{200a}", "\u{2028}", "\u{2029}", "\u{202f}", "\u{205f}", "\u{3000}",
        ];
        // Near misses: the same lead bytes, or the neighbours, of the multi-byte spaces.
        let not_spaces = [
            "\u{84}", "\u{a1}", "\u{1681}", "\u{200b}", "\u{2030}", "\u{2060}", "\u{3001}", "é", "東",
            "\x00", "\x1b", "!",
        ];
        for sp in spaces {
            for filler in (0..70).chain(440..520) {
                for tail in ["", "x", "word", "a-very-long-token-over-sixteen-bytes"] {
                    let text = format!("{}{sp}{sp}b{sp}{tail}", "a".repeat(filler));
                    assert_eq!(hashes(&text).0, by_split(&text), "{text:?}");
                }
            }
        }
        let long = "t".repeat(1100);
        for sp in spaces {
            let text = format!("x{sp}{long}{sp}{long}");
            assert_eq!(hashes(&text).0, by_split(&text), "{sp:?} long");
        }
        for ns in not_spaces {
            let text = format!("{}{ns}x y", "a".repeat(62));
            assert_eq!(hashes(&text).0, by_split(&text), "{text:?}");
        }
        for len in [0, 1, 63, 64, 65, 511, 512, 513, 1024, 1500] {
            for word in 1..20 {
                let text: String = (0..len).map(|i| if i % (word + 1) == word { ' ' } else { 'q' }).collect();
                assert_eq!(hashes(&text).0, by_split(&text), "len {len} word {word}");
            }
        }
    }

    #[test]
    fn one_letter_words_fill_a_block() {
        let text = "a ".repeat(2000) + "\u{3000}".repeat(300).as_str() + "z";
        assert_eq!(hashes(&text).0, by_split(&text));
    }

    /// Lower-casing and punctuation deletion against `WordTokens` (the token-at-a-time tokeniser
    /// of the other options): capitals and punctuation at every place of tokens of 1 to 40
    /// bytes, tokens made only of punctuation (dropped), at the ends of chunks and of the text.
    #[test]
    fn normalized_tokens_equal_word_tokens() {
        let mut words = Vec::new();
        for len in 1..=40 {
            for at in 0..len {
                for c in ['A', 'Z', '!', '/', ':', '@', '[', '`', '{', '~', 'é'] {
                    let w: String = (0..len).map(|i| if i == at { c } else { 'm' }).collect();
                    words.push(w);
                }
            }
        }
        words.extend(["...", "!", "--", "\"Quoted.\"", "ÉCOLE", "É!"].map(String::from));
        let text = words.join(" ");
        for (lower, strip) in [(true, false), (false, true), (true, true)] {
            let norm = AsciiNorm { lower, strip };
            let case = if lower { Case::Ascii } else { Case::Keep };
            let opts = ShingleOpts { n: 1, unit: Unit::Word, case, strip_punct: strip };
            for cut in [text.len(), 64, 127, 512, 1000] {
                let cut = (0..=cut.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap();
                let part = &text[..cut];
                let mut want = Vec::new();
                let mut tokens = WordTokens::new(part, &opts);
                while let Some((w, win)) = tokens.next_token() {
                    want.push(token_hash_window(w, win));
                }
                assert_eq!(hashes_with(part, norm).0, want, "{lower} {strip} {cut}");
            }
        }
    }

    /// The vector normalizations of a window against the byte map, zero padding included: random
    /// windows of letters, punctuation, digits and non-ASCII bytes, every length.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn normalized_windows_equal_the_byte_map() {
        use rand::{Rng, SeedableRng};
        let alphabet = b"aZmA!/:@[`{~0 9\x80\xff";
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for _ in 0..3000 {
            let win: [u8; 16] = std::array::from_fn(|_| alphabet[rng.random_range(0..alphabet.len())]);
            for len in 0..=16 {
                for (lower, strip) in [(true, false), (false, true), (true, true)] {
                    let map = byte_map(lower, strip);
                    let mut want = [0u8; 16];
                    let mapped = win[..len].iter().map(|&b| map[b as usize]);
                    let kept: Vec<u8> = mapped.filter(|m| m & 0x100 != 0).map(|m| m as u8).collect();
                    want[..kept.len()].copy_from_slice(&kept);
                    if ssse3::available() {
                        // SAFETY: the CPU has SSSE3 and POPCNT (checked just above).
                        let got = unsafe { ssse3::normalize_window(&win, len, lower, strip) };
                        assert_eq!(got, (want, kept.len()), "SSSE3 {win:?} {len} {lower} {strip}");
                    }
                    if avx512::available() {
                        // SAFETY: the CPU has AVX-512 BW, VL and VBMI2 (checked just above).
                        let got = unsafe { avx512::normalize_window(&win, len, lower, strip) };
                        assert_eq!(got, (want, kept.len()), "AVX-512 {win:?} {len} {lower} {strip}");
                    }
                }
            }
        }
    }

    #[test]
    fn reports_bytes_that_may_start_non_nfc() {
        for (text, high) in [("plain", false), ("caf\u{e9}", false), ("cafe\u{301}", true), ("東京", true)]
        {
            assert_eq!(hashes(text).1, high, "{text:?}");
        }
    }
}
