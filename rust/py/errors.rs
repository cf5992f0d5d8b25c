//! Python exceptions of assay, each a subclass of the built-in users already catch.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::PyErr;

use crate::error::KernelError;

create_exception!(assay, ShapeError, PyValueError, "An argument has the wrong shape or length.");
create_exception!(
    assay,
    NotIdentifiableError,
    PyValueError,
    "The data do not determine the requested estimate (it is infinite or not unique)."
);
create_exception!(assay, ConvergenceError, PyRuntimeError, "An iterative fit did not converge.");
create_exception!(
    assay,
    DuplicateKeyError,
    PyValueError,
    "A key given twice where keys are unique; args are (message, key as the kernel spells it)."
);

impl From<KernelError> for PyErr {
    fn from(e: KernelError) -> Self {
        let msg = e.to_string();
        match e {
            KernelError::Shape { .. } => ShapeError::new_err(msg),
            KernelError::Value { .. } | KernelError::Empty { .. } => PyValueError::new_err(msg),
            KernelError::NotIdentifiable(_) => NotIdentifiableError::new_err(msg),
            KernelError::NoConvergence { .. } => ConvergenceError::new_err(msg),
            KernelError::DuplicateKey { key, .. } => DuplicateKeyError::new_err((msg, key)),
        }
    }
}
