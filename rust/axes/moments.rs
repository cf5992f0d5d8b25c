//! Per cell (model × benchmark × subgroup): the count, mean, naive standard error and the CR1
//! cluster-robust standard error of the mean, as statsmodels' OLS on an intercept with
//! `cov_type="cluster"` gives it: √(G/(G−1) · Σ_g (Σ_{i∈g} e_i)² / n²) for G clusters and
//! residuals e. Two passes over a benchmark's units (sums, then residuals in cluster order).

use rayon::prelude::*;

use super::cluster_order::cluster_runs;
use super::layout::Units;

/// Cell statistics, indexed `(model * n_benchmarks + benchmark) * n_groups + group`. Errors
/// are NaN for cells with fewer than 2 items (`se`) or clusters (`se_cluster`); without
/// clusters every item is its own cluster.
pub struct Moments {
    pub n: Vec<u64>,
    pub n_clusters: Vec<u64>,
    pub mean: Vec<f64>,
    pub se: Vec<f64>,
    pub se_cluster: Vec<f64>,
}

/// One benchmark's statistics, slots `group * n_models + model`.
struct Block {
    n: Vec<u64>,
    n_clusters: Vec<u64>,
    mean: Vec<f64>,
    se: Vec<f64>,
    se_cluster: Vec<f64>,
}

fn block(layout: Units<'_>, b: usize, group: Option<&[u32]>, n_groups: usize) -> Block {
    let m_count = layout.n_models;
    let (start, end) = (layout.starts[b], layout.starts[b + 1]);
    let slots = n_groups * m_count;
    let base = |unit: usize| group.map_or(0, |g| g[unit] as usize) * m_count;
    let row = |unit: usize| &layout.scores[unit * m_count..(unit + 1) * m_count];
    let mut n = vec![0u64; slots];
    let mut sum = vec![0.0f64; slots];
    for unit in start..end {
        let at = base(unit);
        for (m, &v) in row(unit).iter().enumerate() {
            if !v.is_nan() {
                n[at + m] += 1;
                sum[at + m] += v;
            }
        }
    }
    let mean: Vec<f64> = sum.iter().zip(&n).map(|(s, &k)| s / k as f64).collect();
    let mut squares = vec![0.0f64; slots];
    let mut between = vec![0.0f64; slots];
    let mut n_clusters = vec![0u64; slots];
    let mut running = vec![0.0f64; slots];
    let mut touched = vec![false; slots];
    let mut touched_slots = Vec::new();
    let clustered = layout.cluster.is_some();
    let (order, runs) = if clustered {
        cluster_runs(layout.cluster, start, end)
    } else {
        ((start..end).collect(), vec![0, end - start])
    };
    for run in runs.windows(2) {
        for &unit in &order[run[0]..run[1]] {
            let at = base(unit);
            for (m, &v) in row(unit).iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                let slot = at + m;
                let e = v - mean[slot];
                squares[slot] += e * e;
                running[slot] += e;
                if !touched[slot] {
                    touched[slot] = true;
                    touched_slots.push(slot);
                }
            }
        }
        for slot in touched_slots.drain(..) {
            between[slot] += running[slot] * running[slot];
            n_clusters[slot] += 1;
            running[slot] = 0.0;
            touched[slot] = false;
        }
    }
    let mut se = vec![f64::NAN; slots];
    let mut se_cluster = vec![f64::NAN; slots];
    for slot in 0..slots {
        let k = n[slot] as f64;
        if n[slot] >= 2 {
            se[slot] = (squares[slot] / (k - 1.0) / k).sqrt();
        }
        if !clustered {
            n_clusters[slot] = n[slot];
            se_cluster[slot] = se[slot];
            continue;
        }
        let g = n_clusters[slot] as f64;
        if n_clusters[slot] >= 2 {
            se_cluster[slot] = (g / (g - 1.0) * between[slot] / (k * k)).sqrt();
        }
    }
    Block { n, n_clusters, mean, se, se_cluster }
}

/// Statistics of every model × benchmark (× subgroup, `group` per unit with `n_groups`
/// subgroups; one group without).
pub fn moments(layout: Units<'_>, group: Option<&[u32]>, n_groups: usize) -> Moments {
    let n_benchmarks = layout.starts.len() - 1;
    let m_count = layout.n_models;
    let n_groups = if group.is_some() { n_groups } else { 1 };
    let blocks: Vec<Block> =
        (0..n_benchmarks).into_par_iter().map(|b| block(layout, b, group, n_groups)).collect();
    let cells = m_count * n_benchmarks * n_groups;
    let mut out = Moments {
        n: vec![0; cells],
        n_clusters: vec![0; cells],
        mean: vec![f64::NAN; cells],
        se: vec![f64::NAN; cells],
        se_cluster: vec![f64::NAN; cells],
    };
    for (b, blk) in blocks.iter().enumerate() {
        for g in 0..n_groups {
            for m in 0..m_count {
                let (cell, slot) = ((m * n_benchmarks + b) * n_groups + g, g * m_count + m);
                out.n[cell] = blk.n[slot];
                out.n_clusters[cell] = blk.n_clusters[slot];
                out.mean[cell] = blk.mean[slot];
                out.se[cell] = blk.se[slot];
                out.se_cluster[cell] = blk.se_cluster[slot];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axes::layout::{layout, Rows};

    #[test]
    fn cluster_robust_error_of_a_mean() {
        // one model, one benchmark, items 0..4 in clusters [0, 0, 1, 1]: y = 1, 0, 1, 1
        let (model, bench, item) = ([0u32; 4], [0u32; 4], [0u32, 1, 2, 3]);
        let score = [1.0, 0.0, 1.0, 1.0];
        let cluster = [0u32, 0, 1, 1];
        let rows = Rows {
            model: &model,
            benchmark: &bench,
            item: &item,
            score: &score,
            cluster: Some(&cluster),
            group: None,
            keep: None,
        };
        let out = moments(layout(&rows, 1, 1, 4).unwrap().units(), None, 1);
        assert_eq!((out.n[0], out.n_clusters[0], out.mean[0]), (4, 2, 0.75));
        // residuals 0.25, -0.75, 0.25, 0.25: cluster sums -0.5, 0.5
        let expected = (2.0f64 / 1.0 * (0.25 + 0.25) / 16.0).sqrt();
        assert!((out.se_cluster[0] - expected).abs() < 1e-15);
        let naive = ((3.0 * 0.0625 + 0.5625) / 3.0 / 4.0f64).sqrt();
        assert!((out.se[0] - naive).abs() < 1e-15);
    }

    #[test]
    fn subgroups_split_cells_and_one_item_has_no_error() {
        let (model, bench, item) = ([0u32; 3], [0u32; 3], [0u32, 1, 2]);
        let score = [1.0, 0.0, 0.5];
        let group = [0u32, 0, 1];
        let rows = Rows {
            model: &model,
            benchmark: &bench,
            item: &item,
            score: &score,
            cluster: None,
            group: Some(&group),
            keep: None,
        };
        let lay = layout(&rows, 1, 1, 3).unwrap();
        let out = moments(lay.units(), lay.unit_group.as_deref(), 2);
        assert_eq!((out.n[0], out.n[1]), (2, 1));
        assert_eq!((out.mean[0], out.mean[1]), (0.5, 0.5));
        assert!(out.se[1].is_nan() && out.se_cluster[1].is_nan());
        assert_eq!(out.se[0], out.se_cluster[0]);
    }
}
