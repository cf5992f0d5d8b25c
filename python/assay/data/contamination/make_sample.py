"""Rebuilds the shipped contamination sample (run once; the output is committed).

corpus.jsonl: docstrings of a fixed list of Python standard-library modules ("training corpus").
benchmark.jsonl: 40 question-style items; 16 quote a 15-40 word passage from a corpus docstring
(planted leaks), 4 are a whole corpus docstring with a few words changed (near duplicates), 20
quote docstrings of modules that are not in the corpus (clean). ``leak`` records which.
Text: Python standard library documentation strings, Copyright Python Software Foundation,
PSF License Agreement (https://docs.python.org/3/license.html).
"""

from __future__ import annotations

import importlib
import inspect
import json
import random
from pathlib import Path

CORPUS_MODULES = [
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
]
CLEAN_MODULES = ["zipfile", "tarfile", "difflib", "calendar", "configparser", "logging", "socket"]


def docs(modules: list[str]) -> list[tuple[str, str]]:
    out = []
    for name in modules:
        mod = importlib.import_module(name)
        for qual, obj in [(name, mod), *inspect.getmembers(mod)]:
            kind = inspect.ismodule(obj) or inspect.isclass(obj) or inspect.isroutine(obj)
            doc = inspect.getdoc(obj) if kind else None
            home = getattr(obj, "__module__", name) or name
            own = obj is mod or (home == name and not inspect.ismodule(obj))
            if doc and len(doc.split()) >= 30 and own:
                key = qual if obj is mod else f"{name}.{qual}"
                out.append((key, " ".join(doc.split())))
    return sorted(dict(out).items())


def main() -> None:
    rng = random.Random(5)
    here = Path(__file__).parent
    corpus = docs(CORPUS_MODULES)
    clean = docs(CLEAN_MODULES)
    with (here / "corpus.jsonl").open("w") as fh:
        for key, text in corpus:
            fh.write(json.dumps({"id": key, "text": text}) + "\n")
    items = []
    for k, (key, text) in enumerate(rng.sample(corpus, 16)):
        words = text.split()
        n = min(len(words), rng.randint(15, 40))
        s = rng.randint(0, len(words) - n)
        items.append(
            (
                f"leak-{k:02d}",
                f"Question: what does the following describe? "
                f'"{" ".join(words[s : s + n])}" Answer briefly.',
                key,
            )
        )
    for k, (key, text) in enumerate(rng.sample(corpus, 4)):
        words = text.split()
        for _ in range(max(1, len(words) // 60)):
            words[rng.randrange(len(words))] = rng.choice(["often", "always", "value", "item"])
        items.append((f"near-{k:02d}", " ".join(words), key))
    for k, (_key, text) in enumerate(rng.sample(clean, 20)):
        words = text.split()
        n = min(len(words), rng.randint(15, 40))
        items.append(
            (
                f"clean-{k:02d}",
                f"Question: what does the following describe? "
                f'"{" ".join(words[:n])}" Answer briefly.',
                None,
            )
        )
    with (here / "benchmark.jsonl").open("w") as fh:
        for key, text, leak in items:
            fh.write(json.dumps({"id": key, "text": text, "leak": leak}) + "\n")


if __name__ == "__main__":
    main()
