"""The call sheet page's read: one sheet with everything each card shows, in a fixed number of queries.

Whatever the number of entries, calls or commitments, the page reads: the entries (with customer,
contact, flag, the entry's own call), the commitments made on those calls, each customer's last
earlier executive call, the customers' open commitments, and the people a promise can be given to.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from customers.models import Customer

from ..models import CallLog, CallSheet, Commitment, Executive, SheetEntry

User = get_user_model()


ODD_HOURS = {"middle of the night", "early", "evening", "late at night", "weekend"}


@dataclass
class Card:
    entry: SheetEntry
    call: CallLog | None
    call_commitments: list[Commitment]
    last_call: CallLog | None
    open_commitments: list[Commitment]
    starts_at: datetime | None  # when, roughly, this call comes up in the slot (executive's zone)
    local_time: datetime | None  # the same moment where the contact is
    time_word: str
    place: str
    zone: str
    same_zone: bool  # the customer keeps the executive's clock: no conversion to show
    number: int | None = None  # 1, 2, 3 … for the calls to make; None for backups

    @property
    def flag_note(self) -> bool:
        """Quote the flag's reason unless a reason line already says it (the builder often does)."""
        flag = self.entry.flag
        if flag is None:
            return False
        start = " ".join(flag.reason.split())[:30]
        return not any(start and start in " ".join(str(r.get("text", "")).split()) for r in self.entry.reasons)

    @property
    def odd_hour(self) -> bool:
        """Outside the customer's working day: worth a glance before dialling."""
        return self.time_word in ODD_HOURS


@dataclass
class SheetPage:
    sheet: CallSheet
    cards: list[Card]
    owners: list
    today: date
    main: list[Card] = field(default_factory=list)
    backups: list[Card] = field(default_factory=list)

    @property
    def to_call(self) -> list[Card]:
        """The main calls still on the list: skipped ones are off it, backups that moved up are on."""
        return [c for c in self.main if c.entry.status != SheetEntry.Status.SKIPPED]

    @property
    def done(self) -> int:
        return sum(1 for c in self.to_call if c.entry.status == SheetEntry.Status.CALLED)


def time_word(moment: datetime) -> str:
    """How a local time feels to the person picking up the phone."""
    if moment.weekday() >= 5:
        return "weekend"
    hour = moment.hour
    for upto, word in ((6, "middle of the night"), (8, "early"), (12, "morning"), (13, "lunchtime"),
                       (17, "afternoon"), (19, "end of the day"), (22, "evening")):  # fmt: skip
        if hour < upto:
            return word
    return "late at night"


def place_of(zone: str) -> str:
    """'America/Argentina/Buenos_Aires' → 'Buenos Aires'; 'UTC' stays 'UTC'."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def active_owners():
    """Everyone a promise can be given to: active users, by name."""
    return list(User.objects.filter(is_active=True).order_by("first_name", "last_name", "email"))


def sheet_page(*, sheet: CallSheet, today: date | None = None) -> SheetPage:
    executive = sheet.executive
    today = today or timezone.localdate(timezone.now(), executive.zoneinfo)
    entries = list(
        SheetEntry.objects.filter(sheet=sheet)
        .select_related(
            "customer__tier",
            "contact",
            "flag__raised_by",
            "flag__ticket",
            "call__logged_by",
            "call__follow_up__sent_by",
        )
        .prefetch_related(
            Prefetch(
                "call__commitments", queryset=Commitment.objects.select_related("owner").order_by("due_date", "id")
            )
        )
        .order_by("is_backup", "position")
    )
    customer_ids = [e.customer_id for e in entries]
    own_call_ids = [e.call.pk for e in entries if _call(e)]
    last_calls = _last_calls(customer_ids, exclude=own_call_ids)
    open_by_customer: dict[int, list[Commitment]] = {}
    for c in (
        Commitment.objects.open()
        .filter(customer_id__in=customer_ids)
        .exclude(call_id__in=own_call_ids)
        .select_related("owner", "call__executive__user")
        .order_by("due_date", "id")
    ):
        open_by_customer.setdefault(c.customer_id, []).append(c)

    slot_start = sheet.slot_starts_at or executive.slot_start(sheet.week_start)
    if slot_start:
        slot_start = timezone.localtime(slot_start, executive.zoneinfo)
    page = SheetPage(sheet=sheet, cards=[], owners=active_owners(), today=today)
    turn = 0
    for entry in entries:
        call = _call(entry)
        skipped = entry.status == SheetEntry.Status.SKIPPED
        starts_at = None
        if slot_start and not skipped:
            starts_at = turn_start(slot_start, executive, 0 if entry.is_backup else turn)
        # the contact's own zone if it has one; not contact.effective_timezone, which reads the customer again
        zone = (entry.contact.timezone if entry.contact else "") or entry.customer.timezone
        local = starts_at.astimezone(_zone(zone)) if starts_at else None
        card = Card(
            entry=entry,
            call=call,
            call_commitments=list(call.commitments.all()) if call else [],
            last_call=last_calls.get(entry.customer_id),
            open_commitments=open_by_customer.get(entry.customer_id, []),
            starts_at=starts_at,
            local_time=local,
            time_word=time_word(local) if local else "",
            place=place_of(zone),
            zone=zone,
            same_zone=zone == executive.timezone,
        )
        if entry.is_backup:
            page.backups.append(card)
        else:
            if not skipped:
                turn += 1
                card.number = turn
            page.main.append(card)
        page.cards.append(card)
    return page


def turn_start(slot_start: datetime, executive: Executive, calls_before: int) -> datetime:
    """When a call comes up in the slot: its start plus `minutes_per_call` for each call before it."""
    return slot_start + timedelta(minutes=executive.minutes_per_call * calls_before)


def entry_expected_start(entry: SheetEntry) -> datetime | None:
    """When this entry's call comes up in the slot, as its card says (None for a skipped entry): two
    queries at most. A backup comes up at the slot's start; a main call after the main calls before it
    that are not skipped."""
    sheet, executive = entry.sheet, entry.sheet.executive
    slot_start = sheet.slot_starts_at or executive.slot_start(sheet.week_start)
    if slot_start is None or entry.status == SheetEntry.Status.SKIPPED:
        return None
    before = 0
    if not entry.is_backup:
        before = (
            SheetEntry.objects.main()
            .filter(sheet_id=sheet.pk, position__lt=entry.position)
            .exclude(status=SheetEntry.Status.SKIPPED)
            .count()
        )
    return turn_start(timezone.localtime(slot_start, executive.zoneinfo), executive, before)


def _call(entry: SheetEntry) -> CallLog | None:
    try:
        return entry.call
    except CallLog.DoesNotExist:
        return None


def _zone(name: str):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _last_calls(customer_ids: list[int], exclude: list[int]) -> dict[int, CallLog]:
    """Each customer's most recent executive call other than this sheet's: one query."""
    if not customer_ids:
        return {}
    latest = (
        CallLog.objects.filter(customer_id=OuterRef("pk"))
        .exclude(pk__in=exclude)
        .order_by("-called_at", "-id")
        .values("pk")[:1]
    )
    ids = Customer.objects.filter(pk__in=customer_ids).annotate(latest_id=Subquery(latest)).values("latest_id")
    calls = CallLog.objects.filter(pk__in=ids).select_related("executive__user")
    return {c.customer_id: c for c in calls}


def executives_for_picker():
    return list(Executive.objects.active().select_related("user"))
