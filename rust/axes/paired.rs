//! Paired differences of two models on the items both have: per pair × benchmark the number of
//! shared items, the items only one has, the mean difference and its CR1 cluster-robust
//! standard error (the same formula as [`super::moments`], on the differences).

use rayon::prelude::*;

use super::cluster_order::cluster_runs;
use super::layout::Units;

/// Indexed `pair * n_benchmarks + benchmark`. `mean` is NaN without shared items, `se_cluster`
/// with fewer than 2 clusters (items without clusters).
pub struct Paired {
    pub n: Vec<u64>,
    pub dropped: Vec<u64>,
    pub mean: Vec<f64>,
    pub se_cluster: Vec<f64>,
}

fn one(layout: Units<'_>, b: usize, a: usize, c: usize) -> (u64, u64, f64, f64) {
    let m_count = layout.n_models;
    let (start, end) = (layout.starts[b], layout.starts[b + 1]);
    let at = |unit: usize, m: usize| layout.scores[unit * m_count + m];
    let (mut n, mut dropped, mut sum) = (0u64, 0u64, 0.0f64);
    for unit in start..end {
        let (x, y) = (at(unit, a), at(unit, c));
        match (x.is_nan(), y.is_nan()) {
            (false, false) => {
                n += 1;
                sum += x - y;
            }
            (true, true) => {}
            _ => dropped += 1,
        }
    }
    let mean = sum / n as f64;
    let (order, runs) = cluster_runs(layout.cluster, start, end);
    let (mut between, mut groups) = (0.0f64, 0u64);
    for run in runs.windows(2) {
        let mut running = None;
        for &unit in &order[run[0]..run[1]] {
            let (x, y) = (at(unit, a), at(unit, c));
            if !x.is_nan() && !y.is_nan() {
                *running.get_or_insert(0.0) += x - y - mean;
            }
        }
        if let Some(r) = running {
            between += r * r;
            groups += 1;
        }
    }
    let k = n as f64;
    let g = groups as f64;
    let se = if groups >= 2 { (g / (g - 1.0) * between / (k * k)).sqrt() } else { f64::NAN };
    (n, dropped, mean, se)
}

/// Paired statistics of model pairs `(a[p], b[p])` on every benchmark.
pub fn paired(layout: Units<'_>, a: &[u32], b: &[u32]) -> Paired {
    let n_benchmarks = layout.starts.len() - 1;
    let rows: Vec<(u64, u64, f64, f64)> = (0..a.len() * n_benchmarks)
        .into_par_iter()
        .map(|i| one(layout, i % n_benchmarks, a[i / n_benchmarks] as usize, b[i / n_benchmarks] as usize))
        .collect();
    Paired {
        n: rows.iter().map(|r| r.0).collect(),
        dropped: rows.iter().map(|r| r.1).collect(),
        mean: rows.iter().map(|r| r.2).collect(),
        se_cluster: rows.iter().map(|r| r.3).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axes::layout::{layout, Rows};

    #[test]
    fn differences_on_shared_items() {
        // two models, items 0..3; model 1 lacks item 2
        let model = [0u32, 0, 0, 1, 1];
        let (bench, item) = ([0u32; 5], [0u32, 1, 2, 0, 1]);
        let score = [1.0, 1.0, 0.0, 0.0, 1.0];
        let rows = Rows {
            model: &model,
            benchmark: &bench,
            item: &item,
            score: &score,
            cluster: None,
            group: None,
            keep: None,
        };
        let out = paired(layout(&rows, 2, 1, 3).unwrap().units(), &[0], &[1]);
        assert_eq!((out.n[0], out.dropped[0], out.mean[0]), (2, 1, 0.5));
        // differences 1, 0: residuals ±0.5, CR1 with every item a cluster: √(2 · 0.5 / 4)
        assert!((out.se_cluster[0] - 0.5).abs() < 1e-15);
    }
}
