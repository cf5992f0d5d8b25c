//! Banded LSH over MinHash signatures: banding from a threshold, insert, query, candidate pairs,
//! verification, and clusters by union-find.
//!
//! A signature of `num_perm` values is cut into `bands` bands of `rows` consecutive values
//! (`bands·rows ≤ num_perm`; values past `bands·rows` are unused). Two items are candidates when
//! they agree on every value of at least one band: probability `1 − (1 − s^rows)^bands` at
//! Jaccard `s`. [`choose_banding`] takes the largest `rows` (fewest false candidates) whose
//! probability at the threshold is at least the target recall (0.98 by default).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::error::{KernelError, KernelResult};
use crate::minhash::estimate_jaccard;

/// Passes already-random u64 keys straight through (band hashes are xxh3 values).
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

/// Probability that a pair at Jaccard `s` shares at least one band.
pub fn candidate_probability(s: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - s.powi(rows as i32)).powi(bands as i32)
}

/// (bands, rows) for `threshold`: the largest `rows` with `bands = num_perm / rows` whose candidate
/// probability at `threshold` is ≥ `recall` (rows = 1 when none is).
pub fn choose_banding(threshold: f64, num_perm: usize, recall: f64) -> KernelResult<(usize, usize)> {
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(KernelError::value("threshold", format!("must be in (0, 1), got {threshold}")));
    }
    if num_perm == 0 {
        return Err(KernelError::value("num_perm", "must be positive"));
    }
    let best = (1..=num_perm)
        .rev()
        .find(|&r| candidate_probability(threshold, num_perm / r, r) >= recall)
        .unwrap_or(1);
    Ok((num_perm / best, best))
}

/// Validates explicit banding: `bands` must divide `num_perm`.
pub fn banding_from_bands(num_perm: usize, bands: usize) -> KernelResult<(usize, usize)> {
    if bands == 0 || num_perm % bands != 0 {
        return Err(KernelError::value(
            "bands",
            format!("num_perm={num_perm} does not split into {bands} bands of equal rows"),
        ));
    }
    Ok((bands, num_perm / bands))
}

/// The LSH index: signatures, keys and one bucket table per band.
#[derive(Debug, Clone)]
pub struct LshIndex {
    pub num_perm: usize,
    pub bands: usize,
    pub rows: usize,
    pub threshold: f64,
    pub sigs: Vec<u32>,
    pub keys: Vec<String>,
    /// xxh3 of a key → newest id with that hash; `key_next` chains ids sharing a hash.
    key_pos: IdMap<u32>,
    key_next: Vec<u32>,
    /// Per band: band hash → last entry of its chain; entry `id·bands + band` links to `next`.
    tables: Vec<IdMap<u32>>,
    next: Vec<u32>,
}

const END: u32 = u32::MAX;

fn band_hash(sig: &[u32], band: usize, rows: usize) -> u64 {
    let mut buf = [0u8; 4 * 64];
    let vals = &sig[band * rows..(band + 1) * rows];
    if rows <= 64 {
        for (i, v) in vals.iter().enumerate() {
            buf[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..4 * rows], band as u64)
    } else {
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, band as u64)
    }
}

impl LshIndex {
    pub fn new(num_perm: usize, bands: usize, rows: usize, threshold: f64) -> KernelResult<Self> {
        if bands == 0 || rows == 0 || bands * rows > num_perm {
            return Err(KernelError::value(
                "bands",
                format!("{bands} bands × {rows} rows do not fit num_perm={num_perm}"),
            ));
        }
        Ok(LshIndex {
            num_perm,
            bands,
            rows,
            threshold,
            sigs: vec![],
            keys: vec![],
            key_pos: IdMap::default(),
            key_next: vec![],
            tables: vec![IdMap::default(); bands],
            next: vec![],
        })
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn check_sigs(&self, sigs: &[u32], n: usize) -> KernelResult<()> {
        if sigs.len() != n * self.num_perm {
            return Err(KernelError::shape(
                "signatures",
                format!("shape ({n}, {})", self.num_perm),
                format!("{} values", sigs.len()),
            ));
        }
        Ok(())
    }

    /// Adds items; fails (leaving the index unchanged) on a duplicate or already-present key.
    pub fn insert(&mut self, keys: Vec<String>, sigs: &[u32]) -> KernelResult<()> {
        self.check_sigs(sigs, keys.len())?;
        let start = self.keys.len();
        self.keys.extend(keys);
        if let Err(id) = self.add_keys(start) {
            let k = self.keys[id].clone();
            for j in (start..id).rev() {
                let h = xxh3_64(self.keys[j].as_bytes());
                match self.key_next[j] {
                    END => self.key_pos.remove(&h),
                    older => self.key_pos.insert(h, older),
                };
            }
            self.key_next.truncate(start);
            self.keys.truncate(start);
            return Err(KernelError::value("keys", format!("duplicate key {k}")));
        }
        self.sigs.extend_from_slice(sigs);
        self.index_rows(start);
        Ok(())
    }

    /// Registers keys `start..`; `Err(id)` at the first key already present.
    fn add_keys(&mut self, start: usize) -> Result<(), usize> {
        self.key_pos.reserve(self.keys.len() - start);
        for id in start..self.keys.len() {
            let h = xxh3_64(self.keys[id].as_bytes());
            let mut e = self.key_pos.get(&h).copied().unwrap_or(END);
            while e != END {
                if self.keys[e as usize] == self.keys[id] {
                    return Err(id);
                }
                e = self.key_next[e as usize];
            }
            let prev = self.key_pos.insert(h, id as u32);
            self.key_next.push(prev.unwrap_or(END));
        }
        Ok(())
    }

    fn index_rows(&mut self, start: usize) {
        let (np, rows, bands) = (self.num_perm, self.rows, self.bands);
        self.next.resize(self.keys.len() * bands, END);
        for id in start..self.keys.len() {
            let sig = &self.sigs[id * np..(id + 1) * np];
            for (band, table) in self.tables.iter_mut().enumerate() {
                let entry = (id * bands + band) as u32;
                let prev = table.insert(band_hash(sig, band, rows), entry);
                self.next[entry as usize] = prev.unwrap_or(END);
            }
        }
    }

    /// Ids in the bucket of `hash` in `band`, newest first.
    fn bucket(&self, band: usize, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let mut e = self.tables[band].get(&hash).copied().unwrap_or(END);
        std::iter::from_fn(move || {
            (e != END).then(|| {
                let id = e / self.bands as u32;
                e = self.next[e as usize];
                id
            })
        })
    }

    /// Restores an index from stored parts (used by the file loader).
    pub fn from_parts(
        num_perm: usize,
        bands: usize,
        rows: usize,
        threshold: f64,
        sigs: Vec<u32>,
        keys: Vec<String>,
    ) -> KernelResult<Self> {
        let mut idx = LshIndex::new(num_perm, bands, rows, threshold)?;
        idx.check_sigs(&sigs, keys.len())?;
        idx.keys = keys;
        if let Err(id) = idx.add_keys(0) {
            return Err(KernelError::value("index file", format!("duplicate key {:?}", idx.keys[id])));
        }
        idx.sigs = sigs;
        idx.index_rows(0);
        Ok(idx)
    }

    pub fn signature(&self, id: usize) -> &[u32] {
        &self.sigs[id * self.num_perm..(id + 1) * self.num_perm]
    }

    /// Candidate ids of one signature, ascending; with `verify`, only those whose estimated
    /// Jaccard is ≥ the index threshold.
    pub fn query_one(&self, sig: &[u32], verify: bool) -> Vec<u32> {
        let mut out = Vec::new();
        for band in 0..self.bands {
            out.extend(self.bucket(band, band_hash(sig, band, self.rows)));
        }
        out.sort_unstable();
        out.dedup();
        if verify {
            out.retain(|&id| estimate_jaccard(sig, self.signature(id as usize)) >= self.threshold);
        }
        out
    }

    /// Candidate ids for each of `n` signatures (rows of `sigs`).
    pub fn query(&self, sigs: &[u32], n: usize, verify: bool) -> KernelResult<Vec<Vec<u32>>> {
        use rayon::prelude::*;
        self.check_sigs(sigs, n)?;
        Ok(sigs.par_chunks(self.num_perm).map(|s| self.query_one(s, verify)).collect())
    }

    /// All candidate pairs `(i, j)`, `i < j`, sorted; with `verify`, by estimated Jaccard.
    pub fn pairs(&self, verify: bool) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        let mut ids = Vec::new();
        for (band, table) in self.tables.iter().enumerate() {
            for (&hash, &head) in table {
                if self.next[head as usize] == END {
                    continue; // a bucket of one
                }
                ids.clear();
                ids.extend(self.bucket(band, hash));
                for (x, &i) in ids.iter().enumerate() {
                    out.extend(ids[x + 1..].iter().map(|&j| (i.min(j), i.max(j))));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        if verify {
            out.retain(|&(i, j)| {
                estimate_jaccard(self.signature(i as usize), self.signature(j as usize)) >= self.threshold
            });
        }
        out
    }
}

/// Cluster label per item (labels numbered by first member in input order) and the keep mask:
/// the first item of each cluster in input order is kept.
pub fn clusters(n: usize, pairs: &[(u32, u32)]) -> (Vec<u32>, Vec<bool>) {
    let (labels, _) = crate::graph::weak_components(n, &vec![true; n], pairs);
    let mut seen = vec![false; n];
    let keep = labels.iter().map(|&c| !std::mem::replace(&mut seen[c as usize], true)).collect();
    (labels, keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banding_reaches_recall() {
        let (b, r) = choose_banding(0.8, 128, 0.98).unwrap();
        assert_eq!((b, r), (18, 7));
        assert!(candidate_probability(0.8, b, r) >= 0.98);
        assert!(candidate_probability(0.8, 128 / (r + 1), r + 1) < 0.98);
        assert!(banding_from_bands(128, 12).is_err());
        assert_eq!(banding_from_bands(128, 16).unwrap(), (16, 8));
        assert!(choose_banding(1.5, 128, 0.98).is_err());
    }

    #[test]
    fn insert_query_pairs_clusters() {
        let mut idx = LshIndex::new(8, 4, 2, 0.5).unwrap();
        let a = [1u32, 2, 3, 4, 5, 6, 7, 8];
        let b = [1u32, 2, 9, 9, 9, 9, 9, 9];
        let c = [0u32; 8];
        let sigs: Vec<u32> = a.iter().chain(&b).chain(&c).copied().collect();
        idx.insert(vec!["a".into(), "b".into(), "c".into()], &sigs).unwrap();
        assert_eq!(idx.query_one(&a, false), vec![0, 1]);
        assert_eq!(idx.query_one(&a, true), vec![0]);
        assert_eq!(idx.pairs(false), vec![(0, 1)]);
        assert!(idx.pairs(true).is_empty());
        let err = idx.insert(vec!["a".into()], &c).unwrap_err();
        assert!(err.to_string().contains("duplicate key a"));
        let err = idx.insert(vec!["d".into(), "d".into()], &[c, c].concat()).unwrap_err();
        assert!(err.to_string().contains("duplicate key d"));
        assert_eq!(idx.len(), 3);
        idx.insert(vec!["d".into()], &c).unwrap();
        assert_eq!(idx.query_one(&c, false), vec![2, 3]);
        let (labels, keep) = clusters(4, &[(1, 3), (0, 0)]);
        assert_eq!(labels, vec![0, 1, 2, 1]);
        assert_eq!(keep, vec![true, true, true, false]);
    }
}
