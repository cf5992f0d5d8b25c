//! Fairness gaps of binary scores: the interval of the max − min gap between subgroup means,
//! from resampling items within each subgroup. A subgroup's resampled count of successes is
//! drawn from its binomial law directly, the same distribution as drawing its items, so a round
//! costs one draw per subgroup whatever the number of items.

use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

/// The `q` quantile of sorted values, interpolated linearly (NumPy's default method).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let low = h.floor() as usize;
    let high = (low + 1).min(sorted.len() - 1);
    sorted[low] + (h - low as f64) * (sorted[high] - sorted[low])
}

/// One cell's gap interval from its subgroups' (count, mean) pairs.
fn interval(groups: &[(u64, f64)], n_boot: usize, rng: &mut Xoshiro256PlusPlus, tail: f64) -> (f64, f64) {
    let laws: Vec<Option<Binomial>> =
        groups.iter().map(|&(n, p)| Binomial::new(n, p.clamp(0.0, 1.0)).ok()).collect();
    let mut gaps = Vec::with_capacity(n_boot);
    for _ in 0..n_boot {
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for (&(n, p), law) in groups.iter().zip(&laws) {
            let share = law.as_ref().map_or(p, |b| b.sample(rng) as f64 / n as f64);
            low = low.min(share);
            high = high.max(share);
        }
        gaps.push(high - low);
    }
    gaps.sort_by(f64::total_cmp);
    (quantile_sorted(&gaps, tail), quantile_sorted(&gaps, 1.0 - tail))
}

/// Per model × benchmark (index `model * n_benchmarks + benchmark`): the `tail`, `1 − tail`
/// percentile interval of the subgroup gap, from cell counts and means indexed
/// `(model * n_benchmarks + benchmark) * n_groups + group`. NaN where the model has items in
/// fewer than 2 subgroups. Each cell's stream is seeded by `seed` and the cell.
#[allow(clippy::too_many_arguments)]
pub fn binomial_gaps(
    n: &[u64],
    mean: &[f64],
    n_models: usize,
    n_benchmarks: usize,
    n_groups: usize,
    n_boot: usize,
    seed: u64,
    tail: f64,
) -> Vec<(f64, f64)> {
    (0..n_models * n_benchmarks)
        .into_par_iter()
        .map(|cell| {
            let at = cell * n_groups;
            let groups: Vec<(u64, f64)> =
                (at..at + n_groups).filter(|&c| n[c] > 0).map(|c| (n[c], mean[c])).collect();
            if groups.len() < 2 || n_boot == 0 {
                return (f64::NAN, f64::NAN);
            }
            let stream = seed ^ (cell as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            interval(&groups, n_boot, &mut Xoshiro256PlusPlus::seed_from_u64(stream), tail)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 0.5), 3.0);
        assert_eq!(quantile_sorted(&v, 1.0), 8.0);
    }

    #[test]
    fn the_gap_interval_covers_the_binomial_spread() {
        // one model, one benchmark, groups of 400 items at 0.5 and 0.7: the gap is about 0.2
        // with a standard deviation of √(0.25/400 + 0.21/400) ≈ 0.034
        let out = binomial_gaps(&[400, 400], &[0.5, 0.7], 1, 1, 2, 4000, 1, 0.025);
        let (low, high) = out[0];
        assert!((low - (0.2 - 1.96 * 0.0339)).abs() < 0.01, "{low}");
        assert!((high - (0.2 + 1.96 * 0.0339)).abs() < 0.01, "{high}");
        let one = binomial_gaps(&[400, 0], &[0.5, f64::NAN], 1, 1, 2, 10, 1, 0.025);
        assert!(one[0].0.is_nan());
    }
}
