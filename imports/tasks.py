"""Thin Celery tasks: they take ids and call a service."""

from celery import shared_task

from .services import runs, webhooks


@shared_task(
    acks_late=True,
    autoretry_for=webhooks.RETRYABLE,  # a lost connection; the event stays pending meanwhile
    retry_backoff=True,
    max_retries=5,
    time_limit=300,
    soft_time_limit=240,
)
def apply_webhook_event(event_id: int) -> str:
    event = webhooks.webhook_event_apply(event_id=event_id)
    return event.status if event else "already taken"


@shared_task(
    acks_late=True,
    autoretry_for=webhooks.RETRYABLE,  # a lost connection; the events stay pending meanwhile
    retry_backoff=True,
    max_retries=5,
    time_limit=300,
    soft_time_limit=240,
)
def apply_webhook_events(slot: int = 0) -> int:
    # Queued by webhook_event_enqueue, at most one per slot at a time: drains the pending events in batches.
    return webhooks.webhook_events_drain(slot=slot)


@shared_task(acks_late=True)
def apply_pending_webhook_events() -> int:
    # A lost connection ends this sweep; beat's next one (WEBHOOK_SWEEP_SECONDS) carries on.
    return webhooks.webhook_events_apply_pending()


@shared_task(bind=True, acks_late=True)
def check_import_run(self, run_id: int) -> str:
    return runs.import_run_check(run_id=run_id, progress=_progress(self)).status


@shared_task(bind=True, acks_late=True)
def execute_import_run(self, run_id: int) -> str:
    return runs.import_run_execute(run_id=run_id, progress=_progress(self)).status


@shared_task(acks_late=True)
def sweep_import_runs() -> dict:
    return runs.import_runs_sweep()


def _progress(task):
    def report(rows: int, bytes_read: int) -> None:
        if task.request.id and not task.request.is_eager:
            task.update_state(state="PROGRESS", meta={"rows": rows, "bytes": bytes_read})

    return report
