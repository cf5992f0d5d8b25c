//! Near-duplicate detection: MinHash signatures (own permutations and the SHA-1 compatible
//! family), LSH banding and its file format, and the packing of texts for the GPU path.

pub mod clusterer;
pub mod device_pack;
pub mod lsh;
pub mod lsh_file;
pub mod lsh_keys;
pub mod minhash;
pub mod sha1_hash32;
