//! datasketch's `sha1_hash32` (the first four bytes of a message's SHA-1 digest, little-endian),
//! one message at a time ([`sha1_hash32`], SHA-NI when the CPU has it) or sixteen at a time
//! ([`Sha1Hash32Batch`]: multi-buffer SHA-1, one message per 32-bit lane of AVX-512 registers).
//!
//! Shingles are short (a word 5-gram is ~30 bytes, one 64-byte block), so the one compression per
//! shingle is the whole cost; SHA-NI runs one block at a time with a serial round chain, while the
//! sixteen lanes of a `zmm` register run sixteen independent blocks in the same instructions.

/// datasketch's `sha1_hash32`: the first four bytes of the SHA-1 digest, little-endian.
/// Pads on the stack and calls the compression function directly (SHA-NI when available).
#[inline]
pub fn sha1_hash32(bytes: &[u8]) -> u32 {
    use sha1::digest::generic_array::GenericArray;
    let mut state = INIT;
    let full = bytes.len() / 64 * 64;
    for block in bytes[..full].chunks_exact(64) {
        sha1::compress(&mut state, &[*GenericArray::from_slice(block)]);
    }
    let rest = &bytes[full..];
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    let len = if rest.len() + 9 <= 64 { 64 } else { 128 };
    pad(&mut tail[..len], rest.len(), bytes.len());
    for block in tail[..len].chunks_exact(64) {
        sha1::compress(&mut state, &[*GenericArray::from_slice(block)]);
    }
    state[0].swap_bytes()
}

/// SHA-1's padding in `tail` (whole blocks, zero past the message's last `rest` bytes at its
/// start): the 0x80 marker after them, the message's length `total` in bits at the end.
fn pad(tail: &mut [u8], rest: usize, total: usize) {
    tail[rest] = 0x80;
    let end = tail.len();
    tail[end - 8..].copy_from_slice(&((total as u64) * 8).to_be_bytes());
}

const INIT: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];

/// Messages hashed together.
pub const LANES: usize = 16;

/// The longest message that pads into two blocks; longer ones are hashed one at a time.
const MAX_BATCHED: usize = 2 * 64 - 9;

/// Sixteen padded messages of `blocks` 64-byte blocks each, lane after lane.
struct Lanes {
    blocks: usize,
    bytes: Vec<u8>,
    filled: usize,
}

impl Lanes {
    fn new(blocks: usize) -> Self {
        Lanes { blocks, bytes: vec![0; LANES * 64 * blocks], filled: 0 }
    }

    /// Pads `msg` (at most `64·blocks − 9` bytes) into the next lane; true when all lanes are full.
    fn push(&mut self, msg: &[u8]) -> bool {
        let size = 64 * self.blocks;
        let lane = &mut self.bytes[self.filled * size..][..size];
        assert!(msg.len() + 9 <= size);
        // SAFETY: lanes are only built when AVX-512F and AVX-512BW were detected.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::copy_zero_filled(lane, msg)
        };
        pad(lane, msg.len(), msg.len());
        self.filled += 1;
        self.filled == LANES
    }

    /// Hashes the filled lanes, passes their values to `sink` in lane order, and empties them.
    fn drain(&mut self, sink: &mut impl FnMut(u32)) {
        if self.filled == 0 {
            return;
        }
        #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
        let mut out = [0u32; LANES];
        // SAFETY: a batch is only built with lanes when AVX-512F and AVX-512BW were detected.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::hash_lanes(&self.bytes, self.blocks, &mut out)
        };
        out[..self.filled].iter().for_each(|&h| sink(h));
        self.filled = 0;
    }
}

/// Collects messages and hashes them sixteen at a time where the CPU has AVX-512 (F and BW),
/// one at a time with [`sha1_hash32`] elsewhere and for messages over 119 bytes. Values reach the
/// sink in no particular order (a MinHash takes a minimum over them); call [`Self::finish`] after
/// the last message.
pub struct Sha1Hash32Batch {
    lanes: Option<[Lanes; 2]>,
}

impl Sha1Hash32Batch {
    /// A batch that uses the multi-buffer kernel when the CPU supports it.
    pub fn new() -> Self {
        Self::with_lanes(avx512::available())
    }

    /// `lanes = false` forces the one-at-a-time path (tests compare the two).
    pub fn with_lanes(lanes: bool) -> Self {
        let lanes = (lanes && avx512::available()).then(|| [Lanes::new(1), Lanes::new(2)]);
        Sha1Hash32Batch { lanes }
    }

    /// Queues `msg`; `sink` receives the values of every batch this push completes.
    #[inline]
    pub fn push(&mut self, msg: &[u8], sink: &mut impl FnMut(u32)) {
        match &mut self.lanes {
            Some(lanes) if msg.len() <= MAX_BATCHED => {
                let set = &mut lanes[usize::from(msg.len() > 64 - 9)];
                if set.push(msg) {
                    set.drain(sink);
                }
            }
            _ => sink(sha1_hash32(msg)),
        }
    }

    /// Hashes the queued messages.
    pub fn finish(&mut self, sink: &mut impl FnMut(u32)) {
        if let Some(lanes) = &mut self.lanes {
            lanes.iter_mut().for_each(|set| set.drain(sink));
        }
    }
}

impl Default for Sha1Hash32Batch {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{INIT, LANES};

    pub fn available() -> bool {
        is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw")
    }

    /// `lane[..msg.len()] = msg`, the rest of `lane` (whole 64-byte blocks) zeroed, by masked
    /// loads and full stores instead of a `memcpy` and a `memset` call per message.
    ///
    /// # Safety
    /// The CPU must support AVX-512F and AVX-512BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn copy_zero_filled(lane: &mut [u8], msg: &[u8]) {
        assert!(lane.len().is_multiple_of(64) && msg.len() <= lane.len());
        for (i, block) in lane.chunks_exact_mut(64).enumerate() {
            let take = msg.len().saturating_sub(64 * i).min(64);
            let mask = u64::MAX.checked_shr(64 - take as u32).unwrap_or(0);
            // Masked-off bytes are neither read nor able to fault, so the pointer may run past
            // the message (hence `wrapping_add`, which never dereferences).
            let from = msg.as_ptr().wrapping_add(64 * i);
            let v = _mm512_maskz_loadu_epi8(mask, from.cast());
            _mm512_storeu_si512(block.as_mut_ptr().cast(), v);
        }
    }

    /// SHA-1 of the sixteen padded messages in `bytes` (lane `l` at `l·64·blocks`), first
    /// digest word byte-swapped into `out[l]`.
    ///
    /// # Safety
    /// The CPU must support AVX-512F and AVX-512BW; `bytes` holds `16·64·blocks` bytes.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub unsafe fn hash_lanes(bytes: &[u8], blocks: usize, out: &mut [u32; LANES]) {
        assert!(bytes.len() >= LANES * 64 * blocks);
        let big_endian = _mm512_set_epi8(
            12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7,
            0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11,
            4, 5, 6, 7, 0, 1, 2, 3,
        );
        let mut state = INIT.map(|h| _mm512_set1_epi32(h as i32));
        for block in 0..blocks {
            let mut rows = [_mm512_setzero_si512(); LANES];
            for (lane, row) in rows.iter_mut().enumerate() {
                let at = bytes.as_ptr().add((lane * blocks + block) * 64);
                *row = _mm512_shuffle_epi8(_mm512_loadu_si512(at.cast()), big_endian);
            }
            compress(&mut state, transpose(rows));
        }
        let first = _mm512_shuffle_epi8(state[0], big_endian);
        _mm512_storeu_si512(out.as_mut_ptr().cast(), first);
    }

    /// `rows[l]` = the sixteen words of lane `l` → `w[t]` = word `t` of every lane.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn transpose(r: [__m512i; 16]) -> [__m512i; 16] {
        // 32-bit then 64-bit interleaves transpose the 4×4 blocks inside each 128-bit group...
        let t: [__m512i; 16] = std::array::from_fn(|i| {
            let (a, b) = (r[i & !1], r[i | 1]);
            if i % 2 == 0 {
                _mm512_unpacklo_epi32(a, b)
            } else {
                _mm512_unpackhi_epi32(a, b)
            }
        });
        let u: [__m512i; 16] = std::array::from_fn(|i| {
            let (k, p) = (i / 4 * 4, i % 4);
            let (a, b) = (t[k + p / 2], t[k + p / 2 + 2]);
            if p % 2 == 0 {
                _mm512_unpacklo_epi64(a, b)
            } else {
                _mm512_unpackhi_epi64(a, b)
            }
        });
        // ...then 128-bit group shuffles move the blocks: u[4k + p] group g holds word 4g + p
        // of lanes 4k..4k+4.
        let mut w = [_mm512_setzero_si512(); 16];
        for p in 0..4 {
            let x = _mm512_shuffle_i32x4::<0x44>(u[p], u[4 + p]);
            let y = _mm512_shuffle_i32x4::<0xEE>(u[p], u[4 + p]);
            let x2 = _mm512_shuffle_i32x4::<0x44>(u[8 + p], u[12 + p]);
            let y2 = _mm512_shuffle_i32x4::<0xEE>(u[8 + p], u[12 + p]);
            w[p] = _mm512_shuffle_i32x4::<0x88>(x, x2);
            w[4 + p] = _mm512_shuffle_i32x4::<0xDD>(x, x2);
            w[8 + p] = _mm512_shuffle_i32x4::<0x88>(y, y2);
            w[12 + p] = _mm512_shuffle_i32x4::<0xDD>(y, y2);
        }
        w
    }

    /// The 80 SHA-1 rounds on one block per lane (FIPS 180-4, §6.1.2).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn compress(state: &mut [__m512i; 5], mut w: [__m512i; 16]) {
        let [mut a, mut b, mut c, mut d, mut e] = *state;
        macro_rules! rounds {
            ($f:literal, $k:literal, $($t:literal)*) => {$(
                if $t >= 16 {
                    let x = _mm512_ternarylogic_epi32::<0x96>(
                        w[($t - 3) & 15], w[($t - 8) & 15], w[($t - 14) & 15]);
                    w[$t & 15] = _mm512_rol_epi32::<1>(_mm512_xor_si512(x, w[$t & 15]));
                }
                let f = _mm512_ternarylogic_epi32::<$f>(b, c, d);
                let wk = _mm512_add_epi32(w[$t & 15], _mm512_set1_epi32($k as u32 as i32));
                let sum = _mm512_add_epi32(_mm512_add_epi32(e, wk), f);
                e = d;
                d = c;
                c = _mm512_rol_epi32::<30>(b);
                b = a;
                a = _mm512_add_epi32(_mm512_rol_epi32::<5>(a), sum);
            )*};
        }
        // Ternary-logic truth tables: 0xCA = Ch(b, c, d), 0x96 = parity, 0xE8 = majority.
        rounds!(0xCA, 0x5A82_7999, 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19);
        rounds!(0x96, 0x6ED9_EBA1, 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39);
        rounds!(0xE8, 0x8F1B_BCDC, 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59);
        rounds!(0x96, 0xCA62_C1D6, 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79);
        for (s, v) in state.iter_mut().zip([a, b, c, d, e]) {
            *s = _mm512_add_epi32(*s, v);
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod avx512 {
    pub fn available() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::{Digest, Sha1};

    fn reference(msg: &[u8]) -> u32 {
        let d = Sha1::digest(msg);
        u32::from_le_bytes([d[0], d[1], d[2], d[3]])
    }

    #[test]
    fn known_value() {
        // hashlib.sha1(b"abc").digest()[:4] == a9 99 3e 36
        assert_eq!(sha1_hash32(b"abc"), u32::from_le_bytes([0xa9, 0x99, 0x3e, 0x36]));
    }

    #[test]
    fn one_at_a_time_matches_the_digest_at_every_length() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..data.len() {
            assert_eq!(sha1_hash32(&data[..n]), reference(&data[..n]));
        }
    }

    /// Every length across the one-block, two-block and unbatched ranges, in batches that end
    /// part-full; values compared as multisets since the batch reorders them.
    #[test]
    fn batch_matches_the_digest_for_every_length_and_batch_size() {
        let data: Vec<u8> = (0..400u32).map(|i| (i * 131 + 17) as u8).collect();
        for lanes in [true, false] {
            for count in [1, 15, 16, 17, 40, 250] {
                let msgs: Vec<&[u8]> = (0..count).map(|i| &data[i % 7..i % 7 + (i * 37) % 200]).collect();
                let mut want: Vec<u32> = msgs.iter().map(|m| reference(m)).collect();
                let mut got = Vec::new();
                let mut batch = Sha1Hash32Batch::with_lanes(lanes);
                msgs.iter().for_each(|m| batch.push(m, &mut |h| got.push(h)));
                batch.finish(&mut |h| got.push(h));
                want.sort_unstable();
                got.sort_unstable();
                assert_eq!(got, want, "lanes={lanes} count={count}");
            }
        }
    }

    #[test]
    fn lengths_at_the_block_edges() {
        let data = [0xA5u8; 130];
        let lens = [0, 1, 54, 55, 56, 63, 64, 65, 118, 119, 120, 128, 129];
        let mut got = Vec::new();
        let mut batch = Sha1Hash32Batch::new();
        lens.iter().for_each(|&n| batch.push(&data[..n], &mut |h| got.push(h)));
        batch.finish(&mut |h| got.push(h));
        let mut want: Vec<u32> = lens.iter().map(|&n| reference(&data[..n])).collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want);
    }
}
