//! Hashes of tokens and shingles: a 64-bit token hash read from a 16-byte window (short
//! tokens hash without copying), the mixer, and the polynomial weights of rolling n-gram hashes.

use xxhash_rust::xxh3::xxh3_64;

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

const S0: u64 = 0xA076_1D64_78BD_642F;
const S1: u64 = 0xE703_7ED1_A0B4_28DB;

/// assay's 64-bit token hash of `tok`, given a 16-byte window that starts with it (bytes past the
/// token are ignored): for tokens of at most 16 bytes, the token zero-padded to 16 bytes is read as
/// two little-endian u64 `lo`, `hi`, and `h = fm(S1 ⊕ len, fm(lo ⊕ S1, hi ⊕ S0))` with `fm` the
/// folded 64×64→128-bit multiply (wyhash's mixer); longer tokens use xxh3-64 (seed 0). Branch-free
/// for short tokens, deterministic on every platform.
#[inline(always)]
pub fn token_hash_window(tok: &[u8], win: &[u8; 16]) -> u64 {
    let n = tok.len();
    if n > 16 {
        return xxh3_64(tok);
    }
    // KEEP[k]: the low k bytes of a u64.
    const KEEP: [u64; 9] = {
        let mut m = [0u64; 9];
        let mut k = 1;
        while k < 9 {
            m[k] = (m[k - 1] << 8) | 0xFF;
            k += 1;
        }
        m
    };
    let lo = read_u64(&win[..8]) & KEEP[n.min(8)];
    let hi = read_u64(&win[8..]) & KEEP[n.saturating_sub(8)];
    folded_mul(S1 ^ n as u64, folded_mul(lo ^ S1, hi ^ S0))
}

/// [`token_hash_window`] of a bare token (copied into a padded window).
pub fn token_hash(tok: &[u8]) -> u64 {
    let mut win = [0u8; 16];
    let k = tok.len().min(16);
    win[..k].copy_from_slice(&tok[..k]);
    token_hash_window(tok, &win)
}

/// Odd multiplier of the rolling polynomial hash over token hashes.
pub const P: u64 = K1 | 1;

/// `P^(n-1) mod 2^64`, the weight of the token that leaves a rolling window of `n`.
pub fn rolling_weight(n: usize) -> u64 {
    (1..n).fold(1u64, |acc, _| acc.wrapping_mul(P))
}
