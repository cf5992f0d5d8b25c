//! The results as one items × models matrix per benchmark. Items, their clusters and subgroups
//! are the same for every model, so resampling and grouped reductions work on units (benchmark,
//! item) and serve all models at once.

use crate::error::{KernelError, KernelResult};

/// Per-item results as codes, one entry per row. Scores are finite (the caller checks them,
/// naming the rows); `keep` leaves rows out (other versions of an item) without copying.
pub struct Rows<'a> {
    pub model: &'a [u32],
    pub benchmark: &'a [u32],
    pub item: &'a [u32],
    pub score: &'a [f64],
    pub cluster: Option<&'a [u32]>,
    pub group: Option<&'a [u32]>,
    pub keep: Option<&'a [bool]>,
}

/// Units (benchmark, item) in ascending order of `benchmark * n_items + item`; the units of
/// benchmark b are `starts[b]..starts[b + 1]`.
#[derive(Debug)]
pub struct Layout {
    pub n_models: usize,
    /// units × models, row-major; NaN where a model lacks the item.
    pub scores: Vec<f64>,
    pub unit_keys: Vec<u64>,
    pub starts: Vec<usize>,
    pub unit_cluster: Option<Vec<u32>>,
    pub unit_group: Option<Vec<u32>>,
    /// benchmarks × models: the model has every unit of the benchmark.
    pub complete: Vec<bool>,
}

/// A borrowed view of a layout's units: what the reductions read.
#[derive(Clone, Copy)]
pub struct Units<'a> {
    pub n_models: usize,
    /// units × models, row-major; NaN where a model lacks the item.
    pub scores: &'a [f64],
    pub starts: &'a [usize],
    pub cluster: Option<&'a [u32]>,
}

impl Layout {
    pub fn units(&self) -> Units<'_> {
        Units {
            n_models: self.n_models,
            scores: &self.scores,
            starts: &self.starts,
            cluster: self.unit_cluster.as_deref(),
        }
    }
}

/// How many offending rows an error lists.
const LISTED: usize = 10;
const ABSENT: u32 = u32::MAX;

/// Row → unit: a lookup table over the key range when it is small next to the rows, a sorted
/// key list (binary search) otherwise.
enum UnitIndex {
    Table(Vec<u32>),
    Sorted,
}

fn check_lengths(rows: &Rows) -> KernelResult<usize> {
    let n = rows.score.len();
    let lengths = [
        ("model", Some(rows.model.len())),
        ("benchmark", Some(rows.benchmark.len())),
        ("item", Some(rows.item.len())),
        ("cluster", rows.cluster.map(<[u32]>::len)),
        ("group", rows.group.map(<[u32]>::len)),
        ("keep", rows.keep.map(<[bool]>::len)),
    ];
    for (arg, len) in lengths {
        if let Some(len) = len {
            if len != n {
                return Err(KernelError::shape(arg, format!("{n} rows"), format!("{len}")));
            }
        }
    }
    Ok(n)
}

fn codes_below(arg: &'static str, codes: &[u32], bound: usize) -> KernelResult<()> {
    match codes.iter().position(|&c| c as usize >= bound) {
        Some(row) => Err(KernelError::value(arg, format!("row {row} holds code {} >= {bound}", codes[row]))),
        None => Ok(()),
    }
}

/// One attribute per unit (its cluster or subgroup): the value of the unit's first row, and an
/// error naming the first row that disagrees with it.
fn per_unit(
    arg: &'static str,
    values: Option<&[u32]>,
    row_unit: &[u32],
    units: usize,
) -> KernelResult<Option<Vec<u32>>> {
    let Some(values) = values else { return Ok(None) };
    let mut out = vec![ABSENT; units];
    for (row, &unit) in row_unit.iter().enumerate() {
        if unit == ABSENT {
            continue;
        }
        let slot = &mut out[unit as usize];
        if *slot == ABSENT {
            *slot = values[row];
        } else if *slot != values[row] {
            return Err(KernelError::value(
                arg,
                format!("an item must be in one {arg} for every model; row {row} differs"),
            ));
        }
    }
    Ok(Some(out))
}

/// Lays `rows` out per benchmark. Errors: lengths that differ, codes out of range, and a
/// (model, benchmark, item) given more than once (listing the repeated rows).
pub fn layout(rows: &Rows, n_models: usize, n_benchmarks: usize, n_items: usize) -> KernelResult<Layout> {
    let n = check_lengths(rows)?;
    codes_below("model", rows.model, n_models)?;
    codes_below("benchmark", rows.benchmark, n_benchmarks)?;
    codes_below("item", rows.item, n_items)?;
    let kept = |r: usize| rows.keep.is_none_or(|k| k[r]);
    let key = |r: usize| rows.benchmark[r] as u64 * n_items as u64 + rows.item[r] as u64;
    let span = n_benchmarks as u64 * n_items as u64;

    let (unit_keys, index) = if span <= (4 * n as u64).max(1 << 22) {
        let mut table = vec![ABSENT; span as usize];
        for r in (0..n).filter(|&r| kept(r)) {
            table[key(r) as usize] = 0;
        }
        let mut keys = Vec::new();
        for (k, slot) in table.iter_mut().enumerate() {
            if *slot != ABSENT {
                *slot = keys.len() as u32;
                keys.push(k as u64);
            }
        }
        (keys, UnitIndex::Table(table))
    } else {
        let mut keys: Vec<u64> = (0..n).filter(|&r| kept(r)).map(key).collect();
        keys.sort_unstable();
        keys.dedup();
        (keys, UnitIndex::Sorted)
    };
    if unit_keys.len() >= ABSENT as usize {
        return Err(KernelError::value("item", "more than 2^32 - 1 (benchmark, item) units"));
    }
    let unit_of = |r: usize| -> u32 {
        match &index {
            UnitIndex::Table(table) => table[key(r) as usize],
            UnitIndex::Sorted => unit_keys.binary_search(&key(r)).map_or(ABSENT, |u| u as u32),
        }
    };
    let row_unit: Vec<u32> = (0..n).map(|r| if kept(r) { unit_of(r) } else { ABSENT }).collect();

    let units = unit_keys.len();
    let mut scores = vec![f64::NAN; units * n_models];
    let mut repeated = Vec::new();
    for (r, &unit) in row_unit.iter().enumerate() {
        if unit == ABSENT {
            continue;
        }
        let slot = &mut scores[unit as usize * n_models + rows.model[r] as usize];
        if slot.is_nan() {
            *slot = rows.score[r];
        } else if repeated.len() < LISTED {
            repeated.push(r);
        }
    }
    if !repeated.is_empty() {
        return Err(KernelError::value(
            "results",
            format!("(model, benchmark, item) given more than once at rows {repeated:?}"),
        ));
    }
    let unit_cluster = per_unit("cluster", rows.cluster, &row_unit, units)?;
    let unit_group = per_unit("group", rows.group, &row_unit, units)?;
    drop(row_unit);

    let mut starts = vec![0usize; n_benchmarks + 1];
    for (b, start) in starts.iter_mut().enumerate() {
        *start = unit_keys.partition_point(|&k| k < b as u64 * n_items as u64);
    }
    let mut complete = vec![true; n_benchmarks * n_models];
    for b in 0..n_benchmarks {
        for unit in starts[b]..starts[b + 1] {
            let row = &scores[unit * n_models..(unit + 1) * n_models];
            for (m, v) in row.iter().enumerate() {
                if v.is_nan() {
                    complete[b * n_models + m] = false;
                }
            }
        }
    }
    Ok(Layout { n_models, scores, unit_keys, starts, unit_cluster, unit_group, complete })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows<'a>(model: &'a [u32], bench: &'a [u32], item: &'a [u32], score: &'a [f64]) -> Rows<'a> {
        Rows { model, benchmark: bench, item, score, cluster: None, group: None, keep: None }
    }

    #[test]
    fn units_sorted_by_benchmark_then_item() {
        let r = rows(&[0, 1, 1, 0], &[1, 0, 1, 1], &[2, 0, 2, 0], &[1.0, 2.0, 3.0, 4.0]);
        let out = layout(&r, 2, 2, 3).unwrap();
        assert_eq!(out.unit_keys, vec![0, 3, 5]);
        assert_eq!(out.starts, vec![0, 1, 3]);
        let s = &out.scores;
        assert!(s[0].is_nan() && s[1] == 2.0 && s[2] == 4.0 && s[3].is_nan());
        assert_eq!((s[4], s[5]), (1.0, 3.0));
        assert_eq!(out.complete, vec![false, true, true, false]);
    }

    #[test]
    fn repeated_rows_and_split_items_are_named() {
        let r = rows(&[0, 0, 0], &[0, 0, 0], &[1, 2, 1], &[1.0, 0.0, 1.0]);
        let err = layout(&r, 1, 1, 3).unwrap_err().to_string();
        assert_eq!(err, "results: (model, benchmark, item) given more than once at rows [2]");
        let mut r = rows(&[0, 1], &[0, 0], &[1, 1], &[1.0, 0.0]);
        r.cluster = Some(&[3, 4]);
        let err = layout(&r, 2, 1, 2).unwrap_err().to_string();
        assert_eq!(err, "cluster: an item must be in one cluster for every model; row 1 differs");
    }

    #[test]
    fn kept_rows_only_and_the_sparse_index_agree_with_the_table() {
        let keep = [true, false, true];
        let mut r = rows(&[0, 0, 0], &[0, 0, 0], &[5, 5, 7], &[1.0, 0.0, 0.5]);
        r.keep = Some(&keep);
        let dense = layout(&r, 1, 1, 8).unwrap();
        assert_eq!((dense.unit_keys.clone(), dense.scores.clone()), (vec![5, 7], vec![1.0, 0.5]));
        let sparse = layout(&r, 1, 1, 1 << 30).unwrap();
        assert_eq!(sparse.unit_keys, dense.unit_keys);
        assert_eq!(sparse.scores, dense.scores);
        assert!(layout(&r, 1, 1, 6).unwrap_err().to_string().contains("code 7 >= 6"));
    }
}
