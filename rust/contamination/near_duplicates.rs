//! Near duplicates of benchmark items in a corpus: the items' MinHash signatures in an LSH index,
//! each document's signature looked up in it, and per item the best estimated Jaccard so far and
//! the first document that reached it. The items are few and fixed, the documents stream past, so
//! the index holds the items and memory does not grow with the corpus.

use rayon::prelude::*;

use crate::dedup::lsh::{choose_banding, LshIndex};
use crate::dedup::minhash::estimate_jaccard;
use crate::error::KernelResult;

/// Candidate probability the banding reaches at the threshold (as `assay.dedup.LSHIndex`).
const RECALL: f64 = 0.98;

pub struct NearDuplicates {
    items: LshIndex,
    /// Per item: the best estimated Jaccard of a document at or above the threshold (0 if none).
    pub best_jaccard: Vec<f64>,
    /// Per item: the first document (in corpus order) with that estimate, or -1.
    pub best_doc: Vec<i64>,
}

impl NearDuplicates {
    /// Items' signatures, row-major (n_items, num_perm).
    pub fn new(item_sigs: &[u32], num_perm: usize, threshold: f64) -> KernelResult<Self> {
        let (bands, rows) = choose_banding(threshold, num_perm, RECALL)?;
        let mut items = LshIndex::new(num_perm, bands, rows, threshold)?;
        items.insert_unkeyed(item_sigs)?;
        let n = items.len();
        Ok(NearDuplicates { items, best_jaccard: vec![0.0; n], best_doc: vec![-1; n] })
    }

    /// Folds documents `first_doc, first_doc + 1, ...` (signatures row-major) into the best
    /// matches: documents are looked up in parallel and folded in corpus order, so an item keeps
    /// the first document that reaches its best estimate.
    pub fn update(&mut self, doc_sigs: &[u32], first_doc: u64) {
        let np = self.items.num_perm;
        let items = &self.items;
        let hits: Vec<Vec<(u32, f64)>> = doc_sigs
            .par_chunks(np)
            .map(|sig| {
                let found = items.query_one(sig, true);
                found.into_iter().map(|i| (i, estimate_jaccard(sig, items.signature(i as usize)))).collect()
            })
            .collect();
        for (d, row) in hits.into_iter().enumerate() {
            for (item, j) in row {
                let item = item as usize;
                if j > self.best_jaccard[item] {
                    self.best_jaccard[item] = j;
                    self.best_doc[item] = (first_doc + d as u64) as i64;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_document_with_the_best_estimate_wins() {
        // 8 permutations, threshold 0.5; item 0 = [1..8]
        let item: Vec<u32> = (1..=8).collect();
        let mut near = NearDuplicates::new(&item, 8, 0.5).unwrap();
        let half: Vec<u32> = [1, 2, 3, 4, 0, 0, 0, 0].to_vec();
        let most: Vec<u32> = [1, 2, 3, 4, 5, 6, 0, 0].to_vec();
        let none = vec![9u32; 8];
        let batch: Vec<u32> = [none.clone(), half.clone(), most.clone(), most].concat();
        near.update(&batch, 10);
        assert_eq!((near.best_jaccard[0], near.best_doc[0]), (0.75, 12));
        near.update(&item, 20); // an exact copy later on
        assert_eq!((near.best_jaccard[0], near.best_doc[0]), (1.0, 20));
        near.update(&half, 30); // a worse one changes nothing
        assert_eq!(near.best_doc[0], 20);
    }
}
