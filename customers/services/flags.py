"""Writes on flags: a lead raises one, adds to an open one, an admin dismisses one, a call answers one."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ceocalls.limits import DISMISSAL_REASON, FLAG_NOTE, FLAG_REASON, normalize_text
from notifications.tasks import send_flag_outcome

from ..models import Contact, Customer, Flag, FlagNote, SupportTicket, SurveyResponse


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
    reason = normalize_text(reason)
    errors = {}
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        errors["customer"] = (
            f"There is no customer with id {customer_id}." if customer_id else "Choose the customer to flag."
        )
    if not reason:
        errors["reason"] = "Say in a sentence or two why the CEO should call."
    elif FLAG_REASON.error(reason):
        errors["reason"] = FLAG_REASON.error(reason)
    if urgency not in Flag.Urgency.values:
        errors["urgency"] = f"Urgency {urgency!r} is not one of: {', '.join(Flag.Urgency.values)}."
    ticket = _ticket_of(customer, ticket_id, errors)
    contact = _contact_of(customer, contact_id, errors)
    if errors:
        raise ValidationError(errors)

    return _flag_create(
        customer=customer,
        by=by,
        origin=Flag.Origin.LEAD,
        reason=reason,
        urgency=urgency,
        ticket=ticket,
        contact=contact,
    )


def _flag_create(
    *, customer: Customer, by, origin: str, reason: str, urgency: str, ticket, contact, survey_response=None
) -> Flag:
    """Inserts the customer's one active flag, or raises FlagAlreadyActive with the one there is.

    The check is a courtesy; the partial unique constraint is the rule, so a flag raised by someone
    else between our check and our insert also ends as FlagAlreadyActive.
    """
    existing = Flag.objects.active().filter(customer=customer).select_related("customer").first()
    if existing:
        raise FlagAlreadyActive(existing)
    urgent = urgency == Flag.Urgency.URGENT
    try:
        with transaction.atomic():
            flag = Flag.objects.create(
                customer=customer,
                raised_by=by,
                origin=origin,
                reason=reason,
                urgency=urgency,
                ticket=ticket,
                survey_response=survey_response,
                contact=contact,
                urgent_since=timezone.now() if urgent else None,
            )
    except IntegrityError:
        existing = Flag.objects.active().filter(customer=customer).select_related("customer").first()
        if existing is None:
            raise
        raise FlagAlreadyActive(existing) from None
    if urgent:
        _place_urgent(flag)
    return flag


def _place_urgent(flag: Flag) -> None:
    """An urgent alarm: the customer is placed at once, without a rebuild (callsheets.services.urgent)."""
    from callsheets.services.urgent import urgent_place_on_commit

    urgent_place_on_commit(flag)


@transaction.atomic
def flag_raise_from_ticket(*, ticket_id: int, tag: str) -> Flag | FlagNote | None:
    """A help-desk ticket tagged `tag` flags its customer, as a support lead would; once per ticket.

    When the customer already has an open or scheduled flag, the ticket is added to it as a
    FlagNote instead (an urgent ticket makes the flag urgent). The flag or note keeps the ticket,
    and a ticket that has raised or added to a flag before adds nothing: None. The ticket's row is
    locked first, so two imports of the same ticket at once still add it once; the unique
    constraints on Flag.ticket (for tagged flags) and FlagNote.ticket back that up.
    """
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the requester's outer join.
    ticket = (
        SupportTicket.objects.select_for_update(of=("self",)).select_related("customer", "requester").get(pk=ticket_id)
    )
    if Flag.objects.filter(ticket=ticket).exists() or FlagNote.objects.filter(ticket=ticket).exists():
        return None
    urgent = ticket.priority == SupportTicket.Priority.URGENT
    text = f"Tagged {tag}: {ticket.subject}"  # a subject is at most 500 characters: under FLAG_NOTE
    requester = ticket.requester
    try:
        return _flag_create(
            customer=ticket.customer,
            by=None,
            origin=Flag.Origin.TICKET_TAG,
            reason=text,
            urgency=Flag.Urgency.URGENT if urgent else Flag.Urgency.NORMAL,
            ticket=ticket,
            # A requester who asked not to be called is not the contact to call; the builder picks one.
            contact=requester if requester and not requester.do_not_call else None,
        )
    except FlagAlreadyActive as exc:
        return flag_add_note(flag_id=exc.flag.pk, by=None, text=text, make_urgent=urgent, ticket=ticket)


@transaction.atomic
def flag_raise_from_survey(*, response_id: int) -> Flag | FlagNote | None:
    """A survey answer past the scoring policy's line raises an urgent flag quoting the customer's
    words and naming the survey ('Delighted NPS 0, 29 Nov: "you guys are absolute idiots"'); once
    per answer. The caller decides the answer crosses the line (callsheets.survey_line).

    When the customer already has an open or scheduled flag, the answer is added to it as a note
    that makes it urgent. The answer's row is locked first, so two deliveries of the same answer at
    once add it once; the unique constraints on Flag/FlagNote.survey_response back that up.
    """
    response = (
        SurveyResponse.objects.select_for_update(of=("self",)).select_related("customer", "contact").get(pk=response_id)
    )
    if (
        Flag.objects.filter(survey_response=response).exists()
        or FlagNote.objects.filter(survey_response=response).exists()
    ):
        return None
    text = _clip(response.quote, FLAG_REASON.limit)
    contact = response.contact
    try:
        return _flag_create(
            customer=response.customer,
            by=None,
            origin=Flag.Origin.SURVEY,
            reason=text,
            urgency=Flag.Urgency.URGENT,
            ticket=None,
            survey_response=response,
            contact=contact if contact and not contact.do_not_call else None,
        )
    except FlagAlreadyActive as exc:
        return flag_add_note(
            flag_id=exc.flag.pk, by=None, text=_clip(text, FLAG_NOTE.limit), make_urgent=True, survey_response=response
        )


def _clip(text: str, limit: int) -> str:
    """A quote longer than the limit ends in '…”' rather than being refused."""
    return text if len(text) <= limit else text[: limit - 2] + "…”"


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
def flag_add_note(
    *,
    flag_id: int,
    by,
    text: str,
    make_urgent: bool = False,
    ticket: SupportTicket | None = None,
    survey_response: SurveyResponse | None = None,
) -> FlagNote:
    """Adds what another lead (or the same one), or a ticket tagged for a CEO call, knows to an open
    or scheduled flag.

    `make_urgent` raises a normal flag to urgent; it never lowers one. A flag that was already
    called, closed or dismissed takes no more notes: raise a new flag instead.
    """
    text = normalize_text(text)
    if not text:
        raise ValidationError({"text": "Write what you want to add."})
    if FLAG_NOTE.error(text):
        raise ValidationError({"text": FLAG_NOTE.error(text)})
    flag = Flag.objects.select_for_update().get(pk=flag_id)
    if flag.status not in Flag.ACTIVE_STATUSES:
        raise ValidationError(
            f"This flag is already {flag.get_status_display().lower()}; raise a new flag for the customer instead."
        )
    made_urgent = make_urgent and flag.urgency != Flag.Urgency.URGENT
    if made_urgent:
        flag.urgency, flag.urgent_since = Flag.Urgency.URGENT, timezone.now()
        flag.save(update_fields=["urgency", "urgent_since", "updated_at"])
    note = FlagNote.objects.create(
        flag=flag, author=by, ticket=ticket, survey_response=survey_response, text=text, made_urgent=made_urgent
    )
    if made_urgent:
        _place_urgent(flag)
    return note


@transaction.atomic
def flag_dismiss(*, flag_id: int, by, reason: str) -> Flag:
    """An admin dismisses an open or scheduled flag with a reason the lead will read.

    A second dismissal, or dismissing a flag that was already called or closed, is refused.
    """
    reason = normalize_text(reason)
    if not reason:
        raise ValidationError({"reason": "Tell the lead why the flag is dismissed."})
    if DISMISSAL_REASON.error(reason):
        raise ValidationError({"reason": DISMISSAL_REASON.error(reason)})
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


@transaction.atomic
def flag_call_corrected(*, call) -> list[Flag]:
    """A logged call was corrected (outcome, mood, time or a promise added): each flag it answered
    follows the call's time, and its lead is told what changed, once (after the commit, like
    flag_mark_called; notifications.services.flag_outcome_send decides whether anything the lead
    was told has changed, so an unchanged correction sends nothing).
    """
    flags = list(Flag.objects.select_for_update().filter(call=call))
    for flag in flags:
        if flag.called_at != call.called_at:
            flag.called_at = call.called_at
            flag.save(update_fields=["called_at", "updated_at"])
        transaction.on_commit(lambda pk=flag.pk: send_flag_outcome.delay(pk), robust=True)
    return flags
