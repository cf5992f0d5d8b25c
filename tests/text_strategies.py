"""Hypothesis strategies of texts for the MinHash tests (CPU and GPU paths)."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

WORDS = st.sampled_from(
    [
        *"the of and a to in is you that it he was for on are as with".split(),
        "naïve",
        "café",
        "Straße",
        "東京",
        "タワー",
        "é",
        "Ωμέγα",
        "x",
    ]
)
TEXTS = st.one_of(
    st.lists(WORDS, max_size=30).map(" ".join),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
)

# Long words (xxh3 path), capitals and punctuation (lower-casing, deletion), every kind of Python
# whitespace as separator, over texts that cross the kernels' 64- and 512-byte block bounds.
OWN_WORDS = st.sampled_from(
    [
        *"The of AND a to in Is you-that it's he was, for on".split(),
        "internationalisation-and-localisation",
        "sixteen-bytes-ok",
        "seventeen-bytes-x",
        "café",
        "Straße",
        "東京タワー",
        "ΩΜΈΓΑ",
        "!?",
    ]
)
SEPARATORS = st.sampled_from(
    [
        *[" ", " ", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0"],
        *["\u1680", "\u2000", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"],
    ]
)
SEPARATED = st.lists(st.tuples(OWN_WORDS, SEPARATORS), max_size=220).map(
    lambda ws: "".join(w + sep for w, sep in ws)
)
# Decomposed text (not NFC) takes the tokeniser's fallback: one draw in three.
OWN_TEXTS = st.one_of(TEXTS, SEPARATED, SEPARATED.map(lambda t: unicodedata.normalize("NFD", t)))


# Signature options drawn by the MinHash property tests (CPU oracle and GPU pipeline alike).
SIGNATURE_OPTIONS = dict(
    n=st.integers(1, 14),
    num_perm=st.integers(1, 150),
    seed=st.integers(0, 2**64 - 1),
    unit=st.sampled_from(["word", "char"]),
    lowercase=st.booleans(),
    strip_punct=st.booleans(),
)
