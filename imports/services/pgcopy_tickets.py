"""Tickets through COPY (PostgreSQL, file imports): the same outcome as TicketWriter's ORM path.

Rows come matched (record, customer id, requester contact id). A batch is split by which
fields its rows supply (a file's header decides, so nearly always one group): a field a row
lacks takes the default on a new ticket and is left alone on a stored one, and the requester
is re-linked only when the row names one by e-mail. Tickets tagged with the ceo-call tag that
have no flag yet raise one through flags.py, as before, once per ticket.
"""

from itertools import repeat
from operator import attrgetter, is_not

from django.db import connection

from customers.models import Flag, SupportTicket

from ..records import MISSING, TicketRecord
from .flags import flag_raise_for_ticket
from .pgcopy import _q, copy_upsert, temp_table
from .runner import ImportResult

FIELDS = [
    "subject",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "solved_at",
    "escalated",
    "reopen_count",
    "tags",
    "satisfaction",
]
DEFAULTS = {
    "status": SupportTicket.Status.NEW,
    "priority": SupportTicket.Priority.NORMAL,
    "solved_at": None,
    "escalated": False,
    "reopen_count": 0,
    "tags": [],
    "satisfaction": "",
}
COLUMNS = ["source", "external_id", "customer", "requester", *FIELDS]


def tickets_copy(matched: list[tuple[TicketRecord, int, int | None]], *, tag: str, result: ImportResult) -> int:
    """Writes a batch of matched tickets, counts created/updated/unchanged on `result`; returns
    the number of flags raised or noted."""
    groups: dict[tuple, list] = {}
    get = attrgetter(*FIELDS)
    for item in matched:
        record = item[0]
        supplied = (*map(is_not, get(record), repeat(MISSING)), bool(record.match.email))
        groups.setdefault(supplied, []).append(item)
    raised = 0
    for supplied, items in groups.items():
        update = [name for name, given in zip(FIELDS, supplied, strict=False) if given] + ["customer"]
        if supplied[-1]:
            update.append("requester")
        rows = _rows(items, supplied[: len(FIELDS)])
        created, updated = copy_upsert(model=SupportTicket, columns=COLUMNS, rows=rows, update=update)
        result.created += created
        result.updated += updated
        result.unchanged += len(items) - created - updated
        tags_given = "tags" in update
        if tag and (not tags_given or any(tag in record.tags for record, _, _ in items)):
            raised += _raise_flags(tag)
    return raised


def _rows(items, supplied: tuple[bool, ...]):
    """The rows in COLUMNS order; the fields every row of the group lacks take their default."""
    get = attrgetter(*FIELDS)
    missing = [
        (i + 4, DEFAULTS.get(name)) for i, (name, given) in enumerate(zip(FIELDS, supplied, strict=True)) if not given
    ]
    for record, customer_id, contact_id in items:
        values = [record.source, record.external_id, customer_id, contact_id, *get(record)]
        for i, default in missing:
            values[i] = default
        yield values


def _raise_flags(tag: str) -> int:
    """Flags for the batch's tickets carrying `tag` (as stored now) that have none yet."""
    tickets, flags = SupportTicket._meta.db_table, Flag._meta.db_table
    ticket_fk = Flag._meta.get_field("ticket").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {_q(tickets)} t JOIN {temp_table(SupportTicket)} r "
            "ON t.source = r.source AND t.external_id = r.external_id "
            f"WHERE t.tags @> jsonb_build_array(%s::text) AND NOT EXISTS "
            f"(SELECT 1 FROM {_q(flags)} f WHERE f.{_q(ticket_fk)} = t.id) ORDER BY t.id",
            [tag],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return sum(1 for pk in ids if flag_raise_for_ticket(ticket=SupportTicket(pk=pk), tag=tag))
