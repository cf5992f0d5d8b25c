//! The options of tokenising and shingling: the unit (words or characters), the n-gram width,
//! case folding and punctuation deletion.

/// Token unit of a shingle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Word,
    Char,
}

/// Case folding applied after NFC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Keep,
    Ascii,
    Unicode,
}

/// How a text is cut into shingles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShingleOpts {
    pub n: usize,
    pub unit: Unit,
    pub case: Case,
    pub strip_punct: bool,
}

impl ShingleOpts {
    /// lm-evaluation-harness decontamination rules: ASCII lower-case, delete
    /// `string.punctuation`, split on whitespace, word `n`-grams.
    pub fn lm_eval(n: usize) -> Self {
        ShingleOpts { n, unit: Unit::Word, case: Case::Ascii, strip_punct: true }
    }
}
