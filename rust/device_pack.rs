//! Texts packed as one UTF-8 byte buffer for the GPU MinHash path (`assay/dedup/gpu.py`).
//!
//! The GPU kernels tokenise bytes as they stand and fold case A–Z only, so a text goes to the
//! device only when that is exact: it is NFC, and (under [`Case::Unicode`]) no non-ASCII character
//! of it changes case. Other texts are packed empty and flagged for the CPU kernels.

use crate::tokenize::{folds_non_ascii_case, is_nfc_fast, Case};

/// Whether the device kernels give `text` the CPU kernels' shingles under `case`.
pub fn device_exact(text: &str, case: Case) -> bool {
    is_nfc_fast(text) && !(case == Case::Unicode && folds_non_ascii_case(text))
}

/// Texts packed into a caller's buffer: `offsets[k]..offsets[k + 1]` are the bytes of text `k`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Packed {
    /// Texts taken from the front of the input.
    pub count: usize,
    /// `count + 1` byte offsets into the buffer.
    pub offsets: Vec<i64>,
    /// Per text: left empty in the buffer, for the CPU kernels (not exact on the device, or
    /// longer than the whole buffer).
    pub on_cpu: Vec<bool>,
}

/// Packs texts from the front of `texts` into `buf` until the next one does not fit.
pub fn pack<S: AsRef<str>>(texts: &[S], case: Case, buf: &mut [u8]) -> Packed {
    let mut packed = Packed { offsets: vec![0], ..Packed::default() };
    let mut used = 0usize;
    for text in texts {
        let bytes = text.as_ref().as_bytes();
        let oversize = bytes.len() > buf.len();
        let cpu = oversize || !device_exact(text.as_ref(), case);
        if !cpu {
            if used + bytes.len() > buf.len() {
                break;
            }
            buf[used..used + bytes.len()].copy_from_slice(bytes);
            used += bytes.len();
        }
        packed.offsets.push(used as i64);
        packed.on_cpu.push(cpu);
        packed.count += 1;
    }
    packed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_until_full_and_flags_what_the_device_cannot_take() {
        let texts = ["ab", "Ünïcode", "e\u{301}", "cd", "ÀB", "xyz"];
        let mut buf = [0u8; 14];
        let p = pack(&texts, Case::Unicode, &mut buf);
        // "Ünïcode" folds a non-ASCII capital, "e\u{301}" is not NFC, "ÀB" folds 'À': all CPU.
        assert_eq!(p.on_cpu, [false, true, true, false, true, false]);
        assert_eq!(p.offsets, [0, 2, 2, 2, 4, 4, 7]);
        assert_eq!(&buf[..7], b"abcdxyz");
        let mut buf = [0u8; 16];
        let p = pack(&texts, Case::Keep, &mut buf);
        // Kept case: only the NFD text goes to the CPU; "xyz" no longer fits.
        assert_eq!(p.count, 5);
        assert_eq!(p.on_cpu, [false, false, true, false, false]);
        assert_eq!(&buf[..p.offsets[5] as usize], "abÜnïcodecdÀB".as_bytes());
    }

    #[test]
    fn a_text_longer_than_the_buffer_goes_to_the_cpu() {
        let mut buf = [0u8; 4];
        let p = pack(&["abcdefgh", "ab"], Case::Keep, &mut buf);
        assert_eq!((p.count, p.on_cpu, p.offsets), (2, vec![true, false], vec![0, 0, 2]));
    }

    #[test]
    fn every_character_left_on_the_device_keeps_its_case() {
        // Exhaustive: a non-ASCII character that `folds_non_ascii_case` lets through is its own
        // lower case, so lower-casing such a text is A–Z only (what the device does).
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            if !folds_non_ascii_case(c.encode_utf8(&mut buf)) {
                assert!(c.to_lowercase().eq([c]), "{c:?} U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn lower_case_letters_beyond_ascii_stay_on_the_device() {
        assert!(device_exact("naïve café 東京", Case::Unicode));
        assert!(!device_exact("Ǆ", Case::Unicode));
        assert!(device_exact("Ǆ", Case::Keep));
    }
}
