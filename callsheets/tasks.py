"""Celery tasks for the call-list builder: thin, they call the service and return a small summary.

Their time limits are CELERY_TASK_TIME_LIMIT / CELERY_TASK_SOFT_TIME_LIMIT, below the broker's
visibility timeout (README, "Background jobs: time limits").
"""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .builder import build_week
from .models import Executive


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_week_task(self, week_iso: str, executive_id: int | None = None) -> dict:
    """Builds the sheets of the week containing `week_iso` (one executive's when given)."""
    executive = None
    if executive_id:
        executive = Executive.objects.select_related("user").filter(pk=executive_id).first()
        if executive is None:  # deleted between the click and the run: say so instead of failing the task
            return {
                "week": week_iso,
                "dry_run": False,
                "sheets": [],
                "skipped": {},
                "messages": [f"No executive with id {executive_id}: nothing built."],
            }
    return build_week(week=date.fromisoformat(week_iso), executive=executive).summary()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_next_week(self) -> dict:
    """Celery beat's Friday job: next week's sheets for every executive."""
    return build_week(week=timezone.localdate() + timedelta(days=7)).summary()
