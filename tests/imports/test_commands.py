from datetime import UTC, datetime
from decimal import Decimal

import pytest

from customers.models import Contact, Customer, Flag, SupportTicket, SurveyResponse
from tests.factories import FlagFactory

pytestmark = pytest.mark.django_db


def test_customers_import_creates_customers_and_contacts_then_changes_nothing(run_command, samples):
    code, out, err = run_command("import_customers", samples / "customers.csv")

    assert code == 0, err
    assert out.strip().splitlines()[-1] == "customers.csv: created 4, updated 0, unchanged 0, rejected 0"
    acme = Customer.objects.get(external_id="C-100")
    assert (acme.name, acme.domain, acme.annual_revenue, acme.tier_id) == (
        "Acme Logistics",
        "acme.example",
        Decimal("1250000.00"),
        "strategic",
    )
    assert Customer.objects.get(external_id="C-200").tier_id == "enterprise"  # the label is accepted too
    contacts = list(acme.contacts.order_by("id").values_list("name", "is_primary"))
    assert contacts == [("Dana Whitfield", True), ("Raj Patel", False)]
    assert Contact.objects.get(email="marcus@cobalt.example").do_not_call is True

    code, out, _ = run_command("import_customers", samples / "customers.csv")
    assert out.strip().splitlines()[-1] == "customers.csv: created 0, updated 0, unchanged 4, rejected 0"
    assert Customer.objects.count() == 3 and Contact.objects.count() == 4


def test_customers_import_updates_a_changed_row(run_command, sample_customers, tmp_path):
    changed = tmp_path / "customers.csv"
    changed.write_text(
        "external_id,name,tier,contact_name,contact_email,contact_title\n"
        "C-100,Acme Logistics Inc,strategic,Dana Whitfield,DANA@acme.example,COO\n"
    )

    code, out, _ = run_command("import_customers", changed)

    assert code == 0
    assert out.strip().endswith("created 0, updated 1, unchanged 0, rejected 0")
    acme = Customer.objects.get(external_id="C-100")
    assert acme.name == "Acme Logistics Inc"
    assert acme.domain == "acme.example"  # a column the file does not have is left alone
    assert acme.contacts.get(email="dana@acme.example").title == "COO"


@pytest.mark.parametrize(
    ("file_format", "sample", "expected"),
    [
        ("zendesk", "zendesk_tickets.csv", {"5101": ("C-100", "open", "urgent"), "5104": ("C-200", "new", "normal")}),
        (
            "freshdesk",
            "freshdesk_tickets.csv",
            {"813": ("C-300", "solved", "normal"), "814": ("C-200", "pending", "low")},
        ),
        (
            "freshdesk",
            "freshdesk_tickets_codes.csv",
            {"901": ("C-300", "open", "urgent"), "903": ("C-300", "closed", "low"), "904": ("C-200", "hold", "high")},
        ),
        ("csv", "tickets.csv", {"T-1": ("C-100", "open", "high"), "T-3": ("C-200", "new", "low")}),
    ],
)
def test_ticket_formats_import_the_vendors_columns_and_words(
    run_command, samples, sample_customers, file_format, sample, expected
):
    code, out, err = run_command("import_tickets", samples / sample, "--format", file_format)

    assert code == 0, err
    assert "rejected 0" in out.strip().splitlines()[-1]
    for external_id, (customer, status, priority) in expected.items():
        ticket = SupportTicket.objects.select_related("customer").get(source=file_format, external_id=external_id)
        assert (ticket.customer.external_id, ticket.status, ticket.priority) == (customer, status, priority)


def test_zendesk_export_fields(run_command, samples, sample_customers):
    run_command("import_tickets", samples / "zendesk_tickets.csv", "--format", "zendesk")

    solved = SupportTicket.objects.get(source="zendesk", external_id="5102")
    assert solved.solved_at == datetime(2026, 10, 21, 17, 30, tzinfo=UTC)  # TIME_ZONE is UTC in tests
    assert (solved.satisfaction, solved.reopen_count, solved.tags) == ("bad", 1, ["billing"])
    assert solved.requester.email == "raj@acme.example"
    assert SupportTicket.objects.get(source="zendesk", external_id="5104").requester is None  # matched by domain


def test_reimport_changes_nothing_and_an_updated_row_updates(run_command, samples, sample_customers, tmp_path):
    run_command("import_tickets", samples / "tickets.csv", "--format", "csv")
    before = SupportTicket.objects.get(external_id="T-2").imported_at

    code, out, _ = run_command("import_tickets", samples / "tickets.csv", "--format", "csv")
    assert out.strip().splitlines()[-1] == "tickets.csv: created 0, updated 0, unchanged 3, rejected 0"
    assert SupportTicket.objects.get(external_id="T-2").imported_at == before

    lines = (samples / "tickets.csv").read_text().splitlines()
    lines[2] = lines[2].replace(",solved,normal,", ",open,urgent,")
    edited = tmp_path / "tickets.csv"
    edited.write_text("\n".join(lines) + "\n")
    code, out, _ = run_command("import_tickets", edited, "--format", "csv")
    assert out.strip().splitlines()[-1] == "tickets.csv: created 0, updated 1, unchanged 2, rejected 0"
    assert SupportTicket.objects.get(external_id="T-2").priority == "urgent"
    assert SupportTicket.objects.count() == 3


def test_dry_run_reports_would_be_counts_and_saves_nothing(run_command, samples, sample_customers):
    code, out, _ = run_command("import_tickets", samples / "zendesk_tickets.csv", "--format", "zendesk", "--dry-run")

    assert code == 0
    assert out.strip().splitlines()[-1] == (
        "zendesk_tickets.csv: created 4, updated 0, unchanged 0, rejected 0; dry run, nothing saved"
    )
    assert "ceo-call flags would raise or note: 1" in out
    assert not SupportTicket.objects.exists()
    assert not Flag.objects.exists()


def test_bad_rows_are_all_reported_with_row_and_column_and_nothing_is_saved(run_command, samples, sample_customers):
    code, out, err = run_command("import_tickets", samples / "tickets_bad_rows.csv", "--format", "csv")

    assert code == 1
    lines = err.strip().splitlines()
    assert lines[:-1] == [
        "tickets_bad_rows.csv, row 3, column created_at: “yesterday” is not an ISO 8601 date or date-time "
        "(2024-03-01 or 2024-03-01T09:15:00Z)",
        "tickets_bad_rows.csv, row 4, column status: “in progress” is not one of: closed, hold, new, on hold, "
        "on-hold, open, pending, solved",
        "tickets_bad_rows.csv, row 4, column priority: “critical” is not one of: high, low, normal, urgent",
        "tickets_bad_rows.csv, row 5, column customer_external_id: matches no customer "
        "(customer_external_id “C-999”, e-mail “nobody@nowhere.example”); correct it, or import with unmatched "
        "rows skipped (--unmatched skip) or with customers created for them (--unmatched create)",
        "tickets_bad_rows.csv, row 6, column escalated: “maybe” is not true or false",
        "tickets_bad_rows.csv, row 6, column reopen_count: -1 is out of range (0–100000)",
        "tickets_bad_rows.csv, row 6, column updated_at: 2026-11-01 09:00 is before the ticket was created",
    ]
    assert lines[-1] == "tickets_bad_rows.csv: created 1, updated 0, unchanged 0, rejected 4; nothing saved (7 errors)"
    assert not SupportTicket.objects.exists()  # not even the good row 2


def test_a_failed_import_leaves_what_was_stored_untouched(run_command, samples, sample_customers, tmp_path):
    run_command("import_tickets", samples / "tickets.csv", "--format", "csv")
    bad = tmp_path / "mixed.csv"
    bad.write_text(
        "external_id,customer_external_id,subject,status,created_at\n"
        "T-1,C-100,Renamed,closed,2026-11-04T10:00:00+01:00\n"
        "T-99,C-100,New one,open,2026-13-01\n"
    )

    code, _, err = run_command("import_tickets", bad, "--format", "csv")

    assert code == 1
    assert "mixed.csv, row 3, column created_at" in err
    assert SupportTicket.objects.get(external_id="T-1").subject == "API rate limits hit during peak"
    assert not SupportTicket.objects.filter(external_id="T-99").exists()


@pytest.mark.parametrize(
    ("command", "sample", "message"),
    [
        ("import_tickets", "tickets.xlsx", "tickets.xlsx: is not an Excel workbook that can be read"),
        ("import_tickets", "tickets_missing_column.csv", "row 1, column created_at: required column is missing"),
        ("import_customers", "customers_semicolon.csv", "row 1: is separated by semicolons"),
        ("import_customers", "customers_latin1.csv", "is not UTF-8 text"),
    ],
)
def test_unreadable_files_exit_non_zero_with_one_clear_line(run_command, samples, command, sample, message):
    args = [command, samples / sample] + (["--format", "csv"] if command == "import_tickets" else [])

    code, _, err = run_command(*args)

    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("nothing saved (1 error)")


def test_a_missing_file_is_one_line(run_command, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nope.csv: no such file"):
        run_command("import_customers", tmp_path / "nope.csv")


def test_survey_formats(run_command, samples, sample_customers):
    code, out, err = run_command("import_surveys", samples / "delighted_responses.csv", "--format", "delighted")
    assert code == 0, err
    assert out.strip().splitlines()[-1] == "delighted_responses.csv: created 4, updated 0, unchanged 0, rejected 0"
    detractor = SurveyResponse.objects.get(source="delighted", external_id="70001")
    assert (detractor.customer.external_id, detractor.kind, detractor.score) == ("C-100", "nps", 3)
    assert detractor.responded_at == datetime(2026, 11, 3, 20, 22, 1, tzinfo=UTC)
    assert SurveyResponse.objects.get(external_id="70004").customer.external_id == "C-300"  # by company name

    code, out, err = run_command("import_surveys", samples / "surveys.csv", "--format", "csv")
    assert code == 0, err
    csat = SurveyResponse.objects.get(source="csv", external_id="S-1")
    assert (csat.kind, csat.score, csat.customer.external_id) == ("csat", 2, "C-300")


def test_survey_scores_out_of_range_are_rejected(run_command, samples, sample_customers):
    code, _, err = run_command("import_surveys", samples / "surveys_bad.csv", "--format", "csv")

    assert code == 1
    assert "surveys_bad.csv, row 2, column score: 11 is out of range for NPS (0–10)" in err
    assert "surveys_bad.csv, row 3, column score: 0 is out of range for CSAT (1–5)" in err
    assert "surveys_bad.csv, row 4, column kind: “ces” is not one of: csat, nps" in err
    assert "surveys_bad.csv, row 5, column responded_at" in err
    assert err.strip().splitlines()[-1].endswith("rejected 4; nothing saved (4 errors)")
    assert not SurveyResponse.objects.exists()


def test_matching_order_external_id_then_email_then_domain(run_command, sample_customers, tmp_path):
    # Dana's e-mail belongs to C-100, but the explicit customer_external_id wins.
    f = tmp_path / "t.csv"
    f.write_text(
        "external_id,customer_external_id,requester_email,subject,created_at\n"
        "A,C-200,dana@acme.example,by external id,2026-11-01\n"
        "B,,dana@acme.example,by e-mail,2026-11-01\n"
        "C,,new.person@cobalt.example,by domain,2026-11-01\n"
    )

    code, _, err = run_command("import_tickets", f, "--format", "csv")

    assert code == 0, err
    found = dict(SupportTicket.objects.values_list("external_id", "customer__external_id"))
    assert found == {"A": "C-200", "B": "C-100", "C": "C-300"}


def test_a_ceo_call_tag_raises_one_urgent_flag_once(run_command, samples, sample_customers):
    run_command("import_tickets", samples / "zendesk_tickets.csv", "--format", "zendesk")
    run_command("import_tickets", samples / "zendesk_tickets.csv", "--format", "zendesk")

    flag = Flag.objects.get()
    assert flag.origin == Flag.Origin.TICKET_TAG
    assert flag.customer.external_id == "C-100"
    assert flag.ticket.external_id == "5101"
    assert flag.urgency == Flag.Urgency.URGENT
    assert flag.contact.email == "dana@acme.example"
    assert "Shipments stuck in customs" in flag.reason


def test_a_ceo_call_tag_notes_the_customers_active_flag_instead_of_a_second(run_command, samples, sample_customers):
    existing = FlagFactory(customer=Customer.objects.get(external_id="C-100"), reason="Lead: angry CFO.")

    for _ in range(2):
        code, _, err = run_command("import_tickets", samples / "zendesk_tickets.csv", "--format", "zendesk")
        assert code == 0, err

    flag = Flag.objects.get()
    assert flag.pk == existing.pk
    assert flag.reason == "Lead: angry CFO."  # the lead's words stay as they were written
    note = flag.notes.get()  # once, however often the file is imported
    assert (note.ticket.external_id, note.author, note.origin_label) == ("5101", None, "Zendesk ticket #5101")
    assert "Shipments stuck in customs" in note.text
    assert flag.urgency == Flag.Urgency.URGENT and note.made_urgent


def test_a_closed_flag_for_the_ticket_is_not_raised_again(run_command, samples, sample_customers):
    run_command("import_tickets", samples / "freshdesk_tickets.csv", "--format", "freshdesk")
    Flag.objects.update(status=Flag.Status.CLOSED)

    run_command("import_tickets", samples / "freshdesk_tickets.csv", "--format", "freshdesk")

    assert Flag.objects.count() == 1


@pytest.mark.parametrize(
    ("command", "header", "row", "column"),
    [
        ("import_customers", "external_id,name,domain", ",Nameless id,noid.example", "external_id"),
        ("import_customers", "external_id,name,domain", "C-900,,blank.example", "name"),
        (
            "import_surveys",
            "external_id,customer_external_id,kind,score,responded_at",
            "S-900,C-100,nps,5,",
            "responded_at",
        ),
        (
            "import_surveys",
            "external_id,customer_external_id,kind,score,responded_at",
            ",C-100,nps,5,2026-11-20",
            "external_id",
        ),
        (
            "import_tickets",
            "external_id,customer_external_id,subject,status,priority,created_at",
            "T-900,C-100,Blank date,open,normal,",
            "created_at",
        ),
    ],
)
def test_a_blank_cell_in_a_required_column_is_a_row_error_not_a_crash(
    run_command, sample_customers, tmp_path, command, header, row, column
):
    path = tmp_path / "blank.csv"
    path.write_text(f"{header}\n{row}\n")
    extra = ["--format", "csv"] if command != "import_customers" else []

    code, _, err = run_command(command, path, *extra)

    assert code == 1
    assert err.strip().splitlines()[0] == f"blank.csv, row 2, column {column}: is required"
    assert not Customer.objects.filter(external_id="C-900").exists()
    assert not SurveyResponse.objects.exists() and not SupportTicket.objects.exists()
