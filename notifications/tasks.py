"""Celery beat's e-mail jobs (schedule in settings.CELERY_BEAT_SCHEDULE). Each is safe to re-run:
every e-mail is claimed once per recipient and period before it is sent."""

from celery import shared_task
from django.db import OperationalError

from . import services

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
