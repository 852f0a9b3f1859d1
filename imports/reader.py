"""Streams a CSV file row by row, so memory stays flat however long the file is."""

import contextlib
import csv
import io
from collections.abc import Iterator
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
        if head.count(b"\x00") * 10 > len(head) or head.startswith((b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")):
            raise FileInvalid([(None, "", "is not a CSV file (it looks like a binary file, such as Excel or PDF)")])
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

    def bind(self, fmt: CsvFormat) -> dict:
        try:
            header = next(self.reader)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise FileInvalid([(1, "", _unreadable(exc))]) from None
        if len(header) == 1 and header[0].count(";") >= 1:
            raise FileInvalid([(1, "", "is separated by semicolons; save it as comma-separated CSV")])
        self.header = header
        try:
            return fmt.bind(header)
        except HeaderInvalid as exc:
            raise FileInvalid([(1, column, message) for column, message in exc.problems]) from None

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


def _unreadable(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "is not UTF-8 text (at or just after this row); save the file as CSV UTF-8"
    return f"is not valid CSV here ({exc})"
