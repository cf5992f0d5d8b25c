//! TER as sacrebleu 2.x's `lib_ter` computes it (Tercom's algorithm): a greedy search for
//! block shifts of the hypothesis that lower its edit distance to the reference, each shift
//! chosen as sacrebleu chooses it (largest gain, then longest block, earliest start, earliest
//! target, then the smallest shifted sequence), under its limits (blocks of ≤ 10 words moved
//! ≤ 50 positions, 1,000 candidates in all), with its beam edit distance (a band of 25 cells
//! around the length-scaled diagonal, full last row; ties broken substitution, deletion,
//! insertion) and its cache of rows for shared hypothesis prefixes.
//!
//! Words are ids whose order is the words' string order (the caller ranks them), so sequences
//! compare as sacrebleu compares lists of str.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{KernelError, KernelResult};

const MAX_SHIFT_SIZE: usize = 10;
const MAX_SHIFT_DIST: usize = 50;
const BEAM_WIDTH: usize = 25;
const MAX_CACHE_SIZE: usize = 10_000;
const MAX_SHIFT_CANDIDATES: usize = 1000;
/// sacrebleu's `_INT_INFINITY` stands for "not reached"; any value far above real costs
/// compares the same way.
const INF: i32 = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Ins,
    Del,
    Nop,
    Sub,
    Undefined,
}

#[derive(Clone, Copy, Debug)]
struct Cell {
    cost: i32,
    op: Op,
}

const EMPTY: Cell = Cell { cost: INF, op: Op::Undefined };

/// One DP row: the cells `lo..hi` (the rest are [`EMPTY`]), stored at `offset` of the cached
/// (`cached == true`) or the per-call arena.
#[derive(Clone, Copy, Debug)]
struct Row {
    cached: bool,
    offset: usize,
    lo: usize,
    hi: usize,
}

/// sacrebleu's `BeamEditDistance` for one reference.
struct BeamEditDistance<'r> {
    reference: &'r [u32],
    /// Rows kept for hypothesis prefixes: trie edges (node, word) → child node, each child
    /// node's row; node 0 is the empty prefix (the initial row).
    children: FxHashMap<(u32, u32), u32>,
    node_rows: Vec<Row>,
    cached: Vec<Cell>,
    fresh: Vec<Cell>,
    rows: Vec<Row>,
}

impl<'r> BeamEditDistance<'r> {
    fn new(reference: &'r [u32]) -> Self {
        let m = reference.len();
        let cached: Vec<Cell> = (0..=m).map(|j| Cell { cost: j as i32, op: Op::Ins }).collect();
        let initial = Row { cached: true, offset: 0, lo: 0, hi: m + 1 };
        BeamEditDistance {
            reference,
            children: FxHashMap::default(),
            node_rows: vec![initial],
            cached,
            fresh: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn cell(&self, row: Row, j: usize) -> Cell {
        if j < row.lo || j >= row.hi {
            return EMPTY;
        }
        let arena = if row.cached { &self.cached } else { &self.fresh };
        arena[row.offset + j - row.lo]
    }

    /// Edit distance of `hyp` to the reference and the trace of operations (rewriting the
    /// reference into the hypothesis, as sacrebleu's), reusing and extending the row cache.
    fn distance(&mut self, hyp: &[u32], trace: &mut Vec<Op>) -> KernelResult<i32> {
        let (n, m) = (hyp.len(), self.reference.len());
        // Cached rows of the longest known prefix.
        self.rows.clear();
        self.rows.push(self.node_rows[0]);
        let mut node = 0u32;
        for &w in hyp {
            match self.children.get(&(node, w)) {
                Some(&child) => {
                    node = child;
                    self.rows.push(self.node_rows[child as usize]);
                }
                None => break,
            }
        }
        let start = self.rows.len() - 1;
        self.fresh.clear();
        let ratio = if n > 0 { m as f64 / n as f64 } else { 1.0 };
        let beam = if (BEAM_WIDTH as f64) < ratio / 2.0 {
            (ratio / 2.0 + BEAM_WIDTH as f64).ceil() as i64
        } else {
            BEAM_WIDTH as i64
        };
        for i in start + 1..=n {
            let diagonal = (i as f64 * ratio).floor() as i64;
            let lo = (diagonal - beam).max(0) as usize;
            let mut hi = (diagonal + beam).min(m as i64 + 1).max(0) as usize;
            if i == n {
                hi = m + 1;
            }
            let lo = lo.min(hi);
            let row = Row { cached: false, offset: self.fresh.len(), lo, hi };
            let above = self.rows[i - 1];
            for j in lo..hi {
                let cell = if j == 0 {
                    Cell { cost: self.cell(above, 0).cost + 1, op: Op::Del }
                } else {
                    let (cost_sub, op_sub) =
                        if hyp[i - 1] == self.reference[j - 1] { (0, Op::Nop) } else { (1, Op::Sub) };
                    let left = if j > lo { self.fresh[row.offset + j - 1 - lo] } else { EMPTY };
                    let mut best = EMPTY;
                    for (cost, op) in [
                        (self.cell(above, j - 1).cost + cost_sub, op_sub),
                        (self.cell(above, j).cost + 1, Op::Del),
                        (left.cost + 1, Op::Ins),
                    ] {
                        if best.cost > cost {
                            best = Cell { cost, op };
                        }
                    }
                    best
                };
                self.fresh.push(cell);
            }
            self.rows.push(row);
        }
        // The trace, from the bottom-right corner.
        trace.clear();
        let (mut i, mut j) = (n, m);
        while i > 0 || j > 0 {
            let op = self.cell(self.rows[i], j).op;
            trace.push(op);
            match op {
                Op::Sub | Op::Nop => {
                    i -= 1;
                    j -= 1;
                }
                Op::Ins => j -= 1,
                Op::Del => i -= 1,
                Op::Undefined => {
                    return Err(KernelError::value(
                        "hypotheses",
                        "TER's beam edit distance found no path (sacrebleu raises here too)",
                    ))
                }
            }
        }
        trace.reverse();
        let distance = self.cell(self.rows[n], m).cost;
        // Cache the new rows (sacrebleu stops adding once 10,000 are kept).
        if self.node_rows.len() - 1 < MAX_CACHE_SIZE {
            for (k, &w) in hyp.iter().enumerate().skip(start) {
                let row = self.rows[k + 1];
                let offset = self.cached.len();
                for jj in row.lo..row.hi {
                    self.cached.push(self.fresh[row.offset + jj - row.lo]);
                }
                let child = self.node_rows.len() as u32;
                self.node_rows.push(Row { cached: true, offset, ..row });
                self.children.insert((node, w), child);
                node = child;
            }
        }
        Ok(distance)
    }
}

/// sacrebleu's `_perform_shift`: `words[start..start + length]` moved to before `target`.
fn perform_shift(words: &[u32], start: usize, length: usize, target: usize, out: &mut Vec<u32>) {
    let n = words.len();
    let end = start + length;
    out.clear();
    if target < start {
        out.extend_from_slice(&words[..target]);
        out.extend_from_slice(&words[start..end]);
        out.extend_from_slice(&words[target..start]);
        out.extend_from_slice(&words[end..]);
    } else if target > end {
        out.extend_from_slice(&words[..start]);
        out.extend_from_slice(&words[end..target]);
        out.extend_from_slice(&words[start..end]);
        out.extend_from_slice(&words[target..]);
    } else {
        let cut = (length + target).min(n);
        out.extend_from_slice(&words[..start]);
        out.extend_from_slice(&words[end.min(cut)..cut]);
        out.extend_from_slice(&words[start..end]);
        out.extend_from_slice(&words[cut..]);
    }
}

/// A shift candidate in sacrebleu's order: gain, block length, −start, −target, then the
/// shifted words themselves.
struct Candidate {
    key: (i32, usize, i64, i64),
    words: Vec<u32>,
}

/// sacrebleu's `_shift`: the best shift of `hyp` (gain, shifted words), counting candidates.
fn best_shift(
    hyp: &[u32],
    reference: &[u32],
    ed: &mut BeamEditDistance<'_>,
    checked: &mut usize,
    trace: &mut Vec<Op>,
    shifted: &mut Vec<u32>,
) -> KernelResult<Option<(i32, Vec<u32>)>> {
    let pre_score = ed.distance(hyp, trace)?;
    // The alignment of the flipped trace (reference position → hypothesis position) and the
    // error marks, as prefix sums.
    let (n, m) = (hyp.len(), reference.len());
    let mut align = vec![0i64; m];
    let mut hyp_err = vec![0u32; n + 1];
    let mut ref_err = vec![0u32; m + 1];
    let (mut ph, mut pr) = (-1i64, -1i64);
    for &op in trace.iter() {
        // Flipped: sacrebleu's insertions are deletions here and vice versa.
        match op {
            Op::Nop | Op::Sub => {
                ph += 1;
                pr += 1;
                align[pr as usize] = ph;
                let e = u32::from(op == Op::Sub);
                hyp_err[ph as usize + 1] = e;
                ref_err[pr as usize + 1] = e;
            }
            Op::Del => {
                ph += 1;
                hyp_err[ph as usize + 1] = 1;
            }
            Op::Ins => {
                pr += 1;
                align[pr as usize] = ph;
                ref_err[pr as usize + 1] = 1;
            }
            Op::Undefined => unreachable!("traces hold defined operations"),
        }
    }
    for k in 1..=n {
        hyp_err[k] += hyp_err[k - 1];
    }
    for k in 1..=m {
        ref_err[k] += ref_err[k - 1];
    }
    let mut best: Option<Candidate> = None;
    let mut scratch = Vec::new();
    'pairs: for start_h in 0..n {
        for start_r in 0..m {
            if start_r.abs_diff(start_h) > MAX_SHIFT_DIST {
                continue;
            }
            let mut length = 0;
            while hyp[start_h + length] == reference[start_r + length] && length < MAX_SHIFT_SIZE {
                length += 1;
                // One yielded (start_h, start_r, length).
                let skip = hyp_err[start_h + length] == hyp_err[start_h]
                    || ref_err[start_r + length] == ref_err[start_r]
                    || (start_h as i64 <= align[start_r] && align[start_r] < (start_h + length) as i64);
                if !skip {
                    let mut previous = -1i64;
                    for offset in -1..length as i64 {
                        let idx = if start_r as i64 + offset == -1 {
                            0
                        } else {
                            align[(start_r as i64 + offset) as usize] + 1
                        };
                        if idx == previous {
                            continue;
                        }
                        previous = idx;
                        perform_shift(hyp, start_h, length, idx as usize, shifted);
                        let gain = pre_score - ed.distance(shifted, &mut scratch)?;
                        let key = (gain, length, -(start_h as i64), -idx);
                        *checked += 1;
                        let better = match &best {
                            None => true,
                            Some(b) => {
                                key > b.key || (key == b.key && shifted.as_slice() > b.words.as_slice())
                            }
                        };
                        if better {
                            best = Some(Candidate { key, words: shifted.clone() });
                        }
                    }
                    if *checked >= MAX_SHIFT_CANDIDATES {
                        break 'pairs;
                    }
                }
                if n == start_h + length || m == start_r + length {
                    break;
                }
            }
        }
    }
    Ok(best.map(|b| (b.key.0, b.words)))
}

/// sacrebleu's `translation_edit_rate`: (edits, reference length) of one hypothesis against
/// one reference.
pub fn edit_rate(hyp: &[u32], reference: &[u32]) -> KernelResult<(u64, u64)> {
    if reference.is_empty() {
        return Ok((hyp.len() as u64, 0));
    }
    let mut ed = BeamEditDistance::new(reference);
    let (mut trace, mut shifted) = (Vec::new(), Vec::new());
    let mut words = hyp.to_vec();
    let mut shifts = 0u64;
    let mut checked = 0usize;
    loop {
        let best = best_shift(&words, reference, &mut ed, &mut checked, &mut trace, &mut shifted)?;
        if checked >= MAX_SHIFT_CANDIDATES {
            break;
        }
        match best {
            Some((gain, next)) if gain > 0 => {
                shifts += 1;
                words = next;
            }
            _ => break,
        }
    }
    let distance = ed.distance(&words, &mut trace)?;
    Ok((shifts + distance as u64, reference.len() as u64))
}

/// Per segment, sacrebleu's TER statistics: the fewest edits over its references and the
/// mean reference length.
pub fn statistics(hyps: &[Vec<u32>], refs: &[Vec<Vec<u32>>]) -> KernelResult<Vec<(u64, f64)>> {
    hyps.par_iter()
        .zip(refs)
        .map(|(hyp, refs)| {
            let mut best = u64::MAX;
            let mut lengths = 0u64;
            for r in refs {
                let (edits, len) = edit_rate(hyp, r)?;
                lengths += len;
                best = best.min(edits);
            }
            Ok((best, lengths as f64 / refs.len().max(1) as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str, vocab: &mut Vec<String>) -> Vec<u32> {
        text.split_whitespace()
            .map(|w| match vocab.iter().position(|v| v == w) {
                Some(i) => i as u32,
                None => {
                    vocab.push(w.to_string());
                    vocab.len() as u32 - 1
                }
            })
            .collect()
    }

    /// A block shift costs one edit where the plain edit distance pays two per word.
    #[test]
    fn a_moved_block_is_one_shift() {
        let mut v = Vec::new();
        let r = ids("a b c d e f", &mut v);
        let h = ids("d e f a b c", &mut v);
        assert_eq!(edit_rate(&h, &r).unwrap(), (1, 6));
        assert_eq!(edit_rate(&r, &r).unwrap(), (0, 6));
        assert_eq!(edit_rate(&[], &r).unwrap(), (6, 6));
        assert_eq!(edit_rate(&h, &[]).unwrap(), (6, 0));
    }

    /// Expected values from sacrebleu's `_perform_shift` on the same arguments.
    #[test]
    fn shifts_as_sacrebleu_slices_them() {
        let w = [0, 1, 2, 3, 4, 5];
        let mut out = Vec::new();
        perform_shift(&w, 3, 2, 1, &mut out);
        assert_eq!(out, [0, 3, 4, 1, 2, 5]);
        perform_shift(&w, 0, 2, 5, &mut out);
        assert_eq!(out, [2, 3, 4, 0, 1, 5]);
        perform_shift(&w, 1, 2, 2, &mut out);
        assert_eq!(out, [0, 3, 1, 2, 4, 5]);
    }
}
