//! Float sums in the order other tools add: CPython's `sum()` (plain before 3.12,
//! Neumaier-compensated from 3.12) and NumPy's pairwise `np.sum`.

/// Which `sum()` to reproduce: CPython < 3.12 adds left to right; 3.12 and later carry a
/// Neumaier compensation term and add it at the end when it is non-zero and finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Summation {
    Plain,
    Compensated,
}

/// A running CPython `sum()` over floats.
#[derive(Clone, Copy, Debug)]
pub struct PythonSum {
    mode: Summation,
    total: f64,
    compensation: f64,
}

impl PythonSum {
    pub fn new(mode: Summation) -> Self {
        PythonSum { mode, total: 0.0, compensation: 0.0 }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        let t = self.total + x;
        if self.mode == Summation::Compensated {
            self.compensation +=
                if self.total.abs() >= x.abs() { (self.total - t) + x } else { (x - t) + self.total };
        }
        self.total = t;
    }

    /// The sum as CPython returns it.
    #[inline]
    pub fn value(&self) -> f64 {
        let c = self.compensation;
        if c != 0.0 && c.is_finite() {
            self.total + c
        } else {
            self.total
        }
    }
}

/// `sum(values)` as CPython computes it for floats.
pub fn python_sum(values: impl IntoIterator<Item = f64>, mode: Summation) -> f64 {
    let mut s = PythonSum::new(mode);
    values.into_iter().for_each(|x| s.add(x));
    s.value()
}

const PAIRWISE_BLOCK: usize = 128;

/// `np.sum` of a contiguous float64 array: NumPy's pairwise summation (eight interleaved
/// accumulators up to 128 values, halves at multiples of eight above).
pub fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= PAIRWISE_BLOCK {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[whole..] {
            res += x;
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        numpy_sum(&a[..half]) + numpy_sum(&a[half..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_recovers_what_plain_addition_loses() {
        let xs = [1e16, 1.0, -1e16];
        assert_eq!(python_sum(xs, Summation::Plain), 0.0);
        assert_eq!(python_sum(xs, Summation::Compensated), 1.0);
        // python3.12 -c "print(sum([0.1] * 10))" -> 1.0; python3.11 -> 0.9999999999999999
        assert_eq!(python_sum([0.1; 10], Summation::Compensated), 1.0);
        assert_eq!(python_sum([0.1; 10], Summation::Plain), 0.9999999999999999);
    }

    #[test]
    fn non_finite_compensation_is_dropped() {
        let xs = [f64::MAX, f64::MAX, -f64::MAX];
        assert_eq!(python_sum(xs, Summation::Compensated), f64::INFINITY);
        assert!(python_sum([1.0, f64::NAN], Summation::Compensated).is_nan());
    }

    #[test]
    fn pairwise_sum_blocks() {
        let xs: Vec<f64> = (0..1000).map(|i| 0.1 * i as f64).collect();
        let plain: f64 = xs.iter().sum();
        assert!((numpy_sum(&xs) - plain).abs() < 1e-9);
        assert_eq!(numpy_sum(&xs[..5]), xs[..5].iter().sum::<f64>());
    }
}
