//! Python's idea of whitespace, which `str.split()` and `str.rstrip()` use and Rust's
//! `char::is_whitespace` does not match: CPython also counts the separators U+001C–U+001F.

/// `c.isspace()` in CPython: the White_Space characters plus U+001C..U+001F (bidirectional
/// class B or S).
#[inline]
pub fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `s.split()`: the runs of non-whitespace characters.
pub fn split_python(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_python_space).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_as_python_sees_it() {
        // python3 -c "print([hex(c) for c in range(0x110000) if chr(c).isspace()])"
        let python: &[u32] = &[
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
            0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
            0x205f, 0x3000,
        ];
        let ours: Vec<u32> = (0..0x110000u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_python_space(c))
            .map(u32::from)
            .collect();
        assert_eq!(ours, python);
        assert_eq!(split_python(" a\u{1c}b  c\u{3000}").collect::<Vec<_>>(), ["a", "b", "c"]);
    }
}
