"""explain_customer: the builder's rules applied to one customer, for the customer page."""

from datetime import datetime

from django.utils import timezone

from customers.models import Customer

from ..models import Executive, ScoringPolicy, SheetEntry, week_start_of
from . import signals as reads
from .assign import Candidate, cooldown_until, evaluate
from .candidates import read_customers
from .history import read_call_history
from .result import Outlook
from .scoring import score_customer


def explain_customer(
    customer: Customer, now: datetime | None = None, *, policy: ScoringPolicy | None = None
) -> Outlook:
    """What a build would do with this customer right now, in one sentence and its reasons.

    `policy`: the active scoring policy when the caller has read it already (the customer page).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_start = week_start_of(today)
    policy = policy or ScoringPolicy.objects.active()
    if customer.lifecycle_status == Customer.Lifecycle.CHURNED:
        return Outlook("churned", "Churned: churned customers are not called.")

    entry = (
        SheetEntry.objects.filter(customer=customer, week_start__gte=week_start, status=SheetEntry.Status.PENDING)
        .select_related("sheet__executive__user")
        .order_by("week_start")
        .first()
    )
    if entry is not None:
        role = "a backup" if entry.is_backup else f"call {entry.position}"
        sentence = (
            f"On {entry.sheet.executive.name}'s sheet for the week of "
            f"{entry.week_start.day} {entry.week_start:%b} ({role})"
        )
        if entry.reasons:
            sentence += f": {entry.reasons[0]['text']}"
        return Outlook("on_sheet", sentence, list(entry.reasons), entry.score)

    names = {e.id: e.name for e in Executive.objects.select_related("user")}
    sig = reads.read_signals(policy=policy, now=now, today=today, week_start=week_start, customer_id=customer.id).get(
        customer.id
    )
    reads.read_answer_details([sig])
    history = read_call_history(customer_id=customer.id).get(customer.id)
    until = cooldown_until(history, policy, now)
    customer = read_customers([customer.id])[customer.id]
    verdict = evaluate(customer, sig, history, policy, now=now, today=today, executive_names=names)
    scored = None
    if sig is not None:
        tickets = reads.read_ticket_details(policy=policy, now=now, customer_ids=[customer.id]).get(customer.id)
        scored = score_customer(sig, customer, policy, now=now, today=today, executive_names=names, tickets=tickets)
    reasons, score = (scored.reasons, scored.score) if scored else ([], 0.0)

    if not isinstance(verdict, Candidate):
        return Outlook(verdict.code, verdict.text, reasons, score, until if verdict.code == "cooldown" else None)
    if sig is None:
        return Outlook("no_signal", "No signal: could be drawn at random for a listening call.", [], 0.0, until)
    sentence = f"Would be on a sheet: {reasons[0]['text']}" if reasons else "Would be on a sheet"
    return Outlook("would_be_listed", sentence, reasons, score, until)
