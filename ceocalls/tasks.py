"""Housekeeping jobs of Celery beat (schedule in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import OperationalError

from .retention import records_prune


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def prune_old_records() -> dict[str, int]:
    """Deletes what is past its retention (ceocalls/retention.py); safe to run twice."""
    return records_prune()
