//! The one error type of the core. The glue maps each variant to a Python exception
//! that subclasses the built-in one users already catch.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum KernelError {
    /// An argument has the wrong shape or length.
    #[error("{arg} must have {expected}, got {got}")]
    Shape { arg: &'static str, expected: String, got: String },
    /// An argument holds a value outside its domain (NaN, inf, out-of-range code, ...).
    #[error("{arg}: {problem}")]
    Value { arg: &'static str, problem: String },
    /// A key given twice where keys are unique (`key` as the kernel spells it).
    #[error("{arg}: duplicate key {key}")]
    DuplicateKey { arg: &'static str, key: String },
    /// An argument is empty where data is required.
    #[error("{arg} is empty: {why}")]
    Empty { arg: &'static str, why: String },
    /// The maximum-likelihood estimate does not exist (it runs to infinity).
    #[error("{0}")]
    NotIdentifiable(String),
    /// An iterative fit stopped before meeting its tolerance.
    #[error("{what} did not converge in {iterations} iterations (last step {last_step:.3e})")]
    NoConvergence { what: &'static str, iterations: usize, last_step: f64 },
}

pub type KernelResult<T> = Result<T, KernelError>;

impl KernelError {
    pub fn value(arg: &'static str, problem: impl Into<String>) -> Self {
        KernelError::Value { arg, problem: problem.into() }
    }

    pub fn shape(arg: &'static str, expected: impl Into<String>, got: impl Into<String>) -> Self {
        KernelError::Shape { arg, expected: expected.into(), got: got.into() }
    }
}
