"""Reads every signal the builder scores, with a fixed number of queries whatever the data size.

Each signal's rule is one QuerySet here (`ticket_reads`, `latest_low_answers`, `Flag.objects.active`,
`Commitment.objects.overdue`, `carried_over_entries`). `read_signals` puts them together in one
statement: every rule's rows, one per customer with an alarm (UNION ALL, then GROUP BY), joined to
the customer's own ranking fields, so the database does the merging it is good at and Python gets
plain numbers. Flags, overdue promises and carried-over entries (a few thousand rows at most) come
as rows of their own; survey answers, tickets and flag authors are read whole only for the
customers a build places. `customer_id` narrows everything to one customer, which is how
`explain_customer` applies exactly the same rules.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Window, prefetch_related_objects
from django.db.models.functions import FirstValue, RowNumber

from customers.models import Customer, Flag, SupportTicket, SurveyResponse, detractor_q

from ..models import CallLog, Commitment, ScoringPolicy, SheetEntry
from .candidates import RANKING_FIELDS, CustomerRow, callable_contacts

TICKET_KINDS = ("urgent", "high", "escalated", "reopens", "old_open")


class Answer:
    """A survey answer as ranking sees it; `read_answer_details` reads the whole SurveyResponse."""

    __slots__ = ("id", "kind", "score")

    def __init__(self, id: int, kind: str, score: int):  # noqa: A002
        self.id, self.kind, self.score = id, kind, score


@dataclass(slots=True)
class CustomerSignals:
    """What the data says about one customer at build time.

    From `read_signals`, `nps` and `csat` are Answers (id and score) and `customer` has only its
    ranking fields; `read_answer_details` reads the whole answers of the customers looked at.
    """

    customer_id: int
    flag: Flag | None = None
    nps: SurveyResponse | Answer | None = None
    csat: SurveyResponse | Answer | None = None
    tickets: dict = field(default_factory=dict)
    overdue: list = field(default_factory=list)  # [{"promise", "due_date", "executive_id"}]
    carried_over: dict | None = None  # {"executive_id", "week_start"}
    customer: CustomerRow | None = None

    @property
    def has_alarm(self) -> bool:
        return bool(
            self.flag or self.nps or self.csat or self.overdue or self.carried_over or any(self.tickets.values())
        )

    @property
    def is_urgent(self) -> bool:
        return bool(self.flag and self.flag.is_urgent)

    def signature(self) -> tuple:
        """Everything the points depend on: two customers with the same signature have the same base points."""
        return (
            self.flag.urgency if self.flag else None,
            self.nps.score if self.nps else None,
            self.csat.score if self.csat else None,
            tuple(self.tickets.values()),
            len(self.overdue),
            self.carried_over is not None,
        )


def _only(qs, customer_id, lookup="customer_id"):
    return qs.filter(**{lookup: customer_id}) if customer_id is not None else qs


# --- the rules ------------------------------------------------------------------------------------
def ticket_reads(policy: ScoringPolicy, now: datetime) -> tuple[Q, Q]:
    """The tickets that count, as two disjoint reads that each follow an index: opened in the
    window (by `created_at`), and opened before it but still open (the partial index of open
    tickets). Together they are "opened in the window, or still open"; an OR of the two in one
    aggregate makes PostgreSQL read every ticket of every year."""
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


def ticket_filters(policy: ScoringPolicy, now: datetime) -> tuple[Q, dict]:
    """Which tickets count (opened in the window, or still open) and the condition of each kind."""
    recent, still_open = ticket_reads(policy, now)
    return recent | still_open, ticket_kinds(policy, now)


def ticket_counts(policy: ScoringPolicy, now: datetime, read: Q):
    """Per customer, how many tickets of each kind (and reopens in total) among one read's tickets."""
    kinds = ticket_kinds(policy, now)
    annotations = {name: Count("id", filter=cond) for name, cond in kinds.items() if name != "reopens"}
    annotations["reopens"] = Sum("reopen_count", filter=kinds["reopens"], default=0)
    any_kind = Q()
    for name in TICKET_KINDS:
        any_kind |= Q(**{f"{name}__gt": 0})
    return (
        SupportTicket.objects.filter(read)
        .values("customer_id")
        .annotate(**annotations)
        .filter(any_kind)
        .values_list("customer_id", *TICKET_KINDS)
        .order_by()
    )


def latest_low_answers(policy: ScoringPolicy, now: datetime):
    """Each customer's latest NPS and CSAT answer in the window, kept only when it is low.

    The latest answer wins: a customer who said 2 and later 9 is no longer a detractor. One pass
    over the window's answers, ranked per customer and kind by a window function; the low-score
    test reads the window's first value so that it applies after the ranking, not before.
    """
    since = now - timedelta(days=policy.survey_window_days)
    newest_first = {
        "partition_by": [F("customer_id"), F("kind")],
        "order_by": [F("responded_at").desc(), F("id").desc()],
    }
    return (
        SurveyResponse.objects.filter(responded_at__gte=since, responded_at__lte=now)
        .annotate(rank=Window(RowNumber(), **newest_first), latest_score=Window(FirstValue("score"), **newest_first))
        .filter(Q(rank=1) & detractor_q("latest_score"))
        .order_by()
    )


def carried_over_entries(*, week_start: date, now: datetime):
    """Last week's entries whose slot has passed without the customer being reached.

    Only a sheet built before its slot counts: a sheet built after the slot had passed (a late
    build of the current week) was never in front of the executive, so nobody failed to call.
    """
    reached = CallLog.objects.filter(entry=OuterRef("pk"), outcome=CallLog.Outcome.REACHED)
    return (
        SheetEntry.objects.filter(week_start=week_start - timedelta(days=7))
        .exclude(status=SheetEntry.Status.CALLED)
        .filter(Q(status=SheetEntry.Status.SKIPPED) | Q(sheet__slot_starts_at__lt=now))
        .filter(sheet__built_at__lt=F("sheet__slot_starts_at"))
        .filter(~Exists(reached))
    )


# --- the reads ------------------------------------------------------------------------------------
def read_flags(*, customer_id=None) -> dict[int, Flag]:
    """Open and scheduled flags (at most one per customer, a constraint says so), with the sheet a
    scheduled flag is on. Who raised a flag and its ticket, which only the sentences need, come
    from `read_flag_details` for the flags the build places; one customer's flag comes with them."""
    related = ["sheet"] + (["raised_by", "ticket"] if customer_id is not None else [])
    qs = Flag.objects.active().select_related(*related)
    return {f.customer_id: f for f in _only(qs, customer_id)}


def read_overdue_commitments(*, today: date, customer_id=None) -> dict[int, list]:
    qs = Commitment.objects.overdue(today).values("customer_id", "promise", "due_date", "call__executive_id")
    found: dict[int, list] = {}
    for row in _only(qs, customer_id):
        found.setdefault(row["customer_id"], []).append(
            {"promise": row["promise"], "due_date": row["due_date"], "executive_id": row["call__executive_id"]}
        )
    return found


def read_carried_over(*, week_start: date, now: datetime, customer_id=None) -> dict[int, dict]:
    qs = carried_over_entries(week_start=week_start, now=now).values("customer_id", "sheet__executive_id")
    return {
        row["customer_id"]: {"executive_id": row["sheet__executive_id"], "week_start": week_start - timedelta(days=7)}
        for row in _only(qs, customer_id)
    }


def read_signals(*, policy: ScoringPolicy, now: datetime, today: date, week_start: date, customer_id=None):
    """Every customer with an alarm and every signal, merged per customer: four queries.

    Returns {customer id: CustomerSignals}, each with its `customer` (a CustomerRow).
    """
    flags = read_flags(customer_id=customer_id)
    overdue = read_overdue_commitments(today=today, customer_id=customer_id)
    carried = read_carried_over(week_start=week_start, now=now, customer_id=customer_id)
    sql, params = _signal_query(policy, now, today, week_start, customer_id)
    ranked = len(RANKING_FIELDS)
    signals = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    nps_kind, csat_kind = SurveyResponse.Kind.NPS, SurveyResponse.Kind.CSAT
    no_overdue = []  # shared by every customer without an overdue promise: nothing changes it
    for row in rows:
        cid = row[0]
        nps, nps_id, csat, csat_id = row[ranked + 1 : ranked + 5]
        counts = row[ranked + 5 :]
        signals[cid] = CustomerSignals(
            cid,
            flags.get(cid),
            Answer(nps_id, nps_kind, nps) if nps_id else None,
            Answer(csat_id, csat_kind, csat) if csat_id else None,
            dict(zip(TICKET_KINDS, counts, strict=True)) if any(counts) else {},
            overdue.get(cid, no_overdue),
            carried.get(cid),
            CustomerRow(*row[: ranked + 1]),
        )
    return signals


def _signal_parts(policy, now, today, week_start) -> list[tuple[str, list, object]]:
    """Each rule as (SQL around its QuerySet's, parameters before the QuerySet's, QuerySet): rows of
    (customer, NPS, NPS answer, CSAT, CSAT answer, the five ticket counts); what a rule does not
    know is NULL or 0."""
    kinds = [SurveyResponse.Kind.NPS, SurveyResponse.Kind.NPS, SurveyResponse.Kind.CSAT, SurveyResponse.Kind.CSAT]
    none = ", ".join(f"CAST(NULL AS INTEGER) AS {name}" for name in ("nps", "nps_id", "csat", "csat_id"))
    zeros = ", ".join(f"0 AS {name}" for name in TICKET_KINDS)
    parts = [
        (f"SELECT customer_id, {none}, {', '.join(TICKET_KINDS)} FROM ({{}}) tickets", [], q)
        for q in (ticket_counts(policy, now, read) for read in ticket_reads(policy, now))
    ]
    answers = latest_low_answers(policy, now).values_list("customer_id", "kind", "score", "id")
    parts.append(
        (
            "SELECT customer_id, CASE WHEN kind = %s THEN score END AS nps, CASE WHEN kind = %s THEN id END AS nps_id,"
            " CASE WHEN kind = %s THEN score END AS csat, CASE WHEN kind = %s THEN id END AS csat_id,"
            f" {zeros} FROM ({{}}) answers",
            kinds,
            answers,
        )
    )
    for qs in (
        Flag.objects.active(),
        Commitment.objects.overdue(today),
        carried_over_entries(week_start=week_start, now=now),
    ):
        parts.append(
            (f"SELECT customer_id, {none}, {zeros} FROM ({{}}) others", [], qs.values("customer_id").order_by())
        )
    return parts


def _signal_query(policy, now, today, week_start, customer_id) -> tuple[str, list]:
    """The statement behind read_signals: the rules' rows (UNION ALL), merged per customer by one
    GROUP BY, joined to the customer's ranking fields and whether it has a callable contact."""
    union, params = [], []
    for template, before, qs in _signal_parts(policy, now, today, week_start):
        inner, inner_params = _only(qs, customer_id).query.sql_with_params()
        union.append(template.format(inner))
        params += before + list(inner_params)
    contacts, contact_params = callable_contacts().order_by().values("customer_id").query.sql_with_params()
    quote = connection.ops.quote_name
    columns = []
    for name in RANKING_FIELDS:
        column = f"c.{quote(Customer._meta.get_field(name).column)}"
        # The revenue as a float: ranking multiplies it, and 27,000 Decimals cost more than the rest of a row.
        columns.append(f"CAST({column} AS DOUBLE PRECISION)" if name == "annual_revenue" else column)
    counts = ", ".join(f"CAST(SUM({name}) AS INTEGER) AS {name}" for name in TICKET_KINDS)  # not numeric
    sql = (
        f"SELECT {', '.join(columns)}, EXISTS (SELECT 1 FROM ({contacts}) k WHERE k.customer_id = c.{quote('id')}),"
        f" s.nps, s.nps_id, s.csat, s.csat_id, {', '.join('s.' + name for name in TICKET_KINDS)}"
        f" FROM (SELECT customer_id, MAX(nps) AS nps, MAX(nps_id) AS nps_id, MAX(csat) AS csat,"
        f" MAX(csat_id) AS csat_id, {counts}"
        f" FROM ({' UNION ALL '.join(union)}) signal"
        f" GROUP BY customer_id) s"
        f" JOIN {quote(Customer._meta.db_table)} c ON c.{quote('id')} = s.customer_id"
    )
    return sql, list(contact_params) + params


def read_answer_details(signals) -> None:
    """The whole survey answers (comment, date, contact) of the customers given: one query."""
    signals = [s for s in signals if s is not None]
    by_id = {r.id: r for s in signals for r in (s.nps, s.csat) if isinstance(r, Answer)}
    if not by_id:
        return
    full = SurveyResponse.objects.in_bulk(list(by_id))
    for s in signals:
        if s.nps is not None:
            s.nps = full.get(s.nps.id, s.nps)
        if s.csat is not None:
            s.csat = full.get(s.csat.id, s.csat)


def read_flag_details(flags) -> None:
    """Who raised each flag and its ticket: one query each, for the flags given."""
    prefetch_related_objects([f for f in flags if f is not None], "raised_by", "ticket")


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
