"""Reads every signal the builder scores, with a fixed number of queries whatever the data size.

Each reader is one query (an aggregate where the rows are many: tickets, calls) and returns a
dict keyed by customer id. `customer_id` narrows every reader to one customer, which is how
`explain_customer` reuses exactly the same rules.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, Subquery, Sum

from customers.models import Contact, Customer, Flag, SupportTicket, SurveyResponse

from ..models import CallLog, Commitment, ScoringPolicy, SheetEntry

TICKET_KINDS = ("urgent", "high", "escalated", "reopens", "old_open")


@dataclass
class CustomerSignals:
    """What the data says about one customer at build time."""

    customer_id: int
    flag: Flag | None = None
    nps: SurveyResponse | None = None
    csat: SurveyResponse | None = None
    tickets: dict = field(default_factory=dict)
    overdue: list = field(default_factory=list)  # [{"promise", "due_date", "executive_id"}]
    carried_over: dict | None = None  # {"executive_id", "week_start"}

    @property
    def has_alarm(self) -> bool:
        return bool(
            self.flag or self.nps or self.csat or self.overdue or self.carried_over or any(self.tickets.values())
        )

    @property
    def is_urgent(self) -> bool:
        return bool(self.flag and self.flag.is_urgent)


@dataclass
class CallHistory:
    """The customer's calls: cooldown (last reached) and relationship (who called last)."""

    last_reached_at: datetime | None = None
    last_reached_by: int | None = None
    last_called_by: int | None = None
    last_called_at: datetime | None = None


def _only(qs, customer_id, lookup="customer_id"):
    return qs.filter(**{lookup: customer_id}) if customer_id is not None else qs


def read_flags(*, customer_id=None) -> dict[int, Flag]:
    """Open and scheduled flags (at most one per customer, a constraint says so)."""
    qs = Flag.objects.active().select_related("raised_by", "ticket", "sheet__executive__user")
    return {f.customer_id: f for f in _only(qs, customer_id)}


def read_surveys(*, policy: ScoringPolicy, now: datetime, customer_id=None) -> dict[int, dict]:
    """Each customer's latest NPS and CSAT answer in the window, kept only when it is low.

    The latest answer wins: a customer who said 2 and later 9 is no longer a detractor.
    """
    since = now - timedelta(days=policy.survey_window_days)
    latest = (
        SurveyResponse.objects.filter(
            customer_id=OuterRef("customer_id"), kind=OuterRef("kind"), responded_at__gte=since, responded_at__lte=now
        )
        .order_by("-responded_at", "-id")
        .values("id")[:1]
    )
    qs = SurveyResponse.objects.filter(responded_at__gte=since, responded_at__lte=now, id=Subquery(latest)).detractors()
    found: dict[int, dict] = {}
    for response in _only(qs, customer_id):
        found.setdefault(response.customer_id, {})[response.kind] = response
    return found


def ticket_filters(policy: ScoringPolicy, now: datetime) -> tuple[Q, dict]:
    """Which tickets count (opened in the window, or still open) and the condition of each kind."""
    since = now - timedelta(days=policy.ticket_window_days)
    old = now - timedelta(days=policy.open_ticket_days)
    is_open = Q(status__in=SupportTicket.OPEN_STATUSES)
    kinds = {
        "urgent": Q(priority=SupportTicket.Priority.URGENT),
        "high": Q(priority=SupportTicket.Priority.HIGH),
        "escalated": Q(escalated=True),
        "reopens": Q(reopen_count__gt=0),
        "old_open": is_open & Q(created_at__lte=old),
    }
    return (Q(created_at__gte=since) | is_open) & Q(created_at__lte=now), kinds


def read_ticket_counts(*, policy: ScoringPolicy, now: datetime, customer_id=None) -> dict[int, dict]:
    """One GROUP BY customer: how many tickets of each kind (and reopens in total)."""
    counting, kinds = ticket_filters(policy, now)
    annotations = {name: Count("id", filter=cond) for name, cond in kinds.items() if name != "reopens"}
    annotations["reopens"] = Sum("reopen_count", filter=kinds["reopens"], default=0)
    any_kind = Q()
    for name in TICKET_KINDS:
        any_kind |= Q(**{f"{name}__gt": 0})
    qs = (
        SupportTicket.objects.filter(counting).values("customer_id").annotate(**annotations).filter(any_kind).order_by()
    )
    return {row.pop("customer_id"): row for row in _only(qs, customer_id)}


def read_ticket_details(*, policy: ScoringPolicy, now: datetime, customer_ids) -> dict[int, list]:
    """The tickets behind the counts, for the few customers that made a sheet: one query."""
    counting, kinds = ticket_filters(policy, now)
    any_kind = Q()
    for cond in kinds.values():
        any_kind |= cond
    qs = (
        SupportTicket.objects.filter(counting & any_kind, customer_id__in=list(customer_ids))
        .only(
            "id",
            "customer_id",
            "external_id",
            "subject",
            "status",
            "priority",
            "escalated",
            "reopen_count",
            "created_at",
        )
        .order_by("customer_id", "created_at", "id")
    )
    found: dict[int, list] = {}
    for ticket in qs:
        found.setdefault(ticket.customer_id, []).append(ticket)
    return found


def read_overdue_commitments(*, today: date, customer_id=None) -> dict[int, list]:
    qs = Commitment.objects.overdue(today).values("customer_id", "promise", "due_date", "call__executive_id")
    found: dict[int, list] = {}
    for row in _only(qs, customer_id):
        found.setdefault(row["customer_id"], []).append(
            {"promise": row["promise"], "due_date": row["due_date"], "executive_id": row["call__executive_id"]}
        )
    return found


def read_carried_over(*, week_start: date, now: datetime, customer_id=None) -> dict[int, dict]:
    """Last week's entries whose slot has passed without the customer being reached.

    Only a sheet built before its slot counts: a sheet built after the slot had passed (a late
    build of the current week) was never in front of the executive, so nobody failed to call.
    """
    reached = CallLog.objects.filter(entry=OuterRef("pk"), outcome=CallLog.Outcome.REACHED)
    qs = (
        SheetEntry.objects.filter(week_start=week_start - timedelta(days=7))
        .exclude(status=SheetEntry.Status.CALLED)
        .filter(Q(status=SheetEntry.Status.SKIPPED) | Q(sheet__slot_starts_at__lt=now))
        .filter(sheet__built_at__lt=F("sheet__slot_starts_at"))
        .filter(~Exists(reached))
        .values("customer_id", "sheet__executive_id")
    )
    return {
        row["customer_id"]: {"executive_id": row["sheet__executive_id"], "week_start": week_start - timedelta(days=7)}
        for row in _only(qs, customer_id)
    }


def read_call_history(*, customer_id=None) -> dict[int, CallHistory]:
    """One aggregate over (customer, executive): the last call and the last reached call of each pair."""
    qs = (
        CallLog.objects.values("customer_id", "executive_id")
        .annotate(last=Max("called_at"), last_reached=Max("called_at", filter=Q(outcome=CallLog.Outcome.REACHED)))
        .order_by()
    )
    history: dict[int, CallHistory] = {}
    for row in _only(qs, customer_id):
        h = history.setdefault(row["customer_id"], CallHistory())
        # Ties on the timestamp go to the lower executive id, so the answer never depends on row order.
        if h.last_called_at is None or (row["last"], -row["executive_id"]) > (h.last_called_at, -h.last_called_by):
            h.last_called_at, h.last_called_by = row["last"], row["executive_id"]
        if row["last_reached"] and (
            h.last_reached_at is None
            or (row["last_reached"], -row["executive_id"]) > (h.last_reached_at, -h.last_reached_by)
        ):
            h.last_reached_at, h.last_reached_by = row["last_reached"], row["executive_id"]
    return history


def read_signals(*, policy: ScoringPolicy, now: datetime, today: date, week_start: date, customer_id=None):
    """Every alarm signal, merged per customer: six queries."""
    flags = read_flags(customer_id=customer_id)
    surveys = read_surveys(policy=policy, now=now, customer_id=customer_id)
    tickets = read_ticket_counts(policy=policy, now=now, customer_id=customer_id)
    overdue = read_overdue_commitments(today=today, customer_id=customer_id)
    carried = read_carried_over(week_start=week_start, now=now, customer_id=customer_id)
    ids = set(flags) | set(surveys) | set(tickets) | set(overdue) | set(carried)
    signals = {}
    for cid in ids:
        answers = surveys.get(cid, {})
        signals[cid] = CustomerSignals(
            customer_id=cid,
            flag=flags.get(cid),
            nps=answers.get(SurveyResponse.Kind.NPS),
            csat=answers.get(SurveyResponse.Kind.CSAT),
            tickets=tickets.get(cid, {}),
            overdue=overdue.get(cid, []),
            carried_over=carried.get(cid),
        )
    return signals


def callable_contacts():
    return Contact.objects.filter(do_not_call=False).exclude(phone="").order_by("-is_primary", "name", "id")


def read_customers(customer_ids) -> dict[int, Customer]:
    """The customers with their callable contacts prefetched: two queries."""
    qs = Customer.objects.filter(id__in=list(customer_ids)).prefetch_related(
        Prefetch("contacts", queryset=callable_contacts(), to_attr="callable_contacts")
    )
    return {c.id: c for c in qs}


def read_quiet_pool() -> list[int]:
    """Ids of every customer that could take a listening call: not churned, with a callable contact."""
    has_contact = Exists(callable_contacts().filter(customer_id=OuterRef("pk")))
    return list(
        Customer.objects.exclude(lifecycle_status=Customer.Lifecycle.CHURNED)
        .filter(has_contact)
        .order_by("id")
        .values_list("id", flat=True)
    )
