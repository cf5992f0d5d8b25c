"""A list of str cannot silently mean files: the README's old contamination example hashed
the string "corpus/" as a document (issue: "0 of 40 ... against 1 corpus documents")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import assay
from assay import dedup


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"id": "d1", "text": "the quick brown fox jumps over the lazy dog again and again"}\n'
    )
    return folder


def test_list_of_path_like_str_is_an_error_naming_the_argument(corpus):
    with pytest.raises(ValueError, match=r"corpus\[0\] is '.*corpus/', which looks like"):
        assay.contamination(["some benchmark item"], [str(corpus) + "/"], progress=False)
    with pytest.raises(ValueError, match=r"texts_or_paths\[0\] is 'files/good.jsonl'"):
        dedup.clusters(["files/good.jsonl"])


def test_paths_as_one_str_or_path_objects_work(corpus):
    one = assay.contamination(["some benchmark item"], str(corpus), progress=False)
    objects = assay.contamination(["some benchmark item"], [Path(corpus)], progress=False)
    assert "1 corpus documents" in str(one) and "1 corpus documents" in str(objects)


def test_mixed_paths_and_str_are_an_error(corpus):
    with pytest.raises(TypeError, match="mixes paths and other items"):
        assay.contamination(["item"], [Path(corpus), "some text"], progress=False)


def test_texts_that_look_like_paths_can_be_passed_as_arrays():
    texts = np.array(["data/train.jsonl", "notes.txt"], dtype=object)
    frame = dedup.clusters(texts, threshold=0.8)
    assert len(frame) == 2
    assert len(dedup.clusters(["an ordinary text", "another one here"])) == 2
