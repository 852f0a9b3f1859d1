"""Streams a CSV file or an Excel workbook's first sheet row by row, so memory stays flat however
long the file is. `open_rows(stream)` gives the reader the file's first bytes call for."""

import contextlib
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import BinaryIO

from .formats.base import CsvFormat, HeaderInvalid

SNIFF_BYTES = 8192
csv.field_size_limit(1024 * 1024)


class FileInvalid(Exception):
    """The file as a whole cannot be read: not CSV, not UTF-8, or a required column is missing."""

    def __init__(self, problems: list[tuple[int | None, str, str]]):
        super().__init__("; ".join(m for _, _, m in problems))
        self.problems = problems  # (row, column, message)


class CsvRows:
    """Iterates (row number, cells) of a binary stream; the header is row 1, as in a spreadsheet.

    `bind(fmt)` reads the header and checks the format's required columns; `bytes_read` tells
    how far into the file the reader is, for progress.
    """

    def __init__(self, stream: BinaryIO):
        self.raw = stream
        head = stream.read(SNIFF_BYTES)
        stream.seek(0)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileInvalid([(None, "", "is UTF-16 text; save the file as CSV UTF-8")])
        # A stray NUL is a cell's problem (reported with its row and column); many are a binary file.
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileInvalid([(None, "", "is an old Excel file (.xls); save it as .xlsx or CSV UTF-8")])
        if head.count(b"\x00") * 10 > len(head) or head.startswith((b"PK\x03\x04", b"%PDF")):
            raise FileInvalid([(None, "", "is not a CSV file (it looks like a binary file, such as a PDF)")])
        if not head.strip():
            raise FileInvalid([(None, "", "is empty: a CSV file needs a header row")])
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self.reader = csv.reader(self.text, strict=True)
        self.row_number = 1
        self.header: list[str] = []

    @property
    def bytes_read(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def read_header(self) -> list[str]:
        if not self.header:
            try:
                header = next(self.reader)
            except StopIteration:
                raise FileInvalid([(1, "", "is empty: a CSV file needs a header row")]) from None
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileInvalid([(1, "", _unreadable(exc))]) from None
            if len(header) == 1 and header[0].count(";") >= 1:
                raise FileInvalid([(1, "", "is separated by semicolons; save it as comma-separated CSV")])
            self.header = header
        return self.header

    def bind(self, fmt: CsvFormat) -> dict:
        return _bind(fmt, self.read_header())

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                cells = next(self.reader)
            except StopIteration:
                return
            except (UnicodeDecodeError, csv.Error) as exc:
                raise FileInvalid([(self.row_number + 1, "", _unreadable(exc))]) from None
            self.row_number += 1
            if cells and any(cell.strip() for cell in cells):
                yield self.row_number, cells

    def detach(self) -> None:
        """Leaves the underlying stream open for its owner to close."""
        with contextlib.suppress(ValueError):
            self.text.detach()


def _bind(fmt: CsvFormat, header: list[str]) -> dict:
    try:
        return fmt.bind(header)
    except HeaderInvalid as exc:
        raise FileInvalid([(1, column, message) for column, message in exc.problems]) from None


class XlsxRows:
    """The first sheet of an Excel workbook (.xlsx), read with openpyxl in read-only mode, which
    streams the sheet's XML instead of loading it: the same (row number, cells) as CsvRows, each
    cell as text (a date as ISO 8601, read in TIME_ZONE like a CSV date without a zone)."""

    def __init__(self, stream: BinaryIO):
        import openpyxl

        self.raw = stream
        self.row_number = 1
        self.header: list[str] = []
        self.rows_read = 0
        try:
            self.book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
            sheet = self.book.worksheets[0]
            self.rows = sheet.iter_rows(values_only=True)
        except Exception:  # outside input: a damaged or foreign zip, an empty workbook, …
            raise FileInvalid(
                [(None, "", "is not an Excel workbook that can be read; save it as .xlsx or CSV UTF-8")]
            ) from None

    @property
    def bytes_read(self) -> int:
        return 0  # the sheet is read from inside the zip: the page counts rows instead

    def _next(self, row: int) -> list[str]:
        try:
            values = next(self.rows)
        except StopIteration:
            raise
        except Exception:
            raise FileInvalid([(row, "", "cannot be read from the workbook (a damaged sheet)")]) from None
        return [_cell_text(v) for v in values]

    def read_header(self) -> list[str]:
        if not self.header:
            try:
                self.header = [h.strip() for h in self._next(1)]
            except StopIteration:
                raise FileInvalid([(1, "", "is empty: the first sheet needs a header row")]) from None
        return self.header

    def bind(self, fmt: CsvFormat) -> dict:
        return _bind(fmt, self.read_header())

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                cells = self._next(self.row_number + 1)
            except StopIteration:
                return
            self.row_number += 1
            if any(cell.strip() for cell in cells):
                yield self.row_number, cells

    def detach(self) -> None:
        with contextlib.suppress(Exception):
            self.book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def open_rows(stream: BinaryIO) -> "CsvRows | XlsxRows":
    """A reader for the stream: an .xlsx workbook (a zip) by its first bytes, else CSV."""
    head = stream.read(4)
    stream.seek(0)
    return XlsxRows(stream) if head == b"PK\x03\x04" else CsvRows(stream)


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "is not UTF-8 text (at or just after this row); save the file as CSV UTF-8"
    return f"is not valid CSV here ({exc})"
