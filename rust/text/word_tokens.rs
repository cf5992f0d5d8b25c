//! Text → word tokens, read straight from the bytes: delimiters found 64 bytes at a time, tokens
//! handed out one call at a time ([`WordTokens`]) with a 16-byte window for short-token hashing,
//! normalized (ASCII lower-casing, punctuation deletion) only where a token needs it.

use std::borrow::Cow;

use crate::text::bytes::{byte_map, normalize_token, space_len, special_mask, unchanged, window};
use crate::text::options::{Case, ShingleOpts};
use crate::text::tokenize::{nfc_and_case, normalize};

/// Calls `f` with the UTF-8 bytes of every word token of `text` under `opts` (NFC, case, punctuation
/// as [`normalize`]; tokens that become empty are dropped). NFC text with ASCII-only or no case
/// folding is tokenised in one pass over the bytes, normalizing each token in a small buffer.
pub fn for_each_word(text: &str, opts: &ShingleOpts, mut f: impl FnMut(&[u8])) {
    let mut tokens = WordTokens::new(text, opts);
    while let Some((tok, _)) = tokens.next_token() {
        f(tok);
    }
}

/// The word tokens of [`for_each_word`], one call at a time, each with a 16-byte window starting
/// at it (its first `min(len, 16)` bytes are the token's, the rest arbitrary: callers mask them).
/// The caller's loop keeps its own state (a rolling hash, say) in registers, which a callback
/// per token does not allow.
pub struct WordTokens<'a> {
    src: Cow<'a, str>,
    /// Whether normalization changes bytes (ASCII lower-casing or punctuation deletion).
    transform: bool,
    lower: bool,
    strip: bool,
    /// Byte map: low byte = output byte, bit 8 = keep (punctuation deleted when stripping).
    lut: &'static [u16; 256],
    buf: Vec<u8>,
    pad: [u8; 16],
    /// Start of the next token; start of the 64-byte chunk being read; its unread candidates.
    start: usize,
    pos: usize,
    mask: u64,
}

impl<'a> WordTokens<'a> {
    pub fn new(text: &'a str, opts: &ShingleOpts) -> Self {
        let (nfc, case) = nfc_and_case(text, opts.case);
        let nfc = nfc && case != Case::Unicode;
        let (src, case, strip): (Cow<'a, str>, Case, bool) = if nfc {
            (Cow::Borrowed(text), case, opts.strip_punct)
        } else {
            (normalize(text, opts), Case::Keep, false)
        };
        let lower = case == Case::Ascii;
        let lut = byte_map(lower, strip);
        let b = src.as_bytes();
        let mask = special_mask(&b[..b.len().min(64)]);
        WordTokens {
            transform: lower || strip,
            lower,
            strip,
            lut,
            buf: Vec::new(),
            pad: [0; 16],
            start: 0,
            pos: 0,
            mask,
            src,
        }
    }

    /// The next token and a 16-byte window starting at it, or `None` at the end of the text.
    #[inline(always)]
    pub fn next_token(&mut self) -> Option<(&[u8], &[u8; 16])> {
        let n = self.src.len();
        // Candidate bytes (those that may begin a whitespace character) found 64 at a time; only
        // those are examined, so the loop branches per token rather than per byte.
        let token = 'found: loop {
            while self.mask == 0 {
                self.pos += 64;
                if self.pos >= n {
                    // The last token runs to the end of the text.
                    let start = std::mem::replace(&mut self.start, n);
                    match (n > start).then(|| self.classify(start, n)).flatten() {
                        Some(token) => break 'found token,
                        None => return None,
                    }
                }
                self.mask = special_mask(&self.src.as_bytes()[self.pos..(self.pos + 64).min(n)]);
            }
            let p = self.pos + self.mask.trailing_zeros() as usize;
            self.mask &= self.mask - 1;
            let w = space_len(&self.src.as_bytes()[p..]);
            if w == 0 || p < self.start {
                continue;
            }
            let start = std::mem::replace(&mut self.start, p + w);
            if p > start {
                if let Some(token) = self.classify(start, p) {
                    break token;
                }
            }
        };
        Some(self.view(token))
    }

    /// Where token `start..end` lies once normalized: in the text itself, or rewritten into
    /// `buf` (`None` when nothing of it is kept).
    #[inline(always)]
    fn classify(&mut self, start: usize, end: usize) -> Option<Token> {
        if !self.transform {
            return Some(Token::InText(start, end));
        }
        let rest = &self.src.as_bytes()[start..];
        let tok = &rest[..end - start];
        // Most tokens need no change: those stay where they are.
        if unchanged(tok, window(rest, &mut self.pad), self.lower, self.strip) {
            return Some(Token::InText(start, end));
        }
        normalize_token(tok, self.lut, &mut self.buf).map(Token::Rewritten)
    }

    #[inline(always)]
    fn view(&mut self, token: Token) -> (&[u8], &[u8; 16]) {
        match token {
            Token::InText(start, end) => {
                let rest = &self.src.as_bytes()[start..];
                (&rest[..end - start], window(rest, &mut self.pad))
            }
            Token::Rewritten(len) => {
                (&self.buf[..len], self.buf.first_chunk::<16>().expect("buf holds at least 64 bytes"))
            }
        }
    }
}

/// A token found by [`WordTokens`]: a range of the text, or the first `len` bytes of its buffer.
#[derive(Clone, Copy)]
enum Token {
    InText(usize, usize),
    Rewritten(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::options::Unit;
    use crate::text::tokenize::words;

    fn opts(n: usize, unit: Unit) -> ShingleOpts {
        ShingleOpts { n, unit, case: Case::Keep, strip_punct: false }
    }

    #[test]
    fn byte_tokenizer_matches_char_split() {
        let text =
            "A\u{85}b\u{a0}c\u{1680}d\u{2003}e\u{2028}f\u{202f}g\u{205f}h\u{3000}i\x1cj\u{200b}k é,Ü!  ";
        for o in [opts(1, Unit::Word), ShingleOpts::lm_eval(1)] {
            let mut fast = Vec::new();
            for_each_word(text, &o, |t| fast.push(String::from_utf8(t.to_vec()).unwrap()));
            let norm = normalize(text, &o);
            let slow: Vec<&str> = words(&norm).collect();
            assert_eq!(fast, slow);
        }
    }
}
