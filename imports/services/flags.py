from django.db import IntegrityError, transaction

from customers.models import Flag, SupportTicket


def flag_raise_for_ticket(*, ticket: SupportTicket, tag: str) -> bool:
    """Raises a flag for a ticket tagged `tag`, as if a support lead had; once per ticket.

    A customer has at most one active flag (a database constraint): when one is already open or
    scheduled, the ticket's note is added to it (and an urgent ticket makes it urgent) instead.
    The note carries a marker, so importing the ticket again adds nothing. Returns True when a
    flag was raised or noted. Runs inside the caller's transaction.
    """
    marker = f"[{ticket.get_source_display()} ticket #{ticket.external_id}]"
    if Flag.objects.filter(customer_id=ticket.customer_id, reason__contains=marker).exists():
        return False
    urgent = ticket.priority == SupportTicket.Priority.URGENT
    note = f"{marker} Tagged “{tag}”: {ticket.subject}"
    if not _note_on_active_flag(ticket, note, urgent):
        try:
            with transaction.atomic():
                Flag.objects.create(
                    customer_id=ticket.customer_id,
                    origin=Flag.Origin.TICKET_TAG,
                    ticket=ticket,
                    contact_id=ticket.requester_id,
                    reason=note,
                    urgency=Flag.Urgency.URGENT if urgent else Flag.Urgency.NORMAL,
                )
        except IntegrityError:  # a lead flagged the customer meanwhile
            _note_on_active_flag(ticket, note, urgent)
    return True


def _note_on_active_flag(ticket: SupportTicket, note: str, urgent: bool) -> bool:
    flag = Flag.objects.select_for_update().active().filter(customer_id=ticket.customer_id).first()
    if flag is None:
        return False
    flag.reason = f"{flag.reason}\n\n{note}"
    if urgent:
        flag.urgency = Flag.Urgency.URGENT
    if flag.ticket_id is None:
        flag.ticket = ticket
    flag.save(update_fields=["reason", "urgency", "ticket", "updated_at"])
    return True
