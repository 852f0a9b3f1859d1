"""Files as people have them: the format recognised from the header row, .xlsx, and sample files."""

import csv
import io
from datetime import datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import SupportTicket
from imports.formats import CSV_FORMATS, kind_of, recognise
from imports.models import ImportRun
from imports.samples import EXAMPLES, sample_csv, sample_name
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


def test_every_format_has_a_sample_and_its_header_is_recognised_as_that_format():
    assert set(EXAMPLES) == set(CSV_FORMATS)
    for fmt in CSV_FORMATS.values():
        header = next(csv.reader(io.StringIO(sample_csv(sample_name(fmt)))))
        assert recognise(header) is fmt, fmt.title


def test_vendor_exports_are_recognised(samples):
    expected = {
        "zendesk_tickets.csv": "tickets:zendesk",
        "freshdesk_tickets.csv": "tickets:freshdesk",
        "tickets.csv": "tickets:csv",
        "delighted_responses.csv": "surveys:delighted",
        "surveys.csv": "surveys:csv",
        "customers.csv": "customers",
    }
    for name, kind in expected.items():
        header = next(csv.reader(io.StringIO((samples / name).read_text(encoding="utf-8-sig"))))
        assert kind_of(recognise(header)) == kind, name
    assert recognise(["Name", "Phone"]) is None


def test_the_upload_page_recognises_the_format_and_says_so(admin_client, samples, sample_customers):
    data = (samples / "freshdesk_tickets.csv").read_bytes()
    response = admin_client.post(
        "/imports/", {"kind": "auto", "file": SimpleUploadedFile("export.csv", data, "text/csv")}, follow=True
    )
    run = ImportRun.objects.get()
    assert (run.kind, run.recognised, run.status) == ("tickets:freshdesk", True, ImportRun.Status.VALID)
    assert "Recognised from the header row as <strong>Tickets: Freshdesk export</strong>" in response.content.decode()


def test_an_unknown_header_asks_for_the_format(admin_client):
    response = admin_client.post(
        "/imports/", {"kind": "auto", "file": SimpleUploadedFile("x.csv", b"Name,Phone\nA,1\n", "text/csv")}
    )
    assert response.status_code == 200 and not ImportRun.objects.exists()
    assert "The header row (Name, Phone) is not one of the formats we know" in response.content.decode()


def _workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("Ignored").append(["only the first sheet is read"])
    book.save(path)
    return path


ZENDESK_ROWS = [
    ["Id", "Subject", "Status", "Priority", "Requester email", "Created at", "Updated at", "Reopens"],
    [
        9001,
        "Excel export",
        "open",
        "high",
        "dana@acme.example",
        datetime(2026, 11, 2, 9, 0),
        datetime(2026, 11, 2, 10),
        2,
    ],
    [None, None, None, None, None, None, None, None],
    [9002, "Second row", "solved", "low", "ingrid@borealis.example", "2026-11-03T08:00:00Z", None, 0.0],
]


def test_an_xlsx_first_sheet_imports_like_csv(run_command, sample_customers, tmp_path):
    path = _workbook(tmp_path / "export.xlsx", ZENDESK_ROWS)
    code, out, err = run_command("import_tickets", path, "--format", "zendesk")
    assert code == 0, err
    assert out.strip().endswith("created 2, updated 0, unchanged 0, rejected 0")
    ticket = SupportTicket.objects.get(external_id="9001")
    assert (ticket.reopen_count, ticket.priority) == (2, "high")


def test_an_xlsx_upload_is_recognised_and_its_bad_cells_named(admin_client, sample_customers, tmp_path):
    rows = [*ZENDESK_ROWS, [9003, "Bad", "open", "high", "dana@acme.example", datetime(1850, 1, 1), None, "٣"]]
    data = _workbook(tmp_path / "export.xlsx", rows).read_bytes()
    response = admin_client.post(
        "/imports/", {"kind": "auto", "file": SimpleUploadedFile("export.xlsx", data)}, follow=True
    )
    run = ImportRun.objects.get()
    assert (run.kind, run.status) == ("tickets:zendesk", ImportRun.Status.INVALID)
    assert {(e["row"], e["column"]) for e in run.errors} == {(5, "Created at"), (5, "Reopens")}
    assert "Recognised from the header row" in response.content.decode()


def test_sample_files_download(admin_client):
    page = admin_client.get("/imports/").content.decode()
    assert 'href="/imports/samples/tickets-zendesk.csv"' in page
    response = admin_client.get("/imports/samples/tickets-zendesk.csv")
    assert response["Content-Disposition"] == 'attachment; filename="sample-tickets-zendesk.csv"'
    assert response.content.decode().startswith("Id,Requester email,Organization,Subject,Status,Priority,")
    assert admin_client.get("/imports/samples/nothing.csv").status_code == 404


def test_the_samples_import_into_an_empty_database(run_command, tmp_path):
    for name, args in [
        ("customers.csv", []),
        ("tickets-csv.csv", ["--format", "csv"]),
        ("tickets-zendesk.csv", ["--format", "zendesk"]),
        ("tickets-freshdesk.csv", ["--format", "freshdesk"]),
        ("surveys-csv.csv", ["--format", "csv"]),
        ("surveys-delighted.csv", ["--format", "delighted"]),
    ]:
        path = tmp_path / name
        path.write_text(sample_csv(name))
        command = "import_customers" if name == "customers.csv" else f"import_{name.split('-')[0]}"
        code, out, err = run_command(command, path, *args)
        assert code == 0, (name, err)
