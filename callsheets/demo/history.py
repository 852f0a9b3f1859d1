"""The program's past in the demo: eight weeks of sheets, the calls made on them, the promises
made on those calls (some kept, some late), the flags that led there, and today's open flags."""

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from customers.models import Flag, SurveyResponse

from ..models import CallLog, CallSheet, Commitment, CommitmentChange, Executive, SheetEntry, week_start_of
from . import text

PAST_WEEKS = 8


def _reasons(customer_id, before: datetime, surveys_by_customer, tickets_by_customer) -> list[dict]:
    """Reasons as the builder words them, from the signals the customer had before that week."""
    reasons = []
    for r in surveys_by_customer.get(customer_id, []):
        if before - timedelta(days=60) <= r.responded_at < before and r.is_detractor:
            quote = f': "{r.comment}"' if r.comment else ""
            kind = "NPS" if r.kind == SurveyResponse.Kind.NPS else "CSAT"
            code = "nps_detractor" if r.kind == SurveyResponse.Kind.NPS else "csat_low"
            reasons.append(
                {
                    "code": code,
                    "text": f"{kind} {r.score} on {r.responded_at:%-d %b}{quote}",
                    "points": 10 * (7 - r.score),
                }
            )
            break
    urgent = [
        t
        for t in tickets_by_customer.get(customer_id, [])
        if before - timedelta(days=30) <= t.created_at < before and t.priority == "urgent"
    ]
    if urgent:
        first = urgent[-1]
        reasons.append(
            {
                "code": "urgent_tickets",
                "text": f'{len(urgent)} urgent ticket{"s" if len(urgent) > 1 else ""}, #{first.external_id} "{first.subject}"',
                "points": 12 * len(urgent),
            }
        )
    return sorted(reasons, key=lambda r: -r["points"])


def make_history(rng: random.Random, customers, tickets, surveys, users: dict, today: date) -> dict:
    executives = list(Executive.objects.with_slot().select_related("user").order_by("id"))
    owners = [u for email, u in users.items() if email.startswith(("ines.", "tom."))]
    leads = [u for email, u in users.items() if email.startswith(("sam.", "jules."))]
    surveys_by_customer, tickets_by_customer = {}, {}
    for r in surveys:
        surveys_by_customer.setdefault(r.customer_id, []).append(r)
    for t in tickets:
        tickets_by_customer.setdefault(t.customer_id, []).append(t)
    callable_ids = [
        d.customer.pk
        for d in customers
        if d.customer.lifecycle_status != "churned" and any(c.is_callable for c in d.contacts)
    ]
    contact_of = {
        d.customer.pk: next(c for c in d.contacts if c.is_callable) for d in customers if d.customer.pk in callable_ids
    }
    counts = {"sheets": 0, "calls": 0, "commitments": 0, "flags": 0}
    now = timezone.now()
    this_monday = week_start_of(today)
    for weeks_ago in range(PAST_WEEKS, 0, -1):
        monday = this_monday - timedelta(weeks=weeks_ago)
        pool = rng.sample(callable_ids, k=min(len(callable_ids), 6 * len(executives)))
        for executive in executives:
            picks, pool = pool[:6], pool[6:]
            slot = executive.slot_start(monday)
            sheet = CallSheet.objects.create(
                executive=executive,
                week_start=monday,
                slot_starts_at=slot,
                built_at=slot - timedelta(days=4),
                inputs={"source": "seed_demo", "policy": {"ticket_window_days": 30, "survey_window_days": 60}},
            )
            counts["sheets"] += 1
            skipped_main = 0
            for position, customer_id in enumerate(picks, start=1):
                reasons = _reasons(customer_id, slot, surveys_by_customer, tickets_by_customer) or [
                    {
                        "code": "listening",
                        "text": "Listening call: no alarm, chosen at random to hear the quiet majority.",
                        "points": 0,
                    }
                ]
                backup = position > executive.capacity
                entry = SheetEntry(
                    sheet=sheet,
                    week_start=monday,
                    customer_id=customer_id,
                    contact=contact_of[customer_id],
                    position=position,
                    score=float(sum(r["points"] for r in reasons)),
                    reasons=reasons,
                    is_backup=backup,
                    is_listening=reasons[0]["code"] == "listening",
                )
                called = rng.random() < (0.88 if not backup else 0.5 * skipped_main)
                if not backup and not called:
                    entry.status, skipped_main = SheetEntry.Status.SKIPPED, skipped_main + 1
                entry.save()
                if called:
                    _call(rng, entry, executive, slot, position, owners, leads, today, now, counts)
    _open_flags(rng, customers, leads, now, counts)
    return counts


def _call(rng, entry, executive, slot, position, owners, leads, today, now, counts):
    outcome = rng.choices(list(CallLog.Outcome), [66, 14, 12, 8])[0]
    reached = outcome == CallLog.Outcome.REACHED
    called_at = slot + timedelta(minutes=executive.minutes_per_call * (position - 1) + rng.randint(0, 4))
    call = CallLog.objects.create(
        entry=entry,
        executive=executive,
        customer=entry.customer,
        contact=entry.contact,
        called_at=called_at,
        outcome=outcome,
        duration_minutes=rng.randint(8, 19) if reached else rng.randint(1, 3),
        notes=rng.choice(text.CALL_NOTES_REACHED if reached else text.CALL_NOTES_OTHER),
        sentiment=rng.choice(["angry", "unhappy", "neutral", "satisfied"]) if reached else "",
        logged_by=executive.user,
    )
    SheetEntry.objects.filter(pk=entry.pk).update(status=SheetEntry.Status.CALLED)
    counts["calls"] += 1
    if rng.random() < 0.35:
        Flag.objects.create(
            customer=entry.customer,
            raised_by=rng.choice(leads),
            reason=rng.choice(text.FLAG_REASONS),
            status=Flag.Status.CLOSED if rng.random() < 0.6 else Flag.Status.CALLED,
            sheet=entry.sheet,
            call=call,
            created_at=slot - timedelta(days=rng.randint(4, 9)),
            scheduled_at=slot - timedelta(days=3),
            called_at=called_at,
            lead_notified_at=called_at + timedelta(minutes=1),
            closed_at=called_at + timedelta(days=2),
        )
        counts["flags"] += 1
    if not reached:
        return
    for promise in rng.sample(text.PROMISES, k=rng.choices([0, 1, 2], [30, 45, 25])[0]):
        due = called_at.date() + timedelta(days=rng.randint(5, 21))
        owner = executive.user if rng.random() < 0.5 else rng.choice(owners)
        commitment = Commitment(
            call=call, customer=entry.customer, promise=promise, owner=owner, due_date=due, created_at=called_at
        )
        fate = rng.random()
        finished_on = due + timedelta(days=rng.randint(-6, 4))
        if (due < today and fate < 0.75) or (due >= today and fate < 0.2 and finished_on < today):
            kept = fate < 0.65 or due >= today
            commitment.status = Commitment.Status.DONE if kept else Commitment.Status.DROPPED
            commitment.completed_at = timezone.make_aware(
                datetime.combine(min(finished_on, today - timedelta(days=1)), datetime.min.time())
            ) + timedelta(hours=15)
            commitment.resolution = (
                rng.choice(text.RESOLUTIONS) if kept else "Dropped: the customer no longer needs it."
            )
            commitment.customer_told = kept and rng.random() < 0.75
        commitment.save()
        counts["commitments"] += 1
        if commitment.status != Commitment.Status.OPEN:
            CommitmentChange.objects.create(
                commitment=commitment,
                by=owner,
                at=commitment.completed_at,
                field="status",
                old="open",
                new=commitment.status,
                note=commitment.resolution,
            )
    if rng.random() < 0.4 and called_at + timedelta(days=20) < now:
        before = (
            entry.customer.survey_responses.filter(kind="nps", responded_at__lt=called_at)
            .order_by("-responded_at")
            .first()
        )
        base = before.score if before else 6
        SurveyResponse.objects.create(
            source=SurveyResponse.Source.DELIGHTED,
            external_id=f"DL-AFTER-{call.pk}",
            customer=entry.customer,
            contact=entry.contact,
            kind="nps",
            score=max(0, min(10, base + rng.randint(-1, 4))),
            comment=rng.choice(
                ["", "Appreciated the call from your CEO.", "Better since the fix.", "Still waiting on the credit."]
            ),
            responded_at=called_at + timedelta(days=rng.randint(10, 20)),
        )


def _open_flags(rng, customers, leads, now, counts):
    """Today's open flags, raised by the leads in the last ten days; two are urgent."""
    angry = [d for d in customers if d.mood == "angry" and d.customer.lifecycle_status != "churned"]
    busy = set(Flag.objects.filter(status__in=Flag.ACTIVE_STATUSES).values_list("customer_id", flat=True))
    picks = [d for d in angry if d.customer.pk not in busy][:9]
    for n, d in enumerate(picks):
        urgent = n < 2
        ticket = d.customer.tickets.order_by("-created_at").first()
        Flag.objects.create(
            customer=d.customer,
            raised_by=leads[n % len(leads)],
            reason=(text.FLAG_REASONS_URGENT if urgent else text.FLAG_REASONS)[
                n % (3 if urgent else len(text.FLAG_REASONS))
            ],
            urgency=Flag.Urgency.URGENT if urgent else Flag.Urgency.NORMAL,
            ticket=ticket if n % 2 == 0 else None,
            contact=d.contacts[0] if d.contacts[0].is_callable else None,
            created_at=now - timedelta(days=rng.uniform(0.5, 10)),
        )
        counts["flags"] += 1
