"""The follow-up e-mail to the customer after a call: drafted on /calls/<id>/follow-up/, sent once."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CallFollowUp(models.Model):
    """The one follow-up of one call, as it was sent (or is being sent).

    The row is the claim, like notifications' EmailDelivery: whoever inserts it sends the e-mail
    (one per call, the OneToOne's unique index), so a double click, the back button or a second tab
    never sends it twice. A failed send may be claimed again by a conditional UPDATE (up to
    MAX_ATTEMPTS); one in "sending" is never sent again.
    """

    MAX_ATTEMPTS = 3

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    call = models.OneToOneField("callsheets.CallLog", on_delete=models.CASCADE, related_name="follow_up")
    contact = models.ForeignKey("customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to = models.CharField(max_length=254, help_text="The address it was sent to.")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = "call follow-up"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="follow_up_sent_at_matches_status",
            ),
        ]

    def __str__(self):
        return f"Follow-up of call {self.call_id} to {self.to}: {self.get_status_display().lower()}"

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT
