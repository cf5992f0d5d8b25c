"""File errors name the file and its line (issue 25, defect 7)."""

from __future__ import annotations

import pytest

import assay
from assay import axes, dedup


def test_malformed_jsonl_names_the_file_and_line(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"text": "fine"}\n{"text": broken}\n')
    with pytest.raises(ValueError, match=r"corpus\.jsonl:2: not valid JSON"):
        dedup.clusters(path)


def test_bom_is_accepted_and_null_text_is_an_empty_document(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "text": "one two three"}\n{"id": "b", "text": null}\n'
    )
    frame = dedup.clusters(path)
    assert list(frame["id"]) == ["a", "b"]


def test_escaped_lone_surrogate_names_the_line(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"text": "ok"}\n{"text": "bad \\ud800 here"}\n')
    with pytest.raises(ValueError, match=r"corpus\.jsonl:2: field 'text' holds a lone surrogate"):
        dedup.clusters(path)


def test_truncated_parquet_names_the_file(tmp_path):
    path = tmp_path / "corpus.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(ValueError, match=r"corpus\.parquet: not a readable Parquet file"):
        dedup.clusters(path)
    with pytest.raises(ValueError, match=r"results: .*corpus\.parquet.* not a readable Parquet"):
        axes.report(path)


def test_empty_folder_warns(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.warns(UserWarning, match="holds no"):
        assay.contamination(["an item of the benchmark"], tmp_path / "empty", progress=False)


def test_batch_size_is_checked():
    with pytest.raises(ValueError, match="batch_size"):
        assay.contamination(["item"], ["a corpus text"], batch_size=0, progress=False)
