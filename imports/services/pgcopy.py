"""PostgreSQL's write path for file imports: COPY a batch into a temporary table, then one upsert.

The readers, the cleaning and the customer matching stay upstream and unchanged: a writer hands
`copy_upsert` rows (lists) that are already valid and matched. Per batch this costs four statements
whatever its length (create-if-missing, COPY, the upsert that counts in SQL, truncate), instead
of building a multi-row INSERT and a CASE-per-column UPDATE in Python.

    INSERT INTO t (...) SELECT ... FROM rows
    ON CONFLICT (source, external_id) DO UPDATE SET <supplied columns> = EXCLUDED.<...>
    WHERE (t.<supplied columns>) IS DISTINCT FROM (EXCLUDED.<...>)
    RETURNING (xmax = 0)  -- true for a row just inserted

A row the WHERE leaves alone is not returned, so unchanged = batch − created − updated. A
column the file lacks is neither compared nor set, so it keeps what is stored (a new row gets
the default the writer put in the temporary table). It runs inside the import's transaction,
so a bad row later in the file still rolls everything back, and a dry run counts the same.

The COPY goes through the driver's own cursor (Django's cursor wrapper has no copy_expert) and
the other statements through Django's, which hold no rows in their text; with DEBUG on, the
statement log is emptied after each batch, so memory does not depend on DEBUG.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection
from django.db.models import JSONField


def available() -> bool:
    return connection.vendor == "postgresql"


def _json(value) -> str:
    if isinstance(value, list) and len(value) < 20 and all(isinstance(v, str) for v in value):  # tags
        key = tuple(value)
        text = _JSON_SEEN.get(key)
        if text is None:
            text = json.dumps(value, separators=(",", ":"))
            if len(_JSON_SEEN) < 10_000:  # a file repeats a few lists of tags
                _JSON_SEEN[key] = text
        return text
    return json.dumps(value, separators=(",", ":"))


_JSON_SEEN: dict[tuple, str] = {}


def _copy_buffer(rows: Iterable[list], json_columns: list[int]) -> tuple[io.StringIO, int]:
    """The batch in COPY's CSV format, written by the csv module (in C). Text is always quoted,
    numbers and booleans are not; None becomes a quoted empty string, which FORCE_NULL turns
    back into NULL for the nullable columns (no text column here is nullable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    count = 0
    for row in rows:
        for i in json_columns:
            row[i] = _json(row[i])
        writer.writerow(row)
        count += 1
    buffer.seek(0)
    return buffer, count


def forget_statements() -> None:
    """With DEBUG on, Django keeps the last 9,000 statements of the connection; the matcher's
    lookups name a thousand keys each, so a long import held hundreds of MB of SQL text (434 MB
    peak measured at a million rows). Dropped after each batch, unless a test is counting them
    (CaptureQueriesContext sets force_debug_cursor)."""
    if settings.DEBUG and not connection.force_debug_cursor:
        connection.queries_log.clear()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def temp_table(model) -> str:
    """The temporary table `copy_upsert` fills for `model`; it holds the last batch until the next."""
    return f"import_rows_{model._meta.db_table}"


def copy_upsert(
    *,
    model,
    columns: Sequence[str],
    rows: Iterable[Sequence],
    update: Sequence[str],
    key: Sequence[str] = ("source", "external_id"),
    stamp: str | None = "imported_at",
) -> tuple[int, int]:
    """Upserts `rows` (tuples in the order of `columns`, field names) into `model`'s table.

    `update`: the columns set on an existing row, and compared to decide whether it changed.
    `stamp`: a column set to now() on insert and on a real update. Returns (created, updated),
    counted in SQL. The batch stays in `temp_table(model)` until the next call, for the caller's
    follow-up query. Rows with one key twice in a batch are the caller's to split (the runner does).
    """
    table = model._meta.db_table
    col = {f.name: f.column for f in model._meta.concrete_fields}
    columns_sql = ", ".join(_q(col[c]) for c in columns)
    temp = temp_table(model)
    fields = [model._meta.get_field(c) for c in columns]
    buffer, count = _copy_buffer(rows, [i for i, f in enumerate(fields) if isinstance(f, JSONField)])
    if not count:
        return 0, 0
    nullable = [_q(f.column) for f in fields if f.null]
    force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
    stamp_sql = _q(col[stamp]) if stamp else ""
    insert_cols = columns_sql + (f", {stamp_sql}" if stamp else "")
    select_cols = columns_sql + (", now()" if stamp else "")
    keys = ", ".join(_q(col[k]) for k in key)
    if update:
        target = ", ".join(f"t.{_q(col[c])}" for c in update)
        excluded = ", ".join(f"EXCLUDED.{_q(col[c])}" for c in update)
        sets = ", ".join(f"{_q(col[c])} = EXCLUDED.{_q(col[c])}" for c in update)
        if stamp:
            sets += f", {stamp_sql} = now()"
        conflict = f"DO UPDATE SET {sets} WHERE ROW({target}) IS DISTINCT FROM ROW({excluded})"
    else:
        conflict = "DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS SELECT * FROM {_q(table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {temp}")
        cursor.cursor.copy_expert(f"COPY {temp} ({columns_sql}) FROM STDIN WITH (FORMAT csv{force_null})", buffer)
        cursor.execute(
            f"WITH written AS (INSERT INTO {_q(table)} AS t ({insert_cols}) SELECT {select_cols} FROM {temp} "
            f"ON CONFLICT ({keys}) {conflict} RETURNING (t.xmax = 0) AS created) "
            "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written"
        )
        created, updated = cursor.fetchone()
    forget_statements()
    return created, updated
