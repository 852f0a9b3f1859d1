"""Logging a call on a sheet entry, correcting it, and skipping an entry.

Every function here owns its transaction and locks the entry's row first, so two tabs (or a
double click) cannot log the same entry twice: the second one is refused with a sentence.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ceocalls.limits import CALL_NOTES, PROMISE, normalize_text
from customers.services.flags import flag_call_corrected, flag_mark_called

from ..hours import within_calling_hours
from ..models import CallLog, CallSheet, Commitment, Executive, ScoringPolicy, SheetEntry, UrgentCall
from ..selectors.sheet import entry_expected_start
from .placement import take_build_lock

User = get_user_model()

MAX_DURATION = 600
# A call's time is typed to the minute: allow the minute under way and a browser clock a little ahead.
FUTURE_SLACK = timedelta(minutes=2)
# A sheet is built the week before its own (Friday by default): a call can be made from then on.
EARLIEST_BEFORE_WEEK = timedelta(days=7)
NOT_REACHED = (CallLog.Outcome.VOICEMAIL, CallLog.Outcome.NO_ANSWER)


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
    elif PROMISE.error(promise):
        errors["promise"] = PROMISE.error(promise)
    if owner is None:
        errors["owner"] = "Choose who owns this promise."
    elif not owner.is_active:
        errors["owner"] = f"{owner.get_full_name() or owner.email} can no longer sign in; choose someone else."
    if due_date is None:
        errors["due_date"] = "Give a due date."
    elif due_date < today:
        errors["due_date"] = f"The due date {due_date:%-d %b %Y} is in the past; today is {today:%-d %b %Y}."
    return errors


def call_time_default(*, expected: datetime | None, slot_end: datetime | None, now: datetime) -> datetime:
    """When a call being logged took place, unless the executive says otherwise: now, before or
    during the slot; once the slot is over, the time the entry came up on it."""
    if expected is None or slot_end is None or now < slot_end or expected > now:
        return now
    return expected


def call_time_error(*, called_at: datetime, executive: Executive, week_start: date | None, now: datetime) -> str | None:
    """Why `called_at` cannot be when the executive's call took place, or None; said in their zone.

    Refused: a time in the future and, for a call on a sheet, one before the week ahead of the
    sheet's week (the sheet did not exist yet: most likely a mistyped date).
    """
    zone = executive.zoneinfo
    if called_at > now + FUTURE_SLACK:
        local_now = timezone.localtime(now, zone)
        return f"The call cannot be in the future: it is now {local_now:%a %-d %b, %H:%M} ({executive.timezone})."
    if week_start is None:
        return None
    earliest = datetime.combine(week_start, datetime.min.time(), tzinfo=zone) - EARLIEST_BEFORE_WEEK
    if called_at < earliest:
        return (
            f"A call on the sheet of the week of {week_start:%-d %b %Y} cannot be before "
            f"{earliest:%a %-d %b %Y}; check the date."
        )
    return None


def _check_call_fields(
    *, outcome: str, duration_minutes: int | None, sentiment: str, notes: str, called_at, executive, week_start, now
) -> None:
    errors = {}
    if outcome not in CallLog.Outcome.values:
        errors["outcome"] = f"{outcome!r} is not an outcome; choose one of {', '.join(CallLog.Outcome.values)}."
    if duration_minutes is not None and not 0 <= duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = f"A call lasts between 0 and {MAX_DURATION} minutes."
    if sentiment and sentiment not in CallLog.Sentiment.values:
        errors["sentiment"] = f"{sentiment!r} is not a sentiment."
    if CALL_NOTES.error(notes):
        errors["notes"] = CALL_NOTES.error(notes)
    time_error = called_at and call_time_error(called_at=called_at, executive=executive, week_start=week_start, now=now)
    if time_error:
        errors["called_at"] = time_error
    if errors:
        raise ValidationError(errors)


def call_correct_errors(call: CallLog, *, outcome: str, duration_minutes: int | None, notes: str, sentiment: str):
    """What `call_correct` would refuse, field -> sentence; for the admin's form, beside each field."""
    try:
        _check_call_fields(
            outcome=outcome,
            duration_minutes=duration_minutes,
            sentiment=sentiment or "",
            notes=normalize_text(notes or ""),
            called_at=None,
            executive=call.executive,
            week_start=None,
            now=timezone.now(),
        )
    except ValidationError as exc:
        return {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return {}


def _add_commitments(*, call: CallLog, promises: list[PromiseInput]) -> list[Commitment]:
    today = executive_today(call.executive)
    for number, p in enumerate(promises, start=1):
        errors = commitment_errors(promise=p.promise, owner=p.owner, due_date=p.due_date, today=today)
        if errors:
            raise ValidationError(f"Commitment {number}: {' '.join(errors.values())}")
    return [
        Commitment.objects.create(
            call=call, customer=call.customer, promise=normalize_text(p.promise), owner=p.owner, due_date=p.due_date
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
    notes_private: bool = False,
    sentiment: str = "",
    promises: list[PromiseInput] = (),
    called_at: datetime | None = None,
) -> CallLog:
    """Logs the call of a sheet entry with its commitments, marks the entry called and, when the
    entry carries a support lead's flag, records that the call answered it.

    `called_at` is when the call took place (None: call_time_default, i.e. now, or the entry's
    time on the slot once the slot is over); a time in the future or long before the sheet's week
    is refused, keyed "called_at". `notes_private` keeps the notes to the executive and program
    admins (models.call_notes_readable). Locks the entry; an entry that already has a call is refused
    (correct it instead), so a double submit never makes two calls.

    A call that did not reach the customer (voicemail, no answer) on a flag's entry keeps the flag
    active and carries it to the next slot (customers.services.flag_paths.flag_not_reached); the
    build's lock is taken first, as a build takes it, since that touches another sheet.
    """
    if outcome in NOT_REACHED and SheetEntry.objects.filter(pk=entry_id, flag__isnull=False).exists():
        take_build_lock()
    entry = _locked_entry(entry_id)
    if CallLog.objects.filter(entry=entry).exists():
        raise ValidationError("This call is already logged; correct it instead.")
    now = timezone.now()
    notes = normalize_text(notes)
    _check_call_fields(
        outcome=outcome,
        duration_minutes=duration_minutes,
        sentiment=sentiment,
        notes=notes,
        called_at=called_at,
        executive=entry.sheet.executive,
        week_start=entry.sheet.week_start,
        now=now,
    )
    if called_at is None:
        called_at = call_time_default(expected=entry_expected_start(entry), slot_end=_slot_end(entry.sheet), now=now)
    call = CallLog.objects.create(
        entry=entry,
        executive=entry.sheet.executive,
        customer_id=entry.customer_id,
        contact_id=entry.contact_id,
        called_at=called_at,
        outcome=outcome,
        duration_minutes=duration_minutes,
        notes=notes,
        notes_private=bool(notes_private),
        sentiment=sentiment or "",
        logged_by=by,
    )
    _add_commitments(call=call, promises=list(promises))
    entry.status = SheetEntry.Status.CALLED
    entry.save(update_fields=["status"])
    if entry.flag_id and outcome in NOT_REACHED:
        from customers.services.flag_paths import flag_not_reached

        flag_not_reached(flag=entry.flag, call=call, now=now)
    elif entry.flag_id:
        flag_mark_called(flag=entry.flag, call=call)
    return call


def _slot_end(sheet: CallSheet) -> datetime | None:
    start = sheet.slot_starts_at or sheet.executive.slot_start(sheet.week_start)
    return start + timedelta(minutes=sheet.executive.duration_minutes) if start else None


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


@transaction.atomic
def call_correct(
    *,
    call_id: int,
    by,
    outcome: str,
    duration_minutes: int | None = None,
    notes: str = "",
    notes_private: bool | None = None,
    sentiment: str = "",
    promises: list[PromiseInput] = (),
    called_at: datetime | None = None,
) -> CallLog:
    """Corrects a logged call's outcome, duration, notes, whether they are private (None: as they
    were), sentiment and time (None: the time stays; times are compared to the minute) and adds
    further commitments.

    Commitments already made stay as they are: they are changed on the commitments page, where
    each change is recorded. When the call answered a flag, the flag follows the corrected time and
    its lead is told what changed (customers.services.flags.flag_call_corrected).
    """
    if outcome == CallLog.Outcome.REACHED or outcome in NOT_REACHED:
        take_build_lock()  # a flag carried over after this call may come off, or go to, another sheet (below)
    call = CallLog.objects.select_for_update(of=("self",)).select_related("executive", "entry__sheet").get(pk=call_id)
    notes = normalize_text(notes)
    _check_call_fields(
        outcome=outcome,
        duration_minutes=duration_minutes,
        sentiment=sentiment,
        notes=notes,
        called_at=called_at,
        executive=call.executive,
        week_start=call.entry.sheet.week_start if call.entry_id else None,
        now=timezone.now(),
    )
    before = (call.outcome, call.sentiment, call.called_at)
    call.outcome, call.duration_minutes = outcome, duration_minutes
    call.notes, call.sentiment = notes, sentiment or ""
    if notes_private is not None:
        call.notes_private = bool(notes_private)
    if called_at is not None and not _same_minute(called_at, call.called_at):
        call.called_at = called_at
    call.logged_by = call.logged_by or by
    call.save(
        update_fields=[
            "outcome",
            "duration_minutes",
            "notes",
            "notes_private",
            "sentiment",
            "called_at",
            "logged_by",
            "updated_at",
        ]
    )
    added = _add_commitments(call=call, promises=list(promises))
    if before[0] in NOT_REACHED and call.outcome == CallLog.Outcome.REACHED and call.entry_id:
        _reached_after_all(call)
    elif before[0] not in NOT_REACHED and call.outcome in NOT_REACHED and call.entry_id:
        _not_reached_after_all(call)
    if before != (call.outcome, call.sentiment, call.called_at) or added:
        flag_call_corrected(call=call)
    return call


def _reached_after_all(call: CallLog) -> None:
    """A call first logged as not reached was corrected to reached: the flag it carried over is
    answered by it, and the place it was carried to (pending, untouched) comes off that sheet."""
    flag_id = SheetEntry.objects.filter(pk=call.entry_id).values_list("flag_id", flat=True).first()
    if not flag_id:
        return
    from customers.models import Flag

    flag = Flag.objects.filter(pk=flag_id, status__in=Flag.ACTIVE_STATUSES).first()
    if flag is None:
        return
    SheetEntry.objects.filter(flag=flag, status=SheetEntry.Status.PENDING, pinned=True, call__isnull=True).delete()
    UrgentCall.objects.open().filter(flag=flag).update(call=call)  # the urgent call it was given is answered too
    flag.sheet = None
    flag.save(update_fields=["sheet", "updated_at"])
    flag_mark_called(flag=flag, call=call)


def _not_reached_after_all(call: CallLog) -> None:
    """A call first logged as reached (or rescheduled) was corrected to voicemail or no answer: the flag
    it answered opens again and is carried over exactly as logging it so would have done
    (customers.services.flag_paths.flag_not_reached); the lead's correction e-mail says what happens next."""
    from customers.models import Flag

    flag_id = SheetEntry.objects.filter(pk=call.entry_id).values_list("flag_id", flat=True).first()
    flag = Flag.objects.select_for_update().filter(pk=flag_id, call=call, status=Flag.Status.CALLED).first()
    if flag is None:
        return
    flag.status = Flag.Status.SCHEDULED
    flag.save(update_fields=["status", "updated_at"])
    from customers.services.flag_paths import flag_not_reached

    flag_not_reached(flag=flag, call=call, now=timezone.now())


@transaction.atomic
def entry_skip(*, entry_id: int, by) -> SheetEntry | None:
    """Skips a pending entry. When it was a main call, the first pending backup whose contact is
    inside calling hours at the skipped call's time moves up into the main list; returns that backup,
    or None when there was none to move (a backup for whom that time is outside calling hours stays
    a backup: nobody is promoted to a call at 02:45 their time).
    """
    entry = _locked_entry(entry_id)
    if entry.status != SheetEntry.Status.PENDING:
        raise ValidationError(
            f"{entry.customer} is already {entry.get_status_display().lower()}; it cannot be skipped."
        )
    turn_at = None if entry.is_backup else entry_expected_start(entry)
    entry.status = SheetEntry.Status.SKIPPED
    entry.save(update_fields=["status"])
    if entry.is_backup:
        return None
    policy = ScoringPolicy.objects.active()
    minutes = entry.sheet.executive.minutes_per_call
    for backup in (
        SheetEntry.objects.select_for_update(of=("self",))
        .select_related("customer", "contact")
        .filter(sheet_id=entry.sheet_id, is_backup=True, status=SheetEntry.Status.PENDING)
        .order_by("position")
    ):
        zone = (backup.contact.timezone if backup.contact else "") or backup.customer.timezone
        if turn_at is None or within_calling_hours(turn_at, minutes, zone, policy):
            backup.is_backup = False
            backup.save(update_fields=["is_backup"])
            return backup
    return None


@transaction.atomic
def entry_unskip(*, entry_id: int, by) -> SheetEntry:
    """Puts a skipped entry back to be called. A backup that moved up in its place stays up."""
    entry = _locked_entry(entry_id)
    if entry.status != SheetEntry.Status.SKIPPED:
        raise ValidationError(f"{entry.customer} is not skipped.")
    entry.status = SheetEntry.Status.PENDING
    entry.save(update_fields=["status"])
    return entry
