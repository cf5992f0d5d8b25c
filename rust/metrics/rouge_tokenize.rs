//! `rouge_score`'s default tokenizer on bytes: Python's `str.lower()`, every character outside
//! ASCII `[a-z0-9]` a separator (so `"Café"` gives `caf`, and the `i` of `"İ".lower()` stays),
//! tokens longer than 3 characters stemmed by NLTK's Porter stemmer when asked. Tokens come
//! out as ids from a per-thread vocabulary (stemmed words share their stem's id), with the
//! number of `"\n"` before each token, which is the sentence `rougeLsum` splits it into.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::porter;

/// A vocabulary past this many words is dropped before the next text pair (ids are only
/// compared within one pair, so restarting them is safe; it bounds memory on huge corpora).
const MAX_WORDS: usize = 1 << 21;

#[derive(Default)]
struct Vocabulary {
    /// Surface word → id (the id of its stem when stemming).
    words: FxHashMap<Box<[u8]>, u32>,
    /// Stem → id, when stemming.
    stems: FxHashMap<Box<[u8]>, u32>,
}

impl Vocabulary {
    fn id(&mut self, word: &[u8], stem: bool) -> u32 {
        if let Some(&id) = self.words.get(word) {
            return id;
        }
        let id = if stem && word.len() > 3 {
            let s = porter::stem(word);
            let next = self.stems.len() as u32;
            *self.stems.entry(s.into_boxed_slice()).or_insert(next)
        } else if stem {
            let next = self.stems.len() as u32;
            *self.stems.entry(word.into()).or_insert(next)
        } else {
            self.words.len() as u32
        };
        self.words.insert(word.into(), id);
        id
    }
}

thread_local! {
    /// One vocabulary per mode: [unstemmed, stemmed].
    static VOCABULARY: RefCell<[Vocabulary; 2]> = RefCell::new(Default::default());
}

/// Tokens of one text: ids, and for each the sentence (count of `"\n"` before it).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tokens {
    pub ids: Vec<u32>,
    pub sentence: Vec<u32>,
}

/// Calls `f` with the current thread's vocabulary for the mode, started afresh when full. Every
/// text of one pair must be tokenized inside one call, so their ids agree.
pub fn with_vocabulary<T>(stem: bool, f: impl FnOnce(&mut dyn FnMut(&str) -> Tokens) -> T) -> T {
    VOCABULARY.with(|cell| {
        let mut modes = cell.borrow_mut();
        let vocab = &mut modes[usize::from(stem)];
        if vocab.words.len() > MAX_WORDS {
            *vocab = Vocabulary::default();
        }
        let mut word = Vec::with_capacity(32);
        let mut tokenize = |text: &str| tokenize(text, stem, vocab, &mut word);
        f(&mut tokenize)
    })
}

fn tokenize(text: &str, stem: bool, vocab: &mut Vocabulary, word: &mut Vec<u8>) -> Tokens {
    let mut out = Tokens::default();
    let mut sentence = 0u32;
    let mut flush = |word: &mut Vec<u8>, out: &mut Tokens, sentence: u32| {
        if !word.is_empty() {
            out.ids.push(vocab.id(word, stem));
            out.sentence.push(sentence);
            word.clear();
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            match b {
                b'a'..=b'z' | b'0'..=b'9' => word.push(b),
                b'A'..=b'Z' => word.push(b + 32),
                _ => {
                    flush(word, &mut out, sentence);
                    if b == b'\n' {
                        sentence += 1;
                    }
                }
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        for l in c.to_lowercase() {
            match l {
                'a'..='z' | '0'..='9' => word.push(l as u8),
                _ => flush(word, &mut out, sentence),
            }
        }
    }
    flush(word, &mut out, sentence);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, stem: bool) -> Vec<u32> {
        with_vocabulary(stem, |t| t(text).ids)
    }

    #[test]
    fn separators_and_case() {
        let ids = with_vocabulary(false, |t| {
            let a = t("Café au LAIT\nau");
            let b = t("caf au lait");
            assert_eq!(a.sentence, vec![0, 0, 0, 1]);
            (a.ids, b.ids)
        });
        assert_eq!(ids.0[..3], ids.1[..]);
        assert_eq!(ids.0[1], ids.0[3]);
        // "İ" lowercases to "i" + a combining dot: the "i" stays, the dot separates.
        let (x, y) = with_vocabulary(false, |t| (t("İx").ids, t("i x").ids));
        assert_eq!(x, y);
    }

    #[test]
    fn stems_share_ids() {
        let ids = words("connected connecting connects con", true);
        assert_eq!(ids[0], ids[1]);
        assert_eq!(ids[1], ids[2]);
        assert_ne!(ids[0], ids[3]);
    }
}
