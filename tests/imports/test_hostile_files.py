"""Hostile files: every cell either imports or is refused with its row and column; nothing half-saved."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Contact, Customer, SupportTicket, SurveyResponse
from imports.services import customers_import, surveys_import, tickets_import

pytestmark = pytest.mark.django_db
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("0001-01-01T00:00:00+14:00", "is outside the years 1900–2999 (in UTC)"),
        ("9999-12-31T23:59:59-12:00", "is outside the years 1900–2999 (in UTC)"),
    ],
)
def test_a_date_outside_1900_to_2999_in_utc_is_refused_with_row_and_column(
    run_command, sample_customers, tmp_path, value, shown
):
    path = _write(tmp_path / "t.csv", f"external_id,customer_external_id,subject,created_at\nT-1,C-100,Hi,{value}\n")
    code, _, err = run_command("import_tickets", path, "--format", "csv")
    assert code == 1
    assert f"t.csv, row 2, column created_at: “{value}” {shown}" in err
    assert not SupportTicket.objects.exists()


def test_a_nul_after_the_first_8_kb_is_a_row_error_not_a_traceback(run_command, sample_customers, tmp_path):
    rows = [f"T-{n},C-100,Subject {n},2026-11-01" for n in range(400)]
    rows.append("T-999,C-100,Sneaky\x00subject,2026-11-01")
    path = _write(tmp_path / "t.csv", "external_id,customer_external_id,subject,created_at\n" + "\n".join(rows) + "\n")
    assert path.stat().st_size > 8192
    code, _, err = run_command("import_tickets", path, "--format", "csv")
    assert code == 1
    assert "t.csv, row 402, column subject: contains a NUL character" in err
    assert "Traceback" not in err and not SupportTicket.objects.exists()


def test_a_nul_in_tags_is_refused(run_command, sample_customers, tmp_path):
    path = _write(
        tmp_path / "t.csv", "external_id,customer_external_id,subject,created_at,tags\nT-1,C-100,Hi,2026-11-01,a\x00b\n"
    )
    code, _, err = run_command("import_tickets", path, "--format", "csv")
    assert code == 1 and "row 2, column tags: contains a NUL character" in err


@pytest.mark.parametrize("value", ["٣", "1_0", "²"])
def test_numbers_are_ascii_digits(run_command, sample_customers, tmp_path, value):
    path = _write(
        tmp_path / "s.csv",
        f"external_id,customer_external_id,kind,score,responded_at\nR-1,C-100,nps,{value},2026-11-01\n",
    )
    code, _, err = run_command("import_surveys", path, "--format", "csv")
    assert code == 1 and f"row 2, column score: “{value}” is not a whole number" in err


def test_freshdesks_closed_time_is_checked_beside_resolved_time(run_command, sample_customers, tmp_path):
    header = "Ticket ID,Subject,Status,Created time,Resolved time,Closed time,Email\n"
    path = _write(
        tmp_path / "fd.csv",
        header + "9,Hi,Closed,2026-11-01 10:00,2026-11-01 12:00,0001-01-01T00:00:00+14:00,dana@acme.example\n",
    )
    code, _, err = run_command("import_tickets", path, "--format", "freshdesk")
    assert code == 1 and "row 2, column Closed time: “0001-01-01T00:00:00+14:00” is outside" in err

    _write(tmp_path / "fd.csv", header + "9,Hi,Closed,2026-11-01 10:00,,2026-11-02 10:00,dana@acme.example\n")
    code, _, err = run_command("import_tickets", tmp_path / "fd.csv", "--format", "freshdesk")
    assert code == 0, err
    assert SupportTicket.objects.get().solved_at.day == 2  # no Resolved time: the closing time stands in


def test_the_database_refuses_a_date_out_of_range(sample_customers):
    from datetime import UTC, datetime

    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            source="csv", external_id="x", customer=Customer.objects.first(), kind="nps", score=5,
            responded_at=datetime(1, 1, 2, tzinfo=UTC),
        )  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))


CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["C-100", "dana@acme.example", "2026-11-01", "0001-01-01T00:00:00+14:00", "5", "٣", "urgent", ""]),
)


def _check(result, before: int, after: int, rows: int):
    """Either every row went in, or nothing did and each error names a row (or the file)."""
    if result.ok:
        assert result.created + result.updated + result.unchanged + getattr(result, "skipped", 0) == result.rows
    else:
        assert after == before
        assert result.errors and all(e.message and e.row for e in result.errors)


@PROPERTY
@given(rows=st.lists(st.lists(CELL, min_size=6, max_size=6), min_size=1, max_size=4))
def test_any_ticket_cells_import_or_fail_cleanly(sample_customers, rows):
    header = ["external_id", "customer_external_id", "subject", "created_at", "priority", "tags"]
    before = SupportTicket.objects.count()
    result = tickets_import(stream=_csv(header, rows), name="t.csv", file_format="csv")
    _check(result, before, SupportTicket.objects.count(), len(rows))


@PROPERTY
@given(rows=st.lists(st.lists(CELL, min_size=7, max_size=7), min_size=1, max_size=4))
def test_any_freshdesk_cells_import_or_fail_cleanly(sample_customers, rows):
    header = ["Ticket ID", "Email", "Subject", "Status", "Created time", "Resolved time", "Closed time"]
    before = SupportTicket.objects.count()
    result = tickets_import(stream=_csv(header, rows), name="fd.csv", file_format="freshdesk")
    _check(result, before, SupportTicket.objects.count(), len(rows))


@PROPERTY
@given(rows=st.lists(st.lists(CELL, min_size=6, max_size=6), min_size=1, max_size=4))
def test_any_survey_cells_import_or_fail_cleanly(sample_customers, rows):
    header = ["Response ID", "Email", "Score", "Comment", "Date", "Survey type"]
    before = SurveyResponse.objects.count()
    result = surveys_import(stream=_csv(header, rows), name="d.csv", file_format="delighted")
    _check(result, before, SurveyResponse.objects.count(), len(rows))


@PROPERTY
@given(rows=st.lists(st.lists(CELL, min_size=8, max_size=8), min_size=1, max_size=4))
def test_any_customer_cells_import_or_fail_cleanly(sample_customers, rows):
    header = ["external_id", "name", "domain", "annual_revenue", "tier", "timezone", "contact_name", "contact_email"]
    before = (Customer.objects.count(), Contact.objects.count())
    result = customers_import(stream=_csv(header, rows), name="c.csv")
    after = (Customer.objects.count(), Contact.objects.count())
    if not result.ok:
        assert after == before


JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), CELL),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=12,
)
TICKET_KEYS = ["id", "subject", "status", "priority", "created_at", "updated_at", "solved_at", "tags", "requester"]


@settings(max_examples=150, deadline=None)
@given(
    ticket=st.dictionaries(st.sampled_from(TICKET_KEYS), JSON, max_size=9),
    survey=st.dictionaries(st.sampled_from(["id", "score", "comment", "created_at", "person"]), JSON, max_size=5),
)
def test_webhook_bodies_read_or_name_the_field(ticket, survey):
    from imports.formats import surveys, tickets
    from imports.records import RecordInvalid

    for reader, payload in [(tickets.from_json, {"ticket": ticket}), (surveys.from_json, {"event_data": survey})]:
        try:
            reader(payload)
        except RecordInvalid as exc:
            assert exc.errors and all(column and message for column, message in exc.errors)


def test_a_webhook_date_out_of_range_names_the_field():
    from imports.formats import tickets
    from imports.records import RecordInvalid

    with pytest.raises(RecordInvalid) as caught:
        tickets.from_json({"ticket": {"id": 1, "subject": "x", "created_at": "9999-12-31T23:59:59-12:00"}})
    assert ("ticket.created_at", "“9999-12-31T23:59:59-12:00” is outside the years 1900–2999 (in UTC)") in (
        caught.value.errors
    )


@pytest.mark.postgres
def test_the_constraint_migration_lists_stored_dates_out_of_range_and_changes_nothing(sample_customers):
    """Rows stored before the constraints (year 0 in UTC, which Python cannot even read) are listed."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("customers.migrations.0010_imported_dates_in_range")
    customer = Customer.objects.first()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE customers_supportticket DROP CONSTRAINT ticket_dates_in_range")
        cursor.execute("ALTER TABLE customers_supportticket DROP CONSTRAINT ticket_updated_after_created")
        cursor.execute(
            "INSERT INTO customers_supportticket (source, external_id, customer_id, subject, status, priority,"
            " created_at, updated_at, escalated, reopen_count, tags, satisfaction, imported_at) VALUES"
            " ('zendesk', '77', %s, 'x', 'open', 'normal', '0001-01-01T00:00:00+14:00', now(), false, 0,"
            " '[]', '', now())",
            [customer.pk],
        )
    with connection.schema_editor() as editor, pytest.raises(RuntimeError) as caught:
        migration.refuse_dates_out_of_range(None, editor)
    message = str(caught.value)
    assert message.startswith("1 stored date(s) lie outside 1900–2999 (UTC)")
    assert "customers_supportticket id" in message and "(zendesk 77): created_at = 0001-12-31 10:00:00+00 BC" in message
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM customers_supportticket")
        assert cursor.fetchone()[0] == 1  # reported, not deleted
