//! Batched spectral metrics of representation matrices: matrix entropy, effective rank
//! (Diff-eRank, Wei et al. 2024) and the other functions of the same eigenvalues.
//!
//! For each T×d matrix R of a batch: subtract the mean over tokens (rows), divide each row by
//! its L2 norm (Z), form the Gram matrix on the smaller side (ZZᵀ if T <= d, else ZᵀZ: the
//! nonzero spectra agree), take its eigenvalues only and divide them by the trace: λ, the
//! spectrum of the trace-normalized covariance ZᵀZ/T. Every metric below is a function of λ,
//! except RankMe, which uses the singular values of the raw matrix R.
//!
//! Each matrix is computed sequentially (faer `Par::Seq`); the batch is split over rayon
//! threads, so results do not depend on the number of threads.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::evd::tridiag::{tridiag_in_place, tridiag_in_place_scratch};
use faer::linalg::matmul::triangular::{matmul, BlockStructure};
use faer::linalg::qr::no_pivoting::factor::recommended_block_size;
use faer::traits::RealField;
use faer::{Accum, Mat, MatRef, Par};
use rayon::prelude::*;

use crate::error::{KernelError, KernelResult};
use crate::simd::clear_upper_state;
pub use crate::spectral::spectrum::{spectrum_metrics, Metrics, N_METRICS};
use crate::spectral::sterf::sterf;

/// The float types the kernels compute in.
pub trait SpectralFloat: RealField + Copy + Send + Sync + 'static {
    /// Machine epsilon of the type, as f64.
    const EPSILON: f64;
    fn to_f64(self) -> f64;
    fn from_f64(x: f64) -> Self;
}

impl SpectralFloat for f32 {
    const EPSILON: f64 = f32::EPSILON as f64;
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

impl SpectralFloat for f64 {
    const EPSILON: f64 = f64::EPSILON;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
}

/// Options of [`spectral_metrics`].
#[derive(Clone, Debug)]
pub struct SpectralOptions {
    /// Order of the Rényi entropy (> 0; 1 is Shannon, `f64::INFINITY` the min-entropy).
    pub alpha: f64,
    /// Compute RankMe (a second Gram and eigensolve, on the raw matrix).
    pub rankme: bool,
    /// The ε added to each normalized singular value in RankMe (Garrido et al. use 1e-7).
    pub rankme_eps: f64,
    /// Relative tolerance of the numerical rank on λ (σ²); `None`: max(T, d) · ε of the type.
    pub rank_rtol: Option<f64>,
}

impl Default for SpectralOptions {
    fn default() -> Self {
        SpectralOptions { alpha: 2.0, rankme: true, rankme_eps: 1e-7, rank_rtol: None }
    }
}

/// A matrix of a batch: `len` rows starting at row `start` of the row-major data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub len: usize,
}

/// Metrics of every segment of `data`, a row-major (rows × d) array; `arg` names it in errors.
///
/// Errors: d = 0, an empty batch, an empty or out-of-range segment, a non-finite value
/// (named by its (matrix, row, column) position), α ≤ 0, or an eigensolver failure.
pub fn spectral_metrics<T: SpectralFloat>(
    arg: &'static str,
    data: &[T],
    d: usize,
    segments: &[Segment],
    opts: &SpectralOptions,
) -> KernelResult<Vec<Metrics>> {
    if d == 0 {
        return Err(KernelError::shape(arg, "at least one column (d >= 1)", "d = 0"));
    }
    if segments.is_empty() {
        return Err(KernelError::Empty { arg, why: "the batch holds no matrices".into() });
    }
    if opts.alpha.is_nan() || opts.alpha <= 0.0 {
        return Err(KernelError::value("alpha", format!("must be > 0, got {}", opts.alpha)));
    }
    let rows = data.len() / d;
    for (b, s) in segments.iter().enumerate() {
        if s.len == 0 {
            return Err(KernelError::shape(
                arg,
                "at least one row per matrix",
                format!("0 rows in matrix {b}"),
            ));
        }
        if s.start + s.len > rows {
            return Err(KernelError::shape(
                arg,
                format!("matrix {b} inside the {rows} rows"),
                format!("rows {}..{}", s.start, s.start + s.len),
            ));
        }
    }
    let results: Vec<KernelResult<Metrics>> = segments
        .par_iter()
        .with_min_len(1)
        .enumerate()
        .map(|(b, s)| {
            let x = &data[s.start * d..(s.start + s.len) * d];
            one_matrix(arg, b, x, s.len, d, opts)
        })
        .collect();
    // Sequential collection reports the first failing matrix, whatever the thread count.
    results.into_iter().collect()
}

/// Metrics of one row-major T×d matrix `x` (matrix `b` of the batch).
fn one_matrix<T: SpectralFloat>(
    arg: &'static str,
    b: usize,
    x: &[T],
    t: usize,
    d: usize,
    opts: &SpectralOptions,
) -> KernelResult<Metrics> {
    let mean = column_means(x, t, d).map_err(|i| {
        KernelError::value(
            arg,
            format!("holds {} at index ({b}, {}, {}); values must be finite", x[i].to_f64(), i / d, i % d),
        )
    })?;
    let Some(z) = centred_unit_rows(x, &mean, t) else {
        return Ok(Metrics::NAN);
    };
    let lambda = normalized_spectrum(z.as_ref())?;
    let rtol = opts.rank_rtol.unwrap_or(t.max(d) as f64 * T::EPSILON);
    let mut m = spectrum_metrics(&lambda, d, opts.alpha, rtol);
    if opts.rankme {
        let raw = MatRef::from_column_major_slice(x, d, t);
        m.rankme = rankme(raw, opts.rankme_eps)?;
    }
    Ok(m)
}

/// Column means of a row-major T×d matrix (f64), or the first non-finite value's position.
fn column_means<T: SpectralFloat>(x: &[T], t: usize, d: usize) -> Result<Vec<f64>, usize> {
    let mut mean = vec![0.0f64; d];
    for row in x.chunks_exact(d) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v.to_f64();
        }
    }
    if mean.iter().any(|m| !m.is_finite()) {
        // NaN/inf input (or an overflowing sum: reported at the first huge value).
        let bad = x.iter().position(|v| !v.to_f64().is_finite());
        return Err(bad.unwrap_or_else(|| x.iter().position(|v| v.to_f64().abs() > 1e300).unwrap_or(0)));
    }
    mean.iter_mut().for_each(|m| *m /= t as f64);
    Ok(mean)
}

/// Sum of squares with eight independent accumulators (vectorisable, fixed order).
fn sum_squares(c: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = c.chunks_exact(8);
    for ch in &mut chunks {
        for (a, v) in acc.iter_mut().zip(ch) {
            *a += v * v;
        }
    }
    let tail: f64 = chunks.remainder().iter().map(|v| v * v).sum();
    acc.iter().sum::<f64>() + tail
}

/// Zᵀ as a d×T column-major matrix (column j = token j): rows centred over tokens, then
/// scaled to unit L2 norm. `None` if a centred row is exactly zero.
fn centred_unit_rows<T: SpectralFloat>(x: &[T], mean: &[f64], t: usize) -> Option<Mat<T>> {
    let d = mean.len();
    let mut z = Mat::<T>::zeros(d, t);
    let mut centred = vec![0.0f64; d];
    for (j, row) in x.chunks_exact(d).enumerate() {
        for ((c, v), m) in centred.iter_mut().zip(row).zip(mean) {
            *c = v.to_f64() - m;
        }
        let ss = sum_squares(&centred);
        let scale = if ss.is_finite() && ss > 1e-280 {
            1.0 / ss.sqrt()
        } else {
            // Underflow or overflow: scale by the largest entry first.
            let big = centred.iter().fold(0.0f64, |a, c| a.max(c.abs()));
            if big == 0.0 {
                return None;
            }
            let inv = 1.0 / big;
            let scaled: Vec<f64> = centred.iter().map(|c| c * inv).collect();
            inv / sum_squares(&scaled).sqrt()
        };
        let col = z.col_mut(j).try_as_col_major_mut().expect("fresh Mat is column-major");
        for (o, c) in col.as_slice_mut().iter_mut().zip(&centred) {
            *o = T::from_f64(c * scale);
        }
    }
    Some(z)
}

/// Eigenvalues (unordered) of the lower triangle of the Gram matrix of the columns of `a`
/// (d×T) on its smaller side: AᵀA (T×T) if T <= d, else AAᵀ (d×d).
fn gram_eigenvalues<T: SpectralFloat>(a: MatRef<'_, T>) -> KernelResult<Vec<f64>> {
    let (d, t) = (a.nrows(), a.ncols());
    let n = t.min(d);
    let mut g = Mat::<T>::zeros(n, n);
    let (lhs, rhs) = if t <= d { (a.transpose(), a) } else { (a, a.transpose()) };
    matmul(
        g.as_mut(),
        BlockStructure::TriangularLower,
        Accum::Replace,
        lhs,
        BlockStructure::Rectangular,
        rhs,
        BlockStructure::Rectangular,
        T::from_f64(1.0),
        Par::Seq,
    );
    clear_upper_state();
    if n == 1 {
        return Ok(vec![g[(0, 0)].to_f64()]);
    }
    // Householder reduction to tridiagonal form in place (faer), then the root-free QL/QR
    // iteration for the eigenvalues (see `sterf`).
    let bs = recommended_block_size::<T>(n, n);
    let mut householder = Mat::<T>::zeros(bs, n - 1);
    let req = tridiag_in_place_scratch::<T>(n, Par::Seq, Default::default());
    let mut buf = MemBuffer::new(req);
    tridiag_in_place(g.as_mut(), householder.as_mut(), Par::Seq, MemStack::new(&mut buf), Default::default());
    clear_upper_state();
    let mut diag: Vec<f64> = (0..n).map(|i| g[(i, i)].to_f64()).collect();
    let mut off: Vec<f64> = (0..n - 1).map(|i| g[(i + 1, i)].to_f64()).collect();
    // The tridiagonal is only T-accurate: iterate to T's precision, as LAPACK's SSTERF/DSTERF.
    sterf(&mut diag, &mut off, T::EPSILON / 2.0).map_err(|left| KernelError::NoConvergence {
        what: "tridiagonal QL/QR eigenvalue iteration",
        iterations: 30 * n,
        last_step: left as f64,
    })?;
    Ok(diag)
}

/// λ: Gram eigenvalues divided by their sum (the trace), tiny negatives clipped to 0.
fn normalized_spectrum<T: SpectralFloat>(z: MatRef<'_, T>) -> KernelResult<Vec<f64>> {
    let mut ev = gram_eigenvalues(z)?;
    let trace: f64 = ev.iter().sum();
    ev.iter_mut().for_each(|v| *v = (*v / trace).max(0.0));
    Ok(ev)
}

/// RankMe (Garrido et al. 2023) of the raw matrix given as its d×T transpose: σ the
/// min(T, d) singular values, p = σ / Σσ + ε, RankMe = exp(−Σ p ln p). σ² come from the Gram
/// eigenvalues; those below n · ε_type · max are set to 0 (Gram rounding, not signal).
fn rankme<T: SpectralFloat>(raw: MatRef<'_, T>, eps: f64) -> KernelResult<f64> {
    let ev = gram_eigenvalues(raw)?;
    let max = ev.iter().fold(0.0f64, |a, &l| a.max(l));
    if max <= 0.0 {
        return Ok(f64::NAN); // the zero matrix has no singular spectrum to normalize
    }
    let floor = ev.len() as f64 * T::EPSILON * max;
    let sigma: Vec<f64> = ev.iter().map(|&l| if l > floor { l.sqrt() } else { 0.0 }).collect();
    let total: f64 = sigma.iter().sum();
    let h = -sigma.iter().map(|s| s / total + eps).map(|p| p * p.ln()).sum::<f64>();
    Ok(h.exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[f64], t: usize, d: usize) -> Metrics {
        let seg = [Segment { start: 0, len: t }];
        spectral_metrics("x", data, d, &seg, &SpectralOptions::default()).unwrap()[0]
    }

    #[test]
    fn orthogonal_directions_have_full_effective_rank() {
        // Rows ±e_k (k < 3) in d = 4: centred rows are unit, covariance = I₃/3.
        let mut x = vec![0.0; 6 * 4];
        for k in 0..3 {
            x[(2 * k) * 4 + k] = 1.0;
            x[(2 * k + 1) * 4 + k] = -1.0;
        }
        let m = all(&x, 6, 4);
        assert!((m.entropy - 3f64.ln()).abs() < 1e-12);
        assert!((m.erank - 3.0).abs() < 1e-12);
        assert!((m.participation_ratio - 3.0).abs() < 1e-12);
        assert!((m.stable_rank - 3.0).abs() < 1e-12);
        assert_eq!(m.numerical_rank, 3.0);
        assert!((m.renyi - 3f64.ln()).abs() < 1e-12);
        assert!((m.normalized_entropy - 3f64.ln() / 4f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn both_gram_sides_agree() {
        let x: Vec<f64> = (0..7 * 5).map(|i| ((i * 37 % 11) as f64).sin()).collect();
        let wide = all(&x, 5, 7); // T = 5 <= d = 7
        let tall = all(&x, 7, 5); // T = 7 > d = 5
        assert!(wide.entropy.is_finite() && tall.entropy.is_finite());
        let xt: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let seg = [Segment { start: 0, len: 5 }];
        let f32m = spectral_metrics("x", &xt, 7, &seg, &SpectralOptions::default()).unwrap()[0];
        assert!((f32m.entropy - wide.entropy).abs() < 1e-5);
    }

    #[test]
    fn one_row_and_equal_rows_give_nan() {
        assert!(all(&[1.0, 2.0, 3.0], 1, 3).entropy.is_nan());
        assert!(all(&[1.0, 2.0, 1.0, 2.0], 2, 2).erank.is_nan());
    }

    #[test]
    fn errors_name_the_problem() {
        let opts = SpectralOptions::default();
        let seg = [Segment { start: 0, len: 2 }];
        let e = spectral_metrics("x", &[1.0, f64::NAN, 0.0, 1.0], 2, &seg, &opts).unwrap_err();
        assert!(e.to_string().contains("index (0, 0, 1)"), "{e}");
        let two = [seg[0], Segment { start: 2, len: 2 }];
        let x = [0.0, 1.0, f64::INFINITY, 1.0, 1.0, f64::NAN, 2.0, 3.0];
        let e = spectral_metrics("x", &x, 2, &two, &opts).unwrap_err();
        assert!(e.to_string().contains("inf at index (0, 1, 0)"), "{e}");
        let tiny = [1e-200, 0.0, 0.0, 1e-200, 0.0, 0.0];
        let m = spectral_metrics("x", &tiny, 2, &[Segment { start: 0, len: 3 }], &opts).unwrap();
        assert!(m[0].entropy.is_finite(), "underflowing rows still normalize");
        assert!(spectral_metrics::<f64>("x", &[], 2, &[], &opts).is_err());
        let far = [Segment { start: 1, len: 2 }];
        assert!(spectral_metrics("x", &[1.0, 0.0, 0.0, 1.0], 2, &far, &opts).is_err());
        assert!(spectral_metrics::<f64>("x", &[], 0, &seg, &opts).is_err());
    }

    proptest::proptest! {
        #[test]
        fn ranks_are_ordered(t in 2usize..12, d in 1usize..12, seed in 0u64..1000) {
            let x: Vec<f64> = (0..t * d)
                .map(|i| ((i as u64 * 2654435761 + seed * 40503) % 1000) as f64 / 100.0)
                .collect();
            let m = all(&x, t, d);
            if m.entropy.is_finite() {
                let tol = 1e-9;
                proptest::prop_assert!(m.entropy >= -tol);
                proptest::prop_assert!(m.stable_rank >= 1.0 - tol);
                proptest::prop_assert!(m.stable_rank <= m.participation_ratio * (1.0 + tol));
                proptest::prop_assert!(m.participation_ratio <= m.erank * (1.0 + tol));
                proptest::prop_assert!(m.erank <= m.numerical_rank * (1.0 + 1e-6));
                proptest::prop_assert!(m.numerical_rank <= t.min(d) as f64);
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let x: Vec<f64> = (0..40 * 6).map(|i| ((i * 13 % 17) as f64).cos()).collect();
        let segs: Vec<Segment> = (0..8).map(|b| Segment { start: b * 5, len: 5 }).collect();
        let opts = SpectralOptions::default();
        let par = spectral_metrics("x", &x, 6, &segs, &opts).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let seq = pool.install(|| spectral_metrics("x", &x, 6, &segs, &opts).unwrap());
        assert_eq!(par, seq);
    }
}
