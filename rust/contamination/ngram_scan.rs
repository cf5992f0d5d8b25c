//! Exact n-gram overlap of benchmark items against a corpus (contamination).
//!
//! Items and documents are normalized and split by [`crate::text::shingle`] (lm-evaluation-harness rules
//! by default: ASCII lower-case, `string.punctuation` deleted, whitespace split). Every word n-gram
//! of every item goes into a hash table keyed by a 64-bit rolling hash of its token hashes
//! (`H = Σ t_j·P^(n−1−j) mod 2⁶⁴`, finalised by SplitMix64); each corpus document's n-gram hashes
//! are computed the same way ([`word_ngram_hashes_in`], O(n) per token for n ≤ 16 in blocks of
//! eight windows, O(1) beyond) and looked up behind a bit filter. Hits are grouped into maximal
//! runs along a diagonal (consecutive positions in both texts): a run of `k` n-grams is a shared
//! span of `k + n − 1` tokens. Items with fewer than `n` tokens have no n-gram and cannot match.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::error::{KernelError, KernelResult};
use crate::text::shingle::{ngrams_of_tokens, word_ngram_hashes_in, ShingleOpts};

/// Passes already-random u64 keys straight through (n-gram hashes are SplitMix64-finalised).
#[derive(Default, Clone, Copy)]
pub struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | b as u64;
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = x;
    }
}

pub type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdentityHasher>>;

/// One maximal shared span between an item and a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub item: u32,
    pub item_start: u32,
    pub doc: u64,
    pub doc_start: u32,
    pub ngrams: u32,
}

/// Benchmark n-grams ready for scanning, plus the accumulated results.
pub struct NgramIndex {
    pub opts: ShingleOpts,
    pub item_ngrams: Vec<u32>,
    table: IdMap<Vec<(u32, u32)>>,
    /// One bit per slot of the top `filter_bits` bits of an n-gram hash, set for the items'
    /// n-grams: nearly every corpus n-gram is in no item, and one bit (in cache) says so.
    filter: Vec<u64>,
    filter_bits: u32,
}

/// Filter bits per distinct item n-gram: about 1 in 32 absent n-grams passes to the table.
const FILTER_BITS_PER_KEY: usize = 32;

/// Per-item results accumulated over scanned documents.
#[derive(Debug, Clone, Default)]
pub struct ScanState {
    pub matched: Vec<Vec<bool>>,
    /// Longest run per item (`ngrams == 0` when none), earliest document on ties.
    pub best: Vec<Option<Run>>,
}

impl NgramIndex {
    pub fn new<S: AsRef<str> + Sync>(items: &[S], opts: ShingleOpts) -> KernelResult<Self> {
        if opts.n == 0 {
            return Err(KernelError::value("ngram", "must be at least 1"));
        }
        let grams: Vec<Vec<u64>> = items
            .par_iter()
            .map_init(Vec::new, |buf, s| word_ngram_hashes_in(s.as_ref(), &opts, buf).to_vec())
            .collect();
        let mut table: IdMap<Vec<(u32, u32)>> = IdMap::default();
        for (item, keys) in grams.iter().enumerate() {
            for (pos, &key) in keys.iter().enumerate() {
                table.entry(key).or_default().push((item as u32, pos as u32));
            }
        }
        let item_ngrams = grams.iter().map(|k| k.len() as u32).collect();
        let slots = (table.len() * FILTER_BITS_PER_KEY).next_power_of_two().clamp(1 << 12, 1 << 30);
        let filter_bits = slots.trailing_zeros();
        let mut filter = vec![0u64; slots / 64];
        for &key in table.keys() {
            let slot = (key >> (64 - filter_bits)) as usize;
            filter[slot / 64] |= 1 << (slot % 64);
        }
        Ok(NgramIndex { opts, item_ngrams, table, filter, filter_bits })
    }

    /// False when no item has an n-gram with this hash (true may still be a miss).
    #[inline(always)]
    fn may_contain(&self, key: u64) -> bool {
        let slot = (key >> (64 - self.filter_bits)) as usize;
        self.filter[slot / 64] >> (slot % 64) & 1 == 1
    }

    pub fn new_state(&self) -> ScanState {
        ScanState {
            matched: self.item_ngrams.iter().map(|&k| vec![false; k as usize]).collect(),
            best: vec![None; self.item_ngrams.len()],
        }
    }

    /// Maximal shared runs between the items and one document.
    pub fn scan_doc(&self, text: &str, doc: u64) -> Vec<Run> {
        self.scan_doc_with(text, doc, &mut Vec::new())
    }

    /// [`Self::scan_doc`] with scratch space `buf`.
    fn scan_doc_with(&self, text: &str, doc: u64, buf: &mut Vec<u64>) -> Vec<Run> {
        self.runs_of_ngrams(word_ngram_hashes_in(text, &self.opts, buf), doc)
    }

    /// [`Self::scan_doc`] of a document's word token hashes under [`Self::opts`] (`tokens`,
    /// overwritten by its n-gram hashes).
    pub fn scan_tokens(&self, tokens: &mut Vec<u64>, doc: u64) -> Vec<Run> {
        self.runs_of_ngrams(ngrams_of_tokens(tokens, self.opts.n), doc)
    }

    /// Maximal shared runs between the items and the document with these n-gram hashes, ordered
    /// by item, diagonal (`item_start − doc_start`) and place.
    ///
    /// A hit (item n-gram `ipos` at document n-gram `pos`) extends the run that holds `ipos − 1`
    /// at `pos − 1`, if any: each position's item occurrences are sorted, so one merge with the
    /// previous position's finds it, and only runs (not hits) are sorted at the end.
    fn runs_of_ngrams(&self, ngrams: &[u64], doc: u64) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        // Runs the previous n-gram ended: (item, the item position that extends it, run index).
        let mut ending: Vec<(u32, u32, usize)> = Vec::new();
        let mut extended: Vec<(u32, u32, usize)> = Vec::new();
        for (pos, &key) in ngrams.iter().enumerate() {
            extended.clear();
            if let Some(occ) = self.may_contain(key).then(|| self.table.get(&key)).flatten() {
                let mut k = 0;
                for &(item, ipos) in occ {
                    while ending.get(k).is_some_and(|&(i, p, _)| (i, p) < (item, ipos)) {
                        k += 1;
                    }
                    let run = match ending.get(k) {
                        Some(&(i, p, run)) if (i, p) == (item, ipos) => {
                            runs[run].ngrams += 1;
                            run
                        }
                        _ => {
                            runs.push(Run { item, item_start: ipos, doc, doc_start: pos as u32, ngrams: 1 });
                            runs.len() - 1
                        }
                    };
                    extended.push((item, ipos + 1, run));
                }
            }
            std::mem::swap(&mut ending, &mut extended);
        }
        runs.sort_unstable_by_key(|r| (r.item, r.item_start as i64 - r.doc_start as i64, r.doc_start));
        runs
    }

    /// Scans documents in parallel (ids `first_doc..`) and folds their runs into `state` in
    /// document order, so the result does not depend on the thread count.
    pub fn scan<S: AsRef<str> + Sync>(&self, texts: &[S], first_doc: u64, state: &mut ScanState) {
        let runs: Vec<Vec<Run>> = texts
            .par_iter()
            .enumerate()
            .with_min_len(4)
            .map_init(Vec::new, |buf, (i, t)| self.scan_doc_with(t.as_ref(), first_doc + i as u64, buf))
            .collect();
        fold_runs(runs, state);
    }
}

/// Folds documents' runs, in document order, into `state`: matched n-grams marked, the longest
/// run per item kept (the earliest on ties).
pub fn fold_runs(runs: Vec<Vec<Run>>, state: &mut ScanState) {
    for run in runs.into_iter().flatten() {
        let it = run.item as usize;
        let s = run.item_start as usize;
        state.matched[it][s..s + run.ngrams as usize].fill(true);
        if !matches!(state.best[it], Some(b) if b.ngrams >= run.ngrams) {
            state.best[it] = Some(run);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_planted_span_with_offsets() {
        let item = "The quick brown fox jumps over the lazy dog, again and again!";
        let idx = NgramIndex::new(&[item, "short"], ShingleOpts::lm_eval(3)).unwrap();
        assert_eq!(idx.item_ngrams, vec![10, 0]);
        let doc = "noise words here: THE QUICK brown fox jumps over the lazy; and more";
        let mut st = idx.new_state();
        idx.scan(&[doc, "unrelated text with nothing shared at all"], 5, &mut st);
        let best = st.best[0].unwrap();
        assert_eq!((best.doc, best.doc_start, best.item_start), (5, 3, 0));
        assert_eq!(best.ngrams + 2, 8); // "the quick brown fox jumps over the lazy"
        assert_eq!(st.matched[0].iter().filter(|&&m| m).count(), 6);
        assert!(st.best[1].is_none());
    }

    /// The runs by sorting every hit by (item, diagonal, place) and merging neighbours.
    fn runs_by_sorting_hits(idx: &NgramIndex, ngrams: &[u64], doc: u64) -> Vec<Run> {
        let mut hits: Vec<(u32, i64, u32, u32)> = Vec::new();
        for (pos, key) in ngrams.iter().enumerate() {
            for &(item, ipos) in idx.table.get(key).into_iter().flatten() {
                hits.push((item, ipos as i64 - pos as i64, pos as u32, ipos));
            }
        }
        hits.sort_unstable();
        let mut runs: Vec<Run> = Vec::new();
        for (item, diag, pos, ipos) in hits {
            match runs.last_mut() {
                Some(last)
                    if last.item == item
                        && last.item_start as i64 - last.doc_start as i64 == diag
                        && last.doc_start + last.ngrams == pos =>
                {
                    last.ngrams += 1
                }
                _ => runs.push(Run { item, item_start: ipos, doc, doc_start: pos, ngrams: 1 }),
            }
        }
        runs
    }

    /// Items and documents over a vocabulary of 4 words, so that n-grams repeat within and
    /// across items and runs cross, overlap and restart on many diagonals.
    #[test]
    fn runs_equal_sorted_hits_on_repetitive_text() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        let mut text = |len: usize| -> String {
            (0..len).map(|_| ["a", "b", "c", "d"][rng.random_range(0..4)]).collect::<Vec<_>>().join(" ")
        };
        for n in [1, 2, 3, 5] {
            let items: Vec<String> = (0..6).map(|k| text(5 + 7 * k)).collect();
            let idx = NgramIndex::new(&items, ShingleOpts::lm_eval(n)).unwrap();
            for doc in 0..40 {
                let mut buf = Vec::new();
                let ngrams = word_ngram_hashes_in(&text(60), &idx.opts, &mut buf).to_vec();
                let want = runs_by_sorting_hits(&idx, &ngrams, doc);
                assert!(n > 3 || !want.is_empty());
                assert_eq!(idx.runs_of_ngrams(&ngrams, doc), want, "n {n} doc {doc}");
            }
        }
    }

    #[test]
    fn two_separate_runs_in_one_doc() {
        let idx = NgramIndex::new(&["a b c d e f g h"], ShingleOpts::lm_eval(2)).unwrap();
        let runs = idx.scan_doc("a b c x f g h", 0);
        assert_eq!(runs.len(), 2);
        assert_eq!((runs[0].ngrams, runs[1].ngrams), (2, 2));
        assert!(NgramIndex::new(&["x"], ShingleOpts::lm_eval(0)).is_err());
    }
}
