"""One import, from stream to database: read, validate, write in batches, all or nothing."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol, TextIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ceocalls.csvfiles import csv_writer

from .. import fields
from ..formats import CsvFormat
from ..reader import CsvRows, FileInvalid, open_rows
from ..records import RecordInvalid

BATCH_SIZE = 1000
KEEP_ERRORS = 200


@dataclass
class RowError:
    file: str
    row: int | None
    column: str
    message: str

    def __post_init__(self):
        # A header or file name may hold what a cell may not: escape it before it is printed or stored.
        self.file = fields.shown(self.file, limit=255)
        self.column = fields.shown(self.column, limit=100)
        self.message = fields.shown(self.message, limit=2000)

    def __str__(self):
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    file: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    customers_created: int = 0
    tiers_created: list[str] = field(default_factory=list)
    flags_raised: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    skips: list[RowError] = field(default_factory=list)  # the first KEEP_ERRORS skipped rows
    on_error: Callable[[RowError], None] | None = None
    on_skip: Callable[[RowError], None] | None = None
    _held: list[RowError] = field(default_factory=list)
    _left_out: dict[int, str] = field(default_factory=dict)  # row -> why, for the rejected-rows file

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def reject(self, row: int | None, problems: list[tuple[str, str]]) -> None:
        self.rejected += 1
        for column, message in problems:
            self.add_error(RowError(self.file, row, column, message))
        if row is not None:
            self._left_out[row] = "; ".join(
                f"{column}: {message}" if column else message for column, message in problems
            )

    def skip(self, row: int | None, column: str, message: str) -> None:
        """A row left out on request (--unmatched skip): counted and listed, not an error."""
        self.skipped += 1
        skip = RowError(self.file, row, column, message)
        if len(self.skips) < KEEP_ERRORS:
            self.skips.append(skip)
        if self.on_skip:
            self.on_skip(skip)
        if row is not None:
            self._left_out[row] = f"{column}: {message}" if column else message

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        self._held.append(error)

    def release(self) -> None:
        """Passes on the errors found so far in row order (a batch finds some only when writing)."""
        self._held.sort(key=lambda e: e.row or 0)
        for error in self._held:
            if len(self.errors) < KEEP_ERRORS:
                self.errors.append(error)
            if self.on_error:
                self.on_error(error)
        self._held.clear()

    def take_left_out(self) -> dict[int, str]:
        """The rows rejected or skipped since the last call, with why."""
        taken, self._left_out = self._left_out, {}
        return taken

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        counts = f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"
        if self.skipped:
            counts += f", skipped {self.skipped} (matching no customer)"
        counts += f", rejected {self.rejected}"
        if self.customers_created:
            counts += f", customers created for unmatched rows {self.customers_created}"
        if self.tiers_created:
            counts += f", new tiers {', '.join(self.tiers_created)} (multiplier 1.0)"
        if not self.ok:
            errors = f"{self.error_count} error{'s' if self.error_count != 1 else ''}"
            return f"{self.file}: {counts}; nothing saved ({errors})"
        if self.dry_run:
            return f"{self.file}: {counts}; dry run, nothing saved"
        return f"{self.file}: {counts}"


class BatchWriter(Protocol):
    def write(self, batch: list[tuple[int, object]], result: ImportResult) -> None: ...


class _Rollback(Exception):
    pass


def run_import(
    *,
    stream: BinaryIO,
    name: str,
    fmt: CsvFormat,
    writer: BatchWriter,
    dry_run: bool = False,
    on_error: Callable[[RowError], None] | None = None,
    on_skip: Callable[[RowError], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    left_out: TextIO | None = None,
) -> ImportResult:
    """Reads `stream` as `fmt` and hands valid rows to `writer` in batches of BATCH_SIZE.

    Everything happens in one transaction, rolled back when any row was rejected or on a dry
    run, so a failed import leaves nothing behind and a dry run counts exactly what a real
    import would do. Rows with the same key in one batch are split across batches, so the
    later row sees the earlier one. `progress(rows, bytes_read)` is called after each batch.
    Rows rejected or skipped are written to `left_out` as CSV, the file's own header and cells
    with a last column `reason`, ready to correct and import again.
    """
    result = ImportResult(file=name, dry_run=dry_run, on_error=on_error, on_skip=on_skip)
    try:
        rows = open_rows(stream)
        bound = rows.bind(fmt)
    except FileInvalid as exc:
        for row, column, message in exc.problems:
            result.add_error(RowError(name, row, column, message))
        result.release()
        return result
    sink = LeftOut(left_out, rows.header) if left_out is not None else None
    try:
        with transaction.atomic():
            _read_and_write(rows, bound, fmt, writer, result, progress, sink)
            if not result.ok or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    finally:
        rows.detach()
        result.release()
    return result


def write_one(writer: BatchWriter, record) -> ImportResult:
    """Writes one record (a webhook's) through the same writer as a file row; raises ValidationError
    with the row's message when it is refused (no matching customer). Call inside a transaction.

    Two versions of one new row written at once both find no row and both insert: the second
    insert waits for the first to commit, then breaks the unique key. That write is rolled back to
    its savepoint and done again, and now finds the row and updates it (or leaves it, when the
    writer keeps the newer version).
    """
    for attempt in (1, 2):
        result = ImportResult(file="webhook")
        try:
            with transaction.atomic():
                writer.write([(None, record)], result)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    result.release()
    if not result.ok:
        raise ValidationError(result.errors[0].message)
    return result


def outcome_of(result: ImportResult) -> str:
    return next(n for n in ("created", "updated", "unchanged") if getattr(result, n))


class LeftOut:
    """The rows an import rejected or skipped, as a CSV file: the header and cells as read, plus `reason`."""

    def __init__(self, stream: TextIO, header: list[str]):
        self.writer = csv_writer(stream)  # a cell a spreadsheet would run as a formula gets an apostrophe
        self.writer.writerow([*header, "reason"])
        self.width = len(header)

    def write(self, cells: list[str], reason: str) -> None:
        cells = [fields.shown(c, limit=10_000) for c in cells[: self.width]]
        self.writer.writerow([*cells, *[""] * (self.width - len(cells)), reason])


def _read_and_write(rows: CsvRows, bound, fmt: CsvFormat, writer, result: ImportResult, progress, sink) -> None:
    batch, keys, cells_of = [], set(), {}
    read = fmt.row_reader(bound)  # compiled once for this file's columns

    def flush():
        if batch:
            writer.write(batch, result)
            if progress:
                progress(result.rows, rows.bytes_read)
        result.release()
        for row, reason in sorted(result.take_left_out().items()):
            if sink is not None and row in cells_of:
                sink.write(cells_of[row], reason)
        batch.clear()
        keys.clear()
        cells_of.clear()

    try:
        for row_number, cells in rows:
            result.rows += 1
            try:
                record = read(cells)
            except RecordInvalid as exc:
                result.reject(row_number, exc.errors)
                if sink is not None:
                    cells_of[row_number] = cells  # written in row order with the batch's own
                if len(result._left_out) >= BATCH_SIZE:
                    flush()
                continue
            key = getattr(record, "key", None) or record.external_id
            if key in keys or len(batch) >= BATCH_SIZE:
                flush()
            batch.append((row_number, record))
            keys.add(key)
            if sink is not None:
                cells_of[row_number] = cells
        flush()
    except FileInvalid as exc:
        for row, column, message in exc.problems:
            result.reject(row, [(column, message)])
