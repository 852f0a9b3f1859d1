import secrets
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone

from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, role_names
from customers.models import Tier
from customers.validators import validate_timezone

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


# The years a sheet, a period of the program or a build may name. Years 1 and 9999 exist but leave no
# room for the week before or after (OverflowError on a neighbouring week), so the URLs, the forms and
# the build command all accept only these.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def year_in_range(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def week_start_of(day: date) -> date:
    """The Monday of the week that contains `day`."""
    return day - timedelta(days=day.weekday())


class ExecutiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_slot(self):
        return self.active().filter(weekday__isnull=False, start_time__isnull=False)


class Executive(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="executive")
    title = models.CharField(max_length=120, blank=True)
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, null=True, blank=True, help_text="Day of the weekly slot."
    )
    start_time = models.TimeField(
        null=True, blank=True, help_text="Local start of the slot, in the executive's time zone."
    )
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    minutes_per_call = models.PositiveSmallIntegerField(default=15)
    is_active = models.BooleanField(default=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExecutiveQuerySet.as_manager()

    class Meta:
        ordering = ["user__first_name", "user__last_name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="executive_weekday_valid"),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True, start_time__isnull=True)
                | Q(weekday__isnull=False, start_time__isnull=False),
                name="executive_slot_complete",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=480), name="executive_duration_valid"
            ),
            models.CheckConstraint(
                condition=Q(minutes_per_call__gt=0, minutes_per_call__lte=F("duration_minutes")),
                name="executive_minutes_per_call_valid",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.email or self.user.username

    @property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def has_slot(self) -> bool:
        return self.weekday is not None and self.start_time is not None

    @property
    def capacity(self) -> int:
        """Main calls that fit the slot; backups come on top."""
        return self.duration_minutes // self.minutes_per_call

    def slot_start(self, week_start: date) -> datetime | None:
        """The slot's aware start in the executive's zone for the week beginning on `week_start`.

        Going through UTC normalises a wall time that a daylight-saving jump skips.
        """
        if not self.has_slot:
            return None
        local = datetime.combine(week_start + timedelta(days=self.weekday), self.start_time, tzinfo=self.zoneinfo)
        return local.astimezone(UTC).astimezone(self.zoneinfo)

    def slot_end(self, week_start: date) -> datetime | None:
        start = self.slot_start(week_start)
        return start + timedelta(minutes=self.duration_minutes) if start else None

    def current_week_start(self, now: datetime | None = None) -> date:
        return week_start_of(timezone.localtime(now or timezone.now(), self.zoneinfo).date())

    @property
    def slot_label(self) -> str:
        if not self.has_slot:
            return "No weekly slot"
        end = (datetime.combine(date(2000, 1, 3), self.start_time) + timedelta(minutes=self.duration_minutes)).time()
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{end:%H:%M}, {self.timezone}"


class CallSheetQuerySet(models.QuerySet):
    def for_viewer(self, user):
        if user.has_perm("callsheets.view_all_sheets"):
            return self
        return self.filter(executive__user=user)


class CallSheet(models.Model):
    executive = models.ForeignKey(Executive, on_delete=models.CASCADE, related_name="sheets")
    week_start = models.DateField(help_text="Monday of the week, in the executive's time zone.")
    slot_starts_at = models.DateTimeField(null=True, blank=True)
    built_at = models.DateTimeField(default=timezone.now)
    inputs = models.JSONField(default=dict, blank=True, help_text="Snapshot of the policy and counts the build used.")

    objects = CallSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "executive_id"]
        constraints = [models.UniqueConstraint(fields=["executive", "week_start"], name="sheet_one_per_executive_week")]
        permissions = [
            ("view_all_sheets", "Can view every executive's call sheet"),
            ("build_sheets", "Can build and rebuild call sheets"),
        ]

    def __str__(self):
        return f"{self.executive} — week of {self.week_start:%d %b %Y}"


class SheetEntryQuerySet(models.QuerySet):
    def main(self):
        return self.filter(is_backup=False)

    def backups(self):
        return self.filter(is_backup=True)


class SheetEntry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "To call"
        CALLED = "called", "Called"
        SKIPPED = "skipped", "Skipped"

    sheet = models.ForeignKey(CallSheet, on_delete=models.CASCADE, related_name="entries")
    week_start = models.DateField(
        editable=False, help_text="Copy of the sheet's week: one sheet per customer per week."
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="sheet_entries")
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True, help_text='[{"code", "text", "points"}], strongest first.')
    signals = models.JSONField(default=dict, blank=True, help_text="The signal values behind the score, at build time.")
    is_backup = models.BooleanField(default=False)
    is_listening = models.BooleanField(default=False, help_text="A listening call: no alarm, drawn at random.")
    flag = models.ForeignKey(
        "customers.Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="sheet_entries"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    urgent_placed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Placed at once by an urgent alarm (callsheets.services.urgent); a rebuild keeps it where it is.",
    )
    pinned = models.BooleanField(
        default=False,
        help_text="Placed by hand (an admin's choice, a call carried over after a voicemail): a rebuild keeps it.",
    )

    objects = SheetEntryQuerySet.as_manager()

    class Meta:
        ordering = ["sheet_id", "is_backup", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="entry_unique_position"),
            models.UniqueConstraint(fields=["customer", "week_start"], name="entry_customer_once_per_week"),
            models.CheckConstraint(condition=Q(score__gte=0), name="entry_score_not_negative"),
        ]
        verbose_name_plural = "sheet entries"

    def __str__(self):
        return f"{self.position}. {self.customer}"

    def save(self, *args, **kwargs):
        self.week_start = self.sheet.week_start
        super().save(*args, **kwargs)


def executive_id_of(user) -> int | None:
    """The id of the user's executive profile (None without one), read once per request and cached on the user."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_executive_id"):
        user._executive_id = Executive.objects.filter(user=user).values_list("id", flat=True).first()
    return user._executive_id


def call_notes_readable(call: "CallLog", user) -> bool:
    """The one rule for who reads a call's notes (CONTRACT §2), for a call already in memory:
    program admins read every note; executives every note not marked private, and their own
    private ones; anyone else (support leads, people without a role) none.
    `CallLog.objects.notes_readable_by(user)` is the same rule as a query."""
    roles = role_names(user)
    if PROGRAM_ADMINS in roles:
        return True
    if EXECUTIVES not in roles:
        return False
    return not call.notes_private or call.executive_id == executive_id_of(user)


def follow_up_writable(call: "CallLog", user) -> bool:
    """`CallLog.objects.follow_up_writable_by(user)` for a call already in memory: the executive who made
    the call writes its follow-up to the customer, and program admins."""
    roles = role_names(user)
    if PROGRAM_ADMINS in roles:
        return True
    return EXECUTIVES in roles and call.executive_id == executive_id_of(user)


class CallLogQuerySet(models.QuerySet):
    def reached(self):
        return self.filter(outcome=CallLog.Outcome.REACHED)

    def notes_readable_by(self, user):
        """The calls whose notes `user` may read: call_notes_readable as a filter."""
        roles = role_names(user)
        if PROGRAM_ADMINS in roles:
            return self
        if EXECUTIVES not in roles:
            return self.none()
        return self.filter(Q(notes_private=False) | Q(executive__user=user))

    def follow_up_writable_by(self, user):
        """The calls whose follow-up `user` may write and send: their own calls; a program admin's, all."""
        roles = role_names(user)
        if PROGRAM_ADMINS in roles:
            return self
        if EXECUTIVES not in roles:
            return self.none()
        return self.filter(executive__user=user)


class CallLog(models.Model):
    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        VOICEMAIL = "voicemail", "Left voicemail"
        NO_ANSWER = "no_answer", "No answer"
        RESCHEDULED = "rescheduled", "Rescheduled"

    class Sentiment(models.TextChoices):
        ANGRY = "angry", "Angry"
        UNHAPPY = "unhappy", "Unhappy"
        NEUTRAL = "neutral", "Neutral"
        SATISFIED = "satisfied", "Satisfied"
        DELIGHTED = "delighted", "Delighted"

    entry = models.OneToOneField(SheetEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="call")
    executive = models.ForeignKey(Executive, on_delete=models.PROTECT, related_name="calls")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    called_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    notes_private = models.BooleanField(
        default=False, help_text="Only the executive who made the call and program admins read the notes."
    )
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallLogQuerySet.as_manager()

    class Meta:
        ordering = ["-called_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__lte=600), name="call_duration_sane"),
        ]
        indexes = [
            models.Index(fields=["customer", "-called_at"], name="call_customer_idx"),
            models.Index(fields=["executive", "-called_at"], name="call_executive_idx"),
            models.Index(fields=["outcome", "called_at"], name="call_outcome_idx"),
        ]

    def __str__(self):
        return f"{self.executive} → {self.customer} on {self.called_at:%Y-%m-%d}: {self.get_outcome_display()}"


def overdue_today() -> date:
    """The day "overdue" is judged on by every page, e-mail, CSV and the builder: the server's
    TIME_ZONE date. (An executive's own zone only decides whether a new due date is in the past.)"""
    return timezone.localdate()


def overdue_q(today: date | None = None) -> Q:
    """The one definition of an overdue commitment: still open, and due before today."""
    return Q(status="open", due_date__lt=today or overdue_today())


class CommitmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Commitment.Status.OPEN)

    def overdue(self, today: date | None = None):
        return self.filter(overdue_q(today))

    def totals(self, today: date | None = None) -> dict[str, int]:
        """{"open", "overdue", "all"} in one query: the counts the home page, /commitments/ and the
        weekly e-mail show as "open" and "overdue now"."""
        return self.aggregate(
            open=Count("id", filter=Q(status=Commitment.Status.OPEN)),
            overdue=Count("id", filter=overdue_q(today)),
            all=Count("id"),
        )

    def for_reviewer(self, user):
        if user.has_perm("callsheets.view_all_commitments"):
            return self
        return self.filter(Q(call__executive__user=user) | Q(owner=user))


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    call = models.ForeignKey(CallLog, on_delete=models.PROTECT, related_name="commitments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="commitments")
    promise = models.TextField(help_text="What was promised, in the customer's words.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="commitments_owned")
    due_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    customer_told = models.BooleanField(default=False, help_text="The customer was told of the result.")
    resolution = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When it was marked done or dropped.")

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(promise=""), name="commitment_promise_not_empty"),
            models.CheckConstraint(
                condition=Q(status="open", completed_at__isnull=True)
                | (~Q(status="open") & Q(completed_at__isnull=False)),
                name="commitment_completed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="commitment_status_due_idx"),
            models.Index(fields=["owner", "status"], name="commitment_owner_idx"),
            models.Index(fields=["customer", "status"], name="commitment_customer_idx"),
        ]
        permissions = [("view_all_commitments", "Can review every commitment")]

    def __str__(self):
        return f"{self.promise[:60]} (due {self.due_date:%d %b %Y}, {self.get_status_display().lower()})"

    def is_overdue(self, today: date | None = None) -> bool:
        """overdue_q for one row already in memory."""
        return self.status == self.Status.OPEN and self.due_date < (today or overdue_today())


class CommitmentChange(models.Model):
    """One recorded change to a commitment: who, when, which field, from → to."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=32)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["commitment", "-at"], name="commitment_change_idx")]

    def __str__(self):
        return f"{self.field}: {self.old or '—'} → {self.new or '—'}"


class ScoringPolicyQuerySet(models.QuerySet):
    def active(self) -> "ScoringPolicy":
        """The active policy: a read, never a write (GET pages call it).

        Migration 0005 creates the default policy. A database where none is active (every policy
        deactivated or deleted in the admin) reads the defaults, unsaved; saving the policy page
        (`/program/policy/`) then creates the active one.
        """
        return self.filter(is_active=True).first() or ScoringPolicy(name="Default", is_active=True)


class ScoringPolicy(models.Model):
    """The weights and windows the call-list builder uses; exactly one row is active."""

    name = models.CharField(max_length=100, default="Default")
    is_active = models.BooleanField(default=True)

    ticket_window_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)])
    survey_window_days = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(1)])
    open_ticket_days = models.PositiveSmallIntegerField(default=14, help_text="An open ticket older than this counts.")
    cooldown_days = models.PositiveSmallIntegerField(default=60)
    backups = models.PositiveSmallIntegerField(default=2)
    listening_calls = models.PositiveSmallIntegerField(default=1)
    business_hours_start = models.PositiveSmallIntegerField(default=9)
    business_hours_end = models.PositiveSmallIntegerField(default=17)
    calling_hours_start = models.PositiveSmallIntegerField(
        default=8, help_text="No call is placed, promoted or carried over before this hour in the contact's zone."
    )
    calling_hours_end = models.PositiveSmallIntegerField(
        default=19, help_text="…nor ending after this hour in the contact's zone."
    )
    survey_alarm_kind = models.CharField(
        max_length=8,
        choices=[("nps", "NPS"), ("csat", "CSAT"), ("", "No survey line")],
        default="nps",
        blank=True,
        help_text="Which survey's answers raise an urgent flag by themselves (blank: none do).",
    )
    survey_alarm_max_score = models.PositiveSmallIntegerField(
        default=1, help_text="An answer scoring at most this crosses the line."
    )
    survey_alarm_comment_required = models.BooleanField(
        default=True, help_text="Only answers with a comment: the customer's own words to quote."
    )
    survey_alarm_tiers = models.CharField(
        max_length=300,
        blank=True,
        help_text="Only customers of these tiers, comma-separated (matched ignoring case); blank: every tier.",
    )
    survey_alarm_min_revenue = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Only customers with at least this annual revenue (0: any).",
    )
    urgent_window_business_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="An urgent alarm is called by the end of this many business days after it, in the customer's zone.",
    )

    weight_urgent_flag = models.FloatField(default=1000)
    weight_flag = models.FloatField(default=60)
    weight_nps_detractor = models.FloatField(default=8, help_text="Points per step below 7: NPS 0 scores 7 × this.")
    weight_csat_low = models.FloatField(default=25, help_text="CSAT 1 scores 2 × this, CSAT 2 once.")
    weight_urgent_ticket = models.FloatField(default=12)
    weight_high_ticket = models.FloatField(default=5)
    weight_escalated_ticket = models.FloatField(default=10)
    weight_reopened_ticket = models.FloatField(default=6, help_text="Per reopen.")
    weight_old_open_ticket = models.FloatField(default=4)
    weight_overdue_commitment = models.FloatField(default=50)
    weight_carried_over = models.FloatField(default=30)
    ticket_points_cap = models.FloatField(
        default=40,
        help_text="Tickets together give at most this many points, so a noisy help desk cannot outshout "
        "a customer's own words (0: no cap).",
    )

    revenue_weight = models.FloatField(
        default=0.25, help_text="Multiplier grows by this per tenfold of annual revenue over $10k."
    )

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScoringPolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-is_active", "-updated_at"]
        verbose_name_plural = "scoring policies"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="policy_one_active"),
            models.CheckConstraint(
                condition=Q(ticket_window_days__gte=1, survey_window_days__gte=1), name="policy_windows_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    weight_urgent_flag__gte=0,
                    weight_flag__gte=0,
                    weight_nps_detractor__gte=0,
                    weight_csat_low__gte=0,
                    weight_urgent_ticket__gte=0,
                    weight_high_ticket__gte=0,
                    weight_escalated_ticket__gte=0,
                    weight_reopened_ticket__gte=0,
                    weight_old_open_ticket__gte=0,
                    weight_overdue_commitment__gte=0,
                    weight_carried_over__gte=0,
                    ticket_points_cap__gte=0,
                    revenue_weight__gte=0,
                ),
                name="policy_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(business_hours_start__lt=F("business_hours_end"), business_hours_end__lte=24),
                name="policy_business_hours_valid",
            ),
            models.CheckConstraint(
                condition=Q(calling_hours_start__lt=F("calling_hours_end"), calling_hours_end__lte=24),
                name="policy_calling_hours_valid",
            ),
            models.CheckConstraint(
                condition=Q(urgent_window_business_days__gte=1), name="policy_urgent_window_positive"
            ),
            models.CheckConstraint(condition=Q(survey_alarm_min_revenue__gte=0), name="policy_survey_revenue_valid"),
        ]

    def __str__(self):
        return f"{self.name}{' (active)' if self.is_active else ''}"

    @cached_property
    def tiers(self) -> dict[str, Tier]:
        """The company's tiers by slug, read once per policy object (a build holds one): their
        multipliers weigh scores (customers.models.Tier)."""
        return Tier.objects.by_slug()

    def tier_multiplier(self, slug: str) -> float:
        tier = self.tiers.get(slug)
        return tier.multiplier if tier else 1.0

    def tier_name(self, slug: str) -> str:
        tier = self.tiers.get(slug)
        return tier.name if tier else slug

    def snapshot(self) -> dict:
        return {
            f.name: getattr(self, f.name)
            for f in self._meta.concrete_fields
            if f.name not in {"id", "updated_at", "updated_by"}
        }

    def tier_snapshot(self) -> dict:
        """Each tier's multiplier, under the names the policy's own fields had before tiers were
        the company's own (tier_multiplier_strategic, …): a build's inputs keep them beside the policy."""
        return {f"tier_multiplier_{slug}": t.multiplier for slug, t in sorted(self.tiers.items())}


class BuildRunQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(state__in=BuildRun.UNFINISHED)


class BuildRun(models.Model):
    """One build of a week's sheets, asked for on /program/, by the command or by Celery beat.

    The row is written before the task is queued and the task updates it, so its state never depends
    on Celery's result store (whose results expire) or on the admin's session.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Origin(models.TextChoices):
        PAGE = "page", "program page"
        COMMAND = "command", "build_callsheets command"
        SCHEDULE = "schedule", "weekly schedule"
        TASK = "task", "Celery task"
        ADMIN = "admin", "Django admin"

    UNFINISHED = (State.QUEUED, State.RUNNING)

    week_start = models.DateField(help_text="Monday of the week built.")
    executive = models.ForeignKey(
        Executive, on_delete=models.SET_NULL, null=True, blank=True, related_name="build_runs"
    )
    executive_name = models.CharField(
        max_length=200, blank=True, help_text="Whose sheet was asked for, as named then; empty: every active executive."
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PAGE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    queued_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task last reached the broker; empty while it could not."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="The build's summary: sheets, entries, left off.")
    error = models.TextField(blank=True, help_text="Why it failed, in words.")
    note = models.TextField(blank=True, help_text="What the admin should know while it waits (the queue was down).")

    objects = BuildRunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["state", "queued_at"], name="build_run_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["done", "failed"], finished_at__isnull=False)
                | (Q(state__in=["queued", "running"]) & Q(finished_at__isnull=True)),
                name="build_run_finished_at_matches_state",
            ),
        ]

    def __str__(self):
        return (
            f"Build of the week of {self.week_start:%d %b %Y} for {self.for_label} ({self.get_state_display().lower()})"
        )

    @property
    def for_label(self) -> str:
        return self.executive_name or "every active executive"

    @property
    def is_finished(self) -> bool:
        return self.state not in self.UNFINISHED

    @property
    def took(self) -> str:
        """How long the build ran, in words ("2 s", "3 min"); empty until it has finished."""
        if not (self.started_at and self.finished_at):
            return ""
        seconds = (self.finished_at - self.started_at).total_seconds()
        if seconds < 1:
            return "under a second"
        return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class UrgentCallQuerySet(models.QuerySet):
    def open(self):
        """Neither logged nor given up: shown above everything on the executive's sheet."""
        return self.filter(call__isnull=True)

    def for_viewer(self, user):
        if user.has_perm("callsheets.view_all_sheets"):
            return self
        return self.filter(executive__user=user)


class UrgentCall(models.Model):
    """An urgent alarm no slot could answer in time: one executive calls outside the slot, by `deadline`.

    Made by callsheets.services.urgent.urgent_place; shown above everything on the executive's sheet,
    whatever week they look at, until the call is logged.
    """

    flag = models.OneToOneField("customers.Flag", on_delete=models.CASCADE, related_name="urgent_call")
    executive = models.ForeignKey(Executive, on_delete=models.PROTECT, related_name="urgent_calls")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="urgent_calls")
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    deadline = models.DateTimeField(help_text="The end of the urgent window, in the customer's zone.")
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    call = models.OneToOneField(CallLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="urgent_call")
    admins_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When program admins were told it was neither acknowledged nor logged."
    )

    objects = UrgentCallQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["executive", "deadline"], condition=Q(call__isnull=True), name="urgent_call_open_idx"),
        ]

    def __str__(self):
        return f"Urgent call: {self.executive} → {self.customer} by {self.deadline:%Y-%m-%d %H:%M}"

    @property
    def half_window_at(self) -> datetime:
        """When program admins are told, if it is neither acknowledged nor logged by then."""
        return self.created_at + (self.deadline - self.created_at) / 2


# Kept in their own modules so this one stops growing; imported here so Django finds them.
from .models_followup import CallFollowUp  # noqa: E402, F401
from .models_topics import Topic  # noqa: E402, F401
