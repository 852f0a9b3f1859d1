from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One file uploaded in the browser: validated (a dry run), then imported once confirmed."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers (CSV)"
        TICKETS_ZENDESK = "tickets:zendesk", "Tickets: Zendesk export"
        TICKETS_FRESHDESK = "tickets:freshdesk", "Tickets: Freshdesk export"
        TICKETS_CSV = "tickets:csv", "Tickets: CSV"
        SURVEYS_DELIGHTED = "surveys:delighted", "Survey responses: Delighted export"
        SURVEYS_CSV = "surveys:csv", "Survey responses: CSV"

    class Status(models.TextChoices):
        VALIDATING = "validating", "Checking"
        INVALID = "invalid", "Has errors"
        VALID = "valid", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    class Unmatched(models.TextChoices):
        ERROR = "error", "Refuse the file"
        SKIP = "skip", "Skip them"
        CREATE = "create", "Create customers for them"

    RUNNING_STATUSES = (Status.VALIDATING, Status.IMPORTING)

    kind = models.CharField(max_length=24, choices=Kind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    recognised = models.BooleanField(default=False, help_text="The kind was recognised from the header row.")
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True, help_text="The Celery task checking or importing the file.")
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the file's current task (check or import) was asked for."
    )
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When that task last reached the job queue; empty while it could not."
    )
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker took that task.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(
        default=0,
        help_text="Rows that match no customer: found by the check, left out or given a customer by the import.",
    )
    customers_created = models.PositiveIntegerField(default=0)
    unmatched = models.CharField(
        max_length=8,
        choices=Unmatched.choices,
        default=Unmatched.ERROR,
        help_text="What the import does with rows that match no customer, chosen after the check.",
    )
    left_out = models.FileField(
        upload_to="imports/%Y/%m/",
        blank=True,
        help_text="The rows rejected or skipped, as CSV with the reason in a last column, ready to correct.",
    )
    rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first bad rows: {row, column, message}.")
    skips = models.JSONField(
        default=list, blank=True, help_text="The first rows matching no customer: {row, column, message}."
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_kind_display()}, {self.get_status_display().lower()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING_STATUSES

    @property
    def matched_rows(self) -> int:
        """Rows that import as they are: neither rejected nor matching no customer."""
        return max(0, self.rows - self.skipped - self.rejected)

    @property
    def is_waiting_for_the_queue(self) -> bool:
        """A background task was asked for but could not reach the job queue (yet)."""
        return self.is_running and bool(self.task_id) and self.enqueued_at is None

    @property
    def entity(self) -> str:
        return self.kind.split(":")[0]

    @property
    def file_format(self) -> str:
        return self.kind.split(":")[1] if ":" in self.kind else "csv"


class WebhookEventQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=WebhookEvent.Status.PENDING)


class WebhookEvent(models.Model):
    """A webhook request as received, stored before the 202 and applied later, once."""

    class Source(models.TextChoices):
        TICKETS = "tickets", "Tickets"
        SURVEYS = "surveys", "Surveys"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=16, choices=Source.choices)
    idempotency_key = models.CharField(
        max_length=128, help_text="The sender's event id when it has one, else sha256 of the body."
    )
    event_type = models.CharField(max_length=64, blank=True)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True, help_text="What applying it did.")

    objects = WebhookEventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "idempotency_key"], name="webhook_event_once_per_key"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="webhook_event_status_idx")]

    def __str__(self):
        return f"{self.get_source_display()} event {self.pk} ({self.get_status_display().lower()})"
