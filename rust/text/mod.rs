//! The text front end shared by dedup and contamination: character classes and byte tables,
//! normalization, the reference word tokeniser and its fast forms, token hashing and shingling,
//! and UTF-8 text buffers.

pub mod bytes;
pub mod char_scan;
pub mod hashing;
pub mod options;
pub mod shingle;
pub mod split_hashes;
pub mod tokenize;
pub mod utf8_texts;
pub mod word_tokens;
