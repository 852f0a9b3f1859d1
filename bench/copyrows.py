"""COPY rows into a table in PostgreSQL's text format, in chunks, filling columns the generator leaves out.

A column the generator does not supply takes its model field's default (auto_now fields: the
generation time; nullable fields: NULL), so a field added later with a default does not break
the generator; a new required field without one stops it with a message naming the column.
"""

import io
import json
from datetime import date, datetime, time
from decimal import Decimal

CHUNK_ROWS = 50_000


def esc(text: str) -> str:
    """A value for COPY's text format: backslash, tab and line breaks escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def cell(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return esc(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return esc(json.dumps(value, separators=(",", ":")))
    raise TypeError(f"cannot COPY {value!r}")


class CopyWriter:
    """`with CopyWriter(cursor, Model, ["id", ...], now) as w: w.row((...))`: streams rows in chunks."""

    def __init__(self, cursor, model, columns: list[str], now: datetime):
        self.cursor, self.table, self.count = cursor, model._meta.db_table, 0
        filler = {}
        for field in model._meta.concrete_fields:
            if field.column in columns:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                filler[field.column] = now
            elif field.has_default():
                filler[field.column] = field.get_default()
            elif field.null:
                filler[field.column] = None
            else:
                raise RuntimeError(f"bench: {self.table}.{field.column} has no default: add it to the generator")
        self.columns = columns + list(filler)
        self.tail = "".join("\t" + cell(v) for v in filler.values())
        self.buffer = io.StringIO()
        self.pending = 0

    def row(self, values) -> None:
        self.buffer.write("\t".join(map(cell, values)))
        self.buffer.write(self.tail + "\n")
        self.pending += 1
        if self.pending >= CHUNK_ROWS:
            self.flush()

    def line(self, text: str) -> None:
        """A row already in COPY text format (the hot loops build it directly)."""
        self.buffer.write(text + self.tail + "\n")
        self.pending += 1
        if self.pending >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self.cursor.copy_expert(f"COPY {self.table} ({cols}) FROM STDIN", self.buffer)
        self.count += self.pending
        self.buffer, self.pending = io.StringIO(), 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.flush()


class Ids:
    """Explicit ids, so rows can point at each other before they are written."""

    def __init__(self, cursor, table: str):
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        self.last = cursor.fetchone()[0]

    def next(self) -> int:
        self.last += 1
        return self.last
