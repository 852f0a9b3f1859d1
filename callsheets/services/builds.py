"""Build runs: a week's sheets built in the background, with the run's state kept in a row.

`build_run_request` writes the row, then queues the task after the commit; the task claims the row
(`build_run_execute`) and records the end: done with the build's summary, or failed with the reason
in words. Without REDIS_URL the task runs in-process at once and the row records it all the same.
A broker that is down leaves the run queued with a note; `build_runs_sweep` (Celery beat) queues it
again once the broker is back, and fails runs that never end.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from ..builder import build_week
from ..builder.result import BuildResult
from ..models import BuildRun, Executive, week_start_of

log = logging.getLogger(__name__)

QUEUE_DOWN_NOTE = (
    "The task queue (Redis) could not be reached, so the build waits; it is queued again automatically "
    "once the queue is back."
)


@dataclass(frozen=True)
class SweepLimits:
    """How long a run may wait or run before the sweep steps in."""

    requeue_unsent_after: timedelta = timedelta(minutes=1)  # the broker refused it: try again soon
    requeue_sent_after: timedelta = timedelta(minutes=15)  # sent but never started: the message was lost
    give_up_after: timedelta = timedelta(hours=24)  # still queued a day later: say so and stop
    running_at_most: timedelta = timedelta(minutes=20)  # above the task's time limit: the worker died


def build_run_create(*, week: date, executive: Executive | None = None, by=None, origin: str) -> BuildRun:
    """The row of a build of the week containing `week`, queued; nothing is sent yet."""
    return BuildRun.objects.create(
        week_start=week_start_of(week),
        executive=executive,
        executive_name=executive.name if executive else "",
        origin=origin,
        requested_by=by,
    )


def build_run_request(*, week: date, executive: Executive | None = None, by=None, origin: str) -> BuildRun:
    """Records a build of the week containing `week` and queues it once the row is committed.

    With the in-process default (no REDIS_URL) the build runs at once, so the run is already done
    or failed when this returns; with a broker that is down it stays queued with a note saying so.
    """
    from ..tasks import build_week_task

    run = build_run_create(week=week, executive=executive, by=by, origin=origin)
    if build_week_task.app.conf.task_always_eager:
        build_run_enqueue(run_id=run.pk)  # in-process: the build reads the row on this same connection
    else:
        transaction.on_commit(lambda: build_run_enqueue(run_id=run.pk))  # a worker must see the row
    return run


def build_run_enqueue(*, run_id: int) -> None:
    """Sends the run's task to the worker; a broker that is down is a note on the run, not an error."""
    from ..tasks import build_week_task

    run = BuildRun.objects.get(pk=run_id)
    args, kwargs = (run.week_start.isoformat(),), {"executive_id": run.executive_id, "run_id": run.pk}
    if build_week_task.app.conf.task_always_eager:
        build_week_task.apply(args, kwargs, throw=False)  # in-process (no REDIS_URL): the row records the end
        return
    try:
        result = build_week_task.apply_async(args, kwargs, retry=False)
    except Exception:  # the broker: nothing was sent; the sweep sends it later
        log.warning("Build run %s stays queued: could not queue its task", run_id, exc_info=True)
        BuildRun.objects.filter(pk=run_id, state=BuildRun.State.QUEUED).update(note=QUEUE_DOWN_NOTE)
        return
    BuildRun.objects.filter(pk=run_id, state=BuildRun.State.QUEUED).update(
        enqueued_at=timezone.now(), task_id=result.id or "", note=""
    )


def build_run_execute(*, run_id: int, task_id: str = "") -> tuple[BuildRun, BuildResult | None]:
    """Claims a queued run and builds its week; returns the run and the build's result (None unless done).

    The claim is a conditional UPDATE, so a task delivered twice (or queued again by the sweep while
    the first copy was waiting) builds once. A lost database connection puts the run back in the
    queue and is raised, so the task retries; any other error fails the run with the reason in words.
    """
    now = timezone.now()
    claimed = BuildRun.objects.filter(pk=run_id, state=BuildRun.State.QUEUED).update(
        state=BuildRun.State.RUNNING, started_at=now, note="", **({"task_id": task_id} if task_id else {})
    )
    run = BuildRun.objects.select_related("executive__user").get(pk=run_id)
    if not claimed:
        return run, None
    if run.executive_name and run.executive is None:
        return _finish(run, error=f"{run.executive_name}'s executive profile was deleted before the build ran."), None
    try:
        result = build_week(week=run.week_start, executive=run.executive)
    except (OperationalError, InterfaceError):
        BuildRun.objects.filter(pk=run_id).update(
            state=BuildRun.State.QUEUED, started_at=None, note="The database refused the build; it is tried again."
        )
        raise
    except Exception as exc:  # recorded in words; the traceback goes to the worker's log
        log.exception("Build run %s failed", run_id)
        return _finish(run, error=error_in_words(exc)), None
    return _finish(run, summary=result.summary()), result


def _finish(run: BuildRun, *, summary: dict | None = None, error: str = "") -> BuildRun:
    run.state = BuildRun.State.FAILED if error else BuildRun.State.DONE
    run.summary, run.error, run.finished_at = summary or {}, error, timezone.now()
    run.save(update_fields=["state", "summary", "error", "finished_at"])
    return run


def error_in_words(exc: BaseException) -> str:
    """What went wrong, for the admin: never the exception's own text, which may name hosts and ports."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            "The build took too long and was stopped; nothing was changed. Try again, or build one executive at a time."
        )
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)  # the services' messages are sentences written for users
    return (
        f"The build stopped on an unexpected error ({type(exc).__name__}); nothing was changed. "
        "The worker's log has the details."
    )


def build_runs_sweep(*, now: datetime | None = None, limits: SweepLimits = SweepLimits()) -> dict[str, int]:
    """Celery beat's catch-up: queues again the runs whose task never reached a worker, and fails
    the runs that waited or ran far too long, so no run reads "queued" or "running" for ever."""
    now = now or timezone.now()
    unfinished = BuildRun.objects.unfinished()
    given_up = unfinished.filter(state=BuildRun.State.QUEUED, queued_at__lt=now - limits.give_up_after).update(
        state=BuildRun.State.FAILED,
        finished_at=now,
        error="The build never started: the task queue or the worker was unavailable for a day. Build the week again.",
    )
    lost = unfinished.filter(state=BuildRun.State.RUNNING, started_at__lt=now - limits.running_at_most).update(
        state=BuildRun.State.FAILED,
        finished_at=now,
        error="The worker stopped in the middle of the build; nothing was changed. Build the week again.",
    )
    waiting = unfinished.filter(state=BuildRun.State.QUEUED).filter(
        Q(enqueued_at__isnull=True, queued_at__lt=now - limits.requeue_unsent_after)
        | Q(enqueued_at__lt=now - limits.requeue_sent_after)
    )
    requeued = 0
    for run_id in waiting.order_by("id").values_list("id", flat=True)[:100]:
        build_run_enqueue(run_id=run_id)
        requeued += 1
    return {"requeued": requeued, "given_up": given_up, "lost": lost}


def build_run_outcome(run: BuildRun) -> tuple[int, str]:
    """The message (level, text) telling whoever asked for the build how it went or why it waits;
    the same on /program/ and in the Django admin."""
    what = f"the week of {run.week_start:%d %b %Y} for {run.for_label}"
    if run.state == BuildRun.State.FAILED:
        return messages.ERROR, f"The build of {what} failed: {run.error}"
    if run.state == BuildRun.State.DONE:
        return messages.SUCCESS, f"Sheets for {what} built: {build_run_describe(run)}."
    if run.note:
        return messages.WARNING, f"The build of {what} is recorded but not started. {run.note}"
    return messages.INFO, f"Building the sheets for {what}; its state shows on the program page."


def build_run_describe(run: BuildRun) -> str:
    """One line about a run's outcome or wait, for the program page and the messages."""
    if run.state == BuildRun.State.FAILED:
        return run.error
    if run.state != BuildRun.State.DONE:
        return run.note
    value = run.summary or {}
    sheets = [s for s in value.get("sheets") or [] if isinstance(s, dict)]
    entries = sum(s.get("entries", 0) + s.get("backups", 0) for s in sheets)
    text = f"{len(sheets)} sheet{'s' if len(sheets) != 1 else ''}, {entries} entries"
    left_off = value.get("skipped") or {}
    if left_off:
        text += "; left off: " + ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in left_off.items())
    notes = [m for m in value.get("messages") or [] if isinstance(m, str)]
    return text + (". " + " ".join(notes[:3]) if notes else "")
