//! Text metrics that reproduce the reference packages' numbers: sacrebleu's tokenizers and
//! BLEU statistics. Scores are computed from the statistics in Python, in the references'
//! own float operations.

pub mod bleu;
pub mod chrf;
pub mod python_text;
pub mod sacrebleu_tokenize;
