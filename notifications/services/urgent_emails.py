"""The urgent alarm's messages: the executive at once (e-mail, and Slack when SLACK_WEBHOOK_URL is set),
program admins when an urgent call is neither acknowledged nor logged by half its window.

Each e-mail is claimed once (`flag-<id>-urgent` for the executive, `urgent-call-<id>` per admin), so a
retried task or the sweep never sends it twice. Urgent e-mails ignore the e-mail preferences: an
alarm the executive chose not to hear of would not be urgent.
"""

import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from callsheets.hours import zone
from callsheets.models import SheetEntry, UrgentCall
from customers.models import Flag
from customers.templatetags.phones import phone_text, tel_href

from .. import selectors
from ..models import EmailDelivery, EmailKind
from .delivery import email_send_once, site_url

logger = logging.getLogger(__name__)

SLACK_TIMEOUT = 5  # seconds: Slack answers in well under one
SLACK_TRIES_MAX = 3  # in-process (no REDIS_URL) a failed post is tried this often, no more
SLACK_RETRY_PAUSES = (0.5, 2.0)  # seconds between those tries


@dataclass
class UrgentMessage:
    """Everything the executive needs to call now, read once for the e-mail and the Slack post."""

    flag: Flag
    executive: object
    customer: object
    contact: object
    why: str
    when: str  # "Tue 1 Dec 10:00 (Europe/Oslo), first on your sheet" or "outside your slot"
    deadline: datetime
    customer_now: datetime
    link: str
    urgent_call: UrgentCall | None = None

    @property
    def tel(self) -> str:
        return tel_href(self.contact) if self.contact and self.contact.phone else ""

    @property
    def deadline_label(self) -> str:
        local = timezone.localtime(self.deadline, self.customer.zoneinfo)
        return f"{local:%a %-d %b %H:%M} ({self.customer.timezone})"

    @property
    def customer_now_label(self) -> str:
        return f"{self.customer_now:%a %H:%M} ({self.customer_now.tzinfo})"

    def lines(self) -> list[str]:
        contact = "no callable contact on record"
        if self.contact:
            contact = f"{self.contact.name}{', ' + self.contact.title if self.contact.title else ''}"
            contact += f", {phone_text(self.contact)}" if self.contact.phone else ""
        return [
            f"Urgent: call {self.customer.name} {self.when}.",
            f"Why, in their words: {self.why}",
            f"Contact: {contact}",
            f"Their local time now: {self.customer_now_label}",
            f"Deadline: {self.deadline_label}",
        ]


def urgent_message(flag_id: int) -> UrgentMessage | None:
    """The flag's urgent placement or urgent call in words; None when it has neither."""
    from callsheets.hours import urgent_deadline

    flag = (
        Flag.objects.select_related("customer", "contact", "survey_response", "ticket", "raised_by")
        .filter(pk=flag_id)
        .first()
    )
    if flag is None:
        return None
    entry = (
        SheetEntry.objects.filter(flag=flag, urgent_placed_at__isnull=False)
        .select_related("sheet__executive__user", "contact")
        .first()
    )
    urgent_call = UrgentCall.objects.filter(flag=flag).select_related("executive__user", "contact").first()
    if entry is None and urgent_call is None:
        return None
    customer = flag.customer
    if urgent_call is None:  # an urgent call after a failed attempt wins over the placement it followed
        executive, contact = entry.sheet.executive, entry.contact
        start = entry.sheet.slot_starts_at or executive.slot_start(entry.sheet.week_start)
        tz_name = (contact.timezone if contact else "") or customer.timezone
        first = "first on your sheet" if entry.position == 1 else f"number {entry.position} on your sheet"
        when = (
            f"on {timezone.localtime(start, executive.zoneinfo):%a %-d %b at %H:%M} ({executive.timezone}), {first}; "
            f"{timezone.localtime(start, zone(tz_name)):%H:%M} for them"
        )
        link = site_url(reverse("callsheets:week", args=[entry.sheet.week_start.isoformat()])) + f"#entry-{entry.pk}"
        from callsheets.models import ScoringPolicy

        deadline = urgent_deadline(
            flag.urgent_since or flag.created_at, customer.timezone, ScoringPolicy.objects.active()
        )
    else:
        executive, contact = urgent_call.executive, urgent_call.contact
        when = "outside your weekly slot: no slot starts in time"
        link = site_url(reverse("callsheets:current")) + f"#urgent-{urgent_call.pk}"
        deadline = urgent_call.deadline
    tz_name = (contact.timezone if contact else "") or customer.timezone
    return UrgentMessage(
        flag=flag,
        executive=executive,
        customer=customer,
        contact=contact,
        why=flag.reason,
        when=when,
        deadline=deadline,
        customer_now=timezone.localtime(timezone.now(), zone(tz_name)),
        link=link,
        urgent_call=urgent_call,
    )


def urgent_period_key(flag_id: int) -> str:
    """The claim of the flag's urgent e-mail: once for its alarm, and once more for an urgent call given
    after a call that did not reach the customer (a new task for the executive, a new e-mail)."""
    from callsheets.models import CallLog

    urgent_call = UrgentCall.objects.filter(flag_id=flag_id).values_list("pk", "created_at").first()
    if urgent_call and (
        CallLog.objects.filter(
            entry__flag_id=flag_id,
            outcome__in=(CallLog.Outcome.VOICEMAIL, CallLog.Outcome.NO_ANSWER),
            called_at__lte=urgent_call[1],
        ).exists()
    ):
        return f"flag-{flag_id}-urgent-retry-{urgent_call[0]}"
    return f"flag-{flag_id}-urgent"


def urgent_notice_send(*, flag_id: int) -> str:
    """E-mails the executive the flag's urgent placement or urgent call, once: "sent", "skipped" or "failed"."""
    key = urgent_period_key(flag_id)
    done = EmailDelivery.objects.filter(kind=EmailKind.URGENT_ALARM, period_key=key).filter(
        Q(status__in=[EmailDelivery.Status.SENT, EmailDelivery.Status.SENDING])
        | Q(attempts__gte=EmailDelivery.MAX_ATTEMPTS)
    )
    if done.exists():
        return "skipped"  # sent, being sent, or given up; a failed one is tried again (delivery_claim)
    return _send(flag_id, key)


def _send(flag_id: int, key: str | None = None) -> str:
    message = urgent_message(flag_id)
    if message is None:
        return "skipped"
    return email_send_once(
        kind=EmailKind.URGENT_ALARM,
        recipient=message.executive.user,
        period_key=key or urgent_period_key(flag_id),
        template="urgent_alarm",
        context={"m": message},
        content={"flag": flag_id, "when": message.when},
    )


def urgent_notice_retry(*, flag_id: int, period_key: str | None = None) -> str:
    """The task's send: also takes over a failed attempt (delivery_claim allows MAX_ATTEMPTS).
    `period_key`: a claim of its own (an urgent call handed to another executive)."""
    return _send(flag_id, period_key)


def slack_payload(message: UrgentMessage) -> dict:
    """Slack's incoming-webhook message: `text` for notifications, `blocks` for the layout."""
    lines = message.lines()
    contact = lines[2]
    if message.tel:
        contact += f" <{message.tel}|call>"
    return {
        "text": lines[0],
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": f"Urgent: {message.customer.name}"[:150]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "\n".join([f"*{message.executive.name}*: {lines[0]}", *lines[1:2]])},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join([contact, *lines[3:]])}},
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": "Open the sheet"}, "url": message.link}
                ],
            },
        ],
    }


def urgent_slack_post(*, flag_id: int, tries: int = 1) -> bool:
    """Posts the executive's urgent message to SLACK_WEBHOOK_URL; False when none is set or nothing
    to say. Tries up to `tries` times (at most SLACK_TRIES_MAX), pausing SLACK_RETRY_PAUSES between;
    raises OSError when Slack cannot be reached or refuses on the last: the task retries (a worker,
    with backoff) or gives up (in-process, where the tries here are all there are)."""
    url = settings.SLACK_WEBHOOK_URL
    if not url:
        return False
    message = urgent_message(flag_id)
    if message is None:
        return False
    body = json.dumps(slack_payload(message)).encode()
    tries = min(max(tries, 1), SLACK_TRIES_MAX)
    for attempt in range(1, tries + 1):
        try:
            _slack_send(url, body)
        except OSError:
            if attempt == tries:
                raise
            logger.warning(
                "Slack post of urgent flag %s failed (try %s of %s).", flag_id, attempt, tries, exc_info=True
            )
            time.sleep(SLACK_RETRY_PAUSES[attempt - 1])
        else:
            return True
    return False  # not reached: the last try returns or raises


def _slack_send(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=SLACK_TIMEOUT) as response:  # noqa: S310 (an https URL from settings)
        if response.status >= 300:
            raise OSError(f"Slack answered {response.status}")


def urgent_overdue_send(*, urgent_call_id: int) -> dict[str, int]:
    """Tells every program admin that an urgent call is neither acknowledged nor logged at half its window."""
    urgent_call = UrgentCall.objects.select_related("executive__user", "customer", "flag").get(pk=urgent_call_id)
    message = urgent_message(urgent_call.flag_id)
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for admin in selectors.program_admins():
        outcome = email_send_once(
            kind=EmailKind.URGENT_UNANSWERED,
            recipient=admin,
            period_key=f"urgent-call-{urgent_call.pk}",
            template="urgent_unanswered",
            context={"m": message, "urgent_call": urgent_call},
        )
        counts[outcome] += 1
    return counts
