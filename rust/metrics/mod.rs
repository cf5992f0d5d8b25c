//! Text metrics that reproduce the reference packages' numbers: sacrebleu's tokenizers, BLEU
//! and chrF statistics (scored in Python, in sacrebleu's own float operations); rouge_score's
//! tokenizer, Porter stemmer and ROUGE scores (its float operations, in Rust); SQuAD's answer
//! scores and pass@k; TER's shift search.

pub mod bleu;
pub mod chrf;
pub mod lcs;
pub mod pass_at_k;
pub mod porter;
pub mod python_text;
pub mod rouge;
pub mod rouge_tokenize;
pub mod sacrebleu_tokenize;
pub mod squad;
pub mod ter;
