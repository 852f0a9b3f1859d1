"""A large upload while the job queue (Redis) is down: kept waiting with a note in words, queued again
by beat's sweep once the queue is back; a task whose worker died is handed to another; no page shows
the exception's text or an internal host and port."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from kombu.exceptions import OperationalError as BrokerDown

from ceocalls.celery import app
from imports import tasks
from imports.models import ImportRun
from imports.services import runs
from tests.factories import AdminFactory, CustomerFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROWS = 300


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def large(settings, tmp_path):
    """Every upload is "large": checked and imported by a task, not in the request."""
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORTS_INLINE_MAX_BYTES = 0
    CustomerFactory(external_id="C-1")
    rows = "".join(f"T{n},C-1,Ticket {n},open,normal,2026-11-01T09:00:00Z\n" for n in range(ROWS))
    data = ("external_id,customer_external_id,subject,status,priority,created_at\n" + rows).encode()
    return SimpleUploadedFile("big.csv", data, "text/csv")


@pytest.fixture
def queue_down(monkeypatch):
    """Tasks go to a broker that refuses them, as with REDIS_URL set and Redis stopped."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def refused(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 10.0.0.7:6379. Connection refused.")

    for task in (tasks.check_import_run, tasks.execute_import_run):
        monkeypatch.setattr(task, "apply_async", refused)

    def back():
        monkeypatch.undo()
        app.conf.task_always_eager = True  # in-process here; tests/faults/test_queue_redis.py uses a worker

    yield back
    app.conf.task_always_eager = before


def _no_internals(html: str) -> None:
    for leak in ("6379", "10.0.0.7", "Error 111", "Connection refused", "OperationalError", "Traceback"):
        assert leak not in html, leak


@pytest.mark.django_db(transaction=True)  # the task is queued on commit, as in production
def test_a_large_upload_while_the_queue_is_down_waits_in_words_and_runs_when_it_is_back(
    client, frozen, large, queue_down
):
    """Once a 500, with the run "validating" for ever even after Redis was back."""
    client.force_login(AdminFactory())

    response = client.post("/imports/", {"kind": "tickets:csv", "file": large}, follow=True)

    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert (run.status, run.enqueued_at, run.started_at) == ("validating", None, None)
    assert run.message == "The job queue is unavailable; the check will run when it is back."
    html = response.content.decode()
    assert run.message in html and 'data-waiting="queue"' in html and 'hx-trigger="every 1s"' in html
    _no_internals(html)
    _no_internals(client.get("/imports/").content.decode())

    assert runs.import_runs_sweep(now=NOW + timedelta(seconds=30))["requeued"] == 0  # too soon to try again
    assert runs.import_runs_sweep(now=NOW + timedelta(minutes=2))["requeued"] == 0  # still down: still waiting
    assert ImportRun.objects.get().status == "validating"

    queue_down()  # the queue is back
    assert runs.import_runs_sweep(now=NOW + timedelta(minutes=3))["requeued"] == 1
    run.refresh_from_db()
    assert (run.status, run.created, run.enqueued_at is not None) == ("valid", ROWS, True)
    assert "unavailable" not in run.message


@pytest.fixture
def in_process():
    """Tasks run in-process, whether or not the session's real worker is up (it sets eager off)."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.mark.django_db(transaction=True)
def test_an_import_confirmed_while_the_queue_is_down_runs_when_it_is_back(
    client, frozen, large, monkeypatch, in_process
):
    client.force_login(AdminFactory())
    client.post("/imports/", {"kind": "tickets:csv", "file": large})  # checked in-process (eager)
    run = ImportRun.objects.get()
    assert run.status == "valid"

    app.conf.task_always_eager = False
    monkeypatch.setattr(tasks.execute_import_run, "apply_async", lambda *a, **k: (_ for _ in ()).throw(BrokerDown()))
    try:
        html = client.post(f"/imports/{run.pk}/confirm/", follow=True).content.decode()
    finally:
        monkeypatch.undo()
        app.conf.task_always_eager = True  # the queue is back
    assert "The job queue is unavailable; the import will run when it is back." in html
    _no_internals(html)
    assert ImportRun.objects.get().status == "importing"

    assert runs.import_runs_sweep(now=NOW + timedelta(minutes=2))["requeued"] == 1
    run.refresh_from_db()
    assert (run.status, run.created) == ("done", ROWS)


@pytest.mark.django_db
def test_a_task_delivered_twice_imports_once_and_a_dead_workers_run_is_taken_over(frozen, large, settings):
    run = ImportRun.objects.create(
        kind="tickets:csv", file=large, original_name="big.csv", size_bytes=1, status="importing",
        task_id="t-1", queued_at=NOW, enqueued_at=NOW, started_at=NOW - timedelta(minutes=1),
    )  # fmt: skip

    assert runs.import_run_execute(run_id=run.pk).status == "importing"  # the first copy still has it
    assert ImportRun.objects.get().created == 0

    ImportRun.objects.update(started_at=NOW - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1))
    run = runs.import_run_execute(run_id=run.pk)  # past the hard time limit: that worker is gone
    assert (run.status, run.created) == ("done", ROWS)


@pytest.mark.django_db
def test_the_sweep_requeues_lost_tasks_and_fails_runs_that_never_end_in_words(frozen, large, settings, monkeypatch):
    sent = []
    monkeypatch.setattr(runs, "import_run_enqueue", lambda *, run_id: sent.append(run_id) or True)

    def make(**fields):
        return ImportRun.objects.create(
            kind="tickets:csv", file=large, original_name="big.csv", size_bytes=1, task_id="t", **fields
        ).pk

    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    unsent = make(status="validating", queued_at=NOW - timedelta(minutes=5))
    lost_message = make(status="importing", queued_at=NOW - timedelta(hours=1), enqueued_at=NOW - timedelta(hours=1))
    dead_worker = make(
        status="importing", queued_at=NOW - limit * 2, enqueued_at=NOW - limit * 2, started_at=NOW - limit * 2
    )
    running = make(status="importing", queued_at=NOW, enqueued_at=NOW, started_at=NOW - timedelta(minutes=2))
    a_day = make(status="validating", queued_at=NOW - timedelta(hours=25))
    make(status="valid", queued_at=NOW - timedelta(hours=25))  # finished: left alone

    outcome = runs.import_runs_sweep(now=NOW)

    assert outcome == {"requeued": 3, "given_up": 1, "lost": 1}
    assert sorted(sent) == sorted([unsent, lost_message, dead_worker])
    assert running not in sent
    failed = ImportRun.objects.get(pk=a_day)
    assert failed.status == "failed" and failed.validated_at == NOW
    assert failed.message == (
        "The file was never checked: the job queue or the worker was unavailable for a day. "
        "Nothing was saved; upload it again."
    )


def test_beat_runs_the_import_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-import-runs"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60
