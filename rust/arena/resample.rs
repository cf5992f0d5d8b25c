//! Bootstrap resampling of Bradley-Terry fits.
//!
//! * Battles: a multinomial draw of N battles over the aggregated cells, which is exactly a
//!   resample of the N battle rows with replacement, at the cost of one binomial per cell.
//! * Voters: a draw of V voters with replacement; each drawn voter brings all their battles.
//!
//! Round `r` uses its own generator seeded from `(seed, r)`, so results do not depend on the
//! thread count or on scheduling.

use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::arena::bradley_terry::{fit_with_structure, FitOptions, PairIndex, PairStats, Structure};
use crate::arena::pairs::Cells;
use crate::error::{KernelError, KernelResult};

/// Prior precision used for a round whose resample has no finite maximum-likelihood estimate
/// (a model drawn with no wins or no losses). Such rounds are counted and reported.
pub const DEGENERATE_ROUND_PRIOR: f64 = 1e-3;

fn round_rng(seed: u64, round: usize) -> Xoshiro256PlusPlus {
    // splitmix64 of (seed, round) so that neighbouring seeds give unrelated streams.
    let mut z = seed ^ (round as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Xoshiro256PlusPlus::seed_from_u64(z ^ (z >> 31))
}

/// One multinomial draw of `total` items over categories with the given (unnormalized) sizes.
fn multinomial(rng: &mut Xoshiro256PlusPlus, sizes: &[f64], total: u64, out: &mut [f64]) {
    let mut remaining_n = total;
    let mut remaining_mass: f64 = sizes.iter().sum();
    for (c, &size) in sizes.iter().enumerate() {
        if remaining_n == 0 || remaining_mass <= 0.0 {
            out[c] = 0.0;
            continue;
        }
        let p = (size / remaining_mass).clamp(0.0, 1.0);
        let draw =
            if p >= 1.0 { remaining_n } else { Binomial::new(remaining_n, p).map_or(0, |b| b.sample(rng)) };
        out[c] = draw as f64;
        remaining_n -= draw;
        remaining_mass -= size;
    }
}

/// θ of every round, row-major `(n_boot, n_models)`, and the number of degenerate rounds.
pub struct Replicates {
    pub theta: Vec<f64>,
    pub degenerate_rounds: usize,
}

fn fit_round(
    stats: &PairStats,
    n_models: usize,
    init: &[f64],
    opts: &FitOptions,
) -> KernelResult<(Vec<f64>, bool)> {
    let structure = Structure::of(stats, n_models);
    let degenerate = opts.prior == 0.0 && !structure.identifiable();
    let opts = if degenerate { FitOptions { prior: DEGENERATE_ROUND_PRIOR, ..*opts } } else { *opts };
    Ok((fit_with_structure(stats, &structure, Some(init), &opts)?.theta, degenerate))
}

fn run_rounds(
    rounds: std::ops::Range<usize>,
    n_models: usize,
    round: impl Fn(usize) -> KernelResult<(Vec<f64>, bool)> + Sync + Send,
) -> KernelResult<Replicates> {
    if rounds.is_empty() {
        return Err(KernelError::value("n_boot", "must be at least 1"));
    }
    let n_boot = rounds.len();
    let rounds: Vec<(Vec<f64>, bool)> = rounds.into_par_iter().map(round).collect::<KernelResult<_>>()?;
    let degenerate_rounds = rounds.iter().filter(|r| r.1).count();
    let mut theta = Vec::with_capacity(n_boot * n_models);
    for (t, _) in rounds {
        theta.extend(t);
    }
    Ok(Replicates { theta, degenerate_rounds })
}

/// Bootstrap over battles: each round draws `N` battles with replacement from the cells in
/// `range` and refits, warm-started at `theta0`. `rounds` numbers the rounds (a chunked run
/// gives the same replicates as one call).
pub fn bootstrap_battles(
    cells: &Cells,
    range: std::ops::Range<usize>,
    n_models: usize,
    theta0: &[f64],
    opts: &FitOptions,
    rounds: std::ops::Range<usize>,
    seed: u64,
) -> KernelResult<Replicates> {
    let index = PairIndex::new(cells, range.clone());
    let sizes = &cells.count[range.clone()];
    let total = sizes.iter().sum::<f64>().round() as u64;
    run_rounds(rounds, n_models, |r| {
        let mut rng = round_rng(seed, r);
        let mut draw = vec![0.0; sizes.len()];
        multinomial(&mut rng, sizes, total, &mut draw);
        fit_round(&index.stats(cells, range.clone(), &draw), n_models, theta0, opts)
    })
}

/// Voter-clustered bootstrap: `cells` are grouped by voter (group code = voter code); each
/// round draws V voters with replacement and refits on all their battles.
pub fn bootstrap_voters(
    cells: &Cells,
    n_voters: usize,
    n_models: usize,
    theta0: &[f64],
    opts: &FitOptions,
    rounds: std::ops::Range<usize>,
    seed: u64,
) -> KernelResult<Replicates> {
    let voters = cells.group_ranges(n_voters);
    let index = PairIndex::new(cells, 0..cells.len());
    let active: Vec<usize> = (0..n_voters).filter(|&v| !voters[v].is_empty()).collect();
    if active.len() < 2 {
        return Err(KernelError::value(
            "voter",
            format!("the voter bootstrap needs at least 2 voters, got {}", active.len()),
        ));
    }
    let equal = vec![1.0; active.len()];
    run_rounds(rounds, n_models, |r| {
        let mut rng = round_rng(seed, r);
        let mut times = vec![0.0; active.len()];
        multinomial(&mut rng, &equal, active.len() as u64, &mut times);
        let mut multiplicity = vec![0.0; cells.len()];
        for (k, &v) in active.iter().enumerate() {
            for c in voters[v].clone() {
                multiplicity[c] = times[k] * cells.count[c];
            }
        }
        fit_round(&index.stats(cells, 0..cells.len(), &multiplicity), n_models, theta0, opts)
    })
}

/// Leave-one-group-out fits: round `g` refits without the cells of group `g` (voters, say).
/// Models seen only by that group come out NaN.
pub fn leave_one_group_out(
    cells: &Cells,
    n_groups: usize,
    n_models: usize,
    theta0: &[f64],
    opts: &FitOptions,
) -> KernelResult<Replicates> {
    let groups = cells.group_ranges(n_groups);
    let index = PairIndex::new(cells, 0..cells.len());
    run_rounds(0..n_groups, n_models, |g| {
        let mut multiplicity = cells.count.clone();
        multiplicity[groups[g].clone()].iter_mut().for_each(|m| *m = 0.0);
        fit_round(&index.stats(cells, 0..cells.len(), &multiplicity), n_models, theta0, opts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multinomial_draw_keeps_the_total_and_is_reproducible() {
        let sizes = [5.0, 0.0, 10.0, 85.0];
        let mut a = [0.0; 4];
        let mut b = [0.0; 4];
        multinomial(&mut round_rng(7, 3), &sizes, 100, &mut a);
        multinomial(&mut round_rng(7, 3), &sizes, 100, &mut b);
        assert_eq!(a, b);
        assert_eq!(a.iter().sum::<f64>(), 100.0);
        assert_eq!(a[1], 0.0);
    }

    #[test]
    fn multinomial_means_match_the_proportions() {
        let sizes = [1.0, 2.0, 7.0];
        let mut mean = [0.0; 3];
        let rounds = 4000;
        for r in 0..rounds {
            let mut draw = [0.0; 3];
            multinomial(&mut round_rng(1, r), &sizes, 1000, &mut draw);
            for k in 0..3 {
                mean[k] += draw[k] / rounds as f64;
            }
        }
        for k in 0..3 {
            let expected = 100.0 * sizes[k];
            let sd = (1000.0 * sizes[k] / 10.0 * (1.0 - sizes[k] / 10.0) / rounds as f64).sqrt();
            assert!((mean[k] - expected).abs() < 5.0 * sd, "{k}: {} vs {expected}", mean[k]);
        }
    }
}
