"""How fast an alarm becomes a call: per urgency, the time from the flag (the alarm) to the first
executive call attempt and to reaching the customer, and every urgent alarm that missed its window.

One query, whatever the number of flags: the flags raised in the period, each with its first call
attempt and its first reached call at or after the alarm (two correlated subqueries on the
call_customer_idx index), whether the customer has a callable contact, and the slot of the sheet it
waits on. The rest is one pass in Python.

Definitions (also in the README, "Program metrics"):
- alarm: a flag's created_at; urgent or normal is the flag's urgency now.
- first attempt: the customer's first logged executive call (any outcome) at or after the alarm;
  reached: the first call with outcome "reached" at or after it.
- calendar hours: wall-clock hours between the two; business hours: only the hours inside the
  policy's business hours (default 09–17) on weekdays, in the customer's zone.
- window (urgent only): callsheets.hours.urgent_deadline, the close of the next business day in
  the customer's zone. Met = reached by then. A window still running is neither met nor missed.
- percentiles: median and 90th percentile (linear between the nearest ranks) over the alarms that
  have the time; alarms without it are counted, not guessed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from customers.models import Contact, Flag

from ..hours import is_business_day, urgent_deadline, zone
from ..models import CallLog, ScoringPolicy


def percentile(values: list[float], q: float) -> float | None:
    """The q-th quantile (0–1), linear between the nearest ranks; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def business_hours_between(start: datetime, end: datetime, tz_name: str, policy: ScoringPolicy) -> float:
    """Hours of `start`–`end` that fall inside business hours on weekdays, in that zone."""
    if end <= start:
        return 0.0
    tz = zone(tz_name)
    local_start, local_end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if is_business_day(day):
            opens = datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=policy.business_hours_start)
            closes = datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=policy.business_hours_end)
            overlap = (min(closes, local_end) - max(opens, local_start)).total_seconds()
            total += max(0.0, overlap) / 3600
        day += timedelta(days=1)
    return round(total, 1)


@dataclass
class Spread:
    """Median and 90th percentile of a list of hours, with how many it rests on."""

    values: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float | None:
        return round(median(self.values), 1) if self.values else None

    @property
    def p90(self) -> float | None:
        value = percentile(self.values, 0.9)
        return None if value is None else round(value, 1)


@dataclass
class Missed:
    flag_id: int
    customer_id: int
    customer: str
    alarm_at: datetime
    deadline: datetime
    why: str  # a sentence: "Not reached: 2 attempts by the deadline", "No slot in the window: …"
    reached_at: datetime | None = None


@dataclass
class UrgencyRow:
    urgency: str  # "urgent" or "normal"
    label: str
    alarms: int = 0
    attempted: int = 0
    reached: int = 0
    attempt_calendar: Spread = field(default_factory=Spread)
    attempt_business: Spread = field(default_factory=Spread)
    reached_calendar: Spread = field(default_factory=Spread)
    reached_business: Spread = field(default_factory=Spread)
    window_met: int = 0
    window_missed: int = 0
    window_running: int = 0


@dataclass
class Speed:
    rows: list[UrgencyRow]
    missed: list[Missed]
    business_hours: str = "09:00–17:00"  # the policy's, for the labels
    zone: str = "UTC"  # the server's, in which the missed list gives its times

    def row(self, urgency: str) -> UrgencyRow:
        return next(r for r in self.rows if r.urgency == urgency)


def alarm_speed(*, since: datetime, until: datetime, now: datetime | None = None, executive_id=None) -> Speed:
    """The speed numbers for the flags raised in [since, until); see the module's definitions."""
    now = now or timezone.now()
    policy = ScoringPolicy.objects.active()
    calls = CallLog.objects.filter(customer_id=OuterRef("customer_id"), called_at__gte=OuterRef("created_at"))
    first = calls.order_by("called_at").values("called_at")[:1]
    first_reached = calls.filter(outcome=CallLog.Outcome.REACHED).order_by("called_at").values("called_at")[:1]
    attempts = calls.order_by().values("customer_id")
    callable_contact = Contact.objects.filter(customer_id=OuterRef("customer_id"), do_not_call=False).exclude(phone="")
    flags = Flag.objects.filter(created_at__gte=since, created_at__lt=until)
    if executive_id:  # the flags this executive called or holds on a sheet
        flags = flags.filter(Exists(attempts.filter(executive_id=executive_id)) | Q(sheet__executive_id=executive_id))
    rows = {u: UrgencyRow(u, label) for u, label in (("urgent", "Urgent"), ("normal", "Normal"))}
    missed: list[Missed] = []
    for values in flags.annotate(
        first_attempt=Subquery(first),
        first_reached=Subquery(first_reached),
        has_contact=Exists(callable_contact),
    ).values_list(
        "id", "customer_id", "customer__name", "customer__timezone", "urgency", "status", "created_at",
        "not_placed_reason", "sheet__slot_starts_at", "first_attempt", "first_reached", "has_contact",
    ).order_by("created_at", "id"):  # fmt: skip
        (flag_id, customer_id, name, tz_name, urgency, status, alarm, not_placed, slot, attempt, reached, contact) = (
            values
        )
        row = rows["urgent" if urgency == Flag.Urgency.URGENT else "normal"]
        row.alarms += 1
        if attempt:
            row.attempted += 1
            row.attempt_calendar.values.append(round((attempt - alarm).total_seconds() / 3600, 1))
            row.attempt_business.values.append(business_hours_between(alarm, attempt, tz_name, policy))
        if reached:
            row.reached += 1
            row.reached_calendar.values.append(round((reached - alarm).total_seconds() / 3600, 1))
            row.reached_business.values.append(business_hours_between(alarm, reached, tz_name, policy))
        if row.urgency != "urgent":
            continue
        deadline = urgent_deadline(alarm, tz_name, policy)
        if reached and reached <= deadline:
            row.window_met += 1
        elif not reached and now <= deadline:
            row.window_running += 1
        else:
            row.window_missed += 1
            why = _why(status, not_placed, slot, attempt, contact, deadline)
            missed.append(Missed(flag_id, customer_id, name, alarm, deadline, why, reached))
    hours = f"{policy.business_hours_start:02d}:00–{policy.business_hours_end:02d}:00"
    return Speed(
        rows=list(rows.values()), missed=missed, business_hours=hours, zone=timezone.get_current_timezone_name()
    )


def _why(status, not_placed: str, slot, attempt, has_contact: bool, deadline: datetime) -> str:
    """Why an urgent alarm was not reached in its window, in the order an admin would look."""
    if attempt and attempt <= deadline:
        return "Not reached: called in the window, but nobody answered (voicemail or no answer)."
    if attempt:
        return "Called too late: the first call came after the deadline."
    if status == Flag.Status.DISMISSED:
        return "Dismissed by an admin."
    if not has_contact or not_placed.startswith("No callable contact"):
        return "No contact: the customer has no callable contact."
    if slot and slot > deadline:
        return "No slot in the window: the sheet it waits on is after the deadline."
    if not_placed:
        return f"Not placed: {not_placed}"
    if status in Flag.ACTIVE_STATUSES:
        return "Still waiting: no call yet."
    return "No call logged."


def speed_for_weeks(start: date, end: date, *, executive_id=None, now=None) -> Speed:
    """The flags raised in the weeks from `start` to `end` (Mondays, inclusive), in TIME_ZONE."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=7), time.min, tzinfo=tz)
    return alarm_speed(since=since, until=until, now=now, executive_id=executive_id)
