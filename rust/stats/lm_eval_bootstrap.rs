//! lm-evaluation-harness's bootstrap standard error (`lm_eval.api.metrics.bootstrap_stderr`),
//! float for float.
//!
//! lm-eval draws `iters // chunk` chunks of `chunk = min(1000, iters)` resamples; chunk `i`
//! uses `random.Random(i)` and draws each resample as `choices(xs, k=len(xs))`. Each resample
//! gives the statistic, and the result is the sample standard deviation of those values
//! (`sample_stddev`: CPython `sum()`s, Bessel-corrected). Chunks here run in parallel; each
//! keeps its own generator, so the values and their order are lm-eval's.

use rayon::prelude::*;

use super::python_random::PythonRandom;
use super::python_sum::{numpy_sum, python_sum, PythonSum, Summation};
use crate::error::{KernelError, KernelResult};

/// The statistic of each resample, as lm-eval's aggregation of the same name computes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// `sum(xs) / len(xs)`.
    Mean,
    /// `sorted(xs)[len(xs) // 2]`.
    Median,
    /// `np.nanmean(xs)`, NaN when every value is NaN.
    NanMean,
    /// `exp(-mean(xs))`.
    Perplexity,
    /// scikit-learn's binary `f1_score(gold, pred)` (positive label 1; 0 without positives).
    F1,
    /// scikit-learn's `matthews_corrcoef(gold, pred)` over any number of classes.
    Mcc,
}

impl Statistic {
    /// The statistic named as in `assay.harness.bootstrap_stderr`.
    pub fn from_name(name: &str) -> KernelResult<Self> {
        Ok(match name {
            "mean" => Statistic::Mean,
            "median" => Statistic::Median,
            "nanmean" => Statistic::NanMean,
            "perplexity" => Statistic::Perplexity,
            "f1" => Statistic::F1,
            "mcc" => Statistic::Mcc,
            _ => {
                return Err(KernelError::value(
                    "statistic",
                    format!("unknown statistic {name:?}; use mean, median, nanmean, perplexity, f1 or mcc"),
                ))
            }
        })
    }
}

/// What is resampled: values, or (gold, pred) label codes below `classes`.
#[derive(Clone, Copy, Debug)]
pub enum Items<'a> {
    Values(&'a [f64]),
    Labels { gold: &'a [u32], pred: &'a [u32], classes: usize },
}

impl Items<'_> {
    fn len(&self) -> usize {
        match self {
            Items::Values(v) => v.len(),
            Items::Labels { gold, .. } => gold.len(),
        }
    }
}

fn check(statistic: Statistic, items: &Items<'_>) -> KernelResult<()> {
    let labels = matches!(statistic, Statistic::F1 | Statistic::Mcc);
    match (items, labels) {
        (Items::Values(_), true) => {
            return Err(KernelError::value("items", "f1 and mcc need (gold, pred) pairs"))
        }
        (Items::Labels { .. }, false) => {
            return Err(KernelError::value("items", "this statistic takes values, not pairs"))
        }
        _ => {}
    }
    if items.len() == 0 {
        return Err(KernelError::Empty { arg: "items", why: "nothing to resample".into() });
    }
    if items.len() > i32::MAX as usize {
        return Err(KernelError::value("items", "more than 2^31 - 1 items"));
    }
    match *items {
        Items::Values(v) if statistic == Statistic::Median => {
            if let Some(i) = v.iter().position(|x| x.is_nan()) {
                return Err(KernelError::value("items", format!("item {i} is NaN (median)")));
            }
        }
        Items::Labels { gold, pred, classes } => {
            if gold.len() != pred.len() {
                return Err(KernelError::shape(
                    "pred",
                    format!("{} labels", gold.len()),
                    pred.len().to_string(),
                ));
            }
            let bad = gold.iter().chain(pred).position(|&c| c as usize >= classes);
            if let Some(i) = bad {
                return Err(KernelError::value("items", format!("label code at {i} >= {classes}")));
            }
            if statistic == Statistic::F1 && classes > 2 {
                return Err(KernelError::value("items", "f1 is binary: labels must be 0 or 1"));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The population in ascending order and each item's position in it, for the median: a
/// resample's median is then read off a histogram of positions instead of sorting.
struct Ranks {
    sorted: Vec<f64>,
    rank: Vec<u32>,
}

impl Ranks {
    fn new(values: &[f64]) -> Self {
        let mut order: Vec<u32> = (0..values.len() as u32).collect();
        order.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
        let mut rank = vec![0u32; values.len()];
        for (position, &item) in order.iter().enumerate() {
            rank[item as usize] = position as u32;
        }
        let sorted = order.iter().map(|&i| values[i as usize]).collect();
        Ranks { sorted, rank }
    }
}

/// One chunk's generator and the scratch its statistic needs.
struct Resampler<'a> {
    statistic: Statistic,
    items: Items<'a>,
    n: f64,
    indices: Vec<u32>,
    values: Vec<f64>,
    confusion: Vec<u64>,
    ranks: Option<&'a Ranks>,
    counts: Vec<u32>,
}

impl<'a> Resampler<'a> {
    fn new(statistic: Statistic, items: Items<'a>, ranks: Option<&'a Ranks>) -> Self {
        let classes = match items {
            Items::Labels { classes, .. } => classes,
            Items::Values(_) => 0,
        };
        Resampler {
            statistic,
            items,
            n: items.len() as f64,
            indices: vec![0; items.len()],
            values: Vec::with_capacity(items.len()),
            confusion: vec![0; classes * classes],
            ranks,
            counts: vec![0; if ranks.is_some() { items.len() } else { 0 }],
        }
    }

    /// The statistic of the next resample drawn from `rng`.
    fn next(&mut self, rng: &mut PythonRandom) -> f64 {
        rng.fill_choice_indices(self.n, &mut self.indices);
        let indices = &self.indices;
        match self.items {
            Items::Values(v) => match self.statistic {
                Statistic::Mean | Statistic::Perplexity => {
                    unreachable!("means are summed in groups (`means`)")
                }
                Statistic::Median => {
                    // sorted(resample)[n // 2]: the first position whose running count
                    // passes n // 2 (equal values sit side by side in the ranking)
                    let ranks = self.ranks.expect("ranks are built for the median");
                    self.counts.fill(0);
                    for &i in indices {
                        self.counts[ranks.rank[i as usize] as usize] += 1;
                    }
                    let mid = (indices.len() / 2) as u32;
                    let mut seen = 0u32;
                    let mut position = 0;
                    for (p, &c) in self.counts.iter().enumerate() {
                        seen += c;
                        if seen > mid {
                            position = p;
                            break;
                        }
                    }
                    ranks.sorted[position]
                }
                Statistic::NanMean => {
                    self.values.clear();
                    self.values.extend(indices.iter().map(|&i| v[i as usize]));
                    let mut count = 0usize;
                    for x in self.values.iter_mut() {
                        if x.is_nan() {
                            *x = 0.0;
                        } else {
                            count += 1;
                        }
                    }
                    if count == 0 {
                        f64::NAN
                    } else {
                        numpy_sum(&self.values) / count as f64
                    }
                }
                Statistic::F1 | Statistic::Mcc => unreachable!("checked: labels"),
            },
            Items::Labels { gold, pred, classes } => {
                self.confusion.fill(0);
                for &i in indices {
                    let i = i as usize;
                    self.confusion[gold[i] as usize * classes + pred[i] as usize] += 1;
                }
                if self.statistic == Statistic::F1 {
                    f1(&self.confusion)
                } else {
                    mcc(&self.confusion, classes)
                }
            }
        }
    }
}

/// scikit-learn's binary F1 from a 2×2 confusion table (rows gold, columns pred):
/// 2·tp / (gold positives + predicted positives), 0 when both are 0.
fn f1(c: &[u64]) -> f64 {
    let (tp, gold_pos, pred_pos) = (c[3], c[2] + c[3], c[1] + c[3]);
    let denom = gold_pos as f64 + pred_pos as f64;
    if denom == 0.0 {
        0.0
    } else {
        (2.0 * tp as f64) / denom
    }
}

/// scikit-learn's `matthews_corrcoef` from a K×K confusion table, in its order of operations.
fn mcc(c: &[u64], k: usize) -> f64 {
    let t_sum: Vec<f64> = (0..k).map(|r| c[r * k..(r + 1) * k].iter().sum::<u64>() as f64).collect();
    let p_sum: Vec<f64> = (0..k).map(|col| (0..k).map(|r| c[r * k + col]).sum::<u64>() as f64).collect();
    let n_correct = (0..k).map(|i| c[i * k + i]).sum::<u64>() as f64;
    let n = p_sum.iter().sum::<f64>();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = n_correct * n - dot(&t_sum, &p_sum);
    let cov_ypyp = n * n - dot(&p_sum, &p_sum);
    let cov_ytyt = n * n - dot(&t_sum, &t_sum);
    let product = cov_ypyp * cov_ytyt;
    if product == 0.0 {
        0.0
    } else {
        cov_ytyp / product.sqrt()
    }
}

/// Resamples summed side by side.
const GROUP: usize = 4;

/// `count` resample means (or perplexities) of `v`, drawn from `rng` in turn. Each sum is
/// CPython's, in its resample's order; a group of resamples is summed side by side so that
/// their chains of dependent additions overlap.
fn means(
    statistic: Statistic,
    v: &[f64],
    count: usize,
    summation: Summation,
    rng: &mut PythonRandom,
) -> Vec<f64> {
    let n = v.len();
    let mut indices = vec![0u32; GROUP * n];
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let group = (count - out.len()).min(GROUP);
        rng.fill_choice_indices(n as f64, &mut indices[..group * n]);
        let mut sums = [PythonSum::new(summation); GROUP];
        if group == GROUP {
            let (a, rest) = indices.split_at(n);
            let (b, rest) = rest.split_at(n);
            let (c, d) = rest.split_at(n);
            for t in 0..n {
                sums[0].add(v[a[t] as usize]);
                sums[1].add(v[b[t] as usize]);
                sums[2].add(v[c[t] as usize]);
                sums[3].add(v[d[t] as usize]);
            }
        } else {
            for (sum, part) in sums.iter_mut().zip(indices.chunks_exact(n)).take(group) {
                part.iter().for_each(|&i| sum.add(v[i as usize]));
            }
        }
        for sum in &sums[..group] {
            let mean = sum.value() / n as f64;
            out.push(if statistic == Statistic::Mean { mean } else { (-mean).exp() });
        }
    }
    out
}

/// The resample statistics lm-eval's `bootstrap_stderr(f, xs, iters)` computes, in its order:
/// `iters // min(1000, iters)` chunks of `min(1000, iters)`.
pub fn replicates(
    statistic: Statistic,
    items: Items<'_>,
    iters: usize,
    summation: Summation,
) -> KernelResult<Vec<f64>> {
    check(statistic, &items)?;
    if iters == 0 {
        return Err(KernelError::value("iters", "must be >= 1"));
    }
    let chunk = iters.min(1000);
    let ranks = match (statistic, items) {
        (Statistic::Median, Items::Values(v)) => Some(Ranks::new(v)),
        _ => None,
    };
    let chunks: Vec<Vec<f64>> = (0..iters / chunk)
        .into_par_iter()
        .map(|i| {
            let mut rng = PythonRandom::new(i as u64);
            match (statistic, items) {
                (Statistic::Mean | Statistic::Perplexity, Items::Values(v)) => {
                    means(statistic, v, chunk, summation, &mut rng)
                }
                _ => {
                    let mut resampler = Resampler::new(statistic, items, ranks.as_ref());
                    (0..chunk).map(|_| resampler.next(&mut rng)).collect()
                }
            }
        })
        .collect();
    Ok(chunks.concat())
}

/// The items each resample of lm-eval's `bootstrap_stderr(f, xs, iters)` draws from `n` items:
/// (resamples × n) indices, row-major, in lm-eval's order (for statistics computed elsewhere,
/// such as corpus BLEU from per-segment counts).
pub fn resample_indices(n: usize, iters: usize) -> KernelResult<Vec<u32>> {
    if n == 0 {
        return Err(KernelError::Empty { arg: "items", why: "nothing to resample".into() });
    }
    if n > i32::MAX as usize {
        return Err(KernelError::value("items", "more than 2^31 - 1 items"));
    }
    if iters == 0 {
        return Err(KernelError::value("iters", "must be >= 1"));
    }
    let chunk = iters.min(1000);
    let chunks: Vec<Vec<u32>> = (0..iters / chunk)
        .into_par_iter()
        .map(|i| {
            let mut rng = PythonRandom::new(i as u64);
            let mut out = vec![0u32; chunk * n];
            for row in out.chunks_exact_mut(n) {
                rng.fill_choice_indices(n as f64, row);
            }
            out
        })
        .collect();
    Ok(chunks.concat())
}

/// lm-eval's `sample_stddev`: `sqrt(sum((x - mu)**2 for x) / (n - 1))` with
/// `mu = sum(xs) / n`, both sums CPython's.
pub fn sample_stddev(values: &[f64], summation: Summation) -> KernelResult<f64> {
    if values.len() < 2 {
        return Err(KernelError::value("iters", "the standard deviation needs >= 2 resamples"));
    }
    let n = values.len() as f64;
    let mu = python_sum(values.iter().copied(), summation) / n;
    let squares = python_sum(values.iter().map(|&x| (x - mu) * (x - mu)), summation);
    Ok((squares / (n - 1.0)).sqrt())
}

/// lm-eval's `bootstrap_stderr` of `statistic` over `items`.
pub fn bootstrap_stderr(
    statistic: Statistic,
    items: Items<'_>,
    iters: usize,
    summation: Summation,
) -> KernelResult<f64> {
    sample_stddev(&replicates(statistic, items, iters, summation)?, summation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_follow_lm_eval() {
        let xs: Vec<f64> = (0..50).map(|i| (i as f64).sin()).collect();
        let reps = replicates(Statistic::Mean, Items::Values(&xs), 2500, Summation::Plain).unwrap();
        assert_eq!(reps.len(), 2000); // 2500 // 1000 chunks of 1000
                                      // chunk 1 restarts from random.Random(1)
        let mut rng = PythonRandom::new(1);
        let first: f64 = python_sum((0..50).map(|_| xs[rng.choice_index(50.0)]), Summation::Plain);
        assert_eq!(reps[1000], first / 50.0);
        let small = replicates(Statistic::Mean, Items::Values(&xs), 30, Summation::Plain).unwrap();
        assert_eq!(small.len(), 30);
        assert_eq!(small[..], reps[..30]);
    }

    #[test]
    fn grouped_means_equal_one_at_a_time() {
        let xs: Vec<f64> = (0..97).map(|i| (i as f64 * 0.37).sin() * 1e3).collect();
        for summation in [Summation::Plain, Summation::Compensated] {
            for count in [1usize, 4, 7, 1000] {
                let mut rng = PythonRandom::new(3);
                let grouped = means(Statistic::Perplexity, &xs[..50], count, summation, &mut rng);
                // one resample at a time: CPython's choices, then sum() and exp(-mean)
                let mut rng = PythonRandom::new(3);
                let expected: Vec<f64> = (0..count)
                    .map(|_| {
                        let draws = (0..50).map(|_| xs[rng.choice_index(50.0)]);
                        (-(python_sum(draws, summation) / 50.0)).exp()
                    })
                    .collect();
                assert_eq!(grouped, expected);
            }
        }
    }

    #[test]
    fn median_from_ranks_equals_sorting() {
        let xs: Vec<f64> = (0..301).map(|i| ((i * 37) % 101) as f64 - 50.0).collect(); // ties
        for n in [1usize, 2, 7, 301] {
            let reps = replicates(Statistic::Median, Items::Values(&xs[..n]), 50, Summation::Plain).unwrap();
            let mut rng = PythonRandom::new(0);
            for &r in &reps {
                let mut sample: Vec<f64> = (0..n).map(|_| xs[rng.choice_index(n as f64)]).collect();
                sample.sort_by(|a, b| a.total_cmp(b));
                assert_eq!(r, sample[n / 2]);
            }
        }
    }

    #[test]
    fn f1_and_mcc_of_fixed_tables() {
        // gold/pred: tp 3, fn 1, fp 2, tn 4
        let c = [4, 2, 1, 3];
        assert_eq!(f1(&c), 6.0 / 9.0);
        let expected = (3.0 * 4.0 - 2.0 * 1.0) / ((5.0f64 * 5.0 * 4.0 * 6.0).sqrt());
        assert!((mcc(&c, 2) - expected).abs() < 1e-15);
        assert_eq!(f1(&[5, 0, 0, 0]), 0.0);
        assert_eq!(mcc(&[5, 0, 0, 0], 2), 0.0);
    }

    #[test]
    fn bad_input_is_an_error() {
        let gold = [0u32, 1, 2];
        let items = Items::Labels { gold: &gold, pred: &gold, classes: 3 };
        assert!(replicates(Statistic::F1, items, 10, Summation::Plain).is_err());
        assert!(replicates(Statistic::Mean, Items::Values(&[]), 10, Summation::Plain).is_err());
        assert!(replicates(Statistic::Median, Items::Values(&[f64::NAN]), 10, Summation::Plain).is_err());
        assert!(replicates(Statistic::Mean, Items::Values(&[1.0]), 0, Summation::Plain).is_err());
        assert!(bootstrap_stderr(Statistic::Mean, Items::Values(&[1.0]), 1, Summation::Plain).is_err());
        assert!(replicates(Statistic::Mcc, Items::Values(&[1.0]), 10, Summation::Plain).is_err());
    }
}
