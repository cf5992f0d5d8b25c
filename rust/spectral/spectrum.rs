//! Metrics of a trace-normalized spectrum λ (the eigenvalues of ZᵀZ/T divided by the trace):
//! entropy, effective rank and the other functions of the same eigenvalues.

/// Metrics of one matrix. All NaN for a degenerate matrix (a row equal to the token mean,
/// e.g. T = 1 or all rows equal), as the official code gives.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    /// Shannon entropy H = −Σ λ ln λ of the normalized spectrum (nats).
    pub entropy: f64,
    /// Effective rank exp(H).
    pub erank: f64,
    /// H / ln d (NaN for d = 1).
    pub normalized_entropy: f64,
    /// Rényi entropy of order α (nats).
    pub renyi: f64,
    /// (Σλ)² / Σλ².
    pub participation_ratio: f64,
    /// ‖Z‖²_F / ‖Z‖²₂ = Σλ / max λ.
    pub stable_rank: f64,
    /// Number of λ above rtol · max λ.
    pub numerical_rank: f64,
    /// RankMe of the raw matrix (NaN when not requested).
    pub rankme: f64,
}

/// Number of metrics per matrix, in [`Metrics::to_array`] order.
pub const N_METRICS: usize = 8;

impl Metrics {
    pub const NAN: Metrics = Metrics {
        entropy: f64::NAN,
        erank: f64::NAN,
        normalized_entropy: f64::NAN,
        renyi: f64::NAN,
        participation_ratio: f64::NAN,
        stable_rank: f64::NAN,
        numerical_rank: f64::NAN,
        rankme: f64::NAN,
    };

    pub fn to_array(&self) -> [f64; N_METRICS] {
        [
            self.entropy,
            self.erank,
            self.normalized_entropy,
            self.renyi,
            self.participation_ratio,
            self.stable_rank,
            self.numerical_rank,
            self.rankme,
        ]
    }
}

/// Every λ-based metric of a trace-normalized spectrum (RankMe left NaN).
pub fn spectrum_metrics(lambda: &[f64], d: usize, alpha: f64, rank_rtol: f64) -> Metrics {
    let total: f64 = lambda.iter().sum();
    let max = lambda.iter().fold(0.0f64, |a, &l| a.max(l));
    let entropy = -lambda.iter().filter(|&&l| l > 0.0).map(|&l| l * l.ln()).sum::<f64>();
    let squares: f64 = lambda.iter().map(|l| l * l).sum();
    let renyi = if alpha == 1.0 {
        entropy
    } else if alpha.is_infinite() {
        -max.ln()
    } else {
        lambda.iter().filter(|&&l| l > 0.0).map(|l| l.powf(alpha)).sum::<f64>().ln() / (1.0 - alpha)
    };
    let rank = lambda.iter().filter(|&&l| l > rank_rtol * max).count();
    Metrics {
        entropy,
        erank: entropy.exp(),
        normalized_entropy: entropy / (d as f64).ln(),
        renyi,
        participation_ratio: total * total / squares,
        stable_rank: total / max,
        numerical_rank: rank as f64,
        rankme: f64::NAN,
    }
}
