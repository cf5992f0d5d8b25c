//! Eigenvalues of a symmetric tridiagonal matrix by the root-free (Pal-Walker-Kahan) QL/QR
//! iteration, a port of LAPACK's DSTERF (no eigenvectors, no square roots in the inner loop).
//!
//! Used by [`crate::spectral::metrics`] after faer's tridiagonal reduction: faer's eigenvalue-only path
//! runs the implicit QR with a `hypot` per rotation, several times slower for n in the hundreds.

/// Overwrites `d` (the diagonal, length n) with the eigenvalues (unordered) of the symmetric
/// tridiagonal matrix with off-diagonal `e` (length n − 1, destroyed), to the relative precision
/// `eps` (DLAMCH('E'), `f64::EPSILON / 2` for DSTERF; `f32::EPSILON / 2` gives SSTERF's stopping
/// rule for a matrix that is itself only float32-accurate, with fewer sweeps). `Err` if the
/// iteration did not converge in 30 n sweeps.
pub fn sterf(d: &mut [f64], e: &mut [f64], eps: f64) -> Result<(), usize> {
    let n = d.len();
    assert!(n == 0 || e.len() + 1 == n, "e must have n - 1 entries");
    if n <= 1 {
        return Ok(());
    }
    // 1-based views, as in the Fortran source.
    let mut dd = Vec::with_capacity(n + 1);
    dd.push(0.0);
    dd.extend_from_slice(d);
    let mut ee = Vec::with_capacity(n + 1);
    ee.push(0.0);
    ee.extend_from_slice(e);
    ee.push(0.0);
    let (d1, e1) = (&mut dd, &mut ee);
    let eps2 = eps * eps;
    let nmaxit = 30 * n;
    let mut jtot = 0usize;
    let mut l1 = 1usize;
    loop {
        if l1 > n {
            break;
        }
        if l1 > 1 {
            e1[l1 - 1] = 0.0;
        }
        let mut m = n;
        for mm in l1..n {
            if e1[mm].abs() <= d1[mm].abs().sqrt() * d1[mm + 1].abs().sqrt() * eps {
                e1[mm] = 0.0;
                m = mm;
                break;
            }
        }
        let (lsv, lendsv) = (l1, m);
        let (mut l, mut lend) = (l1, m);
        l1 = m + 1;
        if lend == l {
            continue;
        }
        let anorm =
            (l..=lend).map(|i| d1[i].abs()).chain((l..lend).map(|i| e1[i].abs())).fold(0.0f64, f64::max);
        if anorm == 0.0 {
            continue;
        }
        e1[l..lend].iter_mut().for_each(|x| *x *= *x);
        if d1[lend].abs() < d1[l].abs() {
            lend = lsv;
            l = lendsv;
        }
        if lend >= l {
            ql(d1, e1, &mut l, lend, eps2, &mut jtot, nmaxit);
        } else {
            qr(d1, e1, &mut l, lend, eps2, &mut jtot, nmaxit);
        }
        if jtot >= nmaxit {
            let left = e1[1..n].iter().filter(|&&x| x != 0.0).count();
            return Err(left);
        }
    }
    d.copy_from_slice(&d1[1..]);
    Ok(())
}

/// Eigenvalues of [[a, b], [b, c]] (LAPACK DLAE2).
fn lae2(a: f64, b: f64, c: f64) -> (f64, f64) {
    let sm = a + c;
    let adf = (a - c).abs();
    let ab = (b + b).abs();
    let (acmx, acmn) = if a.abs() > c.abs() { (a, c) } else { (c, a) };
    let rt = if adf > ab {
        adf * (1.0 + (ab / adf).powi(2)).sqrt()
    } else if adf < ab {
        ab * (1.0 + (adf / ab).powi(2)).sqrt()
    } else {
        ab * std::f64::consts::SQRT_2
    };
    if sm < 0.0 {
        let rt1 = 0.5 * (sm - rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else if sm > 0.0 {
        let rt1 = 0.5 * (sm + rt);
        (rt1, (acmx / rt1) * acmn - (b / rt1) * b)
    } else {
        (0.5 * rt, -0.5 * rt)
    }
}

/// The Wilkinson-type shift of DSTERF from the leading 2×2 block (e squared).
fn shift(p: f64, dnext: f64, esq: f64) -> f64 {
    let rte = esq.sqrt();
    let sigma = (dnext - p) / (2.0 * rte);
    let r = sigma.hypot(1.0);
    p - rte / (sigma + r.copysign(sigma))
}

/// QL sweeps on the block l..=lend (l <= lend), deflating from the top.
fn ql(d: &mut [f64], e: &mut [f64], l: &mut usize, lend: usize, eps2: f64, jtot: &mut usize, nmaxit: usize) {
    loop {
        let mut m = lend;
        for mm in *l..lend {
            if e[mm].abs() <= eps2 * (d[mm] * d[mm + 1]).abs() {
                m = mm;
                break;
            }
        }
        if m < lend {
            e[m] = 0.0;
        }
        let mut p = d[*l];
        if m == *l {
            // Eigenvalue found.
            d[*l] = p;
            *l += 1;
            if *l <= lend {
                continue;
            }
            return;
        }
        if m == *l + 1 {
            let (rt1, rt2) = lae2(d[*l], e[*l].sqrt(), d[*l + 1]);
            d[*l] = rt1;
            d[*l + 1] = rt2;
            e[*l] = 0.0;
            *l += 2;
            if *l <= lend {
                continue;
            }
            return;
        }
        if *jtot == nmaxit {
            return;
        }
        *jtot += 1;
        let sigma = shift(p, d[*l + 1], e[*l]);
        let (mut c, mut s) = (1.0f64, 0.0f64);
        let mut gamma = d[m] - sigma;
        p = gamma * gamma;
        for i in (*l..m).rev() {
            let bb = e[i];
            let r = p + bb;
            if i != m - 1 {
                e[i + 1] = s * r;
            }
            let oldc = c;
            c = p / r;
            s = bb / r;
            let oldgam = gamma;
            let alpha = d[i];
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i + 1] = oldgam + (alpha - gamma);
            p = if c != 0.0 { gamma * gamma / c } else { oldc * bb };
        }
        e[*l] = s * p;
        d[*l] = sigma + gamma;
    }
}

/// QR sweeps on the block lend..=l (l > lend), deflating from the bottom.
fn qr(d: &mut [f64], e: &mut [f64], l: &mut usize, lend: usize, eps2: f64, jtot: &mut usize, nmaxit: usize) {
    loop {
        let mut m = lend;
        let mut mm = *l;
        while mm > lend {
            if e[mm - 1].abs() <= eps2 * (d[mm] * d[mm - 1]).abs() {
                m = mm;
                break;
            }
            mm -= 1;
        }
        if m > lend {
            e[m - 1] = 0.0;
        }
        let mut p = d[*l];
        if m == *l {
            d[*l] = p;
            if *l == lend {
                return;
            }
            *l -= 1;
            continue;
        }
        if m + 1 == *l {
            let (rt1, rt2) = lae2(d[*l], e[*l - 1].sqrt(), d[*l - 1]);
            d[*l] = rt1;
            d[*l - 1] = rt2;
            e[*l - 1] = 0.0;
            if *l < lend + 2 {
                return;
            }
            *l -= 2;
            continue;
        }
        if *jtot == nmaxit {
            return;
        }
        *jtot += 1;
        let sigma = shift(p, d[*l - 1], e[*l - 1]);
        let (mut c, mut s) = (1.0f64, 0.0f64);
        let mut gamma = d[m] - sigma;
        p = gamma * gamma;
        for i in m..*l {
            let bb = e[i];
            let r = p + bb;
            if i != m {
                e[i - 1] = s * r;
            }
            let oldc = c;
            c = p / r;
            s = bb / r;
            let oldgam = gamma;
            let alpha = d[i + 1];
            gamma = c * (alpha - sigma) - s * oldgam;
            d[i] = oldgam + (alpha - gamma);
            p = if c != 0.0 { gamma * gamma / c } else { oldc * bb };
        }
        e[*l - 1] = s * p;
        d[*l] = sigma + gamma;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn reference(d: &[f64], e: &[f64]) -> Vec<f64> {
        let n = d.len();
        let a = Mat::<f64>::from_fn(n, n, |i, j| {
            if i == j {
                d[i]
            } else if i == j + 1 {
                e[j]
            } else if j == i + 1 {
                e[i]
            } else {
                0.0
            }
        });
        a.self_adjoint_eigenvalues(faer::Side::Lower).unwrap()
    }

    /// Both stopping rules: float64's to 1e-12 of the largest eigenvalue, float32's to 1e-5.
    fn check(d: Vec<f64>, e: Vec<f64>) {
        let want = reference(&d, &e);
        let scale = want.iter().fold(1e-300f64, |a, v| a.max(v.abs()));
        for (eps, tol) in [(f64::EPSILON / 2.0, 1e-12), (f32::EPSILON as f64 / 2.0, 1e-5)] {
            let (mut got, mut ee) = (d.clone(), e.clone());
            sterf(&mut got, &mut ee, eps).unwrap();
            got.sort_by(f64::total_cmp);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol * scale, "{g} vs {w} (n = {}, eps = {eps})", d.len());
            }
        }
    }

    #[test]
    fn matches_faer_on_varied_tridiagonals() {
        for n in [1usize, 2, 3, 5, 17, 64, 200] {
            let d: Vec<f64> = (0..n).map(|i| ((i * 7919 % 113) as f64 / 17.0).sin()).collect();
            let e: Vec<f64> = (0..n.saturating_sub(1)).map(|i| ((i * 104729 % 97) as f64).cos()).collect();
            check(d.clone(), e.clone());
            // Graded, split (zero off-diagonals) and repeated-eigenvalue cases.
            let graded: Vec<f64> = (0..n).map(|i| 10f64.powi(-(i as i32) / 4)).collect();
            check(graded, e.iter().map(|x| x * 1e-3).collect());
            let split: Vec<f64> =
                e.iter().enumerate().map(|(i, x)| if i % 5 == 0 { 0.0 } else { *x }).collect();
            check(d, split);
            check(vec![1.0; n], vec![0.0; n.saturating_sub(1)]);
        }
    }

    proptest::proptest! {
        #[test]
        fn matches_faer_random(d in proptest::collection::vec(-10.0f64..10.0, 2..40),
                               seed in 0u64..1000) {
            let e: Vec<f64> = (0..d.len() - 1)
                .map(|i| (((i as u64 + 1) * 2654435761 + seed) % 2001) as f64 / 100.0 - 10.0)
                .collect();
            check(d, e);
        }
    }
}
