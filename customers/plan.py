"""What will happen to an active flag, in the lead's own terms: who calls, when, where on the list.

"Maya Lindqvist will call on Tue 1 Dec at 10:00, Oslo time, first on the list." Computed on every
read from the sheet entries carrying the flag, the calls logged on them and the last build's
snapshot, never stored: when a rebuild, a skip, an admin's placement or a voicemail moves the flag,
the sentence follows. Users have no time zone of their own, so times are the executive's, named.

`flag_plans(flags)` reads a fixed number of queries for any number of flags (the list page);
`flag_plan(flag)` is the same for one (the flag page, the lead's e-mail).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from callsheets.models import CallLog, CallSheet, SheetEntry, UrgentCall, week_start_of
from callsheets.selectors.sheet import place_of, turn_start

from .models import Contact, Flag

WEEKDAY_CODES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


@dataclass
class FlagPlan:
    kind: str  # call, urgent_retry, backup, retry_waiting, passed, skipped, no_room, no_contact, not_placed, waiting
    sentence: str
    attempts: list[str] = field(default_factory=list)  # "Left voicemail Tue 24 Nov (Maya Lindqvist)"
    executive: object = None
    starts_at: datetime | None = None  # when the call comes up, in the executive's zone

    @property
    def needs_contact(self) -> bool:
        return self.kind == "no_contact"


def next_build_at(now: datetime) -> datetime:
    """When Celery beat next builds the sheets (settings.CALLSHEETS_BUILD_WEEKDAY/HOUR, in TIME_ZONE)."""
    tz = timezone.get_current_timezone()
    local = timezone.localtime(now, tz)
    weekday = WEEKDAY_CODES.index(settings.CALLSHEETS_BUILD_WEEKDAY)
    day = local.date() + timedelta(days=(weekday - local.weekday()) % 7)
    at = datetime.combine(day, time(settings.CALLSHEETS_BUILD_HOUR), tzinfo=tz)
    return at if at > local else at + timedelta(days=7)


def _ordinal(n: int) -> str:
    return ORDINALS[n - 1] if 1 <= n <= len(ORDINALS) else f"number {n}"


def _zone_words(zone: str) -> str:
    return "UTC" if zone in ("UTC", "Etc/UTC") else f"{place_of(zone)} time"


def _at(moment: datetime, zone) -> str:
    local = timezone.localtime(moment, zone)
    return f"{local:%a %-d %b} at {local:%H:%M}"


def _day(moment: datetime, zone) -> str:
    return f"{timezone.localtime(moment, zone):%a %-d %b}"


def flag_plan(flag: Flag, *, now: datetime | None = None) -> FlagPlan | None:
    return flag_plans([flag], now=now).get(flag.pk)


def flag_plans(flags, *, now: datetime | None = None) -> dict[int, FlagPlan]:
    """{flag id: FlagPlan} for the active flags among `flags` (others have their outcome instead).

    Five queries at most whatever the number of flags: their entries, the main entries of those
    sheets (for the turn), the calls on their entries, the customers with a callable contact, and
    the snapshots of the builds that left a flag off for lack of room.
    """
    now = now or timezone.now()
    active = [f for f in flags if f.status in Flag.ACTIVE_STATUSES]
    if not active:
        return {}
    ids = [f.pk for f in active]
    entries: dict[int, list[SheetEntry]] = {}
    for e in (
        SheetEntry.objects.filter(flag_id__in=ids)
        .select_related("sheet__executive__user", "contact", "customer")
        .order_by("week_start", "id")
    ):
        entries.setdefault(e.flag_id, []).append(e)
    sheet_ids = {e.sheet_id for es in entries.values() for e in es}
    mains: dict[int, list[int]] = {}
    if sheet_ids:
        for sheet_id, position in (
            SheetEntry.objects.main()
            .filter(sheet_id__in=sheet_ids)
            .exclude(status=SheetEntry.Status.SKIPPED)
            .values_list("sheet_id", "position")
        ):
            mains.setdefault(sheet_id, []).append(position)
    attempts: dict[int, list[CallLog]] = {}
    for call in (
        CallLog.objects.filter(entry__flag_id__in=ids)
        .select_related("executive__user", "entry")
        .order_by("called_at", "id")
    ):
        attempts.setdefault(call.entry.flag_id, []).append(call)
    customer_ids = {f.customer_id for f in active if f.status == Flag.Status.OPEN}
    callable_ids = set()
    if customer_ids:
        callable_ids = set(
            Contact.objects.filter(customer_id__in=customer_ids, do_not_call=False)
            .exclude(phone="")
            .values_list("customer_id", flat=True)
        )
    retried = [f.pk for f in active if f.status == Flag.Status.SCHEDULED and not f.sheet_id and attempts.get(f.pk)]
    urgent_calls = {}
    if retried:  # an urgent call given after a failed attempt (customers.services.flag_paths)
        urgent_calls = {
            u.flag_id: u
            for u in UrgentCall.objects.open().filter(flag_id__in=retried).select_related("executive__user", "customer")
        }
    no_room = [f for f in active if f.status == Flag.Status.OPEN and f.not_placed_reason.startswith("No room")]
    above = _ranked_above(no_room, now) if no_room else {}
    build_at = next_build_at(now)
    plans = {}
    for f in active:
        plan = _plan_one(
            f,
            entries.get(f.pk, []),
            mains,
            attempts.get(f.pk, []),
            f.customer_id in callable_ids,
            above.get(f.pk),
            build_at,
            now,
            urgent_calls.get(f.pk),
        )
        if plan is not None:
            plans[f.pk] = plan
    return plans


def _attempt_words(call: CallLog) -> str:
    zone = call.executive.zoneinfo
    what = {
        CallLog.Outcome.VOICEMAIL: "Voicemail left",
        CallLog.Outcome.NO_ANSWER: "No answer",
        CallLog.Outcome.RESCHEDULED: "Rescheduled",
        CallLog.Outcome.REACHED: "Reached",
    }.get(call.outcome, call.get_outcome_display())
    return f"{what} {_day(call.called_at, zone)} ({call.executive.name})"


def _plan_one(
    flag, entries, mains, calls, has_contact, ranked_above, build_at, now, urgent_call=None
) -> FlagPlan | None:
    tried = [_attempt_words(c) for c in calls if c.outcome != CallLog.Outcome.REACHED]
    build_words = f"next build {_at(build_at, timezone.get_current_timezone())} ({settings.TIME_ZONE})"
    if flag.status == Flag.Status.SCHEDULED:
        entry = next((e for e in reversed(entries) if flag.sheet_id and e.sheet_id == flag.sheet_id), None)
        if entry is not None:
            plan = _entry_plan(entry, mains, build_words, now, verb="tries again" if tried else "will call")
            if tried:
                plan.sentence = f"{tried[-1]}; {plan.sentence}"
            plan.attempts = tried
            return plan
        if urgent_call is not None and tried:
            due = timezone.localtime(urgent_call.deadline, urgent_call.customer.zoneinfo)
            day = "today " if due.date() == timezone.localtime(now, urgent_call.customer.zoneinfo).date() else ""
            return FlagPlan(
                "urgent_retry",
                f"{tried[-1]}; {urgent_call.executive.name} tries again {day}outside the weekly slot, by "
                f"{due:%a %-d %b} at {due:%H:%M}, {_zone_words(urgent_call.customer.timezone)}.",
                tried,
                executive=urgent_call.executive,
            )
        # No entry carries it (made by hand in the admin, or an urgent call outside the slot): the
        # state's own sentence (customers.selectors.flag_state) says where it is.
        return None
    if flag.status == Flag.Status.OPEN and not has_contact:
        return FlagPlan(
            "no_contact",
            f"No callable contact for {flag.customer.name}: add a phone number below and the flag is placed again.",
            tried,
        )
    if flag.is_urgent:
        return None  # an urgent flag is placed at once (callsheets.services.urgent): its state says how it goes
    if flag.not_placed_reason.startswith("No room"):
        n = ranked_above
        who = f"{n} customer{'s' if n != 1 else ''} ranked above" if n is not None else "the sheets were full"
        return FlagPlan("no_room", f"No room this week: {who}; {build_words}.", tried)
    if flag.not_placed_reason:
        return FlagPlan("not_placed", f"Not placed on the last build: {flag.not_placed_reason}; {build_words}.", tried)
    return FlagPlan("waiting", f"Waiting for the next call-sheet build: {build_words[len('next build ') :]}.", tried)


def _entry_plan(entry: SheetEntry, mains: dict, build_words: str, now: datetime, verb: str) -> FlagPlan:
    sheet = entry.sheet
    executive = sheet.executive
    zone = executive.zoneinfo
    slot = sheet.slot_starts_at or executive.slot_start(sheet.week_start)
    if entry.status == SheetEntry.Status.SKIPPED:
        text = f"Skipped on {executive.name}'s sheet of {_day(slot, zone) if slot else sheet.week_start}"
        return FlagPlan("skipped", f"{text}; {build_words} places it again.", executive=executive)
    if slot is None:
        return FlagPlan("call", f"On {executive.name}'s sheet for the week of {sheet.week_start:%-d %b}.")
    if slot + timedelta(minutes=executive.duration_minutes) <= now and entry.status == SheetEntry.Status.PENDING:
        return FlagPlan(
            "passed",
            f"{executive.name}'s slot on {_day(slot, zone)} passed with no call logged; {build_words} places it again.",
            executive=executive,
        )
    where = _zone_words(executive.timezone)
    customer_zone = (entry.contact.timezone if entry.contact else "") or entry.customer.timezone
    if entry.is_backup:
        return FlagPlan(
            "backup",
            f"A backup on {executive.name}'s sheet on {_day(slot, zone)}: called if a call before it is skipped.",
            executive=executive,
            starts_at=timezone.localtime(slot, zone),
        )
    turn = sum(1 for p in mains.get(sheet.pk, []) if p < entry.position) + 1
    starts = turn_start(timezone.localtime(slot, zone), executive, turn - 1)
    there = ""
    if customer_zone != executive.timezone:
        from callsheets.hours import zone as zone_of

        local = timezone.localtime(starts, zone_of(customer_zone))
        there = f" ({local:%H:%M} for the customer, {_zone_words(customer_zone)})"
    return FlagPlan(
        "call",
        f"{executive.name} {verb} on {_at(starts, zone)}, {where}{there}, {_ordinal(turn)} on the list.",
        executive=executive,
        starts_at=starts,
    )


def _ranked_above(flags: list, now: datetime) -> dict[int, int]:
    """How many customers the last build ranked above each flag it left off for lack of room: those
    placed on that week's sheets with a higher score, and those left off before it. Two queries."""
    weeks = [week_start_of(timezone.localdate(now)) + timedelta(weeks=k) for k in (-1, 0, 1, 2)]
    wanted = {f.pk for f in flags}
    found: dict[int, tuple[date, float, int]] = {}
    for week, inputs in (
        CallSheet.objects.filter(week_start__in=weeks).order_by("-week_start", "id").values_list("week_start", "inputs")
    ):
        for n, row in enumerate((inputs or {}).get("left_off") or []):
            if not isinstance(row, dict) or row.get("flag_id") not in wanted or row.get("code") != "capacity":
                continue
            if row["flag_id"] not in found:  # the latest week first
                left_before = sum(
                    1 for r in (inputs.get("left_off") or [])[:n] if isinstance(r, dict) and r.get("code") == "capacity"
                )
                found[row["flag_id"]] = (week, float(row.get("score") or 0), left_before)
    if not found:
        return {}
    scores: dict[date, list[float]] = {}
    for week, score in SheetEntry.objects.filter(
        Q(week_start__in={w for w, _, _ in found.values()}), is_listening=False
    ).values_list("week_start", "score"):
        scores.setdefault(week, []).append(score)
    return {
        flag_id: left_before + sum(1 for s in scores.get(week, []) if s >= score)
        for flag_id, (week, score, left_before) in found.items()
    }
