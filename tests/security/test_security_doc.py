"""docs/security.md prints the permission matrix as the code has it."""

from __future__ import annotations

from pathlib import Path

from huikuan.security.permissions import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_the_documented_matrix_is_the_enforced_one() -> None:
    assert markdown_table() in DOC.read_text(encoding="utf-8")
