"""Urgent means now: an urgent alarm puts the customer first on the soonest sheet in the window, at once.

An alarm is urgent when a lead raises an urgent flag, a ticket tagged for a CEO call is urgent, or a
survey answer crosses the scoring policy's line (customers.services.flags). `urgent_place_on_commit`
sends the flag to `callsheets.tasks.place_urgent_flag` once the flag is committed (in-process at once
when there is no REDIS_URL); the task calls `urgent_place`, which:

- takes the build's lock (every executive's row, in id order), so a build and a placement take turns;
- places the customer at the first free position of the soonest sheet whose slot has not started and
  whose first call ends inside the urgent window (hours.urgent_deadline) and inside calling hours in
  the contact's zone, preferring the executive who owes the customer an open promise or called them
  last; the sheet is created when the week was not built yet;
- moves the untouched entries down one place (the last main call becomes the first backup); an
  entry with a logged call, or skipped, never moves; a customer already on a sheet that week is
  moved there, never listed twice;
- or, when no slot starts in time, gives the best executive an UrgentCall with the deadline;
- or says on the flag why not (churned, already called today, no callable contact).

It is idempotent (a flag placed or given an urgent call is not placed again) and touches one sheet,
in a fixed number of queries whatever the number of customers.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from customers.models import Contact, Customer, Flag

from ..hours import urgent_deadline, within_calling_hours, zone
from ..models import CallLog, CallSheet, Commitment, Executive, ScoringPolicy, SheetEntry, UrgentCall, week_start_of

log = logging.getLogger(__name__)

QUEUE_DOWN_NOTE = "Waiting for the job queue; it will be placed when it is back."
POSITION_OFFSET = 10_000  # entries being moved park here first: (sheet, position) is unique at every row
SLOTS_TRIED = 5  # sheets looked at before giving up on slots (all of them full of logged calls)


@dataclass(frozen=True)
class UrgentOutcome:
    """What an urgent placement did, in the words the flag page and the logs use."""

    flag_id: int
    state: str  # placed, urgent_call, not_placed, already, inactive
    text: str
    entry_id: int | None = None
    urgent_call_id: int | None = None


def urgent_place_on_commit(flag: Flag) -> None:
    """Places an urgent flag once the caller's transaction commits, through the Celery task.

    Without REDIS_URL (tasks in-process) the placement runs at once, inside the caller's transaction
    (a savepoint: if it fails the flag is still saved, and the sweep places it later), so an import
    rolled back takes its placement with it. With a broker that is down the flag waits, saying so;
    `urgent_sweep` sends it once the broker is back.
    """
    from ..tasks import place_urgent_flag

    if place_urgent_flag.app.conf.task_always_eager:
        _place_in_process(flag.pk)
    else:
        transaction.on_commit(lambda: urgent_enqueue(flag_id=flag.pk), robust=True)


def _place_in_process(flag_id: int) -> UrgentOutcome | None:
    try:
        with transaction.atomic():
            return urgent_place(flag_id=flag_id)
    except Exception:  # the flag is saved; the sweep tries again
        log.exception("Urgent placement of flag %s failed; the sweep tries again.", flag_id)
        return None


def urgent_enqueue(*, flag_id: int) -> bool:
    """Sends the flag's placement to the worker; False (and a log line) when the broker is down."""
    from ..tasks import place_urgent_flag

    try:
        place_urgent_flag.apply_async((flag_id,), retry=False)
    except Exception:  # the broker: nothing was sent; the sweep sends it later
        log.warning("Urgent flag %s waits: could not queue its placement", flag_id, exc_info=True)
        return False
    Flag.objects.filter(pk=flag_id).update(urgent_enqueued_at=timezone.now())
    return True


def urgent_place(*, flag_id: int, now: datetime | None = None) -> UrgentOutcome:
    """Places one urgent flag (see the module's docstring); safe to call any number of times."""
    now = now or timezone.now()
    with transaction.atomic():
        # The build's lock (builder.service.build_week): every executive's row, in id order.
        executives = {
            e.id: e for e in Executive.objects.select_for_update(of=("self",)).select_related("user").order_by("id")
        }
        flag = (
            Flag.objects.select_for_update(of=("self",))
            .select_related("customer", "contact", "survey_response", "ticket", "raised_by")
            .filter(pk=flag_id)
            .first()
        )
        if flag is None:
            return UrgentOutcome(flag_id, "inactive", "The flag no longer exists.")
        if not flag.is_urgent or flag.status not in Flag.ACTIVE_STATUSES:
            return UrgentOutcome(flag.pk, "inactive", f"The flag is {flag.get_status_display().lower()}.")
        done = _already(flag)
        if done is not None:
            _mark_handled(flag, now)
            return done
        outcome = _place(flag, executives, now)
        if outcome.state in ("placed", "urgent_call"):
            from notifications.tasks import send_urgent_notice

            transaction.on_commit(lambda: send_urgent_notice.delay(flag.pk), robust=True)
        return outcome


def _already(flag: Flag) -> UrgentOutcome | None:
    entry = SheetEntry.objects.filter(flag=flag, urgent_placed_at__isnull=False).values_list("id", flat=True).first()
    if entry:
        return UrgentOutcome(flag.pk, "already", "Already placed.", entry_id=entry)
    urgent_call = UrgentCall.objects.filter(flag=flag).values_list("id", flat=True).first()
    if urgent_call:
        return UrgentOutcome(flag.pk, "already", "Already an urgent call.", urgent_call_id=urgent_call)
    return None


def _mark_handled(flag: Flag, now: datetime) -> None:
    if flag.urgent_handled_at is None:
        Flag.objects.filter(pk=flag.pk).update(urgent_handled_at=now)


def _not_placed(flag: Flag, now: datetime, reason: str) -> UrgentOutcome:
    """Explains on the flag why the alarm was not placed; the flag stays open for the next build."""
    flag.not_placed_reason, flag.urgent_handled_at = reason[:300], now
    flag.save(update_fields=["not_placed_reason", "urgent_handled_at", "updated_at"])
    return UrgentOutcome(flag.pk, "not_placed", reason)


def _place(flag: Flag, executives: dict, now: datetime) -> UrgentOutcome:
    customer = flag.customer
    if customer.lifecycle_status == Customer.Lifecycle.CHURNED:
        return _not_placed(flag, now, "Not placed: the customer is churned, and churned customers are not called.")
    called = _called_today(customer, now)
    if called is not None:
        at = timezone.localtime(called.called_at, customer.zoneinfo)
        return _not_placed(
            flag,
            now,
            f"Not placed: {called.executive.name} already called {customer.name} today at {at:%H:%M} "
            f"({customer.timezone}, {called.get_outcome_display().lower()}). The flag stays open for the next build.",
        )
    contact = _contact_for(flag)
    if contact is None:
        return _not_placed(
            flag,
            now,
            "Not placed: no callable contact (every contact is marked do-not-call or has no phone number). "
            "Add a phone number and it is placed at once.",
        )
    policy = ScoringPolicy.objects.active()
    deadline = urgent_deadline(flag.urgent_since or flag.created_at, customer.timezone, policy)
    tz_name = contact.timezone or customer.timezone
    preferred = _preferred(customer, executives)
    slots = _slots(executives, now, deadline, tz_name, policy)
    weeks = sorted({week for _, _, week in slots})
    mine = list(
        SheetEntry.objects.filter(customer=customer, week_start__in=weeks)
        .annotate(has_call=Exists(CallLog.objects.filter(entry=OuterRef("pk"))))
        .select_related("sheet")
    )
    called_weeks = {e.week_start for e in mine if e.has_call or e.status != SheetEntry.Status.PENDING}
    slots = [s for s in slots if s[2] not in called_weeks]  # nobody twice in a week
    ordered = [s for pid in preferred for s in slots if s[1] == pid][:1] + slots
    for start, executive_id, week in ordered[:SLOTS_TRIED]:
        entry = _put_first(flag, contact, executives[executive_id], week, start, mine, policy, now)
        if entry is not None:
            sheet = entry.sheet
            flag.status, flag.sheet, flag.scheduled_at = Flag.Status.SCHEDULED, sheet, now
            flag.not_placed_reason, flag.urgent_handled_at = "", now
            flag.save(
                update_fields=[
                    "status",
                    "sheet",
                    "scheduled_at",
                    "not_placed_reason",
                    "urgent_handled_at",
                    "updated_at",
                ]
            )
            who, when = executives[executive_id].name, timezone.localtime(start, zone(tz_name))
            text = f"Number {entry.position} on {who}'s sheet, {when:%a %-d %b %H:%M} for the contact."
            return UrgentOutcome(flag.pk, "placed", text, entry_id=entry.pk)
    return _urgent_call(flag, contact, executives, preferred, deadline, now)


def _called_today(customer: Customer, now: datetime) -> CallLog | None:
    """A call logged today in the customer's zone (any outcome)."""
    local = timezone.localtime(now, customer.zoneinfo)
    midnight = datetime.combine(local.date(), time(0), tzinfo=customer.zoneinfo)
    return (
        CallLog.objects.filter(customer=customer, called_at__gte=midnight, called_at__lte=now)
        .select_related("executive__user")
        .order_by("-called_at")
        .first()
    )


def _contact_for(flag: Flag) -> Contact | None:
    """The flag's contact, then the survey answer's, then the primary, then any callable one."""
    contacts = [c for c in flag.customer.contacts.order_by("-is_primary", "name", "id") if c.is_callable]
    wanted = [flag.contact_id, flag.survey_response.contact_id if flag.survey_response_id else None]
    for contact_id in wanted:
        for c in contacts:
            if c.id == contact_id:
                return c
    return contacts[0] if contacts else None


def _preferred(customer: Customer, executives: dict) -> list[int]:
    """Who owes the customer an open promise (the soonest due first), then who called them last."""
    owed = Commitment.objects.open().filter(customer=customer).order_by("due_date", "id")
    ids = list(owed.values_list("call__executive_id", flat=True)[:20])
    last = (
        CallLog.objects.filter(customer=customer).order_by("-called_at", "-id").values_list("executive_id", flat=True)
    )
    ids.append(last.first())
    return [i for i in dict.fromkeys(ids) if i in executives and executives[i].is_active]


def _slots(executives: dict, now: datetime, deadline: datetime, tz_name: str, policy) -> list[tuple]:
    """(start, executive id, week) of every slot not started whose first call ends by the deadline
    and inside calling hours in the contact's zone, soonest first."""
    first = week_start_of((now - timedelta(days=1)).date())
    last = week_start_of((deadline + timedelta(days=1)).date())
    weeks = [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]
    slots = []
    for e in executives.values():
        if not (e.is_active and e.has_slot):
            continue
        for week in weeks:
            start = e.slot_start(week)
            if start <= now or start + timedelta(minutes=e.minutes_per_call) > deadline:
                continue
            if within_calling_hours(start, e.minutes_per_call, tz_name, policy):
                slots.append((start, e.id, week))
    slots.sort(key=lambda s: (s[0], s[1]))
    return slots


def _put_first(
    flag: Flag, contact: Contact, executive: Executive, week, start: datetime, mine: list, policy, now: datetime
) -> SheetEntry | None:
    """The customer at the first free position of the executive's sheet for `week` (made if missing);
    None when every main position holds a logged or skipped call."""
    sheet, _ = CallSheet.objects.get_or_create(
        executive=executive,
        week_start=week,
        defaults={"slot_starts_at": start, "built_at": now, "inputs": {"urgent_only": True}},
    )
    entries = list(sheet.entries.annotate(has_call=Exists(CallLog.objects.filter(entry=OuterRef("pk")))))
    own = next((e for e in entries if e.customer_id == flag.customer_id), None)
    fixed = {e.position for e in entries if e.has_call or e.status != SheetEntry.Status.PENDING}
    main_positions = [p for p in range(1, executive.capacity + 1) if p not in fixed]
    if not main_positions:
        return None
    movable = sorted(
        (e for e in entries if e.position not in fixed and e is not own), key=lambda e: (e.is_backup, e.position)
    )
    # None: the urgent customer, after any earlier urgent placement (alarms land in the order they came).
    mains = [e for e in movable if not e.is_backup]
    queue = [e for e in mains if e.urgent_placed_at] + [None] + [e for e in mains if not e.urgent_placed_at]
    if queue.index(None) >= len(main_positions):
        return None  # the main calls are all earlier urgent alarms (or logged): the next sheet in time
    layout = dict(zip(main_positions, queue, strict=False))
    position = executive.capacity
    for e in queue[len(main_positions) :] + [e for e in movable if e.is_backup]:
        position += 1
        while position in fixed:
            position += 1
        layout[position] = e
    moved = []
    for position, e in layout.items():
        if e is not None and (e.position, e.is_backup) != (position, position > executive.capacity):
            e.position, e.is_backup = position, position > executive.capacity
            moved.append(e)
    target = next(p for p, e in layout.items() if e is None)
    # Another sheet's entry of the customer this week, and the flag's later untouched entries, go:
    # the urgent call answers the flag, and nobody is listed twice in a week.
    _drop_elsewhere(flag, sheet, mine)
    if moved or own is not None:
        parked = [e.pk for e in moved] + ([own.pk] if own is not None else [])
        SheetEntry.objects.filter(pk__in=parked).update(position=F("position") + POSITION_OFFSET)
    if moved:
        SheetEntry.objects.bulk_update(moved, ["position", "is_backup"])
    fields = _urgent_fields(flag, contact, policy, now)
    if own is not None:
        for name, value in fields.items():
            setattr(own, name, value)
        own.position, own.is_backup, own.status = target, False, SheetEntry.Status.PENDING
        own.save(update_fields=[*fields, "position", "is_backup", "status"])
        own.sheet = sheet
        return own
    return SheetEntry.objects.create(sheet=sheet, customer=flag.customer, position=target, **fields)


def _drop_elsewhere(flag: Flag, sheet: CallSheet, mine: list) -> None:
    elsewhere = [e.pk for e in mine if e.sheet_id != sheet.pk and e.week_start == sheet.week_start and not e.has_call]
    SheetEntry.objects.filter(
        Q(pk__in=elsewhere) | Q(flag=flag, status=SheetEntry.Status.PENDING, call__isnull=True)
    ).exclude(sheet=sheet).delete()


def _urgent_fields(flag: Flag, contact: Contact, policy, now: datetime) -> dict:
    from ..builder.scoring import _flag_text

    text = (
        f"Urgent: {flag.reason}"
        if flag.origin == Flag.Origin.SURVEY
        else _flag_text(flag, zone(flag.customer.timezone))
    )
    return {
        "contact": contact,
        "score": policy.weight_urgent_flag,
        "reasons": [{"code": "urgent_flag", "text": text, "points": policy.weight_urgent_flag}],
        "signals": {"urgent_flag": True},
        "flag": flag,
        "urgent_placed_at": now,
    }


def _urgent_call(
    flag: Flag, contact: Contact, executives: dict, preferred: list, deadline: datetime, now: datetime
) -> UrgentOutcome:
    """No slot starts in time: the best executive calls outside the slot, by the deadline."""
    active = [e for e in executives.values() if e.is_active]
    if not active:
        return _not_placed(flag, now, "Not placed: there is no active executive to call.")
    executive = executives[preferred[0]] if preferred else _least_busy(active)
    urgent_call = UrgentCall.objects.create(
        flag=flag, executive=executive, customer=flag.customer, contact=contact, deadline=deadline, created_at=now
    )
    SheetEntry.objects.filter(flag=flag, status=SheetEntry.Status.PENDING, call__isnull=True).delete()
    flag.status, flag.sheet, flag.scheduled_at = Flag.Status.SCHEDULED, None, now
    flag.not_placed_reason, flag.urgent_handled_at = "", now
    flag.save(update_fields=["status", "sheet", "scheduled_at", "not_placed_reason", "urgent_handled_at", "updated_at"])
    local = timezone.localtime(deadline, flag.customer.zoneinfo)
    text = (
        f"An urgent call for {executive.name}, outside the slot, by {local:%a %-d %b %H:%M} ({flag.customer.timezone})."
    )
    return UrgentOutcome(flag.pk, "urgent_call", text, urgent_call_id=urgent_call.pk)


def _least_busy(active: list) -> Executive:
    """The active executive with the fewest open urgent calls (then the lowest id)."""
    busy = dict(
        UrgentCall.objects.open()
        .filter(executive__in=active)
        .values("executive_id")
        .annotate(n=Count("id"))
        .values_list("executive_id", "n")
    )
    return min(active, key=lambda e: (busy.get(e.id, 0), e.id))
