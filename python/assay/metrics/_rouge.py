"""ROUGE as ``rouge_score`` 0.1.2 computes it, in Rust: its tokenizer (ASCII ``[a-z0-9]``
runs of the lower-cased text), NLTK's Porter stemmer, ROUGE-N, ROUGE-L and the summary-level
ROUGE-Lsum, with ``score_multi``'s best-of-several references."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from .. import _native
from .._checks import flag
from .._texts import per_item_references, texts

DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_VALID = {f"rouge{n}" for n in range(1, 10)} | {"rougeL", "rougeLsum"}


def rouge_types(types: Any) -> list[str]:
    """``types`` checked: a non-empty sequence of ``rouge1`` … ``rouge9``, ``rougeL``,
    ``rougeLsum``."""
    if isinstance(types, str):
        raise TypeError(f"types must be a sequence of ROUGE type names, not the str {types!r}")
    try:
        out = list(types)
    except TypeError:
        raise TypeError(
            f"types must be a sequence of ROUGE type names, got {type(types).__name__}"
        ) from None
    if not out:
        raise ValueError("types is empty: name at least one of rouge1 … rouge9, rougeL, rougeLsum")
    for i, t in enumerate(out):
        if t == "rouge0":
            raise ValueError("rougen requires positive n: rouge0")
        if t not in _VALID:
            raise ValueError(
                f"types[{i}]: invalid rouge type {t!r}; use rouge1 … rouge9, rougeL or rougeLsum"
            )
    return out


def sentence_splitter() -> Callable[[str], list[str]]:
    """NLTK's ``sent_tokenize``, which ``split_summaries=True`` uses, or a clear error when
    NLTK or its punkt model is missing."""
    try:
        import nltk
    except ImportError:
        raise ImportError(
            "split_summaries=True splits sentences with NLTK: pip install nltk"
        ) from None

    def split(text: str) -> list[str]:
        try:
            return list(nltk.sent_tokenize(text))
        except LookupError:
            raise LookupError(
                "split_summaries=True needs NLTK's punkt sentence model, which is not "
                "installed: python -m nltk.downloader punkt_tab"
            ) from None

    return split


def one_sentence_per_line(text: str, split: Callable[[str], list[str]]) -> str:
    """``text`` with the splitter's sentences on lines of their own (newlines inside a sentence
    become spaces, which the tokenizer treats alike), so the kernel's ``"\\n"`` split sees them."""
    return "\n".join(s.replace("\n", " ") for s in split(text) if s)


def rouge(
    predictions: Any,
    references: Any,
    *,
    types: Sequence[str] = DEFAULT_TYPES,
    use_stemmer: bool = False,
    split_summaries: bool = False,
) -> dict[str, np.ndarray]:
    """ROUGE of each prediction against its reference(s), equal to ``rouge_score``'s floats.

    ``predictions``: N texts (list, NumPy, pandas or pyarrow column). ``references``: per
    prediction a str or a list of str (several: the one with the best F per type, as
    ``RougeScorer.score_multi``). ``rougeLsum`` treats ``"\\n"`` as the sentence separator,
    or NLTK's sentence splitter with ``split_summaries=True``. Returns, per type, a float64
    array of shape (N, 3): precision, recall, F-measure (fractions in [0, 1]). An empty
    prediction or reference scores 0, as in ``rouge_score``.
    """
    kinds = rouge_types(types)
    preds = texts(predictions, "predictions")
    refs = per_item_references(references, len(preds))
    if not preds:
        return {k: np.zeros((0, 3)) for k in kinds}
    use_stemmer = flag(use_stemmer, "use_stemmer")
    split_lsum = split_summaries and "rougeLsum" in kinds
    # with NLTK's sentences, rougeLsum is scored apart below (not twice)
    plain = [k for k in kinds if k != "rougeLsum"] if split_lsum else kinds
    out = {}
    if plain:
        table = _native.rouge_scores(preds, refs, plain, use_stemmer)
        out = {k: table[:, i, :] for i, k in enumerate(plain)}
    if split_lsum:
        split = sentence_splitter()
        lines = [one_sentence_per_line(p, split) for p in preds]
        ref_lines = [[one_sentence_per_line(r, split) for r in rs] for rs in refs]
        lsum = _native.rouge_scores(lines, ref_lines, ["rougeLsum"], use_stemmer)
        out["rougeLsum"] = lsum[:, 0, :]
    return {k: out[k] for k in kinds}


def rouge_tokenized(
    pairs: Iterable[tuple[str, Sequence[str]]],
    tokenize: Callable[[str], Sequence[Hashable]],
    split: Callable[[str], list[str]],
    types: Sequence[str],
) -> np.ndarray:
    """Scores (items, types, 3) of (prediction, targets) pairs with a caller's tokenizer:
    tokens (any hashable, compared by equality) become ids here, the scoring runs in Rust.
    ``rougeLsum`` tokenizes each sentence of ``split(text)`` apart, as ``rouge_score``."""
    ids: dict[Hashable, int] = {}
    with_sentences = "rougeLsum" in types

    def doc(text: str) -> tuple[list[int], list[list[int]]]:
        tokens = [ids.setdefault(t, len(ids)) for t in tokenize(text)]
        sentences = (
            [[ids.setdefault(t, len(ids)) for t in tokenize(s)] for s in split(text)]
            if with_sentences
            else []
        )
        return tokens, sentences

    items = [(doc(p), [doc(t) for t in targets]) for p, targets in pairs]
    return _native.rouge_scores_tokenized(items, list(types))
