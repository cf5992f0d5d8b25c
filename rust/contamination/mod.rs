//! Benchmark contamination: the 13-gram overlap scan and the scan that signs documents for
//! the near-duplicate step in the same pass.

pub mod near_duplicates;
pub mod ngram_scan;
pub mod scan_and_sign;
