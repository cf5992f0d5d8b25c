//! CPython's `random.Random`, as far as `choices` needs it: seeding from an int, `random()`,
//! and the index `choices(population, k=…)` draws.
//!
//! The generator is MT19937 as CPython runs it (`init_by_array` seeding, the reference
//! tempering). The state is regenerated and tempered a whole block of 624 words at a time in
//! loops the compiler vectorises; every draw takes two words, as CPython's `random()` does.

const N: usize = 624;
const M: usize = 397;
const MATRIX_A: u32 = 0x9908_b0df;
const UPPER: u32 = 0x8000_0000;
const LOWER: u32 = 0x7fff_ffff;

/// CPython's Mersenne Twister, seeded as `random.Random(seed)` seeds from an int.
pub struct PythonRandom {
    state: [u32; N],
    /// The tempered outputs of the current block.
    block: [u32; N],
    next: usize,
}

#[inline(always)]
fn twist(y: u32) -> u32 {
    (y >> 1) ^ (0u32.wrapping_sub(y & 1) & MATRIX_A)
}

impl PythonRandom {
    /// `random.Random(seed)`: CPython takes |seed| as little-endian 32-bit words (at least one
    /// word, so 0 is the key `[0]`) and runs MT19937's `init_by_array` on them.
    pub fn new(seed: u64) -> Self {
        let (low, high) = (seed as u32, (seed >> 32) as u32);
        let key: &[u32] = if high == 0 { &[low] } else { &[low, high] };
        let mut mt = [0u32; N];
        mt[0] = 19_650_218;
        for i in 1..N {
            let prev = mt[i - 1];
            mt[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x8000_0000;
        PythonRandom { state: mt, block: [0; N], next: N }
    }

    /// The next 624 states, then their tempered outputs.
    fn refill(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { refill_avx2(&mut self.state, &mut self.block) };
            self.next = 0;
            return;
        }
        refill_block(&mut self.state, &mut self.block);
        self.next = 0;
    }

    /// The next 32-bit output (`genrand_uint32`).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if self.next >= N {
            self.refill();
        }
        let y = self.block[self.next];
        self.next += 1;
        y
    }

    /// `random()`: 53 random bits from two 32-bit outputs, `(a·2²⁶ + b) / 2⁵³`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67108864.0 + f64::from(b)) * (1.0 / 9007199254740992.0)
    }

    /// The index `choices(population, k=…)` picks for one draw from `n` items (given as the
    /// float `n`, as CPython converts it once): `floor(random() · n)`. The product is finite
    /// and non-negative, so truncation is the floor.
    #[inline]
    pub fn choice_index(&mut self, n: f64) -> usize {
        (self.random() * n) as usize
    }

    /// Fills `out` with the indices of `out.len()` draws from `n` items (1 ≤ n < 2³¹); whole
    /// blocks of the stream are converted at once.
    pub fn fill_choice_indices(&mut self, n: f64, out: &mut [u32]) {
        assert!((1.0..2147483648.0).contains(&n), "1 <= n < 2^31 items");
        let mut filled = 0;
        while filled < out.len() {
            if self.next >= N {
                self.refill();
            }
            if self.next % 2 == 1 {
                // a draw straddles two blocks
                out[filled] = self.choice_index(n) as u32;
                filled += 1;
                continue;
            }
            let pairs = ((N - self.next) / 2).min(out.len() - filled);
            let words = &self.block[self.next..self.next + 2 * pairs];
            let slots = &mut out[filled..filled + pairs];
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above).
                unsafe { indices_avx2(words, n, slots) };
                self.next += 2 * pairs;
                filled += pairs;
                continue;
            }
            indices_from_words(words, n, slots);
            self.next += 2 * pairs;
            filled += pairs;
        }
    }
}

/// MT19937's state update of a whole block, then the tempering of every new state word.
/// Written as plain loops over the array so that the compiler vectorises them: the first loop
/// reads words a block ahead, the second words 227 behind, so lanes never depend on each other.
#[inline(always)]
fn refill_block(mt: &mut [u32; N], block: &mut [u32; N]) {
    for i in 0..N - M {
        let y = (mt[i] & UPPER) | (mt[i + 1] & LOWER);
        mt[i] = mt[i + M] ^ twist(y);
    }
    for i in N - M..N - 1 {
        let y = (mt[i] & UPPER) | (mt[i + 1] & LOWER);
        mt[i] = mt[i + M - N] ^ twist(y);
    }
    let y = (mt[N - 1] & UPPER) | (mt[0] & LOWER);
    mt[N - 1] = mt[M - 1] ^ twist(y);
    for (out, &s) in block.iter_mut().zip(mt.iter()) {
        let mut y = s;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        *out = y ^ (y >> 18);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn refill_avx2(mt: &mut [u32; N], block: &mut [u32; N]) {
    refill_block(mt, block);
}

/// `floor(random() · n)` for each pair of words, as `choices` computes it, for n < 2³¹.
/// The shifted words fit an i32 and so does the index, so both conversions are the signed
/// ones every x86-64 vector unit has.
#[inline(always)]
fn indices_from_words(words: &[u32], n: f64, slots: &mut [u32]) {
    debug_assert!(n < 2147483648.0);
    for (slot, pair) in slots.iter_mut().zip(words.chunks_exact(2)) {
        let (a, b) = ((pair[0] >> 5) as i32, (pair[1] >> 6) as i32);
        let x = (f64::from(a) * 67108864.0 + f64::from(b)) * (1.0 / 9007199254740992.0);
        // SAFETY: 0 <= x < 1 and 0 < n < 2^31, so x·n is finite and in [0, 2^31).
        *slot = unsafe { (x * n).to_int_unchecked::<i32>() } as u32;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn indices_avx2(words: &[u32], n: f64, slots: &mut [u32]) {
    indices_from_words(words, n, slots);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_outputs_match_cpython() {
        // python3 -c "import random; r = random.Random(0); print([r.random() for _ in range(3)])"
        let mut r = PythonRandom::new(0);
        assert_eq!(r.random(), 0.8444218515250481);
        assert_eq!(r.random(), 0.7579544029403025);
        assert_eq!(r.random(), 0.420571580830845);
        // random.Random(1).random(); random.Random(2**40 + 5).random()
        assert_eq!(PythonRandom::new(1).random(), 0.13436424411240122);
        assert_eq!(PythonRandom::new((1 << 40) + 5).random(), 0.5043802970418443);
    }

    #[test]
    fn stream_equals_the_reference_generator_across_blocks() {
        for seed in [0u64, 1, 999, 123_456_789, u64::from(u32::MAX) + 7] {
            let key: Vec<u32> =
                if seed >> 32 == 0 { vec![seed as u32] } else { vec![seed as u32, (seed >> 32) as u32] };
            let mut reference = rand_mt::Mt::new_with_key(key);
            let mut ours = PythonRandom::new(seed);
            for _ in 0..3 * N + 5 {
                assert_eq!(ours.next_u32(), reference.next_u32());
            }
        }
    }

    #[test]
    fn bulk_indices_equal_one_at_a_time() {
        for (n, len) in [(3.0, 10_000usize), (10_000.0, 311), (7.0, 313), (1.0, 5)] {
            let mut one = PythonRandom::new(42);
            let mut bulk = PythonRandom::new(42);
            let mut out = vec![0u32; len];
            bulk.fill_choice_indices(n, &mut out[..len / 3]);
            bulk.fill_choice_indices(n, &mut out[len / 3..]);
            let expected: Vec<u32> = (0..len).map(|_| one.choice_index(n) as u32).collect();
            assert_eq!(out, expected);
            assert!(out.iter().all(|&i| f64::from(i) < n));
        }
    }
}
