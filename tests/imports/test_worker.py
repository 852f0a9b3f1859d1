"""The real Celery worker on Redis: webhook events survive a broker outage; large uploads run in it."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ceocalls.celery import app
from customers.models import SurveyResponse
from imports.models import ImportRun, WebhookEvent
from imports.signing import sign
from imports.tasks import apply_pending_webhook_events
from tests.factories import AdminFactory, ContactFactory, CustomerFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every publish is refused


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def point_producers_at(url: str) -> None:
    """Where `apply_async` publishes; the running worker keeps consuming from the real broker."""
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None


def delighted(event_type: str, event_id: str, comment=None) -> bytes:
    return json.dumps(
        {
            "event_type": f"survey_response.{event_type}",
            "event_id": event_id,
            "event_data": {
                "id": "R-1",
                "person": {"email": "dana@acme.example"},
                "survey_type": "nps",
                "score": 3,
                "comment": comment,
                "created_at": 1762250400,
            },
        }
    ).encode()


@pytest.fixture
def signed_post(client, settings):
    settings.WEBHOOK_SECRET = "s3cret"

    def post(body: bytes):
        return client.post(
            "/api/webhooks/surveys/", body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, "s3cret")
        )

    return post


def test_the_worker_applies_a_webhook_event(celery_worker, signed_post):
    ContactFactory(email="dana@acme.example")

    response = signed_post(delighted("created", "ev-1", comment="Too slow."))

    assert response.status_code == 202
    assert wait_for(lambda: WebhookEvent.objects.filter(status="applied").exists())
    assert SurveyResponse.objects.get().comment == "Too slow."


def test_events_posted_while_the_broker_is_down_are_applied_when_it_is_back(celery_worker, signed_post):
    ContactFactory(email="dana@acme.example")
    real_broker = app.conf.broker_url
    point_producers_at(DEAD_BROKER)
    try:
        created = signed_post(delighted("created", "ev-1"))
        updated = signed_post(delighted("updated", "ev-2", comment="Nobody calls us back."))
        assert created.status_code == updated.status_code == 202  # stored, although nothing could be queued
        time.sleep(1)
        assert WebhookEvent.objects.pending().count() == 2
        assert not SurveyResponse.objects.exists()
    finally:
        point_producers_at(real_broker)

    # The broker is back: beat's next sweep, sent through the real broker to the real worker.
    assert apply_pending_webhook_events.delay().get(timeout=30) == 2

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"applied"}
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (3, "Nobody calls us back.")


def test_a_large_upload_is_checked_and_imported_by_the_worker(celery_worker, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORTS_INLINE_MAX_BYTES = 0
    customer = CustomerFactory(external_id="C-1")
    rows = "".join(f"T{n},C-1,Ticket {n},open,normal,2026-11-01T09:00:00Z\n" for n in range(2500))
    data = ("external_id,customer_external_id,subject,status,priority,created_at\n" + rows).encode()
    client.force_login(AdminFactory())

    client.post("/imports/", {"kind": "tickets:csv", "file": SimpleUploadedFile("big.csv", data, "text/csv")})
    run = ImportRun.objects.get()
    assert run.task_id
    assert wait_for(lambda: ImportRun.objects.get().status == "valid"), ImportRun.objects.get().message
    assert ImportRun.objects.get().created == 2500
    client.post(f"/imports/{run.pk}/confirm/")
    assert wait_for(lambda: ImportRun.objects.get().status == "done"), ImportRun.objects.get().message

    assert customer.tickets.count() == 2500


def test_a_burst_of_events_is_applied_once_each_by_the_drain_tasks(celery_worker, signed_post):
    ContactFactory(email="dana@acme.example")

    for n in range(30):
        assert signed_post(delighted("updated", f"ev-{n}", comment=f"Comment {n}")).status_code == 202

    assert wait_for(lambda: not WebhookEvent.objects.pending().exists())
    assert set(WebhookEvent.objects.values_list("status", "attempts")) == {("applied", 1)}
    assert SurveyResponse.objects.count() == 1


@pytest.fixture
def queued_not_run():
    """Tasks are sent to the broker (here: recorded), not run at once, as with a real worker."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_a_burst_queues_at_most_one_drain_task_per_slot_and_none_is_missed(signed_post, monkeypatch, queued_not_run):
    """Without a worker: the tasks are recorded, then run by hand, as a worker would."""
    from imports.services import webhooks
    from imports.tasks import apply_webhook_events

    ContactFactory(email="dana@acme.example")
    redis = webhooks._signal_client()
    for slot in range(webhooks.APPLY_SLOTS):
        redis.delete(webhooks.SIGNAL_KEY.format(slot=slot))
    queued = []
    monkeypatch.setattr(apply_webhook_events, "apply_async", lambda args, **kwargs: queued.append(args[0]))
    for n in range(20):
        signed_post(delighted("updated", f"ev-{n}"))
    assert sorted(queued) == list(range(webhooks.APPLY_SLOTS))  # 20 events, one task per slot

    assert webhooks.webhook_events_drain(slot=queued[0]) == 20
    assert not WebhookEvent.objects.pending().exists()
    # The task deleted its slot's key before its last look: the next event of that slot queues again.
    queued.clear()
    event_slot = None
    for n in range(20, 24):
        signed_post(delighted("updated", f"ev-{n}"))
        event_slot = WebhookEvent.objects.latest("id").pk % webhooks.APPLY_SLOTS
        if queued:
            break
    assert queued == [event_slot]
    for slot in range(webhooks.APPLY_SLOTS):
        webhooks.webhook_events_drain(slot=slot)
    assert set(WebhookEvent.objects.values_list("status", "attempts")) == {("applied", 1)}
