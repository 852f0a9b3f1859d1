"""One bad webhook event never blocks the others: refused at the door when it can be, else marked
failed with the reason while the sweep goes on; only a lost connection is retried."""

import json

import pytest
from django.db import DataError, OperationalError

from customers.models import SupportTicket, SurveyResponse
from imports.models import WebhookEvent
from imports.services import webhooks
from imports.services.webhooks import webhook_event_apply, webhook_events_apply_pending
from imports.signing import sign
from tests.factories import ContactFactory, CustomerFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret"
TICKETS, SURVEYS = "/api/webhooks/tickets/", "/api/webhooks/surveys/"


@pytest.fixture(autouse=True)
def setup(settings, monkeypatch):
    settings.WEBHOOK_SECRET = SECRET
    monkeypatch.setattr(webhooks, "webhook_event_enqueue", lambda **kwargs: None)  # the sweeper applies them


@pytest.fixture
def acme():
    customer = CustomerFactory(external_id="C-100", domain="acme.example")
    ContactFactory(customer=customer, email="dana@acme.example")
    return customer


@pytest.fixture
def post(client):
    def send(path, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post(path, body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, SECRET))

    return send


def survey(n, **changes):
    return {
        "external_id": f"S-{n}",
        "customer_external_id": "C-100",
        "kind": "nps",
        "score": 3,
        "responded_at": "2026-11-20",
        "comment": f"Comment {n}.",
    } | changes


def delighted(event_id, **changes):
    return {
        "event_type": "survey_response.created",
        "event_id": event_id,
        "event_data": {
            "id": "823",
            "person": {"email": "dana@acme.example"},
            "survey_type": "nps",
            "score": 2,
            "created_at": 1762250400,
        },
    } | changes


def stored(payload, source=WebhookEvent.Source.SURVEYS, key=None):
    """An event as an older version stored it: accepted with 202, never checked again."""
    body = json.dumps(payload)
    return WebhookEvent.objects.create(source=source, idempotency_key=key or f"k:{hash(body)}", body=body)


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        (SURVEYS, survey(1, comment="Fine\u0000 thanks"), "comment"),
        (SURVEYS, survey(1, external_id="S-\u0000"), "external_id"),
        (SURVEYS, survey(1, comment="\ud800"), "comment"),  # a lone surrogate is not text either
        (
            TICKETS,
            {
                "ticket": {
                    "id": 1,
                    "subject": "On\u0000fire",
                    "requester_email": "dana@acme.example",
                    "created_at": "2026-11-01",
                }
            },
            "ticket.subject",
        ),
        (
            TICKETS,
            {
                "ticket": {
                    "id": 1,
                    "subject": "x",
                    "tags": ["ok", "b\u0000d"],
                    "requester_email": "dana@acme.example",
                    "created_at": "2026-11-01",
                }
            },
            "ticket.tags",
        ),
        (SURVEYS, delighted("ev-\u0000"), "event_id"),
        (SURVEYS, delighted("ev-1", event_type="survey_response.\u0000"), "event_type"),
    ],
)
def test_a_nul_is_refused_on_receipt_with_400_naming_the_field(post, acme, path, payload, field):
    response = post(path, payload)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert "NUL" in response.json()["error"] or "surrogate" in response.json()["error"]
    assert not WebhookEvent.objects.exists()


def test_one_bad_event_does_not_block_the_twenty_after_it(acme):
    """The audit's case: a comment with \\u0000 accepted with 202 raised on every sweep, and 20 good events waited."""
    bad = stored(survey(0, comment="a\u0000b"))
    good = [stored(survey(n)) for n in range(1, 21)]

    assert webhook_events_apply_pending() == 20

    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == ("failed", 1)
    assert bad.error == "comment: contains a NUL character (\\u0000), which cannot be stored"
    assert set(WebhookEvent.objects.filter(pk__in=[e.pk for e in good]).values_list("status", flat=True)) == {"applied"}
    assert SurveyResponse.objects.count() == 20
    assert webhook_events_apply_pending() == 0  # a failed event waits for a person, not for every sweep


def test_an_event_the_database_refuses_is_failed_with_the_reason_and_the_sweep_goes_on(acme, monkeypatch):
    real = webhooks.survey_upsert

    def upsert(*, record, writer=None):
        if record.external_id == "S-1":
            SurveyResponseFactory(customer=acme, external_id="half-written")
            raise DataError("value too long for type character varying(64)")
        if record.external_id == "S-2":
            raise KeyError("a bug")
        return real(record=record)

    monkeypatch.setattr(webhooks, "survey_upsert", upsert)
    events = [stored(survey(n)) for n in (1, 2, 3)]

    assert webhook_events_apply_pending() == 1

    first, second, third = (WebhookEvent.objects.get(pk=e.pk) for e in events)
    assert first.status == "failed"
    assert first.error == (
        "could not be stored (DataError: value too long for type character varying(64)); "
        "apply it again once the cause is fixed"
    )
    assert second.status == "failed" and second.error.startswith("could not be stored (KeyError)")  # class only
    assert third.status == "applied"
    assert list(SurveyResponse.objects.values_list("external_id", flat=True)) == ["S-3"]  # nothing half written


def test_a_lost_database_connection_is_retried_and_leaves_the_events_pending(acme, monkeypatch):
    def upsert(*, record, writer=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(webhooks, "survey_upsert", upsert)
    events = [stored(survey(n)) for n in (1, 2)]

    with pytest.raises(OperationalError):
        webhook_events_apply_pending()

    assert set(WebhookEvent.objects.values_list("status", "attempts")) == {("pending", 0)}
    monkeypatch.undo()
    monkeypatch.setattr(webhooks, "webhook_event_enqueue", lambda **kwargs: None)
    assert webhook_events_apply_pending() == 2
    assert WebhookEvent.objects.get(pk=events[0].pk).status == "applied"


def test_the_apply_task_retries_only_lost_connections():
    from kombu.exceptions import OperationalError as BrokerError

    from imports.tasks import apply_webhook_event

    assert OperationalError in apply_webhook_event.autoretry_for
    assert BrokerError in apply_webhook_event.autoretry_for
    assert DataError not in apply_webhook_event.autoretry_for


@pytest.mark.parametrize(
    "event_id",
    [
        "x" * 200,
        "é" * 5000,
        12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890,
    ],
)
def test_a_long_delighted_event_id_is_kept_once_not_a_500(post, acme, event_id):
    """Once `value too long for type character varying(128)`: a long id is hashed into the key."""
    first = post(SURVEYS, delighted(event_id))
    again = post(SURVEYS, delighted(event_id, event_data={**delighted(1)["event_data"], "score": 9}))

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == {"id": first.json()["id"], "status": "pending", "duplicate": True}
    assert WebhookEvent.objects.get().idempotency_key.startswith("event-sha256:")
    assert webhook_events_apply_pending() == 1


@pytest.mark.parametrize("event_id", [{"id": "ev-1"}, ["ev-1"], 1.5, True])
def test_an_event_id_that_is_not_a_string_is_400_naming_it(post, acme, event_id):
    response = post(SURVEYS, delighted(event_id))
    assert response.status_code == 400
    assert response.json() == {"error": "event_id: must be a string", "field": "event_id"}


def test_a_short_event_id_keeps_its_readable_key(post, acme):
    assert post(SURVEYS, delighted(42)).status_code == 202
    assert WebhookEvent.objects.get().idempotency_key == "event:42"


def test_a_number_too_long_for_python_to_read_is_400(post):
    response = post(TICKETS, b'{"ticket": {"id": ' + b"1" * 5000 + b"}}")
    assert response.status_code == 400
    assert response.json()["error"] == "body: holds a number too long to read"


def test_a_ticket_with_a_nul_stored_by_an_older_version_fails_in_words(acme):
    event = stored(
        {"ticket": {"id": 7, "subject": "x\u0000", "requester_email": "dana@acme.example", "created_at": "2026-11-01"}},
        source=WebhookEvent.Source.TICKETS,
    )
    good = stored(
        {"ticket": {"id": 8, "subject": "fine", "requester_email": "dana@acme.example", "created_at": "2026-11-01"}},
        source=WebhookEvent.Source.TICKETS,
    )

    assert webhook_events_apply_pending() == 1

    assert webhook_event_apply(event_id=event.pk) is None  # failed: the sweep and the task leave it
    assert WebhookEvent.objects.get(pk=event.pk).error.startswith("ticket.subject: contains a NUL")
    assert WebhookEvent.objects.get(pk=good.pk).status == "applied"
    assert SupportTicket.objects.get().external_id == "8"
