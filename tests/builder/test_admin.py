"""The admin's pieces of the builder: rebuild action, build-next-week button, inputs, policy form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callsheets.builder import build_week
from callsheets.models import CallSheet, ScoringPolicy, SheetEntry, week_start_of
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import AdminFactory, FlagFactory, LeadFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def test_build_next_week_button(admin_client, executive, policy):
    callable_customer()
    page = admin_client.get(reverse("admin:callsheets_callsheet_changelist"))
    assert b"Build next week now" in page.content
    response = admin_client.post(reverse("admin:callsheets_callsheet_build_next_week"), follow=True)
    week = week_start_of(timezone.localdate() + timedelta(days=7))
    assert CallSheet.objects.get().week_start == week
    assert f"Sheets for the week of {week:%d %b %Y} for every active executive built: 1 sheet, 1 entries".encode() in (
        response.content
    )


def test_the_button_needs_the_build_permission(client, executive, policy):
    lead = LeadFactory(is_staff=True)
    client.force_login(lead)
    response = client.post(reverse("admin:callsheets_callsheet_build_next_week"))
    assert response.status_code == 403
    assert not CallSheet.objects.exists()


def test_rebuild_action_recomputes_the_selected_sheet(admin_client, executive, policy):
    build_week(NEXT_WEEK, now=NOW)
    sheet = CallSheet.objects.get()
    customer = callable_customer(name="Late Alarm")
    FlagFactory(customer=customer, urgency="urgent")
    response = admin_client.post(
        reverse("admin:callsheets_callsheet_changelist"),
        {"action": "rebuild_week", "_selected_action": [sheet.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"Sheets for the week of 23 Nov 2026 for {executive.name} built: 1 sheet".encode() in response.content
    assert SheetEntry.objects.get(sheet=sheet, position=1).customer == customer


def test_sheet_page_shows_reasons_and_who_was_left_off_and_why(admin_client, executive, policy):
    angry = callable_customer(name="Angry Inc")
    SurveyResponseFactory(customer=angry, score=0, comment="Awful", responded_at=NOW - timedelta(days=2))
    mute = callable_customer(name="Mute Ltd")
    mute.contacts.update(phone="")
    FlagFactory(customer=mute)
    build_week(NEXT_WEEK, now=NOW)
    sheet = CallSheet.objects.get()
    page = admin_client.get(reverse("admin:callsheets_callsheet_change", args=[sheet.pk])).content.decode()
    assert "NPS 0 on 20 Nov: &quot;Awful&quot;" in page
    assert "Left off: 1 no callable contact" in page
    assert "Mute Ltd" in page and "No callable contact: every contact is marked do-not-call" in page
    assert "cooldown days" in page  # the policy the build used


def test_policy_admin_refuses_a_negative_weight_beside_the_field(admin_client, policy):
    url = reverse("admin:callsheets_scoringpolicy_change", args=[policy.pk])
    data = policy.snapshot()
    data.update(is_active="on", weight_flag="-60")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Flag weight cannot be negative (-60)." in response.content.decode()
    policy.refresh_from_db()
    assert policy.weight_flag == 60


def test_policy_admin_saves_and_records_who(admin_client, policy):
    url = reverse("admin:callsheets_scoringpolicy_change", args=[policy.pk])
    data = policy.snapshot()
    data.update(is_active="on", cooldown_days="30")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    policy = ScoringPolicy.objects.get(pk=policy.pk)
    assert policy.cooldown_days == 30 and policy.updated_by is not None
