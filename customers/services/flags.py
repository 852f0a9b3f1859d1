"""Writes on flags: a lead raises one, adds to an open one, an admin dismisses one, a call answers one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.tasks import send_flag_outcome

from ..models import Contact, Customer, Flag, FlagNote, SupportTicket


class FlagAlreadyActive(ValidationError):
    """The customer already has an open or scheduled flag; `flag` is that flag, to add to."""

    def __init__(self, flag: Flag):
        self.flag = flag
        super().__init__(f"{flag.customer.name} is already flagged; add what you know to the open flag.")


def flag_raise(
    *,
    customer_id: int,
    by,
    reason: str,
    urgency: str = Flag.Urgency.NORMAL,
    ticket_id: int | None = None,
    contact_id: int | None = None,
) -> Flag:
    """Raises a lead's flag for a CEO call.

    Every problem is a ValidationError keyed by the field it concerns (customer, reason, urgency,
    ticket, contact). A second active flag for the customer is refused with FlagAlreadyActive,
    which carries the open flag; the partial unique constraint makes that hold under concurrency.
    """
    reason = (reason or "").strip()
    errors = {}
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        errors["customer"] = (
            f"There is no customer with id {customer_id}." if customer_id else "Choose the customer to flag."
        )
    if not reason:
        errors["reason"] = "Say in a sentence or two why the CEO should call."
    if urgency not in Flag.Urgency.values:
        errors["urgency"] = f"Urgency {urgency!r} is not one of: {', '.join(Flag.Urgency.values)}."
    ticket = _ticket_of(customer, ticket_id, errors)
    contact = _contact_of(customer, contact_id, errors)
    if errors:
        raise ValidationError(errors)

    existing = Flag.objects.active().filter(customer=customer).select_related("customer").first()
    if existing:
        raise FlagAlreadyActive(existing)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                customer=customer,
                raised_by=by,
                origin=Flag.Origin.LEAD,
                reason=reason,
                urgency=urgency,
                ticket=ticket,
                contact=contact,
            )
    except IntegrityError:
        # Another lead flagged the same customer between our check and our insert.
        existing = Flag.objects.active().filter(customer=customer).select_related("customer").first()
        if existing is None:
            raise
        raise FlagAlreadyActive(existing) from None


def _ticket_of(customer: Customer | None, ticket_id: int | None, errors: dict) -> SupportTicket | None:
    if not ticket_id:
        return None
    ticket = SupportTicket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        errors["ticket"] = f"There is no ticket with id {ticket_id}."
    elif customer is not None and ticket.customer_id != customer.pk:
        errors["ticket"] = f"Ticket #{ticket.external_id} belongs to another customer, not {customer.name}."
    return ticket


def _contact_of(customer: Customer | None, contact_id: int | None, errors: dict) -> Contact | None:
    if not contact_id:
        return None
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        errors["contact"] = f"There is no contact with id {contact_id}."
    elif customer is not None and contact.customer_id != customer.pk:
        errors["contact"] = f"{contact.name} works for another customer, not {customer.name}."
    elif contact.do_not_call:
        errors["contact"] = f"{contact.name} asked not to be called; choose another contact or none."
    return contact


@transaction.atomic
def flag_add_note(*, flag_id: int, by, text: str, make_urgent: bool = False) -> FlagNote:
    """Adds what another lead (or the same one) knows to an open or scheduled flag.

    `make_urgent` raises a normal flag to urgent; it never lowers one. A flag that was already
    called, closed or dismissed takes no more notes: raise a new flag instead.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write what you want to add."})
    flag = Flag.objects.select_for_update().get(pk=flag_id)
    if flag.status not in Flag.ACTIVE_STATUSES:
        raise ValidationError(
            f"This flag is already {flag.get_status_display().lower()}; raise a new flag for the customer instead."
        )
    made_urgent = make_urgent and flag.urgency != Flag.Urgency.URGENT
    if made_urgent:
        flag.urgency = Flag.Urgency.URGENT
        flag.save(update_fields=["urgency", "updated_at"])
    return FlagNote.objects.create(flag=flag, author=by, text=text, made_urgent=made_urgent)


@transaction.atomic
def flag_dismiss(*, flag_id: int, by, reason: str) -> Flag:
    """An admin dismisses an open or scheduled flag with a reason the lead will read.

    A second dismissal, or dismissing a flag that was already called or closed, is refused.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the lead why the flag is dismissed."})
    flag = Flag.objects.select_for_update().get(pk=flag_id)
    if flag.status not in Flag.ACTIVE_STATUSES:
        raise ValidationError(f"This flag is already {flag.get_status_display().lower()}; it cannot be dismissed.")
    flag.status, flag.dismissed_reason, flag.dismissed_by = Flag.Status.DISMISSED, reason, by
    flag.closed_at = timezone.now()
    flag.save(update_fields=["status", "dismissed_reason", "dismissed_by", "closed_at", "updated_at"])
    return flag


@transaction.atomic
def flag_mark_called(*, flag: Flag, call) -> Flag:
    """Records that the executive's call answered the flag; the lead sees the outcome on the flag.

    Called by the call-logging service in the same transaction as the call; logging the same call
    again (a correction) leaves the flag as it is.
    """
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.call_id == call.pk and flag.status == Flag.Status.CALLED:
        return flag
    flag.status, flag.call, flag.called_at = Flag.Status.CALLED, call, call.called_at or timezone.now()
    flag.save(update_fields=["status", "call", "called_at", "updated_at"])
    # After commit, so the commitments logged in the same transaction are in the lead's e-mail.
    # robust: a broker outage must not fail the logged call; the hourly sweep sends it later.
    transaction.on_commit(lambda: send_flag_outcome.delay(flag.pk), robust=True)
    return flag
