"""Program metrics for /program/: a fixed number of queries whatever the volume, sums in Python.

Eight queries in all: executives, planned entries (an aggregate), calls, flags, commitments,
backups never called, the sheets' build snapshots (customers left off for capacity) and the surveys
of the customers in the effect comparison. Medians are
computed in Python because SQLite has no median aggregate.

Definitions (also in the README):
- planned: main (not backup) entries on the week's sheets; made: distinct customers an executive
  logged a call with that week (backups and calls off the sheet count); reached: of those, reached.
  Completion rate = made ÷ planned; it can pass 100 % when backups are called too.
- a call belongs to its sheet entry's week, or else to the Monday of its local date in the
  executive's zone; flags and commitments belong to the week they were raised or made in.
- promises-kept rate = kept ÷ (made − open and not yet due): of the promises whose fate is known
  or late, how many were kept. Kept on time = marked done on or before the due date.
- overdue (Commitment.objects.overdue, judged on overdue_today()): a week's "now overdue" counts the
  promises made that week that are overdue today; `overdue_now` counts every promise overdue today,
  whenever made, read in the same query (it is the home page's and /commitments/?overdue=1's number).
- effect: for each customer reached on a call in the period (the first such call), the first survey
  of the same kind after the call minus the last one before it; beside it, the same for customers
  eligible that week but not called: backups on a sheet never called, and customers the builder
  scored but left off because the sheets were full (CallSheet.inputs["left_off"], code "capacity").
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils import timezone

from customers.models import Flag, SurveyResponse

from ..models import CallLog, CallSheet, Commitment, Executive, SheetEntry, overdue_q, overdue_today, week_start_of

SURVEY_LOOKBACK_DAYS = 365


@dataclass
class Bucket:
    """The numbers for one week or one executive."""

    planned: int = 0
    made: int = 0
    reached: int = 0
    flags_raised: int = 0
    flags_called: int = 0
    flag_days: list[float] = field(default_factory=list)
    promises: int = 0
    kept: int = 0
    kept_on_time: int = 0
    overdue: int = 0
    dropped: int = 0
    open_not_due: int = 0
    keep_days: list[float] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.made / self.planned if self.planned else None

    @property
    def reach_rate(self) -> float | None:
        return 100 * self.reached / self.made if self.made else None

    @property
    def flag_median_days(self) -> float | None:
        return median(self.flag_days) if self.flag_days else None

    @property
    def kept_late(self) -> int:
        return self.kept - self.kept_on_time

    @property
    def decided(self) -> int:
        return self.promises - self.open_not_due

    @property
    def kept_rate(self) -> float | None:
        return 100 * self.kept / self.decided if self.decided else None

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.kept_on_time / self.decided if self.decided else None

    @property
    def median_days_to_keep(self) -> float | None:
        return median(self.keep_days) if self.keep_days else None


@dataclass
class EffectRow:
    group: str
    kind: str
    customers: int
    before: float | None
    after: float | None
    change: float | None
    median_change: float | None
    improved: int
    worsened: int


@dataclass
class ProgramMetrics:
    start: date
    end: date
    weeks: list[date]
    by_week: dict[date, Bucket]
    by_executive: dict[int, Bucket]
    executives: dict[int, Executive]
    total: Bucket
    effect: list[EffectRow]
    effect_population: dict[str, int]
    overdue_now: int = 0  # promises overdue today, whenever made (the home page's and /commitments/?overdue=1's number)

    @property
    def executives_calling(self) -> int:
        return sum(1 for b in self.by_executive.values() if b.made)


def _local_monday(moment: datetime, zone) -> date:
    return week_start_of(timezone.localtime(moment, zone).date())


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


class _Tally:
    """Adds each row to its week's bucket, its executive's bucket and the total."""

    def __init__(self, start: date, end: date, executive_id: int | None, today: date):
        self.start, self.end, self.executive_id, self.today = start, end, executive_id, today
        self.weeks = [start + timedelta(weeks=i) for i in range((end - start).days // 7 + 1)]
        self.server_zone = timezone.get_current_timezone()
        # Rows are fetched a day either side of the period, then placed by their local week.
        self.since = datetime.combine(start - timedelta(days=1), time.min, tzinfo=self.server_zone)
        self.until = datetime.combine(end + timedelta(days=8), time.min, tzinfo=self.server_zone)
        self.by_week = {w: Bucket() for w in self.weeks}
        self.by_exec: dict[int, Bucket] = defaultdict(Bucket)
        self.total = Bucket()
        self.executives = {e.pk: e for e in Executive.objects.select_related("user")}
        # Each zone made once: Executive.zoneinfo builds a ZoneInfo per call, and with executives
        # in more zones than ZoneInfo's small cache holds, tzdata was read from disk thousands of times.
        self.zones = {pk: e.zoneinfo for pk, e in self.executives.items()}

    def zone(self, exec_id):
        return self.zones.get(exec_id, self.server_zone)

    def buckets(self, week: date, exec_id: int | None) -> list[Bucket]:
        if week not in self.by_week:
            return []
        found = [self.by_week[week], self.total]
        if exec_id is not None:
            found.append(self.by_exec[exec_id])
        return found

    def count_planned(self) -> None:
        planned = SheetEntry.objects.main().filter(week_start__range=(self.start, self.end))
        if self.executive_id:
            planned = planned.filter(sheet__executive_id=self.executive_id)
        for row in planned.values("week_start", "sheet__executive_id").annotate(n=Count("id")).order_by():
            for b in self.buckets(row["week_start"], row["sheet__executive_id"]):
                b.planned += row["n"]

    def count_calls(self) -> dict[int, datetime]:
        """Made and reached; returns each reached customer's first reached call time."""
        calls = CallLog.objects.filter(called_at__gte=self.since, called_at__lt=self.until)
        if self.executive_id:
            calls = calls.filter(executive_id=self.executive_id)
        made, reached, first_reached = set(), set(), {}
        for exec_id, customer_id, called_at, outcome, entry_week in calls.values_list(
            "executive_id", "customer_id", "called_at", "outcome", "entry__week_start"
        ).order_by("called_at"):
            week = entry_week or _local_monday(called_at, self.zone(exec_id))
            if week not in self.by_week:
                continue
            made.add((week, exec_id, customer_id))
            if outcome == CallLog.Outcome.REACHED:
                reached.add((week, exec_id, customer_id))
                first_reached.setdefault(customer_id, called_at)
        for week, exec_id, _ in made:
            for b in self.buckets(week, exec_id):
                b.made += 1
        for week, exec_id, _ in reached:
            for b in self.buckets(week, exec_id):
                b.reached += 1
        return first_reached

    def count_flags(self) -> None:
        flags = Flag.objects.filter(created_at__gte=self.since, created_at__lt=self.until)
        if self.executive_id:
            flags = flags.filter(Q(call__executive_id=self.executive_id) | Q(sheet__executive_id=self.executive_id))
        for created_at, called_at, caller_id, sheet_exec_id in flags.values_list(
            "created_at", "called_at", "call__executive_id", "sheet__executive_id"
        ):
            # A flag counts for the executive who answered it, or else the one whose sheet it is on.
            for b in self.buckets(_local_monday(created_at, self.server_zone), caller_id or sheet_exec_id):
                b.flags_raised += 1
                if called_at:
                    b.flags_called += 1
                    b.flag_days.append(_days(called_at - created_at))

    def count_promises(self) -> int:
        """What became of the promises made in each week; returns how many promises (made in any
        week) are overdue now, read in the same query."""
        overdue = overdue_q(self.today)
        promises = Commitment.objects.filter(Q(created_at__gte=self.since, created_at__lt=self.until) | overdue)
        if self.executive_id:
            promises = promises.filter(call__executive_id=self.executive_id)
        promises = promises.annotate(overdue_now=ExpressionWrapper(overdue, output_field=BooleanField()))
        overdue_now = 0
        for exec_id, created_at, due, status, completed_at, is_overdue in promises.values_list(
            "call__executive_id", "created_at", "due_date", "status", "completed_at", "overdue_now"
        ):
            overdue_now += bool(is_overdue)
            if not self.since <= created_at < self.until:
                continue
            zone = self.zone(exec_id)
            for b in self.buckets(_local_monday(created_at, zone), exec_id):
                b.promises += 1
                if status == Commitment.Status.DONE:
                    b.kept += 1
                    b.keep_days.append(_days(completed_at - created_at))
                    b.kept_on_time += timezone.localtime(completed_at, zone).date() <= due
                elif status == Commitment.Status.DROPPED:
                    b.dropped += 1
                elif is_overdue:
                    b.overdue += 1
                else:
                    b.open_not_due += 1
        return overdue_now


def program_metrics(
    *,
    start: date,
    end: date,
    executive_id: int | None = None,
    today: date | None = None,
    calls_only: bool = False,
    with_effect: bool = True,
) -> ProgramMetrics:
    """The metrics for the weeks from the Monday of `start` to the Monday of `end`, inclusive.

    The one source of the program's numbers: /program/, its CSV, the weekly e-mail and the admin's
    home page all read them here. `calls_only` reads planned, made and reached only (three queries);
    `with_effect=False` leaves out the survey comparison (three queries fewer).
    """
    tally = _Tally(week_start_of(start), week_start_of(end), executive_id, today or overdue_today())
    tally.count_planned()
    first_reached = tally.count_calls()
    overdue_now = 0
    if not calls_only:
        tally.count_flags()
        overdue_now = tally.count_promises()
    effect, population = [], {CALLED: 0, NOT_CALLED: 0}
    if with_effect and not calls_only:
        effect, population = _effect(tally.start, tally.end, executive_id, first_reached, tally.server_zone)
    return ProgramMetrics(
        start=tally.start,
        end=tally.end,
        weeks=tally.weeks,
        by_week=tally.by_week,
        by_executive=dict(tally.by_exec),
        executives=tally.executives,
        total=tally.total,
        effect=effect,
        effect_population=population,
        overdue_now=overdue_now,
    )


CALLED, NOT_CALLED = "Called and reached", "Eligible, not called"


def _effect(start, end, executive_id, first_reached, zone):
    """Score change around the call for called customers, beside eligible customers never called."""
    backups = SheetEntry.objects.backups().filter(week_start__range=(start, end), call__isnull=True)
    if executive_id:
        backups = backups.filter(sheet__executive_id=executive_id)
    reference: dict[str, dict[int, datetime]] = {
        CALLED: dict(first_reached),
        NOT_CALLED: {},
    }
    eligible = list(backups.values_list("customer_id", "week_start", "sheet__slot_starts_at"))
    eligible += _left_off_for_capacity(start, end, executive_id)
    for customer_id, week, slot_start in eligible:
        if customer_id in first_reached or customer_id in reference[NOT_CALLED]:
            continue
        reference[NOT_CALLED][customer_id] = slot_start or datetime.combine(week, time.min, tzinfo=zone)
    population = {group: len(ids) for group, ids in reference.items()}
    since = datetime.combine(start - timedelta(days=SURVEY_LOOKBACK_DAYS), time.min, tzinfo=zone)
    found_pairs = _survey_pairs(reference, since)
    rows = []
    for group in reference:
        pairs = found_pairs[group]
        for kind, found in pairs.items():
            changes = [b - a for a, b in found]
            n = len(found)
            rows.append(
                EffectRow(
                    group=group,
                    kind=SurveyResponse.Kind(kind).label,
                    customers=n,
                    before=sum(a for a, _ in found) / n if n else None,
                    after=sum(b for _, b in found) / n if n else None,
                    change=sum(changes) / n if n else None,
                    median_change=median(changes) if n else None,
                    improved=sum(1 for c in changes if c > 0),
                    worsened=sum(1 for c in changes if c < 0),
                )
            )
    return rows, population


def _left_off_for_capacity(start, end, executive_id) -> list[tuple[int, date, datetime | None]]:
    """(customer id, week, slot start) of every customer a sheet's build left off for capacity,
    sheets in slot order: the builder's snapshot (CallSheet.inputs["left_off"]).

    PostgreSQL takes the lists apart itself (jsonb_path_query) and sends each customer once;
    elsewhere each sheet's whole snapshot is read and parsed here. The caller keeps only a
    customer's first occurrence, so both give it the same week and slot.
    """
    if connection.vendor == "postgresql":
        # One row per customer (their earliest sheet): the caller keeps a customer's first
        # occurrence only. Strict mode and `silent`: a snapshot of another shape yields nothing.
        sql = """
            SELECT DISTINCT ON (customer_id) customer_id, week_start, slot_starts_at FROM (
                SELECT (item->>'customer_id')::numeric::bigint AS customer_id, sheet.week_start,
                       sheet.slot_starts_at, sheet.id AS sheet_id, left_off.n
                FROM callsheets_callsheet sheet
                CROSS JOIN LATERAL jsonb_path_query(
                    sheet.inputs,
                    'strict $.left_off[*] ? (@.code == "capacity" && @.customer_id.type() == "number"'
                    ' && @.customer_id != 0)',
                    '{}', true
                ) WITH ORDINALITY AS left_off(item, n)
                WHERE sheet.week_start BETWEEN %s AND %s AND (%s::bigint IS NULL OR sheet.executive_id = %s::bigint)
            ) found
            ORDER BY customer_id, slot_starts_at, sheet_id, n
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [start, end, executive_id, executive_id])
            return cursor.fetchall()
    sheets = CallSheet.objects.filter(week_start__range=(start, end))
    if executive_id:
        sheets = sheets.filter(executive_id=executive_id)
    found = []
    for inputs, week, slot_start in sheets.values_list("inputs", "week_start", "slot_starts_at").order_by(
        "slot_starts_at", "id"
    ):
        for skipped in (inputs or {}).get("left_off") or []:
            if isinstance(skipped, dict) and skipped.get("code") == "capacity" and skipped.get("customer_id"):
                found.append((skipped["customer_id"], week, slot_start))
    return found


def _survey_pairs(reference: dict[str, dict[int, datetime]], since: datetime) -> dict[str, dict[str, list]]:
    """For each group and survey kind, (score before, score after) per customer: the customer's last
    answer before the reference time (of either kind), and the first answer of that kind after it.

    On PostgreSQL two index lookups per customer (survey_customer_responded_idx) with the customers
    and their times sent as two arrays; elsewhere a year of answers is read and searched here.
    """
    pairs = {group: {SurveyResponse.Kind.NPS: [], SurveyResponse.Kind.CSAT: []} for group in reference}
    refs = [(group, customer_id, at) for group, found in reference.items() for customer_id, at in found.items()]
    if not refs:
        return pairs
    if connection.vendor == "postgresql":
        sql = """
            SELECT ref.n, before.kind, before.score, after.score
            FROM unnest(%s::bigint[], %s::timestamptz[]) WITH ORDINALITY AS ref(customer_id, at, n)
            CROSS JOIN LATERAL (
                SELECT s.kind, s.score FROM customers_surveyresponse s
                WHERE s.customer_id = ref.customer_id AND s.responded_at < ref.at AND s.responded_at >= %s
                ORDER BY s.responded_at DESC, s.id DESC LIMIT 1
            ) before
            CROSS JOIN LATERAL (
                SELECT s.score FROM customers_surveyresponse s
                WHERE s.customer_id = ref.customer_id AND s.kind = before.kind AND s.responded_at > ref.at
                ORDER BY s.responded_at, s.id LIMIT 1
            ) after
            ORDER BY ref.n
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [[r[1] for r in refs], [r[2] for r in refs], since])
            for n, kind, before, after in cursor.fetchall():
                pairs[refs[n - 1][0]][kind].append((before, after))
        return pairs
    history: dict[int, list[tuple[datetime, str, int]]] = defaultdict(list)
    surveys = SurveyResponse.objects.filter(customer_id__in={r[1] for r in refs}, responded_at__gte=since)
    for customer_id, kind, score, at in surveys.values_list("customer_id", "kind", "score", "responded_at").order_by(
        "customer_id", "responded_at", "id"
    ):
        history[customer_id].append((at, kind, score))
    for group, customer_id, at in refs:
        answers = history.get(customer_id, [])
        before = [a for a in answers if a[0] < at]
        if not before:
            continue
        kind, score = before[-1][1], before[-1][2]
        after = next((a for a in answers if a[0] > at and a[1] == kind), None)
        if after:
            pairs[group][kind].append((score, after[2]))
    return pairs
