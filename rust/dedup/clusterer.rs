//! Near-duplicate clusters built batch by batch, one call per batch: each batch of documents is
//! signed and indexed in one pass (documents are known by their position); at the end the
//! candidate pairs are verified (by the estimated Jaccard of their signatures, or by the exact
//! Jaccard of their shingle sets, computed for the documents in candidate pairs only) and joined
//! by union-find.

use rayon::prelude::*;

use crate::dedup::lsh::{clusters, LshIndex};
use crate::dedup::minhash::MinHasher;
use crate::error::{KernelError, KernelResult};
use crate::text::shingle::{jaccard_sorted, shingle_set};

/// How candidate pairs are verified before they join clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// The Jaccard of the two shingle sets.
    Exact,
    /// The Jaccard their signatures estimate.
    Estimate,
    /// Every candidate pair joins.
    None,
}

pub struct Clusterer {
    pub hasher: MinHasher,
    index: LshIndex,
    /// Shingle sets (sorted hashes) of the documents in candidate pairs, by position.
    sets: Vec<Option<Vec<u64>>>,
}

impl Clusterer {
    pub fn new(hasher: MinHasher, bands: usize, rows: usize, threshold: f64) -> KernelResult<Self> {
        let index = LshIndex::new(hasher.num_perm(), bands, rows, threshold)?;
        Ok(Clusterer { hasher, index, sets: Vec::new() })
    }

    /// Documents added so far.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Signs and indexes the next documents.
    pub fn add_texts<S: AsRef<str> + Sync>(&mut self, texts: &[S]) -> KernelResult<()> {
        let sigs = self.hasher.batch(texts);
        self.index.insert_unkeyed(&sigs)
    }

    /// Indexes the next documents' signatures (computed elsewhere: the GPU).
    pub fn add_signatures(&mut self, sigs: &[u32]) -> KernelResult<()> {
        self.index.insert_unkeyed(sigs)
    }

    /// Candidate pairs `(i, j)`, `i < j`, ascending (by the estimate with `estimate`).
    pub fn candidates(&self, estimate: bool) -> Vec<(u32, u32)> {
        self.index.pairs(estimate)
    }

    /// The documents in candidate pairs, ascending: those whose shingle sets exact verification
    /// needs.
    pub fn needed(&self) -> Vec<u32> {
        let mut docs: Vec<u32> = self.candidates(false).into_iter().flat_map(|(i, j)| [i, j]).collect();
        docs.sort_unstable();
        docs.dedup();
        docs
    }

    /// Shingle sets of documents `positions[k]` from their texts.
    pub fn add_shingles<S: AsRef<str> + Sync>(&mut self, positions: &[u32], texts: &[S]) -> KernelResult<()> {
        if positions.len() != texts.len() {
            return Err(KernelError::shape(
                "texts",
                format!("{} texts (one per position)", positions.len()),
                texts.len().to_string(),
            ));
        }
        if let Some(&p) = positions.iter().find(|&&p| p as usize >= self.len()) {
            return Err(KernelError::value(
                "positions",
                format!("{p} is not one of the {} documents", self.len()),
            ));
        }
        let opts = self.hasher.opts;
        let sets: Vec<Vec<u64>> = texts.par_iter().map(|t| shingle_set(t.as_ref(), &opts)).collect();
        self.sets.resize(self.len(), None);
        for (&p, set) in positions.iter().zip(sets) {
            self.sets[p as usize] = Some(set);
        }
        Ok(())
    }

    /// Cluster label per document (numbered by first member in input order) and the keep mask
    /// (the first document of each cluster). Exact verification needs the shingle sets of every
    /// document in a candidate pair.
    pub fn finish(&self, verify: Verify) -> KernelResult<(Vec<u32>, Vec<bool>)> {
        let mut pairs = self.candidates(verify == Verify::Estimate);
        if verify == Verify::Exact {
            let set = |i: u32| self.sets.get(i as usize).and_then(Option::as_ref);
            if let Some(&(i, j)) = pairs.iter().find(|&&(i, j)| set(i).is_none() || set(j).is_none()) {
                let missing = if set(i).is_none() { i } else { j };
                return Err(KernelError::value(
                    "positions",
                    format!("document {missing} has no shingle set for exact verification"),
                ));
            }
            let threshold = self.index.threshold;
            let keep: Vec<bool> = pairs
                .par_iter()
                .map(|&(i, j)| {
                    jaccard_sorted(set(i).expect("checked"), set(j).expect("checked")) >= threshold
                })
                .collect();
            let mut k = keep.iter();
            pairs.retain(|_| *k.next().expect("one flag per pair"));
        }
        Ok(clusters(self.len(), &pairs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::options::{Case, ShingleOpts, Unit};

    fn clusterer() -> Clusterer {
        let opts = ShingleOpts { n: 2, unit: Unit::Word, case: Case::Keep, strip_punct: false };
        Clusterer::new(MinHasher::own(opts, 64, 1).unwrap(), 16, 4, 0.5).unwrap()
    }

    #[test]
    fn duplicates_cluster_across_batches_and_exact_verification_needs_the_sets() {
        let mut c = clusterer();
        c.add_texts(&["a b c d e f", "x y z w v u"]).unwrap();
        c.add_texts(&["a b c d e f", "unrelated words here now"]).unwrap();
        assert_eq!(c.needed(), vec![0, 2]);
        assert!(c.finish(Verify::Exact).is_err());
        c.add_shingles(&[0, 2], &["a b c d e f", "a b c d e f"]).unwrap();
        let (labels, keep) = c.finish(Verify::Exact).unwrap();
        assert_eq!(labels[0], labels[2]);
        assert_ne!(labels[0], labels[1]);
        assert_eq!(keep, vec![true, true, false, true]);
        assert_eq!(c.finish(Verify::Estimate).unwrap().0, labels);
    }
}
