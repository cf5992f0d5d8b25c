//! Logistic Bradley-Terry on aggregated pairs: Newton's method to full convergence, the
//! identifiability check (the sandwich covariance is in [`crate::arena::sandwich`]).
//!
//! Model: P(i beats j) = σ(θᵢ − θⱼ); a tie scores ½ for each side. The loss is the weighted
//! negative log-likelihood Σ w·[−y log σ(d) − (1−y) log σ(−d)] plus `prior/2 · ‖θ‖²`.

use faer::linalg::solvers::Solve;
use faer::{Mat, Side};

use crate::arena::graph::strong_components;
use crate::arena::pairs::Cells;
use crate::error::{KernelError, KernelResult};
use crate::simd::clear_upper_state;
use crate::union_find::weak_components;

/// Sufficient statistics per unordered pair (i < j): sums over its battles of w, w·y, w², w²y,
/// w²y², where y is the score of `i`.
#[derive(Debug, Clone, Default)]
pub struct PairStats {
    pub i: Vec<u32>,
    pub j: Vec<u32>,
    pub sw: Vec<f64>,
    pub swy: Vec<f64>,
    pub sw2: Vec<f64>,
    pub sw2y: Vec<f64>,
    pub sw2y2: Vec<f64>,
}

impl PairStats {
    /// Sums the cells in `range`, each counted `cells.count[c]` times.
    pub fn from_cells(cells: &Cells, range: std::ops::Range<usize>) -> Self {
        PairIndex::new(cells, range.clone()).stats(cells, range.clone(), &cells.count[range])
    }

    /// Zeroed sums over the given pairs.
    pub fn zeros(i: Vec<u32>, j: Vec<u32>) -> Self {
        let n = i.len();
        PairStats {
            i,
            j,
            sw: vec![0.0; n],
            swy: vec![0.0; n],
            sw2: vec![0.0; n],
            sw2y: vec![0.0; n],
            sw2y2: vec![0.0; n],
        }
    }

    /// Adds `m` battles of weight `w` in which the pair's first model scored `score2 / 2`.
    #[inline]
    pub fn add(&mut self, pair: usize, m: f64, w: f64, score2: u8) {
        let y = score2 as f64 / 2.0;
        self.sw[pair] += m * w;
        self.swy[pair] += m * w * y;
        self.sw2[pair] += m * w * w;
        self.sw2y[pair] += m * w * w * y;
        self.sw2y2[pair] += m * w * w * y * y;
    }

    pub fn len(&self) -> usize {
        self.i.len()
    }

    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }

    /// Which models appear in at least one pair.
    pub fn present(&self, n_models: usize) -> Vec<bool> {
        let mut present = vec![false; n_models];
        for (&i, &j) in self.i.iter().zip(&self.j) {
            present[i as usize] = true;
            present[j as usize] = true;
        }
        present
    }
}

/// The comparison graph's structure: weak components (ratings comparable within one) and
/// whether each is strongly connected (the unpenalised MLE is finite).
#[derive(Debug, Clone)]
pub struct Structure {
    pub present: Vec<bool>,
    pub component: Vec<u32>,
    pub n_components: usize,
    pub strong: Vec<u32>,
    pub n_strong: usize,
}

impl Structure {
    pub fn of(stats: &PairStats, n_models: usize) -> Self {
        let present = stats.present(n_models);
        let edges: Vec<(u32, u32)> = stats.i.iter().zip(&stats.j).map(|(&i, &j)| (i, j)).collect();
        let (component, n_components) = weak_components(n_models, &present, &edges);
        let mut arcs = Vec::with_capacity(2 * edges.len());
        for p in 0..stats.len() {
            if stats.swy[p] > 0.0 {
                arcs.push((stats.i[p], stats.j[p]));
            }
            if stats.sw[p] - stats.swy[p] > 0.0 {
                arcs.push((stats.j[p], stats.i[p]));
            }
        }
        let (strong, n_strong) = strong_components(n_models, &present, &arcs);
        Structure { present, component, n_components, strong, n_strong }
    }

    pub fn identifiable(&self) -> bool {
        self.n_strong == self.n_components
    }
}

/// Newton's dense Hessian and the sandwich are K×K: beyond this many models (3.2 GB of f64)
/// the fit refuses with a clear error instead of exhausting memory.
pub const MAX_DENSE_MODELS: usize = 20_000;

pub(crate) fn check_dense(n: usize) -> KernelResult<()> {
    if n > MAX_DENSE_MODELS {
        return Err(KernelError::value(
            "battles",
            format!("{n} distinct models take part; the Bradley-Terry fit handles at most {MAX_DENSE_MODELS} (its Hessian is dense)"),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub struct FitOptions {
    /// Gaussian prior precision on θ (0 = plain maximum likelihood).
    pub prior: f64,
    /// Stop when the largest Newton step is below this (θ units).
    pub tol: f64,
    pub max_iter: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { prior: 0.0, tol: 1e-10, max_iter: 100 }
    }
}

#[derive(Debug, Clone)]
pub struct Fit {
    /// θ per model, mean zero within each component when `prior == 0`; NaN for absent models.
    pub theta: Vec<f64>,
    pub iterations: usize,
}

/// Loss, gradient and Hessian (dense, models indexed as given) at θ in one pass over the
/// pairs: one `exp` and one `log1p` per pair.
fn evaluate(stats: &PairStats, theta: &[f64], prior: f64) -> (f64, Vec<f64>, Mat<f64>) {
    let n = theta.len();
    let mut loss = 0.0;
    let mut g = vec![0.0; n];
    let mut h = Mat::<f64>::zeros(n, n);
    for p in 0..stats.len() {
        let (i, j) = (stats.i[p] as usize, stats.j[p] as usize);
        let d = theta[i] - theta[j];
        // σ(d) and log σ(d) from e = exp(−|d|); log σ(−d) = log σ(d) − d.
        let e = (-d.abs()).exp();
        let (prob, log_p) =
            if d >= 0.0 { (1.0 / (1.0 + e), -e.ln_1p()) } else { (e / (1.0 + e), d - e.ln_1p()) };
        loss -= stats.swy[p] * log_p + (stats.sw[p] - stats.swy[p]) * (log_p - d);
        let r = stats.swy[p] - stats.sw[p] * prob;
        g[i] -= r;
        g[j] += r;
        let w = stats.sw[p] * prob * (1.0 - prob);
        h[(i, i)] += w;
        h[(j, j)] += w;
        h[(i, j)] -= w;
        h[(j, i)] -= w;
    }
    for k in 0..n {
        if theta[k].is_finite() {
            loss += 0.5 * prior * theta[k] * theta[k];
        }
        g[k] += prior * theta[k];
        h[(k, k)] += prior;
    }
    (loss, g, h)
}

/// Gradient and Hessian of the loss at θ.
pub(crate) fn gradient_hessian(stats: &PairStats, theta: &[f64], prior: f64) -> (Vec<f64>, Mat<f64>) {
    let (_, g, h) = evaluate(stats, theta, prior);
    (g, h)
}

/// Fits θ by damped Newton steps. `init` warm-starts (bootstrap rounds start at the point fit).
pub fn fit(stats: &PairStats, n_models: usize, init: Option<&[f64]>, opts: &FitOptions) -> KernelResult<Fit> {
    fit_with_structure(stats, &Structure::of(stats, n_models), init, opts)
}

/// [`fit`] with the comparison graph's structure already at hand (`Structure::of(stats, ..)`).
pub fn fit_with_structure(
    stats: &PairStats,
    structure: &Structure,
    init: Option<&[f64]>,
    opts: &FitOptions,
) -> KernelResult<Fit> {
    if stats.is_empty() {
        return Err(KernelError::Empty { arg: "battles", why: "no battles with positive weight".into() });
    }
    let n_models = structure.present.len();
    check_dense(structure.present.iter().filter(|&&p| p).count())?;
    if opts.prior == 0.0 && !structure.identifiable() {
        return Err(KernelError::NotIdentifiable(
            "the maximum-likelihood ratings are infinite: some models never lost (or never won) against the rest of their comparison component".into(),
        ));
    }
    // Work on the present models only: absent ones have no likelihood terms.
    let index: Vec<usize> = (0..n_models).filter(|&m| structure.present[m]).collect();
    let mut compact = vec![u32::MAX; n_models];
    for (c, &m) in index.iter().enumerate() {
        compact[m] = c as u32;
    }
    let local = PairStats {
        i: stats.i.iter().map(|&m| compact[m as usize]).collect(),
        j: stats.j.iter().map(|&m| compact[m as usize]).collect(),
        ..stats.clone()
    };
    let component: Vec<usize> = index.iter().map(|&m| structure.component[m] as usize).collect();
    let n = index.len();
    let mut theta: Vec<f64> = match init {
        Some(t) => index.iter().map(|&m| if t[m].is_finite() { t[m] } else { 0.0 }).collect(),
        None => vec![0.0; n],
    };
    let centre = |theta: &mut [f64]| {
        if opts.prior > 0.0 {
            return;
        }
        let mut sum = vec![0.0; structure.n_components];
        let mut size = vec![0.0; structure.n_components];
        for (k, &c) in component.iter().enumerate() {
            sum[c] += theta[k];
            size[c] += 1.0;
        }
        for (k, &c) in component.iter().enumerate() {
            theta[k] -= sum[c] / size[c];
        }
    };
    // θ over all models: NaN for those absent from these battles.
    let expand = |compact: &[f64]| {
        let mut full = vec![f64::NAN; n_models];
        for (k, &m) in index.iter().enumerate() {
            full[m] = compact[k];
        }
        full
    };
    centre(&mut theta);
    let (mut current, mut g, mut h) = evaluate(&local, &theta, opts.prior);
    for iteration in 1..=opts.max_iter {
        if opts.prior == 0.0 {
            // The loss is flat along each component's all-ones direction: pin it.
            let scale = (0..n).map(|k| h[(k, k)]).fold(0.0, f64::max).max(1.0);
            for a in 0..n {
                for b in 0..n {
                    if component[a] == component[b] {
                        h[(a, b)] += scale / n as f64;
                    }
                }
            }
        }
        let rhs = Mat::from_fn(n, 1, |k, _| -g[k]);
        let step = match h.llt(Side::Lower) {
            Ok(llt) => llt.solve(&rhs),
            Err(_) => h.lblt(Side::Lower).solve(&rhs),
        };
        clear_upper_state();
        let largest = (0..n).map(|k| step[(k, 0)].abs()).fold(0.0, f64::max);
        if largest < opts.tol {
            // Converged: take the last (tiny) step without evaluating there.
            let mut last: Vec<f64> = (0..n).map(|k| theta[k] + step[(k, 0)]).collect();
            centre(&mut last);
            return Ok(Fit { theta: expand(&last), iterations: iteration });
        }
        let slope: f64 = (0..n).map(|k| g[k] * step[(k, 0)]).sum();
        // Armijo backtracking; the evaluation at the accepted point serves the next step. Once
        // the predicted decrease (the Newton decrement) is below the loss's rounding, Armijo's
        // test is noise and the full Newton step is taken (the quadratic-convergence region).
        let resolved = -slope <= 1e-9 * current.abs().max(1.0);
        let mut t = 1.0;
        let (trial, next) = loop {
            let mut trial: Vec<f64> = (0..n).map(|k| theta[k] + t * step[(k, 0)]).collect();
            centre(&mut trial);
            let next = evaluate(&local, &trial, opts.prior);
            if next.0 <= current + 1e-4 * t * slope || resolved || t < 1e-10 {
                break (trial, next);
            }
            t *= 0.5;
        };
        let moved = (0..n).map(|k| (trial[k] - theta[k]).abs()).fold(0.0, f64::max);
        theta = trial;
        (current, g, h) = next;
        if moved < opts.tol {
            // The loss no longer resolves the remaining step: converged to rounding.
            return Ok(Fit { theta: expand(&theta), iterations: iteration });
        }
        if iteration == opts.max_iter {
            return Err(KernelError::NoConvergence {
                what: "Bradley-Terry fit",
                iterations: iteration,
                last_step: moved,
            });
        }
    }
    unreachable!("the loop returns on its last iteration")
}

/// Maps each cell to the index of its unordered pair among the distinct pairs of a cell range.
pub struct PairIndex {
    pub pair_of_cell: Vec<usize>,
    pub i: Vec<u32>,
    pub j: Vec<u32>,
}

impl PairIndex {
    pub fn new(cells: &Cells, range: std::ops::Range<usize>) -> Self {
        let mut keyed: Vec<(u32, u32, usize)> =
            range.clone().map(|c| (cells.i[c], cells.j[c], c - range.start)).collect();
        // One group's cells come sorted by pair from the counting pass; voter tables do not.
        if !keyed.windows(2).all(|w| w[0] <= w[1]) {
            keyed.sort_unstable();
        }
        let mut pair_of_cell = vec![0usize; range.len()];
        let (mut i, mut j) = (Vec::new(), Vec::new());
        for &(a, b, c) in &keyed {
            if i.last() != Some(&a) || j.last() != Some(&b) {
                i.push(a);
                j.push(b);
            }
            pair_of_cell[c] = i.len() - 1;
        }
        PairIndex { pair_of_cell, i, j }
    }

    /// Pair sums of the cells of `range` counted `multiplicity[c - range.start]` times each.
    pub fn stats(&self, cells: &Cells, range: std::ops::Range<usize>, multiplicity: &[f64]) -> PairStats {
        let mut stats = PairStats::zeros(self.i.clone(), self.j.clone());
        for (local, c) in range.enumerate() {
            if multiplicity[local] > 0.0 {
                stats.add(self.pair_of_cell[local], multiplicity[local], cells.weight[c], cells.score2[c]);
            }
        }
        stats.drop_empty()
    }
}

impl PairStats {
    fn drop_empty(self) -> Self {
        let keep: Vec<usize> = (0..self.len()).filter(|&p| self.sw[p] > 0.0).collect();
        let pick = |v: &[f64]| keep.iter().map(|&p| v[p]).collect::<Vec<f64>>();
        PairStats {
            i: keep.iter().map(|&p| self.i[p]).collect(),
            j: keep.iter().map(|&p| self.j[p]).collect(),
            sw: pick(&self.sw),
            swy: pick(&self.swy),
            sw2: pick(&self.sw2),
            sw2y: pick(&self.sw2y),
            sw2y2: pick(&self.sw2y2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::pairs::{aggregate, Battles};

    fn stats(a: &[u32], b: &[u32], o: &[u8], n_models: usize) -> PairStats {
        let battles = Battles {
            first: a,
            second: b,
            tables: None,
            outcome: o,
            weight: None,
            group: None,
            n_models,
            n_groups: 1,
        };
        let cells = aggregate(&battles).unwrap();
        PairStats::from_cells(&cells, 0..cells.len())
    }

    #[test]
    fn two_models_recover_the_log_odds() {
        // 3 wins, 1 loss: θ₀ − θ₁ = ln 3 exactly.
        let s = stats(&[0, 0, 0, 1], &[1, 1, 1, 0], &[0, 0, 0, 0], 2);
        let f = fit(&s, 2, None, &FitOptions::default()).unwrap();
        assert!((f.theta[0] - f.theta[1] - 3f64.ln()).abs() < 1e-12);
        assert!((f.theta[0] + f.theta[1]).abs() < 1e-12);
    }

    #[test]
    fn ties_count_half() {
        // One win and two ties for model 0: score 2 of 3, so the odds are 2.
        let s = stats(&[0, 0, 0], &[1, 1, 1], &[0, 1, 1], 2);
        let f = fit(&s, 2, None, &FitOptions::default()).unwrap();
        assert!((f.theta[0] - f.theta[1] - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn an_undefeated_model_is_not_identifiable_without_a_prior() {
        let s = stats(&[0, 0, 1, 2], &[1, 2, 2, 1], &[0, 0, 0, 0], 3);
        assert!(matches!(fit(&s, 3, None, &FitOptions::default()), Err(KernelError::NotIdentifiable(_))));
        let penalised = fit(&s, 3, None, &FitOptions { prior: 1.0, ..FitOptions::default() }).unwrap();
        assert!(penalised.theta.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn absent_models_are_nan_and_gradient_vanishes() {
        let s = stats(&[0, 1, 2, 0, 2], &[1, 2, 0, 2, 1], &[0, 0, 0, 2, 1], 4);
        let f = fit(&s, 4, None, &FitOptions::default()).unwrap();
        assert!(f.theta[3].is_nan());
        let (g, _) = gradient_hessian(&s, &[f.theta[0], f.theta[1], f.theta[2], 0.0], 0.0);
        assert!(g.iter().all(|x| x.abs() < 1e-9));
    }

    #[test]
    fn sandwich_equals_inverse_hessian_for_two_models_without_ties() {
        // Logistic model correctly specified at the MLE: B = H, so H⁻¹BH⁻¹ = H⁻¹ (with ridge 0
        // on the contrast). Variance of θ₀ − θ₁ must be 1 / (n p (1 − p)).
        let s = stats(&[0, 0, 0, 1], &[1, 1, 1, 0], &[0, 0, 0, 0], 2);
        let f = fit(&s, 2, None, &FitOptions::default()).unwrap();
        let cov = crate::arena::sandwich::sandwich(&s, &Structure::of(&s, 2), &f.theta, 0.0, 1e-9).unwrap();
        let var_diff = cov[0] + cov[3] - 2.0 * cov[1];
        let expected = 1.0 / (4.0 * 0.75 * 0.25);
        assert!((var_diff - expected).abs() / expected < 1e-6, "{var_diff} vs {expected}");
    }

    mod invariants {
        use super::*;
        use proptest::prelude::*;

        fn battles() -> impl Strategy<Value = Vec<(u32, u32, u8)>> {
            // A cycle 0 → 1 → … → 4 → 0 of wins keeps every fit identifiable; random extras on top.
            let cycle: Vec<(u32, u32, u8)> = (0..5).map(|m| (m, (m + 1) % 5, 0)).collect();
            prop::collection::vec((0u32..5, 1u32..5, 0u8..3), 0..60).prop_map(move |extra| {
                let mut rows = cycle.clone();
                rows.extend(extra.into_iter().map(|(a, d, o)| (a, (a + d) % 5, o)));
                rows
            })
        }

        fn fitted(rows: &[(u32, u32, u8)]) -> Vec<f64> {
            let a: Vec<u32> = rows.iter().map(|r| r.0).collect();
            let b: Vec<u32> = rows.iter().map(|r| r.1).collect();
            let o: Vec<u8> = rows.iter().map(|r| r.2).collect();
            fit(&stats(&a, &b, &o, 5), 5, None, &FitOptions::default()).unwrap().theta
        }

        proptest! {
            #[test]
            fn ratings_ignore_row_order_and_side(rows in battles(), seed in any::<u64>()) {
                let base = fitted(&rows);
                let mut shuffled = rows.clone();
                let k = shuffled.len();
                shuffled.rotate_left((seed as usize) % k);
                let swapped: Vec<(u32, u32, u8)> = shuffled.iter().map(|&(a, b, o)| (b, a, 2 - o)).collect();
                for other in [fitted(&shuffled), fitted(&swapped)] {
                    for m in 0..5 {
                        prop_assert!((base[m] - other[m]).abs() < 1e-9);
                    }
                }
                prop_assert!(base.iter().sum::<f64>().abs() < 1e-9);
            }
        }
    }
}
