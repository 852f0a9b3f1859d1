"""Two versions of one new ticket (or survey response) applied at once: both events apply, the newer version wins.

Once 4 in 10 of these failed with IntegrityError on ticket_unique_per_source. Here both writers are
held until each has looked for the row and found none, so the race happens every time.
"""

import json
import threading
import time

import pytest
from django.db import connection

from customers.models import SupportTicket, SurveyResponse
from imports.models import WebhookEvent
from imports.services import surveys, tickets
from imports.services.webhooks import webhook_event_apply
from tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def ticket_event(subject: str, updated_at: str) -> WebhookEvent:
    body = json.dumps(
        {
            "ticket": {
                "id": 501,
                "subject": subject,
                "status": "open",
                "requester": {"email": "dana@acme.example"},
                "created_at": "2026-11-04T10:00:00Z",
                "updated_at": updated_at,
                "tags": ["ceo-call"],
            }
        }
    )
    return WebhookEvent.objects.create(source="tickets", idempotency_key=f"k:{subject}", body=body)


def held_at_the_lookup(monkeypatch, module, parties: int = 2):
    """Both writers look for the row (and find none) before either inserts; "second" then lets
    "first" insert before it does, so the second insert is the one that meets the unique key."""
    barrier, real, calls = threading.Barrier(parties), module._existing, []

    def existing(*args, **kwargs):
        found = real(*args, **kwargs)
        calls.append(threading.current_thread().name)
        if len(calls) <= parties:
            barrier.wait(timeout=10)
            if threading.current_thread().name == "second":
                time.sleep(0.3)  # ordering only: the first thread's INSERT goes first
        return found

    monkeypatch.setattr(module, "_existing", existing)
    return calls


def apply_at_once(first: WebhookEvent, second: WebhookEvent) -> list:
    """Applies both events in two threads named "first" and "second"; returns what each returned or raised."""
    return apply_at_once_with(lambda event_id: webhook_event_apply(event_id=event_id), first, second)


def apply_at_once_with(apply, first: WebhookEvent, second: WebhookEvent) -> list:
    results = {}

    def run(event):
        try:
            results[threading.current_thread().name] = apply(event.pk)
        except Exception as exc:  # the test reports it
            results[threading.current_thread().name] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(event,), name=name) for name, event in [("first", first), ("second", second)]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results["first"], results["second"]]


@pytest.fixture
def acme():
    customer = CustomerFactory(domain="acme.example")
    ContactFactory(customer=customer, email="dana@acme.example")
    return customer


@pytest.mark.parametrize("newer_first", [True, False])
def test_two_versions_of_one_new_ticket_at_once_both_apply_and_the_newer_wins(monkeypatch, acme, newer_first):
    newer = ticket_event("Newer", "2026-11-04T12:00:00Z")
    older = ticket_event("Older", "2026-11-04T11:00:00Z")
    calls = held_at_the_lookup(monkeypatch, tickets)
    first, second = (newer, older) if newer_first else (older, newer)

    results = apply_at_once(first, second)

    assert [getattr(r, "status", r) for r in results] == ["applied", "applied"]
    assert calls == ["first", "second", "second"] or calls == ["second", "first", "second"]  # second looked again
    ticket = SupportTicket.objects.get()
    assert (ticket.subject, ticket.updated_at.hour) == ("Newer", 12)
    assert ticket.flags.count() == 1  # tagged ceo-call: one flag, not two
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"applied"}


def test_a_created_and_an_updated_response_at_once_both_apply(monkeypatch, acme):
    def delighted(event_type, comment):
        data = {"id": "R-9", "person": {"email": "dana@acme.example"}, "score": 4, "created_at": 1762250400}
        body = {"event_type": f"survey_response.{event_type}", "event_id": event_type, "event_data": data}
        if comment:
            data["comment"] = comment
        return WebhookEvent.objects.create(source="surveys", idempotency_key=event_type, body=json.dumps(body))

    created, updated = delighted("created", None), delighted("updated", "Please call me.")
    held_at_the_lookup(monkeypatch, surveys)

    results = apply_at_once(created, updated)

    assert [getattr(r, "status", r) for r in results] == ["applied", "applied"]
    assert SurveyResponse.objects.get().comment == "Please call me."


def test_an_older_version_arriving_while_the_newer_is_being_written_does_not_overwrite_it(monkeypatch, acme):
    """Both find the stored ticket; the older waits for the newer's row lock and then sees it is older."""
    SupportTicket.objects.create(
        source="zendesk",
        external_id="501",
        customer=acme,
        subject="Stored",
        created_at="2026-11-04T10:00:00Z",
        updated_at="2026-11-04T10:00:00Z",
    )
    newer = ticket_event("Newer", "2026-11-04T12:00:00Z")
    older = ticket_event("Older", "2026-11-04T11:00:00Z")
    real_flags = tickets.TicketWriter._raise_flags

    def slow_flags(self, tagged):
        if threading.current_thread().name == "first":
            time.sleep(0.5)  # ordering only: the newer version's transaction stays open a while
        return real_flags(self, tagged)

    monkeypatch.setattr(tickets.TicketWriter, "_raise_flags", slow_flags)
    real_apply = webhook_event_apply

    def later(event_id):
        if threading.current_thread().name == "second":
            time.sleep(0.2)  # ordering only: the newer one has locked the row by now
        return real_apply(event_id=event_id)

    results = apply_at_once_with(later, newer, older)

    assert [getattr(r, "status", r) for r in results] == ["applied", "applied"]
    assert "unchanged" in WebhookEvent.objects.get(pk=older.pk).result
    ticket = SupportTicket.objects.get()
    assert (ticket.subject, ticket.updated_at.hour) == ("Newer", 12)
