"""``rouge_score.rouge_scorer.RougeScorer``: the same constructor, ``score(target,
prediction)`` (target first) and ``score_multi(targets, prediction)``, returning the same
``Score`` named tuples with the same floats; plus ``score_batch`` for many pairs at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._texts import texts
from ...metrics import rouge
from ...metrics.statistics import rouge_tokenized, sentence_splitter
from ...metrics.statistics import rouge_types as checked_types
from . import scoring
from .scoring import Score


class RougeScorer(scoring.BaseScorer):
    """Scores ROUGE types between texts, as ``rouge_score``'s ``RougeScorer``.

    ``rouge_types``: ``rouge1`` … ``rouge9``, ``rougeL``, ``rougeLsum`` (unknown names raise
    here, not at the first ``score``). ``use_stemmer``: NLTK's Porter stemmer on tokens longer
    than 3 characters. ``split_summaries``: ``rougeLsum`` splits sentences with NLTK's
    ``sent_tokenize`` instead of at ``"\\n"``. ``tokenizer``: an object with ``tokenize(text)``
    in place of the default tokenizer; tokens are then made in Python, scores still in Rust.
    """

    def __init__(
        self,
        rouge_types: Sequence[str],
        use_stemmer: bool = False,
        split_summaries: bool = False,
        tokenizer: Any = None,
    ) -> None:
        self.rouge_types = rouge_types
        self._types = checked_types(rouge_types)
        self._use_stemmer = bool(use_stemmer)
        self._split_summaries = split_summaries
        self._tokenizer = tokenizer
        if tokenizer is not None and not callable(getattr(tokenizer, "tokenize", None)):
            raise TypeError("tokenizer must have a tokenize(text) method")

    def score(self, target: str, prediction: str) -> dict[str, Score]:
        """Score type → ``Score(precision, recall, fmeasure)`` of ``prediction`` against
        ``target``."""
        return self._scores([prediction], [[target]])[0]

    def score_multi(self, targets: Sequence[str], prediction: str) -> dict[str, Score]:
        """Per score type, the score against the target with the largest F-measure."""
        refs = texts(targets, "targets")
        if not refs:
            raise ValueError("targets is empty")
        return self._scores([prediction], [refs])[0]

    def score_batch(
        self, targets: Sequence[Any], predictions: Sequence[str]
    ) -> list[dict[str, Score]]:
        """``[score(t, p) for t, p in zip(targets, predictions)]`` in one parallel call; a
        target may be a list of str (then as ``score_multi``)."""
        preds = texts(predictions, "predictions")
        refs: list[list[str]] = []
        for i, t in enumerate(texts_or_list(targets, "targets")):
            refs.append([t] if isinstance(t, str) else texts(t, f"targets[{i}]"))
        if len(refs) != len(preds):
            raise ValueError(f"targets has {len(refs)} items but predictions has {len(preds)}")
        return self._scores(preds, refs)

    def _scores(self, preds: list[str], refs: list[list[str]]) -> list[dict[str, Score]]:
        preds = texts(preds, "prediction")
        for i, rs in enumerate(refs):
            texts(rs, "target" if len(refs) == 1 else f"targets[{i}]")
        if self._tokenizer is None:
            table = rouge(
                preds,
                refs,
                types=self._types,
                use_stemmer=self._use_stemmer,
                split_summaries=self._split_summaries,
            )
            stacked = np.stack([table[k] for k in self._types], axis=1)
        else:
            split = (
                sentence_splitter()
                if self._split_summaries
                else (lambda text: [s for s in text.split("\n") if s])
            )
            stacked = rouge_tokenized(
                zip(preds, refs, strict=True), self._tokenizer.tokenize, split, self._types
            )
        rows = stacked.tolist()
        return [{k: Score(*row[i]) for i, k in enumerate(self._types)} for row in rows]


def texts_or_list(values: Any, name: str) -> list[Any]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence, not a single {type(values).__name__}")
    return list(values.tolist() if hasattr(values, "tolist") else values)


__all__ = ["RougeScorer"]
