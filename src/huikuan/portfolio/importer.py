"""Reading an accounts file (CSV or XLSX) into header and rows of text cells, or failing whole.

The standard `csv` module and `openpyxl` (read-only) do the parsing. What is ours: telling the
encoding apart (UTF-8, UTF-8 with BOM, GBK — a detector library guesses, we only accept these
three and say where a byte breaks them), and refusing absurd headers from a bounded prefix
before reading the rest, so a file with a million columns fails fast in little memory.
Messages name the file and positions, never a cell's content.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from huikuan.errors import UnreadableFile
from huikuan.portfolio.schemas import COLUMNS, Column, RowError, header_index, normalize_header
from huikuan.security.spreadsheet import safe_cell

MAX_COLUMNS = 200
HEADER_PREFIX_BYTES = 1 << 20  # the header line must fit in the first MiB
NOTHING = "nothing was imported / 未导入任何数据"
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class Table:
    """A readable file: which column index holds which field, and the data rows."""

    label: str
    sha256: str
    columns: dict[str, int]  # field key → index in a row
    extra_columns: list[str]  # headers we do not know (ignored)
    rows: Iterator[tuple[int, list[str]]]  # (row number in the file, header = 1; cells)


def read_path(path: Path, columns: tuple[Column, ...] = COLUMNS) -> Table:
    """Open `path` (CSV or XLSX) laid out as `columns` (the accounts file unless told);
    raises UnreadableFile with one line saying why."""
    label = path.name
    try:
        with path.open("rb") as handle:
            prefix = handle.read(HEADER_PREFIX_BYTES)
            if not prefix.startswith(XLSX_MAGIC):
                check_csv_prefix(prefix, label, complete=len(prefix) < HEADER_PREFIX_BYTES)
            data = prefix + handle.read()
    except OSError as exc:
        raise UnreadableFile(f"{label}: cannot be opened ({exc.strerror}); {NOTHING}") from exc
    return read_bytes(data, label, columns)


def read_bytes(data: bytes, label: str, columns: tuple[Column, ...] = COLUMNS) -> Table:
    """Parse file content already in memory (CSV or XLSX) laid out as `columns`."""
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, label, sha, columns)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(f"{label} is a legacy .xls workbook; save it as .xlsx or CSV; {NOTHING}")
    if label.lower().endswith(".xlsx"):
        raise UnreadableFile(f"{label} is not a readable XLSX workbook (not a zip archive); {NOTHING}")
    check_csv_prefix(data[:HEADER_PREFIX_BYTES], label, complete=len(data) <= HEADER_PREFIX_BYTES)
    nul = data.find(b"\x00")
    if nul >= 0:  # past the prefix checked above; PostgreSQL text cannot hold it anyway
        raise UnreadableFile(f"{label} is a binary file, not CSV text (NUL byte at offset {nul}); {NOTHING}")
    text = decode(data, label)
    delimiter = _delimiter(text[: text.find("\n") if "\n" in text else len(text)])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UnreadableFile(f"{label}: header row cannot be parsed ({exc}); {NOTHING}") from exc
    if header is None or not any(cell.strip() for cell in header):
        raise UnreadableFile(f"{label} has no header row; {NOTHING}")
    found, extra = map_header(header, label, columns)
    return Table(label, sha, found, extra, _csv_rows(reader, label))


def check_csv_prefix(prefix: bytes, label: str, *, complete: bool) -> None:
    """Refuse empty, binary or too-wide files from their first bytes alone."""
    if not prefix.strip(b" \t\r\n\xef\xbb\xbf"):
        raise UnreadableFile(f"{label} is empty; {NOTHING}")
    nul = prefix.find(b"\x00")
    if nul >= 0:
        raise UnreadableFile(f"{label} is a binary file, not CSV text (NUL byte at offset {nul}); {NOTHING}")
    end = prefix.find(b"\n")
    if end < 0:
        if not complete:
            raise UnreadableFile(
                f"{label} has too many columns or no line break "
                f"(the header row is longer than {HEADER_PREFIX_BYTES} bytes); {NOTHING}"
            )
        end = len(prefix)
    line = prefix[:end]
    width = max(line.count(b","), line.count(b"\t"), line.count(b";")) + 1
    if width > MAX_COLUMNS:
        raise UnreadableFile(f"{label} has too many columns ({width}, at most {MAX_COLUMNS}); {NOTHING}")


def decode(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM) or GBK text; otherwise say which byte breaks both."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as as_utf8:
        try:
            return data.decode("gbk")
        except UnicodeDecodeError as as_gbk:
            offset = max(as_utf8.start, as_gbk.start)
            raise UnreadableFile(
                f"{label} is not UTF-8 or GBK text (byte 0x{data[offset]:02x} at offset {offset}); {NOTHING}"
            ) from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def map_header(
    header: Sequence[str], label: str, layout: tuple[Column, ...] = COLUMNS
) -> tuple[dict[str, int], list[str]]:
    """Field key → column index; unknown headers; raises when required columns are missing."""
    known = header_index(layout)
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(
            f"{label} has too many columns ({len(header)}, at most {MAX_COLUMNS}); {NOTHING}"
        )
    columns: dict[str, int] = {}
    extra: list[str] = []
    for index, cell in enumerate(header):
        title = str(cell or "").strip()
        key = known.get(normalize_header(title))
        if key is None or key in columns:
            if title:
                extra.append(title[:60])
            continue
        columns[key] = index
    missing = [c.label for c in layout if c.required and c.key not in columns]
    if missing:
        raise UnreadableFile(f"{label} lacks required columns 缺少必填列: {', '.join(missing)}; {NOTHING}")
    return columns, extra


def _csv_rows(reader: Any, label: str) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UnreadableFile(f"{label}: row {number + 1} cannot be parsed ({exc}); {NOTHING}") from exc
        number += 1
        if any(cells):
            yield number, cells


def _read_xlsx(data: bytes, label: str, sha: str, layout: tuple[Column, ...]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except Exception as exc:  # openpyxl raises many kinds (BadZipFile, KeyError, …) on a broken archive
        raise UnreadableFile(
            f"{label} is not a readable XLSX workbook ({type(exc).__name__}); {NOTHING}"
        ) from exc
    if header is None or not any(cell not in (None, "") for cell in header):
        raise UnreadableFile(f"{label} is empty (no header row in the first sheet); {NOTHING}")
    columns, extra = map_header([_cell_text(c) for c in header], label, layout)

    def cells() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in rows:
                number += 1
                texts = [_cell_text(v) for v in values]
                if any(texts):
                    yield number, texts
        except Exception as exc:  # a broken sheet part inside a valid archive
            raise UnreadableFile(
                f"{label}: row {number} cannot be read ({type(exc).__name__}); {NOTHING}"
            ) from exc
        finally:
            workbook.close()

    return Table(label, sha, columns, extra, cells())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


ERROR_HEADER = ("row/行号", "column/列", "reason/原因")


def error_report_rows(
    errors: Sequence[RowError], layout: tuple[Column, ...] = COLUMNS
) -> list[tuple[object, ...]]:
    """The row-level error report as rows: header, then row, column (both names), reason."""
    labels = {c.key: c.label for c in layout}
    rows: list[tuple[object, ...]] = [ERROR_HEADER]
    for e in errors:
        column = labels.get(e.column, e.column)
        rows.append((e.row, column, e.reason))
    return rows


def write_error_report(path: Path, errors: Sequence[RowError], layout: tuple[Column, ...] = COLUMNS) -> None:
    """The row-level error report as CSV, UTF-8 with BOM for Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in error_report_rows(errors):
            # A header the file made up could be a formula: every text cell is made safe.
            writer.writerow([safe_cell(cell) for cell in row])
