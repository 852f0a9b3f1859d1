"""The three urgent alarms through a real Celery worker on Redis, each ending with the customer first on
the soonest sheet in the window and the executive's e-mail out."""

import json
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
import time_machine
from django.core import mail

from callsheets.models import SheetEntry
from customers.models import Flag
from imports.signing import sign
from notifications.models import EmailDelivery, EmailKind
from tests.factories import ContactFactory, CustomerFactory, ExecutiveFactory, LeadFactory, ScoringPolicyFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SECRET = "worker-webhook-secret"
START = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Monday 08:00 in Chicago


@pytest.fixture(autouse=True)
def frozen_clock():
    """The clock starts at Monday 08:00 in Chicago and runs (the worker needs time to pass)."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def world(settings, db):
    settings.WEBHOOK_SECRET = SECRET
    ScoringPolicyFactory()
    maya = ExecutiveFactory(
        timezone="America/Chicago", weekday=1, start_time=clock(10, 0), user__email="maya@example.com"
    )
    customer = CustomerFactory(name="Acme Freight", domain="acme.example", timezone="America/Chicago")
    ContactFactory(customer=customer, email="dana@acme.example", phone="+1 312 555 0142")
    return maya, customer


def _placed_and_told(customer, maya):
    assert wait_for(lambda: SheetEntry.objects.filter(customer=customer, urgent_placed_at__isnull=False).exists())
    entry = SheetEntry.objects.select_related("sheet").get(customer=customer)
    assert (entry.position, entry.sheet.executive_id) == (1, maya.pk)
    assert entry.sheet.slot_starts_at == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tue 10:00 in Chicago
    assert wait_for(lambda: EmailDelivery.objects.filter(kind=EmailKind.URGENT_ALARM, status="sent").exists())
    assert any(m.to == ["maya@example.com"] and "Acme Freight" in m.subject for m in mail.outbox)
    flag = Flag.objects.get(customer=customer)
    assert (flag.status, flag.sheet_id) == (Flag.Status.SCHEDULED, entry.sheet_id)
    assert flag.urgent_enqueued_at is not None
    return flag


def _post(client, path, payload):
    body = json.dumps(payload).encode()
    return client.post(path, body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, SECRET))


def test_a_leads_urgent_flag_is_placed_by_the_worker(celery_worker, client, world):
    maya, customer = world
    client.force_login(LeadFactory())
    response = client.post(
        "/flags/new/", {"customer": customer.pk, "reason": "CFO will not renew.", "urgency": "urgent"}
    )
    assert response.status_code == 302
    _placed_and_told(customer, maya)


def test_a_signed_urgent_ceo_call_ticket_is_placed_by_the_worker(celery_worker, client, world):
    maya, customer = world
    now = datetime.now(UTC)
    ticket = {
        "id": 4900,
        "subject": "Integration down since the upgrade",
        "status": "open",
        "priority": "urgent",
        "requester": {"email": "dana@acme.example"},
        "created_at": (now - timedelta(minutes=20)).isoformat(),
        "updated_at": (now - timedelta(minutes=5)).isoformat(),
        "tags": ["ceo-call"],
        "satisfaction_rating": None,
    }
    assert _post(client, "/api/webhooks/tickets/", {"ticket": ticket}).status_code == 202
    flag = _placed_and_told(customer, maya)
    assert flag.origin == Flag.Origin.TICKET_TAG


def test_a_delighted_nps_0_with_a_comment_is_placed_by_the_worker(celery_worker, client, world):
    maya, customer = world
    event = {
        "event_type": "survey_response.created",
        "event_id": "w1",
        "event_data": {
            "id": "9001",
            "person": {"id": "44", "email": "dana@acme.example", "name": "Dana"},
            "survey_type": "nps",
            "score": 0,
            "comment": "Don't bother, you guys are absolute idiots",
            "created_at": int(datetime.now(UTC).timestamp()) - 60,
        },
    }
    assert _post(client, "/api/webhooks/surveys/", event).status_code == 202
    flag = _placed_and_told(customer, maya)
    assert flag.origin == Flag.Origin.SURVEY and "absolute idiots" in flag.reason
