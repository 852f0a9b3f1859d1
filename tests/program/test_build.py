"""Build or rebuild a week's sheets from /program/: the builder's Celery task, its state shown."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from callsheets.models import CallSheet, week_start_of
from tests.factories import AdminFactory, ContactFactory, ExecutiveFactory, SurveyResponseFactory

NEXT_WEEK = week_start_of(timezone.localdate()) + timedelta(weeks=1)


def detractors(n=3):
    for _ in range(n):
        contact = ContactFactory()
        SurveyResponseFactory(customer=contact.customer, score=2, responded_at=timezone.now() - timedelta(days=3))


@pytest.mark.django_db
def test_build_runs_and_its_state_shows(client):
    executive = ExecutiveFactory()
    detractors()
    client.force_login(AdminFactory())
    response = client.post(
        "/program/build/", {"week": (NEXT_WEEK + timedelta(days=2)).isoformat(), "next": "/program/"}
    )
    assert response.status_code == 302 and response.url == "/program/"
    assert CallSheet.objects.filter(executive=executive, week_start=NEXT_WEEK).exists()
    html = client.get("/program/").content.decode()
    assert f"Sheets for the week of {NEXT_WEEK:%d %b %Y} for every active executive built: 1 sheet," in html
    assert 'data-state="done"' in html and "1 sheet," in html
    status = client.get("/program/build/status/").content.decode()
    assert 'data-state="done"' in status and "hx-get" not in status  # finished: no more polling


@pytest.mark.django_db
def test_build_for_one_executive_returns_to_the_sheet(client):
    executive, other = ExecutiveFactory(), ExecutiveFactory()
    client.force_login(AdminFactory())
    back = f"/sheet/{NEXT_WEEK}/?executive={executive.pk}"
    response = client.post("/program/build/", {"week": NEXT_WEEK, "executive": executive.pk, "next": back})
    assert response.url == back
    assert CallSheet.objects.filter(executive=executive, week_start=NEXT_WEEK).exists()
    assert not CallSheet.objects.filter(executive=other, week_start=NEXT_WEEK).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"week": "soon"}, "week: give a date as YYYY-MM-DD."),
        ({}, "Choose a week."),
        ({"week": "2020-01-06"}, "is over; only this week, last week or later can be built."),
        ({"week": NEXT_WEEK, "executive": "999999"}, "executive: 999999 is not an active executive."),
    ],
)
def test_bad_build_requests_say_why_and_build_nothing(client, data, message):
    ExecutiveFactory()
    client.force_login(AdminFactory())
    response = client.post("/program/build/", data, follow=True)
    assert message in response.content.decode()
    assert not CallSheet.objects.exists()


@pytest.mark.django_db
def test_next_must_be_a_local_path(client):
    ExecutiveFactory()
    client.force_login(AdminFactory())
    for target in ("https://evil.example/", "//evil.example/x"):
        response = client.post("/program/build/", {"week": NEXT_WEEK, "next": target})
        assert response.url == "/program/"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_build_through_the_real_worker(client, celery_worker):
    executive = ExecutiveFactory()
    detractors()
    client.force_login(AdminFactory())
    client.post("/program/build/", {"week": NEXT_WEEK})
    assert "Building the sheets" in client.get("/program/").content.decode() or CallSheet.objects.exists()
    for _ in range(60):
        status = client.get("/program/build/status/").content.decode()
        if 'data-state="done"' in status or 'data-state="failed"' in status:
            break
        assert 'hx-trigger="every 2s"' in status  # still running: the page keeps polling
        time.sleep(0.5)
    assert 'data-state="done"' in status
    assert CallSheet.objects.filter(executive=executive, week_start=NEXT_WEEK).exists()
