"""Every CSV the project writes goes through `csv_writer`, so a spreadsheet never runs a cell as a formula.

A text cell that starts with = + - @, a tab or a carriage return is what Excel, LibreOffice and
Google Sheets read as a formula (OWASP "CSV injection"): it is written with an apostrophe in front,
which the spreadsheet shows as plain text. Numbers are written as they are (a negative number is
not a formula), so numeric columns stay numeric.
"""

import csv
from datetime import date, datetime
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str | int | float | Decimal:
    if type(value) is str:  # most cells: the fast path (an export calls this for every cell)
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _GuardedWriter:
    def __init__(self, file):
        self._writer = csv.writer(file)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(file) -> _GuardedWriter:
    """csv.writer(file) whose every row passes through csv_cell."""
    return _GuardedWriter(file)
