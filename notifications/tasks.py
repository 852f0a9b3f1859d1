"""Celery beat's e-mail jobs (schedule in settings.CELERY_BEAT_SCHEDULE). Each is safe to re-run:
every e-mail is claimed once per recipient and period before it is sent."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import services

logger = logging.getLogger(__name__)

RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def send_weekly_briefings() -> dict[str, int]:
    return services.briefings_send_due()


@shared_task(**RETRY)
def send_overdue_digests() -> dict[str, int]:
    return services.overdue_digests_send()


@shared_task(**RETRY)
def send_program_weekly() -> dict[str, int]:
    return services.program_weekly_send()


@shared_task(soft_time_limit=240, time_limit=300, **RETRY)
def send_flag_outcome(flag_id: int) -> str:
    return services.flag_outcome_send(flag_id=flag_id)


@shared_task(**RETRY)
def send_missed_flag_outcomes() -> dict[str, int]:
    return services.flag_outcomes_send_missed()


@shared_task(bind=True, **RETRY)
def send_urgent_notice(self, flag_id: int, period_key: str | None = None) -> str:
    """E-mails the executive an urgent placement or urgent call at once (claimed once), then posts it
    to Slack when SLACK_WEBHOOK_URL is set; a Slack failure never undoes the e-mail or the placement."""
    outcome = services.urgent_notice_retry(flag_id=flag_id, period_key=period_key)
    if outcome == "sent" and settings.SLACK_WEBHOOK_URL:
        try:
            post_urgent_to_slack.delay(flag_id)
        except Exception:  # the broker, or Slack's last retry in-process: logged, never raised
            logger.warning("The Slack post of urgent flag %s failed.", flag_id, exc_info=True)
    return outcome


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def post_urgent_to_slack(flag_id: int) -> bool:
    """A worker posts once and retries with backoff; in-process (no REDIS_URL) there is no later
    retry, so the post is tried a bounded number of times at once (SLACK_TRIES_MAX)."""
    from .services.urgent_emails import SLACK_TRIES_MAX

    in_process = post_urgent_to_slack.app.conf.task_always_eager
    return services.urgent_slack_post(flag_id=flag_id, tries=SLACK_TRIES_MAX if in_process else 1)
