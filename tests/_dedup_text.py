"""Real text for the dedup and contamination tests, available offline on any CPython install:
documentation strings of standard-library modules and the stdlib's own codec source files
(which hold natural near-duplicates), plus an independent pure-Python shingling oracle."""

from __future__ import annotations

import importlib
import inspect
import random
import string
import sysconfig
import unicodedata
from functools import lru_cache
from pathlib import Path

MODULES = [
    "argparse",
    "collections",
    "json",
    "textwrap",
    "string",
    "functools",
    "heapq",
    "bisect",
    "fractions",
    "statistics",
    "shutil",
    "pathlib",
    "datetime",
    "csv",
    "zipfile",
    "tarfile",
    "difflib",
    "calendar",
    "configparser",
    "logging",
    "socket",
    "subprocess",
    "threading",
    "email.message",
    "http.client",
    "urllib.parse",
    "decimal",
    "inspect",
    "enum",
]


@lru_cache(maxsize=1)
def docstrings(min_words: int = 40) -> tuple[str, ...]:
    """Distinct docstrings (whitespace as written) of stdlib modules, classes and functions."""
    out: dict[str, None] = {}
    for name in MODULES:
        mod = importlib.import_module(name)
        for obj in [mod, *(v for _, v in inspect.getmembers(mod))]:
            own = obj is mod or (
                (inspect.isclass(obj) or inspect.isroutine(obj))
                and getattr(obj, "__module__", None) == name
            )
            if not own:  # members imported from elsewhere depend on what else is loaded
                continue
            doc = inspect.getdoc(obj)
            if doc and len(doc.split()) >= min_words:
                out[doc] = None
    return tuple(out)


def codec_sources() -> list[str]:
    """Source of the stdlib's charmap codecs (Lib/encodings/cp*.py): real near-duplicates."""
    root = Path(sysconfig.get_paths()["stdlib"]) / "encodings"
    return [p.read_text(encoding="utf-8") for p in sorted(root.glob("cp*.py"))[:40]]


def edit(text: str, rate: float, rng: random.Random) -> str:
    """Replaces, deletes or inserts words at the given rate (a realistic near-duplicate)."""
    words = text.split()
    vocab = words or ["x"]
    out = []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            continue
        if r < 2 * rate / 3:
            out.append(rng.choice(vocab))
        else:
            out.append(w)
        if rng.random() < rate / 3:
            out.append(rng.choice(vocab))
    return " ".join(out)


def shingles(text: str, n: int, unit: str = "word", lm_eval: bool = False) -> list[str]:
    """Oracle: shingles as datasketch users build them (documented rule for short texts)."""
    text = unicodedata.normalize("NFC", text)
    if lm_eval:
        table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase, string.punctuation)
        text = text.translate(table)
    if unit == "char":
        s = " ".join(text.split())
        if not s:
            return []
        return [s[i : i + n] for i in range(max(len(s) - n + 1, 1))]
    toks = text.split()
    if not toks:
        return []
    return [" ".join(toks[i : i + n]) for i in range(max(len(toks) - n + 1, 1))]


def jaccard(a: str, b: str, n: int = 5) -> float:
    sa, sb = set(shingles(a, n)), set(shingles(b, n))
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)
