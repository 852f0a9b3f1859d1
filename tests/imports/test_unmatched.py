"""--unmatched error|skip|create (CONTRACT §3) on the commands and the upload page."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Contact, Customer, SupportTicket, SurveyResponse
from imports.models import ImportRun
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

TICKETS = (
    "external_id,requester_email,subject,created_at,priority\n"
    "T-1,dana@acme.example,Known,2026-11-01,high\n"
    "T-2,pat@newco.example,Unknown one,2026-11-01,high\n"
    "T-3,lee@newco.example,Unknown two,2026-11-02,normal\n"
    "T-4,someone@gmail.com,Personal,2026-11-01,normal\n"
)
ZENDESK = (
    "Id,Subject,Status,Created at,Requester email,Organization\n"
    "1,Known,open,2026-11-01,dana@acme.example,Acme Logistics\n"
    "2,New company,open,2026-11-01,kim@gmail.com,Northwind Traders\n"
    "3,Same company,open,2026-11-01,bo@gmail.com,Northwind Traders\n"
)


@pytest.fixture
def tickets_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TICKETS)
    return path


def test_by_default_an_unmatched_row_fails_the_file_and_names_skip_and_create(
    run_command, sample_customers, tickets_file
):
    code, _, err = run_command("import_tickets", tickets_file, "--format", "csv")
    assert code == 1
    assert "t.csv, row 3, column requester_email: matches no customer (e-mail “pat@newco.example”); correct it" in err
    assert "--unmatched skip" in err and "--unmatched create" in err
    assert not SupportTicket.objects.exists()


def test_skip_imports_the_rest_and_counts_and_lists_the_skipped_rows(run_command, sample_customers, tickets_file):
    code, out, err = run_command("import_tickets", tickets_file, "--format", "csv", "--unmatched", "skip")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[:3] == [
        "skipped t.csv, row 3, column requester_email: matches no customer (e-mail “pat@newco.example”)",
        "skipped t.csv, row 4, column requester_email: matches no customer (e-mail “lee@newco.example”)",
        "skipped t.csv, row 5, column requester_email: matches no customer (e-mail “someone@gmail.com”)",
    ]
    assert lines[-1] == "t.csv: created 1, updated 0, unchanged 0, skipped 3 (matching no customer), rejected 0"
    assert list(SupportTicket.objects.values_list("external_id", flat=True)) == ["T-1"]


def test_a_malformed_row_still_fails_the_whole_file_when_skipping(run_command, sample_customers, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(TICKETS + "T-5,dana@acme.example,Bad date,yesterday,high\n")
    code, _, err = run_command("import_tickets", path, "--format", "csv", "--unmatched", "skip")
    assert code == 1 and "row 6, column created_at" in err
    assert not SupportTicket.objects.exists()


def test_create_makes_one_customer_per_domain_and_a_second_run_changes_nothing(
    run_command, sample_customers, tickets_file
):
    before = Customer.objects.count()
    code, out, err = run_command("import_tickets", tickets_file, "--format", "csv", "--unmatched", "create")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == (
        "t.csv: created 4, updated 0, unchanged 0, rejected 0, customers created for unmatched rows 2"
    )
    assert Customer.objects.count() == before + 2
    newco = Customer.objects.get(domain="newco.example")
    assert (newco.name, newco.external_id) == ("newco.example", "new-newco.example")
    assert set(newco.tickets.values_list("external_id", flat=True)) == {"T-2", "T-3"}
    assert newco.contacts.get().email == "pat@newco.example"
    personal = SupportTicket.objects.get(external_id="T-4").customer
    assert personal.domain == ""  # gmail.com is nobody's company domain
    assert personal.contacts.get().email == "someone@gmail.com"

    code, out, _ = run_command("import_tickets", tickets_file, "--format", "csv")  # now every row matches
    assert code == 0 and out.strip().endswith("unchanged 4, rejected 0")


def test_create_names_the_customer_after_the_organization(run_command, sample_customers, tmp_path):
    path = tmp_path / "z.csv"
    path.write_text(ZENDESK)
    code, out, err = run_command("import_tickets", path, "--format", "zendesk", "--unmatched", "create")
    assert code == 0, err
    northwind = Customer.objects.get(name="Northwind Traders")
    assert northwind.tickets.count() == 2 and northwind.domain == ""
    assert "customers created for unmatched rows 1" in out


def test_create_on_a_dry_run_saves_nothing(run_command, sample_customers, tickets_file):
    before = Customer.objects.count()
    code, out, _ = run_command("import_tickets", tickets_file, "--format", "csv", "--unmatched", "create", "--dry-run")
    assert code == 0 and "customers created for unmatched rows 2" in out and "dry run" in out
    assert Customer.objects.count() == before and not SupportTicket.objects.exists()


def test_surveys_take_the_choice_too(run_command, sample_customers, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "external_id,email,score,responded_at\nR-1,dana@acme.example,9,2026-11-01\nR-2,x@y.example,3,2026-11-01\n"
    )
    code, out, _ = run_command("import_surveys", path, "--format", "csv", "--unmatched", "skip")
    assert code == 0 and "skipped 1" in out
    code, out, _ = run_command("import_surveys", path, "--format", "csv", "--unmatched", "create")
    assert code == 0 and SurveyResponse.objects.get(external_id="R-2").customer.domain == "y.example"
    code, _, err = run_command("import_customers", path, "--unmatched", "skip")  # accepted; customers always match
    assert "matches no customer" not in err


# The upload page


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def _upload(client, text: str, kind="tickets:csv", name="t.csv"):
    return client.post(
        "/imports/", {"kind": kind, "file": SimpleUploadedFile(name, text.encode(), "text/csv")}, follow=True
    )


def test_the_check_offers_skip_or_create_in_words(admin_client, sample_customers):
    response = _upload(admin_client, TICKETS)
    run = ImportRun.objects.get()
    assert (run.status, run.skipped, run.rejected, run.matched_rows) == (ImportRun.Status.VALID, 3, 0, 1)
    content = response.content.decode()
    assert "3 rows match no customer" in content
    assert "Skip them</strong>: import the other 1 row and download these below" in content
    assert "Create customers for them</strong>" in content
    assert 'name="unmatched" value="skip"' in content and 'name="unmatched" value="create"' in content
    assert '<td class="text-end">3</td><td><code>requester_email</code></td>' in content

    response = admin_client.post(f"/imports/{run.pk}/confirm/", follow=True)  # no choice made
    assert "choose to skip them or to create customers for them" in response.content.decode()
    assert not SupportTicket.objects.exists()


def test_skipping_on_the_page_imports_the_rest_and_offers_the_skipped_rows_back(admin_client, sample_customers):
    _upload(admin_client, TICKETS)
    run = ImportRun.objects.get()
    response = admin_client.post(f"/imports/{run.pk}/confirm/", {"unmatched": "skip"}, follow=True)
    run.refresh_from_db()
    assert (run.status, run.unmatched, run.created, run.skipped) == (ImportRun.Status.DONE, "skip", 1, 3)
    assert "skipped: no customer" in response.content.decode()
    assert f"/imports/{run.pk}/left-out.csv" in response.content.decode()

    download = admin_client.get(f"/imports/{run.pk}/left-out.csv")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert rows[0] == ["external_id", "requester_email", "subject", "created_at", "priority", "reason"]
    assert [r[0] for r in rows[1:]] == ["T-2", "T-3", "T-4"]
    assert rows[1][-1] == "requester_email: matches no customer (e-mail “pat@newco.example”)"


def test_creating_on_the_page_makes_the_customers(admin_client, sample_customers):
    _upload(admin_client, TICKETS)
    run = ImportRun.objects.get()
    admin_client.post(f"/imports/{run.pk}/confirm/", {"unmatched": "create"})
    run.refresh_from_db()
    assert (run.status, run.created, run.customers_created) == (ImportRun.Status.DONE, 4, 2)
    assert not run.left_out
    assert Contact.objects.filter(email="pat@newco.example").exists()


def test_a_file_with_bad_rows_offers_them_back_with_the_reason(admin_client, sample_customers):
    _upload(admin_client, TICKETS + "T-5,dana@acme.example,Bad date,yesterday,high\n")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.INVALID
    rows = list(
        csv.reader(
            io.StringIO(b"".join(admin_client.get(f"/imports/{run.pk}/left-out.csv").streaming_content).decode())
        )
    )
    assert [r[0] for r in rows[1:]] == ["T-2", "T-3", "T-4", "T-5"]
    assert rows[-1][-1].startswith("created_at: “yesterday” is not an ISO 8601 date")


def test_a_run_without_rows_left_out_has_no_download(admin_client, sample_customers):
    _upload(admin_client, TICKETS.splitlines()[0] + "\n" + TICKETS.splitlines()[1] + "\n")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.VALID and not run.left_out
    assert admin_client.get(f"/imports/{run.pk}/left-out.csv").status_code == 404


def test_the_left_out_file_never_hands_a_spreadsheet_a_formula(admin_client, sample_customers):
    _upload(
        admin_client, TICKETS.splitlines()[0] + '\nT-9,pat@newco.example,"=HYPERLINK(""http://x"")",2026-11-01,high\n'
    )
    run = ImportRun.objects.get()
    text = b"".join(admin_client.get(f"/imports/{run.pk}/left-out.csv").streaming_content).decode()
    assert "'=HYPERLINK" in text
