"""PostgreSQL's write path for file imports: COPY a batch into a temporary table, then one upsert.

The readers, the cleaning and the customer matching stay upstream and unchanged: a writer hands
`copy_upsert` rows that are already valid and matched. Per batch this costs four statements
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
the other statements through Django's, so with DEBUG on the statement log holds a few short
strings per batch, not the rows.
"""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection


def available() -> bool:
    return connection.vendor == "postgresql"


def _esc(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def cell(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _esc(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return _esc(json.dumps(value, separators=(",", ":")))
    return _esc(str(value))


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
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(map(cell, row)))
        buffer.write("\n")
        count += 1
    if not count:
        return 0, 0
    buffer.seek(0)
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
            f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS "
            f"SELECT * FROM {_q(table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {temp}")
        cursor.cursor.copy_expert(f"COPY {temp} ({columns_sql}) FROM STDIN", buffer)
        cursor.execute(
            f"WITH written AS (INSERT INTO {_q(table)} AS t ({insert_cols}) SELECT {select_cols} FROM {temp} "
            f"ON CONFLICT ({keys}) {conflict} RETURNING (t.xmax = 0) AS created) "
            "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM written"
        )
        created, updated = cursor.fetchone()
    return created, updated
