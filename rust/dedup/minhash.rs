//! MinHash signatures: (B, num_perm) u32, one row per text, bit-identical whatever the thread count.
//!
//! Every family maps a shingle to a 32-bit value `x` and takes, for permutation `k`,
//! `min over shingles of π_k(x)`; the empty shingle set gives `u32::MAX` everywhere (as datasketch).
//!
//! * [`Family::Xxh3`] (assay's own): `x` = upper 32 bits of the 64-bit shingle hash of
//!   [`crate::text::shingle::shingle_hashes`]; `π_k(x) = a_k·x + b_k mod 2³²` with odd `a_k` (a bijection
//!   of u32), `(a_k, b_k)` drawn from SplitMix64 seeded with `seed` (see [`own_permutations`]).
//! * [`Family::Datasketch`]: datasketch ≥ 2.0 default (`scheme="affine32"`): `x` =
//!   `fmix32(sha1(shingle)[0..4] as little-endian u32)`, `π_k(x) = a_k·x + b_k mod 2³²` with the
//!   `(a, b)` that datasketch draws from `numpy.random.RandomState(seed)` (passed in by the caller).
//! * [`Family::DatasketchLegacy`]: datasketch < 2.0 (`scheme="legacy"`): `x` = the SHA-1 value,
//!   `π_k(x) = ((a_k·x + b_k) mod 2⁶⁴ mod (2⁶¹ − 1)) & (2³² − 1)`, the uint64 wrap-around of NumPy.

use rayon::prelude::*;

use crate::dedup::sha1_hash32::Sha1Hash32Batch;
use crate::error::{KernelError, KernelResult};
use crate::text::shingle::{for_each_shingle, shingle_hashes_in, shingles_of_tokens, ShingleOpts, Unit};

const MERSENNE: u64 = (1 << 61) - 1;

/// Hash family of a [`MinHasher`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    Xxh3,
    Datasketch,
    DatasketchLegacy,
}

/// Computes signatures for one configuration (shingling, family, permutations).
#[derive(Debug, Clone)]
pub struct MinHasher {
    pub opts: ShingleOpts,
    pub family: Family,
    a32: Vec<u32>,
    b32: Vec<u32>,
    a64: Vec<u64>,
    b64: Vec<u64>,
}

/// assay's own permutations: SplitMix64 stream from `seed`; `a_k = (s | 1) as u32`, `b_k = s' as u32`.
pub fn own_permutations(num_perm: usize, seed: u64) -> (Vec<u32>, Vec<u32>) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        crate::text::shingle::mix64(state)
    };
    (0..num_perm).map(|_| ((next() as u32) | 1, next() as u32)).unzip()
}

/// MurmurHash3's 32-bit finaliser (datasketch's `_fmix(hv, 32)`).
#[inline]
pub fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85EB_CA6B);
    h ^= h >> 13;
    h = h.wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// `sig[k] = min(sig[k], min_x a[k]·x + b[k])` in u32 wrap-around, blocked over 16 permutations.
#[inline(always)]
fn affine_min_generic<const W: usize>(xs: &[u32], a: &[u32], b: &[u32], sig: &mut [u32]) {
    let full = sig.len() / W * W;
    for c in (0..full).step_by(W) {
        let aa: [u32; W] = a[c..c + W].try_into().expect("block");
        let bb: [u32; W] = b[c..c + W].try_into().expect("block");
        let mut acc: [u32; W] = sig[c..c + W].try_into().expect("block");
        for &x in xs {
            for l in 0..W {
                acc[l] = acc[l].min(aa[l].wrapping_mul(x).wrapping_add(bb[l]));
            }
        }
        sig[c..c + W].copy_from_slice(&acc);
    }
    for k in full..sig.len() {
        for &x in xs {
            sig[k] = sig[k].min(a[k].wrapping_mul(x).wrapping_add(b[k]));
        }
    }
}

/// 32 permutations a pass (four `ymm` accumulators: 4.3 ns a shingle against 7.1 with 16),
/// then blocks of 8.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn affine_min_avx2(xs: &[u32], a: &[u32], b: &[u32], sig: &mut [u32]) {
    let wide = sig.len() / 32 * 32;
    affine_min_generic::<32>(xs, &a[..wide], &b[..wide], &mut sig[..wide]);
    affine_min_generic::<8>(xs, &a[wide..], &b[wide..], &mut sig[wide..]);
}

/// 128 permutations per pass over the shingles (eight `zmm` accumulators: each value is
/// broadcast once for all of them, 1.9 ns a shingle against 2.7 with 32 a pass), then blocks of 16.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn affine_min_avx512(xs: &[u32], a: &[u32], b: &[u32], sig: &mut [u32]) {
    let wide = sig.len() / 128 * 128;
    affine_min_generic::<128>(xs, &a[..wide], &b[..wide], &mut sig[..wide]);
    affine_min_generic::<16>(xs, &a[wide..], &b[wide..], &mut sig[wide..]);
}

fn affine_min(xs: &[u32], a: &[u32], b: &[u32], sig: &mut [u32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F (checked just above).
        return unsafe { affine_min_avx512(xs, a, b, sig) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { affine_min_avx2(xs, a, b, sig) };
    }
    affine_min_generic::<16>(xs, a, b, sig)
}

impl MinHasher {
    /// assay's own family with permutations drawn from `seed`.
    pub fn own(opts: ShingleOpts, num_perm: usize, seed: u64) -> KernelResult<Self> {
        check_num_perm(num_perm)?;
        let (a32, b32) = own_permutations(num_perm, seed);
        Ok(MinHasher { opts, family: Family::Xxh3, a32, b32, a64: vec![], b64: vec![] })
    }

    /// datasketch families with the caller's permutation parameters (`a`, `b` of equal length;
    /// they must fit u32 for [`Family::Datasketch`]).
    pub fn datasketch(opts: ShingleOpts, family: Family, a: &[u64], b: &[u64]) -> KernelResult<Self> {
        check_num_perm(a.len())?;
        if a.len() != b.len() {
            return Err(KernelError::shape(
                "permutations",
                format!("a and b of equal length ({})", a.len()),
                format!("{}", b.len()),
            ));
        }
        let narrow = |v: &[u64]| -> KernelResult<Vec<u32>> {
            v.iter()
                .map(|&x| u32::try_from(x))
                .collect::<Result<_, _>>()
                .map_err(|_| KernelError::value("permutations", "affine32 parameters exceed u32"))
        };
        let (a32, b32, a64, b64) = match family {
            Family::Datasketch => (narrow(a)?, narrow(b)?, vec![], vec![]),
            Family::DatasketchLegacy => (vec![], vec![], a.to_vec(), b.to_vec()),
            Family::Xxh3 => return Err(KernelError::value("family", "use MinHasher::own")),
        };
        Ok(MinHasher { opts, family, a32, b32, a64, b64 })
    }

    pub fn num_perm(&self) -> usize {
        self.a32.len().max(self.a64.len())
    }

    /// Signature of one text into `sig` (length `num_perm`), with reusable scratch space.
    pub fn signature_into(&self, text: &str, sig: &mut [u32], scratch: &mut Scratch) {
        sig.fill(u32::MAX);
        let Scratch { xs, hashes, sha1 } = scratch;
        xs.clear();
        match self.family {
            Family::Xxh3 => {
                let hashes = shingle_hashes_in(text, &self.opts, hashes);
                xs.extend(hashes.iter().map(|&h| (h >> 32) as u32));
                affine_min(xs, &self.a32, &self.b32, sig);
            }
            Family::Datasketch => {
                let mut sink = |h| xs.push(fmix32(h));
                for_each_shingle(text, &self.opts, |s| sha1.push(s, &mut sink));
                sha1.finish(&mut sink);
                affine_min(xs, &self.a32, &self.b32, sig);
            }
            Family::DatasketchLegacy => {
                let mut sink = |h| xs.push(h);
                for_each_shingle(text, &self.opts, |s| sha1.push(s, &mut sink));
                sha1.finish(&mut sink);
                for (k, out) in sig.iter_mut().enumerate() {
                    let (a, b) = (self.a64[k], self.b64[k]);
                    for &x in xs.iter() {
                        let v = a.wrapping_mul(x as u64).wrapping_add(b) % MERSENNE;
                        *out = (*out).min((v & 0xFFFF_FFFF) as u32);
                    }
                }
            }
        }
    }

    /// Signature into `sig` from a text's word token hashes (`tokens`, overwritten by its shingle
    /// hashes): what [`Self::signature_into`] computes after tokenising, for assay's own family of
    /// word shingles only (`None`, `sig` untouched, for the others).
    pub fn signature_of_tokens(
        &self,
        tokens: &mut Vec<u64>,
        sig: &mut [u32],
        xs: &mut Vec<u32>,
    ) -> Option<()> {
        if self.family != Family::Xxh3 || self.opts.unit != Unit::Word {
            return None;
        }
        sig.fill(u32::MAX);
        xs.clear();
        xs.extend(shingles_of_tokens(tokens, self.opts.n).iter().map(|&h| (h >> 32) as u32));
        affine_min(xs, &self.a32, &self.b32, sig);
        Some(())
    }

    /// Row-major (texts.len(), num_perm) signatures, rows computed in parallel.
    pub fn batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<u32> {
        let np = self.num_perm();
        let mut out = vec![0u32; texts.len() * np];
        out.par_chunks_mut(np.max(1))
            .zip(texts.par_iter())
            .with_min_len(8)
            .for_each_init(Scratch::default, |scratch, (row, text)| {
                self.signature_into(text.as_ref(), row, scratch)
            });
        out
    }
}

/// Per-thread buffers of [`MinHasher::signature_into`]: shingle values, 64-bit shingle hashes
/// and queued SHA-1 messages.
#[derive(Default)]
pub struct Scratch {
    xs: Vec<u32>,
    hashes: Vec<u64>,
    sha1: Sha1Hash32Batch,
}

fn check_num_perm(num_perm: usize) -> KernelResult<()> {
    if num_perm == 0 || num_perm > 1 << 16 {
        return Err(KernelError::value("num_perm", format!("must be in 1..=65536, got {num_perm}")));
    }
    Ok(())
}

/// Fraction of equal entries of two signatures: the MinHash estimate of Jaccard similarity.
pub fn estimate_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let eq = a.iter().zip(b).filter(|(x, y)| x == y).count();
    eq as f64 / a.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingle::{jaccard_sorted, shingle_set, Case, Unit};

    fn words(n: usize) -> ShingleOpts {
        ShingleOpts { n, unit: Unit::Word, case: Case::Keep, strip_punct: false }
    }

    #[test]
    fn generic_and_dispatched_kernels_agree() {
        // Below, at and past the 128-wide and 16-wide blocks.
        for num_perm in [1, 37, 128, 150, 300] {
            let (a, b) = own_permutations(num_perm, 9);
            let xs: Vec<u32> = (0..500u32).map(fmix32).collect();
            let mut s1 = vec![u32::MAX; num_perm];
            let mut s2 = s1.clone();
            affine_min_generic::<16>(&xs, &a, &b, &mut s1);
            affine_min(&xs, &a, &b, &mut s2);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let mut s3 = vec![u32::MAX; num_perm];
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { affine_min_avx2(&xs, &a, &b, &mut s3) };
                assert_eq!(s1, s3);
            }
            let brute: Vec<u32> = (0..num_perm)
                .map(|k| xs.iter().map(|&x| a[k].wrapping_mul(x).wrapping_add(b[k])).min().unwrap())
                .collect();
            assert_eq!(s1, brute);
            assert_eq!(s2, brute);
        }
    }

    #[test]
    fn empty_text_is_all_max_and_batch_is_thread_independent() {
        let m = MinHasher::own(words(3), 64, 1).unwrap();
        let texts: Vec<String> = (0..200).map(|i| format!("w{} x y z {}", i % 7, i % 3)).collect();
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let seq = one.install(|| m.batch(&texts));
        assert_eq!(seq, m.batch(&texts));
        assert!(m.batch(&[""]).iter().all(|&v| v == u32::MAX));
    }

    #[test]
    fn estimate_tracks_exact_jaccard() {
        let m = MinHasher::own(words(1), 1024, 7).unwrap();
        let a: String = (0..300).map(|i| format!("t{i} ")).collect();
        let b: String = (100..400).map(|i| format!("t{i} ")).collect();
        let sig = m.batch(&[a.as_str(), b.as_str()]);
        let est = estimate_jaccard(&sig[..1024], &sig[1024..]);
        let exact = jaccard_sorted(&shingle_set(&a, &words(1)), &shingle_set(&b, &words(1)));
        assert!((exact - 0.5).abs() < 1e-12);
        assert!((est - exact).abs() < 0.06, "{est} vs {exact}");
    }

    #[test]
    fn bad_num_perm() {
        assert!(MinHasher::own(words(1), 0, 1).is_err());
        assert!(MinHasher::datasketch(words(1), Family::Datasketch, &[1 << 40], &[0]).is_err());
    }
}
