"""Urgent calls on the sheet, the sweep (queue down, half the window), and the Slack post."""

import json
import threading
from datetime import time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from callsheets import tasks
from callsheets.models import SheetEntry, UrgentCall
from callsheets.services.urgent_calls import urgent_sweep
from ceocalls.celery import app
from customers.models import Flag
from customers.services.flags import flag_raise
from notifications.models import EmailDelivery, EmailKind
from notifications.services import urgent_emails
from notifications.tasks import post_urgent_to_slack
from tests.factories import AdminFactory, CallLogFactory, ExecutiveFactory, LeadFactory

from .conftest import NOW, WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def thursday(db):
    """Thursday 10:00 in Chicago: after the window of an alarm on Monday."""
    return ExecutiveFactory(
        timezone="America/Chicago", weekday=3, start_time=time(10, 0), user__first_name="Daniel",
        user__last_name="Price", user__email="daniel@example.com",
    )  # fmt: skip


def _raise(customer, capture):
    with capture(execute=True):
        return flag_raise(
            customer_id=customer.pk, by=LeadFactory(), reason="The integration broke; CFO furious.", urgency="urgent"
        )


def test_an_urgent_call_shows_above_everything_whatever_the_week_and_is_logged_like_a_card(
    client, policy, thursday, customer, django_capture_on_commit_callbacks
):
    flag = _raise(customer, django_capture_on_commit_callbacks)
    urgent_call = UrgentCall.objects.get(flag=flag)
    client.force_login(thursday.user)
    for path in ("/sheet/", f"/sheet/{(WEEK + timedelta(days=21)).isoformat()}/"):
        page = client.get(path).content.decode()
        assert page.index(f'id="urgent-{urgent_call.pk}"') < page.index("Calendar feed")
        assert "Urgent: call outside your slot" in page and "The integration broke; CFO furious." in page
        assert 'href="tel:+13125550101"' in page and "Call by Tue 1 Dec, 17:00 (America/Chicago)" in page

    assert client.post(f"/sheet/urgent/{urgent_call.pk}/acknowledge/").status_code == 302
    urgent_call.refresh_from_db()
    assert urgent_call.acknowledged_at == NOW and urgent_call.acknowledged_by == thursday.user

    prefix = f"u{urgent_call.pk}"
    data = {
        f"{prefix}-outcome": "reached",
        f"{prefix}-called_at": "2026-11-30T08:00",
        f"{prefix}-duration_minutes": "12",
        f"{prefix}-sentiment": "unhappy",
        f"{prefix}-notes": "Apologised; engineering lead joins tomorrow.",
        f"{prefix}-c-TOTAL_FORMS": "1",
        f"{prefix}-c-INITIAL_FORMS": "0",
        f"{prefix}-c-0-promise": "Engineering lead calls the CFO tomorrow",
        f"{prefix}-c-0-owner": str(thursday.user.pk),
        f"{prefix}-c-0-due_date": "2026-12-01",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sheet/urgent/{urgent_call.pk}/log/", data)
    assert response.status_code == 302
    urgent_call.refresh_from_db()
    flag.refresh_from_db()
    assert urgent_call.call.outcome == "reached" and urgent_call.call.commitments.count() == 1
    assert (flag.status, flag.call) == (Flag.Status.CALLED, urgent_call.call)
    assert 'id="urgent-' not in client.get("/sheet/").content.decode()


def test_an_empty_log_says_what_is_missing_on_the_urgent_card(
    client, policy, thursday, customer, django_capture_on_commit_callbacks
):
    urgent_call = UrgentCall.objects.get(flag=_raise(customer, django_capture_on_commit_callbacks))
    client.force_login(thursday.user)
    response = client.post(
        f"/sheet/urgent/{urgent_call.pk}/log/",
        {f"u{urgent_call.pk}-c-TOTAL_FORMS": "0", f"u{urgent_call.pk}-c-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200 and "has-errors" in response.content.decode()
    assert UrgentCall.objects.get().call is None


def test_another_executive_cannot_see_or_acknowledge_it(
    client, policy, thursday, maya, customer, django_capture_on_commit_callbacks
):
    maya.weekday = 4  # Friday: no slot in time for anyone
    maya.save()
    urgent_call = UrgentCall.objects.get(flag=_raise(customer, django_capture_on_commit_callbacks))
    stranger = maya if urgent_call.executive == thursday else thursday
    client.force_login(stranger.user)
    assert client.post(f"/sheet/urgent/{urgent_call.pk}/acknowledge/").status_code == 404
    assert f'id="urgent-{urgent_call.pk}"' not in client.get("/sheet/").content.decode()


def test_admins_are_told_once_when_half_the_window_passes_unacknowledged(
    policy, thursday, customer, frozen_clock, django_capture_on_commit_callbacks
):
    AdminFactory(email="rita@example.com")
    urgent_call = UrgentCall.objects.get(flag=_raise(customer, django_capture_on_commit_callbacks))
    mail.outbox.clear()
    assert urgent_sweep()["admins_told"] == 0
    frozen_clock.move_to(urgent_call.half_window_at + timedelta(minutes=1))
    assert urgent_sweep()["admins_told"] == 1
    assert urgent_sweep()["admins_told"] == 0
    [email] = mail.outbox
    assert email.to == ["rita@example.com"] and "not acknowledged" in email.subject
    assert "Daniel Price" in email.body and "The integration broke" in email.body


def test_an_acknowledged_urgent_call_is_not_escalated(
    policy, thursday, customer, frozen_clock, django_capture_on_commit_callbacks
):
    AdminFactory()
    urgent_call = UrgentCall.objects.get(flag=_raise(customer, django_capture_on_commit_callbacks))
    urgent_call.acknowledged_at = timezone.now()
    urgent_call.save()
    frozen_clock.move_to(urgent_call.deadline)
    assert urgent_sweep()["admins_told"] == 0


@pytest.fixture
def celery_not_eager():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)  # the placement is queued on commit, as in production
def test_with_the_queue_down_the_flag_waits_saying_so_and_the_sweep_places_it(
    client, policy, maya, customer, frozen_clock, monkeypatch, celery_not_eager
):
    def refused(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.place_urgent_flag, "apply_async", refused)
    lead = LeadFactory()
    client.force_login(lead)
    response = client.post("/flags/new/", {"customer": customer.pk, "reason": "Call now.", "urgency": "urgent"})
    flag = Flag.objects.get()
    assert response.status_code == 302
    assert (flag.status, flag.urgent_enqueued_at, flag.urgent_handled_at) == (Flag.Status.OPEN, None, None)
    assert (
        "Waiting for the job queue; it will be placed when it is back"
        in client.get(f"/flags/{flag.pk}/").content.decode()
    )

    monkeypatch.undo()
    app.conf.task_always_eager = True  # the broker is back (in-process here)
    frozen_clock.move_to(NOW + timedelta(minutes=2))
    assert urgent_sweep()["placed"] == 1
    assert SheetEntry.objects.get(customer=customer).position == 1
    assert urgent_sweep()["placed"] == 0


class _Recorder(BaseHTTPRequestHandler):
    posts: list = []
    status = 200
    statuses: list = []  # answered in turn before `status`: [500] fails the first post only

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append(json.loads(body))
        statuses = type(self).statuses
        self.send_response(statuses.pop(0) if statuses else type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def slack(settings, monkeypatch):
    _Recorder.posts, _Recorder.status, _Recorder.statuses = [], 200, []
    monkeypatch.setattr(urgent_emails, "SLACK_RETRY_PAUSES", (0, 0))  # the pauses are not under test
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SLACK_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/services/T0/B0/x"
    yield _Recorder
    server.shutdown()
    server.server_close()


def test_with_a_slack_webhook_the_same_message_is_posted_in_slacks_format(
    slack, policy, maya, customer, django_capture_on_commit_callbacks
):
    _raise(customer, django_capture_on_commit_callbacks)
    [post] = slack.posts
    assert post["text"] == (
        "Urgent: call Northwind Traders on Tue 1 Dec at 10:00 (America/Chicago), first on your sheet; 10:00 for them."
    )
    blocks = json.dumps(post["blocks"])
    assert "The integration broke; CFO furious." in blocks and "tel:+13125550101" in blocks
    assert "Maya Lindqvist" in blocks and "Deadline: Tue 1 Dec 17:00 (America/Chicago)" in blocks
    assert len(mail.outbox) == 1


def test_a_slack_failure_never_undoes_the_placement_or_the_email(
    slack, policy, maya, customer, django_capture_on_commit_callbacks
):
    slack.status = 500
    flag = _raise(customer, django_capture_on_commit_callbacks)
    assert SheetEntry.objects.get(customer=customer).flag == flag
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get(kind=EmailKind.URGENT_ALARM).status == EmailDelivery.Status.SENT
    assert len(slack.posts) == 3  # in-process: a bounded number of tries, then given up (logged)
    assert OSError in post_urgent_to_slack.autoretry_for  # a worker retries with backoff


def test_in_process_a_slack_post_that_fails_first_is_tried_again_and_lands(
    slack, policy, maya, customer, django_capture_on_commit_callbacks
):
    slack.statuses = [500]  # Slack refuses the first post, takes the second
    _raise(customer, django_capture_on_commit_callbacks)
    first, second = slack.posts
    assert first == second and second["text"].startswith("Urgent: call Northwind Traders")
    assert len(mail.outbox) == 1


def test_a_worker_posts_once_per_try_and_leaves_the_retries_to_celery(slack, policy, maya, customer):
    """With a broker the task is not eager: one post per run, the backoff is Celery's."""
    from customers.services.flags import flag_raise as raise_flag

    flag = raise_flag(customer_id=customer.pk, by=LeadFactory(), reason="Broken.", urgency="urgent")
    slack.status = 500
    app.conf.task_always_eager = False
    try:
        with pytest.raises(OSError):
            post_urgent_to_slack.run(flag.pk)
    finally:
        app.conf.task_always_eager = True
    assert len(slack.posts) == 1


def test_the_urgent_card_speaks_the_customers_clock_to_an_executive_elsewhere(
    client, policy, customer, django_capture_on_commit_callbacks
):
    oslo = ExecutiveFactory(timezone="Europe/Oslo", weekday=4, start_time=time(10, 0))  # Friday: too late
    urgent_call = UrgentCall.objects.get(flag=_raise(customer, django_capture_on_commit_callbacks))
    assert urgent_call.executive == oslo
    client.force_login(oslo.user)
    page = client.get("/sheet/").content.decode()
    assert "Call by Tue 1 Dec, 17:00 (America/Chicago)" in page
    assert "Their time now: Mon 08:00 (America/Chicago)" in page


def test_an_admin_hands_an_open_urgent_call_to_another_executive(
    client, policy, thursday, customer, django_capture_on_commit_callbacks
):
    flag = _raise(customer, django_capture_on_commit_callbacks)
    urgent_call = UrgentCall.objects.get(flag=flag)
    assert urgent_call.executive == thursday
    bea = ExecutiveFactory(
        timezone="America/Chicago", weekday=4, user__first_name="Bea", user__last_name="Holm",
        user__email="bea@example.com",
    )  # fmt: skip
    client.force_login(AdminFactory())
    page = client.get(f"/flags/{flag.pk}/").content.decode()
    assert 'data-testid="handover-form"' in page and "Daniel Price has it now" in page
    url = f"/flags/{flag.pk}/urgent-call/hand-over/"
    refused = client.post(url, {"executive": str(bea.pk), "reason": " "})
    assert refused.status_code == 400 and "Say why another executive calls" in refused.content.decode()
    same = client.post(url, {"executive": str(thursday.pk), "reason": "x"})
    assert same.status_code == 400  # not a choice: Daniel already has it
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"executive": str(bea.pk), "reason": "Daniel is on a plane until Friday."})
    assert response.status_code == 302
    urgent_call.refresh_from_db()
    assert urgent_call.executive == bea and urgent_call.acknowledged_at is None
    assert flag.notes.last().text.startswith("Urgent call handed from Daniel Price to Bea Holm by ")
    assert flag.notes.last().text.endswith(": Daniel is on a plane until Friday.")
    [to_bea] = mail.outbox
    assert to_bea.to == ["bea@example.com"] and "Northwind Traders" in to_bea.subject + to_bea.body
    client.force_login(thursday.user)
    assert f'id="urgent-{urgent_call.pk}"' not in client.get("/sheet/").content.decode()
    client.force_login(bea.user)
    assert f'id="urgent-{urgent_call.pk}"' in client.get("/sheet/").content.decode()
    # Handing it over twice to the same executive e-mails once; a logged urgent call is not handed over.
    urgent_call.call = CallLogFactory(executive=bea, customer=customer)
    urgent_call.save()
    client.force_login(AdminFactory())
    gone = client.post(url, {"executive": str(thursday.pk), "reason": "Back from the plane."})
    assert gone.status_code == 400 and "no open urgent call" in gone.content.decode()
