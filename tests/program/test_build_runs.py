"""Build runs live in the database: asked for, queued, running, done or failed, whatever Celery's result store says."""

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
import time_machine
from celery.result import AsyncResult
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from callsheets import tasks
from callsheets.models import BuildRun, CallSheet
from callsheets.services import builds
from ceocalls.celery import app
from tests.factories import AdminFactory, ContactFactory, ExecutiveFactory, SurveyResponseFactory

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # a Sunday; next week is Monday 23 Nov
WEEK = date(2026, 11, 23)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def detractors(n=3):
    # In London: the executive's Tuesday 10:00 in Oslo is inside calling hours there (not in Chicago).
    for _ in range(n):
        contact = ContactFactory(customer__timezone="Europe/London")
        SurveyResponseFactory(customer=contact.customer, score=2, responded_at=NOW - timedelta(days=3))


def status(client) -> str:
    return client.get("/program/build/status/").content.decode()


@pytest.mark.django_db
def test_a_build_is_on_record_from_the_click_to_its_end(client, frozen):
    executive = ExecutiveFactory()
    detractors()
    admin = AdminFactory(first_name="Rita", last_name="Okafor")
    client.force_login(admin)
    client.post("/program/build/", {"week": "2026-11-25"})
    run = BuildRun.objects.get()
    assert (run.week_start, run.state, run.origin, run.requested_by) == (WEEK, "done", "page", admin)
    assert run.queued_at <= run.started_at <= run.finished_at and run.error == ""
    assert run.summary["sheets"][0]["sheet_id"] == CallSheet.objects.get(executive=executive).pk
    html = status(client)
    assert 'data-state="done"' in html and "Rita Okafor" in html and "1 sheet, 3 entries" in html
    assert "hx-get" not in html  # finished: the page stops polling


@pytest.mark.django_db
def test_the_page_reads_the_row_not_celerys_result_store(client, frozen):
    # A task id Celery never heard of (an expired or lost result) used to read "queued" for ever.
    BuildRun.objects.create(
        week_start=WEEK, state="done", task_id=str(uuid.uuid4()), started_at=NOW, finished_at=NOW, summary={}
    )
    client.force_login(AdminFactory())
    html = status(client)
    assert 'data-state="done"' in html and "hx-get" not in html


@pytest.mark.django_db
def test_a_failed_build_says_why_in_words_without_hosts_or_ports(client, frozen, monkeypatch):
    ExecutiveFactory()

    def broken(**kwargs):
        raise RuntimeError("could not translate host name db.internal.example to address: 10.1.2.3:5432")

    monkeypatch.setattr(builds, "build_week", broken)
    client.force_login(AdminFactory())
    response = client.post("/program/build/", {"week": WEEK}, follow=True)
    run = BuildRun.objects.get()
    assert run.state == "failed" and run.finished_at
    assert run.error == (
        "The build stopped on an unexpected error (RuntimeError); nothing was changed. The worker's log has the details."
    )
    html = unescape(response.content.decode())
    assert f"The build of the week of 23 Nov 2026 for every active executive failed: {run.error}" in html
    assert 'data-state="failed"' in html
    assert "10.1.2.3" not in html and "5432" not in html and "db.internal" not in html
    assert not CallSheet.objects.exists()


@pytest.fixture
def celery_not_eager():
    """Tasks go to the broker, as with REDIS_URL (the worker's settings, without a worker)."""
    before = app.conf.task_always_eager  # False while the session's real worker runs
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)  # the build is queued on commit, as in production
def test_a_build_that_cannot_be_queued_says_so_and_the_sweep_queues_it_later(
    client, frozen, monkeypatch, celery_not_eager
):
    executive = ExecutiveFactory()
    client.force_login(AdminFactory())

    def refused(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.build_week_task, "apply_async", refused)
    response = client.post("/program/build/", {"week": WEEK}, follow=True)
    run = BuildRun.objects.get()
    assert (run.state, run.enqueued_at, run.note) == ("queued", None, builds.QUEUE_DOWN_NOTE)
    html = response.content.decode()
    assert "is recorded but not started. The task queue (Redis) could not be reached" in html
    assert "6379" not in html and 'data-state="queued"' in html and 'hx-trigger="every 2s"' in html

    assert builds.build_runs_sweep(now=NOW + timedelta(seconds=30))["requeued"] == 0  # too soon to try again
    monkeypatch.undo()
    app.conf.task_always_eager = True  # the queue is back (in-process here; the Redis test below uses a worker)
    assert builds.build_runs_sweep(now=NOW + timedelta(minutes=2))["requeued"] == 1
    run.refresh_from_db()
    assert run.state == "done" and run.note == ""
    assert CallSheet.objects.filter(executive=executive, week_start=WEEK).exists()


@pytest.mark.django_db
def test_the_sweep_fails_runs_that_never_end_in_words(frozen):
    waiting = BuildRun.objects.create(week_start=WEEK, queued_at=NOW - timedelta(hours=25))
    lost = BuildRun.objects.create(week_start=WEEK, state="running", started_at=NOW - timedelta(minutes=30))
    sent = BuildRun.objects.create(week_start=WEEK, enqueued_at=NOW - timedelta(minutes=5))
    assert builds.build_runs_sweep(now=NOW) == {"requeued": 0, "given_up": 1, "lost": 1}
    waiting.refresh_from_db()
    lost.refresh_from_db()
    sent.refresh_from_db()
    assert waiting.state == "failed" and waiting.error.startswith("The build never started")
    assert lost.state == "failed" and lost.error.startswith("The worker stopped in the middle of the build")
    assert sent.state == "queued"  # sent five minutes ago: a busy worker may still take it


@pytest.mark.django_db
def test_a_run_is_built_once_even_when_its_task_comes_twice(frozen):
    ExecutiveFactory()
    run = builds.build_run_create(week=WEEK, origin=BuildRun.Origin.PAGE)
    first = tasks.build_week_task.delay(WEEK.isoformat(), run_id=run.pk).get()
    second = tasks.build_week_task.delay(WEEK.isoformat(), run_id=run.pk).get()
    assert len(first["sheets"]) == 1
    assert second["sheets"] == [] and second["messages"] == [f"Build run {run.pk} was already done."]
    assert BuildRun.objects.get().state == "done"


@pytest.mark.django_db
def test_a_lost_database_connection_puts_the_run_back_in_the_queue(frozen, monkeypatch):
    run = builds.build_run_create(week=WEEK, origin=BuildRun.Origin.PAGE)

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(builds, "build_week", down)
    with pytest.raises(OperationalError):
        builds.build_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.started_at) == ("queued", None) and "tried again" in run.note


@pytest.mark.django_db
def test_every_door_records_its_run(frozen):
    executive = ExecutiveFactory()
    tasks.build_next_week.delay().get()
    tasks.build_week_task.delay(WEEK.isoformat(), executive_id=executive.pk).get()
    call_command("build_callsheets", "--week", WEEK.isoformat())
    call_command("build_callsheets", "--week", WEEK.isoformat(), "--dry-run")  # builds nothing: no run
    runs = list(BuildRun.objects.order_by("id").values_list("origin", "executive_name", "state"))
    assert runs == [("schedule", "", "done"), ("task", executive.name, "done"), ("command", "", "done")]


@pytest.mark.django_db
def test_a_run_whose_executive_was_deleted_fails_in_words(frozen):
    executive = ExecutiveFactory(user__first_name="Maya", user__last_name="Lindqvist")
    run = builds.build_run_create(week=WEEK, executive=executive, origin=BuildRun.Origin.PAGE)
    executive.delete()
    run, result = builds.build_run_execute(run_id=run.pk)
    assert result is None and run.state == "failed"
    assert run.error == "Maya Lindqvist's executive profile was deleted before the build ran."


def test_beat_sweeps_the_build_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-build-runs"]
    assert entry == {"task": "callsheets.tasks.sweep_build_runs", "schedule": 60}
    assert app.tasks[entry["task"]].name == tasks.sweep_build_runs.name  # registered with the app


@pytest.mark.django_db
def test_an_old_unfinished_run_is_polled_slowly(client, frozen):
    BuildRun.objects.create(week_start=WEEK, queued_at=NOW - timedelta(hours=2), note=builds.QUEUE_DOWN_NOTE)
    client.force_login(AdminFactory())
    html = status(client)
    assert 'hx-trigger="every 30s"' in html and "could not be reached" in html


# --- With Redis and a real worker ---------------------------------------------------------------


def wait_for(check, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_and_the_page_still_knows_once_the_result_is_gone(client, celery_worker):
    executive = ExecutiveFactory()
    client.force_login(AdminFactory())
    next_week = timezone.localdate() + timedelta(days=7)
    client.post("/program/build/", {"week": next_week.isoformat()})
    run = BuildRun.objects.get()
    assert run.enqueued_at and run.task_id
    assert wait_for(lambda: BuildRun.objects.get().state == "done"), BuildRun.objects.get().note
    AsyncResult(run.task_id, app=app).forget()  # Celery's result expired (or was never stored)
    html = status(client)
    assert 'data-state="done"' in html and "hx-get" not in html
    assert CallSheet.objects.filter(executive=executive).exists()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_build_asked_for_while_redis_is_down_is_built_when_it_is_back(client, celery_worker):
    from tests.imports.test_worker import DEAD_BROKER, point_producers_at

    executive = ExecutiveFactory()
    client.force_login(AdminFactory())
    real_broker = app.conf.broker_url
    point_producers_at(DEAD_BROKER)
    try:
        response = client.post(
            "/program/build/", {"week": (timezone.localdate() + timedelta(days=7)).isoformat()}, follow=True
        )
    finally:
        point_producers_at(real_broker)
    assert "The task queue (Redis) could not be reached" in response.content.decode()
    assert BuildRun.objects.get().state == "queued"

    # Beat's next sweep, a minute later, through the real broker to the real worker.
    BuildRun.objects.update(queued_at=BuildRun.objects.get().queued_at - timedelta(minutes=2))
    assert tasks.sweep_build_runs.delay().get(timeout=30)["requeued"] == 1
    assert wait_for(lambda: BuildRun.objects.get().state == "done")
    assert CallSheet.objects.filter(executive=executive).exists()


@pytest.mark.django_db
def test_build_runs_are_listed_read_only_in_the_admin(admin_client, frozen):
    run = BuildRun.objects.create(week_start=WEEK, state="failed", finished_at=NOW, error="Something in words.")
    assert admin_client.get("/admin/callsheets/buildrun/").status_code == 200
    page = admin_client.get(f"/admin/callsheets/buildrun/{run.pk}/change/")
    assert page.status_code == 200 and "Something in words." in page.content.decode()
    assert admin_client.get("/admin/callsheets/buildrun/add/").status_code == 403
