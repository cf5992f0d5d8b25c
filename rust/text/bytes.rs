//! Byte-level tables of the word tokenisers: Python's whitespace by its UTF-8 lead bytes, the
//! 64-byte candidate masks, and the byte maps that lower-case ASCII and delete punctuation in
//! place.

/// Length of the Python whitespace character starting at `b[0]` (0 when it is not one).
#[inline(always)]
pub(crate) fn space_len(b: &[u8]) -> usize {
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

/// The 16 bytes of `rest` from its start; near the end of the text, `rest` copied into `pad`
/// (whose bytes past it are zero or stale: token hashes ignore them).
#[inline(always)]
pub(crate) fn window<'r>(rest: &'r [u8], pad: &'r mut [u8; 16]) -> &'r [u8; 16] {
    match rest.first_chunk::<16>() {
        Some(w) => w,
        None => {
            pad[..rest.len()].copy_from_slice(rest);
            pad
        }
    }
}

/// The byte map of [`normalize_token`] for ASCII lower-casing and/or punctuation deletion.
pub(crate) fn byte_map(lower: bool, strip: bool) -> &'static [u16; 256] {
    &BYTE_MAPS[lower as usize * 2 + strip as usize]
}

/// The four byte maps, built at compile time: texts that need one are often short.
static BYTE_MAPS: [[u16; 256]; 4] = [
    build_byte_map(false, false),
    build_byte_map(false, true),
    build_byte_map(true, false),
    build_byte_map(true, true),
];

const fn build_byte_map(lower: bool, strip: bool) -> [u16; 256] {
    let mut lut = [0u16; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let out = if lower { b.to_ascii_lowercase() } else { b };
        let keep = !(strip && b.is_ascii_punctuation());
        lut[c] = out as u16 | (keep as u16) << 8;
        c += 1;
    }
    lut
}

/// `tok` rewritten through `lut` (low byte: output, bit 8: keep) into `buf`; the kept length,
/// `None` when nothing is kept. Kept out of line: most tokens skip it.
#[inline(never)]
pub(crate) fn normalize_token(tok: &[u8], lut: &[u16; 256], buf: &mut Vec<u8>) -> Option<usize> {
    // At least 64 bytes: `view` hands out the buffer's first 16 as the token's window. Allocated
    // on the first rewritten token only, not per text.
    if buf.len() < tok.len().max(64) {
        buf.resize(tok.len().max(64), 0);
    }
    // Through a local slice: a byte store via `buf` itself may alias the Vec's own pointer,
    // which the compiler then reloads at every byte.
    let out = &mut buf[..tok.len()];
    let mut len = 0;
    for &c in tok {
        let v = lut[c as usize];
        out[len] = v as u8;
        len += (v >> 8) as usize;
    }
    (len > 0).then_some(len)
}

/// Whether the normalization leaves token `tok` as it is (`win`: the 16 bytes from its start):
/// no ASCII capital with `lower`, no ASCII punctuation with `strip`. Such tokens, long ones too
/// (CJK words, long lower-case words), skip [`normalize_token`].
#[inline(always)]
pub(crate) fn unchanged(tok: &[u8], win: &[u8; 16], lower: bool, strip: bool) -> bool {
    if tok.len() <= 16 {
        changed_bytes(win, lower, strip) & ((1u32 << tok.len()) - 1) == 0
    } else {
        !changes_any(tok, lower, strip)
    }
}

/// Whether the normalization changes any byte of `tok`, 16 bytes at a time.
#[inline]
fn changes_any(tok: &[u8], lower: bool, strip: bool) -> bool {
    let mut chunks = tok.chunks_exact(16);
    if chunks.any(|c| changed_bytes(c.try_into().expect("16 bytes"), lower, strip) != 0) {
        return true;
    }
    let rest = chunks.remainder();
    let mut pad = [0u8; 16];
    pad[..rest.len()].copy_from_slice(rest);
    changed_bytes(&pad, lower, strip) != 0 // zero bytes never change
}

/// Bit `i` set when `win[i]` would change under the normalization: an ASCII capital (with
/// `lower`) or ASCII punctuation (with `strip`).
#[inline(always)]
pub(crate) fn changed_bytes(win: &[u8; 16], lower: bool, strip: bool) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
            _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8,
        };
        // SAFETY: SSE2 is part of x86_64; the one unaligned 16-byte load reads `win` exactly.
        unsafe {
            let v = _mm_loadu_si128(win.as_ptr().cast());
            // lo ≤ v ≤ hi (unsigned) ⟺ saturating (v − lo) − (hi − lo) is zero.
            let within = |lo: u8, hi: u8| {
                let shifted = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
                _mm_cmpeq_epi8(_mm_subs_epu8(shifted, _mm_set1_epi8((hi - lo) as i8)), _mm_setzero_si128())
            };
            let mut m = _mm_setzero_si128();
            if lower {
                m = _mm_or_si128(m, within(b'A', b'Z'));
            }
            if strip {
                m = _mm_or_si128(_mm_or_si128(m, within(0x21, 0x2F)), within(0x3A, 0x40));
                m = _mm_or_si128(_mm_or_si128(m, within(0x5B, 0x60)), within(0x7B, 0x7E));
            }
            _mm_movemask_epi8(m) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    win.iter().enumerate().fold(0u32, |m, (i, &c)| {
        m | (((lower && c.is_ascii_uppercase()) || (strip && c.is_ascii_punctuation())) as u32) << i
    })
}

/// Bit `i` set when `chunk[i]` (at most 64 bytes) may begin a Python whitespace character: it is
/// ≤ 0x20, or one of the lead bytes 0xC2, 0xE1–0xE3 of the non-ASCII ones ([`space_len`]). Other
/// non-ASCII bytes (Cyrillic, CJK, ...) are no candidates, so such text is scanned 64 bytes at a
/// time too.
#[inline(always)]
pub(crate) fn special_mask(chunk: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if chunk.len() == 64 {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
            _mm_setzero_si128, _mm_sub_epi8, _mm_subs_epu8,
        };
        // SAFETY: SSE2 is part of x86_64; the four unaligned 16-byte loads stay inside `chunk`.
        return unsafe {
            let mut m = 0u64;
            for k in 0..4 {
                let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k).cast());
                // lo ≤ v ≤ hi (unsigned) ⟺ saturating (v − lo) − (hi − lo) is zero.
                let within = |lo: u8, hi: u8| {
                    let shifted = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
                    _mm_cmpeq_epi8(
                        _mm_subs_epu8(shifted, _mm_set1_epi8((hi - lo) as i8)),
                        _mm_setzero_si128(),
                    )
                };
                let hit = _mm_or_si128(_mm_or_si128(within(0, 0x20), within(0xC2, 0xC2)), within(0xE1, 0xE3));
                m |= (_mm_movemask_epi8(hit) as u16 as u64) << (16 * k);
            }
            m
        };
    }
    chunk
        .iter()
        .enumerate()
        .fold(0u64, |m, (i, &c)| m | (matches!(c, 0..=0x20 | 0xC2 | 0xE1..=0xE3) as u64) << i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_bytes_flags_capitals_and_punctuation() {
        let mut win = [0u8; 16];
        for c in 0..=255u8 {
            win[3] = c;
            for (lower, strip) in [(true, false), (false, true), (true, true)] {
                let changes = (lower && c.is_ascii_uppercase()) || (strip && c.is_ascii_punctuation());
                assert_eq!(changed_bytes(&win, lower, strip), (changes as u32) << 3, "{c} {lower} {strip}");
            }
        }
    }

    #[test]
    fn changes_any_finds_a_changing_byte_anywhere_in_a_long_token() {
        for len in [17, 31, 32, 33, 48, 70] {
            for at in 0..len {
                for c in [b'A', b'Z', b'!', b'~', b'a', b'z', b'0', 0xE4, 0x80] {
                    let mut tok = vec![0xE4u8; len]; // a lead byte of CJK: never changes
                    tok[at] = c;
                    for (lower, strip) in [(true, false), (false, true), (true, true)] {
                        let want = (lower && c.is_ascii_uppercase()) || (strip && c.is_ascii_punctuation());
                        assert_eq!(changes_any(&tok, lower, strip), want, "{c} at {at} of {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn candidates_are_the_first_bytes_of_every_whitespace_character() {
        let leads: Vec<u8> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| crate::text::tokenize::is_py_space(c))
            .map(|c| c.encode_utf8(&mut [0; 4]).as_bytes()[0])
            .collect();
        for c in 0..=255u8 {
            for i in [0, 15, 16, 40, 63] {
                let mut chunk = [b'x'; 64];
                chunk[i] = c;
                let want = if c <= 0x20 || matches!(c, 0xC2 | 0xE1..=0xE3) { 1u64 << i } else { 0 };
                assert_eq!(special_mask(&chunk), want, "byte {c:#04x} at {i}");
                assert_eq!(special_mask(&chunk[..63.max(i + 1)]), want, "scalar: byte {c:#04x} at {i}");
            }
            if leads.contains(&c) {
                assert!(c <= 0x20 || matches!(c, 0xC2 | 0xE1..=0xE3), "{c:#04x} begins a space");
            }
        }
    }
}
