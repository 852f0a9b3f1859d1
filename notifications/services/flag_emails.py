"""The support lead's e-mails about their flag's call: the outcome, then a correction for each change.

Each e-mail records what it told the lead (`EmailDelivery.content`). The first is the outcome,
claimed once per flag and call (`flag-<flag>-call-<call>`); after that, whenever the call is
corrected and what the lead was told no longer holds, one correction is claimed on the last
e-mail that told them (`…-after-<delivery id>`), so each change is told once, a retried task or a
second worker claims the same row, and an unchanged correction sends nothing.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from callsheets.models import CallLog
from customers.models import Flag
from customers.plan import flag_plan

from .. import selectors
from ..models import EmailDelivery, EmailKind
from .delivery import email_send_once, preferences_for, site_url, wants

logger = logging.getLogger(__name__)

FLAG_OUTCOME_SWEEP_DAYS = 2


def call_told(call: CallLog, commitments: list) -> dict:
    """What the flag's e-mail tells the lead about the call: the facts a correction can change."""
    return {
        "outcome": call.outcome,
        "sentiment": call.sentiment,
        "day": timezone.localtime(call.called_at, call.executive.zoneinfo).date().isoformat(),
        "commitments": sorted(c.pk for c in commitments),
    }


def _changes(before: dict, now: dict, commitments: list) -> list[str]:
    """The corrections in words, for the lead: 'Outcome: left voicemail (was reached).'"""
    outcome, sentiment = CallLog.Outcome, CallLog.Sentiment
    changes = []
    if before.get("outcome") != now["outcome"]:
        was = outcome(before["outcome"]).label.lower() if before.get("outcome") in outcome.values else "not known"
        changes.append(f"Outcome: {outcome(now['outcome']).label.lower()} (was {was}).")
    if before.get("sentiment", "") != now["sentiment"]:
        mood = sentiment(now["sentiment"]).label.lower() if now["sentiment"] else "not recorded"
        was = sentiment(before["sentiment"]).label.lower() if before.get("sentiment") else "not recorded"
        changes.append(f"The customer's mood: {mood} (was {was}).")
    if before.get("day") != now["day"]:
        day = datetime.fromisoformat(now["day"])
        was = f" (was {datetime.fromisoformat(before['day']):%a %-d %b})" if before.get("day") else ""
        changes.append(f"The call was on {day:%A %-d %b %Y}{was}.")
    added = [c for c in commitments if c.pk not in set(before.get("commitments", []))]
    if added:
        changes.append(f"{'A commitment was' if len(added) == 1 else f'{len(added)} commitments were'} added.")
    return changes


def _last_told(flag: Flag, lead) -> EmailDelivery | None:
    """The latest e-mail about this flag and call that went out, or may have (sending); failed ones told nothing."""
    key = f"flag-{flag.pk}-call-{flag.call_id}"
    return (
        EmailDelivery.objects.filter(recipient=lead)
        .filter(
            Q(kind=EmailKind.FLAG_OUTCOME, period_key=key)
            | Q(kind=EmailKind.FLAG_CORRECTION, period_key__startswith=f"{key}-after-")
        )
        .exclude(status=EmailDelivery.Status.FAILED)
        .order_by("-id")
        .first()
    )


def flag_outcome_send(*, flag_id: int) -> str:
    """Tells the lead who raised the flag what the call on it gave, with the commitments made; and
    when the call was corrected since, what changed.

    Returns "sent", "failed", "unchanged" (what the lead was told still holds), "off" (the lead
    turned these e-mails off) or "skipped" (no call, no lead, or another worker has it). The flag
    records when the lead was last told (`lead_notified_at`): the moment the facts were read, so a
    correction committed while this e-mail was being sent is newer, and the hourly sweep finds it.
    """
    read_at = timezone.now()
    flag, commitments = selectors.flag_with_outcome(flag_id=flag_id)
    lead = flag.raised_by
    if flag.call_id is None or lead is None or not lead.is_active:
        return "skipped"
    if not wants(preferences_for([lead]), lead, EmailKind.FLAG_OUTCOME):
        return "off"
    told = call_told(flag.call, commitments)
    plan = flag_plan(flag)  # an active flag after a call that did not reach: when it is tried again
    context = {
        "flag": flag,
        "plan": plan,
        "call": flag.call,
        "commitments": commitments,
        "customer_url": site_url(f"/customers/{flag.customer_id}/"),
        "flags_url": site_url("/flags/"),
    }
    key = f"flag-{flag.pk}-call-{flag.call_id}"
    last = _last_told(flag, lead)
    if last is None:
        kind, template = EmailKind.FLAG_OUTCOME, "flag_outcome"
    elif last.content == told:
        return "unchanged"
    else:
        kind, template, key = EmailKind.FLAG_CORRECTION, "flag_correction", f"{key}-after-{last.pk}"
        context["changes"] = _changes(last.content, told, commitments)
    result = email_send_once(
        kind=kind, recipient=lead, period_key=key, template=template, context=context, content=told
    )
    if result == "sent":
        Flag.objects.filter(pk=flag.pk).update(lead_notified_at=read_at)
    return result


def flag_outcomes_send_missed(*, now: datetime | None = None) -> dict[str, int]:
    """Sends the lead's e-mails whose task never ran (the broker was down when the call was logged
    or corrected): calls logged in the last FLAG_OUTCOME_SWEEP_DAYS whose lead was never told, and
    calls changed since the lead was last told. The delivery rows keep each to one e-mail.
    """
    since = (now or timezone.now()) - timedelta(days=FLAG_OUTCOME_SWEEP_DAYS)
    flags = Flag.objects.filter(status=Flag.Status.CALLED, call__isnull=False, raised_by__isnull=False).filter(
        # when the call was logged or changed, not when it happened
        Q(lead_notified_at__isnull=True, call__created_at__gte=since)
        | Q(call__updated_at__gt=F("lead_notified_at"), call__updated_at__gte=since)
    )
    counts = Counter(flag_outcome_send(flag_id=pk) for pk in flags.values_list("pk", flat=True))
    return dict(counts)
