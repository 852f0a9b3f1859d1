"""Logging a call on a sheet entry, correcting it, and skipping an entry.

Every function here owns its transaction and locks the entry's row first, so two tabs (or a
double click) cannot log the same entry twice: the second one is refused with a sentence.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.services.flags import flag_mark_called

from ..models import CallLog, Commitment, Executive, SheetEntry

User = get_user_model()

MAX_DURATION = 600


@dataclass(frozen=True)
class PromiseInput:
    """One commitment as typed on the card: what, who owns it, by when."""

    promise: str
    owner: User
    due_date: date | None


def executive_today(executive: Executive) -> date:
    """Due dates are judged in the executive's own zone: 'today' is their today."""
    return timezone.localdate(timezone.now(), executive.zoneinfo)


def commitment_errors(*, promise: str, owner, due_date: date | None, today: date) -> dict[str, str]:
    """The rules a new commitment must meet, as {field: sentence}; empty when it is fine.

    The form shows these beside its fields; `call_log` and `call_correct` enforce them again.
    """
    errors = {}
    if not (promise or "").strip():
        errors["promise"] = "Say what was promised."
    if owner is None:
        errors["owner"] = "Choose who owns this promise."
    elif not owner.is_active:
        errors["owner"] = f"{owner.get_full_name() or owner.email} can no longer sign in; choose someone else."
    if due_date is None:
        errors["due_date"] = "Give a due date."
    elif due_date < today:
        errors["due_date"] = f"The due date {due_date:%-d %b %Y} is in the past; today is {today:%-d %b %Y}."
    return errors


def _check_call_fields(*, outcome: str, duration_minutes: int | None, sentiment: str) -> None:
    errors = {}
    if outcome not in CallLog.Outcome.values:
        errors["outcome"] = f"{outcome!r} is not an outcome; choose one of {', '.join(CallLog.Outcome.values)}."
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = f"A call lasts between 0 and {MAX_DURATION} minutes."
    if sentiment and sentiment not in CallLog.Sentiment.values:
        errors["sentiment"] = f"{sentiment!r} is not a sentiment."
    if errors:
        raise ValidationError(errors)


def _add_commitments(*, call: CallLog, promises: list[PromiseInput]) -> list[Commitment]:
    today = executive_today(call.executive)
    for number, p in enumerate(promises, start=1):
        errors = commitment_errors(promise=p.promise, owner=p.owner, due_date=p.due_date, today=today)
        if errors:
            raise ValidationError(f"Commitment {number}: {' '.join(errors.values())}")
    return [
        Commitment.objects.create(
            call=call, customer=call.customer, promise=p.promise.strip(), owner=p.owner, due_date=p.due_date
        )
        for p in promises
    ]


def _locked_entry(entry_id: int) -> SheetEntry:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the flag's outer join.
    return (
        SheetEntry.objects.select_for_update(of=("self",))
        .select_related("sheet__executive", "customer", "flag")
        .get(pk=entry_id)
    )


@transaction.atomic
def call_log(
    *,
    entry_id: int,
    by,
    outcome: str,
    duration_minutes: int | None = None,
    notes: str = "",
    sentiment: str = "",
    promises: list[PromiseInput] = (),
    called_at=None,
) -> CallLog:
    """Logs the call of a sheet entry with its commitments, marks the entry called and, when the
    entry carries a support lead's flag, records that the call answered it.

    Locks the entry; an entry that already has a call is refused (correct it instead), so a
    double submit never makes two calls.
    """
    entry = _locked_entry(entry_id)
    if CallLog.objects.filter(entry=entry).exists():
        raise ValidationError("This call is already logged; correct it instead.")
    _check_call_fields(outcome=outcome, duration_minutes=duration_minutes, sentiment=sentiment)
    call = CallLog.objects.create(
        entry=entry,
        executive=entry.sheet.executive,
        customer_id=entry.customer_id,
        contact_id=entry.contact_id,
        called_at=called_at or timezone.now(),
        outcome=outcome,
        duration_minutes=duration_minutes,
        notes=(notes or "").strip(),
        sentiment=sentiment or "",
        logged_by=by,
    )
    _add_commitments(call=call, promises=list(promises))
    entry.status = SheetEntry.Status.CALLED
    entry.save(update_fields=["status"])
    if entry.flag_id:
        flag_mark_called(flag=entry.flag, call=call)
    return call


@transaction.atomic
def call_correct(
    *,
    call_id: int,
    by,
    outcome: str,
    duration_minutes: int | None = None,
    notes: str = "",
    sentiment: str = "",
    promises: list[PromiseInput] = (),
) -> CallLog:
    """Corrects a logged call's outcome, duration, notes and sentiment and adds further commitments.

    Commitments already made stay as they are: they are changed on the commitments page, where
    each change is recorded.
    """
    call = CallLog.objects.select_for_update(of=("self",)).select_related("executive").get(pk=call_id)
    _check_call_fields(outcome=outcome, duration_minutes=duration_minutes, sentiment=sentiment)
    call.outcome, call.duration_minutes = outcome, duration_minutes
    call.notes, call.sentiment = (notes or "").strip(), sentiment or ""
    call.logged_by = call.logged_by or by
    call.save(update_fields=["outcome", "duration_minutes", "notes", "sentiment", "logged_by", "updated_at"])
    _add_commitments(call=call, promises=list(promises))
    return call


@transaction.atomic
def entry_skip(*, entry_id: int, by) -> SheetEntry | None:
    """Skips a pending entry. When it was a main call, the first pending backup moves up into
    the main list; returns that backup, or None when there was none to move.
    """
    entry = _locked_entry(entry_id)
    if entry.status != SheetEntry.Status.PENDING:
        raise ValidationError(
            f"{entry.customer} is already {entry.get_status_display().lower()}; it cannot be skipped."
        )
    entry.status = SheetEntry.Status.SKIPPED
    entry.save(update_fields=["status"])
    if entry.is_backup:
        return None
    backup = (
        SheetEntry.objects.select_for_update()
        .filter(sheet_id=entry.sheet_id, is_backup=True, status=SheetEntry.Status.PENDING)
        .order_by("position")
        .first()
    )
    if backup:
        backup.is_backup = False
        backup.save(update_fields=["is_backup"])
    return backup


@transaction.atomic
def entry_unskip(*, entry_id: int, by) -> SheetEntry:
    """Puts a skipped entry back to be called. A backup that moved up in its place stays up."""
    entry = _locked_entry(entry_id)
    if entry.status != SheetEntry.Status.SKIPPED:
        raise ValidationError(f"{entry.customer} is not skipped.")
    entry.status = SheetEntry.Status.PENDING
    entry.save(update_fields=["status"])
    return entry
