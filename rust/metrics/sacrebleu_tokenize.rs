//! sacrebleu 2.x's tokenizers `13a` (mteval-v13a, WMT's), `none` and `char`, to tokens.
//!
//! `13a` replaces `<skipped>` and line breaks, unescapes four HTML entities when the line has
//! a `&`, pads the line with spaces and applies four regular-expression substitutions in turn
//! (each scanning left to right without overlaps, as `re.sub` does), then splits on Python's
//! whitespace. The substitutions are written out as scans here; tests check them against
//! sacrebleu.

use super::python_text::split_python;
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
                format!("unknown tokenizer {name:?}; implemented: '13a', 'none', 'char'"),
            )),
        }
    }

    /// The tokens of an already lower-cased and right-stripped line.
    pub fn tokens(self, line: &str) -> Vec<String> {
        match self {
            Tokenizer::None => split_python(line).map(str::to_owned).collect(),
            Tokenizer::Thirteen => split_python(&thirteen_a(line)).map(str::to_owned).collect(),
            // " ".join(line) then split(): every non-whitespace character is a token
            Tokenizer::Char => split_python(line).flat_map(|word| word.chars().map(String::from)).collect(),
        }
    }
}

/// `[\{-\~\[-\` -\&\(-\+\:-\@\/]`: ASCII punctuation and symbols (but `'`, `,`, `-`, `.`).
#[inline]
fn is_symbol(c: char) -> bool {
    matches!(c, '{'..='~' | '['..='`' | ' '..='&' | '('..='+' | ':'..='@' | '/')
}

/// The 13a line before whitespace splitting (extra spaces are harmless there).
pub fn thirteen_a(line: &str) -> String {
    let mut s = line.replace("<skipped>", "").replace("-\n", "").replace('\n', " ");
    if s.contains('&') {
        s = s.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    }
    // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> " \1 " on " line "
    let mut a: Vec<char> = Vec::with_capacity(s.len() * 2 + 2);
    for c in std::iter::once(' ').chain(s.chars()).chain(std::iter::once(' ')) {
        if is_symbol(c) {
            a.extend([' ', c, ' ']);
        } else {
            a.push(c);
        }
    }
    // ([^0-9])([\.,]) -> "\1 \2 "
    let b = scan(
        &a,
        |x, y| !x.is_ascii_digit() && matches!(y, '.' | ','),
        |x, y, out| out.extend([x, ' ', y, ' ']),
    );
    // ([\.,])([^0-9]) -> " \1 \2"
    let c = scan(
        &b,
        |x, y| matches!(x, '.' | ',') && !y.is_ascii_digit(),
        |x, y, out| out.extend([' ', x, ' ', y]),
    );
    // ([0-9])(-) -> "\1 \2 "
    let d = scan(&c, |x, y| x.is_ascii_digit() && y == '-', |x, y, out| out.extend([x, ' ', y, ' ']));
    d.into_iter().collect()
}

/// One `re.sub` of a two-character pattern: left to right, a match consumes both characters.
fn scan(
    s: &[char],
    hit: impl Fn(char, char) -> bool,
    emit: impl Fn(char, char, &mut Vec<char>),
) -> Vec<char> {
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
    use super::*;

    fn toks(line: &str) -> String {
        Tokenizer::Thirteen.tokens(line).join(" ")
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
        assert_eq!(Tokenizer::Char.tokens("ab c").join(" "), "a b c");
    }
}
