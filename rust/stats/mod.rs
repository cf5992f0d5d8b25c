//! Statistics that must reproduce another tool's floats bit for bit: CPython's `random`
//! stream and `sum()`, NumPy's pairwise sum, and lm-evaluation-harness's bootstrap standard
//! error built on them.

pub mod lm_eval_bootstrap;
pub mod python_random;
pub mod python_sum;
