//! Style control (contextual Bradley-Terry): P(a beats b) = σ(θₐ − θ_b + xᵀβ), with per-battle
//! covariates x (already transformed and standardised by the caller), fitted row by row since
//! continuous covariates do not aggregate. Loss: weighted negative log-likelihood
//! + `prior_theta/2 ‖θ‖²` + `prior_beta/2 ‖β‖²`; with `prior_theta = 0`, θ has mean zero.

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, Side};
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;

use crate::error::{KernelError, KernelResult};
use crate::simd::clear_upper_state;

/// Row-level battles with covariates (`features` row-major, `n × n_features`).
pub struct StyleBattles<'a> {
    pub first: &'a [u32],
    pub second: &'a [u32],
    /// Score of the first model: 1, ½ or 0.
    pub score: &'a [f64],
    pub weight: Option<&'a [f64]>,
    pub features: &'a [f64],
    pub n_features: usize,
    pub n_models: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct StyleOptions {
    pub prior_theta: f64,
    pub prior_beta: f64,
    pub tol: f64,
    pub max_iter: usize,
}

const CHUNK: usize = 1 << 14;

impl StyleBattles<'_> {
    fn dim(&self) -> usize {
        self.n_models + self.n_features
    }

    fn len(&self) -> usize {
        self.first.len()
    }

    /// Linear predictor and per-row weight (weight × multiplicity) of row r.
    #[inline]
    fn row(&self, r: usize, params: &[f64], times: Option<&[f64]>) -> (f64, f64) {
        let k = self.n_models;
        let x = &self.features[r * self.n_features..(r + 1) * self.n_features];
        let eta = params[self.first[r] as usize] - params[self.second[r] as usize]
            + x.iter().zip(&params[k..]).map(|(a, b)| a * b).sum::<f64>();
        let w = self.weight.map_or(1.0, |w| w[r]) * times.map_or(1.0, |t| t[r]);
        (eta, w)
    }

    /// Calls `visit(index, value)` for the nonzero entries of row r's design vector.
    #[inline]
    fn design(&self, r: usize, mut visit: impl FnMut(usize, f64)) {
        visit(self.first[r] as usize, 1.0);
        visit(self.second[r] as usize, -1.0);
        for f in 0..self.n_features {
            visit(self.n_models + f, self.features[r * self.n_features + f]);
        }
    }

    fn check(&self) -> KernelResult<()> {
        let n = self.len();
        if n == 0 {
            return Err(KernelError::Empty { arg: "battles", why: "no rows to fit".into() });
        }
        if self.second.len() != n || self.score.len() != n || self.features.len() != n * self.n_features {
            return Err(KernelError::shape(
                "features",
                format!("{n} rows × {} features", self.n_features),
                format!("{} values", self.features.len()),
            ));
        }
        if let Some(k) = self.features.iter().position(|x| !x.is_finite()) {
            return Err(KernelError::value(
                "features",
                format!(
                    "row {} holds {}; features must be finite",
                    k / self.n_features.max(1),
                    self.features[k]
                ),
            ));
        }
        Ok(())
    }
}

/// Loss, gradient and Hessian (dense, (K+F)²) at `params`, accumulated in parallel.
fn derivatives(
    data: &StyleBattles,
    params: &[f64],
    times: Option<&[f64]>,
    opts: &StyleOptions,
) -> (f64, Vec<f64>, Mat<f64>) {
    let d = data.dim();
    let (mut loss, mut g, h) = (0..data.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .fold(
            || (0.0, vec![0.0; d], vec![0.0; d * d]),
            |(mut loss, mut g, mut h), r| {
                let (eta, w) = data.row(r, params, times);
                if w == 0.0 {
                    return (loss, g, h);
                }
                let y = data.score[r];
                let p = 1.0 / (1.0 + (-eta).exp());
                let soft = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
                loss += w * (y * soft(-eta) + (1.0 - y) * soft(eta));
                let (resid, curv) = (w * (p - y), w * p * (1.0 - p));
                data.design(r, |a, xa| {
                    g[a] += resid * xa;
                    data.design(r, |b, xb| h[a * d + b] += curv * xa * xb);
                });
                (loss, g, h)
            },
        )
        .reduce(
            || (0.0, vec![0.0; d], vec![0.0; d * d]),
            |(l1, mut g1, mut h1), (l2, g2, h2)| {
                g1.iter_mut().zip(&g2).for_each(|(a, b)| *a += b);
                h1.iter_mut().zip(&h2).for_each(|(a, b)| *a += b);
                (l1 + l2, g1, h1)
            },
        );
    let mut hm = Mat::from_fn(d, d, |a, b| h[a * d + b]);
    for a in 0..d {
        let prior = if a < data.n_models { opts.prior_theta } else { opts.prior_beta };
        loss += 0.5 * prior * params[a] * params[a];
        g[a] += prior * params[a];
        hm[(a, a)] += prior;
    }
    (loss, g, hm)
}

/// Fits `[θ (n_models), β (n_features)]`. `times` gives row multiplicities (bootstrap).
pub fn fit_style(
    data: &StyleBattles,
    times: Option<&[f64]>,
    init: Option<&[f64]>,
    opts: &StyleOptions,
) -> KernelResult<Vec<f64>> {
    data.check()?;
    let (k, d) = (data.n_models, data.dim());
    let mut params = init.map_or_else(|| vec![0.0; d], |x| x.to_vec());
    let centre = |params: &mut [f64]| {
        if opts.prior_theta == 0.0 {
            let mean = params[..k].iter().sum::<f64>() / k as f64;
            params[..k].iter_mut().for_each(|x| *x -= mean);
        }
    };
    let (mut current, mut g, mut h) = derivatives(data, &params, times, opts);
    for iteration in 1..=opts.max_iter {
        if opts.prior_theta == 0.0 {
            let scale = (0..k).map(|a| h[(a, a)]).fold(1.0, f64::max) / k as f64;
            for a in 0..k {
                for b in 0..k {
                    h[(a, b)] += scale;
                }
            }
        }
        let rhs = Mat::from_fn(d, 1, |a, _| -g[a]);
        let step = h.llt(Side::Lower).map_err(|_| KernelError::NotIdentifiable("the style-control Hessian is singular: some models or features are not identified by these battles".into()))?.solve(&rhs);
        clear_upper_state();
        if (0..d).all(|a| step[(a, 0)].abs() < opts.tol) {
            // Converged: take the last (tiny) step without evaluating there.
            let mut last: Vec<f64> = (0..d).map(|a| params[a] + step[(a, 0)]).collect();
            centre(&mut last);
            return Ok(last);
        }
        let slope: f64 = (0..d).map(|a| g[a] * step[(a, 0)]).sum();
        // Armijo backtracking; the evaluation at the accepted point serves the next step. Once
        // the predicted decrease (the Newton decrement) is below the loss's rounding, Armijo's
        // test is noise and the full Newton step is taken (the quadratic-convergence region).
        let resolved = -slope <= 1e-9 * current.abs().max(1.0);
        let mut t = 1.0;
        let (trial, next) = loop {
            let mut trial: Vec<f64> = (0..d).map(|a| params[a] + t * step[(a, 0)]).collect();
            centre(&mut trial);
            let next = derivatives(data, &trial, times, opts);
            if next.0 <= current + 1e-4 * t * slope || resolved || t < 1e-10 {
                break (trial, next);
            }
            t *= 0.5;
        };
        let moved = (0..d).map(|a| (trial[a] - params[a]).abs()).fold(0.0, f64::max);
        params = trial;
        (current, g, h) = next;
        if moved < opts.tol {
            return Ok(params);
        }
        if iteration == opts.max_iter {
            return Err(KernelError::NoConvergence {
                what: "style-control fit",
                iterations: iteration,
                last_step: moved,
            });
        }
    }
    unreachable!("the loop returns on its last iteration")
}

/// Sandwich covariance of `[θ, β]`, row-major (K+F)², with `ridge` added to the Hessian.
pub fn style_sandwich(
    data: &StyleBattles,
    params: &[f64],
    opts: &StyleOptions,
    ridge: f64,
) -> KernelResult<Vec<f64>> {
    let d = data.dim();
    let (_, _, mut h) = derivatives(data, params, None, opts);
    let b = (0..data.len())
        .into_par_iter()
        .with_min_len(CHUNK)
        .fold(
            || vec![0.0; d * d],
            |mut b, r| {
                let (eta, w) = data.row(r, params, None);
                let resid = w * (1.0 / (1.0 + (-eta).exp()) - data.score[r]);
                data.design(r, |a, xa| data.design(r, |c, xc| b[a * d + c] += resid * resid * xa * xc));
                b
            },
        )
        .reduce(
            || vec![0.0; d * d],
            |mut x, y| {
                x.iter_mut().zip(&y).for_each(|(a, b)| *a += b);
                x
            },
        );
    for a in 0..d {
        h[(a, a)] += ridge;
    }
    let inverse = h
        .llt(Side::Lower)
        .map_err(|_| {
            KernelError::value("ridge", "the style-control Hessian plus ridge is not positive definite")
        })?
        .inverse();
    let cov = &inverse * Mat::from_fn(d, d, |a, c| b[a * d + c]) * &inverse;
    clear_upper_state();
    Ok((0..d * d).map(|x| cov[(x / d, x % d)]).collect())
}

/// Bootstrap over battle rows: `(n_boot, K + F)` parameters, row-major.
pub fn style_bootstrap(
    data: &StyleBattles,
    params: &[f64],
    opts: &StyleOptions,
    n_boot: usize,
    seed: u64,
) -> KernelResult<Vec<f64>> {
    let n = data.len();
    let mut out = Vec::with_capacity(n_boot * data.dim());
    // Rounds run one after another; each fit is parallel over rows.
    for round in 0..n_boot {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ round as u64);
        let mut times = vec![0.0; n];
        for _ in 0..n {
            times[rng.random_range(0..n)] += 1.0;
        }
        out.extend(fit_style(data, Some(&times), Some(params), opts)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_features_it_is_plain_bradley_terry() {
        // 3 wins of 4 for model 0: θ₀ − θ₁ = ln 3.
        let data = StyleBattles {
            first: &[0, 0, 0, 0],
            second: &[1, 1, 1, 1],
            score: &[1.0, 1.0, 1.0, 0.0],
            weight: None,
            features: &[],
            n_features: 0,
            n_models: 2,
        };
        let opts = StyleOptions { prior_theta: 0.0, prior_beta: 0.0, tol: 1e-12, max_iter: 100 };
        let p = fit_style(&data, None, None, &opts).unwrap();
        assert!((p[0] - p[1] - 3f64.ln()).abs() < 1e-10);
    }

    #[test]
    fn rejects_non_finite_features() {
        let data = StyleBattles {
            first: &[0],
            second: &[1],
            score: &[1.0],
            weight: None,
            features: &[f64::NAN],
            n_features: 1,
            n_models: 2,
        };
        let opts = StyleOptions { prior_theta: 0.0, prior_beta: 0.0, tol: 1e-12, max_iter: 10 };
        assert!(fit_style(&data, None, None, &opts).unwrap_err().to_string().starts_with("features"));
    }
}
