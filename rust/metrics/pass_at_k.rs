//! pass@k with the unbiased estimator of the Codex paper (Chen et al., 2021): 1 − C(n−c, k) /
//! C(n, k), computed as its reference code does, 1 − Π_{i=n−c+1}^{n} (1 − k / i), in that order.

use rayon::prelude::*;

/// pass@k of one problem with `n` samples of which `c` pass; 1 when fewer than k fail.
pub fn estimate(n: u64, c: u64, k: u64) -> f64 {
    if n - c < k {
        return 1.0;
    }
    let kf = k as f64;
    1.0 - ((n - c + 1)..=n).fold(1.0f64, |acc, i| acc * (1.0 - kf / i as f64))
}

/// pass@k of every problem; checked by the caller (c ≤ n, k ≤ n).
pub fn estimates(n: &[u64], c: &[u64], k: u64) -> Vec<f64> {
    n.par_iter().zip(c).with_min_len(1024).map(|(&n, &c)| estimate(n, c, k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        assert_eq!(estimate(10, 0, 1), 0.0);
        assert_eq!(estimate(10, 10, 5), 1.0);
        assert!((estimate(10, 3, 1) - 0.3).abs() < 1e-15);
        // 1 − C(7,2)/C(10,2) = 1 − 21/45
        assert!((estimate(10, 3, 2) - (1.0 - 21.0 / 45.0)).abs() < 1e-15);
    }
}
