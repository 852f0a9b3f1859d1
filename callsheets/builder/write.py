"""Writes a planned build: a fixed number of statements whatever the number of sheets, entries and flags."""

from datetime import datetime

from django.db import connection

from customers.models import Flag

from ..models import CallSheet, SheetEntry
from .result import BuildResult


def write_plan(result: BuildResult, plan, now: datetime) -> None:
    """Every sheet in one upsert, dropped entries in one delete, new entries in one insert, and one
    update of the flags whose state changed: a fixed number of statements whatever the data size."""
    rows = [
        CallSheet(
            executive=planned.executive,
            week_start=planned.week_start,
            slot_starts_at=planned.slot_starts_at,
            built_at=now,
            inputs=planned.inputs,
        )  # fmt: skip
        for planned in result.sheets
    ]
    CallSheet.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["executive", "week_start"],
        update_fields=["slot_starts_at", "built_at", "inputs"],
    )
    if any(sheet.pk is None for sheet in rows):  # a database that returns no ids from an upsert
        ids = dict(
            CallSheet.objects.filter(week_start=result.week_start, executive__in=[r.executive for r in rows])
            .values_list("executive_id", "id")
        )  # fmt: skip
        for sheet in rows:
            sheet.pk = ids[sheet.executive_id]
    sheets = {}
    for planned, sheet in zip(result.sheets, rows, strict=True):
        planned.sheet_id = sheet.id
        sheets[planned.executive.id] = sheet
    if plan.drop_entry_ids:
        SheetEntry.objects.filter(id__in=plan.drop_entry_ids)._raw_delete(SheetEntry.objects.db)
    new_entries = [
        SheetEntry(
            sheet=sheets[planned.executive.id],
            week_start=planned.week_start,
            customer=e.customer,
            contact=e.contact,
            position=e.position,
            score=e.score,
            reasons=e.reasons,
            signals=e.signals,
            is_backup=e.is_backup,
            is_listening=e.is_listening,
            flag=e.flag,
        )
        for planned in result.sheets
        for e in planned.entries
        if not e.kept
    ]
    SheetEntry.objects.bulk_create(new_entries)
    _write_flags(plan, sheets, now)


def _write_flags(plan, sheets: dict, now: datetime) -> None:
    """Writes only the flags whose state changed (placed, moved, back to open, a new reason), in one statement.

    A rebuild of the same week changes few or none; the first build of a week rewrites the reason
    of the flags left off, since it names the week.
    """
    changed = []
    for flag, planned, reason in plan.flag_outcomes.values():
        before = (flag.status, flag.sheet_id, flag.not_placed_reason, flag.scheduled_at)
        if planned is not None:
            sheet = sheets[planned.executive.id]
            if (flag.status, flag.sheet_id) != (Flag.Status.SCHEDULED, sheet.id):
                flag.status, flag.sheet, flag.scheduled_at = Flag.Status.SCHEDULED, sheet, now
            flag.not_placed_reason = ""
        else:
            flag.not_placed_reason = reason
            if flag.status == Flag.Status.SCHEDULED:
                flag.status, flag.sheet, flag.scheduled_at = Flag.Status.OPEN, None, None
        if (flag.status, flag.sheet_id, flag.not_placed_reason, flag.scheduled_at) != before:
            flag.updated_at = now
            changed.append(flag)
    if changed:
        _update_flags(changed, ["status", "sheet", "scheduled_at", "not_placed_reason", "updated_at"])


def _update_flags(flags: list, names: list) -> None:
    """One UPDATE for any number of flags, each with its own values.

    On PostgreSQL the values travel as one array per column (`UPDATE … FROM unnest(…)`, a join on
    the id), as Django's own bulk_create sends rows; bulk_update's CASE WHEN per row and field
    costs seconds of Python and SQL at a few thousand flags. Other databases use bulk_update.
    """
    if connection.vendor != "postgresql":
        Flag.objects.bulk_update(flags, names)
        return
    fields = [Flag._meta.pk] + [Flag._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}" for f in fields[1:]
    )
    values = [[getattr(flag, f.attname) for flag in flags] for f in fields]  # psycopg2 adapts each type
    table, pk = connection.ops.quote_name(Flag._meta.db_table), connection.ops.quote_name(Flag._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({columns}) WHERE {table}.{pk} = v.{pk}",
            values,
        )
