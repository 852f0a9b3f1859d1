"""Reads that span several models: customer search, alarms, one customer's timeline, a flag's state."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Lower, Upper
from django.utils import timezone

from callsheets.models import (
    CallLog,
    CallSheet,
    Commitment,
    CommitmentChange,
    ScoringPolicy,
    SheetEntry,
    UrgentCall,
    overdue_today,
    week_start_of,
)
from callsheets.services.urgent import QUEUE_DOWN_NOTE
from ceocalls.people import display_name

from .models import Contact, Customer, Flag, FlagNote, SupportTicket, SurveyResponse

# --- Search -----------------------------------------------------------------------------------


def customer_search(
    *, query: str = "", tier: str = "", alarm: bool = False, policy: ScoringPolicy | None = None, now=None
) -> QuerySet:
    """Customers matching `query` by name (a word inside it), domain, external id or a contact's e-mail.

    Every branch is an indexed lookup: the name through the trigram index on UPPER(name)
    (PostgreSQL), the domain and external id by equality, a contact's e-mail by equality on
    LOWER(email) — resolved first to a handful of ids, so the OR stays a bitmap OR of indexes.
    """
    customers = Customer.objects.prefetch_related("tier").order_by(Upper("name"), "id")  # no join: the plans stay
    # No name holds a NUL, and PostgreSQL refuses one in a query: it is a space like any other.
    query = " ".join((query or "").replace("\x00", " ").split())
    if query:
        lowered = query.lower()
        match = Q(name__icontains=query) | Q(external_id=query) | Q(domain=lowered.removeprefix("@"))
        if "@" in query:
            # LOWER(email) = …, the expression of contact_email_lower_idx (iexact would be UPPER()).
            contacts = Contact.objects.annotate(email_lower=Lower("email")).filter(email_lower=lowered)
            ids = list(contacts.values_list("customer_id", flat=True).distinct()[:50])
            match |= Q(pk__in=ids)
        # A search matches few rows: sort them after fetching. Ordering by the indexed UPPER(name)
        # here lets the planner walk that whole index for a LIMIT 1 page (0.4 s on 100,000 rows).
        customers = customers.filter(match).order_by(Lower("name"), "id")
    if tier:
        customers = customers.filter(tier=tier)
    if alarm:
        customers = customers.filter(pk__in=alarmed_customer_ids(policy=policy, now=now))
    return customers


# --- Alarms -----------------------------------------------------------------------------------
# "Has an alarm" has one definition, shared by the filter of /customers/, its Alarms column and the
# customer page: any of the five sources below.


@dataclass(frozen=True)
class Alarm:
    label: str
    tone: str  # a Bootstrap colour for the badge

    def __str__(self):
        return self.label


def _alarm_sources(policy: ScoringPolicy, now: datetime) -> dict[str, QuerySet]:
    """Each kind of alarm as a QuerySet of rows that carry a customer_id.

    flag: an open or scheduled flag; survey: a detractor answer (SurveyResponse.objects.detractors())
    within the policy's survey window; ticket: an open urgent, high-priority or escalated ticket
    opened within its ticket window; overdue: an overdue promise (Commitment.objects.overdue());
    sheet: a place on a call sheet of this week or later, not yet called or skipped (listening
    calls are the builder's "no alarm at all", so they do not count).
    """
    today = overdue_today()
    return {
        "flag": Flag.objects.active(),
        "survey": SurveyResponse.objects.detractors().filter(
            responded_at__gte=now - timedelta(days=policy.survey_window_days)
        ),
        "ticket": SupportTicket.objects.filter(
            Q(priority__in=[SupportTicket.Priority.URGENT, SupportTicket.Priority.HIGH]) | Q(escalated=True),
            status__in=SupportTicket.OPEN_STATUSES,
            created_at__gte=now - timedelta(days=policy.ticket_window_days),
        ),
        "overdue": Commitment.objects.overdue(today),
        "sheet": SheetEntry.objects.filter(
            status=SheetEntry.Status.PENDING, is_listening=False, week_start__gte=week_start_of(today)
        ),
    }


def alarmed_customer_ids(*, policy: ScoringPolicy | None = None, now: datetime | None = None) -> QuerySet:
    """A subquery of the ids of customers with an alarm; each arm of the UNION uses its own index."""
    arms = [
        qs.values("customer_id").order_by()
        for qs in _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now()).values()
    ]
    return arms[0].union(*arms[1:])


def _label_rows(sources: dict[str, QuerySet], customer_ids: list[int]) -> QuerySet:
    """One UNION query: (customer, source, text, number) for every alarm of these customers."""
    text, number = CharField(), IntegerField()
    columns = {
        "flag": (F("urgency"), Value(0)),
        "survey": (F("kind"), F("score")),
        "ticket": (F("priority"), Case(When(escalated=True, then=Value(1)), default=Value(0), output_field=number)),
        "overdue": (Value(""), Value(0)),
        # Backups as negative positions; the week as text, to say "this week" or "next week".
        "sheet": (
            Cast("week_start", text),
            Case(When(is_backup=True, then=-F("position")), default=F("position"), output_field=number),
        ),
    }
    arms = []
    for source, qs in sources.items():
        label_text, label_number = columns[source]
        arms.append(
            qs.filter(customer_id__in=customer_ids)
            .annotate(
                alarm_customer=F("customer_id"),
                alarm_source=Value(source, output_field=text),
                alarm_text=Cast(label_text, text),
                alarm_number=Cast(label_number, number),
            )
            .values_list("alarm_customer", "alarm_source", "alarm_text", "alarm_number")
            .order_by()
        )
    return arms[0].union(*arms[1:], all=True)


def alarms_for(
    customer_ids: list[int], *, policy: ScoringPolicy | None = None, now: datetime | None = None
) -> dict[int, list[Alarm]]:
    """Short alarm labels per customer for one page of search results, in one query."""
    labels: dict[int, list[Alarm]] = {pk: [] for pk in customer_ids}
    if not customer_ids:
        return labels
    sources = _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now())
    found: dict[int, dict[str, list]] = {pk: {} for pk in customer_ids}
    for customer_id, source, text, number in _label_rows(sources, customer_ids):
        found[customer_id].setdefault(source, []).append((text, number))
    this_week = week_start_of(overdue_today())
    for customer_id, by_source in found.items():
        labels[customer_id] = _labels(by_source, this_week)
    return labels


def _labels(by_source: dict[str, list], this_week: date) -> list[Alarm]:
    out = []
    for urgency, _ in by_source.get("flag", []):
        out.append(Alarm("Urgent flag", "danger") if urgency == Flag.Urgency.URGENT else Alarm("Flagged", "warning"))
    worst: dict[str, int] = {}
    for kind, score in by_source.get("survey", []):
        worst[kind] = min(score, worst.get(kind, score))
    out.extend(Alarm(f"{kind.upper()} {score}", "danger") for kind, score in sorted(worst.items()))
    tickets = {
        "Escalated ticket" if escalated else f"{priority.capitalize()} ticket"
        for priority, escalated in by_source.get("ticket", [])
    }
    out.extend(Alarm(t, "warning" if t == "High ticket" else "danger") for t in sorted(tickets))
    if overdue := len(by_source.get("overdue", [])):
        out.append(Alarm(f"{overdue} overdue promise{'s'[: overdue != 1]}", "danger"))
    for week, position in sorted(by_source.get("sheet", [])):
        weeks_ahead = (date.fromisoformat(week[:10]) - this_week).days // 7
        which = {0: "this week's sheet", 1: "next week's sheet"}.get(weeks_ahead, f"the sheet of {week[:10]}")
        out.append(Alarm(f"#{position} on {which}" if position > 0 else f"Backup on {which}", "info"))
    return out


# --- Flags ------------------------------------------------------------------------------------


def flags_with_state() -> QuerySet:
    """Flags with everything their state sentence needs, in a fixed number of queries.

    The sheet and the call (each with its executive) are prefetched, not joined: joined, the
    statement had ten tables and PostgreSQL spent 80-130 ms choosing their order for a page of
    25 flags it then read in 1 ms (EXPLAIN at 10,000 customers); now it plans six.
    """
    return Flag.objects.select_related("customer", "raised_by", "dismissed_by", "ticket", "contact").prefetch_related(
        Prefetch("sheet", queryset=CallSheet.objects.select_related("executive__user")),
        Prefetch(
            "call",
            queryset=CallLog.objects.select_related("executive__user", "contact").prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.select_related("owner"))
            ),
        ),
        Prefetch("notes", queryset=FlagNote.objects.select_related("author", "ticket")),
    )


def flags_for_viewer(user, *, mine_only: bool) -> QuerySet:
    """A lead's own flags (raised by them, or added to); an admin's view is every flag."""
    flags = flags_with_state()
    if mine_only:
        flags = flags.filter(Q(raised_by=user) | Q(pk__in=FlagNote.objects.filter(author=user).values("flag_id")))
    return flags


@dataclass
class FlagState:
    status: str
    headline: str  # "Scheduled on Jane Doe's sheet for Tuesday 3 Dec 10:00"
    detail: str = ""
    tone: str = "secondary"  # a Bootstrap colour for the badge
    commitments: list = field(default_factory=list)


def flag_state(flag: Flag) -> FlagState:
    """The flag's state in words a support lead reads without asking anyone."""
    status = flag.status
    if status == Flag.Status.OPEN:
        if flag.is_urgent and flag.urgent_since and flag.urgent_handled_at is None:
            if flag.urgent_enqueued_at is None:  # the broker was down when it was raised
                return FlagState(status, QUEUE_DOWN_NOTE.rstrip("."), "", "warning")
            return FlagState(status, "Being placed now: urgent alarms go on a sheet within a minute", "", "primary")
        if flag.is_urgent and flag.urgent_handled_at and flag.not_placed_reason:
            return FlagState(status, flag.not_placed_reason, "", "warning")  # the urgent placement's own words
        if flag.not_placed_reason:
            return FlagState(status, f"Not placed on the last build: {flag.not_placed_reason}", "", "warning")
        return FlagState(status, "Waiting for the next call-sheet build", "", "primary")
    if status == Flag.Status.SCHEDULED:
        return FlagState(status, _scheduled_words(flag), "", "info")
    if status == Flag.Status.CALLED and flag.call_id:
        return _called_state(flag)
    if status == Flag.Status.DISMISSED:
        by = _person(flag.dismissed_by) if flag.dismissed_by else "an admin"
        when = f" on {_local(flag.closed_at, None):%-d %b}" if flag.closed_at else ""
        return FlagState(status, f"Dismissed by {by}{when}", flag.dismissed_reason, "dark")
    if status == Flag.Status.CLOSED:
        when = f" on {_local(flag.closed_at, None):%-d %b %Y}" if flag.closed_at else ""
        if flag.call_id:
            called = _called_state(flag)
            called.status, called.tone = status, "secondary"
            called.headline = f"Closed{when}. {called.headline}"
            return called
        return FlagState(status, f"Closed{when}", "", "secondary")
    return FlagState(status, flag.get_status_display(), "", "secondary")


# A flag scheduled without a sheet has an urgent call outside the slot.
_URGENT_CALL = Prefetch("urgent_call", queryset=UrgentCall.objects.select_related("executive__user", "customer"))


def flag_states(flags) -> list[FlagState]:
    """flag_state of each flag of a page; the urgent calls of those that have one are read in one
    query (none when no flag of the page needs it), not one per flag."""
    flags = list(flags)
    waiting = [f for f in flags if f.status == Flag.Status.SCHEDULED and f.sheet_id is None]
    if waiting:
        prefetch_related_objects(waiting, _URGENT_CALL)
    return [flag_state(f) for f in flags]


def _scheduled_words(flag: Flag) -> str:
    sheet = flag.sheet
    if sheet is None:
        if not Flag.urgent_call.is_cached(flag):
            prefetch_related_objects([flag], _URGENT_CALL)
        try:
            urgent_call = flag.urgent_call
        except UrgentCall.DoesNotExist:
            return "Scheduled"
        local = timezone.localtime(urgent_call.deadline, urgent_call.customer.zoneinfo)
        return (
            f"An urgent call: {urgent_call.executive.name} calls outside the weekly slot, by "
            f"{local:%a %-d %b %H:%M} ({urgent_call.customer.timezone})"
        )
    executive = sheet.executive
    start = sheet.slot_starts_at or executive.slot_start(sheet.week_start)
    if start is None:
        return f"Scheduled on {executive.name}'s sheet for the week of {sheet.week_start:%-d %b}"
    local = timezone.localtime(start, executive.zoneinfo)
    return f"Scheduled on {executive.name}'s sheet for {local:%A %-d %b %H:%M} ({executive.timezone})"


def _called_state(flag: Flag) -> FlagState:
    call = flag.call
    reached = call.outcome == CallLog.Outcome.REACHED
    when = _local(call.called_at, call.executive.zoneinfo)
    headline = f"Called by {call.executive.name} on {when:%a %-d %b}: {'reached' if reached else 'not reached'}" + (
        "" if reached else f" ({call.get_outcome_display().lower()})"
    )
    parts = []
    if call.contact_id:
        parts.append(f"Spoke with {call.contact.name}." if reached else f"Tried {call.contact.name}.")
    if call.sentiment:
        parts.append(f"The customer was {call.get_sentiment_display().lower()}.")
    commitments = list(call.commitments.all())
    if reached and not commitments:
        parts.append("No commitments were made.")
    if not reached and flag.status == Flag.Status.CALLED:
        parts.append("You can flag the customer again.")
    return FlagState(flag.status, headline, " ".join(parts), "success" if reached else "warning", commitments)


def _local(moment: datetime, zone) -> datetime:
    return timezone.localtime(moment, zone) if zone else timezone.localtime(moment)


def _person(user) -> str:
    return display_name(user)


# --- A customer's timeline --------------------------------------------------------------------


@dataclass
class TimelineEvent:
    at: datetime
    kind: str  # ticket, survey, flag, call, commitment
    obj: object
    state: FlagState | None = None


def customer_timeline(customer: Customer, *, limit: int | None = 60) -> tuple[list[TimelineEvent], bool]:
    """Tickets, survey responses, flags, calls and commitments of one customer, newest first.

    Reads at most `limit` of each kind (None: all), in a fixed number of queries; the second
    value says whether older events were left out.
    """

    def newest(qs, order):
        qs = qs.filter(customer=customer).order_by(order, "-id")
        if limit is None:
            return list(qs), False
        rows = list(qs[: limit + 1])
        return rows[:limit], len(rows) > limit

    tickets, more_t = newest(SupportTicket.objects.select_related("requester"), "-created_at")
    surveys, more_s = newest(SurveyResponse.objects.select_related("contact"), "-responded_at")
    flags, more_f = newest(flags_with_state(), "-created_at")
    calls, more_c = newest(CallLog.objects.select_related("executive__user", "contact", "follow_up"), "-called_at")
    commitments, more_m = newest(
        Commitment.objects.select_related("owner", "call__executive__user").prefetch_related(
            Prefetch("changes", queryset=CommitmentChange.objects.select_related("by"))
        ),
        "-created_at",
    )
    events = (
        [TimelineEvent(t.created_at, "ticket", t) for t in tickets]
        + [TimelineEvent(s.responded_at, "survey", s) for s in surveys]
        + [TimelineEvent(f.created_at, "flag", f, flag_state(f)) for f in flags]
        + [TimelineEvent(c.called_at, "call", c) for c in calls]
        + [TimelineEvent(m.created_at, "commitment", m) for m in commitments]
    )
    events.sort(key=lambda e: e.at, reverse=True)
    return events, any((more_t, more_s, more_f, more_c, more_m))


def customer_signals(
    customer: Customer,
    *,
    policy: ScoringPolicy | None = None,
    now: datetime | None = None,
    known: dict[str, list] | None = None,
) -> dict:
    """The current signals behind an alarm, for the customer page (the builder decides the rest).

    Which rows are signals is asked in one UNION over the alarm sources (their one definition);
    the rows themselves come from `known` (what the page already read for its timeline, by
    source: "flag", "survey", "ticket", "overdue") and only the ones missing there are read.
    """
    sources = _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now())
    text = CharField()
    arms = [
        sources[name]
        .filter(customer=customer)
        .annotate(signal_source=Value(name, output_field=text))
        .values_list("signal_source", "pk")
        .order_by()
        for name in ("flag", "survey", "ticket", "overdue")
    ]
    ids: dict[str, list[int]] = defaultdict(list)
    for name, pk in arms[0].union(*arms[1:], all=True):
        ids[name].append(pk)
    known = known or {}
    reads = {
        "flag": Flag.objects.select_related("raised_by", "ticket"),
        "survey": SurveyResponse.objects.select_related("contact"),
        "ticket": SupportTicket.objects.all(),
        "overdue": Commitment.objects.select_related("owner"),
    }
    found: dict[str, list] = {}
    for name, read in reads.items():
        have = {obj.pk: obj for obj in known.get(name, ()) if obj.pk in set(ids[name])}
        missing = [pk for pk in ids[name] if pk not in have]
        if missing:
            have.update(read.in_bulk(missing))
        # Each model's Meta.ordering (the sorts are stable: ties keep the order by id).
        rows = sorted(have.values(), key=lambda obj: obj.pk)
        if name == "flag":
            rows.sort(key=lambda f: (f.created_at, f.pk), reverse=True)  # newest, then highest id
        elif name == "survey":
            rows.sort(key=lambda r: r.responded_at, reverse=True)  # newest, then lowest id
        elif name == "ticket":
            rows.sort(key=lambda t: t.created_at, reverse=True)
        else:
            rows.sort(key=lambda c: c.due_date)  # commitments: due date, then id
        found[name] = rows
    return {
        "flag": found["flag"][0] if found["flag"] else None,
        "detractors": found["survey"][:5],
        "tickets": found["ticket"][:5],
        "overdue_commitments": found["overdue"],
    }
