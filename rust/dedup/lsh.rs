//! Banded LSH over MinHash signatures: banding from a threshold, insert, query, candidate pairs,
//! verification, and clusters by union-find.
//!
//! A signature of `num_perm` values is cut into `bands` bands of `rows` consecutive values
//! (`bands·rows ≤ num_perm`; values past `bands·rows` are unused). Two items are candidates when
//! they agree on every value of at least one band: probability `1 − (1 − s^rows)^bands` at
//! Jaccard `s`. [`choose_banding`] takes the largest `rows` (fewest false candidates) whose
//! probability at the threshold is at least the target recall (0.98 by default).

use hashbrown::HashTable;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::dedup::lsh_keys::Keys;
use crate::dedup::minhash::estimate_jaccard;
use crate::error::{KernelError, KernelResult};

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
    if bands == 0 || !num_perm.is_multiple_of(bands) {
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
    pub keys: Keys,
    /// Per band: the newest entry `id·bands + band` of each bucket, found by the band's values
    /// (hashed with [`band_hash`]); `next` links each entry to the older one in its bucket.
    tables: Vec<HashTable<u32>>,
    next: Vec<u32>,
}

const END: u32 = u32::MAX;

/// Hash of band `band` of `sig`: xxh3 of its values' bytes in memory order, seeded with the band
/// (never persisted: bucket tables are rebuilt on load, so byte order does not matter).
fn band_hash(sig: &[u32], band: usize, rows: usize) -> u64 {
    let values: &[u32] = &sig[band * rows..(band + 1) * rows];
    xxh3_64_with_seed(bytemuck::cast_slice(values), band as u64)
}

/// The hash of every band of every signature (`sigs` is N × `num_perm`), N × `bands`, row-major.
pub fn band_hashes(sigs: &[u32], num_perm: usize, bands: usize, rows: usize) -> Vec<u64> {
    sigs.par_chunks(num_perm).flat_map_iter(|sig| (0..bands).map(move |b| band_hash(sig, b, rows))).collect()
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
            keys: Keys::default(),
            tables: vec![HashTable::new(); bands],
            next: vec![],
        })
    }

    /// Items in the index (keyed or not).
    pub fn len(&self) -> usize {
        self.sigs.len() / self.num_perm
    }

    pub fn is_empty(&self) -> bool {
        self.sigs.is_empty()
    }

    /// Heap bytes held by the index (signatures, keys, bucket tables and chains).
    pub fn nbytes(&self) -> usize {
        self.sigs.capacity() * 4
            + self.keys.nbytes()
            + self.tables.iter().map(HashTable::allocation_size).sum::<usize>()
            + self.next.capacity() * 4
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
    pub fn insert<S: AsRef<str>>(&mut self, keys: &[S], sigs: &[u32]) -> KernelResult<()> {
        if self.keys.len() != self.len() {
            return Err(KernelError::value("keys", "an index of unkeyed rows takes unkeyed inserts only"));
        }
        self.check_sigs(sigs, keys.len())?;
        let start = self.keys.len();
        self.keys.extend(keys).map_err(|k| KernelError::DuplicateKey { arg: "keys", key: k.to_string() })?;
        self.sigs.extend_from_slice(sigs);
        self.index_rows(start);
        Ok(())
    }

    /// Adds items known by their position alone (ids continue from [`LshIndex::len`]); for
    /// indexes that are never asked for keys (contamination's items, clusters' documents).
    pub fn insert_unkeyed(&mut self, sigs: &[u32]) -> KernelResult<()> {
        if !self.keys.is_empty() {
            return Err(KernelError::value("keys", "an index with keys takes keyed inserts only"));
        }
        self.check_sigs(sigs, sigs.len() / self.num_perm)?;
        let start = self.len();
        self.sigs.extend_from_slice(sigs);
        self.index_rows(start);
        Ok(())
    }

    /// The values of band `band` of item `id`.
    fn band_of(sigs: &[u32], np: usize, rows: usize, id: usize, band: usize) -> &[u32] {
        &sigs[id * np + band * rows..id * np + (band + 1) * rows]
    }

    fn index_rows(&mut self, start: usize) {
        let (np, rows, bands) = (self.num_perm, self.rows, self.bands);
        let count = self.len();
        let LshIndex { sigs, tables, next, .. } = self;
        next.resize(count * bands, END);
        let sigs: &[u32] = sigs;
        // A table slot holds an entry; its hash is recomputed from the entry's signature.
        let rehash = |band: usize| move |&e: &u32| band_hash(&sigs[(e as usize / bands) * np..], band, rows);
        for (band, table) in tables.iter_mut().enumerate() {
            table.reserve(count - start, rehash(band));
        }
        for id in start..count {
            let sig = &sigs[id * np..(id + 1) * np];
            for (band, table) in tables.iter_mut().enumerate() {
                let entry = (id * bands + band) as u32;
                let values = &sig[band * rows..(band + 1) * rows];
                let hash = band_hash(sig, band, rows);
                let same = |&e: &u32| Self::band_of(sigs, np, rows, e as usize / bands, band) == values;
                match table.find_mut(hash, same) {
                    Some(head) => next[entry as usize] = std::mem::replace(head, entry),
                    None => {
                        table.insert_unique(hash, entry, rehash(band));
                    }
                }
            }
        }
    }

    /// Ids of the bucket whose newest entry is `head`, newest first.
    fn chain(&self, head: u32) -> impl Iterator<Item = u32> + '_ {
        let mut e = head;
        std::iter::from_fn(move || {
            (e != END).then(|| {
                let id = e / self.bands as u32;
                e = self.next[e as usize];
                id
            })
        })
    }

    /// Ids whose band `band` equals that of `sig`, newest first.
    fn bucket(&self, band: usize, sig: &[u32]) -> impl Iterator<Item = u32> + '_ {
        let (np, rows, bands) = (self.num_perm, self.rows, self.bands);
        let values = &sig[band * rows..(band + 1) * rows];
        let same = |&e: &u32| Self::band_of(&self.sigs, np, rows, e as usize / bands, band) == values;
        let head = self.tables[band].find(band_hash(sig, band, rows), same).copied().unwrap_or(END);
        self.chain(head)
    }

    /// Restores an index from stored parts (used by the file loader).
    pub fn from_parts(
        num_perm: usize,
        bands: usize,
        rows: usize,
        threshold: f64,
        sigs: Vec<u32>,
        keys: &[&str],
    ) -> KernelResult<Self> {
        let mut idx = LshIndex::new(num_perm, bands, rows, threshold)?;
        idx.check_sigs(&sigs, keys.len())?;
        idx.keys
            .extend(keys)
            .map_err(|k| KernelError::value("index file", format!("duplicate key {k:?}")))?;
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
            out.extend(self.bucket(band, sig));
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
        for table in &self.tables {
            for &head in table {
                if self.next[head as usize] == END {
                    continue; // a bucket of one
                }
                ids.clear();
                ids.extend(self.chain(head));
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
    let (labels, _) = crate::union_find::weak_components(n, &vec![true; n], pairs);
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
        idx.insert(&["a", "b", "c"], &sigs).unwrap();
        assert_eq!(idx.query_one(&a, false), vec![0, 1]);
        assert_eq!(idx.query_one(&a, true), vec![0]);
        assert_eq!(idx.pairs(false), vec![(0, 1)]);
        assert!(idx.pairs(true).is_empty());
        let err = idx.insert(&["a"], &c).unwrap_err();
        assert!(err.to_string().contains("duplicate key a"));
        let err = idx.insert(&["d", "d"], &[c, c].concat()).unwrap_err();
        assert!(err.to_string().contains("duplicate key d"));
        assert_eq!(idx.len(), 3);
        idx.insert(&["d"], &c).unwrap();
        assert_eq!(idx.query_one(&c, false), vec![2, 3]);
        let (labels, keep) = clusters(4, &[(1, 3), (0, 0)]);
        assert_eq!(labels, vec![0, 1, 2, 1]);
        assert_eq!(keep, vec![true, true, true, false]);
    }
}
