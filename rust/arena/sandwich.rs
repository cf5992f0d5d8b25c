//! The sandwich covariance H⁻¹BH⁻¹ of Bradley-Terry ratings (LMArena's default intervals since
//! July 2025), with a ridge on the Hessian as arena-rank adds it.

use faer::linalg::solvers::DenseSolveCore;
use faer::{Mat, Side};

use crate::arena::bradley_terry::{check_dense, gradient_hessian, PairStats, Structure};
use crate::error::{KernelError, KernelResult};
use crate::simd::clear_upper_state;

/// Sandwich covariance (H + ridge·I)⁻¹ B (H + ridge·I)⁻¹ of θ at `theta`, row-major `n × n`
/// over all models (rows and columns of absent models are zero). B sums the outer products of
/// the per-battle score vectors w·(y − p)(eᵢ − eⱼ).
/// `structure` is `Structure::of(stats, theta.len())`.
pub fn sandwich(
    stats: &PairStats,
    structure: &Structure,
    theta: &[f64],
    prior: f64,
    ridge: f64,
) -> KernelResult<Vec<f64>> {
    let n = theta.len();
    check_dense(n)?;
    let zeroed: Vec<f64> = theta.iter().map(|x| if x.is_finite() { *x } else { 0.0 }).collect();
    let (_, mut h) = gradient_hessian(stats, &zeroed, prior);
    let mut b = Mat::<f64>::zeros(n, n);
    let present = stats.present(n);
    for p in 0..stats.len() {
        let (i, j) = (stats.i[p] as usize, stats.j[p] as usize);
        let q = 1.0 / (1.0 + (zeroed[j] - zeroed[i]).exp());
        let v = stats.sw2y2[p] - 2.0 * q * stats.sw2y[p] + q * q * stats.sw2[p];
        b[(i, i)] += v;
        b[(j, j)] += v;
        b[(i, j)] -= v;
        b[(j, i)] -= v;
    }
    // B vanishes along each component's all-ones direction 1_c, where (H + ridge·I)⁻¹ equals
    // 1/ridge. Computing that inverse directly loses ~log10(‖H‖/ridge) digits, so B is projected
    // off 1_c and the inverse taken of H + ridge·I + (s − ridge)·1_c1_cᵀ/n_c, which agrees with
    // (H + ridge·I)⁻¹ on the complement of the 1_c (all that projected B sees) and is well
    // conditioned (s = the largest diagonal entry of H).
    let mut size = vec![0.0; structure.n_components];
    for &c in structure.component.iter().filter(|&&c| c != u32::MAX) {
        size[c as usize] += 1.0;
    }
    let same = |a: usize, b: usize| {
        let (ca, cb) = (structure.component[a], structure.component[b]);
        (ca != u32::MAX && ca == cb).then(|| size[ca as usize])
    };
    // P·B·P with P = I − Σ_c 1_c1_cᵀ/n_c: centre B's rows, then its columns, within components.
    let comp = |a: usize| structure.component[a];
    let mut b = b;
    for _ in 0..2 {
        for a in (0..n).filter(|&a| comp(a) != u32::MAX) {
            let c = comp(a);
            let mean = (0..n).filter(|&x| comp(x) == c).map(|x| b[(a, x)]).sum::<f64>() / size[c as usize];
            for x in (0..n).filter(|&x| comp(x) == c) {
                b[(a, x)] -= mean;
            }
        }
        b = b.transpose().to_owned();
    }
    let scale = (0..n).map(|k| h[(k, k)]).fold(1.0, f64::max);
    for a in 0..n {
        // Absent models: an identity row keeps H invertible and their variance zero.
        h[(a, a)] += if present[a] { ridge } else { 1.0 };
        for c in 0..n {
            if let Some(s) = same(a, c) {
                h[(a, c)] += (scale - ridge) / s;
            }
        }
    }
    let llt = h.llt(Side::Lower).map_err(|_| {
        KernelError::value(
            "ridge",
            format!("the Hessian plus ridge {ridge:e} is not positive definite; use a ridge > 0"),
        )
    })?;
    let inverse = llt.inverse();
    let cov = &inverse * &b * &inverse;
    clear_upper_state();
    Ok((0..n * n).map(|k| cov[(k / n, k % n)]).collect())
}
