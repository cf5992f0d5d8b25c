//! PyO3 glue: the private `assay._native` module. Wrappers only; all work is in the core.

mod arena;
mod axes;
mod codes;
mod contamination;
mod dedup;
mod errors;
mod harness;
mod metrics;
mod spectral;
mod threads;

#[pyo3::pymodule]
mod _native {
    #[pymodule_export]
    use super::errors::{ConvergenceError, DuplicateKeyError, NotIdentifiableError, ShapeError};

    #[pymodule_export]
    use super::arena::StyleBattles;
    #[pymodule_export]
    use super::arena::{
        bt_bootstrap, bt_bootstrap_voters, bt_fit, bt_leave_one_group_out, bt_sandwich, bt_structure,
        elo_online, Cells,
    };
    #[pymodule_export]
    use super::axes::{axes_binomial_gaps, axes_layout, axes_moments, axes_paired};
    #[pymodule_export]
    use super::codes::{factorize_str, first_equal_u32, recode_pair_u32};
    #[pymodule_export]
    use super::threads::_after_fork_in_child;

    #[pymodule_export]
    use super::contamination::NgramScanner;
    #[pymodule_export]
    use super::dedup::{
        exact_jaccard, first_invalid_utf8, lsh_band_hashes, lsh_banding, minhash_signatures,
        minhash_signatures_utf8, own_minhash_permutations, pack_utf8, pack_utf8_buffer, union_find,
    };
    #[pymodule_export]
    use super::dedup::{Clusterer, LshIndex};
    #[pymodule_export]
    use super::harness::{
        lm_eval_bootstrap_labels, lm_eval_bootstrap_replicates, lm_eval_bootstrap_values,
        lm_eval_resample_indices,
    };
    #[pymodule_export]
    use super::metrics::{
        bleu_statistics, chrf_statistics, pass_at_k_estimates, porter_stems, rouge_scores,
        rouge_scores_tokenized, squad_scores, ter_statistics,
    };
    #[pymodule_export]
    use super::spectral::{spectral_metrics_f32, spectral_metrics_f64};

    #[pymodule_init]
    fn init(_m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        // Kernels parallelise over batches with rayon; nested faer parallelism only oversubscribes.
        faer::set_global_parallelism(faer::Par::Seq);
        Ok(())
    }
}
