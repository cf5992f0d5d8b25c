//! Wrappers for column coding: text factorisation and recoding into a shared code space.

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::threads::detach;
use crate::codes::{first_equal, recode_pair, PairProblem, TextCoder};
use crate::error::KernelError;

/// An integer column of any NumPy integer dtype.
#[derive(FromPyObject)]
pub enum IntColumn<'py> {
    I8(PyReadonlyArray1<'py, i8>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
    U8(PyReadonlyArray1<'py, u8>),
    U16(PyReadonlyArray1<'py, u16>),
    U32(PyReadonlyArray1<'py, u32>),
    U64(PyReadonlyArray1<'py, u64>),
}

/// Runs `$body` with `$x`, `$y` bound to the slices of two integer columns of one dtype
/// (a TypeError otherwise).
macro_rules! with_int_pair {
    ($a:expr, $b:expr, $x:ident, $y:ident => $body:expr) => {
        with_int_pair!(@ $a, $b, $x, $y, $body, I8, I16, I32, I64, U8, U16, U32, U64)
    };
    (@ $a:expr, $b:expr, $x:ident, $y:ident, $body:expr, $($variant:ident),*) => {
        match ($a, $b) {
            $(($crate::py::codes::IntColumn::$variant(x), $crate::py::codes::IntColumn::$variant(y)) => {
                let ($x, $y) = (x.as_slice()?, y.as_slice()?);
                $body
            })*
            _ => {
                return Err(pyo3::exceptions::PyTypeError::new_err(
                    "the two code columns must have the same integer dtype",
                ))
            }
        }
    };
}
pub(super) use with_int_pair;

type Factorized<'py> = Option<(Bound<'py, PyArray1<u32>>, Vec<Py<PyAny>>)>;

/// Codes (first-seen order) of a 1-D object array of `str`, and the first object of each code;
/// `None` when an element is not a `str` or has no UTF-8 form (the caller falls back).
#[pyfunction]
pub fn factorize_str<'py>(
    py: Python<'py>,
    values: PyReadonlyArray1<'py, Py<PyAny>>,
) -> PyResult<Factorized<'py>> {
    let objects = values.as_slice()?;
    let mut coder = TextCoder::default();
    let mut codes = Vec::with_capacity(objects.len());
    for obj in objects {
        let text = || obj.bind(py).cast::<PyString>().ok()?.to_str().ok().map(str::as_bytes);
        match coder.code(obj.as_ptr() as usize, text) {
            Some(code) => codes.push(code),
            None => return Ok(None),
        }
    }
    let firsts = coder.first_rows.iter().map(|&r| objects[r].clone_ref(py)).collect();
    Ok(Some((codes.into_pyarray(py), firsts)))
}

type PairOut<'py> =
    (Option<(Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u32>>)>, &'static str, i64, usize);

/// Two columns of the same dtype mapped through their tables and checked to differ:
/// `((first, second), "", -1, 0)`, or `(None, problem, row, column)` with problem "missing"
/// (negative code or past the table, in `column`) or "same" (both map to one code).
#[pyfunction]
pub fn recode_pair_u32<'py>(
    py: Python<'py>,
    a: IntColumn<'py>,
    table_a: PyReadonlyArray1<'py, u32>,
    b: IntColumn<'py>,
    table_b: PyReadonlyArray1<'py, u32>,
) -> PyResult<PairOut<'py>> {
    let (ta, tb) = (table_a.as_slice()?, table_b.as_slice()?);
    let out = with_int_pair!(&a, &b, x, y => {
        if x.len() != y.len() {
            return Err(KernelError::shape("b", format!("length {}", x.len()), y.len().to_string()).into());
        }
        detach(py, || recode_pair(x, ta, y, tb))
    });
    Ok(match out {
        Ok((x, y)) => (Some((x.into_pyarray(py), y.into_pyarray(py))), "", -1, 0),
        Err(PairProblem::Missing { column, row }) => (None, "missing", row as i64, column),
        Err(PairProblem::Same { row }) => (None, "same", row as i64, 0),
    })
}

/// First row where `a` and `b` are equal, or -1.
#[pyfunction]
pub fn first_equal_u32(
    py: Python<'_>,
    a: PyReadonlyArray1<'_, u32>,
    b: PyReadonlyArray1<'_, u32>,
) -> PyResult<i64> {
    let (a, b) = (a.as_slice()?, b.as_slice()?);
    if a.len() != b.len() {
        return Err(KernelError::shape("b", format!("length {}", a.len()), b.len().to_string()).into());
    }
    Ok(detach(py, || first_equal(a, b)).map_or(-1, |r| r as i64))
}
