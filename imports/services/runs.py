"""Browser uploads: check the file (a dry run), show the report, import it once confirmed."""

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import ImportRun
from .customers import customers_import
from .runner import ImportResult
from .surveys import surveys_import
from .tickets import tickets_import

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None] | None


def import_run_start(*, upload, kind: str, by) -> ImportRun:
    """Stores the uploaded file and checks it: small files now, large ones in a Celery task."""
    run = ImportRun.objects.create(
        kind=kind, file=upload, original_name=upload.name[:255], size_bytes=upload.size, created_by=by
    )
    _dispatch(run, "check_import_run")
    return ImportRun.objects.get(pk=run.pk)


def import_run_confirm(*, run_id: int) -> ImportRun:
    """Starts importing a checked file; a second confirm (double click) is refused."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.VALID).update(
        status=ImportRun.Status.IMPORTING
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
    task_id = str(uuid.uuid4())
    ImportRun.objects.filter(pk=run.pk).update(task_id=task_id)
    transaction.on_commit(lambda: task.apply_async((run.pk,), task_id=task_id))


def import_run_check(*, run_id: int, progress: Progress = None) -> ImportRun:
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.VALIDATING:
        return run
    result = _run(run, dry_run=True, progress=progress)
    run.status = ImportRun.Status.VALID if result and result.ok else ImportRun.Status.INVALID
    run.validated_at = timezone.now()
    run.save()
    return run


def import_run_execute(*, run_id: int, progress: Progress = None) -> ImportRun:
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.IMPORTING:
        return run
    result = _run(run, dry_run=False, progress=progress)
    run.status = ImportRun.Status.DONE if result and result.ok else ImportRun.Status.FAILED
    run.imported_at = timezone.now()
    run.save()
    return run


def _run(run: ImportRun, *, dry_run: bool, progress: Progress) -> ImportResult | None:
    """Runs the import on the stored file and copies its counts and first errors onto the run."""
    service = {"customers": customers_import, "tickets": tickets_import, "surveys": surveys_import}[run.entity]
    kwargs = {} if run.entity == "customers" else {"file_format": run.file_format}
    try:
        with run.file.open("rb") as stream:
            result = service(stream=stream, name=run.original_name, dry_run=dry_run, progress=progress, **kwargs)
    except Exception as exc:  # the report must say what happened; the traceback goes to the log
        log.exception("Import run %s failed", run.pk)
        run.message = f"The file could not be processed ({exc.__class__.__name__}); nothing was saved."
        return None
    for name in ("created", "updated", "unchanged", "rejected", "rows", "error_count"):
        setattr(run, name, getattr(result, name))
    run.errors = [error.as_dict() for error in result.errors]
    run.message = result.summary()
    if result.flags_raised:
        run.message += (
            f"; ceo-call flags {'raised or noted' if result.saved else 'to raise or note'}: {result.flags_raised}"
        )
    return result
