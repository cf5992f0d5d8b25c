//! NLTK's `PorterStemmer` in its default `NLTK_EXTENSIONS` mode, rule for rule, on the
//! lowercase ASCII words `rouge_score`'s tokenizer hands it: the irregular-forms table first,
//! then steps 1a–5b with NLTK's changes (`ies`/`ied` on four-letter words, `y → i` only after
//! a consonant, the `alli`, `fulli` and `logi` rules, `*o` on two-letter stems).
//!
//! Its rule lists stop at the first suffix that matches, whether or not the rule's condition
//! holds; so does `apply_rules`.

/// NLTK's `irregular_forms`, inverted as its `pool` is: word → stem.
const POOL: &[(&[u8], &[u8])] = &[
    (b"sky", b"sky"),
    (b"skies", b"sky"),
    (b"dying", b"die"),
    (b"lying", b"lie"),
    (b"tying", b"tie"),
    (b"news", b"news"),
    (b"innings", b"inning"),
    (b"inning", b"inning"),
    (b"outings", b"outing"),
    (b"outing", b"outing"),
    (b"cannings", b"canning"),
    (b"canning", b"canning"),
    (b"howe", b"howe"),
    (b"proceed", b"proceed"),
    (b"exceed", b"exceed"),
    (b"succeed", b"succeed"),
];

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The paper's consonant: not a vowel, and a `y` only when what precedes it is not one.
fn is_consonant(word: &[u8], i: usize) -> bool {
    if is_vowel(word[i]) {
        return false;
    }
    if word[i] == b'y' {
        let mut negate = false;
        let mut k = i;
        while k > 0 && word[k] == b'y' {
            negate = !negate;
            k -= 1;
        }
        return is_vowel(word[k]) == negate;
    }
    true
}

/// Consonant flags of every position, left to right (a `y` flips its predecessor's flag).
fn consonant_flags(word: &[u8]) -> impl Iterator<Item = bool> + '_ {
    let mut previous = false;
    word.iter().enumerate().map(move |(i, &c)| {
        let flag = if is_vowel(c) {
            false
        } else if c == b'y' {
            i == 0 || !previous
        } else {
            true
        };
        previous = flag;
        flag
    })
}

/// The measure m of `[C](VC){m}[V]`: the number of vowel-to-consonant transitions.
fn measure(stem: &[u8]) -> usize {
    let mut m = 0;
    let mut previous_vowel = false;
    for consonant in consonant_flags(stem) {
        if consonant && previous_vowel {
            m += 1;
        }
        previous_vowel = !consonant;
    }
    m
}

fn has_positive_measure(stem: &[u8]) -> bool {
    measure(stem) > 0
}

fn measure_above_one(stem: &[u8]) -> bool {
    measure(stem) > 1
}

fn contains_vowel(stem: &[u8]) -> bool {
    consonant_flags(stem).any(|c| !c)
}

/// `*d`: ends in a double consonant.
fn ends_double_consonant(word: &[u8]) -> bool {
    let n = word.len();
    n >= 2 && word[n - 1] == word[n - 2] && is_consonant(word, n - 1)
}

/// `*o`: ends consonant-vowel-consonant, the last not w, x or y; NLTK also takes a two-letter
/// vowel-consonant stem.
fn ends_cvc(word: &[u8]) -> bool {
    let n = word.len();
    (n >= 3
        && is_consonant(word, n - 3)
        && !is_consonant(word, n - 2)
        && is_consonant(word, n - 1)
        && !matches!(word[n - 1], b'w' | b'x' | b'y'))
        || (n == 2 && !is_consonant(word, 0) && is_consonant(word, 1))
}

fn joined(stem: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stem.len() + tail.len());
    out.extend_from_slice(stem);
    out.extend_from_slice(tail);
    out
}

type Condition<'a> = &'a dyn Fn(&[u8]) -> bool;

/// NLTK's `_apply_rule_list` without its `*d` form: the first rule whose suffix ends the word
/// decides; its replacement applies when its condition holds on the stem, else the word stays.
fn apply_rules(word: Vec<u8>, rules: &[(&[u8], &[u8], Option<Condition<'_>>)]) -> Vec<u8> {
    for (suffix, replacement, condition) in rules {
        if word.ends_with(suffix) {
            let stem = &word[..word.len() - suffix.len()];
            return if condition.is_none_or(|holds| holds(stem)) { joined(stem, replacement) } else { word };
        }
    }
    word
}

fn step1a(word: Vec<u8>) -> Vec<u8> {
    if word.ends_with(b"ies") && word.len() == 4 {
        return joined(&word[..1], b"ie");
    }
    apply_rules(
        word,
        &[(b"sses", b"ss", None), (b"ies", b"i", None), (b"ss", b"ss", None), (b"s", b"", None)],
    )
}

fn step1b(word: Vec<u8>) -> Vec<u8> {
    if word.ends_with(b"ied") {
        let stem = &word[..word.len() - 3];
        return joined(stem, if word.len() == 4 { b"ie" } else { b"i" });
    }
    if word.ends_with(b"eed") {
        let stem = &word[..word.len() - 3];
        return if measure(stem) > 0 { joined(stem, b"ee") } else { word };
    }
    let stripped = [&b"ed"[..], b"ing"].iter().find_map(|suffix| {
        let stem = word.strip_suffix(*suffix)?;
        contains_vowel(stem).then(|| stem.to_vec())
    });
    let Some(stem) = stripped else { return word };
    for (suffix, replacement) in [(&b"at"[..], &b"ate"[..]), (b"bl", b"ble"), (b"iz", b"ize")] {
        if let Some(head) = stem.strip_suffix(suffix) {
            return joined(head, replacement);
        }
    }
    if ends_double_consonant(&stem) {
        let last = stem[stem.len() - 1];
        return if matches!(last, b'l' | b's' | b'z') { stem } else { stem[..stem.len() - 1].to_vec() };
    }
    if measure(&stem) == 1 && ends_cvc(&stem) {
        return joined(&stem, b"e");
    }
    stem
}

fn step1c(word: Vec<u8>) -> Vec<u8> {
    let after_consonant = |stem: &[u8]| stem.len() > 1 && is_consonant(stem, stem.len() - 1);
    apply_rules(word, &[(b"y", b"i", Some(&after_consonant))])
}

fn step2(word: Vec<u8>) -> Vec<u8> {
    if let Some(stem) = word.strip_suffix(b"alli") {
        if has_positive_measure(stem) {
            return step2(joined(stem, b"al"));
        }
    }
    let m: Condition<'_> = &has_positive_measure;
    let logi_stem = word[..word.len().saturating_sub(3)].to_vec();
    let logi = move |_: &[u8]| has_positive_measure(&logi_stem);
    let rules: [(&[u8], &[u8], Option<Condition<'_>>); 22] = [
        (b"ational", b"ate", Some(m)),
        (b"tional", b"tion", Some(m)),
        (b"enci", b"ence", Some(m)),
        (b"anci", b"ance", Some(m)),
        (b"izer", b"ize", Some(m)),
        (b"bli", b"ble", Some(m)),
        (b"alli", b"al", Some(m)),
        (b"entli", b"ent", Some(m)),
        (b"eli", b"e", Some(m)),
        (b"ousli", b"ous", Some(m)),
        (b"ization", b"ize", Some(m)),
        (b"ation", b"ate", Some(m)),
        (b"ator", b"ate", Some(m)),
        (b"alism", b"al", Some(m)),
        (b"iveness", b"ive", Some(m)),
        (b"fulness", b"ful", Some(m)),
        (b"ousness", b"ous", Some(m)),
        (b"aliti", b"al", Some(m)),
        (b"iviti", b"ive", Some(m)),
        (b"biliti", b"ble", Some(m)),
        (b"fulli", b"ful", Some(m)),
        (b"logi", b"log", Some(&logi)),
    ];
    apply_rules(word, &rules)
}

fn step3(word: Vec<u8>) -> Vec<u8> {
    let m: Condition<'_> = &has_positive_measure;
    apply_rules(
        word,
        &[
            (b"icate", b"ic", Some(m)),
            (b"ative", b"", Some(m)),
            (b"alize", b"al", Some(m)),
            (b"iciti", b"ic", Some(m)),
            (b"ical", b"ic", Some(m)),
            (b"ful", b"", Some(m)),
            (b"ness", b"", Some(m)),
        ],
    )
}

fn step4(word: Vec<u8>) -> Vec<u8> {
    let m: Condition<'_> = &measure_above_one;
    let ion = |stem: &[u8]| measure(stem) > 1 && matches!(stem.last(), Some(b's' | b't'));
    apply_rules(
        word,
        &[
            (b"al", b"", Some(m)),
            (b"ance", b"", Some(m)),
            (b"ence", b"", Some(m)),
            (b"er", b"", Some(m)),
            (b"ic", b"", Some(m)),
            (b"able", b"", Some(m)),
            (b"ible", b"", Some(m)),
            (b"ant", b"", Some(m)),
            (b"ement", b"", Some(m)),
            (b"ment", b"", Some(m)),
            (b"ent", b"", Some(m)),
            (b"ion", b"", Some(&ion)),
            (b"ou", b"", Some(m)),
            (b"ism", b"", Some(m)),
            (b"ate", b"", Some(m)),
            (b"iti", b"", Some(m)),
            (b"ous", b"", Some(m)),
            (b"ive", b"", Some(m)),
            (b"ize", b"", Some(m)),
        ],
    )
}

fn step5a(word: Vec<u8>) -> Vec<u8> {
    if let Some(stem) = word.strip_suffix(b"e") {
        let m = measure(stem);
        if m > 1 || (m == 1 && !ends_cvc(stem)) {
            return stem.to_vec();
        }
    }
    word
}

fn step5b(word: Vec<u8>) -> Vec<u8> {
    if word.ends_with(b"ll") && measure(&word[..word.len() - 1]) > 1 {
        return word[..word.len() - 1].to_vec();
    }
    word
}

/// The stem of a lowercase ASCII word, as `PorterStemmer().stem(word)` gives it.
pub fn stem(word: &[u8]) -> Vec<u8> {
    if let Some((_, s)) = POOL.iter().find(|(w, _)| *w == word) {
        return s.to_vec();
    }
    if word.len() <= 2 {
        return word.to_vec();
    }
    let mut s = step1a(word.to_vec());
    s = step1b(s);
    s = step1c(s);
    s = step2(s);
    s = step3(s);
    s = step4(s);
    s = step5a(s);
    step5b(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(w: &str) -> String {
        String::from_utf8(stem(w.as_bytes())).unwrap()
    }

    /// The paper's and NLTK's own examples (its docstrings and test suite).
    #[test]
    fn known_stems() {
        for (w, s) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"),
            ("cats", "cat"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("conflated", "conflat"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("filing", "file"),
            ("happy", "happi"),
            ("enjoy", "enjoy"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("dying", "die"),
            ("skies", "sky"),
            ("controlling", "control"),
            ("yyyy", "yyyi"),
        ] {
            assert_eq!(st(w), s, "{w}");
        }
    }

    #[test]
    fn flags_agree_with_the_backward_walk() {
        for w in ["syzygy", "yyyy", "toy", "by", "ayyay", "yay"] {
            let flags: Vec<bool> = consonant_flags(w.as_bytes()).collect();
            let walked: Vec<bool> = (0..w.len()).map(|i| is_consonant(w.as_bytes(), i)).collect();
            assert_eq!(flags, walked, "{w}");
        }
    }
}
