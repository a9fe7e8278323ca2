"""Cells written to CSV or XLSX files that a person will open in a spreadsheet: a text starting
with '=', '+', '-', '@', a tab or a carriage return would be taken for a formula (CSV/formula
injection, OWASP), so it is written with a leading apostrophe, which spreadsheets show as text.
Numbers are left alone: a negative amount stays a number.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as it may be written to a spreadsheet cell."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
