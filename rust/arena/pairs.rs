//! Counting pass: battles (integer-coded models, outcome codes, optional weights and group
//! codes) aggregated into cells, one per (group, unordered pair, outcome, weight).
//!
//! Every later step (fit, sandwich, bootstrap) works on these cells, never on the rows:
//! a multinomial resample of the cells is exactly a resample of the battles.

use rayon::prelude::*;

use crate::codes::{index, look, look_flagged, Code};
use crate::error::{KernelError, KernelResult};

/// Outcome codes of a battle, as seen from its first model.
pub const FIRST_WINS: u8 = 0;
pub const TIE: u8 = 1;
pub const SECOND_WINS: u8 = 2;

/// Key spaces up to this size are counted in a dense array; larger ones are sorted.
const DENSE_KEYS: u64 = 1 << 22;
const CHUNK: usize = 1 << 16;

/// Integer-coded battles, borrowed from the caller's columns.
///
/// `first` and `second` hold model codes, or (with `tables`) the columns' own dictionary codes
/// (pandas Categorical codes, Arrow indices: any integer type, negative for a missing value)
/// that `tables` maps to model codes; the counting pass then maps them as it reads them.
pub struct Battles<'a, T = u32> {
    pub first: &'a [T],
    pub second: &'a [T],
    pub tables: Option<(&'a [u32], &'a [u32])>,
    pub outcome: &'a [u8],
    pub weight: Option<&'a [f64]>,
    pub group: Option<&'a [u32]>,
    pub n_models: usize,
    pub n_groups: usize,
}

/// Aggregated battles, sorted by (group, i, j). `i < j`; `score2` is twice the score of
/// model `i` (2 = i won, 1 = tie, 0 = j won); `count` battles of weight `weight` each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cells {
    pub group: Vec<u32>,
    pub i: Vec<u32>,
    pub j: Vec<u32>,
    pub score2: Vec<u8>,
    pub weight: Vec<f64>,
    pub count: Vec<f64>,
}

impl Cells {
    pub fn len(&self) -> usize {
        self.i.len()
    }

    pub fn is_empty(&self) -> bool {
        self.i.is_empty()
    }

    fn push(&mut self, group: u32, i: u32, j: u32, score2: u8, weight: f64, count: f64) {
        self.group.push(group);
        self.i.push(i);
        self.j.push(j);
        self.score2.push(score2);
        self.weight.push(weight);
        self.count.push(count);
    }

    /// Index ranges of the cells of each group, in group order (empty groups give empty ranges).
    pub fn group_ranges(&self, n_groups: usize) -> Vec<std::ops::Range<usize>> {
        let mut ranges = Vec::with_capacity(n_groups);
        let mut start = 0;
        for g in 0..n_groups as u32 {
            let end = start + self.group[start..].iter().take_while(|&&x| x == g).count();
            ranges.push(start..end);
            start = end;
        }
        ranges
    }

    /// Sets every cell's weight to `1 / max(n_pair, floor)`, where `n_pair` is the number of
    /// battles of that unordered pair within its group (LMArena's inverse-frequency weights).
    pub fn reweight_inverse_frequency(&mut self, floor: f64) {
        let mut start = 0;
        while start < self.len() {
            let same = |k: usize| {
                self.group[k] == self.group[start] && self.i[k] == self.i[start] && self.j[k] == self.j[start]
            };
            let mut end = start;
            while end < self.len() && same(end) {
                end += 1;
            }
            let n_pair: f64 = self.count[start..end].iter().sum();
            let w = 1.0 / n_pair.max(floor);
            self.weight[start..end].iter_mut().for_each(|x| *x = w);
            start = end;
        }
    }
}

impl<T: Code> Battles<'_, T> {
    /// Model codes of row `r` and whether both are valid (present and below `n_models`); an
    /// invalid code gives an in-range stand-in, so hot loops need not branch.
    #[inline(always)]
    fn models(&self, r: usize) -> (usize, usize, bool) {
        let (x, y) = (self.first[r], self.second[r]);
        let model = |table: &[u32], code: T| look(table, code).map_or(usize::MAX, |m| m as usize);
        let (a, b) = match self.tables {
            None => (index(x), index(y)),
            Some((ta, tb)) => (model(ta, x), model(tb, y)),
        };
        let (k, last) = (self.n_models, self.n_models.saturating_sub(1));
        (a.min(last), b.min(last), a < k && b < k)
    }
}

fn check<T: Code>(battles: &Battles<T>) -> KernelResult<()> {
    let n = battles.first.len();
    for (name, len) in [("model_b", battles.second.len()), ("winner", battles.outcome.len())] {
        if len != n {
            return Err(KernelError::shape(name, format!("length {n}"), format!("length {len}")));
        }
    }
    if let Some(w) = battles.weight {
        if w.len() != n {
            return Err(KernelError::shape("weights", format!("length {n}"), format!("length {}", w.len())));
        }
    }
    if let Some(g) = battles.group {
        if g.len() != n {
            return Err(KernelError::shape("by", format!("length {n}"), format!("length {}", g.len())));
        }
    }
    Ok(())
}

/// Checks every row in parallel; the error names the first bad row.
fn check_rows<T: Code>(battles: &Battles<T>) -> KernelResult<()> {
    let bad = pieces(battles.first.len())
        .into_par_iter()
        .find_map_first(|rows| rows.into_iter().find_map(|r| row_problem(battles, r)));
    bad.map_or(Ok(()), Err)
}

/// Contiguous row ranges, one per worker thread (at least `CHUNK` rows each).
fn pieces(n: usize) -> Vec<std::ops::Range<usize>> {
    let count = rayon::current_num_threads().min(n.div_ceil(CHUNK)).max(1);
    let per = n.div_ceil(count).max(1);
    (0..count).map(|p| p * per..((p + 1) * per).min(n)).filter(|r| !r.is_empty()).collect()
}

#[inline]
fn row_problem<T: Code>(battles: &Battles<T>, row: usize) -> Option<KernelError> {
    let ((a, b, valid), o) = (battles.models(row), battles.outcome[row]);
    let k = battles.n_models;
    let problem = if !valid {
        let raw = |x: T| x.try_into().map_or("missing".to_string(), |x: usize| x.to_string());
        let (x, y) = (raw(battles.first[row]), raw(battles.second[row]));
        let what = if battles.tables.is_some() {
            "a code with no model".to_string()
        } else {
            format!("a model code outside 0..{k}")
        };
        KernelError::value("model_a/model_b", format!("row {row} has {what} (model_a: {x}, model_b: {y})"))
    } else if a == b {
        KernelError::value("model_a/model_b", format!("row {row}: a model cannot battle itself (code {a})"))
    } else if o > SECOND_WINS {
        KernelError::value("winner", format!("row {row} has outcome code {o} (expected 0, 1 or 2)"))
    } else if let Some(x) = battles.weight.map(|w| w[row]).filter(|x| !x.is_finite() || *x < 0.0) {
        KernelError::value("weights", format!("row {row} holds {x}; weights must be finite and >= 0"))
    } else if let Some(g) = battles.group.map(|g| g[row]).filter(|&g| g as usize >= battles.n_groups) {
        KernelError::value("by", format!("row {row} has group code {g} >= {}", battles.n_groups))
    } else {
        return None;
    };
    Some(problem)
}

/// Orders a battle as (lower id, higher id, twice the lower id's score).
#[inline]
fn canonical(a: u32, b: u32, outcome: u8) -> (u32, u32, u8) {
    let score2_first = 2 - outcome; // FIRST_WINS -> 2, TIE -> 1, SECOND_WINS -> 0
    if a < b {
        (a, b, score2_first)
    } else {
        (b, a, 2 - score2_first)
    }
}

#[inline]
fn key(group: u32, i: u32, j: u32, score2: u8, k: u64) -> u64 {
    ((group as u64 * k + i as u64) * k + j as u64) * 3 + score2 as u64
}

fn unkey(key: u64, k: u64) -> (u32, u32, u32, u8) {
    let score2 = (key % 3) as u8;
    let rest = key / 3;
    let j = (rest % k) as u32;
    let rest = rest / k;
    ((rest / k) as u32, (rest % k) as u32, j, score2)
}

/// Battle counts per ordered key `((group·K + a)·K + b)·3 + outcome`, in one branch-free
/// parallel pass; rows are checked as they are counted (and looked up again only on failure).
fn dense_counts<T: Code>(battles: &Battles<T>) -> KernelResult<Vec<u32>> {
    let k = battles.n_models;
    match battles.tables {
        None => dense_counts_with(battles, |x, y| (index(x), index(y), true)),
        Some((ta, tb)) if !ta.is_empty() && !tb.is_empty() => dense_counts_with(battles, |x, y| {
            let ((a, known_a), (b, known_b)) = (look_flagged(ta, x), look_flagged(tb, y));
            (a as usize, b as usize, known_a & known_b)
        }),
        Some(_) => check_rows(battles).map(|_| vec![0; battles.n_groups.max(1) * k * k * 3]),
    }
}

/// [`dense_counts`] with `models` giving a row's two model codes (and whether its codes exist).
fn dense_counts_with<T: Code>(
    battles: &Battles<T>,
    models: impl Fn(T, T) -> (usize, usize, bool) + Sync,
) -> KernelResult<Vec<u32>> {
    let (k, n_groups) = (battles.n_models, battles.n_groups.max(1));
    let n_keys = n_groups * k * k * 3;
    let partial: Vec<(Vec<u32>, bool)> = pieces(battles.first.len())
        .into_par_iter()
        .map(|rows| {
            let mut acc = vec![0u32; n_keys];
            let mut valid = true;
            let mut count = |g: usize, (x, y, o): (T, T, u8)| {
                let (a, b, known) = models(x, y);
                valid &= known & (a < k) & (b < k) & (a != b) & (o <= SECOND_WINS) & (g < n_groups);
                acc[(((g * k + a) * k + b) * 3 + o as usize).min(n_keys - 1)] += 1;
            };
            let (first, second) = (&battles.first[rows.clone()], &battles.second[rows.clone()]);
            let rows_of =
                first.iter().zip(second).zip(&battles.outcome[rows.clone()]).map(|((&x, &y), &o)| (x, y, o));
            match battles.group {
                None => rows_of.for_each(|row| count(0, row)),
                Some(group) => group[rows].iter().zip(rows_of).for_each(|(&g, row)| count(g as usize, row)),
            }
            (acc, valid)
        })
        .collect();
    if partial.iter().any(|(_, valid)| !valid) {
        check_rows(battles)?;
    }
    let mut pieces = partial.into_iter().map(|(acc, _)| acc);
    let mut counts = pieces.next().unwrap_or_else(|| vec![0; n_keys]);
    for piece in pieces {
        counts.iter_mut().zip(&piece).for_each(|(a, b)| *a += b);
    }
    Ok(counts)
}

/// Aggregates battles into cells. Rows with weight 0 are kept out.
pub fn aggregate<T: Code>(battles: &Battles<T>) -> KernelResult<Cells> {
    check(battles)?;
    let n = battles.first.len();
    if n == 0 {
        return Err(KernelError::Empty { arg: "battles", why: "no rows to fit".into() });
    }
    let k = battles.n_models as u64;
    let n_keys = (battles.n_groups.max(1) as u64).saturating_mul(k * k * 3);
    let row_key = |r: usize| {
        let (a, b, _) = battles.models(r);
        let (i, j, s) = canonical(a as u32, b as u32, battles.outcome[r]);
        key(battles.group.map_or(0, |g| g[r]), i, j, s, k)
    };
    let mut cells = Cells::default();
    match battles.weight {
        None if n_keys <= DENSE_KEYS => {
            let counts = dense_counts(battles)?;
            // Ordered keys (group, a, b, outcome) merge into cells (group, i < j, score2 of i):
            // a battle (i, j, o) gives i the score 2 − o, a battle (j, i, o) gives it o.
            let (k, groups) = (k as usize, battles.n_groups.max(1));
            for g in 0..groups {
                for i in 0..k {
                    for j in i + 1..k {
                        let (ij, ji) = (((g * k + i) * k + j) * 3, ((g * k + j) * k + i) * 3);
                        for s in 0..3 {
                            let c = counts[ij + 2 - s] + counts[ji + s];
                            if c > 0 {
                                cells.push(g as u32, i as u32, j as u32, s as u8, 1.0, c as f64);
                            }
                        }
                    }
                }
            }
        }
        _ => {
            check_rows(battles)?;
            let weight_bits = |r: usize| battles.weight.map_or(1f64.to_bits(), |w| w[r].to_bits());
            let mut keyed: Vec<(u64, u64)> = (0..n)
                .into_par_iter()
                .with_min_len(CHUNK)
                .map(|r| (row_key(r), weight_bits(r)))
                .filter(|&(_, w)| f64::from_bits(w) > 0.0)
                .collect();
            keyed.par_sort_unstable();
            let mut start = 0;
            while start < keyed.len() {
                let end = start + keyed[start..].iter().take_while(|x| **x == keyed[start]).count();
                let (g, i, j, s) = unkey(keyed[start].0, k);
                cells.push(g, i, j, s, f64::from_bits(keyed[start].1), (end - start) as f64);
                start = end;
            }
        }
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn battles<'a>(a: &'a [u32], b: &'a [u32], o: &'a [u8], w: Option<&'a [f64]>) -> Battles<'a> {
        Battles {
            first: a,
            second: b,
            tables: None,
            outcome: o,
            weight: w,
            group: None,
            n_models: 3,
            n_groups: 1,
        }
    }

    #[test]
    fn aggregates_both_orders_into_one_pair() {
        let cells = aggregate(&battles(&[0, 1, 0, 2], &[1, 0, 1, 1], &[0, 0, 1, 2], None)).unwrap();
        // (0,1): 0 wins once, 1 wins once (row 1), tie once; (1,2): 1 wins once (row 3, second wins).
        assert_eq!(cells.i, vec![0, 0, 0, 1]);
        assert_eq!(cells.j, vec![1, 1, 1, 2]);
        assert_eq!(cells.score2, vec![0, 1, 2, 2]);
        assert_eq!(cells.count, vec![1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn weighted_path_matches_dense_path_with_unit_weights() {
        let (a, b, o) = ([0, 1, 0, 2, 0, 0], [1, 0, 1, 1, 2, 2], [0, 0, 1, 2, 0, 0]);
        let dense = aggregate(&battles(&a, &b, &o, None)).unwrap();
        let sorted = aggregate(&battles(&a, &b, &o, Some(&[1.0; 6]))).unwrap();
        assert_eq!(dense, sorted);
    }

    #[test]
    fn rejects_self_battles_and_bad_codes() {
        let err = aggregate(&battles(&[0], &[0], &[0], None)).unwrap_err();
        assert!(err.to_string().contains("cannot battle itself"));
        let err = aggregate(&battles(&[0], &[5], &[0], None)).unwrap_err();
        assert!(
            err.to_string().contains("row 0 has a model code outside 0..3 (model_a: 0, model_b: 5)"),
            "{err}"
        );
        let err = aggregate(&battles(&[0], &[1], &[7], None)).unwrap_err();
        assert!(err.to_string().contains("outcome code 7"));
        let err = aggregate(&battles(&[0], &[1], &[0], Some(&[f64::NAN]))).unwrap_err();
        assert!(err.to_string().starts_with("weights"));
    }

    #[test]
    fn inverse_frequency_weights_use_pair_totals() {
        let mut cells = aggregate(&battles(&[0, 1, 0], &[1, 0, 2], &[0, 0, 1], None)).unwrap();
        cells.reweight_inverse_frequency(1.0);
        assert_eq!(cells.weight, vec![0.5, 0.5, 1.0]);
    }
}
