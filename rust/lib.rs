//! assay: Rust kernels for evaluating large language models.
//!
//! The core modules never import pyo3, so `cargo test` builds and runs without Python.
//! The PyO3 glue lives in [`py`], compiled only with the `python` feature.

// shared utilities
pub mod codes;
pub mod error;
pub mod simd;
pub mod union_find;

// families (wings), mirrored in python/assay/
pub mod arena;
pub mod axes;
pub mod contamination;
pub mod dedup;
pub mod metrics;
pub mod spectral;
pub mod stats;
pub mod text;

#[cfg(feature = "python")]
mod py;
