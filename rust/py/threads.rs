//! Releasing the GIL around kernels, safely across `fork()`.
//!
//! Rayon's global pool does not survive `fork()`: a child that uses it after the parent did
//! waits forever for threads that no longer exist. Python calls `_after_fork_in_child` (see
//! `assay/__init__.py`), after which kernels run on a one-thread pool of the child's own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use pyo3::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

static FORKED: AtomicBool = AtomicBool::new(false);

/// Marks this process as a forked child (registered with `os.register_at_fork`).
#[pyfunction]
pub fn _after_fork_in_child() {
    FORKED.store(true, Ordering::SeqCst);
}

fn child_pool() -> &'static ThreadPool {
    static POOL: OnceLock<ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| ThreadPoolBuilder::new().num_threads(1).build().expect("a one-thread pool"))
}

/// Runs `work` with the GIL released, on the global rayon pool or, in a forked child, on a
/// pool of its own.
pub fn detach<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> T {
    py.detach(|| if FORKED.load(Ordering::SeqCst) { child_pool().install(work) } else { work() })
}
