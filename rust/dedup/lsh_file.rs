//! The LSH index file format (version 1), little-endian throughout:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `ASSAYLSH` |
//! | 8 | 4 | version (u32) = 1 |
//! | 12 | 4 | num_perm (u32) |
//! | 16 | 4 | bands (u32) |
//! | 20 | 4 | rows (u32) |
//! | 24 | 8 | n items (u64) |
//! | 32 | 8 | threshold (f64) |
//! | 40 | 8 | key bytes K (u64) |
//! | 48 | 4·n·num_perm | signatures, row-major u32 |
//! | … | 8·(n+1) | key offsets (u64, first 0, last K) |
//! | … | K | keys, UTF-8, concatenated |
//! | end−8 | 8 | xxh3-64 (seed 0) of every byte before it |
//!
//! Loading memory-maps the file (memmap2), checks magic, version, the exact length implied by the
//! header and the checksum before reading anything else, then rebuilds the band tables from the
//! mapped signatures. A truncated, extended or foreign file is an error, never a partial index.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use xxhash_rust::xxh3::Xxh3;

use crate::dedup::lsh::LshIndex;
use crate::error::{KernelError, KernelResult};

pub const MAGIC: &[u8; 8] = b"ASSAYLSH";
pub const VERSION: u32 = 1;
const HEADER: usize = 48;
/// The most permutations an index may have (MinHash uses tens to a few thousand).
pub const MAX_NUM_PERM: usize = 1 << 16;

fn io_err(path: &Path, e: std::io::Error) -> KernelError {
    KernelError::value("path", format!("{}: {e}", path.display()))
}

fn bad(path: &Path, why: impl std::fmt::Display) -> KernelError {
    KernelError::value("index file", format!("{} is not a valid assay LSH index: {why}", path.display()))
}

struct HashingWriter<W: Write> {
    inner: W,
    hash: Xxh3,
}

impl<W: Write> HashingWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }
}

/// Writes `index` to `path` in the format above.
pub fn save(index: &LshIndex, path: &Path) -> KernelResult<()> {
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    let mut w = HashingWriter { inner: BufWriter::new(file), hash: Xxh3::new() };
    let key_bytes = index.keys.text_len();
    let write = |w: &mut HashingWriter<BufWriter<File>>| -> std::io::Result<()> {
        w.put(MAGIC)?;
        for v in [VERSION, index.num_perm as u32, index.bands as u32, index.rows as u32] {
            w.put(&v.to_le_bytes())?;
        }
        w.put(&(index.len() as u64).to_le_bytes())?;
        w.put(&index.threshold.to_le_bytes())?;
        w.put(&(key_bytes as u64).to_le_bytes())?;
        let mut buf = Vec::with_capacity(1 << 16);
        for chunk in index.sigs.chunks(1 << 14) {
            buf.clear();
            buf.extend(chunk.iter().flat_map(|v| v.to_le_bytes()));
            w.put(&buf)?;
        }
        let mut off = 0u64;
        w.put(&off.to_le_bytes())?;
        for k in index.keys.iter() {
            off += k.len() as u64;
            w.put(&off.to_le_bytes())?;
        }
        for k in index.keys.iter() {
            w.put(k.as_bytes())?;
        }
        let digest = w.hash.digest();
        w.inner.write_all(&digest.to_le_bytes())?;
        w.inner.flush()
    };
    write(&mut w).map_err(|e| io_err(path, e))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Reads an index written by [`save`].
pub fn load(path: &Path) -> KernelResult<LshIndex> {
    let file = File::open(path).map_err(|e| io_err(path, e))?;
    // SAFETY: the mapping is read-only and dropped before return; a concurrent writer could change
    // the bytes under us, which the checksum then reports (or the parsed values are merely wrong).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| io_err(path, e))?;
    let b: &[u8] = &map;
    if b.len() < 8 || &b[..8] != MAGIC {
        return Err(bad(path, "wrong magic (not written by assay.dedup.LSHIndex.save)"));
    }
    if b.len() < HEADER + 8 + 8 {
        return Err(bad(path, format!("truncated ({} bytes)", b.len())));
    }
    let version = u32_at(b, 8);
    if version != VERSION {
        return Err(bad(path, format!("unsupported version {version} (expected {VERSION})")));
    }
    let (np, bands, rows) = (u32_at(b, 12) as usize, u32_at(b, 16) as usize, u32_at(b, 20) as usize);
    let (n, threshold, kbytes) =
        (u64_at(b, 24), f64::from_le_bytes(b[32..40].try_into().expect("8")), u64_at(b, 40));
    // The header is untrusted (its checksum can be recomputed by anyone): every field is checked
    // against the format's limits before anything is allocated from it.
    if np == 0 || np > MAX_NUM_PERM {
        return Err(bad(path, format!("header field num_perm = {np} is outside 1..={MAX_NUM_PERM}")));
    }
    if bands == 0 || rows == 0 || bands as u64 * rows as u64 > np as u64 {
        return Err(bad(
            path,
            format!("header fields bands = {bands}, rows = {rows} do not fit num_perm = {np}"),
        ));
    }
    if !(0.0..=1.0).contains(&threshold) {
        return Err(bad(path, format!("header field threshold = {threshold} is outside [0, 1]")));
    }
    let expected = (n as u128) * (np as u128) * 4 + (n as u128 + 1) * 8 + kbytes as u128 + HEADER as u128 + 8;
    if expected != b.len() as u128 {
        return Err(bad(
            path,
            format!("length {} does not match its header ({expected}): truncated or corrupted", b.len()),
        ));
    }
    let body = b.len() - 8;
    if xxhash_rust::xxh3::xxh3_64(&b[..body]) != u64_at(b, body) {
        return Err(bad(path, "checksum mismatch (corrupted)"));
    }
    let (n, kbytes) = (n as usize, kbytes as usize);
    let sig_end = HEADER + 4 * n * np;
    let sigs: Vec<u32> =
        b[HEADER..sig_end].chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4"))).collect();
    let key_start = sig_end + 8 * (n + 1);
    let blob = &b[key_start..key_start + kbytes];
    let mut keys = Vec::with_capacity(n);
    for i in 0..n {
        let (lo, hi) = (u64_at(b, sig_end + 8 * i) as usize, u64_at(b, sig_end + 8 * (i + 1)) as usize);
        if lo > hi || hi > kbytes {
            return Err(bad(path, "key offsets out of range"));
        }
        keys.push(std::str::from_utf8(&blob[lo..hi]).map_err(|_| bad(path, "key is not UTF-8"))?);
    }
    LshIndex::from_parts(np, bands, rows, threshold, sigs, &keys).map_err(|e| bad(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("assay-lsh-{}-{name}", std::process::id()))
    }

    #[test]
    fn round_trip_and_corruption() {
        let mut idx = LshIndex::new(4, 2, 2, 0.5).unwrap();
        idx.insert(&["x", "ÿ"], &[1, 2, 3, 4, 1, 2, 5, 6]).unwrap();
        let p = tmp("ok");
        save(&idx, &p).unwrap();
        let back = load(&p).unwrap();
        assert!(back.keys.iter().eq(idx.keys.iter()));
        assert_eq!(back.sigs, idx.sigs);
        assert_eq!(back.pairs(false), vec![(0, 1)]);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("truncated"));
        let mut flipped = bytes.clone();
        flipped[50] ^= 1;
        std::fs::write(&p, &flipped).unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("checksum"));
        std::fs::write(&p, b"PK\x03\x04 not an index at all, a zip").unwrap();
        assert!(load(&p).unwrap_err().to_string().contains("magic"));
        std::fs::remove_file(&p).unwrap();
    }

    /// A 64-byte file with a valid checksum and hostile header fields (n = 0).
    fn forged(num_perm: u32, bands: u32, rows: u32, threshold: f64) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        for v in [VERSION, num_perm, bands, rows] {
            b.extend(v.to_le_bytes());
        }
        b.extend(0u64.to_le_bytes());
        b.extend(threshold.to_le_bytes());
        b.extend(0u64.to_le_bytes()); // key bytes
        b.extend(0u64.to_le_bytes()); // the one key offset
        let sum = xxhash_rust::xxh3::xxh3_64(&b);
        b.extend(sum.to_le_bytes());
        b
    }

    #[test]
    fn forged_headers_are_errors_before_any_allocation() {
        let p = tmp("forged");
        for (np, bands, rows, t, field) in [
            (u32::MAX, u32::MAX, 1, 0.5, "num_perm"),
            (128, u32::MAX, u32::MAX, 0.5, "bands"),
            (128, 0, 1, 0.5, "bands"),
            (128, 16, 8, f64::NAN, "threshold"),
            (128, 16, 8, 5.0, "threshold"),
        ] {
            let bytes = forged(np, bands, rows, t);
            assert_eq!(bytes.len(), 64);
            std::fs::write(&p, &bytes).unwrap();
            let err = load(&p).unwrap_err().to_string();
            assert!(err.contains(field) && err.contains("assay-lsh"), "{err}");
        }
        std::fs::write(&p, forged(128, 16, 8, 0.8)).unwrap();
        assert_eq!(load(&p).unwrap().len(), 0); // the same layout with sane fields loads
        std::fs::remove_file(&p).unwrap();
    }
}
