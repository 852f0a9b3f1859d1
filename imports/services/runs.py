"""Browser uploads: check the file (a dry run), show the report, import it once confirmed.

Small files are processed in the request; large ones by a Celery task. A job queue that is down
leaves the run waiting with a note in words; `import_runs_sweep` (Celery beat) queues it again
once the queue is back, gives a task whose worker died to another worker, and fails a run that
waited a day, so no run reads "checking" or "importing" for ever.
"""

import io
import logging
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import ImportRun
from .customers import customers_import
from .runner import ImportResult
from .surveys import surveys_import
from .tickets import tickets_import

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None] | None

QUEUE_DOWN_NOTE = {
    ImportRun.Status.VALIDATING: "The job queue is unavailable; the check will run when it is back.",
    ImportRun.Status.IMPORTING: "The job queue is unavailable; the import will run when it is back.",
}
TASKS = {ImportRun.Status.VALIDATING: "check_import_run", ImportRun.Status.IMPORTING: "execute_import_run"}


@dataclass(frozen=True)
class SweepLimits:
    """How long a run may wait or run before the sweep steps in."""

    requeue_unsent_after: timedelta = timedelta(minutes=1)  # the queue refused it: try again soon
    requeue_sent_after: timedelta = timedelta(minutes=15)  # sent, never started: the message was lost
    give_up_after: timedelta = timedelta(hours=24)  # still unfinished a day later: say so and stop


def import_run_start(*, upload, kind: str, by, recognised: bool = False) -> ImportRun:
    """Stores the uploaded file and checks it: small files now, large ones in a Celery task.
    `recognised`: the kind was read from the header row, not chosen (the page says so)."""
    run = ImportRun.objects.create(
        kind=kind,
        file=upload,
        original_name=upload.name[:255],
        size_bytes=upload.size,
        created_by=by,
        recognised=recognised,
    )
    _dispatch(run, "check_import_run")
    return ImportRun.objects.get(pk=run.pk)


def import_run_confirm(*, run_id: int, unmatched: str = ImportRun.Unmatched.ERROR) -> ImportRun:
    """Starts importing a checked file; a second confirm (double click) is refused.

    `unmatched` (skip or create) is what to do with the rows the check found matching no
    customer; a file with such rows is not imported without that choice.
    """
    if unmatched not in ImportRun.Unmatched.values:
        raise ValidationError("Choose what to do with the rows that match no customer: skip them or create customers.")
    run = ImportRun.objects.filter(pk=run_id).first()
    if run and run.skipped and unmatched == ImportRun.Unmatched.ERROR:
        raise ValidationError(
            f"{run.skipped} row{'s' if run.skipped != 1 else ''} match no customer: "
            "choose to skip them or to create customers for them."
        )
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.VALID).update(
        status=ImportRun.Status.IMPORTING, unmatched=unmatched, started_at=None
    )
    if not claimed:
        raise ValidationError("This file is not ready to import: it has errors, or it is being or was imported.")
    run = ImportRun.objects.get(pk=run_id)
    _dispatch(run, "execute_import_run")
    return ImportRun.objects.get(pk=run.pk)


def _dispatch(run: ImportRun, task_name: str) -> None:
    from .. import tasks

    task = getattr(tasks, task_name)
    if run.size_bytes <= settings.IMPORTS_INLINE_MAX_BYTES:
        task.apply(args=(run.pk,))
        return
    ImportRun.objects.filter(pk=run.pk).update(
        task_id=str(uuid.uuid4()), queued_at=timezone.now(), enqueued_at=None, started_at=None
    )
    transaction.on_commit(lambda: import_run_enqueue(run_id=run.pk))  # a worker must see the row


def import_run_enqueue(*, run_id: int) -> bool:
    """Sends the run's task to the job queue; a queue that is down is a note on the run, not an error."""
    from .. import tasks

    run = ImportRun.objects.get(pk=run_id)
    if run.status not in TASKS or not run.task_id:
        return False
    try:
        getattr(tasks, TASKS[run.status]).apply_async((run.pk,), task_id=run.task_id, retry=False)
    except Exception:  # the broker: nothing was sent; the sweep sends it later
        log.warning("Import run %s waits: could not queue its task", run_id, exc_info=True)
        ImportRun.objects.filter(pk=run_id, status=run.status, enqueued_at__isnull=True).update(
            message=QUEUE_DOWN_NOTE[run.status]
        )
        return False
    ImportRun.objects.filter(pk=run_id, status=run.status, started_at__isnull=True).update(
        enqueued_at=timezone.now(), message=""
    )
    return True


def _claim(run_id: int, status: str) -> bool:
    """Takes the run for this task. A second copy (delivered twice, or queued again by the sweep)
    is turned away while the first may still run; once the first is past the task's hard time
    limit its worker is gone, and the copy takes over."""
    now = timezone.now()
    dead = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return bool(
        ImportRun.objects.filter(pk=run_id, status=status)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=dead))
        .update(started_at=now, enqueued_at=Coalesce("enqueued_at", Value(now)), message="")
    )


def import_run_check(*, run_id: int, progress: Progress = None) -> ImportRun:
    if not _claim(run_id, ImportRun.Status.VALIDATING):
        return ImportRun.objects.get(pk=run_id)
    run = ImportRun.objects.get(pk=run_id)
    result = _run(run, dry_run=True, progress=progress)
    run.status = ImportRun.Status.VALID if result and result.ok else ImportRun.Status.INVALID
    run.validated_at = timezone.now()
    run.save()
    return run


def import_run_execute(*, run_id: int, progress: Progress = None) -> ImportRun:
    if not _claim(run_id, ImportRun.Status.IMPORTING):
        return ImportRun.objects.get(pk=run_id)
    run = ImportRun.objects.get(pk=run_id)
    result = _run(run, dry_run=False, progress=progress)
    run.status = ImportRun.Status.DONE if result and result.ok else ImportRun.Status.FAILED
    run.imported_at = timezone.now()
    run.save()
    return run


def _run(run: ImportRun, *, dry_run: bool, progress: Progress) -> ImportResult | None:
    """Runs the import on the stored file and copies its counts and first errors onto the run.

    The check (a dry run) sets rows that match no customer aside (counted as skipped) so the
    page can offer the choice; the import does what was chosen. Rows rejected or skipped are
    kept as a CSV file (`left_out`) to download, correct and import again.
    """
    service = {"customers": customers_import, "tickets": tickets_import, "surveys": surveys_import}[run.entity]
    kwargs = {} if run.entity == "customers" else {"file_format": run.file_format}
    kwargs["unmatched"] = ImportRun.Unmatched.SKIP if dry_run else run.unmatched
    with tempfile.TemporaryFile() as spool:
        left_out = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        try:
            with run.file.open("rb") as stream:
                result = service(
                    stream=stream,
                    name=run.original_name,
                    dry_run=dry_run,
                    progress=progress,
                    left_out=left_out,
                    **kwargs,
                )
        except Exception as exc:  # the report must say what happened; the traceback goes to the log
            log.exception("Import run %s failed", run.pk)
            run.message = f"The file could not be processed ({exc.__class__.__name__}); nothing was saved."
            return None
        left_out.flush()
        left_out.detach()
        _keep_left_out(run, spool if result.rejected or result.skipped else None)
    for name in ("created", "updated", "unchanged", "rejected", "skipped", "customers_created", "rows", "error_count"):
        setattr(run, name, getattr(result, name))
    run.errors = [error.as_dict() for error in result.errors]
    run.skips = [skip.as_dict() for skip in result.skips]
    run.message = result.summary()
    if result.flags_raised:
        run.message += (
            f"; ceo-call flags {'raised or noted' if result.saved else 'to raise or note'}: {result.flags_raised}"
        )
    return result


def import_runs_sweep(*, now: datetime | None = None, limits: SweepLimits = SweepLimits()) -> dict[str, int]:
    """Celery beat's catch-up: queues again the runs whose task never reached a worker (the queue
    was down, or the message was lost) or whose worker died past the task's time limit, and fails
    the runs still unfinished a day later."""
    now = now or timezone.now()
    background = ImportRun.objects.filter(status__in=ImportRun.RUNNING_STATUSES, task_id__gt="")
    given_up = 0
    for status, what, stamp in [
        (ImportRun.Status.VALIDATING, "checked", "validated_at"),
        (ImportRun.Status.IMPORTING, "imported", "imported_at"),
    ]:
        given_up += background.filter(status=status, queued_at__lt=now - limits.give_up_after).update(
            status=ImportRun.Status.FAILED,
            message=f"The file was never {what}: the job queue or the worker was unavailable for a day. "
            "Nothing was saved; upload it again.",
            **{stamp: now},
        )
    # Taken by a worker that is gone (past the task's hard time limit, its transaction rolled back):
    # sent again as if never sent.
    dead = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - limits.requeue_unsent_after
    lost = background.filter(started_at__lt=dead).update(started_at=None, enqueued_at=None)
    waiting = background.filter(
        Q(enqueued_at__isnull=True, queued_at__lt=now - limits.requeue_unsent_after)
        | Q(enqueued_at__lt=now - limits.requeue_sent_after, started_at__isnull=True)
    )
    requeued = 0
    for run_id in waiting.order_by("id").values_list("id", flat=True)[:100]:
        requeued += import_run_enqueue(run_id=run_id)
    return {"requeued": requeued, "given_up": given_up, "lost": lost}


def _keep_left_out(run: ImportRun, spool) -> None:
    if run.left_out:
        run.left_out.delete(save=False)
    if spool is not None:
        spool.seek(0)
        run.left_out.save(f"{Path(run.original_name).stem[:80]}-left-out.csv", File(spool), save=False)
