//! CPython's `random.Random`, as far as `choices` needs it: seeding from an int, `random()`,
//! and the index `choices(population, k=…)` draws.

use rand_mt::Mt;

/// CPython's Mersenne Twister, seeded as `random.Random(seed)` seeds from an int.
pub struct PythonRandom {
    mt: Mt,
}

impl PythonRandom {
    /// `random.Random(seed)`: CPython takes |seed| as little-endian 32-bit words (at least one
    /// word, so 0 is the key `[0]`) and runs MT19937's `init_by_array` on them.
    pub fn new(seed: u64) -> Self {
        let (low, high) = (seed as u32, (seed >> 32) as u32);
        let mt = if high == 0 { Mt::new_with_key([low]) } else { Mt::new_with_key([low, high]) };
        PythonRandom { mt }
    }

    /// `random()`: 53 random bits from two 32-bit outputs, `(a·2²⁶ + b) / 2⁵³`.
    #[inline]
    pub fn random(&mut self) -> f64 {
        let a = self.mt.next_u32() >> 5;
        let b = self.mt.next_u32() >> 6;
        (f64::from(a) * 67108864.0 + f64::from(b)) * (1.0 / 9007199254740992.0)
    }

    /// The index `choices(population, k=…)` picks for one draw from `n` items (given as the
    /// float `n`, as CPython converts it once): `floor(random() · n)`.
    #[inline]
    pub fn choice_index(&mut self, n: f64) -> usize {
        (self.random() * n).floor() as usize
    }
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
    fn choice_indices_stay_in_range() {
        let mut r = PythonRandom::new(7);
        assert!((0..10_000).all(|_| r.choice_index(3.0) < 3));
    }
}
