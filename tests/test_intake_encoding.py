"""Invalid UTF-8 in a CSV names the file, line and column (issue: one such row turned model
names into b'...' bytes, split a model in two and blamed the fit)."""

from __future__ import annotations

import pytest

from assay import arena


def test_non_utf8_csv_row_is_named(tmp_path):
    path = tmp_path / "battles.csv"
    rows = ["model_a,model_b,winner", "GPT 4,Claude,model_a", "Claude,GPT 4,model_b"]
    path.write_bytes(("\n".join(rows) + "\n").encode() + b"GPT\xa04,Claude,tie\n")
    with pytest.raises(ValueError, match=r"line 4 \(data row 2\), column 'model_a'.*not UTF-8"):
        arena.fit(path)


def test_valid_utf8_csv_reads_as_text(tmp_path):
    path = tmp_path / "battles.csv"
    path.write_text("model_a,model_b,winner\nGPT 4,Clàude,model_a\nClàude,GPT 4,model_b\n"
                    "GPT 4,Clàude,tie\n", encoding="utf-8")  # fmt: skip
    board = arena.fit(path)
    assert set(board.table.model) == {"GPT 4", "Clàude"}
