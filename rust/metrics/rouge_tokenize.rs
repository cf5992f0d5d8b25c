//! `rouge_score`'s default tokenizer on bytes: Python's `str.lower()`, every character outside
//! ASCII `[a-z0-9]` a separator (so `"Café"` gives `caf`, and the `i` of `"İ".lower()` stays),
//! tokens longer than 3 characters stemmed by NLTK's Porter stemmer when asked. Tokens come
//! out as dense ids of one text pair (`0..vocabulary()`; stemmed words share their stem's id),
//! mapped from a per-thread vocabulary (so each distinct word is stemmed once per thread), with
//! where each `"\n"`-separated sentence ends (for `rougeLsum`).

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use super::porter;

/// A vocabulary past this many words is dropped before the next text pair (ids are only
/// compared within one pair, so restarting them is safe; it bounds memory on huge corpora).
const MAX_WORDS: usize = 1 << 21;

/// Words of up to this many bytes are looked up by their bytes packed in a `u128` (tokens are
/// `[a-z0-9]`, never 0, so the packing is unique): an integer hash and compare.
const SHORT: usize = 16;

#[derive(Default)]
struct Vocabulary {
    /// The current pair's words → dense id: short words packed, long ones by their bytes. Kept
    /// small (cleared per pair), so lookups stay in cache.
    pair_short: FxHashMap<u128, u32>,
    pair_long: FxHashMap<Box<[u8]>, u32>,
    /// Dense ids handed out in the current pair.
    seen: u32,
    /// When stemming: every word seen on this thread → its stem's id, and stem → id; a word is
    /// stemmed once per thread.
    stem_of: FxHashMap<Box<[u8]>, u32>,
    stems: FxHashMap<Box<[u8]>, u32>,
    /// Stem id → its dense id in the current pair, valid where `stamp` holds the pair's epoch.
    local: Vec<u32>,
    stamp: Vec<u32>,
    epoch: u32,
}

impl Vocabulary {
    /// Starts a pair: dense ids restart at 0.
    fn next_pair(&mut self) {
        if self.stem_of.len() > MAX_WORDS || self.epoch == u32::MAX {
            *self = Vocabulary::default();
        }
        self.epoch += 1;
        self.seen = 0;
        // A long pair's table would make every later clear() slow: drop it instead.
        if self.pair_short.capacity() > 4096 {
            self.pair_short = FxHashMap::default();
        }
        self.pair_short.clear();
        self.pair_long.clear();
    }

    fn next_dense(&mut self) -> u32 {
        self.seen += 1;
        self.seen - 1
    }

    /// The dense id of a stem id in the current pair.
    fn dense_stem(&mut self, id: u32) -> u32 {
        let i = id as usize;
        if i >= self.stamp.len() {
            self.stamp.resize(i + 1, 0);
            self.local.resize(i + 1, 0);
        }
        if self.stamp[i] != self.epoch {
            self.stamp[i] = self.epoch;
            self.local[i] = self.next_dense();
        }
        self.local[i]
    }

    /// The dense id of a word the pair has not shown before.
    fn new_word(&mut self, word: &[u8], stem: bool) -> u32 {
        if !stem {
            return self.next_dense();
        }
        let id = match self.stem_of.get(word) {
            Some(&id) => id,
            None => {
                let s = if word.len() > 3 { porter::stem(word) } else { word.to_vec() };
                let next = self.stems.len() as u32;
                let id = *self.stems.entry(s.into_boxed_slice()).or_insert(next);
                self.stem_of.insert(word.into(), id);
                id
            }
        };
        self.dense_stem(id)
    }

    /// The dense id of `word` (whose packing is `key` when it is short).
    #[inline]
    fn id(&mut self, word: &[u8], key: u128, stem: bool) -> u32 {
        if word.len() <= SHORT {
            if let Some(&id) = self.pair_short.get(&key) {
                return id;
            }
            let id = self.new_word(word, stem);
            self.pair_short.insert(key, id);
            id
        } else {
            if let Some(&id) = self.pair_long.get(word) {
                return id;
            }
            let id = self.new_word(word, stem);
            self.pair_long.insert(word.into(), id);
            id
        }
    }
}

thread_local! {
    /// One vocabulary per mode: [unstemmed, stemmed].
    static VOCABULARY: RefCell<[Vocabulary; 2]> = RefCell::new(Default::default());
}

/// Tokens of one text: ids, and where each of its non-empty `"\n"`-separated sentences ends
/// (exclusive token indices, ascending, the last one `ids.len()`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tokens {
    pub ids: Vec<u32>,
    pub sentence_ends: Vec<u32>,
}

/// The tokenizer of one text pair (a prediction and its targets): their ids agree.
pub struct PairTokenizer<'v> {
    vocab: &'v mut Vocabulary,
    stem: bool,
    word: Word,
}

impl PairTokenizer<'_> {
    pub fn tokenize(&mut self, text: &str) -> Tokens {
        tokenize(text, self.stem, self.vocab, &mut self.word)
    }

    /// Distinct ids so far: every id is below it.
    pub fn vocabulary(&self) -> usize {
        self.vocab.seen as usize
    }
}

/// Calls `f` with a tokenizer for one text pair, on the current thread's vocabulary for the
/// mode (started afresh when full).
pub fn with_pair_tokenizer<T>(stem: bool, f: impl FnOnce(&mut PairTokenizer<'_>) -> T) -> T {
    VOCABULARY.with(|cell| {
        let mut modes = cell.borrow_mut();
        let vocab = &mut modes[usize::from(stem)];
        vocab.next_pair();
        f(&mut PairTokenizer { vocab, stem, word: Word::default() })
    })
}

const SEPARATOR: u8 = 0;
const NON_ASCII: u8 = 0xFF;

/// Per byte: its lower-case form for ASCII letters and digits, `SEPARATOR` for other ASCII,
/// `NON_ASCII` for the bytes of longer UTF-8 characters.
static BYTE_CLASS: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            c @ (b'a'..=b'z' | b'0'..=b'9') => c,
            c @ b'A'..=b'Z' => c + 32,
            _ => SEPARATOR,
        };
        b += 1;
    }
    table
};

/// The word being read: its bytes, and the first 16 packed.
#[derive(Default)]
struct Word {
    bytes: Vec<u8>,
    key: u128,
}

impl Word {
    #[inline]
    fn push(&mut self, b: u8) {
        if self.bytes.len() < SHORT {
            self.key |= u128::from(b) << (8 * self.bytes.len());
        }
        self.bytes.push(b);
    }
}

fn tokenize(text: &str, stem: bool, vocab: &mut Vocabulary, word: &mut Word) -> Tokens {
    let mut out = Tokens { ids: Vec::with_capacity(text.len() / 5), sentence_ends: Vec::new() };
    let mut flush = |word: &mut Word, out: &mut Tokens| {
        if !word.bytes.is_empty() {
            out.ids.push(vocab.id(&word.bytes, word.key, stem));
            word.bytes.clear();
            word.key = 0;
        }
    };
    let end_sentence = |out: &mut Tokens| {
        let n = out.ids.len() as u32;
        if n > out.sentence_ends.last().copied().unwrap_or(0) {
            out.sentence_ends.push(n);
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match BYTE_CLASS[b as usize] {
            SEPARATOR => {
                flush(word, &mut out);
                if b == b'\n' {
                    end_sentence(&mut out);
                }
                i += 1;
                continue;
            }
            NON_ASCII => {}
            lower => {
                word.push(lower);
                i += 1;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        for l in c.to_lowercase() {
            match l {
                'a'..='z' | '0'..='9' => word.push(l as u8),
                _ => flush(word, &mut out),
            }
        }
    }
    flush(word, &mut out);
    end_sentence(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, stem: bool) -> Vec<u32> {
        with_pair_tokenizer(stem, |t| t.tokenize(text).ids)
    }

    #[test]
    fn separators_and_case() {
        let ids = with_pair_tokenizer(false, |t| {
            let a = t.tokenize("Café au LAIT\nau");
            let b = t.tokenize("caf au lait");
            assert_eq!(t.vocabulary(), 3);
            assert_eq!(a.sentence_ends, vec![3, 4]);
            assert_eq!(t.tokenize("\n\nx y\n...\nz\n").sentence_ends, vec![2, 3]);
            (a.ids, b.ids)
        });
        assert_eq!(ids.0[..3], ids.1[..]);
        assert_eq!(ids.0[1], ids.0[3]);
        // "İ" lowercases to "i" + a combining dot: the "i" stays, the dot separates.
        let (x, y) = with_pair_tokenizer(false, |t| (t.tokenize("İx").ids, t.tokenize("i x").ids));
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
