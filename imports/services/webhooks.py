"""Webhook events: stored as received, applied later and once, swept up when a task never ran."""

import contextlib
import hashlib
import json
import logging
import time

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..formats import surveys as survey_formats
from ..formats import tickets as ticket_formats
from ..models import WebhookEvent
from ..records import RecordInvalid
from .surveys import SurveyWriter, survey_upsert
from .tickets import TicketWriter, ticket_upsert

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

# Applying: a task takes up to BATCH pending events at a time (SKIP LOCKED, so two processes take
# different ones). A burst of events queues at most one task per slot: the first event of a slot
# sets a short-lived key in Redis and queues the task; the events after it find the key and queue
# nothing, since the task deletes the key before it looks for pending events the last time.
APPLY_BATCH = 200
APPLY_SLOTS = 2  # tasks that may drain at once: one per worker process of the benchmark's worker
SIGNAL_KEY = "ceocalls:webhooks:apply:{slot}"
SIGNAL_TTL_SECONDS = 30  # a lost task holds its slot this long at most; the sweeper covers the gap
DRAIN_SECONDS = 60  # a task drains this long, then hands over to a fresh one

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
    the body. Storing is one `INSERT … ON CONFLICT DO NOTHING`; only a duplicate reads the stored
    event. Applying is signalled after commit; with the broker down the event stays pending and the
    sweeper applies it later.
    """
    record, event_type, event_id = webhook_parse(source=source, body=body)
    key = idempotency_key(event_id=event_id, body=body)
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    event = WebhookEvent(
        source=source,
        idempotency_key=key,
        event_type=event_type[:64],
        body=body.decode(),
        headers=kept,
        received_at=timezone.now(),
    )
    event.pk = _insert_once(event)
    if event.pk is None:
        return WebhookEvent.objects.get(source=source, idempotency_key=key), False
    transaction.on_commit(lambda: webhook_event_enqueue(event_id=event.pk))
    return event, True


def _insert_once(event: WebhookEvent) -> int | None:
    """Inserts the event unless its key is stored already; its new id, or None for a duplicate."""
    fields = [f for f in WebhookEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(WebhookEvent._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('source')}, {quote('idempotency_key')}) DO NOTHING RETURNING {quote('id')}"
    )
    params = [f.get_db_prep_save(f.pre_save(event, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def idempotency_key(*, event_id: str, body: bytes) -> str:
    """`event:<id>`; an id longer than the column holds is hashed (still one key per id)."""
    if not event_id:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    key = f"event:{event_id}"
    if len(key) <= WebhookEvent._meta.get_field("idempotency_key").max_length:
        return key
    return "event-sha256:" + hashlib.sha256(event_id.encode()).hexdigest()


def webhook_event_enqueue(*, event_id: int) -> None:
    """Signals that an event waits; a broker that is down is logged, not raised: the sweeper catches up.

    Eager (tests, no REDIS_URL): the event is applied at once by its own task. With a broker: at
    most one drain task per slot is queued at a time (SIGNAL_KEY), however many events arrive.
    """
    from ..tasks import apply_webhook_event

    try:
        if apply_webhook_event.app.conf.task_always_eager:
            apply_webhook_event.apply_async((event_id,), retry=False)
            return
        webhook_events_signal(slot=event_id % APPLY_SLOTS)
    except Exception:
        log.warning("Webhook event %s stays pending: could not queue its task", event_id, exc_info=True)


def webhook_events_signal(*, slot: int) -> bool:
    """Queues slot's drain task unless one is queued already; True when it queued one."""
    from ..tasks import apply_webhook_events

    client, key = _signal_client(), SIGNAL_KEY.format(slot=slot)
    if not client.set(key, "1", nx=True, ex=SIGNAL_TTL_SECONDS):
        return False  # a queued or running task deletes the key, then looks again: it will see the event
    try:
        apply_webhook_events.apply_async((slot,), retry=False)
    except Exception:
        client.delete(key)  # nothing was queued: the next event tries again
        raise
    return True


_signal_clients: dict = {}


def _signal_client():
    """One Redis client (and connection pool) per process and broker, reused by every request."""
    import redis

    from ..tasks import apply_webhook_events

    url = apply_webhook_events.app.conf.broker_url
    client = _signal_clients.get(url)
    if client is None:
        client = _signal_clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client


def webhook_events_drain(*, slot: int, seconds: float = DRAIN_SECONDS) -> int:
    """The drain task: applies pending events in batches until none is left; returns how many it applied.

    The slot's key is deleted before each look, so an event stored after the last look signals
    again and queues a new task. After `seconds` the task hands over to a fresh one.
    """
    client, key = _signal_client(), SIGNAL_KEY.format(slot=slot)
    applied, deadline = 0, time.monotonic() + seconds
    while True:
        client.delete(key)
        taken, done = webhook_events_apply_batch()
        applied += done
        if not taken:
            return applied
        if time.monotonic() > deadline:
            webhook_events_signal(slot=slot)
            return applied


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
        _apply(event, _Writers())
        event.save(update_fields=APPLY_FIELDS)
    return event


APPLY_FIELDS = ["status", "error", "applied_at", "attempts", "result"]


class _Writers:
    """One ticket writer and one survey writer for a batch, so customers are matched once per batch."""

    def __init__(self):
        self.tickets = TicketWriter(skip_stale=True)
        self.surveys = SurveyWriter()

    def prime(self, records) -> None:
        for writer, source in (
            (self.tickets, WebhookEvent.Source.TICKETS),
            (self.surveys, WebhookEvent.Source.SURVEYS),
        ):
            keys = [record.match for s, record in records if s == source]
            if keys:
                writer.matcher.prime(keys)


def _apply(event: WebhookEvent, writers: _Writers, parsed=None) -> None:
    """Applies one locked event in a savepoint and sets its status, error and result (not saved)."""
    event.attempts += 1
    try:
        with transaction.atomic():
            record = parsed if parsed is not None else webhook_parse(source=event.source, body=event.body.encode())[0]
            if event.source == WebhookEvent.Source.TICKETS:
                event.result = ticket_upsert(record=record, writer=writers.tickets)[:200]
            else:
                event.result = survey_upsert(record=record, writer=writers.surveys)[:200]
        event.status, event.error, event.applied_at = WebhookEvent.Status.APPLIED, "", timezone.now()
    except RETRYABLE:
        raise
    except (RecordInvalid, ValidationError) as exc:
        event.status, event.error = WebhookEvent.Status.FAILED, _storable("; ".join(_messages(exc)))
    except Exception as exc:  # the data, not the connection: retrying gives the same error
        log.exception("Webhook event %s failed", event.pk)
        event.status, event.error = WebhookEvent.Status.FAILED, _storable(_in_words(exc))


def webhook_events_apply_batch(*, limit: int = APPLY_BATCH) -> tuple[int, int]:
    """Takes up to `limit` pending events (oldest first, SKIP LOCKED) and applies each once, in one
    transaction with a savepoint per event; returns (taken, applied).

    Customers are matched for the whole batch in a few reads, and the events' statuses are saved in
    one statement; each event still fails on its own, with its reason, as in webhook_event_apply.
    """
    with transaction.atomic():
        events = list(WebhookEvent.objects.pending().select_for_update(skip_locked=True).order_by("id")[:limit])
        if not events:
            return 0, 0
        writers, records = _Writers(), {}
        for event in events:
            with contextlib.suppress(RecordInvalid):  # _apply parses it again and records why
                records[event.pk] = webhook_parse(source=event.source, body=event.body.encode())[0]
        writers.prime([(e.source, records[e.pk]) for e in events if e.pk in records])
        for event in events:
            _apply(event, writers, parsed=records.get(event.pk))
        WebhookEvent.objects.bulk_update(events, APPLY_FIELDS)
    return len(events), sum(e.status == WebhookEvent.Status.APPLIED for e in events)


def webhook_events_apply_pending(*, limit: int = 500) -> int:
    """The sweeper: applies pending events in the order they came; returns how many it applied.

    An event that fails is marked failed and the sweep goes on; a lost connection ends the sweep
    (raised, so the task retries) with the rest still pending.
    """
    applied = 0
    while limit > 0:
        taken, done = webhook_events_apply_batch(limit=min(limit, APPLY_BATCH))
        applied += done
        limit -= taken
        if taken == 0:
            break
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
