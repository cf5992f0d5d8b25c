"""sacrebleu's ``intl`` tokenizer (mteval-v14's international tokenization): punctuation split
off unless between digits, symbols split off, whitespace collapsed. It needs Unicode's number,
punctuation and symbol classes as the ``regex`` package (which sacrebleu uses) defines them, so
it runs here in Python with that package, once per distinct string; the n-gram counting after
it runs in Rust."""

from __future__ import annotations

from functools import lru_cache

import regex

_RULES = [
    # punctuation preceded by a non-digit
    (regex.compile(r"(\P{N})(\p{P})"), r"\1 \2 "),
    # punctuation followed by a non-digit
    (regex.compile(r"(\p{P})(\P{N})"), r" \1 \2"),
    # symbols
    (regex.compile(r"(\p{S})"), r" \1 "),
]


@lru_cache(maxsize=2**16)
def tokenize_intl(line: str) -> str:
    """The line tokenized as sacrebleu's ``TokenizerV14International`` does it."""
    for pattern, replacement in _RULES:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())
