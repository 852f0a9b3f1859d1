"""The PostgreSQL write path (imports/services/pgcopy*.py): COPY into a temporary table and one
upsert per batch, with the same outcome as the ORM path SQLite keeps. The behaviour tests run on
both databases; the query-shape tests need PostgreSQL."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection

from customers.models import Flag, SupportTicket, SurveyResponse
from imports.services import runner as runner_module
from imports.services import surveys_import, tickets_import
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = "external_id,customer_external_id,requester_email,subject,status,priority,created_at,tags"


def tickets_csv(*rows: str, header: str = HEADER) -> io.BytesIO:
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def ticket_rows(count: int, *, subject: str = "Export fails", tags: str = "billing") -> list[str]:
    return [f"T{n},C-1,,{subject} {n},open,normal,2026-11-0{1 + n % 9}T09:00:00Z,{tags}" for n in range(count)]


@pytest.fixture
def customer():
    return CustomerFactory(external_id="C-1", domain="one.example")


def test_counts_created_updated_unchanged(customer):
    first = tickets_import(stream=tickets_csv(*ticket_rows(5)), name="t.csv", file_format="csv")
    assert (first.created, first.updated, first.unchanged, first.ok) == (5, 0, 0, True)

    rows = ticket_rows(5)
    rows[1] = rows[1].replace("Export fails 1", "Export fails again")
    rows.append("T9,C-1,,New one,open,high,2026-11-02T09:00:00Z,")
    again = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv")

    assert (again.created, again.updated, again.unchanged) == (1, 1, 4)
    assert SupportTicket.objects.get(external_id="T1").subject == "Export fails again"
    assert SupportTicket.objects.get(external_id="T9").tags == []
    assert SupportTicket.objects.count() == 6


def test_a_bad_row_late_in_the_file_saves_nothing(customer, monkeypatch):
    monkeypatch.setattr(runner_module, "BATCH_SIZE", 10)  # the bad row comes several batches in
    rows = [*ticket_rows(45), "T99,C-1,,Late,open,normal,not a date,"]

    result = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv")

    assert not result.ok and result.created == 45
    assert [(e.row, e.column) for e in result.errors] == [(47, "created_at")]
    assert SupportTicket.objects.count() == 0


def test_an_unknown_customer_late_in_the_file_saves_nothing(customer, monkeypatch):
    monkeypatch.setattr(runner_module, "BATCH_SIZE", 10)
    rows = [*ticket_rows(25), "T99,C-404,,Nobody's,open,normal,2026-11-02T09:00:00Z,"]

    result = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv")

    assert [(e.row, e.column) for e in result.errors] == [(27, "customer_external_id")]
    assert "matches no customer" in result.errors[0].message
    assert SupportTicket.objects.count() == 0


def test_a_dry_run_counts_and_saves_nothing(customer):
    tickets_import(stream=tickets_csv(*ticket_rows(3)), name="t.csv", file_format="csv")
    rows = [*ticket_rows(3, subject="Changed"), "T7,C-1,,New,open,normal,2026-11-02T09:00:00Z,"]

    result = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv", dry_run=True)

    assert (result.created, result.updated, result.unchanged) == (1, 3, 0)
    assert SupportTicket.objects.count() == 3
    assert not SupportTicket.objects.filter(subject__startswith="Changed").exists()


def test_a_column_the_file_lacks_is_left_alone(customer):
    full = "external_id,customer_external_id,subject,status,priority,created_at,escalated,reopen_count,tags"
    tickets_import(
        stream=tickets_csv("T1,C-1,Export,pending,urgent,2026-11-01T09:00:00Z,true,3,vip billing", header=full),
        name="t.csv",
        file_format="csv",
    )

    result = tickets_import(
        stream=tickets_csv("T1,C-1,Export (renamed),2026-11-01T09:00:00Z", header="external_id,customer_external_id,subject,created_at"),
        name="t.csv",
        file_format="csv",
    )  # fmt: skip

    assert (result.updated, result.unchanged) == (1, 0)
    ticket = SupportTicket.objects.get()
    assert ticket.subject == "Export (renamed)"
    assert (ticket.status, ticket.priority, ticket.escalated, ticket.reopen_count) == ("pending", "urgent", True, 3)
    assert ticket.tags == ["vip", "billing"]


def test_a_requester_is_relinked_only_when_the_row_names_one(customer):
    contact = ContactFactory(customer=customer, email="dana@one.example")
    tickets_import(
        stream=tickets_csv("T1,C-1,dana@one.example,Export,open,normal,2026-11-01T09:00:00Z,"),
        name="t.csv",
        file_format="csv",
    )
    assert SupportTicket.objects.get().requester_id == contact.pk

    again = tickets_import(
        stream=tickets_csv("T1,C-1,,Export,open,normal,2026-11-01T09:00:00Z,"), name="t.csv", file_format="csv"
    )

    assert again.unchanged == 1
    assert SupportTicket.objects.get().requester_id == contact.pk


def test_the_ceo_call_tag_raises_one_flag_however_often_imported(customer):
    rows = ticket_rows(3)
    rows[2] = rows[2].replace(",billing", ",ceo-call billing")
    first = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv")
    again = tickets_import(stream=tickets_csv(*rows), name="t.csv", file_format="csv")

    assert (first.flags_raised, again.flags_raised) == (1, 0)
    flag = Flag.objects.get()
    assert (flag.origin, flag.ticket.external_id, flag.customer_id) == (Flag.Origin.TICKET_TAG, "T2", customer.pk)


def test_the_tag_on_a_stored_ticket_raises_a_flag_when_the_file_has_no_tags_column(customer):
    tickets_import(stream=tickets_csv(*ticket_rows(1, tags="ceo-call")), name="t.csv", file_format="csv")
    Flag.objects.all().delete()

    result = tickets_import(
        stream=tickets_csv("T0,C-1,Export,2026-11-01T09:00:00Z", header="external_id,customer_external_id,subject,created_at"),
        name="t.csv",
        file_format="csv",
    )  # fmt: skip

    assert result.flags_raised == 1 and Flag.objects.count() == 1


def test_surveys_count_and_keep_a_comment_the_file_lacks(customer):
    header = "external_id,customer_external_id,kind,score,responded_at,comment"
    rows = ["S1,C-1,nps,9,2026-11-01T09:00:00Z,Great", "S2,C-1,csat,4,2026-11-01T09:00:00Z,"]
    first = surveys_import(stream=tickets_csv(*rows, header=header), name="s.csv", file_format="csv")
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)

    header = "external_id,customer_external_id,kind,score,responded_at"
    rows = ["S1,C-1,nps,9,2026-11-01T09:00:00Z", "S2,C-1,csat,5,2026-11-01T09:00:00Z"]
    again = surveys_import(stream=tickets_csv(*rows, header=header), name="s.csv", file_format="csv")

    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert dict(SurveyResponse.objects.values_list("external_id", "comment")) == {"S1": "Great", "S2": ""}
    assert SurveyResponse.objects.get(external_id="S2").score == 5


def test_text_with_quotes_commas_tabs_and_line_breaks_arrives_as_written(customer):
    subject = 'He said "no", then\ttabbed\nand left \\ here'
    quoted = '"' + subject.replace('"', '""') + '"'
    tickets_import(
        stream=tickets_csv(f"T1,C-1,,{quoted},open,normal,2026-11-01T09:00:00+02:00,"), name="t.csv", file_format="csv"
    )

    ticket = SupportTicket.objects.get()
    assert ticket.subject == subject
    assert ticket.created_at == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
    assert ticket.solved_at is None and ticket.requester_id is None


@pytest.mark.postgres
def test_statements_per_batch_stay_constant(customer, django_assert_max_num_queries, monkeypatch):
    """Per batch: the matcher's lookup, create-if-missing, truncate, the upsert (the COPY itself
    goes through the driver's cursor and is not counted); plus the transaction's savepoint."""
    monkeypatch.setattr(runner_module, "BATCH_SIZE", 100)
    assert connection.vendor == "postgresql"
    with django_assert_max_num_queries(3 * 4 + 2) as small:
        tickets_import(stream=tickets_csv(*ticket_rows(300)), name="t.csv", file_format="csv")
    with django_assert_max_num_queries(12 * 4 + 2) as large:
        tickets_import(stream=tickets_csv(*ticket_rows(1200, subject="Other")), name="t.csv", file_format="csv")

    copy_statements = [q for q in large.captured_queries if "ON CONFLICT" in q["sql"]]
    assert len(copy_statements) == 12
    assert max(len(q["sql"]) for q in large.captured_queries) < 2000  # no rows in the SQL text
    assert len(small.captured_queries) < len(large.captured_queries)


@pytest.mark.postgres
def test_with_debug_on_the_statement_log_does_not_grow_with_the_file(customer, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(runner_module, "BATCH_SIZE", 100)
    connection.queries_log.clear()

    result = tickets_import(stream=tickets_csv(*ticket_rows(1000)), name="t.csv", file_format="csv")

    assert result.created == 1000
    assert len(connection.queries_log) < 10


def test_zone_names_are_read_once_however_many_rows_name_one(monkeypatch):
    """available_timezones() walks the tz database (4 ms); once per row made 5,000 rows take 23 s."""
    import zoneinfo

    from ceocalls.timezones import known_timezones
    from imports.services import customers_import

    calls = []
    real = zoneinfo.available_timezones
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: calls.append(1) or real())
    known_timezones.cache_clear()
    rows = [f"C-{n},Customer {n},Europe/Oslo" for n in range(50)]

    result = customers_import(stream=tickets_csv(*rows, header="external_id,name,timezone"), name="c.csv")

    assert (result.created, result.ok) == (50, True)
    assert len(calls) == 1
