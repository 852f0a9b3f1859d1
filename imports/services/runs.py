"""Browser uploads: check the file (a dry run), show the report, import it once confirmed."""

import io
import logging
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..models import ImportRun
from .customers import customers_import
from .runner import ImportResult
from .surveys import surveys_import
from .tickets import tickets_import

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None] | None


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
        status=ImportRun.Status.IMPORTING, unmatched=unmatched
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


def _keep_left_out(run: ImportRun, spool) -> None:
    if run.left_out:
        run.left_out.delete(save=False)
    if spool is not None:
        spool.seek(0)
        run.left_out.save(f"{Path(run.original_name).stem[:80]}-left-out.csv", File(spool), save=False)
