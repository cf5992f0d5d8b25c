//! Texts held as one UTF-8 byte buffer and offsets (Apache Arrow's string layout): checked and
//! borrowed as `&str` without a copy.

use rayon::prelude::*;

use crate::error::{KernelError, KernelResult};

/// Text `k` is `data[offsets[k]..offsets[k + 1]]`. Checks that the offsets rise within `data` and
/// that every text is valid UTF-8 (on all threads), naming the first text that is not by its
/// index in the whole input, of which these texts start at `first`.
pub fn split_utf8<'a>(data: &'a [u8], offsets: &[i64], first: usize) -> KernelResult<Vec<&'a str>> {
    split_checked(data, offsets)?.map_err(|Invalid { text, at }| {
        KernelError::value(
            "texts",
            format!("texts[{}] is not valid UTF-8 (invalid byte at offset {at} of the text)", first + text),
        )
    })
}

/// The index of the first text of `data` and `offsets` ([`split_utf8`]'s layout) that is not
/// valid UTF-8, `None` when all are; an error only for offsets that do not fit `data`.
pub fn first_invalid_utf8(data: &[u8], offsets: &[i64]) -> KernelResult<Option<usize>> {
    Ok(split_checked(data, offsets)?.err().map(|bad| bad.text))
}

/// The first text that is not valid UTF-8 (its index among these texts) and the offset of the
/// invalid byte within it.
struct Invalid {
    text: usize,
    at: usize,
}

/// The texts, checked: an error for offsets that do not fit `data`, then the texts or the first
/// invalid one.
fn split_checked<'a>(data: &'a [u8], offsets: &[i64]) -> KernelResult<Result<Vec<&'a str>, Invalid>> {
    if offsets.is_empty() {
        return Err(KernelError::shape("offsets", "at least one value (N + 1 for N texts)", "0"));
    }
    let (lo, hi) = (offsets[0], offsets[offsets.len() - 1]);
    if lo < 0 || hi as u64 > data.len() as u64 {
        return Err(KernelError::value(
            "offsets",
            format!("must lie in 0..={} (the data's length), got {lo}..{hi}", data.len()),
        ));
    }
    if let Some(k) = offsets.windows(2).position(|w| w[1] < w[0]) {
        return Err(KernelError::value(
            "offsets",
            format!(
                "must not decrease, but offsets[{}] = {} > offsets[{}] = {}",
                k,
                offsets[k],
                k + 1,
                offsets[k + 1]
            ),
        ));
    }
    // Groups of texts are checked as one buffer (SIMD UTF-8 validation) whose cuts fall on
    // character boundaries; only a group that fails is read text by text, to name the culprit.
    let groups: Vec<Result<Vec<&str>, Invalid>> = offsets
        .par_windows(2)
        .chunks(GROUP)
        .enumerate()
        .map(|(g, windows)| {
            texts_of_group(data, &windows).map_err(|bad| Invalid { text: g * GROUP + bad.text, ..bad })
        })
        .collect();
    let mut texts = Vec::with_capacity(offsets.len() - 1);
    for group in groups {
        match group {
            Ok(group) => texts.extend(group),
            Err(bad) => return Ok(Err(bad)),
        }
    }
    Ok(Ok(texts))
}

/// Texts per group checked as one buffer.
const GROUP: usize = 4096;

/// The texts `data[w[0]..w[1]]` of consecutive `windows`, or the first invalid one (its index
/// among them).
fn texts_of_group<'a>(data: &'a [u8], windows: &[&[i64]]) -> Result<Vec<&'a str>, Invalid> {
    let (lo, hi) = (windows[0][0] as usize, windows[windows.len() - 1][1] as usize);
    let on_boundary = |at: i64| at as usize >= hi || (data[at as usize] as i8) >= -0x40;
    if simdutf8::basic::from_utf8(&data[lo..hi]).is_ok() && windows.iter().all(|w| on_boundary(w[0])) {
        // SAFETY: `data[lo..hi]` is valid UTF-8 and every cut lies on a character boundary (no
        // cut byte is a continuation byte 0x80..=0xBF), so every piece is valid UTF-8 too.
        return Ok(windows
            .iter()
            .map(|w| unsafe { std::str::from_utf8_unchecked(&data[w[0] as usize..w[1] as usize]) })
            .collect());
    }
    windows
        .iter()
        .enumerate()
        .map(|(k, w)| {
            std::str::from_utf8(&data[w[0] as usize..w[1] as usize])
                .map_err(|e| Invalid { text: k, at: e.valid_up_to() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_each_text_of_the_buffer() {
        let data = "abcé東".as_bytes();
        assert_eq!(split_utf8(data, &[0, 2, 2, 5, 8], 0).unwrap(), ["ab", "", "cé", "東"]);
        assert_eq!(split_utf8(data, &[3, 5], 0).unwrap(), ["é"]);
        assert!(split_utf8(data, &[4], 0).unwrap().is_empty());
    }

    #[test]
    fn names_what_is_wrong() {
        let data = "abcé東".as_bytes();
        let err = |offsets: &[i64]| split_utf8(data, offsets, 0).unwrap_err().to_string();
        // A cut inside 'é' leaves an invalid text on either side; the first is named.
        assert_eq!(
            err(&[0, 2, 4, 8]),
            "texts: texts[1] is not valid UTF-8 (invalid byte at offset 1 of the text)"
        );
        let later = split_utf8(data, &[0, 2, 4, 8], 10).unwrap_err().to_string();
        assert!(later.starts_with("texts: texts[11] is not valid UTF-8"), "{later}");
        assert_eq!(err(&[0, 3, 2]), "offsets: must not decrease, but offsets[1] = 3 > offsets[2] = 2");
        assert_eq!(err(&[0, 9]), "offsets: must lie in 0..=8 (the data's length), got 0..9");
        assert_eq!(err(&[-1, 2]), "offsets: must lie in 0..=8 (the data's length), got -1..2");
        assert!(err(&[]).starts_with("offsets must have at least one value"));
    }

    /// Text by text with the standard library's check: what the grouped check must give.
    fn one_by_one<'a>(data: &'a [u8], offsets: &[i64], first: usize) -> Result<Vec<&'a str>, String> {
        offsets
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                std::str::from_utf8(&data[w[0] as usize..w[1] as usize]).map_err(|e| {
                    format!(
                        "texts[{}] is not valid UTF-8 (invalid byte at offset {} of the text)",
                        first + k,
                        e.valid_up_to()
                    )
                })
            })
            .collect()
    }

    #[test]
    fn grouped_check_equals_the_check_of_each_text() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        for round in 0..60 {
            let mut data = String::new();
            for _ in 0..rng.random_range(0..30000) {
                data.push(["a", " ", "é", "ж", "東", "𐐀"][rng.random_range(0..6)].chars().next().unwrap());
            }
            let mut data = data.into_bytes();
            if round % 3 == 0 && !data.is_empty() {
                let at = rng.random_range(0..data.len());
                data[at] = [0xFF, 0x80, 0xC3][rng.random_range(0..3)];
            }
            // Cuts mostly on character boundaries, some inside characters.
            let mut offsets: Vec<i64> = (0..rng.random_range(1..9000))
                .map(|_| rng.random_range(0..=data.len()) as i64)
                .filter(|&at| {
                    round % 2 == 0 || at as usize == data.len() || (data[at as usize] as i8) >= -0x40
                })
                .collect();
            offsets.push(0);
            offsets.sort_unstable();
            let want = one_by_one(&data, &offsets, 7);
            let got = split_utf8(&data, &offsets, 7).map_err(|e| e.to_string().replacen("texts: ", "", 1));
            assert_eq!(got, want, "round {round}");
            let first_bad = offsets
                .windows(2)
                .position(|w| std::str::from_utf8(&data[w[0] as usize..w[1] as usize]).is_err());
            assert_eq!(first_invalid_utf8(&data, &offsets).unwrap(), first_bad, "round {round}");
        }
    }
}
