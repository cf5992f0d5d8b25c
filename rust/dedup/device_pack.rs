//! Texts packed as one UTF-8 byte buffer for the GPU MinHash path (`assay/dedup/gpu.py`).
//!
//! The GPU kernels tokenise bytes as they stand and fold case A–Z only, so a text goes to the
//! device only when that is exact: it is NFC, and (under [`Case::Unicode`]) no non-ASCII character
//! of it changes case. Other texts are packed empty and flagged for the CPU kernels.

use rayon::prelude::*;

use crate::text::tokenize::{nfc_and_case, Case};

/// Whether the device kernels give `text` the CPU kernels' shingles under `case`.
pub fn device_exact(text: &str, case: Case) -> bool {
    matches!(nfc_and_case(text, case), (true, c) if c != Case::Unicode)
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

/// Packs texts from the front of `texts` into `buf` until the next one for the device does not
/// fit. Texts are checked and copied on all of rayon's threads, in rounds of texts that fit even
/// if all of them were for the device; a round ends short only where some went to the CPU.
pub fn pack<S: AsRef<str> + Sync>(texts: &[S], case: Case, buf: &mut [u8]) -> Packed {
    let mut packed = Packed { offsets: vec![0], ..Packed::default() };
    let capacity = buf.len();
    let mut rest = buf;
    while packed.count < texts.len() {
        let used = *packed.offsets.last().expect("offsets start with 0") as usize;
        let round = &texts[packed.count..round_end(texts, packed.count, capacity - used, capacity)];
        if round.is_empty() {
            // The next text fits only if it is for the CPU (it takes no bytes).
            let next = texts[packed.count].as_ref();
            if device_exact(next, case) {
                break;
            }
            packed.offsets.push(used as i64);
            packed.on_cpu.push(true);
            packed.count += 1;
            continue;
        }
        let on_cpu: Vec<bool> = round
            .par_iter()
            .map(|t| t.as_ref().len() > capacity || !device_exact(t.as_ref(), case))
            .collect();
        let mut slots = Vec::with_capacity(round.len());
        let mut end = used;
        for (text, &cpu) in round.iter().zip(&on_cpu) {
            let len = if cpu { 0 } else { text.as_ref().len() };
            let (slot, tail) = std::mem::take(&mut rest).split_at_mut(len);
            rest = tail;
            slots.push(slot);
            end += len;
            packed.offsets.push(end as i64);
        }
        slots.into_par_iter().zip(round.par_iter()).for_each(|(slot, text)| {
            if !slot.is_empty() {
                slot.copy_from_slice(text.as_ref().as_bytes());
            }
        });
        packed.count += round.len();
        packed.on_cpu.extend(on_cpu);
    }
    packed
}

/// End of the longest run of texts from `start` whose bytes fit in `room` (texts longer than the
/// whole buffer, `capacity`, count none: they go to the CPU).
fn round_end<S: AsRef<str>>(texts: &[S], start: usize, mut room: usize, capacity: usize) -> usize {
    let mut end = start;
    for text in &texts[start..] {
        let len = text.as_ref().len();
        if len <= capacity {
            if len > room {
                break;
            }
            room -= len;
        }
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize::folds_non_ascii_case;

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

    /// The rule, one text at a time: a text for the CPU is always taken; one for the device
    /// is taken while it fits.
    fn pack_one_by_one(texts: &[String], case: Case, buf: &mut [u8]) -> Packed {
        let mut packed = Packed { offsets: vec![0], ..Packed::default() };
        let mut used = 0;
        for text in texts {
            let cpu = text.len() > buf.len() || !device_exact(text, case);
            if !cpu {
                if used + text.len() > buf.len() {
                    break;
                }
                buf[used..used + text.len()].copy_from_slice(text.as_bytes());
                used += text.len();
            }
            packed.offsets.push(used as i64);
            packed.on_cpu.push(cpu);
            packed.count += 1;
        }
        packed
    }

    #[test]
    fn rounds_pack_what_one_text_at_a_time_packs() {
        use rand::{Rng, SeedableRng};
        let pieces = ["ab", "Ünï", "e\u{301}", "xyz ", "ÀB", "東京", "", "longer text here"];
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for _ in 0..300 {
            let texts: Vec<String> = (0..rng.random_range(0..40))
                .map(|_| {
                    (0..rng.random_range(0..6)).map(|_| pieces[rng.random_range(0..pieces.len())]).collect()
                })
                .collect();
            let size = rng.random_range(0..120);
            for case in [Case::Keep, Case::Unicode] {
                let (mut got_buf, mut want_buf) = (vec![0u8; size], vec![0u8; size]);
                let got = pack(&texts, case, &mut got_buf);
                let want = pack_one_by_one(&texts, case, &mut want_buf);
                assert_eq!(got, want, "{texts:?} in {size} bytes");
                assert_eq!(got_buf, want_buf);
            }
        }
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
