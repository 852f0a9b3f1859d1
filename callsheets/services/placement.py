"""Putting one customer on one sheet by hand: an admin's decision, or a flag carried over after a
call that did not reach the customer. One sheet is touched, under the same lock as a build.

The rules every such placement keeps (and the builder keeps on a rebuild, since the entry is
`pinned`):
- an entry with a logged call (or a skipped one) never moves;
- when the sheet's main list is full, its lowest-ranked untouched main entry becomes a backup;
- one entry per customer per week: a pending, untouched entry of the customer elsewhere that week
  is taken off; a logged or skipped one refuses the placement;
- the sheet is created when that week was not built yet;
- no call is placed outside the policy's calling hours in the contact's zone (callsheets.hours).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from customers.models import Contact, Customer, Flag

from ..builder.assign import choose_contact
from ..hours import urgent_deadline, within_calling_hours
from ..hours import zone as zone_of
from ..models import CallLog, CallSheet, Executive, ScoringPolicy, SheetEntry, week_start_of

TEMPORARY_POSITION = 30000  # above any real position: entries pass through it while renumbered


def take_build_lock() -> None:
    """The build's lock (callsheets.builder.service.build_week): every executive's row, in id order.
    A placement and a build of the same week never interleave; call it inside a transaction."""
    list(Executive.objects.select_for_update().order_by("id").values_list("id", flat=True))


def sheet_for(executive: Executive, week_start: date) -> CallSheet:
    """The executive's sheet of that week, created (empty) when the week was not built yet."""
    sheet, _ = CallSheet.objects.get_or_create(
        executive=executive,
        week_start=week_start,
        defaults={"slot_starts_at": executive.slot_start(week_start), "inputs": {}},
    )
    return sheet


def slot_of(sheet: CallSheet) -> datetime | None:
    return sheet.slot_starts_at or sheet.executive.slot_start(sheet.week_start)


def contact_zone(contact: Contact | None, customer: Customer) -> str:
    return (contact.timezone if contact else "") or customer.timezone


def callable_contact(flag: Flag) -> Contact | None:
    """The contact to call for the flag: its own when callable, else the builder's choice."""
    if flag.contact_id and flag.contact.is_callable:
        return flag.contact
    return choose_contact(flag.customer, None)


def _hours_words(policy: ScoringPolicy) -> str:
    return f"{policy.calling_hours_start:02d}:00–{policy.calling_hours_end:02d}:00"


def _clear_week(customer: Customer, week_start: date, *, keep_sheet: CallSheet | None = None) -> None:
    """One entry per customer per week: take off a pending, untouched entry of the customer that week;
    refuse when the customer was already called or skipped that week."""
    for entry in (
        SheetEntry.objects.select_for_update(of=("self",))
        .select_related("sheet__executive__user")
        .filter(customer=customer, week_start=week_start)
    ):
        if entry.status != SheetEntry.Status.PENDING or CallLog.objects.filter(entry=entry).exists():
            raise ValidationError(
                f"{customer.name} is already {entry.get_status_display().lower()} on "
                f"{entry.sheet.executive.name}'s sheet for the week of {week_start:%-d %b}; "
                "choose another week."
            )
        entry.delete()


def entry_insert(
    *,
    sheet: CallSheet,
    customer: Customer,
    contact: Contact | None,
    flag: Flag | None,
    position: int | None,
    reason_text: str,
    code: str,
) -> SheetEntry:
    """Puts the customer on `sheet` at main `position` (None: after the main calls there are), pinned.

    Call inside a transaction after take_build_lock(). Untouched main entries at or after the place
    move down one; entries with a logged call or skipped stay where they are; when the main list is
    full, the lowest-ranked untouched main entry that was not placed by hand becomes the last backup.
    """
    _clear_week(customer, sheet.week_start)
    has_call = Exists(CallLog.objects.filter(entry=OuterRef("pk")))
    entries = list(SheetEntry.objects.filter(sheet=sheet).annotate(has_call=has_call).order_by("is_backup", "position"))
    used = {e.position for e in entries}
    mains = [e for e in entries if not e.is_backup]

    def movable(e):
        return e.status == SheetEntry.Status.PENDING and not e.has_call

    freed = None
    if len(mains) >= sheet.executive.capacity:
        demoted = next((e for e in reversed(mains) if movable(e) and not e.pinned), None)
        if demoted is not None:
            freed = demoted.position
            demoted.is_backup, demoted.position = True, max(used) + 1
            demoted.save(update_fields=["is_backup", "position"])
            used.add(demoted.position)
            mains.remove(demoted)
    if freed is None:
        freed = next(p for p in range(1, max(used, default=0) + 2) if p not in used)
    new = SheetEntry(
        sheet=sheet,
        customer=customer,
        contact=contact,
        position=0,
        score=0,
        reasons=[{"code": code, "text": reason_text, "points": 0}],
        signals={},
        flag=flag,
        pinned=True,
    )
    index = len(mains) if position is None else max(0, min(position - 1, len(mains)))
    order = mains[:index] + [new] + mains[index:]
    moving = [e for e in order if e is new or movable(e)]
    pool = sorted([e.position for e in moving if e is not new] + [freed])
    for n, e in enumerate(moving):  # out of the way first: positions are unique per sheet
        if e is not new and e.position != pool[n]:
            SheetEntry.objects.filter(pk=e.pk).update(position=TEMPORARY_POSITION + n)
    for n, e in enumerate(moving):
        if e is new:
            e.position = pool[n]
            e.save()
        elif e.position != pool[n]:
            SheetEntry.objects.filter(pk=e.pk).update(position=pool[n])
            e.position = pool[n]
    return new


def flag_schedule_on(flag: Flag, sheet: CallSheet, now: datetime) -> None:
    flag.status, flag.sheet, flag.scheduled_at, flag.not_placed_reason = Flag.Status.SCHEDULED, sheet, now, ""
    flag.save(update_fields=["status", "sheet", "scheduled_at", "not_placed_reason", "updated_at"])


def drop_other_pending_entries(flag: Flag, keep: SheetEntry, now: datetime) -> None:
    """A flag waits on one sheet: its other pending, untouched entries whose slot is still ahead go."""
    has_call = Exists(CallLog.objects.filter(entry=OuterRef("pk")))
    for entry in (
        SheetEntry.objects.filter(flag=flag, status=SheetEntry.Status.PENDING)
        .exclude(pk=keep.pk)
        .annotate(has_call=has_call)
        .select_related("sheet__executive")
    ):
        start = slot_of(entry.sheet)
        if not entry.has_call and start and start > now:
            entry.delete()


# --- Where a flag not reached goes next ---------------------------------------------------------


@dataclass
class NextSlot:
    sheet: CallSheet | None
    executive: Executive
    week_start: date
    starts_at: datetime

    def sheet_or_new(self) -> CallSheet:
        return self.sheet or sheet_for(self.executive, self.week_start)


WEEKS_AHEAD = 4


def next_slots(executive: Executive, after: datetime, weeks: int = WEEKS_AHEAD):
    """The executive's slots starting after `after`, soonest first: (week_start, start)."""
    week = executive.current_week_start(after)
    for k in range(weeks + 1):
        week_start = week + timedelta(weeks=k)
        start = executive.slot_start(week_start)
        if start is not None and start > after:
            yield week_start, start


def retry_slot(
    *, flag: Flag, contact: Contact | None, executive: Executive, now: datetime, policy: ScoringPolicy
) -> NextSlot | None:
    """Where a flag whose call did not reach the customer is tried again, within calling hours in the
    contact's zone: for an urgent flag the soonest slot of any active executive inside the urgent
    window (the same executive first when theirs is as soon); otherwise, or when no slot is in the
    window, the same executive's next slot; failing that, the soonest slot of anyone in the weeks ahead.
    """
    zone = contact_zone(contact, flag.customer)
    existing = {
        (s.executive_id, s.week_start): s
        for s in CallSheet.objects.filter(week_start__gte=week_start_of(timezone.localdate(now) - timedelta(days=1)))
    }

    # One entry per customer per week: a week where the customer was already called (this call) or
    # skipped has no room for them. (A retry within that week needs a call outside the slot.)
    has_call = Exists(CallLog.objects.filter(entry=OuterRef("pk")))
    done_weeks = set(
        SheetEntry.objects.filter(customer=flag.customer, week_start__gte=week_start_of(now.date()) - timedelta(days=7))
        .annotate(has_call=has_call)
        .filter(Q(has_call=True) | ~Q(status=SheetEntry.Status.PENDING))
        .values_list("week_start", flat=True)
    )

    def fits(e: Executive, start: datetime) -> bool:
        week = e.current_week_start(start)
        return week not in done_weeks and within_calling_hours(start, e.duration_minutes, zone, policy)

    def slot(e: Executive, week_start: date, start: datetime) -> NextSlot:
        return NextSlot(existing.get((e.id, week_start)), e, week_start, start)

    others = [e for e in Executive.objects.with_slot().select_related("user").order_by("id") if e.id != executive.id]
    everyone = ([executive] if executive.is_active and executive.has_slot else []) + others
    if flag.is_urgent:
        deadline = urgent_deadline(now, flag.customer.timezone, policy)
        soon = [
            (start, n, e, week_start)
            for n, e in enumerate(everyone)
            for week_start, start in next_slots(e, now, weeks=1)
            if start <= deadline and fits(e, start)
        ]
        if soon:
            start, _, e, week_start = min(soon, key=lambda s: (s[0], s[1]))
            return slot(e, week_start, start)
    if executive in everyone:
        for week_start, start in next_slots(executive, now):
            if fits(executive, start):
                return slot(executive, week_start, start)
    later = [
        (start, e.id, e, week_start)
        for e in others
        for week_start, start in next_slots(e, now, weeks=2)
        if fits(e, start)
    ]
    if later:
        start, _, e, week_start = min(later, key=lambda s: (s[0], s[1]))
        return slot(e, week_start, start)
    return None


def hours_refusal(zone: str, policy: ScoringPolicy, start: datetime) -> str:
    local = timezone.localtime(start, zone_of(zone))
    return (
        f"That slot starts at {local:%H:%M} on {local:%a %-d %b} in the contact's zone ({zone}), outside "
        f"calling hours ({_hours_words(policy)}); choose another executive or week."
    )
