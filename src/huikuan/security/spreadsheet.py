"""Cells written to CSV or XLSX files that a person will open in a spreadsheet: a text starting
with '=', '+', '-', '@', a tab or a carriage return would be taken for a formula (CSV/formula
injection, OWASP), so it is written with a leading apostrophe, which spreadsheets show as text.
Numbers are left alone: a negative amount stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as it may be written to a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as CSV, UTF-8 with a BOM (Excel then reads Chinese right), every cell made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_text(safe_cell(value)) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence[object]]]) -> bytes:
    """One workbook with a sheet per entry (title → rows), every cell made safe.

    openpyxl stores a string starting with '=' as a formula: `safe_cell` prefixes it first, and
    control characters XML cannot hold are dropped rather than failing the whole file."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            cells = [safe_cell(value) for value in row]
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value: object) -> object:
    return "" if value is None else value
