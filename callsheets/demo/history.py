"""The program's past in the demo, made by the product itself.

Eight weeks (and this week so far) are replayed in the order they happened, each at its own time
(`clock.at`): support leads raise flags through `flag_raise`; every week's sheets are built by the
real builder at that week's build time (Friday before, like Celery beat); on each slot the
executive works down the sheet, logging each call through `call_log` at the minute it happened, or
skipping a customer whose local time is outside business hours; promises are kept, kept late or
dropped later through the commitment services. So the demo breaks no rule the product keeps:
one listening call per sheet, the cooldown, calls in the customer's business hours.
"""

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import Flag, SupportTicket, SurveyResponse
from customers.services.flags import flag_raise
from notifications.services.flag_emails import flag_outcome_send

from ..builder.assign import within_business_hours
from ..models import BuildRun, CallLog, CallSheet, Commitment, Executive, ScoringPolicy, SheetEntry, week_start_of
from ..services.builds import build_run_create, build_run_execute
from ..services.calls import PromiseInput, call_log, entry_skip
from ..services.commitments import commitment_complete, commitment_drop, commitment_mark_told
from ..services.followups import follow_up_draft, follow_up_send
from . import text
from .clock import at

PAST_WEEKS = 8
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OUTCOMES = (("reached", 70), ("voicemail", 13), ("no_answer", 10), ("rescheduled", 7))
MINUTES = {"reached": (8, 13), "voicemail": (1, 2), "no_answer": (0, 1), "rescheduled": (1, 3)}


class Agenda:
    """What happens when: events run in time order, each at its own time on the clock."""

    def __init__(self):
        self._events: list = []
        self._seq = 0

    def add(self, when: datetime, action, *args) -> None:
        heapq.heappush(self._events, (when, self._seq, action, args))
        self._seq += 1

    def run_until(self, end: datetime) -> None:
        while self._events and self._events[0][0] <= end:
            when, _, action, args = heapq.heappop(self._events)
            with at(when):
                action(when, *args)


@dataclass
class Cast:
    """Who plays which part, and what the demo knows of each customer."""

    rng: random.Random
    now: datetime
    agenda: Agenda
    policy: ScoringPolicy
    leads: list
    colleagues: list
    moods: dict  # customer id → angry, neutral or happy
    flaggable: list  # customer ids a lead may flag: not churned, not happy, with a callable contact
    counts: Counter = field(default_factory=Counter)


def build_time(week: date) -> datetime:
    """When Celery beat builds the sheets of `week`: the build weekday before it, at the build hour."""
    days_before = 7 - WEEKDAYS.index(settings.CALLSHEETS_BUILD_WEEKDAY)
    day = week - timedelta(days=days_before)
    return timezone.make_aware(datetime.combine(day, time(settings.CALLSHEETS_BUILD_HOUR)))


def make_history(rng: random.Random, customers, users: dict, now: datetime) -> dict:
    """Replays the past weeks up to `now`; returns how many sheets, calls, commitments and flags it made."""
    cast = Cast(
        rng=rng,
        now=now,
        agenda=Agenda(),
        policy=ScoringPolicy.objects.active(),
        leads=[u for email, u in users.items() if email.startswith(("sam.", "jules."))],
        colleagues=[u for email, u in users.items() if email.startswith(("ines.", "tom."))],
        moods={d.customer.pk: d.mood for d in customers},
        flaggable=[
            d.customer.pk
            for d in customers
            if d.customer.lifecycle_status != "churned" and d.mood != "happy" and any(c.is_callable for c in d.contacts)
        ],
    )
    this_week = week_start_of(timezone.localdate(now))
    weeks = [this_week - timedelta(weeks=n) for n in range(PAST_WEEKS, -1, -1)]
    for week in weeks:
        built_at = build_time(week)
        _plan_flags(cast, since=built_at - timedelta(days=7), until=built_at, how_many=rng.randint(2, 4))
        cast.agenda.add(built_at, _build, cast, week)
    last_build = build_time(weeks[-1])
    _plan_flags(cast, since=last_build, until=now, how_many=5, urgent=2)  # today's flags, waiting for a build
    cast.agenda.run_until(now)
    counts = cast.counts
    return {k: counts[k] for k in ("sheets", "calls", "commitments", "flags")}


def _plan_flags(cast: Cast, *, since: datetime, until: datetime, how_many: int, urgent: int = 0) -> None:
    """Flags a lead raises between `since` and `until`: on weekdays, 13:00–20:00 UTC (EMEA's afternoon,
    the Americas' morning), the first `urgent` of them urgent."""
    days = [
        since.date() + timedelta(days=n)
        for n in range((until.date() - since.date()).days + 1)
        if (since.date() + timedelta(days=n)).weekday() < 5
    ]
    for n in range(how_many):
        day = cast.rng.choice(days) if days else until.date()
        when = datetime.combine(day, time(13), tzinfo=UTC) + timedelta(minutes=cast.rng.randint(0, 7 * 60))
        is_urgent = n < urgent or (not urgent and cast.rng.random() < 0.1)
        cast.agenda.add(min(max(when, since), until), _raise_flag, cast, is_urgent, cast.rng.random())


def _raise_flag(when: datetime, cast: Cast, urgent: bool, roll: float) -> None:
    """A lead flags an angry customer (else a neutral one), naming the latest ticket and the contact when there is one."""
    busy = set(Flag.objects.active().values_list("customer_id", flat=True))
    candidates = [pk for pk in cast.flaggable if pk not in busy]
    angry = [pk for pk in candidates if cast.moods[pk] == "angry"]
    if not candidates:
        return
    pool = angry or candidates
    customer_id = pool[int(roll * len(pool))]
    ticket = SupportTicket.objects.filter(customer_id=customer_id, created_at__lte=when).order_by("-created_at").first()
    contact = next((c for c in _callable_contacts(customer_id)), None)
    reasons = text.FLAG_REASONS_URGENT if urgent else text.FLAG_REASONS
    try:
        flag_raise(
            customer_id=customer_id,
            by=cast.leads[int(roll * 1000) % len(cast.leads)],
            reason=reasons[int(roll * 10_000) % len(reasons)],
            urgency=Flag.Urgency.URGENT if urgent else Flag.Urgency.NORMAL,
            ticket_id=ticket.pk if ticket and roll < 0.6 else None,
            contact_id=contact.pk if contact and roll < 0.5 else None,
        )
    except ValidationError:
        return
    cast.counts["flags"] += 1
    if urgent:
        _plan_urgent_call(when, cast, customer_id)


def _plan_urgent_call(when: datetime, cast: Cast, customer_id: int) -> None:
    """An urgent flag no slot could answer in time became an urgent call: the executive makes it at
    the next 10:00 or 14:00 on the customer's clock before the deadline (a flag placed on a sheet is
    called with the sheet). Urgent calls of today wait on the sheet, as they would."""
    from ..models import UrgentCall

    urgent_call = UrgentCall.objects.filter(flag__customer_id=customer_id, call__isnull=True).first()
    if urgent_call is None:
        return
    zone = urgent_call.customer.zoneinfo
    local = timezone.localtime(when, zone)
    for days in range(4):
        day = local.date() + timedelta(days=days)
        for hour in (10, 14):
            moment = datetime.combine(day, time(hour), tzinfo=zone)
            if moment > when and day.weekday() < 5 and moment < urgent_call.deadline:
                cast.agenda.add(moment, _log_urgent_call, cast, urgent_call.pk)
                return


def _log_urgent_call(when: datetime, cast: Cast, urgent_call_id: int) -> None:
    from ..models import UrgentCall
    from ..services.urgent_calls import urgent_call_log

    urgent_call = UrgentCall.objects.select_related("executive__user").get(pk=urgent_call_id)
    if urgent_call.call_id:
        return
    # An urgent customer is angry or unhappy: one of those scripts, its notes and its mood.
    scripts = [s for s in text.CALL_SCRIPTS if s.sentiment in ("angry", "unhappy")]
    script = scripts[int(cast.rng.random() * len(scripts))]
    call = urgent_call_log(
        urgent_call_id=urgent_call_id,
        by=urgent_call.executive.user,
        outcome="reached",
        duration_minutes=cast.rng.randint(10, 20),
        notes=script.notes,
        sentiment=script.sentiment,
        called_at=when,
    )
    flag_outcome_send(flag_id=urgent_call.flag_id)
    cast.counts["calls"] += 1 if call else 0


def _callable_contacts(customer_id: int):
    from ..builder.signals import callable_contacts

    return callable_contacts().filter(customer_id=customer_id)


def _build(when: datetime, cast: Cast, week: date) -> None:
    """Beat's weekly build, on record as a build run, with the builder's own rules and this moment's data."""
    run = build_run_create(week=week, origin=BuildRun.Origin.SCHEDULE)
    run, result = build_run_execute(run_id=run.pk)
    if result is None:
        raise RuntimeError(f"The demo's build of the week of {week} failed: {run.error}")
    cast.counts["sheets"] += len(result.sheets)
    for planned in result.sheets:
        if planned.slot_starts_at < cast.now:
            cast.agenda.add(planned.slot_starts_at, _work_the_slot, cast, planned.sheet_id)


def _work_the_slot(when: datetime, cast: Cast, sheet_id: int) -> None:
    """The executive's hour: calls down the sheet in order until the hour (or today) runs out.

    A customer whose own clock is outside business hours at that minute is skipped (the sheet
    shows their local time), and so are a few others, for lack of time; a skipped main call lets
    the first backup move up.
    """
    sheet = CallSheet.objects.select_related("executive__user").get(pk=sheet_id)
    executive = sheet.executive
    end = min(sheet.slot_starts_at + timedelta(minutes=executive.duration_minutes), cast.now)
    clock = sheet.slot_starts_at
    while True:
        entry = _next_call(sheet_id)
        if entry is None:
            return
        outcome = _pick(cast.rng, OUTCOMES)
        called_at = clock + timedelta(minutes=cast.rng.randint(0, 2))
        minutes = cast.rng.randint(*MINUTES[outcome])
        if called_at + timedelta(minutes=minutes) > end:
            return  # the hour is over (or it is still to come): the rest waits, as on a real sheet
        zone = entry.contact.effective_timezone if entry.contact else entry.customer.timezone
        if cast.rng.random() < 0.05 or not within_business_hours(called_at, minutes, zone, cast.policy):
            with at(called_at):
                entry_skip(entry_id=entry.pk, by=executive.user)
            clock = called_at + timedelta(minutes=1)
            continue
        _log_call(cast, entry, executive, outcome, called_at, minutes)
        clock = called_at + timedelta(minutes=minutes + cast.rng.randint(1, 3))


def _next_call(sheet_id: int) -> SheetEntry | None:
    return (
        SheetEntry.objects.filter(sheet_id=sheet_id, status=SheetEntry.Status.PENDING, is_backup=False)
        .select_related("customer", "contact", "flag")
        .order_by("position")
        .first()
    )


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _log_call(cast: Cast, entry: SheetEntry, executive: Executive, outcome: str, called_at, minutes: int) -> None:
    """Logs the call through `call_log` just after it ended, with notes, mood and promises that agree."""
    rng = cast.rng
    notes, sentiment, promises = rng.choice(text.NOTES_BY_OUTCOME.get(outcome, ("",))), "", []
    if outcome == CallLog.Outcome.REACHED:
        sentiment = _pick(rng, text.SENTIMENTS_BY_MOOD[cast.moods.get(entry.customer_id, "neutral")])
        promised = set(
            Commitment.objects.open().filter(customer_id=entry.customer_id).values_list("promise", flat=True)
        )
        scripts = [s for s in text.CALL_SCRIPTS if s.sentiment == sentiment]
        script = rng.choice([s for s in scripts if not promised & set(s.promises)] or scripts)
        if promised & set(script.promises):  # the customer was promised this already: nothing new to promise
            script = text.CallScript(script.sentiment, script.notes)
        notes = script.notes
        day = timezone.localtime(called_at, executive.zoneinfo).date()
        promises = [
            PromiseInput(
                promise=promise,
                owner=executive.user if rng.random() < 0.5 else rng.choice(cast.colleagues),
                due_date=day + timedelta(days=rng.randint(5, 21)),
            )
            for promise in script.promises
        ]
    ended = called_at + timedelta(minutes=minutes)
    with at(ended):
        call = call_log(
            entry_id=entry.pk,
            by=executive.user,
            outcome=outcome,
            duration_minutes=minutes,
            notes=notes,
            sentiment=sentiment,
            promises=promises,
            called_at=called_at,
        )
        if entry.flag_id:  # the lead is told at once, as the task does after the commit
            flag_outcome_send(flag_id=entry.flag_id)
    cast.counts["calls"] += 1
    for commitment in call.commitments.select_related("owner"):
        cast.counts["commitments"] += 1
        _plan_fate(cast, commitment, ended)
    if outcome == CallLog.Outcome.REACHED and rng.random() < 0.4:
        answered = ended + timedelta(days=rng.randint(10, 20), hours=rng.randint(0, 8))
        cast.agenda.add(answered, _survey_after, cast, call.pk)
    # Two reached calls in three get their follow-up e-mail an hour later (chosen by id, not by the
    # random stream, so the rest of the demo stays as it was); the others wait on the sheet's card.
    if outcome == CallLog.Outcome.REACHED and call.pk % 3:
        cast.agenda.add(ended + timedelta(hours=1), _send_follow_up, call.pk)


def _send_follow_up(when: datetime, call_id: int) -> None:
    """The executive sends the draft as it stands (the demo's outbox is in memory)."""
    call = CallLog.objects.select_related("customer", "contact", "executive__user").get(pk=call_id)
    draft = follow_up_draft(call=call)
    if draft.contact is not None:
        follow_up_send(call_id=call.pk, by=call.executive.user, subject=draft.subject, body=draft.body)


def _plan_fate(cast: Cast, commitment: Commitment, made: datetime) -> None:
    """Most promises are kept (some late), a few dropped, the rest stay open and may run overdue."""
    rng, due = cast.rng, commitment.due_date
    roll = rng.random()
    if roll < 0.55:
        day, action = due - timedelta(days=rng.randint(0, 5)), "keep"
    elif roll < 0.70:
        day, action = due + timedelta(days=rng.randint(1, 6)), "keep"
    elif roll < 0.80:
        day, action = due - timedelta(days=rng.randint(-4, 4)), "drop"
    else:
        return
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59))))
    cast.agenda.add(max(moment, made + timedelta(hours=20)), _settle, cast, commitment.pk, action)


def _settle(when: datetime, cast: Cast, commitment_id: int, action: str) -> None:
    owner = Commitment.objects.select_related("owner").get(pk=commitment_id).owner
    if action == "drop":
        commitment_drop(commitment_id=commitment_id, by=owner, reason=cast.rng.choice(text.DROP_REASONS))
        return
    commitment_complete(commitment_id=commitment_id, by=owner, resolution=cast.rng.choice(text.RESOLUTIONS))
    if cast.rng.random() < 0.75:
        commitment_mark_told(commitment_id=commitment_id, by=owner)


def _survey_after(when: datetime, cast: Cast, call_id: int) -> None:
    """The customer's next NPS answer, a few weeks after a call that reached them."""
    call = CallLog.objects.select_related("customer").get(pk=call_id)
    before = (
        SurveyResponse.objects.filter(customer=call.customer, kind="nps", responded_at__lt=call.called_at)
        .order_by("-responded_at")
        .first()
    )
    score = max(0, min(10, (before.score if before else 6) + cast.rng.randint(-1, 4)))
    if score <= 6:
        comments = text.NPS_DETRACTOR_COMMENTS
    else:
        comments = text.NPS_PASSIVE_COMMENTS if score <= 8 else text.NPS_PROMOTER_COMMENTS
    SurveyResponse.objects.create(
        source=SurveyResponse.Source.DELIGHTED,
        external_id=f"DL-AFTER-{call.pk}",
        customer=call.customer,
        contact=call.contact,
        kind=SurveyResponse.Kind.NPS,
        score=score,
        comment=cast.rng.choice(comments),
        responded_at=when,
    )
