from django.conf import settings
from django.db import models
from django.db.models import Q


class EmailKind(models.TextChoices):
    WEEKLY_BRIEFING = "weekly_briefing", "Weekly briefing (executives, the morning of their slot day)"
    OVERDUE_DIGEST = "overdue_digest", "Overdue commitments (owners, at most once a day)"
    PROGRAM_WEEKLY = "program_weekly", "The week in numbers (program admins, weekly)"
    FLAG_OUTCOME = "flag_outcome", "Outcome of a flag's call (the support lead who raised it)"
    FLAG_CORRECTION = "flag_correction", "Correction of a flag's call (the lead, when the call is corrected)"
    URGENT_ALARM = "urgent_alarm", "An urgent alarm to call now (the executive, at once; always sent)"
    URGENT_UNANSWERED = "urgent_unanswered", "An urgent call not acknowledged by half its window (program admins)"


class EmailDeliveryQuerySet(models.QuerySet):
    def sent(self):
        return self.filter(status=EmailDelivery.Status.SENT)

    def failed(self):
        return self.filter(status=EmailDelivery.Status.FAILED)


class EmailDelivery(models.Model):
    """One e-mail of one kind to one person for one period (a week, a day, a flag).

    The unique constraint is the claim: whoever inserts the row sends the e-mail, so a re-run
    or a retried task never sends it twice. A failed delivery may be claimed again by a later
    run of the same period (up to MAX_ATTEMPTS); one in "sending" is never sent again.
    """

    MAX_ATTEMPTS = 3

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_deliveries")
    period_key = models.CharField(
        max_length=64, help_text="2027-03-29 (a day or a week's Monday), 2027-W13, flag-42-call-7."
    )
    to = models.CharField(max_length=254, help_text="The address it was sent to.")
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    content = models.JSONField(
        default=dict,
        blank=True,
        help_text="The facts the e-mail told (a flag's call: outcome, mood, day, promises), to tell a change from none.",
    )
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = EmailDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name_plural = "e-mail deliveries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "recipient", "period_key"], name="email_once_per_period"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="email_sent_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="email_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display().split(' (')[0]} to {self.to} for {self.period_key}: {self.status}"


class NotificationPreference(models.Model):
    """Which e-mails a person gets; no row means all of them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    weekly_briefing = models.BooleanField("Weekly briefing on the morning of my call slot", default=True)
    overdue_digest = models.BooleanField("Daily list of my overdue commitments", default=True)
    program_weekly = models.BooleanField("The program's week in numbers, on Mondays", default=True)
    flag_outcome = models.BooleanField("The outcome when the call on a flag I raised is logged", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"E-mail preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return getattr(self, kind)
