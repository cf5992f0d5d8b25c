//! Per-axis scoring: per-item results laid out as items × models per benchmark, and the grouped
//! reductions over that layout (counts, means, naive and cluster-robust standard errors, paired
//! differences), one pass per benchmark, benchmarks in parallel.

pub mod cluster_order;
pub mod gaps;
pub mod layout;
pub mod moments;
pub mod paired;
