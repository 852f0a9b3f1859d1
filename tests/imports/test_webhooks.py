import json
from datetime import UTC, datetime

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from customers.models import Flag, SupportTicket, SurveyResponse
from imports.models import WebhookEvent
from imports.services.webhooks import webhook_events_apply_pending
from imports.signing import sign, zendesk_sign
from tests.factories import AdminFactory, ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret"
ZENDESK_SECRET = "zendesk-generated-secret"


@pytest.fixture(autouse=True)
def secrets(settings):
    settings.WEBHOOK_SECRET = SECRET
    settings.ZENDESK_WEBHOOK_SECRET = ZENDESK_SECRET


@pytest.fixture
def acme():
    customer = CustomerFactory(external_id="C-100", domain="acme.example")
    ContactFactory(customer=customer, email="dana@acme.example")
    return customer


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """Posts a signed webhook and runs what the view queued after commit (the apply task, eager)."""

    def send(path, payload, *, secret=SECRET, headers=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        extra = {"HTTP_X_SIGNATURE": sign(body, secret)} if secret else {}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, body, content_type="application/json", **extra)

    return send


TICKETS = "/api/webhooks/tickets/"
SURVEYS = "/api/webhooks/surveys/"


def zendesk_ticket(**changes):
    ticket = {
        "id": 35436,
        "subject": "Help, my printer is on fire!",
        "status": "open",
        "priority": "urgent",
        "requester": {"email": "dana@acme.example"},
        "created_at": "2026-11-04T10:00:00Z",
        "updated_at": "2026-11-04T11:00:00Z",
        "tags": ["ceo-call", "fire"],
        "satisfaction_rating": None,
    }
    return {"ticket": ticket | changes}


def delighted(event_type, event_id, comment=None):
    return {
        "event_type": f"survey_response.{event_type}",
        "event_id": event_id,
        "event_data": {
            "id": "823",
            "person": {"id": "44", "email": "dana@acme.example", "name": "Dana"},
            "survey_type": "nps",
            "score": 2,
            "comment": comment,
            "created_at": 1762250400,
        },
    }


def test_a_signed_zendesk_ticket_is_stored_and_applied(post, client, acme):
    response = post(TICKETS, zendesk_ticket())

    assert response.status_code == 202
    event = WebhookEvent.objects.get(pk=response.json()["id"])
    assert event.status == WebhookEvent.Status.APPLIED  # eager in tests: applied after commit
    assert event.headers["X-Signature"].startswith("sha256=")
    ticket = SupportTicket.objects.get(source="zendesk", external_id="35436")
    assert (ticket.customer, ticket.priority, ticket.requester.email) == (acme, "urgent", "dana@acme.example")
    assert Flag.objects.get().urgency == Flag.Urgency.URGENT


def test_zendesks_own_signature_is_accepted_and_a_forged_one_refused(post, client, acme):
    body = json.dumps(zendesk_ticket()).encode()
    stamp = "2026-11-04T11:00:05Z"
    good = {"X-Zendesk-Webhook-Signature": zendesk_sign(body, stamp, ZENDESK_SECRET)}
    forged = {"X-Zendesk-Webhook-Signature": zendesk_sign(body, stamp, "guessed")}

    refused = post(TICKETS, body, secret=None, headers=forged | {"X-Zendesk-Webhook-Signature-Timestamp": stamp})
    accepted = post(TICKETS, body, secret=None, headers=good | {"X-Zendesk-Webhook-Signature-Timestamp": stamp})

    assert refused.status_code == 401
    assert "signature" in refused.json()["error"]
    assert accepted.status_code == 202
    assert SupportTicket.objects.filter(external_id="35436").exists()


def test_zendesk_signing_is_only_for_the_tickets_hook(post, client, acme):
    body = json.dumps(delighted("created", "e1")).encode()
    stamp = "2026-11-04T11:00:05Z"
    headers = {
        "X-Zendesk-Webhook-Signature": zendesk_sign(body, stamp, ZENDESK_SECRET),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }
    assert post(SURVEYS, body, secret=None, headers=headers).status_code == 401


@pytest.mark.parametrize("path", [TICKETS, SURVEYS])
def test_missing_or_wrong_signature_is_401_and_nothing_is_stored(post, client, path):
    assert post(path, {"a": 1}, secret=None).status_code == 401
    assert post(path, {"a": 1}, secret="wrong").status_code == 401
    assert not WebhookEvent.objects.exists()


def test_no_secret_configured_refuses_everything(post, client, settings):
    settings.WEBHOOK_SECRET = settings.ZENDESK_WEBHOOK_SECRET = ""
    response = post(TICKETS, zendesk_ticket(), secret=None, headers={"X-Signature": "sha256="})
    assert response.status_code == 401


def test_not_json_is_400(post, client):
    response = post(TICKETS, b"<xml>nope</xml>")
    assert response.status_code == 400
    assert response.json()["error"].startswith("body: is not JSON")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (json.dumps({"external_id": "T-1"}).encode("utf-16"), "body: is not UTF-8 text"),  # once a 500
        (b"[" * 100_000 + b"]" * 100_000, "body: is nested too deeply"),  # once a RecursionError 500
    ],
)
def test_a_body_json_cannot_hold_is_400_not_500(post, body, error):
    response = post(TICKETS, body)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"score": True}, "score"), ({"external_id": ["S-1"]}, "external_id"), ({"comment": {"a": 1}}, "comment")],
)
def test_a_json_value_of_the_wrong_type_is_400_naming_it(post, acme, changes, field):
    payload = {"external_id": "S-1", "customer_external_id": acme.external_id, "kind": "nps", "score": 3}
    response = post(SURVEYS, {**payload, "responded_at": "2026-11-20", **changes})
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_field_that_does_not_validate_is_400_naming_it(post, client):
    response = post(TICKETS, zendesk_ticket(created_at="last tuesday"))
    assert response.status_code == 400
    assert response.json()["field"] == "ticket.created_at"
    assert "ticket.created_at" in response.json()["error"]

    event = delighted("created", "e9")
    event["event_data"]["score"] = 14
    response = post(SURVEYS, event)
    assert response.status_code == 400
    assert response.json()["error"].startswith("event_data.score: 14 is out of range for NPS")
    assert not WebhookEvent.objects.exists()


def test_too_large_a_body_is_refused(post, client, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    response = post(TICKETS, zendesk_ticket())
    assert response.status_code == 413
    assert "larger than 100 bytes" in response.json()["error"]


def test_only_post(post, client):
    assert client.get(TICKETS).status_code == 405


def test_the_same_event_twice_is_stored_and_applied_once(post, client, acme, django_assert_max_num_queries):
    first = post(TICKETS, zendesk_ticket())
    with django_assert_max_num_queries(6):
        second = post(TICKETS, zendesk_ticket())

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert SupportTicket.objects.count() == 1 and Flag.objects.count() == 1


def test_delighted_updated_after_created_updates_the_same_response(post, client, acme):
    assert post(SURVEYS, delighted("created", "ev-1")).status_code == 202
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment) == (2, "")

    assert post(SURVEYS, delighted("updated", "ev-2", comment="Nobody calls back.")).status_code == 202

    response = SurveyResponse.objects.get()
    assert response.comment == "Nobody calls back."
    assert response.responded_at == datetime.fromtimestamp(1762250400, tz=UTC)
    assert WebhookEvent.objects.filter(status="applied").count() == 2


def test_a_late_created_does_not_undo_the_comment_of_updated(post, client, acme):
    post(SURVEYS, delighted("updated", "ev-2", comment="Nobody calls back."))
    post(SURVEYS, delighted("created", "ev-1"))
    assert SurveyResponse.objects.get().comment == "Nobody calls back."


def test_an_older_ticket_update_does_not_overwrite_a_newer_one(post, client, acme):
    post(TICKETS, zendesk_ticket(status="solved", updated_at="2026-11-05T09:00:00Z"))
    post(TICKETS, zendesk_ticket(status="open", updated_at="2026-11-04T12:00:00Z"))
    assert SupportTicket.objects.get().status == "solved"


def test_our_csv_columns_as_json(post, client, acme):
    payload = {
        "external_id": "T-77",
        "source": "freshdesk",
        "customer_external_id": "C-100",
        "subject": "From an automation",
        "status": 4,
        "priority": 3,
        "created_at": "2026-11-01T09:00:00Z",
    }
    assert post(TICKETS, payload).status_code == 202
    ticket = SupportTicket.objects.get(source="freshdesk", external_id="T-77")
    assert (ticket.status, ticket.priority) == ("solved", "high")

    survey = {
        "external_id": "S-5",
        "email": "dana@acme.example",
        "kind": "csat",
        "score": 5,
        "responded_at": "2026-11-02",
    }
    assert post(SURVEYS, survey).status_code == 202
    assert SurveyResponse.objects.get(source="csv", external_id="S-5").score == 5


def test_an_event_for_an_unknown_customer_fails_and_is_reapplied_from_the_admin(post, client, rf):
    response = post(SURVEYS, delighted("created", "ev-1"))
    event = WebhookEvent.objects.get(pk=response.json()["id"])
    assert event.status == WebhookEvent.Status.FAILED
    assert "matches no customer" in event.error
    assert webhook_events_apply_pending() == 0  # the sweeper leaves failed events to a person

    customer = CustomerFactory(domain="acme.example")
    admin_user = AdminFactory()
    client.force_login(admin_user)
    changelist = reverse("admin:imports_webhookevent_changelist")
    page = client.get(changelist + "?status__exact=failed")
    assert b"matches no customer" in page.content
    client.post(changelist, {"action": "reapply", "_selected_action": [event.pk]})

    event.refresh_from_db()
    assert event.status == WebhookEvent.Status.APPLIED
    assert event.attempts == 2
    assert SurveyResponse.objects.get().customer == customer


def test_the_sweeper_applies_pending_events_in_order(post, client, acme, monkeypatch):
    monkeypatch.setattr("imports.services.webhooks.webhook_event_enqueue", lambda **kwargs: None)
    post(SURVEYS, delighted("created", "ev-1"))
    post(SURVEYS, delighted("updated", "ev-2", comment="Later comment."))
    assert WebhookEvent.objects.pending().count() == 2

    assert webhook_events_apply_pending() == 2
    assert webhook_events_apply_pending() == 0
    assert SurveyResponse.objects.get().comment == "Later comment."


def test_a_broker_that_refuses_is_logged_and_the_event_stays_pending(post, client, acme, monkeypatch):
    from kombu.exceptions import OperationalError

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr("imports.tasks.apply_webhook_event.apply_async", refuse)
    response = post(TICKETS, zendesk_ticket())

    assert response.status_code == 202
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PENDING


def test_events_admin_is_registered():
    assert WebhookEvent in site._registry


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ([1, 2], "body"),
        (
            {"ticket": {"id": 1, "subject": "x", "created_at": 10**20, "requester_email": "a@b.example"}},
            "ticket.created_at",
        ),
        (
            {
                "ticket": {
                    "id": 1,
                    "subject": "x",
                    "created_at": "2026-11-01",
                    "status": "exploded",
                    "requester_email": "a@b.example",
                }
            },
            "ticket.status",
        ),
        ({"ticket": {"id": 1, "subject": "x", "created_at": "2026-11-01"}}, "ticket.requester.email"),
        ({"external_id": "T", "source": "jira", "subject": "x", "created_at": "2026-11-01"}, "source"),
    ],
)
def test_odd_payloads_are_400_naming_the_field(post, payload, field):
    response = post(TICKETS, payload)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_odd_survey_payloads_are_400(post):
    assert post(SURVEYS, {"event_type": "survey_response.created", "event_data": "x"}).json()["field"] == "event_data"
    event = delighted("created", "e1")
    event["event_data"]["survey_type"] = "smileys"
    assert post(SURVEYS, event).json()["field"] == "event_data.survey_type"


def test_beat_runs_the_sweeper(settings):
    from ceocalls.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["apply-pending-webhook-events"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60
