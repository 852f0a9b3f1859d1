"""Webhook events: stored as received, applied later and once, swept up when a task never ran."""

import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..formats import surveys as survey_formats
from ..formats import tickets as ticket_formats
from ..models import WebhookEvent
from ..records import RecordInvalid
from .surveys import survey_upsert
from .tickets import ticket_upsert

log = logging.getLogger(__name__)

KEPT_HEADERS = (
    "Content-Type",
    "User-Agent",
    "X-Signature",
    "X-Zendesk-Webhook-Id",
    "X-Zendesk-Webhook-Invocation-Id",
    "X-Zendesk-Webhook-Signature",
    "X-Zendesk-Webhook-Signature-Timestamp",
)


def webhook_parse(*, source: str, body: bytes):
    """The event's record, type and sender's id; raises RecordInvalid naming the field.

    Used on receipt (a bad event gets 400) and again when applying, so both agree.
    """
    try:
        payload = json.loads(body.decode("utf-8"))  # not json.loads(bytes): that also takes UTF-16/32
    except UnicodeDecodeError:
        raise RecordInvalid([("body", "is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        raise RecordInvalid([("body", f"is not JSON ({exc})")]) from None
    except RecursionError:
        raise RecordInvalid([("body", "is nested too deeply")]) from None
    if source == WebhookEvent.Source.TICKETS:
        return ticket_formats.from_json(payload), "ticket", ""
    return survey_formats.from_json(payload)


def webhook_event_receive(*, source: str, body: bytes, headers) -> tuple[WebhookEvent, bool]:
    """Validates and stores an event; returns (event, created). The same event twice is stored once.

    The key is the sender's event id when it has one (Delighted's `event_id`), else the sha256 of
    the body. The apply task is queued after commit; with the broker down the event stays pending
    and the sweeper applies it later.
    """
    record, event_type, event_id = webhook_parse(source=source, body=body)
    key = f"event:{event_id}" if event_id else "sha256:" + hashlib.sha256(body).hexdigest()
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                source=source,
                idempotency_key=key,
                event_type=event_type[:64],
                body=body.decode(),
                headers=kept,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(source=source, idempotency_key=key), False
    transaction.on_commit(lambda: webhook_event_enqueue(event_id=event.pk))
    return event, True


def webhook_event_enqueue(*, event_id: int) -> None:
    """Queues the apply task; a broker that is down is logged, not raised: the sweeper catches up."""
    from ..tasks import apply_webhook_event

    try:
        apply_webhook_event.apply_async((event_id,), retry=False)
    except Exception:
        log.warning("Webhook event %s stays pending: could not queue its task", event_id, exc_info=True)


def webhook_event_apply(*, event_id: int, retry_failed: bool = False) -> WebhookEvent | None:
    """Applies a pending event (and a failed one when `retry_failed`) exactly once.

    The event row is locked with SKIP LOCKED and must still be pending, so the task, the sweeper
    and a second worker never apply it twice; the upsert itself is idempotent besides. A row that
    does not validate or matches no customer marks the event failed with the reason; other errors
    (database down) propagate so the task retries, and the event stays pending.
    """
    statuses = [WebhookEvent.Status.PENDING] + ([WebhookEvent.Status.FAILED] if retry_failed else [])
    with transaction.atomic():
        event = (
            WebhookEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id, status__in=statuses).first()
        )
        if event is None:
            return None
        event.attempts += 1
        try:
            with transaction.atomic():
                record, _, _ = webhook_parse(source=event.source, body=event.body.encode())
                upsert = ticket_upsert if event.source == WebhookEvent.Source.TICKETS else survey_upsert
                event.result = upsert(record=record)[:200]
            event.status, event.error, event.applied_at = WebhookEvent.Status.APPLIED, "", timezone.now()
        except (RecordInvalid, ValidationError) as exc:
            event.status, event.error = WebhookEvent.Status.FAILED, "; ".join(_messages(exc))
        event.save(update_fields=["status", "error", "applied_at", "attempts", "result"])
    return event


def webhook_events_apply_pending(*, limit: int = 500) -> int:
    """The sweeper: applies pending events in the order they came; returns how many it applied."""
    ids = list(WebhookEvent.objects.pending().order_by("id").values_list("id", flat=True)[:limit])
    return sum(1 for pk in ids if webhook_event_apply(event_id=pk))


def _messages(exc) -> list[str]:
    if isinstance(exc, RecordInvalid):
        return [f"{column}: {message}" for column, message in exc.errors]
    return list(exc.messages)
