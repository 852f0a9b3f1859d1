"""The Django admin is one more door: its builds are recorded as build runs like the program page's,
and a call corrected there with a refused value answers with the reason beside the field, not a 500."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerDown

from callsheets import tasks
from callsheets.models import BuildRun, CallLog, CallSheet
from callsheets.services import builds
from ceocalls.celery import app
from tests.adminform import change_form_data
from tests.factories import AdminFactory, CallLogFactory, CallSheetFactory, ExecutiveFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday; next week starts Monday 23 Nov
NEXT_WEEK = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def admin_user():
    return AdminFactory()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_build_next_week_now_records_a_build_run(admin_client, admin_user):
    ExecutiveFactory()
    response = admin_client.post(reverse("admin:callsheets_callsheet_build_next_week"), follow=True)

    run = BuildRun.objects.get()
    assert (run.origin, run.requested_by, run.week_start, run.state) == ("admin", admin_user, NEXT_WEEK, "done")
    assert "Sheets for the week of 23 Nov 2026 for every active executive built: 1 sheet" in response.content.decode()
    assert CallSheet.objects.filter(week_start=NEXT_WEEK).count() == 1


def test_rebuild_records_one_build_run_per_selected_sheet(admin_client, admin_user):
    sheets = [CallSheetFactory(week_start=NEXT_WEEK), CallSheetFactory(week_start=NEXT_WEEK)]
    admin_client.post(
        reverse("admin:callsheets_callsheet_changelist"),
        {"action": "rebuild_week", "_selected_action": [s.pk for s in sheets]},
    )
    runs = BuildRun.objects.order_by("id")
    assert [(r.origin, r.executive_id, r.requested_by, r.state) for r in runs] == [
        ("admin", s.executive_id, admin_user, "done") for s in sorted(sheets, key=lambda s: s.executive_id)
    ]


@pytest.mark.django_db(transaction=True)
def test_build_next_week_now_while_the_queue_is_down_waits_with_a_note(admin_client, monkeypatch):
    """Once the admin built in the request and showed the database's error text; now it is a run like any other."""
    ExecutiveFactory()

    def refused(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 10.0.0.7:6379. Connection refused.")

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    monkeypatch.setattr(tasks.build_week_task, "apply_async", refused)
    try:
        response = admin_client.post(reverse("admin:callsheets_callsheet_build_next_week"), follow=True)
    finally:
        app.conf.task_always_eager = before

    run = BuildRun.objects.get()
    assert (run.state, run.origin, run.note) == ("queued", "admin", builds.QUEUE_DOWN_NOTE)
    html = response.content.decode()
    assert "is recorded but not started. The task queue (Redis) could not be reached" in html
    assert "10.0.0.7" not in html and "6379" not in html and "Error 111" not in html
    assert not CallSheet.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"notes": "x" * 5001}, "notes", "Call notes can be at most 5,000 characters; this is 5,001."),
        ({"duration_minutes": "9999"}, "duration_minutes", "A call lasts between 0 and 600 minutes."),
        ({"notes": "a\x00b"}, "notes", "Null characters are not allowed."),
    ],
)
def test_a_call_corrected_in_the_admin_with_a_refused_value_shows_why_beside_the_field(
    admin_client, change, field, message
):
    call = CallLogFactory(outcome="reached", notes="Kept.", duration_minutes=20)
    url = reverse("admin:callsheets_calllog_change", args=[call.pk])
    data = change_form_data(admin_client.get(url).content.decode(), "calllog_form", **change)

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, with what was typed; not a 500
    assert response.context["adminform"].form.errors[field] == [message]
    call.refresh_from_db()
    assert (call.notes, call.duration_minutes) == ("Kept.", 20)


def test_a_refusal_that_only_the_service_finds_is_a_message_not_a_500(admin_client, monkeypatch):
    from django.core.exceptions import ValidationError

    from callsheets.services import calls

    def refuse(**kwargs):
        raise ValidationError("This call was deleted meanwhile.")

    monkeypatch.setattr(calls, "call_correct", refuse)
    call = CallLogFactory(outcome="reached", notes="Kept.")
    url = reverse("admin:callsheets_calllog_change", args=[call.pk])
    data = change_form_data(admin_client.get(url).content.decode(), "calllog_form", notes="Changed.")

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "Nothing was saved: This call was deleted meanwhile." in response.content.decode()
    assert CallLog.objects.get().notes == "Kept."
