//! sacrebleu 2.x's tokenizers `13a` (mteval-v13a, WMT's), `none` and `char`, to tokens.
//!
//! `13a` replaces `<skipped>` and line breaks, unescapes four HTML entities when the line has
//! a `&`, pads the line with spaces and applies four regular-expression substitutions in turn
//! (each scanning left to right without overlaps, as `re.sub` does), then splits on Python's
//! whitespace. The substitutions are written out as scans here; tests check them against
//! sacrebleu.

use std::borrow::Cow;

use crate::error::{KernelError, KernelResult};

/// The tokenizers implemented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tokenizer {
    None,
    Thirteen,
    Char,
}

impl Tokenizer {
    pub fn from_name(name: &str) -> KernelResult<Self> {
        match name {
            "none" => Ok(Tokenizer::None),
            "13a" => Ok(Tokenizer::Thirteen),
            "char" => Ok(Tokenizer::Char),
            _ => Err(KernelError::value(
                "tokenize",
                format!("unknown tokenizer {name:?}; implemented: '13a', 'intl', 'none', 'char'"),
            )),
        }
    }

    /// The line with its tokens separated by Python whitespace (split it with
    /// `split_python`); the line is already lower-cased and right-stripped.
    pub fn normalized(self, line: &str) -> Cow<'_, str> {
        match self {
            Tokenizer::None => Cow::Borrowed(line),
            Tokenizer::Thirteen => Cow::Owned(thirteen_a(line)),
            // " ".join(line): every character its own token once split on whitespace
            Tokenizer::Char => {
                let mut out = String::with_capacity(line.len() * 2);
                for c in line.chars() {
                    out.push(c);
                    out.push(' ');
                }
                Cow::Owned(out)
            }
        }
    }
}

/// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation and symbols (but `'`, `,`, `-`, `.`).
#[inline]
fn is_symbol(b: u8) -> bool {
    matches!(b, b'{'..=b'~' | b'['..=b'`' | b' '..=b'&' | b'('..=b'+' | b':'..=b'@' | b'/')
}

/// The 13a line before whitespace splitting (extra spaces are harmless there).
///
/// The substitutions run on bytes: every character they test is ASCII, and the bytes of a
/// multi-byte UTF-8 character are neither digits nor `.`/`,`, so a byte-level scan matches
/// where the character-level one does and inserts spaces only at character boundaries.
pub fn thirteen_a(line: &str) -> String {
    // Each replacement only where its pattern can occur (str::replace always copies).
    let mut s = Cow::Borrowed(line);
    if s.contains("<skipped>") {
        s = Cow::Owned(s.replace("<skipped>", ""));
    }
    if s.contains('\n') {
        s = Cow::Owned(s.replace("-\n", "").replace('\n', " "));
    }
    if s.contains('&') {
        s = Cow::Owned(
            s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"),
        );
    }
    // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 " on " line "
    let mut a: Vec<u8> = Vec::with_capacity(s.len() * 2 + 2);
    for b in std::iter::once(b' ').chain(s.bytes()).chain(std::iter::once(b' ')) {
        if is_symbol(b) {
            a.extend([b' ', b, b' ']);
        } else {
            a.push(b);
        }
    }
    let dot = |b: u8| b == b'.' || b == b',';
    if a.iter().any(|&b| dot(b)) {
        // ([^0-9])([\.,]) -> "\1 \2 "
        a = scan(&a, |x, y| !x.is_ascii_digit() && dot(y), |x, y, out| out.extend([x, b' ', y, b' ']));
        // ([\.,])([^0-9]) -> " \1 \2"
        a = scan(&a, |x, y| dot(x) && !y.is_ascii_digit(), |x, y, out| out.extend([b' ', x, b' ', y]));
    }
    if a.contains(&b'-') {
        // ([0-9])(-) -> "\1 \2 "
        a = scan(&a, |x, y| x.is_ascii_digit() && y == b'-', |x, y, out| out.extend([x, b' ', y, b' ']));
    }
    String::from_utf8(a).expect("spaces are inserted at character boundaries only")
}

/// One `re.sub` of a two-character pattern: left to right, a match consumes both characters.
fn scan(s: &[u8], hit: impl Fn(u8, u8) -> bool, emit: impl Fn(u8, u8, &mut Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + s.len() / 4);
    let mut i = 0;
    while i < s.len() {
        if i + 1 < s.len() && hit(s[i], s[i + 1]) {
            emit(s[i], s[i + 1], &mut out);
            i += 2;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::python_text::split_python;
    use super::*;

    fn toks(line: &str) -> String {
        split_python(&Tokenizer::Thirteen.normalized(line)).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn thirteen_a_examples() {
        // python3 -c "from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a as T;
        //   print(T()('Hello, world! It costs $3.50-4,000 (approx.).'))"
        assert_eq!(
            toks("Hello, world! It costs $3.50-4,000 (approx.)."),
            "Hello , world ! It costs $ 3.50 - 4,000 ( approx . ) ."
        );
        assert_eq!(toks("a.,b"), "a . , b");
        assert_eq!(toks("&quot;x&quot; &amp; y<skipped>"), "\" x \" & y");
        let spaced = Tokenizer::Char.normalized("ab c");
        assert_eq!(split_python(&spaced).collect::<Vec<_>>().join(" "), "a b c");
    }
}
