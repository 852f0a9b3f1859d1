"""Celery tasks for the call-list builder: thin, they record each build in a BuildRun row and call the service.

Their time limits are CELERY_TASK_TIME_LIMIT / CELERY_TASK_SOFT_TIME_LIMIT, below the broker's
visibility timeout (README, "Background jobs: time limits").
"""

from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from .models import BuildRun, Executive, week_start_of
from .services import builds

BUILD_TASK = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**BUILD_TASK)
def build_week_task(self, week_iso: str, executive_id: int | None = None, run_id: int | None = None) -> dict:
    """Builds the sheets of the week containing `week_iso` (one executive's when given).

    `run_id` is the BuildRun the program page wrote before queueing; without one (a task sent by
    hand) the task writes its own, so every build through Celery is on record.
    """
    if run_id is None:
        run_id = _own_run(week_iso, executive_id, self.request.id, BuildRun.Origin.TASK)
        if run_id is None:
            return _nothing_built(week_iso, f"No executive with id {executive_id}: nothing built.")
    return _execute(run_id, self.request.id or "", week_iso)


def _own_run(week_iso: str, executive_id: int | None, task_id: str | None, origin: str) -> int | None:
    """The run of a task sent without one; None when its executive no longer exists (nothing to build).

    Keyed by the task id, so a retry of the same task (same id) works on the same run.
    """
    executive = Executive.objects.select_related("user").filter(pk=executive_id).first() if executive_id else None
    if executive_id and executive is None:
        return None
    fields = {
        "week_start": week_start_of(date.fromisoformat(week_iso)),
        "executive": executive,
        "executive_name": executive.name if executive else "",
        "origin": origin,
    }
    if not task_id:
        return BuildRun.objects.create(**fields).pk
    return BuildRun.objects.get_or_create(task_id=task_id, defaults=fields)[0].pk


def _execute(run_id: int, task_id: str, week_iso: str) -> dict:
    run, result = builds.build_run_execute(run_id=run_id, task_id=task_id)
    if result is not None:
        return result.summary()
    if run.state == BuildRun.State.FAILED:
        return _nothing_built(week_iso, run.error, run=run)
    return _nothing_built(week_iso, f"Build run {run.pk} was already {run.get_state_display().lower()}.", run=run)


def _nothing_built(week_iso: str, message: str, run: BuildRun | None = None) -> dict:
    return {
        "week": week_iso,
        "dry_run": False,
        "sheets": [],
        "skipped": {},
        "messages": [message],
        **({"run_id": run.pk, "state": run.state} if run else {}),
    }


@shared_task(**BUILD_TASK)
def build_next_week(self) -> dict:
    """Celery beat's Friday job: next week's sheets for every executive, on record as a BuildRun."""
    week_iso = (timezone.localdate() + timedelta(days=7)).isoformat()
    run_id = _own_run(week_iso, None, self.request.id, BuildRun.Origin.SCHEDULE)
    return _execute(run_id, self.request.id or "", week_iso)


@shared_task(acks_late=True)
def sweep_build_runs() -> dict:
    """Celery beat: queue again the builds that never reached a worker; fail those that never end."""
    return builds.build_runs_sweep()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def place_urgent_flag(self, flag_id: int) -> dict:
    """Places an urgent flag at once (services.urgent.urgent_place); idempotent, so a retry places once."""
    from .services.urgent import urgent_place

    outcome = urgent_place(flag_id=flag_id)
    return {"flag": outcome.flag_id, "state": outcome.state, "text": outcome.text}


@shared_task(acks_late=True)
def sweep_urgent_alarms() -> dict:
    """Celery beat, every minute: place the urgent flags whose task never ran (the queue was down),
    tell program admins of urgent calls neither acknowledged nor logged by half their window, and
    send the executives' urgent e-mails that could not be queued."""
    from .services.urgent_calls import urgent_sweep

    return urgent_sweep()
