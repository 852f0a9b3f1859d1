"""Reads every signal the builder scores, with a fixed number of queries whatever the data size.

Each reader is one query (an aggregate where the rows are many: tickets, calls) and returns a
dict keyed by customer id. `customer_id` narrows every reader to one customer, which is how
`explain_customer` reuses exactly the same rules.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum, Window
from django.db.models.functions import FirstValue, RowNumber

from customers.models import Contact, Customer, Flag, SupportTicket, SurveyResponse

from ..models import CallLog, Commitment, ScoringPolicy, SheetEntry

TICKET_KINDS = ("urgent", "high", "escalated", "reopens", "old_open")
QUIET_SAMPLE_FROM = 8  # a base wider than this many batches of ids is sampled, a narrower one read whole


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

    The latest answer wins: a customer who said 2 and later 9 is no longer a detractor. One pass
    over the window's answers, ranked per customer and kind (a window function, not a subquery per
    answer); the low-score test reads the window's first value so it applies after the ranking.
    """
    since = now - timedelta(days=policy.survey_window_days)
    newest_first = {
        "partition_by": [F("customer_id"), F("kind")],
        "order_by": [F("responded_at").desc(), F("id").desc()],
    }
    qs = (
        _only(SurveyResponse.objects.filter(responded_at__gte=since, responded_at__lte=now), customer_id)
        .annotate(rank=Window(RowNumber(), **newest_first), latest_score=Window(FirstValue("score"), **newest_first))
        .filter(
            Q(rank=1)
            & (
                Q(kind=SurveyResponse.Kind.NPS, latest_score__lte=6)
                | Q(kind=SurveyResponse.Kind.CSAT, latest_score__lte=2)
            )
        )
        .order_by()
    )
    found: dict[int, dict] = {}
    for response in qs:
        found.setdefault(response.customer_id, {})[response.kind] = response
    return found


def ticket_filters(policy: ScoringPolicy, now: datetime) -> tuple[Q, dict]:
    """Which tickets count (opened in the window, or still open) and the condition of each kind."""
    recent, still_open = ticket_reads(policy, now)
    return recent | still_open, ticket_kinds(policy, now)


def ticket_reads(policy: ScoringPolicy, now: datetime) -> tuple[Q, Q]:
    """The tickets that count, as two disjoint reads that each follow an index: opened in the
    window (by `created_at`), and opened before it but still open (by `status, created_at`).
    Together they are "opened in the window, or still open"; an OR of the two in one query
    makes PostgreSQL read every ticket of every year."""
    since = now - timedelta(days=policy.ticket_window_days)
    return (
        Q(created_at__gte=since, created_at__lte=now),
        Q(status__in=SupportTicket.OPEN_STATUSES, created_at__lt=since),
    )


def ticket_kinds(policy: ScoringPolicy, now: datetime) -> dict:
    old = now - timedelta(days=policy.open_ticket_days)
    return {
        "urgent": Q(priority=SupportTicket.Priority.URGENT),
        "high": Q(priority=SupportTicket.Priority.HIGH),
        "escalated": Q(escalated=True),
        "reopens": Q(reopen_count__gt=0),
        "old_open": Q(status__in=SupportTicket.OPEN_STATUSES, created_at__lte=old),
    }


def read_ticket_counts(*, policy: ScoringPolicy, now: datetime, customer_id=None) -> dict[int, dict]:
    """Per customer, how many tickets of each kind (and reopens in total): one GROUP BY per read
    of `ticket_reads`, added up here (the reads are disjoint, so the sums are exact). One customer's
    tickets are one read through the customer's index."""
    kinds = ticket_kinds(policy, now)
    annotations = {name: Count("id", filter=cond) for name, cond in kinds.items() if name != "reopens"}
    annotations["reopens"] = Sum("reopen_count", filter=kinds["reopens"], default=0)
    any_kind = Q()
    for name in TICKET_KINDS:
        any_kind |= Q(**{f"{name}__gt": 0})
    found: dict[int, dict] = {}
    recent, still_open = ticket_reads(policy, now)
    for read in [recent | still_open] if customer_id is not None else [recent, still_open]:
        qs = SupportTicket.objects.filter(read).values("customer_id").annotate(**annotations).filter(any_kind)
        for row in _only(qs.order_by(), customer_id):
            counts = found.setdefault(row.pop("customer_id"), dict.fromkeys(TICKET_KINDS, 0))
            for name in TICKET_KINDS:
                counts[name] += row[name] or 0
    return found


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


def read_call_history(*, customer_id=None, customer_ids=None) -> dict[int, CallHistory]:
    """One aggregate over (customer, executive): the last call and the last reached call of each pair.

    The build reads it only for the customers it is about to place (`customer_ids`): who called
    them last decides whose sheet they go to. Cooldowns come from `read_cooldowns`.
    """
    qs = (
        CallLog.objects.values("customer_id", "executive_id")
        .annotate(last=Max("called_at"), last_reached=Max("called_at", filter=Q(outcome=CallLog.Outcome.REACHED)))
        .order_by()
    )
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=list(customer_ids))
    history: dict[int, CallHistory] = {}
    for row in _only(qs, customer_id):
        h = history.setdefault(row["customer_id"], CallHistory())
        # Ties on the timestamp go to the lower executive id, so the answer never depends on row order.
        if h.last_called_at is None or (row["last"], -row["executive_id"]) > (h.last_called_at, -h.last_called_by):
            h.last_called_at, h.last_called_by = row["last"], row["executive_id"]
        if row["last_reached"]:
            _note_reached(h, row["last_reached"], row["executive_id"])
    return history


def read_cooldowns(*, since: datetime) -> dict[int, CallHistory]:
    """The customers reached after `since` (the cooldown's reach): when last, and by whom.

    A customer reached before `since` is out of cooldown whatever else happened, so the read
    covers a few weeks of calls, not the program's whole history.
    """
    qs = (
        CallLog.objects.filter(outcome=CallLog.Outcome.REACHED, called_at__gt=since)
        .values("customer_id", "executive_id")
        .annotate(last=Max("called_at"))
        .order_by()
    )
    history: dict[int, CallHistory] = {}
    for row in qs:
        _note_reached(history.setdefault(row["customer_id"], CallHistory()), row["last"], row["executive_id"])
    return history


def _note_reached(h: CallHistory, at: datetime, executive_id: int) -> None:
    if h.last_reached_at is None or (at, -executive_id) > (h.last_reached_at, -h.last_reached_by):
        h.last_reached_at, h.last_reached_by = at, executive_id


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


_RANKED = {"id", "external_id", "name", "tier", "annual_revenue", "timezone", "lifecycle_status"}
RANKING_FIELDS = tuple(f.attname for f in Customer._meta.concrete_fields if f.attname in _RANKED)  # from_db's order


def read_ranking(customer_ids) -> dict[int, Customer]:
    """What judging and ranking a customer needs, for many customers at once: one query.

    Customers come with only RANKING_FIELDS (from values, not full rows) and
    `has_callable_contact`; `read_contacts` fetches the contacts of the few that get placed.
    """
    has_contact = Exists(callable_contacts().filter(customer_id=OuterRef("pk")))
    rows = (
        Customer.objects.filter(id__in=list(customer_ids))
        .annotate(has_callable_contact=has_contact)
        .order_by()
        .values_list(*RANKING_FIELDS, "has_callable_contact")
    )
    db = Customer.objects.db
    found = {}
    for *values, callable_ in rows:
        customer = Customer.from_db(db, RANKING_FIELDS, values)
        customer.has_callable_contact = callable_
        found[customer.id] = customer
    return found


def read_contacts(customers) -> None:
    """Puts each customer's callable contacts, best first, on `customer.callable_contacts`: one query."""
    by_id = {c.id: c for c in customers}
    for customer in by_id.values():
        customer.callable_contacts = []
    for contact in callable_contacts().filter(customer_id__in=list(by_id)):
        by_id[contact.customer_id].callable_contacts.append(contact)


def read_customers(customer_ids) -> dict[int, Customer]:
    """Whole customers with their callable contacts (explain_customer reads one): two queries."""
    customers = read_ranking(customer_ids)
    read_contacts(customers.values())
    return customers


@dataclass
class QuietDraw:
    ids: list  # in the order drawn
    pool: int  # customers that could take a listening call
    estimated: bool  # `pool` is estimated from the sample (a large base), not counted


def read_quiet_draw(*, seed: str, exclude: set, need: int) -> QuietDraw:
    """`need` customers for listening calls (not churned, with a callable contact, not in `exclude`),
    drawn at random with `seed`: the same seed and data give the same customers, in the same order.

    A large customer base is sampled by id (candidate ids in a seeded random order, checked a
    batch at a time: two or three queries) instead of shipping every customer's id to Python; a
    small one, or a pool too sparse for a few batches, is read whole and shuffled.
    """
    pool = Customer.objects.exclude(lifecycle_status=Customer.Lifecycle.CHURNED).filter(
        Exists(callable_contacts().filter(customer_id=OuterRef("pk")))
    )
    bounds = Customer.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return QuietDraw([], 0, False)
    span = bounds["high"] - bounds["low"] + 1
    batch = 3 * need + 100
    if span > QUIET_SAMPLE_FROM * batch:
        order = random.Random(seed).sample(range(bounds["low"], bounds["high"] + 1), min(span, 21 * batch))
        drawn, start, hits = [], 0, 0
        for size in (batch, 4 * batch, 16 * batch):  # one batch is nearly always enough
            chunk, start = order[start : start + size], start + size
            found = set(pool.filter(id__in=chunk).values_list("id", flat=True))
            hits += len(found)
            drawn += [i for i in chunk if i in found and i not in exclude]
            if len(drawn) >= need:
                return QuietDraw(drawn[:need], round(hits / start * span), True)
    ids = list(pool.order_by("id").values_list("id", flat=True))
    drawn = [i for i in ids if i not in exclude]
    random.Random(seed).shuffle(drawn)
    return QuietDraw(drawn[:need], len(ids), False)
