"""Upserting tickets by (source, external id), from files and webhooks, and the ceo-call flag."""

from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import Flag, SupportTicket

from ..formats.tickets import TICKET_FORMATS
from ..matching import CustomerMatcher
from ..records import MISSING, TicketRecord
from . import pgcopy
from .flags import flag_raise_for_ticket
from .pgcopy_tickets import DEFAULTS, FIELDS, tickets_copy  # one column list for both writers
from .runner import BATCH_SIZE, ImportResult, outcome_of, run_import, write_one
from .unmatched import ERROR, UnmatchedRows


class TicketWriter:
    """Writes one batch of valid tickets: two reads, one bulk insert, one bulk update.

    `skip_stale`: a ticket older (by updated_at) than the stored one is left alone; webhooks can
    arrive out of order, files are taken as the truth.
    """

    def __init__(self, *, skip_stale: bool = False, unmatched: UnmatchedRows | None = None):
        self.matcher = CustomerMatcher()
        self.unmatched = unmatched or UnmatchedRows(ERROR, hint=False)
        self.skip_stale = skip_stale
        self.tag = settings.CEO_CALL_TAG.strip().lower()
        self.copy = not skip_stale and pgcopy.available()

    def write(self, batch: list[tuple[int | None, TicketRecord]], result: ImportResult) -> None:
        self.matcher.prime([record.match for _, record in batch])
        if self.copy:  # PostgreSQL, files: COPY and one set-based upsert (pgcopy_tickets.py)
            matched = self.unmatched.match_batch(batch, self.matcher, result)
            result.flags_raised += tickets_copy(matched, tag=self.tag, result=result)
            return
        # A webhook's ticket is locked while it is compared, so of two versions written at once
        # the second sees the first's updated_at and the newer one wins.
        existing = _existing((record for _, record in batch), lock=self.skip_stale)
        now = timezone.now()
        to_create, to_update, touched = [], [], []
        for row, record in batch:
            matched = self.matcher.match(record.match) or self.unmatched.resolve(
                row, record.match, self.matcher, result
            )
            if matched is None:
                continue
            customer_id, contact_id = matched
            ticket = existing.get(record.key)
            if ticket is None:
                ticket = SupportTicket(source=record.source, external_id=record.external_id, customer_id=customer_id)
                ticket.requester_id = contact_id
                _assign(ticket, record, defaults=True)
                to_create.append(ticket)
                result.count("created")
            elif self.skip_stale and record.updated_at < ticket.updated_at:
                result.count("unchanged")
            elif _assign(ticket, record, customer_id=customer_id, contact_id=contact_id):
                ticket.imported_at = now
                to_update.append(ticket)
                result.count("updated")
            else:
                result.count("unchanged")
            touched.append(ticket)
        SupportTicket.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            SupportTicket.objects.bulk_update(
                to_update, [*FIELDS, "customer", "requester", "imported_at"], batch_size=BATCH_SIZE
            )
        result.flags_raised += self._raise_flags([t for t in touched if self.tag in t.tags])

    def _raise_flags(self, tagged: list[SupportTicket]) -> int:
        if not tagged:
            return 0
        flagged = set(Flag.objects.filter(ticket__in=tagged).values_list("ticket_id", flat=True))
        return sum(1 for t in tagged if t.pk not in flagged and flag_raise_for_ticket(ticket=t, tag=self.tag))


def _existing(records, *, lock: bool = False) -> dict[tuple[str, str], SupportTicket]:
    by_source: dict[str, list[str]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record.external_id)
    query = Q()
    for source, ids in by_source.items():
        query |= Q(source=source, external_id__in=ids)
    if not by_source:
        return {}
    tickets = SupportTicket.objects.filter(query)
    if lock:
        tickets = tickets.select_for_update(of=("self",))
    return {(t.source, t.external_id): t for t in tickets}


def _assign(ticket: SupportTicket, record: TicketRecord, *, defaults=False, customer_id=None, contact_id=None) -> bool:
    """Copies the record's supplied fields onto the ticket; True when anything changed."""
    changed = False
    for name in FIELDS:
        value = getattr(record, name)
        if value is MISSING:
            if not defaults:
                continue
            value = DEFAULTS[name]
        if getattr(ticket, name) != value:
            setattr(ticket, name, value)
            changed = True
    if customer_id is not None and ticket.customer_id != customer_id:
        ticket.customer_id, changed = customer_id, True
    if record.match.email and customer_id is not None and ticket.requester_id != contact_id:
        ticket.requester_id, changed = contact_id, True
    return changed


def tickets_import(
    *, stream: BinaryIO, name: str, file_format: str, dry_run: bool = False, unmatched: str = ERROR, **kwargs
) -> ImportResult:
    """Imports a ticket file in `file_format` (zendesk, freshdesk or csv); all or nothing.
    `unmatched`: error, skip or create (imports.services.unmatched)."""
    fmt = TICKET_FORMATS[file_format]
    writer = TicketWriter(unmatched=UnmatchedRows(unmatched))
    return run_import(stream=stream, name=name, fmt=fmt, writer=writer, dry_run=dry_run, **kwargs)


@transaction.atomic
def ticket_upsert(*, record: TicketRecord, writer: "TicketWriter | None" = None) -> str:
    """Applies one ticket from a webhook; returns what it did. Raises ValidationError (no customer).

    `writer`: a TicketWriter(skip_stale=True) shared by a batch of events, so its matcher's cache is too."""
    result = write_one(writer or TicketWriter(skip_stale=True), record)
    flag = ", flag raised" if result.flags_raised else ""
    return f"ticket {record.source} #{record.external_id} {outcome_of(result)}{flag}"
