from datetime import time

import pytest

from callsheets.models import Executive
from tests.factories import AdminFactory, ExecutiveFactory

pytestmark = pytest.mark.django_db


def slot(executive, **overrides):
    data = {
        "weekday": "2",
        "start_time": "14:30",
        "duration_minutes": "90",
        "minutes_per_call": "15",
        "timezone": "America/New_York",
        "is_active": "on",
    }
    data.update(overrides)
    return {f"e{executive.pk}-{k}": v for k, v in data.items() if v is not None}


def test_admin_changes_a_slot(client):
    executive = ExecutiveFactory()
    client.force_login(AdminFactory())
    assert executive.name in client.get("/program/executives/").content.decode()
    response = client.post(f"/program/executives/{executive.pk}/", slot(executive))
    assert response.status_code == 302
    executive.refresh_from_db()
    assert (executive.weekday, executive.start_time, executive.duration_minutes) == (2, time(14, 30), 90)
    assert (executive.timezone, executive.is_active, executive.capacity) == ("America/New_York", True, 6)
    assert "Wednesday 14:30–16:00, America/New_York" in client.get(response.url).content.decode()


def test_deactivate_and_clear_the_slot(client):
    executive = ExecutiveFactory()
    client.force_login(AdminFactory())
    client.post(f"/program/executives/{executive.pk}/", slot(executive, weekday="", start_time="", is_active=None))
    executive.refresh_from_db()
    assert (executive.weekday, executive.start_time, executive.is_active) == (None, None, False)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"minutes_per_call": "120"}, "A call takes 1 to 90 minutes (the slot&#x27;s length), not 120."),
        ({"timezone": "Mars/Olympus"}, "is not a known time zone"),
        ({"start_time": ""}, "Give both the day and the start time, or neither."),
        ({"duration_minutes": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"start_time": "25:99"}, "Enter a valid time."),
    ],
)
def test_bad_slot_is_refused_beside_the_field_and_nothing_changes(client, overrides, message):
    executive = ExecutiveFactory()
    before = Executive.objects.values().get(pk=executive.pk)
    client.force_login(AdminFactory())
    response = client.post(f"/program/executives/{executive.pk}/", slot(executive, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="America/New_York"' in html or "Mars/Olympus" in html  # the input is kept
    assert Executive.objects.values().get(pk=executive.pk) == before


def test_unknown_executive_is_404(client):
    client.force_login(AdminFactory())
    assert client.post("/program/executives/999999/", {}).status_code == 404


def test_slot_start_is_shown_without_seconds(client):
    ExecutiveFactory(start_time=time(14, 0))
    client.force_login(AdminFactory())
    body = client.get("/program/executives/").content.decode()
    assert 'value="14:00"' in body and "14:00:00" not in body
