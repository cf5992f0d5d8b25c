//! Online Elo in battle order (FastChat's `compute_online_elo`): base 10, scale 400, every
//! model starting at `init`, a tie scoring ½.

use crate::arena::pairs::{FIRST_WINS, SECOND_WINS, TIE};
use crate::error::{KernelError, KernelResult};

pub struct EloOptions {
    pub k: f64,
    pub scale: f64,
    pub base: f64,
    pub init: f64,
}

impl Default for EloOptions {
    fn default() -> Self {
        EloOptions { k: 4.0, scale: 400.0, base: 10.0, init: 1000.0 }
    }
}

/// Ratings after playing the battles in the given order (`order` indexes the rows).
pub fn online_elo(
    first: &[u32],
    second: &[u32],
    outcome: &[u8],
    order: &[usize],
    n_models: usize,
    opts: &EloOptions,
) -> KernelResult<Vec<f64>> {
    let mut rating = vec![opts.init; n_models];
    for &r in order {
        let (a, b) = (first[r] as usize, second[r] as usize);
        if a >= n_models || b >= n_models || a == b {
            return Err(KernelError::value(
                "model_a/model_b",
                format!("row {r}: invalid pair of model codes ({a}, {b})"),
            ));
        }
        let expected_a = 1.0 / (1.0 + opts.base.powf((rating[b] - rating[a]) / opts.scale));
        let expected_b = 1.0 / (1.0 + opts.base.powf((rating[a] - rating[b]) / opts.scale));
        let score_a = match outcome[r] {
            FIRST_WINS => 1.0,
            TIE => 0.5,
            SECOND_WINS => 0.0,
            o => return Err(KernelError::value("winner", format!("row {r} has outcome code {o}"))),
        };
        rating[a] += opts.k * (score_a - expected_a);
        rating[b] += opts.k * (1.0 - score_a - expected_b);
    }
    Ok(rating)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_win_between_equals_moves_k_over_two() {
        let r = online_elo(&[0], &[1], &[FIRST_WINS], &[0], 2, &EloOptions::default()).unwrap();
        assert!((r[0] - 1002.0).abs() < 1e-12 && (r[1] - 998.0).abs() < 1e-12);
    }

    #[test]
    fn order_matters_and_total_is_conserved() {
        let (a, b, o) = ([0, 1, 0], [1, 2, 2], [FIRST_WINS, TIE, SECOND_WINS]);
        let forward = online_elo(&a, &b, &o, &[0, 1, 2], 3, &EloOptions::default()).unwrap();
        let backward = online_elo(&a, &b, &o, &[2, 1, 0], 3, &EloOptions::default()).unwrap();
        assert_ne!(forward, backward);
        assert!((forward.iter().sum::<f64>() - 3000.0).abs() < 1e-9);
    }
}
