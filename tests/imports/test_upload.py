import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customers.models import Flag, SupportTicket, SurveyResponse
from imports.models import ImportRun
from tests.factories import AdminFactory, CustomerFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def upload(client, samples, name, kind, follow=True):
    data = (samples / name).read_bytes()
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}, follow=follow)


def test_only_program_admins_see_the_page(client):
    assert client.get("/imports/").status_code == 302  # to sign in
    client.force_login(LeadFactory())
    assert client.get("/imports/").status_code == 403
    assert client.post("/api/webhooks/tickets/").status_code == 401  # the webhook is not behind a login


def test_empty_page_and_nav_link(admin_client):
    response = admin_client.get("/imports/")
    assert response.status_code == 200
    assert b'href="/imports/"' in response.content
    assert b"No files uploaded yet" in response.content


def test_upload_shows_the_dry_run_then_confirm_imports(admin_client, samples, sample_customers):
    response = upload(admin_client, samples, "zendesk_tickets.csv", "tickets:zendesk")

    assert response.status_code == 200
    run = ImportRun.objects.get()
    assert response.redirect_chain[-1][0] == f"/imports/{run.pk}/"
    assert run.status == ImportRun.Status.VALID
    assert b"The file is ready to import" in response.content
    assert b'data-count="created">4<' in response.content
    assert not SupportTicket.objects.exists()

    response = admin_client.post(f"/imports/{run.pk}/confirm/", follow=True)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert b"Imported." in response.content
    assert SupportTicket.objects.filter(source="zendesk").count() == 4
    assert Flag.objects.count() == 1

    response = admin_client.post(f"/imports/{run.pk}/confirm/", follow=True)  # a second click
    assert b"not ready to import" in response.content
    assert SupportTicket.objects.count() == 4


def test_a_bad_file_shows_its_rows_and_cannot_be_confirmed(admin_client, samples, sample_customers):
    response = upload(admin_client, samples, "tickets_bad_rows.csv", "tickets:csv")

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.INVALID
    # Row 5 matches no customer: set aside for the choice (skip or create), not an error of its own.
    assert (run.rejected, run.error_count, run.skipped) == (3, 6, 1)
    content = response.content.decode()
    assert "The file has errors; nothing was saved." in content
    assert '<td class="text-end">5</td><td><code>customer_external_id</code></td>' in content
    assert f"/imports/{run.pk}/confirm/" not in content
    assert admin_client.post(f"/imports/{run.pk}/confirm/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.INVALID


def test_not_a_csv_in_the_browser(admin_client, samples):
    response = upload(admin_client, samples, "tickets.xlsx", "tickets:csv")  # a zip, but no workbook
    assert "is not an Excel workbook that can be read" in response.content.decode()


def test_the_form_keeps_its_input_and_says_what_is_missing(admin_client):
    response = admin_client.post("/imports/", {"kind": "surveys:delighted"})
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert b'value="surveys:delighted" selected' in response.content


def test_a_large_file_goes_through_the_task(
    admin_client, samples, sample_customers, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTS_INLINE_MAX_BYTES = 10  # everything is "large"; tasks run eagerly in tests
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(admin_client, samples, "delighted_responses.csv", "surveys:delighted", follow=False)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.task_id
    assert run.status == ImportRun.Status.VALID
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/imports/{run.pk}/confirm/")
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportRun.Status.DONE, 4)


def test_a_running_import_shows_progress_from_its_task(admin_client, monkeypatch):
    run = ImportRun.objects.create(
        kind="tickets:zendesk",
        original_name="big.csv",
        size_bytes=1000,
        status="importing",
        task_id="t-1",
        enqueued_at=timezone.now(),  # its task reached the queue (one that did not: tests/faults/test_import_queue.py)
        started_at=timezone.now(),
    )

    class Result:
        def __init__(self, task_id):
            self.info = {"rows": 12000, "bytes": 420}

    monkeypatch.setattr("imports.views.AsyncResult", Result)
    page = admin_client.get(f"/imports/{run.pk}/").content.decode()
    assert "12,000 rows so far" in page
    assert '<progress class="import-progress" aria-label="Progress" value="42" max="100">' in page
    assert 'hx-trigger="every 1s"' in page

    partial = admin_client.get(f"/imports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="run-status"')


def test_the_list_pages_and_its_queries_stay_flat(admin_client, django_assert_max_num_queries):
    for n in range(45):
        ImportRun.objects.create(kind="customers", original_name=f"c{n}.csv", status="done", rows=n)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/imports/?page=2")
    assert response.status_code == 200
    assert b"Page 2 of 3" in response.content


def test_customers_upload(admin_client, samples):
    upload(admin_client, samples, "customers.csv", "customers")
    run = ImportRun.objects.get()
    admin_client.post(f"/imports/{run.pk}/confirm/")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE
    assert run.created == 4


def test_a_file_that_no_longer_matches_at_confirm_fails_and_saves_nothing(admin_client, samples):
    cobalt = CustomerFactory(external_id="C-300")
    CustomerFactory(domain="borealis.example")
    upload(admin_client, samples, "surveys.csv", "surveys:csv")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.VALID
    cobalt.delete()  # someone removed the customer between the check and the confirm

    response = admin_client.post(f"/imports/{run.pk}/confirm/", follow=True)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "The import failed; nothing was saved." in response.content.decode()
    assert run.errors[0]["row"] == 2 and "matches no customer" in run.errors[0]["message"]
    assert not SurveyResponse.objects.exists()
