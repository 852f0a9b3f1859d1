"""Urgent calls outside the slot: acknowledged and logged from the sheet; the sweep that keeps urgency moving.

`urgent_sweep` (Celery beat, every minute) places the urgent flags whose task never ran, tells
program admins once of an urgent call neither acknowledged nor logged by half its window, and sends
the executives' urgent e-mails that could not be queued (each e-mail is claimed once, so a repeat
sends nothing).
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ceocalls.limits import normalize_text
from customers.models import Flag
from customers.services.flags import flag_mark_called

from ..models import CallLog, SheetEntry, UrgentCall
from .calls import PromiseInput, _add_commitments, _check_call_fields
from .urgent import _place_in_process, urgent_enqueue

log = logging.getLogger(__name__)

PLACE_AFTER = timedelta(minutes=1)  # an urgent flag not placed a minute after its alarm: the sweep places it
REQUEUE_AFTER = timedelta(minutes=10)  # queued but never run: the message was lost
NOTICES_WITHIN = timedelta(hours=6)  # urgent e-mails the sweep still sends if they never went
SWEEP_BATCH = 100


@transaction.atomic
def urgent_call_acknowledge(*, urgent_call_id: int, by) -> UrgentCall:
    """The executive says they have seen it; program admins are then not told. Once: a repeat changes nothing."""
    urgent_call = UrgentCall.objects.select_for_update(of=("self",)).get(pk=urgent_call_id)
    if urgent_call.call_id:
        raise ValidationError("This urgent call is already logged.")
    if urgent_call.acknowledged_at is None:
        urgent_call.acknowledged_at, urgent_call.acknowledged_by = timezone.now(), by
        urgent_call.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return urgent_call


@transaction.atomic
def urgent_call_log(
    *,
    urgent_call_id: int,
    by,
    outcome: str,
    duration_minutes: int | None = None,
    notes: str = "",
    notes_private: bool = False,
    sentiment: str = "",
    promises: list[PromiseInput] = (),
    called_at: datetime | None = None,
) -> CallLog:
    """Logs an urgent call as a card's call is logged (services.calls.call_log): the same fields,
    rules and commitments, and the flag it answers is marked called. A second log is refused."""
    urgent_call = (
        UrgentCall.objects.select_for_update(of=("self",))
        .select_related("executive", "flag", "customer")
        .get(pk=urgent_call_id)
    )
    if urgent_call.call_id:
        raise ValidationError("This urgent call is already logged; correct it on the customer's page.")
    now = timezone.now()
    notes = normalize_text(notes)
    _check_call_fields(
        outcome=outcome,
        duration_minutes=duration_minutes,
        sentiment=sentiment,
        notes=notes,
        called_at=called_at,
        executive=urgent_call.executive,
        week_start=None,
        now=now,
    )
    call = CallLog.objects.create(
        executive=urgent_call.executive,
        customer=urgent_call.customer,
        contact_id=urgent_call.contact_id,
        called_at=called_at or now,
        outcome=outcome,
        duration_minutes=duration_minutes,
        notes=notes,
        notes_private=bool(notes_private),
        sentiment=sentiment or "",
        logged_by=by,
    )
    _add_commitments(call=call, promises=list(promises))
    urgent_call.call = call
    urgent_call.acknowledged_at = urgent_call.acknowledged_at or now
    urgent_call.save(update_fields=["call", "acknowledged_at"])
    flag_mark_called(flag=urgent_call.flag, call=call)
    return call


@transaction.atomic
def urgent_call_hand_over(*, urgent_call_id: int, executive_id: int, by, reason: str) -> UrgentCall:
    """An admin hands an open urgent call to another executive, with a reason kept in the flag's
    history: the card leaves the old executive's sheet, shows atop the new one's, and the new
    executive is e-mailed (claimed once per hand-over). The deadline stays. Refused in a sentence
    keyed by field: no reason, an inactive or the same executive, a call already logged."""
    from ceocalls.limits import FLAG_NOTE
    from ceocalls.people import display_name
    from customers.models import FlagNote

    from ..models import Executive

    reason = normalize_text(reason).replace("\x00", " ")
    if not reason:
        raise ValidationError({"reason": "Say why another executive calls; the flag's history keeps it."})
    if FLAG_NOTE.error(reason):
        raise ValidationError({"reason": FLAG_NOTE.error(reason)})
    urgent_call = (
        UrgentCall.objects.select_for_update(of=("self",)).select_related("executive__user").filter(pk=urgent_call_id)
    ).first()
    if urgent_call is None:
        raise ValidationError(f"There is no urgent call with id {urgent_call_id}.")
    if urgent_call.call_id:
        raise ValidationError("This urgent call is already logged; there is nothing to hand over.")
    executive = Executive.objects.select_related("user").filter(pk=executive_id).first()
    if executive is None:
        raise ValidationError({"executive": f"There is no executive with id {executive_id}."})
    if not executive.is_active:
        raise ValidationError({"executive": f"{executive.name} is not active; choose another executive."})
    if executive.pk == urgent_call.executive_id:
        raise ValidationError(
            {"executive": f"{executive.name} already has this urgent call; choose another executive."}
        )
    before = urgent_call.executive
    urgent_call.executive = executive
    urgent_call.acknowledged_at = urgent_call.acknowledged_by = None  # the new executive acknowledges it
    urgent_call.save(update_fields=["executive", "acknowledged_at", "acknowledged_by"])
    FlagNote.objects.create(
        flag_id=urgent_call.flag_id,
        author=by,
        text=(
            f"Urgent call handed from {before.name} to {executive.name} by {display_name(by) or 'a program admin'}: "
            f"{reason}"
        )[:2000],
    )
    from notifications.tasks import send_urgent_notice

    key = f"flag-{urgent_call.flag_id}-urgent-call-{urgent_call.pk}-to-{executive.pk}"
    flag_id = urgent_call.flag_id
    transaction.on_commit(lambda: send_urgent_notice.delay(flag_id, key), robust=True)
    return urgent_call


def urgent_sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "placed": _place_waiting(now),
        "admins_told": _tell_admins(now),
        "notices": _send_missed_notices(now),
    }


def _place_waiting(now: datetime) -> int:
    from ..tasks import place_urgent_flag

    waiting = (
        Flag.objects.filter(
            urgency=Flag.Urgency.URGENT,
            status__in=Flag.ACTIVE_STATUSES,
            urgent_handled_at__isnull=True,
            urgent_since__lt=now - PLACE_AFTER,
        )
        .filter(Q(urgent_enqueued_at__isnull=True) | Q(urgent_enqueued_at__lt=now - REQUEUE_AFTER))
        .order_by("urgent_since", "id")
        .values_list("id", flat=True)[:SWEEP_BATCH]
    )
    eager = place_urgent_flag.app.conf.task_always_eager
    done = 0
    for flag_id in list(waiting):  # in the order the alarms came
        if eager:
            done += _place_in_process(flag_id) is not None
        else:
            done += urgent_enqueue(flag_id=flag_id)
    return done


def _tell_admins(now: datetime) -> int:
    """Each open urgent call, unacknowledged at half its window, is claimed once and e-mailed to admins."""
    from notifications.services.urgent_emails import urgent_overdue_send

    told = 0
    due = UrgentCall.objects.open().filter(acknowledged_at__isnull=True, admins_told_at__isnull=True)
    for urgent_call in due.order_by("deadline", "id")[:SWEEP_BATCH]:
        if urgent_call.half_window_at > now:
            continue
        if UrgentCall.objects.filter(pk=urgent_call.pk, admins_told_at__isnull=True).update(admins_told_at=now):
            urgent_overdue_send(urgent_call_id=urgent_call.pk)
            told += 1
    return told


def _send_missed_notices(now: datetime) -> int:
    """Urgent e-mails whose task could not be queued: each is claimed once, so a sent one is skipped."""
    from notifications.services.urgent_emails import urgent_notice_send

    since = now - NOTICES_WITHIN
    flag_ids = set(
        SheetEntry.objects.filter(urgent_placed_at__gte=since, flag__isnull=False).values_list("flag_id", flat=True)
    )
    flag_ids |= set(UrgentCall.objects.open().filter(created_at__gte=since).values_list("flag_id", flat=True))
    return sum(urgent_notice_send(flag_id=flag_id) == "sent" for flag_id in sorted(flag_ids)[:SWEEP_BATCH])
