//! One pass over a batch of corpus documents for contamination: each document's n-gram runs
//! against the benchmark items ([`NgramIndex`]) and its MinHash signature ([`MinHasher`]).
//!
//! Tokenising is most of the cost of both. lm-evaluation-harness's rule (ASCII lower-casing,
//! punctuation deleted) and MinHash's Unicode lower-casing give the same tokens for NFC text in
//! which no non-ASCII character changes case, so such a document is split once and its token
//! hashes feed both (see [`word_token_hashes_pair`]); other documents are split under each rule.

use rayon::prelude::*;

use crate::contamination::ngram_scan::{fold_runs, NgramIndex, Run, ScanState};
use crate::dedup::minhash::{MinHasher, Scratch};
use crate::text::shingle::word_token_hashes_pair;

/// Per-thread buffers: token hashes under the MinHash rule and the scan's rule, shingle values.
#[derive(Default)]
struct Buffers {
    sign: Vec<u64>,
    scan: Vec<u64>,
    xs: Vec<u32>,
    scratch: Scratch,
}

/// Scans `texts` (ids `first_doc..`) into `state` as [`NgramIndex::scan`] does, and returns their
/// row-major (texts.len(), num_perm) signatures as [`MinHasher::batch`] does; rows in parallel,
/// the result independent of the thread count.
pub fn scan_and_sign<S: AsRef<str> + Sync>(
    index: &NgramIndex,
    hasher: &MinHasher,
    texts: &[S],
    first_doc: u64,
    state: &mut ScanState,
) -> Vec<u32> {
    let np = hasher.num_perm();
    let mut sigs = vec![0u32; texts.len() * np];
    let runs: Vec<Vec<Run>> = sigs
        .par_chunks_mut(np.max(1))
        .zip(texts.par_iter())
        .enumerate()
        .with_min_len(4)
        .map_init(Buffers::default, |bufs, (i, (row, text))| {
            let text = text.as_ref();
            let Buffers { sign, scan, xs, scratch } = bufs;
            word_token_hashes_pair(text, &hasher.opts, &index.opts, sign, scan);
            if hasher.signature_of_tokens(sign, row, xs).is_none() {
                hasher.signature_into(text, row, scratch);
            }
            index.scan_tokens(scan, first_doc + i as u64)
        })
        .collect();
    fold_runs(runs, state);
    sigs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingle::{Case, ShingleOpts, Unit};

    /// Documents for which the two rules agree and disagree: ASCII, Latin-1 capitals (Unicode
    /// folding changes them, ASCII lower-casing does not), a decomposed accent (not NFC),
    /// Cyrillic capitals, punctuation, texts shorter than either n, empty text.
    fn docs(item: &str) -> Vec<String> {
        let mut out = vec![
            String::new(),
            "x".into(),
            "Short one, two.".into(),
            format!("noise before: {item} and after"),
            format!("ÉCOLE Ärger {item}"),
            format!("cafe\u{301} {item} ПРИВЕТ мир"),
            format!("{} {item}", "ПРИВЕТ, мир! ".repeat(30)),
        ];
        let words: Vec<&str> = item.split(' ').collect();
        for cut in 0..words.len() {
            out.push(format!("{} Tail.", words[cut..].join(" ")));
        }
        out
    }

    /// Against the two passes it replaces, under every case rule for each side, in batches
    /// numbered from 3.
    #[test]
    fn equals_separate_scan_and_signatures() {
        let item = "The Quick brown fox jumps over the lazy dog; Ÿes, AGAIN and again: ÉTÉ ends here";
        let items = [item, "Ärger und ÉCOLE gehen über alles hinaus, ja wirklich sehr weit"];
        let texts = docs(item);
        for scan_case in [Case::Ascii, Case::Keep, Case::Unicode] {
            for sign_case in [Case::Unicode, Case::Ascii, Case::Keep] {
                for strip in [true, false] {
                    let scan = ShingleOpts { n: 4, unit: Unit::Word, case: scan_case, strip_punct: true };
                    let sign = ShingleOpts { n: 3, unit: Unit::Word, case: sign_case, strip_punct: strip };
                    let index = NgramIndex::new(&items, scan).unwrap();
                    let hasher = MinHasher::own(sign, 40, 7).unwrap();
                    let mut want = index.new_state();
                    index.scan(&texts, 3, &mut want);
                    let mut got = index.new_state();
                    let sigs = scan_and_sign(&index, &hasher, &texts, 3, &mut got);
                    let case = format!("{scan_case:?} {sign_case:?} {strip}");
                    assert_eq!(sigs, hasher.batch(&texts), "{case}");
                    assert_eq!(got.matched, want.matched, "{case}");
                    assert_eq!(got.best, want.best, "{case}");
                    assert!(got.best[0].is_some(), "{case}");
                }
            }
        }
    }

    #[test]
    fn char_shingles_sign_from_the_text() {
        let items = ["one two three four five six"];
        let texts = ["One two three four five six seven", "unrelated words only"];
        let index = NgramIndex::new(&items, ShingleOpts::lm_eval(3)).unwrap();
        let chars = ShingleOpts { n: 4, unit: Unit::Char, case: Case::Unicode, strip_punct: false };
        let hasher = MinHasher::own(chars, 16, 1).unwrap();
        let mut st = index.new_state();
        assert_eq!(scan_and_sign(&index, &hasher, &texts, 0, &mut st), hasher.batch(&texts));
        assert_eq!(st.best[0].map(|r| r.ngrams), Some(4));
    }
}
