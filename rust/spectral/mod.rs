//! Spectral metrics of representations (eRank and its family), batched over matrices: the
//! eigenvalues of each Gram matrix and the metrics of its spectrum.

pub mod metrics;
pub mod spectrum;
pub mod sterf;

pub use metrics::{spectral_metrics, Segment, SpectralFloat, SpectralOptions};
pub use spectrum::N_METRICS;
