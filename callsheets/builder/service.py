"""build_week: plan every executive's sheet for a week and write it in one locked transaction."""

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from customers.models import Flag

from ..models import CallLog, CallSheet, Executive, ScoringPolicy, SheetEntry, UrgentCall, week_start_of
from . import signals as reads
from .assign import Assigner, Candidate, choose_contact, judge, preferred_executives
from .candidates import read_contacts, read_quiet_draw, read_ranking
from .history import read_call_history, read_cooldowns
from .result import BuildResult, PlannedEntry, PlannedSheet, Skipped
from .scoring import base_points, score_customer, signal_values, value_multiplier
from .write import write_plan

SKIPPED_IN_SNAPSHOT = 100  # the strongest customers left off, kept on each sheet for the admin


def build_week(week: date, executive: Executive | None = None, dry_run: bool = False, now: datetime | None = None):
    """Builds (or with dry_run, only plans) the sheets of the Monday–Sunday week containing `week`.

    Safe to run at any time and concurrently: the build locks every executive's row first, so a
    second build of the same week waits and then recomputes on top of the first one's result.
    Entries with a logged call stay where they are; untouched entries are recomputed.
    """
    now = now or timezone.now()
    week_start = week_start_of(week)
    with _no_cycle_collection():
        if dry_run:
            return _plan(week_start, executive, now, dry_run=True)[0]
        with transaction.atomic():
            list(Executive.objects.select_for_update().order_by("id").values_list("id", flat=True))
            result, plan = _plan(week_start, executive, now, dry_run=False)
            write_plan(result, plan, now)
        return result


@contextmanager
def _no_cycle_collection():
    """Pauses Python's cycle collector for the build. A build at 100,000 customers makes a few
    hundred thousand short-lived objects; the collector would walk all of them several times
    (a fifth of the build's CPU) to find cycles it makes hardly any of. Reference counting still
    frees everything as usual; the collector runs again, once, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Plan:
    """What _write needs besides the result: entries to drop and flags to update."""

    def __init__(self):
        self.drop_entry_ids: list[int] = []
        self.rebuilt_sheet_ids: set[int] = set()
        self.flag_outcomes: dict[int, tuple] = {}  # flag id → (flag, sheet plan | None, reason)


def _executives(executive: Executive | None, result: BuildResult) -> list:
    everyone = list(Executive.objects.select_related("user").order_by("id"))
    chosen = [e for e in everyone if executive is None or e.id == executive.id]
    buildable = []
    for e in chosen:
        if not e.is_active:
            result.messages.append(f"{e.user.email} is inactive: no sheet")
        elif not e.has_slot:
            result.messages.append(f"{e.user.email} has no weekly slot: no sheet")
        else:
            buildable.append(e)
    return everyone, buildable


def _week_entries(week_start: date):
    has_call = Exists(CallLog.objects.filter(entry=OuterRef("pk")))
    return list(
        SheetEntry.objects.filter(week_start=week_start)
        .annotate(has_call=has_call)
        .select_related("sheet", "customer", "contact", "flag")
        .order_by("sheet_id", "position")
    )


@dataclass
class _Context:
    """What every step of one build shares."""

    policy: ScoringPolicy
    week_start: date
    now: datetime
    executives: dict  # id → Executive (with its user), every one, active or not

    def __post_init__(self):
        self.today = timezone.localdate(self.now)
        week_begins = datetime.combine(self.week_start, time.min, tzinfo=timezone.get_current_timezone())
        self.cooldown_at = max(self.now, week_begins)  # cooldowns are judged at the start of the week
        self.names = {i: e.name for i, e in self.executives.items()}  # for the sentences
        # Flags answered by an open urgent call (services.urgent): flag id → executive id; one query.
        self.urgent_call_flags = dict(UrgentCall.objects.open().values_list("flag_id", "executive_id"))

    def judge(self, customer, sig, history, score: float = 0.0):
        return judge(customer, sig, history, self.policy, score=score, at=self.cooldown_at, executive_names=self.names)


def _plan(week_start: date, executive: Executive | None, now: datetime, dry_run: bool):
    """Reads the signals, judges and ranks every customer with an alarm by numbers alone, then
    reads contacts, relationships, tickets and sentences only for the customers it places."""
    result, plan = BuildResult(week_start=week_start, dry_run=dry_run), _Plan()
    policy = ScoringPolicy.objects.active()
    everyone, buildable = _executives(executive, result)
    ctx = _Context(policy, week_start, now, {e.id: e for e in everyone})
    sheets, on_sheet = _sheets_with_kept_entries(ctx, buildable, plan)

    signals = reads.read_signals(policy=policy, now=now, today=ctx.today, week_start=week_start)
    cooldowns = read_cooldowns(since=ctx.cooldown_at - timedelta(days=policy.cooldown_days))
    candidates, skipped = _judge_alarmed(ctx, signals, on_sheet, cooldowns)
    considered = len(candidates) + len(skipped)
    need = 4 * sum(s.capacity + s.backups for s in sheets) + 10
    draw = read_quiet_draw(seed=f"listening:{week_start.isoformat()}", exclude=set(signals) | on_sheet, need=need)
    quiet_customers = read_ranking(draw.ids)
    quiet = [
        Candidate(quiet_customers[cid], None, None, None, listening=True)
        for cid in draw.ids
        if cid in quiet_customers and ctx.judge(quiet_customers[cid], None, cooldowns.get(cid)) is None
    ]

    prepare = _Preparer(quiet, skipped)
    assigner = Assigner(sheets, policy)
    text = f"No room: every sheet of the week of {week_start.day} {week_start:%b} was full"
    hours = f"{policy.calling_hours_start:02d}:00–{policy.calling_hours_end:02d}:00"
    for candidate in assigner.place(candidates, prepare):
        zone = assigner.out_of_hours.get(candidate.customer.id)
        if zone is not None:
            why = f"No sheet with room has its slot inside calling hours ({hours}) in the contact's zone ({zone})"
            skipped.append(Skipped(candidate.customer, "calling_hours", why, candidate.score, candidate.signals.flag))
            continue
        skipped.append(Skipped(candidate.customer, "capacity", text, candidate.score, candidate.signals.flag))
    prepare([])
    assigner.fill_listening([q for q in quiet if q.contact is not None], week_start)
    _add_new_entries(ctx, sheets, assigner, plan)

    skipped.sort(key=lambda s: s.customer.id)
    skipped.sort(key=lambda s: -s.score)  # strongest first, equal scores by customer id
    for s in skipped:
        if s.flag is not None and s.flag.id not in plan.flag_outcomes and s.code != "scheduled_elsewhere":
            plan.flag_outcomes[s.flag.id] = (s.flag, None, s.text[:300])
    result.sheets, result.skipped = sheets, skipped
    _snapshot(result, policy, now, considered=considered, draw=draw)
    return result, plan


def _judge_alarmed(ctx: _Context, signals: dict, on_sheet: set, cooldowns: dict) -> tuple[list, list]:
    """Every customer with an alarm, not already on a sheet this week: a Candidate, scored by
    numbers alone, or a Skipped saying why not."""
    candidates, skipped, multipliers, bases = [], [], {}, {}
    policy, judge_at, names = ctx.policy, ctx.cooldown_at, ctx.names
    for cid in sorted(signals.keys() - on_sheet):
        sig = signals[cid]
        customer = sig.customer
        key = (customer.tier_id, customer.annual_revenue)
        multiplier = multipliers.get(key)
        if multiplier is None:
            multiplier = multipliers[key] = value_multiplier(customer, policy)
        # Many customers have the same signals (one high-priority ticket, say): their base points once.
        same = sig.signature()
        base = bases.get(same)
        if base is None:
            base = bases[same] = base_points(sig, policy)
        score = round(base * multiplier, 2)
        verdict = _scheduled_elsewhere(sig, ctx, customer) or judge(
            customer, sig, cooldowns.get(cid), policy, score=score, at=judge_at, executive_names=names
        )
        if verdict is None:
            candidates.append(Candidate(customer, None, sig, None, score=score, urgent=sig.is_urgent))
        else:
            skipped.append(verdict)
    return candidates, skipped


class _Preparer:
    """Reads the contacts and relationships (who called last) of the candidates the assigner is
    about to look at, together with the quiet draw's contacts the first time: Assigner.place's
    `prepare`. A candidate whose last callable contact went since it was judged is left off."""

    def __init__(self, quiet: list, skipped: list):
        self.quiet, self.skipped = quiet, skipped

    def __call__(self, batch: list) -> None:
        batch = [c for c in batch if not c.prepared] + [q for q in self.quiet if not q.prepared]
        if not batch:
            return
        for c in batch:
            c.customer = c.customer.as_customer()  # from here on it may be placed: a model instance
        read_contacts([c.customer for c in batch])
        reads.read_answer_details(c.signals for c in batch)  # the contact who answered may be called
        history = read_call_history(customer_ids=[c.customer.id for c in batch if not c.listening])
        for c in batch:
            c.prepared = True
            c.contact = choose_contact(c.customer, c.signals)
            c.preferred = preferred_executives(c.signals, history.get(c.customer.id))
            if c.contact is None and not c.listening:
                text = "No callable contact: every contact is marked do-not-call or has no phone number."
                self.skipped.append(Skipped(c.customer, "no_callable_contact", text, c.score, c.signals.flag))


def _sheets_with_kept_entries(ctx: _Context, buildable: list, plan: _Plan) -> tuple[list, set]:
    """The sheets to build, each with the entries that stay; and every customer already on a sheet."""
    existing = {s.executive_id: s.id for s in CallSheet.objects.filter(week_start=ctx.week_start)}
    sheets = []
    for e in buildable:
        sheet = PlannedSheet(e, ctx.week_start, e.slot_start(ctx.week_start), e.capacity, ctx.policy.backups)
        sheet.sheet_id = existing.get(e.id)
        sheets.append(sheet)
    by_sheet_id = {s.sheet_id: s for s in sheets if s.sheet_id}
    plan.rebuilt_sheet_ids = set(by_sheet_id)
    # Entries on sheets not rebuilt, entries with a logged call and entries placed by hand (pinned) stay put.
    on_sheet: set[int] = set()
    for entry in _week_entries(ctx.week_start):
        target = by_sheet_id.get(entry.sheet_id)
        # An urgent placement (services.urgent) or an entry placed by hand keeps its place, as a logged call does.
        if (
            target is not None
            and entry.status == SheetEntry.Status.PENDING
            and not entry.has_call
            and not entry.urgent_placed_at
            and not entry.pinned
        ):
            plan.drop_entry_ids.append(entry.id)
            continue
        on_sheet.add(entry.customer_id)
        if target is not None:
            target.entries.append(
                PlannedEntry(
                    position=entry.position, customer=entry.customer, contact=entry.contact, score=entry.score,
                    is_backup=entry.is_backup, is_listening=entry.is_listening, reasons=entry.reasons,
                    signals=entry.signals, flag=entry.flag, kept=True, status=entry.status,
                )
            )  # fmt: skip
    return sheets, on_sheet


def _add_new_entries(ctx: _Context, sheets: list, assigner: Assigner, plan: _Plan) -> None:
    """Final reasons (now naming the tickets, read only for the customers placed) and positions."""
    placed = [c for per in assigner.placed.values() for kind in per.values() for c in kind]
    reads.read_flag_details(c.signals.flag for c in placed if c.signals)
    details = reads.read_ticket_details(
        policy=ctx.policy, now=ctx.now, customer_ids=[c.customer.id for c in placed if c.signals and c.signals.tickets]
    )
    for c in placed:
        if c.signals and not c.listening:
            c.scored = score_customer(
                c.signals, c.customer, ctx.policy, now=ctx.now, today=ctx.today, executive_names=ctx.names,
                tickets=details.get(c.customer.id),
            )  # fmt: skip
    for sheet in sheets:
        sheet.entries += assigner.entries(
            sheet, ctx.week_start, lambda c: signal_values(c.signals, c.scored, c.customer)
        )
        for entry in sheet.entries:
            if entry.flag is not None and not entry.kept:
                plan.flag_outcomes[entry.flag.id] = (entry.flag, sheet, "")


def _scheduled_elsewhere(sig, ctx: _Context, customer) -> Skipped | None:
    """A flag already on another week's sheet whose slot has not passed waits for that call; one
    given to an executive as an urgent call outside the slot waits for that one."""
    flag = sig.flag
    if flag is None or flag.status != Flag.Status.SCHEDULED:
        return None
    if flag.id in ctx.urgent_call_flags:
        executive = ctx.executives.get(ctx.urgent_call_flags[flag.id])
        text = f"An urgent call outside the slot for {executive.name if executive else 'an executive'}"
        return Skipped(customer, "scheduled_elsewhere", text, 0.0, flag)
    if flag.sheet is None:
        return None
    sheet = flag.sheet
    if sheet.week_start == ctx.week_start:
        return None
    executive = ctx.executives[sheet.executive_id]
    slot_end = (sheet.slot_starts_at or ctx.now) + timedelta(minutes=executive.duration_minutes)
    if slot_end <= ctx.now:
        return None  # that call's time has passed unanswered: the flag is open for this week again
    text = f"Already scheduled on {executive.name}'s sheet for the week of {sheet.week_start.day} {sheet.week_start:%b}"
    return Skipped(customer, "scheduled_elsewhere", text, 0.0, flag)


def _snapshot(result: BuildResult, policy: ScoringPolicy, now: datetime, *, considered: int, draw) -> None:
    callable_ = considered - sum(s.code != "capacity" for s in result.skipped)
    left_off_counts = result.skipped_counts()
    policy_values = {
        k: (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in policy.snapshot().items()
    } | policy.tier_snapshot()
    left_off = [s.as_json() for s in result.skipped[:SKIPPED_IN_SNAPSHOT]]
    for sheet in result.sheets:
        sheet.inputs = {
            "built_at": now.isoformat(),
            "week_start": result.week_start.isoformat(),
            "policy": policy_values,
            "executive": {
                "capacity": sheet.capacity,
                "backups": sheet.backups,
                "slot_start": sheet.slot_starts_at.isoformat(),
                "timezone": sheet.executive.timezone,
            },
            "counts": {
                "customers_with_signals": considered,
                "callable_candidates": callable_,
                "quiet_pool": draw.pool,
                "quiet_pool_estimated": draw.estimated,
                "left_off": left_off_counts,
            },
            "left_off": left_off,
            "left_off_truncated": max(0, len(result.skipped) - len(left_off)),
            "messages": list(result.messages),
        }
