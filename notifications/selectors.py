"""Reads across customers and call sheets that the e-mails and the feed are made of."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q

from callsheets.models import CallSheet, Commitment, Executive, SheetEntry
from callsheets.selectors.metrics import program_metrics
from ceocalls.roles import PROGRAM_ADMINS
from customers.models import Flag


def sheets_with_entries(*, executive: Executive, weeks: list[date]) -> dict[date, CallSheet]:
    """The executive's sheets of these weeks by week start, entries and customers prefetched."""
    entries = SheetEntry.objects.select_related("customer", "contact", "flag__raised_by", "flag__ticket").order_by(
        "is_backup", "position"
    )
    sheets = CallSheet.objects.filter(executive=executive, week_start__in=weeks).prefetch_related(
        Prefetch("entries", queryset=entries)
    )
    return {sheet.week_start: sheet for sheet in sheets}


def overdue_commitments_by_owner(*, today: date) -> dict:
    """Open commitments due before `today`, grouped by owner (users in a stable order)."""
    by_owner = defaultdict(list)
    commitments = (
        Commitment.objects.overdue(today)
        .select_related("owner", "customer", "call__executive__user")
        .order_by("owner_id", "due_date", "id")
    )
    for commitment in commitments:
        by_owner[commitment.owner].append(commitment)
    return dict(by_owner)


def program_admins():
    """Active users holding the Program admins role (superusers hold every role) with an address."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=PROGRAM_ADMINS) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("id")
    )


@dataclass(frozen=True)
class WeekNumbers:
    """The week's numbers exactly as /program/ shows that week, plus the state of things today."""

    week_start: date
    week_end: date
    planned: int
    made: int  # customers called: a customer called twice in the week by one executive counts once
    reached: int
    executives_calling: int
    commitments_made: int
    commitments_kept: int  # of the promises made that week, kept so far
    commitments_dropped: int
    commitments_overdue: int  # of the promises made that week, overdue now
    overdue_now: int  # every promise overdue now, whenever made
    flags_raised: int
    flags_called: int
    flags_waiting: int
    flags_urgent: int


def program_week_numbers(*, week_start: date, today: date) -> WeekNumbers:
    """One week of `program_metrics` (the numbers of /program/ for that week) and today's waiting flags."""
    m = program_metrics(start=week_start, end=week_start, today=today, with_effect=False)
    week, flags = m.by_week[m.start], Flag.objects.waiting_totals()
    return WeekNumbers(
        week_start=m.start,
        week_end=m.start + timedelta(days=6),
        planned=week.planned,
        made=week.made,
        reached=week.reached,
        executives_calling=m.executives_calling,
        commitments_made=week.promises,
        commitments_kept=week.kept,
        commitments_dropped=week.dropped,
        commitments_overdue=week.overdue,
        overdue_now=m.overdue_now,
        flags_raised=week.flags_raised,
        flags_called=week.flags_called,
        flags_waiting=flags["waiting"],
        flags_urgent=flags["urgent"],
    )


def flag_with_outcome(*, flag_id: int) -> tuple[Flag, list[Commitment]]:
    """The flag, its call and customer, and the commitments made on that call."""
    flag = Flag.objects.select_related("customer", "raised_by", "call__executive__user", "call__contact", "ticket").get(
        pk=flag_id
    )
    commitments = []
    if flag.call_id:
        commitments = list(Commitment.objects.filter(call_id=flag.call_id).select_related("owner").order_by("due_date"))
    return flag, commitments
