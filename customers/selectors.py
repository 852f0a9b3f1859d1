"""Reads that span several models: customer search, alarms, one customer's timeline, a flag's state."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Lower, Upper
from django.utils import timezone

from callsheets.models import CallLog, Commitment, CommitmentChange, ScoringPolicy
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
    customers = Customer.objects.order_by(Upper("name"), "id")
    query = " ".join((query or "").split())
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


def _alarm_sources(policy: ScoringPolicy, now: datetime) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The three cheap alarms: an active flag, a recent detractor, a recent serious open ticket."""
    flags = Flag.objects.active()
    detractors = SurveyResponse.objects.filter(
        Q(kind=SurveyResponse.Kind.NPS, score__lte=6) | Q(kind=SurveyResponse.Kind.CSAT, score__lte=2),
        responded_at__gte=now - timedelta(days=policy.survey_window_days),
    )
    tickets = SupportTicket.objects.filter(
        Q(priority__in=[SupportTicket.Priority.URGENT, SupportTicket.Priority.HIGH]) | Q(escalated=True),
        status__in=SupportTicket.OPEN_STATUSES,
        created_at__gte=now - timedelta(days=policy.ticket_window_days),
    )
    return flags, detractors, tickets


def alarmed_customer_ids(*, policy: ScoringPolicy | None = None, now: datetime | None = None) -> QuerySet:
    """A subquery of the ids of customers with an alarm; each arm of the UNION uses its own index."""
    flags, detractors, tickets = _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now())
    return (
        flags.values("customer_id")
        .order_by()
        .union(detractors.values("customer_id").order_by(), tickets.values("customer_id").order_by())
    )


def alarms_for(
    customer_ids: list[int], *, policy: ScoringPolicy | None = None, now: datetime | None = None
) -> dict[int, list[str]]:
    """Short alarm labels per customer for one page of search results (three queries)."""
    flags, detractors, tickets = _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now())
    labels: dict[int, list[str]] = {pk: [] for pk in customer_ids}
    for customer_id, urgency in flags.filter(customer_id__in=customer_ids).values_list("customer_id", "urgency"):
        labels[customer_id].append("Urgent flag" if urgency == Flag.Urgency.URGENT else "Flagged")
    worst: dict[tuple[int, str], int] = {}
    for customer_id, kind, score in detractors.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "kind", "score"
    ):
        worst[(customer_id, kind)] = min(score, worst.get((customer_id, kind), score))
    for (customer_id, kind), score in sorted(worst.items()):
        labels[customer_id].append(f"{kind.upper()} {score}")
    seen = set()
    for customer_id, priority, escalated in tickets.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "priority", "escalated"
    ):
        label = "Escalated ticket" if escalated else f"{priority.capitalize()} ticket"
        if (customer_id, label) not in seen:
            seen.add((customer_id, label))
            labels[customer_id].append(label)
    return labels


# --- Flags ------------------------------------------------------------------------------------


def flags_with_state() -> QuerySet:
    """Flags with everything their state sentence needs, in a fixed number of queries."""
    return Flag.objects.select_related(
        "customer",
        "raised_by",
        "dismissed_by",
        "ticket",
        "contact",
        "sheet__executive__user",
        "call__executive__user",
        "call__contact",
    ).prefetch_related(
        Prefetch("call__commitments", queryset=Commitment.objects.select_related("owner")),
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


def _scheduled_words(flag: Flag) -> str:
    sheet = flag.sheet
    if sheet is None:
        return "Scheduled"
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
    calls, more_c = newest(CallLog.objects.select_related("executive__user", "contact"), "-called_at")
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


def customer_signals(customer: Customer, *, policy: ScoringPolicy | None = None, now: datetime | None = None) -> dict:
    """The current signals behind an alarm, for the customer page (the builder decides the rest)."""
    flags, detractors, tickets = _alarm_sources(policy or ScoringPolicy.objects.active(), now or timezone.now())
    return {
        "flag": flags.filter(customer=customer).select_related("raised_by", "ticket").first(),
        "detractors": list(detractors.filter(customer=customer).select_related("contact")[:5]),
        "tickets": list(tickets.filter(customer=customer)[:5]),
        "overdue_commitments": list(Commitment.objects.overdue().filter(customer=customer).select_related("owner")),
    }
