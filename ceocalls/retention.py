"""What is kept, and for how long (README, "Keeping records"): rows that only grow are pruned here,
by Celery beat's daily `prune_old_records` and by `manage.py prune`, in batches so no statement
holds a long lock.

Never pruned: a webhook event still pending (its data is not in yet; the sweeper keeps applying it),
and anything younger than its retention. A setting of 0 keeps that kind for ever.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils import timezone

from imports.models import WebhookEvent
from notifications.models import EmailDelivery

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Rule:
    label: str  # how the summary names the rows
    setting: str  # the retention in days; 0 keeps them for ever
    expired: object  # callable(cutoff: datetime) -> QuerySet of rows older than the cutoff


def _webhook_events(cutoff: datetime) -> QuerySet:
    # Applied ones by when they were applied, failed ones by when they came in; pending ones never.
    return WebhookEvent.objects.filter(
        Q(status=WebhookEvent.Status.APPLIED, applied_at__lt=cutoff)
        | Q(status=WebhookEvent.Status.APPLIED, applied_at__isnull=True, received_at__lt=cutoff)
        | Q(status=WebhookEvent.Status.FAILED, received_at__lt=cutoff)
    )


def _email_deliveries(cutoff: datetime) -> QuerySet:
    return EmailDelivery.objects.filter(claimed_at__lt=cutoff)


def _signin_logs(cutoff: datetime) -> QuerySet:
    return AccessLog.objects.filter(attempt_time__lt=cutoff)


def _signin_failure_logs(cutoff: datetime) -> QuerySet:
    return AccessFailureLog.objects.filter(attempt_time__lt=cutoff)


def _sessions(cutoff: datetime) -> QuerySet:
    # Django's own `clearsessions`, as a batch: a session past its expiry date is of no use to anyone.
    return Session.objects.filter(expire_date__lt=cutoff)


RULES = [
    Rule("webhook events", "WEBHOOK_RETENTION_DAYS", _webhook_events),
    Rule("e-mail deliveries", "EMAIL_DELIVERY_RETENTION_DAYS", _email_deliveries),
    Rule("sign-in logs", "SIGNIN_LOG_RETENTION_DAYS", _signin_logs),
    Rule("failed sign-in logs", "SIGNIN_LOG_RETENTION_DAYS", _signin_failure_logs),
]


def _delete_in_batches(queryset: QuerySet, batch_size: int) -> int:
    """Deletes the rows `queryset` selects, `batch_size` at a time, each batch its own statement."""
    deleted = 0
    model = queryset.model
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        deleted += model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)


def records_prune(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Deletes what is past its retention; returns how many rows of each kind went (kinds kept for ever are left out)."""
    now = now or timezone.now()
    counts = {}
    for rule in RULES:
        days = getattr(settings, rule.setting)
        if days:
            counts[rule.label] = _delete_in_batches(rule.expired(now - timedelta(days=days)), batch_size)
    counts["expired sessions"] = _delete_in_batches(_sessions(now), batch_size)
    return counts


def prune_summary(counts: dict[str, int]) -> str:
    return "Pruned " + ", ".join(f"{n} {label}" for label, n in counts.items()) + "."
