"""Property-based tests of both webhooks, signed correctly, with arbitrary JSON bodies and field values.

Whatever arrives is answered 202 (stored) or 400 with {"error", "field"} naming what is wrong, never
a 500; and every stored event is then applied or marked failed with a reason: the sweep never stops
on one, and none stays pending.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.models import WebhookEvent
from imports.services import webhooks
from imports.services.webhooks import webhook_events_apply_pending
from imports.signing import sign
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

SECRET = "property-secret"
TICKETS, SURVEYS = "/api/webhooks/tickets/", "/api/webhooks/surveys/"
BOUNDED = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text as senders send it, and what PostgreSQL cannot store: NUL, lone surrogates, the very long.
ODD_TEXT = st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "\udfff x", "é" * 300, "x" * 70_000, "🙂", "\u202e"])
TEXT = st.text(max_size=40) | ODD_TEXT
NUMBERS = (
    st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([0, 1, 5, 10, 11, -1, 2**63, 10**400])
    | st.floats(allow_nan=True, allow_infinity=True)
)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=8
)
DATES = st.sampled_from(["2026-11-04T10:00:00Z", "2026-11-04", "2026-02-30", "yesterday", 1762250400, -1, 10**20])
EMAILS = st.sampled_from(["dana@acme.example", "DANA@acme.example", "nobody@else.example", "not-an-email", ""])


def field_values(valid: dict, strategy_of_each) -> st.SearchStrategy:
    """A valid payload with up to three of its fields replaced by an arbitrary value, and up to one left out."""
    keys = sorted(valid)
    one = st.sampled_from(keys).flatmap(lambda key: st.tuples(st.just(key), strategy_of_each(key)))
    changes = st.lists(one, max_size=3).map(dict)
    dropped = st.sets(st.sampled_from(keys), max_size=1)
    return st.tuples(changes, dropped).map(
        lambda pair: {k: v for k, v in (valid | pair[0]).items() if k not in pair[1]}
    )


ZENDESK = {
    "id": 35436,
    "subject": "Printer on fire",
    "status": "open",
    "priority": "urgent",
    "requester": {"email": "dana@acme.example"},
    "organization": {"name": "Acme", "external_id": "C-100"},
    "created_at": "2026-11-04T10:00:00Z",
    "updated_at": "2026-11-04T11:00:00Z",
    "solved_at": None,
    "tags": ["ceo-call"],
    "metric_set": {"reopens": 1},
    "satisfaction_rating": {"score": "good"},
}
OUR_TICKET = {
    "external_id": "T-1",
    "source": "freshdesk",
    "customer_external_id": "C-100",
    "requester_email": "dana@acme.example",
    "subject": "Slow",
    "status": "2",
    "priority": "high",
    "created_at": "2026-11-04",
    "updated_at": "2026-11-05",
    "escalated": "yes",
    "reopen_count": 2,
    "tags": "a b,c",
}
DELIGHTED_DATA = {
    "id": "823",
    "person": {"email": "dana@acme.example"},
    "survey_type": "nps",
    "score": 2,
    "comment": "Too slow.",
    "created_at": 1762250400,
    "person_properties": {"customer_external_id": "C-100", "Company": "Acme"},
}
OUR_SURVEY = {
    "external_id": "S-1",
    "customer_external_id": "C-100",
    "email": "dana@acme.example",
    "kind": "csat",
    "score": 4,
    "comment": "Fine.",
    "responded_at": "2026-11-20",
}


def _value_for(key: str) -> st.SearchStrategy:
    if "email" in key or key in ("requester", "person"):
        return EMAILS | st.fixed_dictionaries({"email": EMAILS | JSON}) | JSON
    if key.endswith("_at"):
        return DATES | JSON
    return TEXT | NUMBERS | JSON


TICKET_BODIES = (
    field_values(ZENDESK, _value_for).map(lambda t: {"ticket": t})
    | field_values(ZENDESK, _value_for)
    | field_values(OUR_TICKET, _value_for)
    | JSON
)
SURVEY_BODIES = (
    st.tuples(
        field_values(DELIGHTED_DATA, _value_for),
        st.sampled_from(["survey_response.created", "survey_response.updated"]) | JSON,
        st.sampled_from(["ev-1", "ev-2", "x" * 200, 7]) | TEXT | JSON,
    ).map(lambda t: {"event_type": t[1], "event_id": t[2], "event_data": t[0]})
    | field_values(OUR_SURVEY, _value_for)
    | JSON
)


@pytest.fixture
def acme(settings, monkeypatch):
    settings.WEBHOOK_SECRET = SECRET
    monkeypatch.setattr(webhooks, "webhook_event_enqueue", lambda **kwargs: None)  # left to the sweep below
    customer = CustomerFactory(external_id="C-100", name="Acme", domain="acme.example")
    ContactFactory(customer=customer, email="dana@acme.example")
    return customer


def _post(client, path: str, payload) -> object:
    body = json.dumps(payload, allow_nan=True).encode()
    return client.post(path, body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, SECRET))


def _answers_202_or_400_naming_the_field(response) -> None:
    if response.status_code == 413:  # a body over WEBHOOK_MAX_BODY_BYTES is refused before it is read
        assert response.json()["error"].startswith("body is larger than")
        return
    assert response.status_code in (202, 400), (response.status_code, response.content[:300])
    answer = response.json()
    if response.status_code == 400:
        assert isinstance(answer["error"], str) and answer["error"]
        assert isinstance(answer["field"], str) and answer["field"]
        assert answer["error"].startswith(answer["field"] + ":")
    else:
        assert answer["status"] in ("pending", "applied", "failed")


def _every_stored_event_is_applied_or_failed_with_a_reason() -> None:
    webhook_events_apply_pending()
    assert not WebhookEvent.objects.pending().exists()
    assert not WebhookEvent.objects.filter(status=WebhookEvent.Status.FAILED, error="").exists()


@pytest.mark.parametrize(
    ("path", "bodies"), [(TICKETS, TICKET_BODIES), (SURVEYS, SURVEY_BODIES)], ids=["tickets", "surveys"]
)
def test_any_signed_json_is_202_or_400_naming_the_field_and_never_blocks_the_sweep(client, acme, path, bodies):
    @BOUNDED
    @given(payload=bodies)
    def check(payload):
        _answers_202_or_400_naming_the_field(_post(client, path, payload))
        _every_stored_event_is_applied_or_failed_with_a_reason()

    check()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200) | st.text(max_size=60).map(str.encode))
def test_any_signed_bytes_are_202_or_400(client, acme, body):
    for path in (TICKETS, SURVEYS):
        response = client.post(path, body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, SECRET))
        _answers_202_or_400_naming_the_field(response)
    _every_stored_event_is_applied_or_failed_with_a_reason()
