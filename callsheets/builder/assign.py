"""Who is callable, who is left off and why, and which executive's sheet each customer lands on."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from customers.models import Contact, Customer

from ..hours import within_calling_hours
from ..models import ScoringPolicy
from .history import CallHistory
from .result import PlannedEntry, PlannedSheet, Skipped
from .scoring import Scored, listening_reason, score_customer, signal_values
from .signals import CustomerSignals

CHURNED = Customer.Lifecycle.CHURNED


@dataclass(slots=True)
class Candidate:
    customer: Customer
    contact: Contact | None  # None until the build reads the contacts of the customers it looks at
    signals: CustomerSignals | None
    scored: Scored | None
    preferred: list = field(default_factory=list)  # executive ids, the strongest relationship first
    listening: bool = False
    prepared: bool = False  # contact and preferred executives are known
    score: float = 0.0  # what it is ranked by; `scored` (with the sentences) comes once it is placed
    urgent: bool = False  # an urgent flag: ranked first, may take a place held for a listening call


def ranked(candidates) -> list:
    """Urgent flags first, then by score; equal scores by customer id, so the same data always
    gives the same sheets. (Two stable sorts on plain keys: sorting tens of thousands of
    candidates by a tuple costs more than judging them.)"""
    order = sorted(candidates, key=lambda c: c.customer.id)
    order.sort(key=lambda c: -c.score)
    return [c for c in order if c.urgent] + [c for c in order if not c.urgent]


def choose_contact(customer: Customer, sig: CustomerSignals | None) -> Contact | None:
    """The flag's contact, then the survey's, then the primary, then any callable one."""
    contacts = getattr(customer, "callable_contacts", None)
    if contacts is None:
        contacts = [c for c in customer.contacts.order_by("-is_primary", "name", "id") if c.is_callable]
    by_id = {c.id: c for c in contacts}
    if sig is not None:
        named = [sig.flag.contact_id if sig.flag else None]
        named += [r.contact_id for r in (sig.nps, sig.csat) if r is not None]
        for contact_id in named:
            if contact_id in by_id:
                return by_id[contact_id]
    return contacts[0] if contacts else None


def cooldown_until(history: CallHistory | None, policy: ScoringPolicy, at: datetime) -> date | None:
    """The day the cooldown ends, if it still runs at `at` (the start of the week being built, or now)."""
    if history is None or history.last_reached_at is None:
        return None
    until = history.last_reached_at + timedelta(days=policy.cooldown_days)
    return timezone.localtime(until).date() if until > at else None


def judge(
    customer: Customer,
    sig: CustomerSignals | None,
    history: CallHistory | None,
    policy: ScoringPolicy,
    *,
    score: float,
    at: datetime,
    executive_names: dict,
) -> Skipped | None:
    """Whether a customer can be called at all; the reason it cannot, in the order an admin reads them.

    The cooldown is judged `at` the start of the week being built (or now, if later): a customer
    whose cooldown ends before next week begins may be called next week. Needs only the customer's
    own fields and `has_callable_contact` (candidates.read_ranking), so the build judges every
    customer with an alarm without reading their contacts.
    """
    flag = sig.flag if sig else None
    if customer.lifecycle_status == CHURNED:
        return Skipped(customer, "churned", "Churned: churned customers are not called.", flag=flag)
    until = cooldown_until(history, policy, at) if history is not None else None
    if until and not (sig and (sig.is_urgent or sig.overdue)):
        who = executive_names.get(history.last_reached_by, "an executive")
        reached = timezone.localtime(history.last_reached_at, customer.zoneinfo).date()
        text = f"In cooldown until {until.day} {until:%b}: reached by {who} on {reached.day} {reached:%b}"
        return Skipped(customer, "cooldown", text, score, flag)
    if not has_callable_contact(customer):
        text = "No callable contact: every contact is marked do-not-call or has no phone number."
        return Skipped(customer, "no_callable_contact", text, score, flag)
    return None


def has_callable_contact(customer: Customer) -> bool:
    """Known for a CustomerRow and a customer from read_customers; otherwise its contacts say."""
    known = getattr(customer, "has_callable_contact", None)
    return choose_contact(customer, None) is not None if known is None else known


def preferred_executives(sig: CustomerSignals | None, history: CallHistory | None) -> list[int]:
    """Whose sheet the customer goes back to: who owes an overdue promise, who called last, last week's."""
    preferred = []
    if sig and sig.overdue:
        preferred += sorted({c["executive_id"] for c in sig.overdue})
    if history and history.last_called_by:
        preferred.append(history.last_called_by)
    if sig and sig.carried_over:
        preferred.append(sig.carried_over["executive_id"])
    return list(dict.fromkeys(preferred))


def evaluate(
    customer: Customer,
    sig: CustomerSignals | None,
    history: CallHistory | None,
    policy: ScoringPolicy,
    *,
    now: datetime,
    today: date,
    executive_names: dict,
    week_begins: datetime | None = None,
) -> Candidate | Skipped:
    """One customer, judged with its contacts at hand (explain_customer): a Candidate or why not."""
    scored = (
        score_customer(sig, customer, policy, now=now, today=today, executive_names=executive_names) if sig else None
    )
    verdict = judge(
        customer, sig, history, policy, score=scored.score if scored else 0.0, at=max(now, week_begins or now),
        executive_names=executive_names,
    )  # fmt: skip
    if verdict is not None:
        return verdict
    contact = choose_contact(customer, sig)
    if contact is None:
        text = "No callable contact: every contact is marked do-not-call or has no phone number."
        return Skipped(
            customer, "no_callable_contact", text, scored.score if scored else 0.0, sig.flag if sig else None
        )
    score = scored.score if scored else 0.0
    return Candidate(
        customer, contact, sig, scored, preferred_executives(sig, history), prepared=True, score=score,
        urgent=bool(sig and sig.is_urgent),
    )  # fmt: skip


def within_business_hours(start: datetime, minutes: int, tz_name: str, policy: ScoringPolicy) -> bool:
    """Whether `minutes` from `start` fall on a weekday inside the policy's business hours in that zone."""
    local = start.astimezone(zoneinfo.ZoneInfo(tz_name))
    begin = local.hour * 60 + local.minute
    return (
        local.weekday() < 5
        and begin >= policy.business_hours_start * 60
        and begin + minutes <= policy.business_hours_end * 60
    )


def in_business_hours(sheet: PlannedSheet, tz_name: str, policy: ScoringPolicy, cache: dict) -> bool:
    """Whether the whole slot falls on a weekday inside the policy's business hours in that zone."""
    key = (sheet.executive.id, tz_name)
    if key not in cache:
        cache[key] = within_business_hours(sheet.slot_starts_at, sheet.executive.duration_minutes, tz_name, policy)
    return cache[key]


def in_calling_hours(sheet: PlannedSheet, tz_name: str, policy: ScoringPolicy, cache: dict) -> bool:
    """Whether the whole slot lies inside the policy's calling hours in that zone: a hard limit, so
    a sheet whose slot is outside them is not eligible for a customer in that zone at all."""
    key = ("calling", sheet.executive.id, tz_name)
    if key not in cache:
        cache[key] = within_calling_hours(sheet.slot_starts_at, sheet.executive.duration_minutes, tz_name, policy)
    return cache[key]


OUT_OF_HOURS = object()  # choose(): sheets have room, but none of their slots is inside calling hours


class Assigner:
    """Places ranked candidates on sheets: calling hours (a hard limit), then relationship, then
    business hours, then the lighter load."""

    def __init__(self, sheets: list, policy: ScoringPolicy):
        self.sheets = sorted(sheets, key=lambda s: s.executive.id)
        self.policy = policy
        self.hours_cache: dict = {}
        taken = {s.executive.id: {e.position for e in s.entries} for s in self.sheets}
        self.free = {
            s.executive.id: {
                "main": [p for p in range(1, s.capacity + 1) if p not in taken[s.executive.id]],
                "backup": [
                    p for p in range(s.capacity + 1, s.capacity + s.backups + 1) if p not in taken[s.executive.id]
                ],
            }
            for s in self.sheets
        }
        kept_listening = {s.executive.id: sum(e.is_listening for e in s.entries) for s in self.sheets}
        # Places held back for listening calls; only an urgent flag may take them.
        self.reserved = {
            s.executive.id: min(
                max(0, policy.listening_calls - kept_listening[s.executive.id]), len(self.free[s.executive.id]["main"])
            )
            for s in self.sheets
        }
        self.placed: dict[int, list] = {s.executive.id: {"main": [], "backup": []} for s in self.sheets}
        self.out_of_hours: dict[int, str] = {}  # customer id → the zone no open slot suits
        # Sheets that still have a place of each kind (for an urgent flag, which may take a reserved one).
        self.open = {
            kind: [s for s in self.sheets if self.room(s, kind, urgent=True) > 0] for kind in ("main", "backup")
        }

    def room(self, sheet: PlannedSheet, kind: str, urgent: bool = False) -> int:
        free = len(self.free[sheet.executive.id][kind]) - len(self.placed[sheet.executive.id][kind])
        if kind == "main" and not urgent:
            free -= self.reserved[sheet.executive.id]
        return free

    def load(self, sheet: PlannedSheet) -> tuple:
        used = len(sheet.entries) + sum(len(v) for v in self.placed[sheet.executive.id].values())
        return (used / max(1, sheet.capacity + sheet.backups), sheet.executive.id)

    def choose(self, candidate: Candidate, kind: str):
        """The sheet for the candidate; None when no sheet has room; OUT_OF_HOURS when sheets have
        room but every one of their slots falls outside calling hours in the contact's zone."""
        open_sheets = [s for s in self.open[kind] if self.room(s, kind, candidate.urgent) > 0]
        if not open_sheets:
            return None
        tz_name = candidate.contact.timezone or candidate.customer.timezone
        open_sheets = [s for s in open_sheets if in_calling_hours(s, tz_name, self.policy, self.hours_cache)]
        if not open_sheets:
            self.out_of_hours[candidate.customer.id] = tz_name
            return OUT_OF_HOURS
        self.out_of_hours.pop(candidate.customer.id, None)
        by_id = {s.executive.id: s for s in open_sheets}
        for executive_id in candidate.preferred:
            if executive_id in by_id:
                return by_id[executive_id]
        in_hours = [s for s in open_sheets if in_business_hours(s, tz_name, self.policy, self.hours_cache)]
        return min(in_hours or open_sheets, key=self.load)

    def place(self, candidates: list, prepare=None) -> list:
        """Main places first, then backups; returns the candidates left without room.

        Candidates come ranked. Once one finds no sheet with room, nobody ranked after it can
        (they are no more urgent), so the rest wait without being looked at. `prepare(batch)` is
        called with the candidates about to be looked at, before the first of them not yet
        `prepared`: the build reads contacts and relationships only for them. A candidate that
        turns out to have no callable contact keeps `contact` None; prepare() reports it.
        """
        left = ranked(candidates)
        for kind in ("main", "backup"):
            waiting = []
            for n, candidate in enumerate(left):
                if prepare is not None and not candidate.prepared:
                    prepare(left[n : n + self.places() + 1])
                if candidate.contact is None:
                    continue  # no callable contact after all: prepare() reported it
                sheet = self.choose(candidate, kind)
                if sheet is None:
                    waiting += left[n:]
                    break
                if sheet is OUT_OF_HOURS:
                    waiting.append(candidate)  # others may still fit; reported as "calling_hours"
                    continue
                if kind == "main" and self.room(sheet, "main") <= 0:
                    self.reserved[sheet.executive.id] -= 1  # an urgent flag took a listening place
                self.placed[sheet.executive.id][kind].append(candidate)
                if self.room(sheet, kind, urgent=True) <= 0:
                    self.open[kind].remove(sheet)
            left = [c for c in waiting if c.contact is not None or not c.prepared]
        return left

    def places(self) -> int:
        """Places still free on every sheet, main and backup."""
        return sum(self.room(s, kind, urgent=True) for kind in ("main", "backup") for s in self.sheets)

    def fill_listening(self, quiet: list, week_start: date) -> None:
        """Reserved places, then any place still empty, go to quiet customers drawn for the week."""
        used: set[int] = set()
        for kind in ("main", "backup"):
            for sheet in self.sheets:
                eid = sheet.executive.id
                wanted = len(self.free[eid][kind]) - len(self.placed[eid][kind])
                for _ in range(max(0, wanted)):
                    pick = self._draw(quiet, used, sheet)
                    if pick is None:
                        break
                    used.add(pick.customer.id)
                    self.placed[eid][kind].append(pick)
                    pick.listening = True

    def _draw(self, quiet: list, used: set, sheet: PlannedSheet) -> Candidate | None:
        fallback = None
        for candidate in quiet:
            if candidate.customer.id in used:
                continue
            tz_name = candidate.contact.timezone or candidate.customer.timezone
            if not in_calling_hours(sheet, tz_name, self.policy, self.hours_cache):
                continue  # never a call outside calling hours, not even a listening one
            if in_business_hours(sheet, tz_name, self.policy, self.hours_cache):
                return candidate
            fallback = fallback or candidate
        return fallback

    def entries(self, sheet: PlannedSheet, week_start: date, signals_for) -> list:
        """New entries of a sheet, numbered into its free positions in placing order."""
        eid = sheet.executive.id
        made = []
        for kind in ("main", "backup"):
            for position, candidate in zip(self.free[eid][kind], self.placed[eid][kind], strict=False):
                listening = candidate.listening
                reasons = [listening_reason(week_start)] if listening else candidate.scored.reasons
                made.append(
                    PlannedEntry(
                        position=position,
                        customer=candidate.customer,
                        contact=candidate.contact,
                        score=0.0 if listening else candidate.scored.score,
                        is_backup=kind == "backup",
                        is_listening=listening,
                        reasons=reasons,
                        signals=signals_for(candidate),
                        flag=candidate.signals.flag if candidate.signals else None,
                    )
                )
        return made


__all__ = [
    "Assigner",
    "Candidate",
    "choose_contact",
    "cooldown_until",
    "evaluate",
    "in_calling_hours",
    "judge",
    "preferred_executives",
    "ranked",
    "signal_values",
    "within_business_hours",
]
