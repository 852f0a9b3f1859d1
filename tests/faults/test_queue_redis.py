"""The same faults against the real Redis and a real Celery worker: the producers are pointed at a port
where nothing listens (the shared Redis is never stopped), then back."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ceocalls.celery import app
from imports import tasks
from imports.models import ImportRun
from tests.factories import AdminFactory, CustomerFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

NOBODY_LISTENS = "redis://127.0.0.1:6390/0"


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def point_producers_at(url: str) -> None:
    """Where `apply_async` publishes; the running worker keeps consuming from the real broker."""
    app.conf.broker_url = url
    app.conf.broker_write_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_a_large_upload_while_redis_is_down_is_checked_and_imported_once_it_is_back(
    celery_worker, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORTS_INLINE_MAX_BYTES = 0
    customer = CustomerFactory(external_id="C-1")
    rows = "".join(f"T{n},C-1,Ticket {n},open,normal,2026-11-01T09:00:00Z\n" for n in range(500))
    data = ("external_id,customer_external_id,subject,status,priority,created_at\n" + rows).encode()
    client.force_login(AdminFactory())
    real_broker = app.conf.broker_url

    point_producers_at(NOBODY_LISTENS)
    try:
        upload = SimpleUploadedFile("big.csv", data, "text/csv")
        response = client.post("/imports/", {"kind": "tickets:csv", "file": upload}, follow=True)
    finally:
        point_producers_at(real_broker)
    assert response.status_code == 200  # once a 500
    html = response.content.decode()
    assert "The job queue is unavailable; the check will run when it is back." in html
    assert "6390" not in html and "127.0.0.1" not in html and "Connection refused" not in html
    assert ImportRun.objects.get().status == "validating"

    # Beat's next sweep, a minute later, through the real broker to the real worker.
    ImportRun.objects.update(queued_at=ImportRun.objects.get().queued_at - timedelta(minutes=2))
    assert tasks.sweep_import_runs.delay().get(timeout=30)["requeued"] == 1
    assert wait_for(lambda: ImportRun.objects.get().status == "valid"), ImportRun.objects.get().message

    client.post(f"/imports/{ImportRun.objects.get().pk}/confirm/")
    assert wait_for(lambda: ImportRun.objects.get().status == "done"), ImportRun.objects.get().message
    assert customer.tickets.count() == 500
