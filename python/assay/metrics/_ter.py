"""TER as sacrebleu 2.x computes it: Tercom's tokenizer options here (``normalized``,
``no_punct``, ``asian_support``, ``case_sensitive``; their regular expressions run once per
distinct string), the shift search and beam edit distance in Rust, the score from the summed
statistics in sacrebleu's own operations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .. import _native
from .._checks import choice
from .._texts import hypotheses_and_references, predictions_and_references

_ASIAN_PUNCT = r"([\u3001\u3002\u3008-\u3011\u3014-\u301f\uff61-\uff65\u30fb])"
_FULL_WIDTH_PUNCT = r"([\uff0e\uff0c\uff1f\uff1a\uff1b\uff01\uff02\uff08\uff09])"


def _normalize_general_and_western(sent: str) -> str:
    sent = re.sub(r"\n-", "", sent)
    sent = re.sub(r"\n", " ", sent)
    sent = re.sub(r"&quot;", '"', sent)
    sent = re.sub(r"&amp;", "&", sent)
    sent = re.sub(r"&lt;", "<", sent)
    sent = re.sub(r"&gt;", ">", sent)
    sent = f" {sent} "
    sent = re.sub(r"([{-~[-` -&(-+:-@/])", r" \1 ", sent)
    sent = re.sub(r"'s ", r" 's ", sent)
    sent = re.sub(r"'s$", r" 's", sent)
    sent = re.sub(r"([^0-9])([\.,])", r"\1 \2 ", sent)
    sent = re.sub(r"([\.,])([^0-9])", r" \1 \2", sent)
    sent = re.sub(r"([0-9])(-)", r"\1 \2 ", sent)
    return sent


def _normalize_asian(sent: str) -> str:
    sent = re.sub(r"([\u4e00-\u9fff\u3400-\u4dbf])", r" \1 ", sent)
    sent = re.sub(r"([\u31c0-\u31ef\u2e80-\u2eff])", r" \1 ", sent)
    sent = re.sub(r"([\u3300-\u33ff\uf900-\ufaff\ufe30-\ufe4f])", r" \1 ", sent)
    sent = re.sub(r"([\u3200-\u3f22])", r" \1 ", sent)
    for block in (r"\u3040-\u309f", r"\u30a0-\u30ff", r"\u31f0-\u31ff"):
        sent = re.sub(rf"(^|^[{block}])([{block}]+)(?=$|^[{block}])", r"\1 \2 ", sent)
    sent = re.sub(_ASIAN_PUNCT, r" \1 ", sent)
    return re.sub(_FULL_WIDTH_PUNCT, r" \1 ", sent)


@lru_cache(maxsize=2**16)
def tokenize_tercom(
    sent: str, normalized: bool, no_punct: bool, asian_support: bool, case_sensitive: bool
) -> str:
    """sacrebleu's ``TercomTokenizer`` (Tercom's ``Normalizer``) with these options."""
    if not sent:
        return ""
    if not case_sensitive:
        sent = sent.lower()
    if normalized:
        sent = _normalize_general_and_western(sent)
        if asian_support:
            sent = _normalize_asian(sent)
    if no_punct:
        sent = re.sub(r"[\.,\?:;!\"\(\)]", "", sent)
        if asian_support:
            sent = re.sub(_ASIAN_PUNCT, r"", sent)
            sent = re.sub(_FULL_WIDTH_PUNCT, r"", sent)
    return " ".join(sent.split())


@dataclass
class TERScore:
    """A TER score with sacrebleu's fields (``score``, ``num_edits``, ``ref_length``) and
    ``str()`` (``TER = 45.12``)."""

    score: float
    num_edits: int
    ref_length: float
    name: str = "TER"

    def format(self, width: int = 2, score_only: bool = False, signature: str = "") -> str:
        sc = f"{self.score:.{width}f}"
        if score_only:
            return sc
        head = f"{self.name}|{signature}" if signature else self.name
        return f"{head} = {sc}"

    def __str__(self) -> str:
        return self.format()


def compute_ter(total_edits: Any, sum_ref_lengths: Any) -> TERScore:
    """sacrebleu's ``TER._compute_score_from_stats``."""
    if sum_ref_lengths > 0:
        score = total_edits / sum_ref_lengths
    elif total_edits > 0:
        score = 1.0  # empty reference(s), non-empty hypothesis
    else:
        score = 0.0
    return TERScore(100 * score, int(total_edits), sum_ref_lengths)


def ter_statistics(
    hyps: list[str],
    refs: list[list[str]],
    *,
    normalized: bool = False,
    no_punct: bool = False,
    asian_support: bool = False,
    case_sensitive: bool = False,
) -> tuple[list[int], list[float]]:
    """Per segment: the fewest edits over its references and the mean reference length."""
    options = (bool(normalized), bool(no_punct), bool(asian_support), bool(case_sensitive))
    hyp_ids: list[list[int]] = []
    ref_ids: list[list[list[int]]] = []
    for i, (h, rs) in enumerate(zip(hyps, refs, strict=True)):
        if not rs:
            raise ValueError(f"segment {i} has no reference")
        words_h = tokenize_tercom(h.rstrip(), *options).split()
        words_r = [tokenize_tercom(r.rstrip(), *options).split() for r in rs]
        # Ids in string order, so the kernel's tie-break compares as sacrebleu's lists of str.
        vocabulary = sorted(set(words_h).union(*words_r))
        rank = {w: k for k, w in enumerate(vocabulary)}
        hyp_ids.append([rank[w] for w in words_h])
        ref_ids.append([[rank[w] for w in ws] for ws in words_r])
    return _native.ter_statistics(hyp_ids, ref_ids)


def _summed(edits: list[int], lengths: list[float]) -> TERScore:
    # sacrebleu's sum_of_lists: left to right, from 0.
    total_edits: Any = 0
    total_length: Any = 0
    for e, n in zip(edits, lengths, strict=True):
        total_edits += e
        total_length += n
    return compute_ter(total_edits, total_length)


def ter(
    predictions: Any,
    references: Any,
    *,
    level: str = "sentence",
    normalized: bool = False,
    no_punct: bool = False,
    asian_support: bool = False,
    case_sensitive: bool = False,
) -> np.ndarray | TERScore:
    """TER of predictions against their references, equal to sacrebleu's: ``"sentence"``
    gives shape (N,) scores (edits per 100 reference words), ``"corpus"`` one
    :class:`TERScore`. References: a str or a list of str per prediction (the fewest edits
    count, over the mean reference length, as sacrebleu)."""
    choice(level, "level", ("sentence", "corpus"))
    hyps, refs = predictions_and_references(predictions, references)
    edits, lengths = ter_statistics(
        hyps, refs, normalized=normalized, no_punct=no_punct, asian_support=asian_support,
        case_sensitive=case_sensitive,
    )  # fmt: skip
    if level == "corpus":
        return _summed(edits, lengths)
    return np.array(
        [compute_ter(e, n).score for e, n in zip(edits, lengths, strict=True)], dtype=np.float64
    )


def corpus_ter(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    normalized: bool = False,
    no_punct: bool = False,
    asian_support: bool = False,
    case_sensitive: bool = False,
) -> TERScore:
    """``sacrebleu.corpus_ter`` (reference streams), the same float."""
    hyps, per_segment = hypotheses_and_references(hypotheses, references)
    edits, lengths = ter_statistics(
        hyps, per_segment, normalized=normalized, no_punct=no_punct,
        asian_support=asian_support, case_sensitive=case_sensitive,
    )  # fmt: skip
    return _summed(edits, lengths)
