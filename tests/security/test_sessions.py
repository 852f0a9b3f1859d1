"""Sessions end SESSION_IDLE_MINUTES after the last request and SESSION_ABSOLUTE_HOURS after signing in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(clock, client, minutes):
    clock.move_to(NOW + timedelta(minutes=minutes))
    return client.get("/", follow=True)


def still_in(response) -> bool:
    return response.redirect_chain == [] and "has no role yet" in response.content.decode()


def signed_out(response, reason: str) -> bool:
    return response.redirect_chain[-1][0].startswith(reverse("login")) and reason in response.content.decode()


def test_two_idle_hours_end_the_session(client, clock):
    client.force_login(UserFactory())
    assert still_in(at(clock, client, 119))
    assert still_in(at(clock, client, 119 + 119))  # each request restarts the idle clock
    assert signed_out(at(clock, client, 119 + 119 + 120), "signed out after 120 minutes without activity")
    assert at(clock, client, 119 + 119 + 121).redirect_chain  # and it stays ended


def test_twelve_hours_after_signing_in_the_session_ends_however_busy(client, clock):
    client.post(reverse("login"), {"username": UserFactory().email, "password": PASSWORD})
    for minutes in range(100, 12 * 60, 100):
        assert still_in(at(clock, client, minutes)), minutes
    assert signed_out(at(clock, client, 12 * 60), "signed out 12 hours after signing in")


def test_both_limits_come_from_settings(client, clock, settings):
    settings.SESSION_IDLE_MINUTES = 5
    settings.SESSION_ABSOLUTE_HOURS = 1
    client.force_login(UserFactory())
    assert still_in(at(clock, client, 4))
    assert signed_out(at(clock, client, 10), "after 5 minutes without activity")
    client.force_login(UserFactory())
    for minutes in range(14, 70, 4):
        assert still_in(at(clock, client, minutes))
    assert signed_out(at(clock, client, 10 + 60), "signed out 1 hour after signing in")


def test_the_cookie_never_outlives_the_absolute_limit(client, clock):
    response = client.post(reverse("login"), {"username": UserFactory().email, "password": PASSWORD})
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600


def test_the_idle_clock_costs_at_most_one_session_write_a_minute(client, clock):
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as first:
        client.get("/")
    clock.move_to(NOW + timedelta(seconds=59))
    with CaptureQueriesContext(connection) as same_minute:
        client.get("/")
    clock.move_to(NOW + timedelta(seconds=61))
    with CaptureQueriesContext(connection) as next_minute:
        client.get("/")

    def session_writes(captured):
        return [q["sql"] for q in captured if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]]

    assert session_writes(first) == [] and session_writes(same_minute) == []
    assert len(session_writes(next_minute)) == 1
