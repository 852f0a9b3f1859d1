import zoneinfo
from datetime import UTC, datetime
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace, Upper
from django.utils import timezone

from ceocalls.people import display_name

from .phones import Phone
from .validators import validate_country, validate_phone_text, validate_timezone


def tier_key(label: str) -> str:
    """What makes two tier labels the same: "Mid-market", "mid_market" and "MID MARKET" are one tier."""
    return "".join(ch for ch in label.lower() if ch not in " -_")


def tier_key_sql(expression):
    """tier_key as the database computes it, for the unique constraint and for lookups."""
    lowered = Lower(expression)
    return Replace(Replace(Replace(lowered, Value(" "), Value("")), Value("-"), Value("")), Value("_"), Value(""))


class TierQuerySet(models.QuerySet):
    def named(self, label: str):
        """The tier whose name is `label` as the unique constraint compares names."""
        return self.alias(key=tier_key_sql("name")).filter(key=tier_key_sql(Value(label)))

    def by_slug(self) -> dict[str, "Tier"]:
        """Every tier by slug, one query: the table holds a company's few segment labels."""
        return {t.slug: t for t in self}


class Tier(models.Model):
    """A company's own segment label ("Strategic", "Key account") and the builder's multiplier for it.

    Customers refer to a tier by its slug (the `tier` column holds the slug), so renaming a
    label is one row; the slug is made once from the first name and never changes.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=40, unique=True, allow_unicode=True)
    multiplier = models.FloatField(
        default=1.0, help_text="The builder multiplies a customer's points by this (before the revenue weight)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TierQuerySet.as_manager()

    class Meta:
        ordering = ["-multiplier", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(multiplier__gte=0),
                name="tier_multiplier_not_negative",
                violation_error_message="A tier's multiplier cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="tier_name_not_empty", violation_error_message="A tier needs a name."
            ),
            # Labels that differ only in case, spaces, "-" or "_" are one tier (tier_key).
            models.UniqueConstraint(
                Replace(
                    Replace(Replace(Lower("name"), Value(" "), Value("")), Value("-"), Value("")), Value("_"), Value("")
                ),
                name="tier_name_unique_ignoring_case_and_separators",
                violation_error_message="A tier of this name exists already (case, spaces, - and _ aside).",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def key(self) -> str:
        return tier_key(self.name)


class Customer(models.Model):
    class Tier(models.TextChoices):
        """The slugs of the four tiers every installation starts with (a migration makes them);
        a company renames them, changes their multipliers and adds its own (customers.models.Tier)."""

        STRATEGIC = "strategic", "Strategic"
        ENTERPRISE = "enterprise", "Enterprise"
        MID_MARKET = "mid_market", "Mid-market"
        SMB = "smb", "SMB"

    class Lifecycle(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding"
        ACTIVE = "active", "Active"
        AT_RISK = "at_risk", "At risk"
        CHURNED = "churned", "Churned"

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, help_text="E-mail domain, lower case: acme.com")
    annual_revenue = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tier = models.ForeignKey(
        "customers.Tier",
        to_field="slug",
        db_column="tier",
        on_delete=models.PROTECT,
        default=Tier.SMB,
        related_name="customers",
        help_text="The company's own segment label; its multiplier weighs the customer's score.",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    country = models.CharField(
        max_length=2,
        blank=True,
        default="",
        db_default="",
        validators=[validate_country],
        help_text="ISO 3166 alpha-2 (US, GB, NO): the country national phone numbers are read in. "
        "Blank: the country of the time zone.",
    )
    lifecycle_status = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_revenue__gte=0), name="customer_revenue_not_negative"),
            models.CheckConstraint(condition=~Q(name=""), name="customer_name_not_empty"),
            models.CheckConstraint(condition=~Q(external_id=""), name="customer_external_id_not_empty"),
        ]
        indexes = [
            models.Index(Upper("name"), name="customer_name_upper_idx"),
            models.Index(fields=["domain"], name="customer_domain_idx"),
            models.Index(fields=["tier", "lifecycle_status"], name="customer_tier_status_idx"),
        ]

    def __str__(self):
        return self.name

    @cached_property
    def zoneinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Contact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_phone_text],
        help_text="As written: +1 312 555 0101, (312) 555-0101 ext. 12. A national number is read in the "
        "contact's country (its time zone, else the customer's country or time zone).",
    )
    phone_e164 = models.CharField(
        "dialable number",
        max_length=16,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="E.164, +13125550101; blank when the number cannot be dialled from abroad (customers.phones).",
    )
    phone_extension = models.CharField(max_length=20, blank=True, default="", db_default="", editable=False)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[validate_timezone], help_text="Blank: the customer's time zone."
    )
    is_primary = models.BooleanField(default=False)
    do_not_call = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id", "-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="contact_one_primary_per_customer"
            ),
            models.UniqueConstraint(
                "customer", Lower("email"), condition=~Q(email=""), name="contact_email_unique_per_customer"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="contact_name_not_empty"),
            models.CheckConstraint(
                condition=Q(phone_e164="") | Q(phone_e164__startswith="+"), name="contact_phone_e164_shape"
            ),
            models.CheckConstraint(
                condition=Q(phone_extension="") | ~Q(phone_e164=""), name="contact_phone_extension_needs_number"
            ),
        ]
        indexes = [models.Index(Lower("email"), name="contact_email_lower_idx")]

    def __str__(self):
        return f"{self.name}, {self.title}" if self.title else self.name

    @property
    def is_callable(self) -> bool:
        return bool(self.phone) and not self.do_not_call

    @property
    def phone_number(self) -> Phone:
        """The number as written and as dialled (customers.phones): `.tel`, `.display`, `.dialable`."""
        return Phone(self.phone, self.phone_e164, self.phone_extension)

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.customer.timezone


# Dates from outside (files, webhooks) are kept to these years in UTC, as imports.fields.when reads
# them: a year 0 or 10000 in UTC cannot be shown by Python, so a page holding one would fail.
EARLIEST_STORED = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_STORED = datetime(3000, 1, 1, tzinfo=UTC)  # exclusive


def date_in_range_q(name: str, *, nullable: bool = False) -> Q:
    in_range = Q(**{f"{name}__gte": EARLIEST_STORED, f"{name}__lt": LATEST_STORED})
    return Q(**{f"{name}__isnull": True}) | in_range if nullable else in_range


class SupportTicket(models.Model):
    class Source(models.TextChoices):
        ZENDESK = "zendesk", "Zendesk"
        FRESHDESK = "freshdesk", "Freshdesk"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        HOLD = "hold", "On hold"
        SOLVED = "solved", "Solved"
        CLOSED = "closed", "Closed"

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    class Satisfaction(models.TextChoices):
        NONE = "", "Not offered"
        OFFERED = "offered", "Offered"
        GOOD = "good", "Good"
        BAD = "bad", "Bad"

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.HOLD)

    source = models.CharField(max_length=16, choices=Source.choices)
    external_id = models.CharField(max_length=64)
    # No index of its own: ticket_customer_created_idx (customer, -created_at) serves every lookup
    # by customer, and one index fewer is one write fewer per imported ticket.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tickets", db_index=False)
    requester = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets")
    subject = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    created_at = models.DateTimeField(help_text="When the ticket was opened in the help desk.")
    updated_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    reopen_count = models.PositiveIntegerField(default=0)
    tags = models.JSONField(default=list, blank=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True, default="")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ticket_unique_per_source"),
            models.CheckConstraint(
                condition=Q(updated_at__gte=models.F("created_at")), name="ticket_updated_after_created"
            ),
            models.CheckConstraint(
                condition=date_in_range_q("created_at")
                & date_in_range_q("updated_at")
                & date_in_range_q("solved_at", nullable=True),
                name="ticket_dates_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created_idx"),
            # No index on updated_at: no page, builder or import reads tickets by it (dropped for import speed).
            models.Index(fields=["status", "created_at"], name="ticket_status_created_idx"),
            # The builder's two ticket reads (callsheets.builder.signals.ticket_reads): opened in the
            # window, and older tickets still open (every open ticket, or one customer's, read from
            # the partial index alone).
            models.Index(fields=["created_at"], name="ticket_created_idx"),
            models.Index(
                fields=["customer", "created_at", "priority", "escalated", "reopen_count"],
                condition=Q(status__in=["new", "open", "pending", "hold"]),
                name="ticket_open_customer_idx",
            ),
        ]

    def __str__(self):
        return f"#{self.external_id} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def label(self) -> str:
        """'Zendesk ticket #4900': where the ticket lives and its number there."""
        return f"{self.get_source_display()} ticket #{self.external_id}"


# The detractor rule, the one definition for pages, filters, the builder and the demo:
# NPS 0–6 (NPS's own detractors) and CSAT 1–2.
NPS_DETRACTOR_MAX = 6
CSAT_LOW_MAX = 2


def detractor_q(score: str = "score") -> Q:
    """The detractor rule as a condition on the answer's kind and `score` (or an annotation holding it)."""
    return Q(kind="nps", **{f"{score}__lte": NPS_DETRACTOR_MAX}) | Q(kind="csat", **{f"{score}__lte": CSAT_LOW_MAX})


class SurveyResponseQuerySet(models.QuerySet):
    def detractors(self):
        """Answers that say the customer is unhappy: NPS ≤ NPS_DETRACTOR_MAX or CSAT ≤ CSAT_LOW_MAX."""
        return self.filter(detractor_q())


class SurveyResponse(models.Model):
    class Source(models.TextChoices):
        DELIGHTED = "delighted", "Delighted"
        CSV = "csv", "CSV"

    class Kind(models.TextChoices):
        NPS = "nps", "NPS"
        CSAT = "csat", "CSAT"

    source = models.CharField(max_length=16, choices=Source.choices)
    external_id = models.CharField(max_length=64)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_responses")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    responded_at = models.DateTimeField()
    imported_at = models.DateTimeField(auto_now=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-responded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="survey_unique_per_source"),
            models.CheckConstraint(
                condition=(Q(kind="nps", score__gte=0, score__lte=10) | Q(kind="csat", score__gte=1, score__lte=5)),
                name="survey_score_in_range_for_kind",
            ),
            models.CheckConstraint(condition=date_in_range_q("responded_at"), name="survey_responded_in_range"),
        ]
        indexes = [
            models.Index(fields=["responded_at"], name="survey_responded_idx"),
            models.Index(fields=["customer", "-responded_at"], name="survey_customer_responded_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.score} from {self.customer_id} on {self.responded_at:%Y-%m-%d}"

    @property
    def label(self) -> str:
        """'Delighted NPS 0, 29 Nov': where the answer came from, its score and its day."""
        day = timezone.localtime(self.responded_at)
        return f"{self.get_source_display()} {self.get_kind_display()} {self.score}, {day.day} {day:%b}"

    @property
    def quote(self) -> str:
        """The answer as a flag quotes it: 'Delighted NPS 0, 29 Nov: "you guys are absolute idiots"'."""
        comment = " ".join(self.comment.split())
        return f"{self.label}: “{comment}”" if comment else self.label

    @property
    def is_detractor(self) -> bool:
        """SurveyResponse.objects.detractors() for one answer already in memory."""
        limit = {self.Kind.NPS: NPS_DETRACTOR_MAX, self.Kind.CSAT: CSAT_LOW_MAX}.get(self.kind)
        return limit is not None and self.score <= limit


class FlagQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Flag.ACTIVE_STATUSES)

    def waiting_totals(self) -> dict[str, int]:
        """{"waiting", "urgent"}: flags open or scheduled now, and how many of them are urgent (one query)."""
        return self.active().aggregate(
            waiting=models.Count("id"), urgent=models.Count("id", filter=Q(urgency=Flag.Urgency.URGENT))
        )

    def raised_by(self, user):
        return self.filter(raised_by=user)


class Flag(models.Model):
    class Urgency(models.TextChoices):
        NORMAL = "normal", "Normal"
        URGENT = "urgent", "Urgent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SCHEDULED = "scheduled", "Scheduled"
        CALLED = "called", "Called"
        CLOSED = "closed", "Closed"
        DISMISSED = "dismissed", "Dismissed"

    class Origin(models.TextChoices):
        LEAD = "lead", "Support lead"
        TICKET_TAG = "ticket_tag", "Ticket tag"
        SURVEY = "survey", "Survey answer"

    ACTIVE_STATUSES = (Status.OPEN, Status.SCHEDULED)

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="flags")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags_raised"
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.LEAD)
    reason = models.TextField()
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    ticket = models.ForeignKey(SupportTicket, on_delete=models.SET_NULL, null=True, blank=True, related_name="flags")
    survey_response = models.ForeignKey(
        SurveyResponse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        help_text="The survey answer that crossed the policy's line and raised this flag.",
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        help_text="Preferred contact for the call.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    sheet = models.ForeignKey(
        "callsheets.CallSheet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        help_text="The sheet the flag is scheduled on.",
    )
    call = models.ForeignKey(
        "callsheets.CallLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flags",
        help_text="The call that answered the flag.",
    )
    not_placed_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the last build could not put the flag on a sheet."
    )
    dismissed_reason = models.TextField(blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lead_notified_at = models.DateTimeField(null=True, blank=True)
    urgent_since = models.DateTimeField(
        null=True, blank=True, help_text="The urgent alarm: when the flag was raised as, or made, urgent."
    )
    urgent_enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the urgent placement's task reached the job queue."
    )
    urgent_handled_at = models.DateTimeField(
        null=True, blank=True, help_text="When the urgent placement ran (placed, an urgent call, or why not)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status__in=["open", "scheduled"]), name="flag_one_active_per_customer"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="flag_reason_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismissed_reason=""), name="flag_dismissal_has_reason"
            ),
            # A tagged ticket raises one flag, however often it is imported.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(origin="ticket_tag"), name="flag_once_per_tagged_ticket"
            ),
            # A survey answer raises one flag, however often it is imported or sent.
            models.UniqueConstraint(fields=["survey_response"], name="flag_once_per_survey_response"),
        ]
        indexes = [
            models.Index(fields=["status", "urgency"], name="flag_status_urgency_idx"),
            models.Index(
                fields=["urgent_since"],
                condition=Q(urgency="urgent", urgent_handled_at__isnull=True),
                name="flag_urgent_unhandled_idx",
            ),
            models.Index(fields=["raised_by", "-created_at"], name="flag_raised_by_idx"),
            # /flags/ lists newest first, 25 a page: read in this order, its joins stop at 25 rows
            # instead of joining every flag before the sort (12 ms to 1 ms at 10,000 customers).
            models.Index(fields=["-created_at", "-id"], name="flag_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_urgency_display()} flag on {self.customer} ({self.get_status_display().lower()})"

    @property
    def is_urgent(self) -> bool:
        return self.urgency == self.Urgency.URGENT

    @property
    def origin_label(self) -> str:
        """Who or what raised the flag, as every page, e-mail and sheet names it: 'Sam Torres' or
        'Zendesk ticket #4900'. Reads `raised_by` and `ticket`: select them with the flag."""
        if self.origin == self.Origin.TICKET_TAG:
            return self.ticket.label if self.ticket_id else "a ticket tag"
        if self.origin == self.Origin.SURVEY:
            return self.survey_response.label if self.survey_response_id else "a survey answer"
        return display_name(self.raised_by) or "a support lead"

    @property
    def origin_phrase(self) -> str:
        """'by Sam Torres' or 'from Zendesk ticket #4900', after 'Raised' or 'Flagged'."""
        by = self.origin in (self.Origin.TICKET_TAG, self.Origin.SURVEY)
        return f"{'from' if by else 'by'} {self.origin_label}"


class FlagNote(models.Model):
    """What a lead adds to a flag that is already open, instead of raising a second one."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.ForeignKey(
        SupportTicket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flag_notes",
        help_text="The ticket tagged for a CEO call that added this note (no author then).",
    )
    survey_response = models.ForeignKey(
        SurveyResponse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flag_notes",
        help_text="The survey answer past the policy's line that added this note (no author then).",
    )
    text = models.TextField()
    made_urgent = models.BooleanField(default=False, help_text="This note raised the flag to urgent.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="flagnote_text_not_empty"),
            # A tagged ticket adds to a flag once, however often it is imported.
            models.UniqueConstraint(fields=["ticket"], name="flagnote_once_per_ticket"),
            models.UniqueConstraint(fields=["survey_response"], name="flagnote_once_per_survey_response"),
        ]
        indexes = [
            models.Index(fields=["flag", "created_at"], name="flagnote_flag_idx"),
            models.Index(fields=["author", "flag"], name="flagnote_author_idx"),
        ]

    def __str__(self):
        return f"Note on flag {self.flag_id}: {self.text[:60]}"

    @property
    def origin_label(self) -> str:
        """Who added it: the lead's name, or the tagged ticket ('Zendesk ticket #4901')."""
        if self.ticket_id:
            return self.ticket.label
        if self.survey_response_id:
            return self.survey_response.label
        return display_name(self.author) or "someone"
