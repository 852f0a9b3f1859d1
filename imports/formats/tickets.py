"""Ticket formats: our CSV, Zendesk Support's CSV export, Freshdesk's CSV export, and webhook JSON."""

from functools import partial

from customers.models import SupportTicket

from ..fastrows import ticket_row_reader
from ..records import RecordInvalid, TicketRecord, Values, clean_ticket
from .base import CsvFormat

S, P = SupportTicket.Status, SupportTicket.Priority

OUR_STATUSES = {s: s for s in S.values} | {"on-hold": S.HOLD, "on hold": S.HOLD}
OUR_PRIORITIES = {p: p for p in P.values}
SATISFACTIONS = {
    "": "",
    "offered": "offered",
    "good": "good",
    "bad": "bad",
    "unoffered": "",
    "not offered": "",
    "good with comment": "good",
    "bad with comment": "bad",
}

# Freshdesk writes the words in exports and the numbers in its API and automations.
FRESHDESK_STATUSES = {
    "open": S.OPEN,
    "pending": S.PENDING,
    "resolved": S.SOLVED,
    "closed": S.CLOSED,
    "waiting on customer": S.PENDING,
    "waiting on third party": S.HOLD,
    "2": S.OPEN,
    "3": S.PENDING,
    "4": S.SOLVED,
    "5": S.CLOSED,
    "6": S.PENDING,
    "7": S.HOLD,
}
FRESHDESK_PRIORITIES = {
    "low": P.LOW,
    "medium": P.NORMAL,
    "high": P.HIGH,
    "urgent": P.URGENT,
    "1": P.LOW,
    "2": P.NORMAL,
    "3": P.HIGH,
    "4": P.URGENT,
}


def _cleaner(source: str, statuses: dict, priorities: dict):
    def clean(values: Values) -> TicketRecord:
        return clean_ticket(
            values, source=source, statuses=statuses, priorities=priorities, satisfactions=SATISFACTIONS
        )

    return clean


def _fast(statuses: dict, priorities: dict):
    return partial(ticket_row_reader, statuses=statuses, priorities=priorities, satisfactions=SATISFACTIONS)


def _freshdesk_adjust(values: Values) -> None:
    # Some Freshdesk exports put the requester's numeric id in "Contact ID": not an e-mail, ignore it.
    if "requester_email" in values:
        label, raw = values["requester_email"]
        if raw and "@" not in raw:
            del values["requester_email"]


TICKETS_CSV = CsvFormat(
    entity="tickets",
    name="csv",
    source=SupportTicket.Source.CSV,
    title="Tickets: CSV",
    columns={
        "external_id": ("external_id",),
        "customer_external_id": ("customer_external_id",),
        "requester_email": ("requester_email",),
        "subject": ("subject",),
        "status": ("status",),
        "priority": ("priority",),
        "created_at": ("created_at",),
        "updated_at": ("updated_at",),
        "solved_at": ("solved_at",),
        "escalated": ("escalated",),
        "reopen_count": ("reopen_count",),
        "tags": ("tags",),
    },
    required=("external_id", "subject", "created_at"),
    any_of=("customer_external_id", "requester_email"),
    clean=_cleaner(SupportTicket.Source.CSV, OUR_STATUSES, OUR_PRIORITIES),
    reader=_fast(OUR_STATUSES, OUR_PRIORITIES),
)

ZENDESK_CSV = CsvFormat(
    entity="tickets",
    name="zendesk",
    source=SupportTicket.Source.ZENDESK,
    title="Tickets: Zendesk export",
    columns={
        "external_id": ("Id", "Ticket ID"),
        "customer_external_id": ("customer_external_id", "Organization external id"),
        "requester_email": ("Requester email",),
        "company": ("Organization", "Organization name"),
        "subject": ("Subject",),
        "status": ("Status",),
        "priority": ("Priority",),
        "created_at": ("Created at",),
        "updated_at": ("Updated at",),
        "solved_at": ("Solved at",),
        "reopen_count": ("Reopens",),
        "tags": ("Tags",),
        "satisfaction": ("Satisfaction Score", "Satisfaction"),
    },
    required=("external_id", "subject", "status", "created_at"),
    any_of=("customer_external_id", "requester_email", "company"),
    clean=_cleaner(SupportTicket.Source.ZENDESK, OUR_STATUSES, OUR_PRIORITIES),
    reader=_fast(OUR_STATUSES, OUR_PRIORITIES),
)

FRESHDESK_CSV = CsvFormat(
    entity="tickets",
    name="freshdesk",
    source=SupportTicket.Source.FRESHDESK,
    title="Tickets: Freshdesk export",
    columns={
        "external_id": ("Ticket ID", "Ticket Id"),
        "customer_external_id": ("customer_external_id",),
        "requester_email": ("Email", "Requester email", "Contact ID"),
        "company": ("Company Name", "Company"),
        "subject": ("Subject",),
        "status": ("Status",),
        "priority": ("Priority",),
        "created_at": ("Created time",),
        "updated_at": ("Last update time", "Last updated time", "Updated time"),
        "solved_at": ("Resolved time",),
        "closed_at": ("Closed time",),
        "escalated": ("Is escalated", "Escalated"),
        "tags": ("Tags",),
    },
    required=("external_id", "subject", "status", "created_at"),
    any_of=("customer_external_id", "requester_email", "company"),
    adjust=_freshdesk_adjust,
    clean=_cleaner(SupportTicket.Source.FRESHDESK, FRESHDESK_STATUSES, FRESHDESK_PRIORITIES),
)

TICKET_FORMATS = {f.name: f for f in (ZENDESK_CSV, FRESHDESK_CSV, TICKETS_CSV)}


def from_json(payload) -> TicketRecord:
    """A ticket webhook: Zendesk ticket JSON (`{"ticket": {...}}` or the ticket itself), or our
    CSV columns as JSON (`external_id`, ...; an optional `source` of zendesk, freshdesk or csv)."""
    if not isinstance(payload, dict):
        raise RecordInvalid([("body", "must be a JSON object")])
    prefix, ticket = ("ticket.", payload["ticket"]) if isinstance(payload.get("ticket"), dict) else ("", payload)
    if "external_id" in ticket and "id" not in ticket:
        return _from_our_columns(ticket, prefix)
    values = Values(labels={"external_id": f"{prefix}id", "requester_email": f"{prefix}requester.email"})

    def put(ours: str, key: str, raw) -> None:
        values.put(ours, prefix + key, raw)

    for ours, key in [
        ("external_id", "id"),
        ("subject", "subject"),
        ("status", "status"),
        ("priority", "priority"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
        ("solved_at", "solved_at"),
        ("tags", "tags"),
        ("customer_external_id", "customer_external_id"),
        ("requester_email", "requester_email"),
        ("escalated", "escalated"),
    ]:
        if key in ticket:
            put(ours, key, ticket[key])
    for parent, child, ours in [
        ("requester", "email", "requester_email"),
        ("organization", "name", "company"),
        ("organization", "external_id", "customer_external_id"),
        ("metric_set", "reopens", "reopen_count"),
        ("satisfaction_rating", "score", "satisfaction"),
    ]:
        if isinstance(ticket.get(parent), dict) and child in ticket[parent]:
            put(ours, f"{parent}.{child}", ticket[parent][child])
    if isinstance(ticket.get("organization"), str):
        put("company", "organization", ticket["organization"])
    if "reopens" in ticket:
        put("reopen_count", "reopens", ticket["reopens"])
    return clean_ticket(
        values,
        source=SupportTicket.Source.ZENDESK,
        statuses=OUR_STATUSES,
        priorities=OUR_PRIORITIES,
        satisfactions=SATISFACTIONS,
    )


def _from_our_columns(ticket: dict, prefix: str) -> TicketRecord:
    source = str(ticket.get("source") or "csv").lower()
    fmt = TICKET_FORMATS.get(source)
    if fmt is None:
        raise RecordInvalid([(f"{prefix}source", f"“{source}” is not one of: csv, freshdesk, zendesk")])
    values = Values(labels={ours: prefix + ours for ours in TICKETS_CSV.columns})
    for ours in TICKETS_CSV.columns:
        if ours in ticket:
            values.put(ours, prefix + ours, ticket[ours])
    statuses = FRESHDESK_STATUSES | OUR_STATUSES if source == "freshdesk" else OUR_STATUSES
    priorities = FRESHDESK_PRIORITIES | OUR_PRIORITIES if source == "freshdesk" else OUR_PRIORITIES
    return clean_ticket(
        values, source=fmt.source, statuses=statuses, priorities=priorities, satisfactions=SATISFACTIONS
    )
