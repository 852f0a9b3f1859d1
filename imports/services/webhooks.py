"""Webhook events: stored as received, applied later and once, swept up when a task never ran."""

import hashlib
import json
import logging

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..formats import surveys as survey_formats
from ..formats import tickets as ticket_formats
from ..models import WebhookEvent
from ..records import RecordInvalid
from .surveys import survey_upsert
from .tickets import ticket_upsert

log = logging.getLogger(__name__)

# A lost database or broker connection: retrying can fix these, so they are raised, never recorded.
RETRYABLE = (
    OperationalError,
    InterfaceError,
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

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
    except ValueError:  # an integer of more than 4,300 digits: Python refuses to read it
        raise RecordInvalid([("body", "holds a number too long to read")]) from None
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
    key = idempotency_key(event_id=event_id, body=body)
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


def idempotency_key(*, event_id: str, body: bytes) -> str:
    """`event:<id>`; an id longer than the column holds is hashed (still one key per id)."""
    if not event_id:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    key = f"event:{event_id}"
    if len(key) <= WebhookEvent._meta.get_field("idempotency_key").max_length:
        return key
    return "event-sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def webhook_event_enqueue(*, event_id: int) -> None:
    """Queues the apply task; a broker that is down is logged, not raised: the sweeper catches up."""
    from ..tasks import apply_webhook_event

    try:
        apply_webhook_event.apply_async((event_id,), retry=False)
    except Exception:
        log.warning("Webhook event %s stays pending: could not queue its task", event_id, exc_info=True)


def webhook_event_apply(*, event_id: int, retry_failed: bool = False) -> WebhookEvent | None:
    """Applies a pending event (and a failed one when `retry_failed`) exactly once, in its own transaction.

    The event row is locked with SKIP LOCKED and must still be pending, so the task, the sweeper
    and a second worker never apply it twice; the upsert itself is idempotent besides. An event that
    cannot be applied for a reason retrying cannot fix (it does not validate, matches no customer,
    or the database refuses its data) is marked failed with the reason in words, for a person to
    read in the admin and apply again; only a lost database or broker connection (RETRYABLE)
    propagates, so the task retries and the event stays pending.
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
        except RETRYABLE:
            raise
        except (RecordInvalid, ValidationError) as exc:
            event.status, event.error = WebhookEvent.Status.FAILED, _storable("; ".join(_messages(exc)))
        except Exception as exc:  # the data, not the connection: retrying gives the same error
            log.exception("Webhook event %s failed", event_id)
            event.status, event.error = WebhookEvent.Status.FAILED, _storable(_in_words(exc))
        event.save(update_fields=["status", "error", "applied_at", "attempts", "result"])
    return event


def webhook_events_apply_pending(*, limit: int = 500) -> int:
    """The sweeper: applies pending events in the order they came; returns how many it applied.

    An event that fails is marked failed and the sweep goes on; a lost connection ends the sweep
    (raised, so the task retries) with the rest still pending.
    """
    ids = list(WebhookEvent.objects.pending().order_by("id").values_list("id", flat=True)[:limit])
    applied = 0
    for pk in ids:
        event = webhook_event_apply(event_id=pk)
        applied += bool(event and event.status == WebhookEvent.Status.APPLIED)
    return applied


def _in_words(exc: Exception) -> str:
    """Why the event could not be stored, for the admin; the traceback is in the worker's log.

    The text of a data error (too long, NUL, a broken constraint) says what is wrong with the
    event; any other exception is named by its class only, since its text may name hosts and ports.
    """
    detail = ""
    if isinstance(exc, DataError | IntegrityError | ValueError) and str(exc).strip():
        detail = ": " + str(exc).strip().splitlines()[0][:300]
    return f"could not be stored ({type(exc).__name__}{detail}); apply it again once the cause is fixed"


def _storable(text: str) -> str:
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def _messages(exc) -> list[str]:
    if isinstance(exc, RecordInvalid):
        return [f"{column}: {message}" for column, message in exc.errors]
    return list(exc.messages)
