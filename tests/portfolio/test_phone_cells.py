"""A phone cell holds a number and nothing else: spreadsheet formulas and text around a number
are refused, never mined for digits (phonenumbers would find 138… inside =HYPERLINK(…))."""

from __future__ import annotations

from pathlib import Path

import pytest

from huikuan.portfolio.validation import parse_phone


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://x","13800138000")',
        "=13800138000",
        "-13800138000",
        "@13800138000",
        "+13800138000+",
        "tel:13800138000",
        "13800138000 ext 5",
        "call 13800138000",
    ],
)
def test_formula_and_text_phone_cells_are_refused(cell: str) -> None:
    assert parse_phone(cell) is None


@pytest.mark.parametrize(
    ("cell", "region", "e164"),
    [
        ("13800138000", None, "+8613800138000"),
        ("+86 138-0013-8000", None, "+8613800138000"),
        ("（138）0013 8000", None, "+8613800138000"),
        ("(212) 555-0147", "US", "+12125550147"),
        ("+1 212.555.0147", None, "+12125550147"),
    ],
)
def test_numbers_as_people_write_them_still_parse(cell: str, region: str | None, e164: str) -> None:
    phone = parse_phone(cell, region)
    assert phone is not None
    assert phone.e164 == e164


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x", "\r=x"])
def test_spreadsheet_cells_that_look_like_formulas_are_written_as_text(text: str) -> None:
    from huikuan.security.spreadsheet import safe_cell

    assert safe_cell(text) == "'" + text
    assert safe_cell("李四") == "李四"
    assert safe_cell(-5) == -5


def test_the_error_report_escapes_formula_headers(tmp_path: Path) -> None:
    from huikuan.portfolio.importer import write_error_report
    from huikuan.portfolio.schemas import RowError

    path = tmp_path / "errors.csv"
    write_error_report(path, [RowError(row=2, column='=HYPERLINK("http://x")', reason="unknown column")])
    text = path.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ',"=HYPERLINK' not in text
