//! Texts held as one UTF-8 byte buffer and offsets (Apache Arrow's string layout): checked and
//! borrowed as `&str` without a copy.

use rayon::prelude::*;

use crate::error::{KernelError, KernelResult};

/// Text `k` is `data[offsets[k]..offsets[k + 1]]`. Checks that the offsets rise within `data` and
/// that every text is valid UTF-8 (on all threads), naming the first text that is not by its
/// index in the whole input, of which these texts start at `first`.
pub fn split_utf8<'a>(data: &'a [u8], offsets: &[i64], first: usize) -> KernelResult<Vec<&'a str>> {
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
    let texts: Vec<Result<&str, std::str::Utf8Error>> =
        offsets.par_windows(2).map(|w| std::str::from_utf8(&data[w[0] as usize..w[1] as usize])).collect();
    texts
        .into_iter()
        .enumerate()
        .map(|(k, t)| {
            t.map_err(|e| {
                KernelError::value(
                    "texts",
                    format!(
                        "texts[{}] is not valid UTF-8 (invalid byte at offset {} of the text)",
                        first + k,
                        e.valid_up_to()
                    ),
                )
            })
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
}
