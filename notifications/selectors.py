"""Reads across customers and call sheets that the e-mails and the feed are made of."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q

from callsheets.models import CallLog, CallSheet, Commitment, Executive, SheetEntry
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
    week_start: date
    week_end: date
    calls: int
    reached: int
    executives_calling: int
    commitments_made: int
    commitments_kept: int
    commitments_dropped: int
    commitments_overdue: int
    flags_waiting: int
    flags_urgent: int
    flags_raised: int


def program_week_numbers(*, week_start: date, today: date, tz) -> WeekNumbers:
    """The program's week in numbers: the week's calls and commitments, the state of things today."""
    start = datetime.combine(week_start, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(week_start + timedelta(days=7), time.min, tzinfo=tz).astimezone(UTC)
    calls = CallLog.objects.filter(called_at__gte=start, called_at__lt=end).aggregate(
        calls=Count("id"),
        reached=Count("id", filter=Q(outcome=CallLog.Outcome.REACHED)),
        executives=Count("executive", distinct=True),
    )
    done = Commitment.objects.filter(completed_at__gte=start, completed_at__lt=end).aggregate(
        kept=Count("id", filter=Q(status=Commitment.Status.DONE)),
        dropped=Count("id", filter=Q(status=Commitment.Status.DROPPED)),
    )
    flags = Flag.objects.aggregate(
        waiting=Count("id", filter=Q(status__in=Flag.ACTIVE_STATUSES)),
        urgent=Count("id", filter=Q(status__in=Flag.ACTIVE_STATUSES, urgency=Flag.Urgency.URGENT)),
        raised=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
    )
    return WeekNumbers(
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        calls=calls["calls"],
        reached=calls["reached"],
        executives_calling=calls["executives"],
        commitments_made=Commitment.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        commitments_kept=done["kept"],
        commitments_dropped=done["dropped"],
        commitments_overdue=Commitment.objects.overdue(today).count(),
        flags_waiting=flags["waiting"],
        flags_urgent=flags["urgent"],
        flags_raised=flags["raised"],
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
