"""The follow-up e-mail to the customer after a call: its draft, and sending it once.

The draft never quotes the call's notes (they may be private, and they are written for colleagues):
"what we heard" names the topics the notes touch (Topic keywords), and the executive edits the rest.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ceocalls.limits import FOLLOW_UP_BODY, FOLLOW_UP_SUBJECT, normalize_text
from customers.models import Contact

from ..models import CallFollowUp, CallLog, Commitment, Topic

logger = logging.getLogger(__name__)


@dataclass
class FollowUpDraft:
    contact: Contact | None  # who it goes to; None: nobody with an e-mail address
    subject: str
    body: str
    promises: list[Commitment] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # what the notes touch on, by topic name

    @property
    def to(self) -> str:
        return self.contact.email if self.contact else ""


def follow_up_recipient(call: CallLog) -> Contact | None:
    """The call's contact when it has an e-mail address, else the customer's primary contact with one."""
    if call.contact is not None and call.contact.email:
        return call.contact
    return Contact.objects.filter(customer_id=call.customer_id, is_primary=True).exclude(email="").first()


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def _joined(names: list[str]) -> str:
    """['Billing', 'SSO outages'] → 'billing and SSO outages' (an acronym keeps its capitals)."""
    names = [n if n.split()[0].isupper() else n[0].lower() + n[1:] for n in names if n.split()]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _heard(call: CallLog, topics: list[str]) -> str:
    if call.outcome != CallLog.Outcome.REACHED:
        return ""
    if topics:
        return (
            f"What we heard, in short: {_joined(topics)}. Thank you for being frank about it; it is exactly "
            "what we need to hear."
        )
    return "What we heard: how things are going for you, in your own words. Thank you for being frank about it."


def follow_up_draft(*, call: CallLog) -> FollowUpDraft:
    """The draft the executive edits: to the recipient, thanks, what we heard, what we promised."""
    contact = follow_up_recipient(call)
    topics = [t.name for t in Topic.objects.active() if t.matches(call.notes)]
    promises = list(call.commitments.exclude(status=Commitment.Status.DROPPED).order_by("due_date", "id"))
    executive = call.executive
    day = timezone.localtime(call.called_at, executive.zoneinfo).date()
    first_name = contact.name.split()[0] if contact and contact.name.split() else ""
    lines = [f"Dear {first_name}," if first_name else "Hello,", ""]
    if call.outcome == CallLog.Outcome.REACHED:
        lines += [f"Thank you for taking the time to talk with me on {_day(day)}.", "", _heard(call, topics), ""]
    else:
        lines += [f"I tried to reach you on {_day(day)} and am sorry we missed each other.", ""]
    if promises:
        lines.append("What we promised, and by when:")
        lines += [f"- {p.promise.rstrip('.')}, by {p.due_date.day} {p.due_date:%B %Y}" for p in promises]
        lines += ["", "We will tell you as each of these is done."]
    else:
        lines.append("")
    lines[-1] += (
        " " if lines[-1] else ""
    ) + "If anything else comes up, simply reply to this e-mail: it comes straight to me."
    lines.append("")
    lines += ["Best regards,", executive.name]
    if executive.title:
        lines.append(executive.title)
    subject = f"Thank you for our call, {call.customer.name}"
    if call.outcome != CallLog.Outcome.REACHED:
        subject = f"Sorry I missed you, {call.customer.name}"
    return FollowUpDraft(
        contact=contact, subject=subject[:200], body="\n".join(lines), promises=promises, topics=topics
    )


def _check(subject: str, body: str) -> None:
    errors = {}
    if not subject:
        errors["subject"] = "Give the e-mail a subject."
    elif FOLLOW_UP_SUBJECT.error(subject):
        errors["subject"] = FOLLOW_UP_SUBJECT.error(subject)
    if not body:
        errors["body"] = "Write the e-mail before sending it."
    elif FOLLOW_UP_BODY.error(body):
        errors["body"] = FOLLOW_UP_BODY.error(body)
    if errors:
        raise ValidationError(errors)


def _claim(*, call: CallLog, contact: Contact, by, subject: str, body: str) -> CallFollowUp | None:
    """The right to send this call's follow-up; None when it was sent or is being sent already.

    As notifications.services.delivery.delivery_claim: the insert is guarded by the unique call and
    commits at once, so two requests racing cannot both win; a failed attempt is taken over by a
    conditional UPDATE, which only one request can win either.
    """
    now = timezone.now()
    fields = {"contact": contact, "to": contact.email, "subject": subject, "body": body, "sent_by": by}
    try:
        with transaction.atomic():
            return CallFollowUp.objects.create(call=call, claimed_at=now, **fields)
    except IntegrityError:
        pass
    retry = CallFollowUp.objects.filter(
        call=call, status=CallFollowUp.Status.FAILED, attempts__lt=CallFollowUp.MAX_ATTEMPTS
    )
    if retry.update(status=CallFollowUp.Status.SENDING, claimed_at=now, error="", attempts=F("attempts") + 1, **fields):
        return CallFollowUp.objects.get(call=call)
    return None


def follow_up_send(*, call_id: int, by, subject: str, body: str) -> tuple[CallFollowUp, bool]:
    """Sends the call's follow-up to the customer once: (the follow-up, True) when this request sent it,
    (the follow-up, False) when it had been sent, or is being sent, already, by anyone.

    Raises ValidationError when the text breaks a rule, the customer has no contact with an e-mail
    address, or the mail server refused (the attempt is recorded; sending again retries it).
    """
    subject, body = " ".join(normalize_text(subject).split()), normalize_text(body)
    _check(subject, body)
    call = CallLog.objects.select_related("customer", "contact", "executive__user").get(pk=call_id)
    contact = follow_up_recipient(call)
    if contact is None:
        raise ValidationError(
            f"{call.customer.name} has no contact with an e-mail address: add one to the call's contact "
            "or the primary contact (admin → Contacts), then send."
        )
    follow_up = _claim(call=call, contact=contact, by=by, subject=subject, body=body)
    if follow_up is None:
        return CallFollowUp.objects.select_related("sent_by").get(call=call), False
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    message = EmailMessage(
        subject,
        body,
        formataddr((call.executive.name, sender)),
        [contact.email],
        reply_to=[call.executive.user.email] if call.executive.user.email else None,
    )
    try:
        message.send()
    except Exception as exc:  # a refusing server or a bad address: recorded, said, and may be retried
        logger.exception("Sending the follow-up of call %s to %s failed.", call.pk, contact.email)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        CallFollowUp.objects.filter(pk=follow_up.pk).update(status=CallFollowUp.Status.FAILED, error=error)
        raise ValidationError(
            f"The e-mail to {contact.email} could not be sent ({type(exc).__name__}); nothing went out. "
            "Send again in a moment."
        ) from exc
    now = timezone.now()
    CallFollowUp.objects.filter(pk=follow_up.pk).update(status=CallFollowUp.Status.SENT, sent_at=now)
    follow_up.status, follow_up.sent_at = CallFollowUp.Status.SENT, now
    return follow_up, True
