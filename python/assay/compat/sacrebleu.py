"""sacrebleu's BLEU API on assay's kernel: ``sentence_bleu``, ``corpus_bleu`` and the
``BLEU`` metric class, with the same arguments, defaults, scores (``==``), ``str()`` and
signature. Swap ``import sacrebleu`` for ``from assay.compat import sacrebleu``.

Also ``sentence_chrf``, ``corpus_chrf`` and ``CHRF`` (chrF, chrF++), ``sentence_ter``,
``corpus_ter`` and ``TER``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from .._texts import hypotheses_and_references, texts
from ..metrics.statistics import (
    BETA,
    CHAR_ORDER,
    MAX_NGRAM_ORDER,
    SMOOTH_DEFAULTS,
    WORD_ORDER,
    BLEUScore,
    CHRFScore,
    TERScore,
    ter_statistics,
)
from ..metrics.statistics import bleu_score as _score
from ..metrics.statistics import bleu_segment_statistics as _statistics
from ..metrics.statistics import chrf_score as f_score
from ..metrics.statistics import chrf_segment_statistics as _chrf_statistics
from ..metrics.statistics import ter_score as _summed

#: The sacrebleu release whose numbers and signatures these equal.
__version__ = "2.6.0"

__all__ = [
    "BLEU",
    "CHRF",
    "TER",
    "BLEUScore",
    "CHRFScore",
    "TERScore",
    "corpus_bleu",
    "corpus_chrf",
    "corpus_ter",
    "sentence_bleu",
    "sentence_chrf",
    "sentence_ter",
]


class _Metric:
    """What sacrebleu's metric classes share here: references come at scoring time, and the
    reference count of the last scoring goes into the signature."""

    num_refs: int | None = None

    def _refuse_references(self, references: object) -> None:
        if references is not None:
            raise NotImplementedError(
                f"assay's {type(self).__name__} takes references at scoring time"
            )

    def _count_references(self, per_segment: list[list[str]]) -> None:
        counts = {len(r) for r in per_segment}
        self.num_refs = counts.pop() if len(counts) == 1 else -1

    def _nrefs(self) -> int | str:
        if self.num_refs is None:
            raise ValueError("Number of references unknown, please evaluate the metric first.")
        return "var" if self.num_refs == -1 else self.num_refs


class BLEU(_Metric):
    """sacrebleu's ``BLEU`` metric class (``corpus_score``, ``sentence_score``,
    ``get_signature``)."""

    TOKENIZER_DEFAULT = "13a"
    SMOOTH_DEFAULTS: ClassVar[dict[str, float | None]] = SMOOTH_DEFAULTS

    def __init__(
        self,
        lowercase: bool = False,
        force: bool = False,
        tokenize: str | None = None,
        smooth_method: str = "exp",
        smooth_value: float | None = None,
        max_ngram_order: int = MAX_NGRAM_ORDER,
        effective_order: bool = False,
        trg_lang: str = "",
        references: Sequence[Sequence[str]] | None = None,
    ) -> None:
        if smooth_method not in SMOOTH_DEFAULTS:
            raise ValueError(f"Unknown smooth_method {smooth_method!r}")
        self._refuse_references(references)
        self.lowercase = lowercase
        self.tokenizer_name = tokenize or self.TOKENIZER_DEFAULT
        self.smooth_method = smooth_method
        self.smooth_value = smooth_value
        self.max_ngram_order = max_ngram_order
        self.effective_order = effective_order

    def _stats(self, hyps: list[str], per_segment: list[list[str]]) -> Any:
        self._count_references(per_segment)
        return _statistics(
            hyps, per_segment, self.tokenizer_name, self.lowercase, self.max_ngram_order
        )

    def corpus_score(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
    ) -> BLEUScore:
        """BLEU of the corpus; ``references`` are streams aligned with the hypotheses."""
        hyps, per_segment = hypotheses_and_references(hypotheses, references)
        stats = self._stats(hyps, per_segment)
        total = [int(x) for x in stats.sum(axis=0)]
        return _score(
            total, self.smooth_method, self.smooth_value, self.effective_order,
            self.max_ngram_order,
        )  # fmt: skip

    def sentence_score(self, hypothesis: str, references: Sequence[str]) -> BLEUScore:
        """BLEU of one hypothesis against its references."""
        (hyp,) = texts([hypothesis], "hypothesis")
        refs = texts(references, "references")
        stats = self._stats([hyp], [refs])
        return _score(
            [int(x) for x in stats[0]], self.smooth_method, self.smooth_value,
            self.effective_order, self.max_ngram_order,
        )  # fmt: skip

    def get_signature(self) -> Signature:
        """The reproducibility signature (after scoring, which fixes the reference count)."""
        nrefs = self._nrefs()
        smooth = self.smooth_method
        default = SMOOTH_DEFAULTS[smooth]
        if default is not None:
            value = default if self.smooth_value is None else self.smooth_value
            smooth += f"[{value:.2f}]"
        return Signature(
            {
                "nrefs": nrefs,
                "case": "lc" if self.lowercase else "mixed",
                "eff": "yes" if self.effective_order else "no",
                "tok": self.tokenizer_name,
                "smooth": smooth,
                "version": __version__,
            }
        )


class Signature:
    """sacrebleu's signature line: ``nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:…``."""

    ABBREVIATIONS: ClassVar[dict[str, str]] = {
        "nrefs": "#", "case": "c", "eff": "e", "tok": "tok", "smooth": "s", "version": "v",
        "nc": "nc", "nw": "nw", "space": "s", "norm": "nr", "punct": "pn", "asian": "as",
    }  # fmt: skip

    def __init__(self, info: dict[str, Any], abbreviations: dict[str, str] | None = None) -> None:
        self.info = info
        self.abbreviations = {**self.ABBREVIATIONS, **(abbreviations or {})}

    def format(self, short: bool = False) -> str:
        return "|".join(
            f"{self.abbreviations[k] if short else k}:{v}" for k, v in self.info.items()
        )

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return self.format()


def corpus_bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    force: bool = False,
    lowercase: bool = False,
    tokenize: str = BLEU.TOKENIZER_DEFAULT,
    use_effective_order: bool = False,
) -> BLEUScore:
    """``sacrebleu.corpus_bleu``: the same arguments, the same float."""
    metric = BLEU(
        lowercase=lowercase, force=force, tokenize=tokenize, smooth_method=smooth_method,
        smooth_value=smooth_value, effective_order=use_effective_order,
    )  # fmt: skip
    return metric.corpus_score(hypotheses, references)


def sentence_bleu(
    hypothesis: str,
    references: Sequence[str],
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    lowercase: bool = False,
    tokenize: str = BLEU.TOKENIZER_DEFAULT,
    use_effective_order: bool = True,
) -> BLEUScore:
    """``sacrebleu.sentence_bleu``: the same arguments, the same float."""
    metric = BLEU(
        lowercase=lowercase, tokenize=tokenize, smooth_method=smooth_method,
        smooth_value=smooth_value, effective_order=use_effective_order,
    )  # fmt: skip
    return metric.sentence_score(hypothesis, references)


class CHRF(_Metric):
    """sacrebleu's ``CHRF`` metric class (chrF; ``word_order=2`` gives chrF++)."""

    CHAR_ORDER, WORD_ORDER, BETA = CHAR_ORDER, WORD_ORDER, BETA

    def __init__(
        self,
        char_order: int = CHAR_ORDER,
        word_order: int = WORD_ORDER,
        beta: int = BETA,
        lowercase: bool = False,
        whitespace: bool = False,
        eps_smoothing: bool = False,
        references: Sequence[Sequence[str]] | None = None,
    ) -> None:
        self._refuse_references(references)
        self.char_order, self.word_order, self.beta = char_order, word_order, beta
        self.lowercase, self.whitespace, self.eps_smoothing = lowercase, whitespace, eps_smoothing

    def _score(self, hyps: list[str], per_segment: list[list[str]]) -> Any:
        self._count_references(per_segment)
        return _chrf_statistics(
            hyps, per_segment, self.char_order, self.word_order, self.beta, self.lowercase,
            self.whitespace, self.eps_smoothing,
        )  # fmt: skip

    def _result(self, stats: Sequence[int]) -> CHRFScore:
        score = f_score(stats, self.beta, self.eps_smoothing)
        return CHRFScore(score, self.char_order, self.word_order, self.beta)

    def corpus_score(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
    ) -> CHRFScore:
        hyps, per_segment = hypotheses_and_references(hypotheses, references)
        return self._result([int(x) for x in self._score(hyps, per_segment).sum(axis=0)])

    def sentence_score(self, hypothesis: str, references: Sequence[str]) -> CHRFScore:
        (hyp,) = texts([hypothesis], "hypothesis")
        refs = texts(references, "references")
        return self._result([int(x) for x in self._score([hyp], [refs])[0]])

    def get_signature(self) -> Signature:
        nrefs = self._nrefs()
        return Signature(
            {
                "nrefs": nrefs,
                "case": "lc" if self.lowercase else "mixed",
                "eff": "yes" if not self.eps_smoothing else "no",
                "nc": self.char_order,
                "nw": self.word_order,
                "space": "yes" if self.whitespace else "no",
                "version": __version__,
            }
        )


def corpus_chrf(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    char_order: int = CHRF.CHAR_ORDER,
    word_order: int = CHRF.WORD_ORDER,
    beta: int = CHRF.BETA,
    remove_whitespace: bool = True,
    eps_smoothing: bool = False,
) -> CHRFScore:
    """``sacrebleu.corpus_chrf``: the same arguments, the same float."""
    metric = CHRF(char_order, word_order, beta, whitespace=not remove_whitespace,
                  eps_smoothing=eps_smoothing)  # fmt: skip
    return metric.corpus_score(hypotheses, references)


def sentence_chrf(
    hypothesis: str,
    references: Sequence[str],
    char_order: int = CHRF.CHAR_ORDER,
    word_order: int = CHRF.WORD_ORDER,
    beta: int = CHRF.BETA,
    remove_whitespace: bool = True,
    eps_smoothing: bool = False,
) -> CHRFScore:
    """``sacrebleu.sentence_chrf``: the same arguments, the same float."""
    metric = CHRF(char_order, word_order, beta, whitespace=not remove_whitespace,
                  eps_smoothing=eps_smoothing)  # fmt: skip
    return metric.sentence_score(hypothesis, references)


class TER(_Metric):
    """sacrebleu's ``TER`` metric class (``corpus_score``, ``sentence_score``,
    ``get_signature``), Tercom's options as its own."""

    def __init__(
        self,
        normalized: bool = False,
        no_punct: bool = False,
        asian_support: bool = False,
        case_sensitive: bool = False,
        references: Sequence[Sequence[str]] | None = None,
    ) -> None:
        self._refuse_references(references)
        self.normalized, self.no_punct = normalized, no_punct
        self.asian_support, self.case_sensitive = asian_support, case_sensitive

    def _statistics(self, hyps: list[str], per_segment: list[list[str]]) -> Any:
        self._count_references(per_segment)
        return ter_statistics(
            hyps, per_segment, normalized=self.normalized, no_punct=self.no_punct,
            asian_support=self.asian_support, case_sensitive=self.case_sensitive,
        )  # fmt: skip

    def corpus_score(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
    ) -> TERScore:
        hyps, per_segment = hypotheses_and_references(hypotheses, references)
        return _summed(*self._statistics(hyps, per_segment))

    def sentence_score(self, hypothesis: str, references: Sequence[str]) -> TERScore:
        (hyp,) = texts([hypothesis], "hypothesis")
        return _summed(*self._statistics([hyp], [texts(references, "references")]))

    def get_signature(self) -> Signature:
        nrefs = self._nrefs()
        return Signature(
            {
                "nrefs": nrefs,
                "case": "mixed" if self.case_sensitive else "lc",
                "tok": "tercom",
                "norm": "yes" if self.normalized else "no",
                "punct": "no" if self.no_punct else "yes",
                "asian": "yes" if self.asian_support else "no",
                "version": __version__,
            },
            abbreviations={"tok": "t"},  # sacrebleu's TER abbreviates it so
        )


def corpus_ter(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    normalized: bool = False,
    no_punct: bool = False,
    asian_support: bool = False,
    case_sensitive: bool = False,
) -> TERScore:
    """``sacrebleu.corpus_ter``: the same arguments, the same float."""
    metric = TER(normalized, no_punct, asian_support, case_sensitive)
    return metric.corpus_score(hypotheses, references)


def sentence_ter(
    hypothesis: str,
    references: Sequence[str],
    normalized: bool = False,
    no_punct: bool = False,
    asian_support: bool = False,
    case_sensitive: bool = False,
) -> TERScore:
    """``sacrebleu.sentence_ter``: the same arguments, the same float."""
    metric = TER(normalized, no_punct, asian_support, case_sensitive)
    return metric.sentence_score(hypothesis, references)
