//! assay: Rust kernels for evaluating large language models.
//!
//! The core modules never import pyo3, so `cargo test` builds and runs without Python.
//! The PyO3 glue lives in [`py`], compiled only with the `python` feature.

pub mod axes;
pub mod bradley_terry;
pub mod char_scan;
pub mod codes;
pub mod device_pack;
pub mod elo;
pub mod error;
pub mod graph;
pub mod lsh;
pub mod lsh_file;
pub mod lsh_keys;
pub mod metrics;
pub mod minhash;
pub mod ngram_scan;
pub mod pairs;
pub mod resample;
pub mod sandwich;
pub mod scan_and_sign;
pub mod sha1_hash32;
pub mod shingle;
pub mod simd;
pub mod spectral;
pub mod spectrum;
pub mod split_hashes;
pub mod stats;
pub mod sterf;
pub mod style;
pub mod tokenize;
pub mod utf8_texts;
pub mod word_tokens;

#[cfg(feature = "python")]
mod py;
