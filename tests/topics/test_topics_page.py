"""/program/topics/: topics from what customers said, who sees which notes, the CSV, the limits."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsheets.models import CallSheet, Commitment, Topic
from callsheets.models_topics import topics_seed_defaults
from callsheets.services.calls import PromiseInput, call_log
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    LeadFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; this week began Mon 23 Nov
PRIVATE = "Private: the outage cost them their biggest client"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def topics():
    Topic.objects.all().delete()
    topics_seed_defaults()
    return {t.name: t for t in Topic.objects.all()}


def a_call(executive, customer, *, notes, private=False, promise=None, days_ago=2):
    sheet = CallSheet.objects.filter(executive=executive).first() or CallSheetFactory(executive=executive)
    position = sheet.entries.count() + 1
    entry = SheetEntryFactory(
        sheet=sheet, customer=customer, contact=ContactFactory(customer=customer), position=position
    )
    promises = [PromiseInput(promise, executive.user, NOW.date() + timedelta(days=7))] if promise else []
    return call_log(
        entry_id=entry.pk,
        by=executive.user,
        outcome="reached",
        notes=notes,
        notes_private=private,
        called_at=NOW - timedelta(days=days_ago),
        promises=promises,
    )


@pytest.fixture
def said(topics):
    """Three customers talking about outages and billing, this period and the one before."""
    aurora, boreal, cobalt = (CustomerFactory(name=n) for n in ("Aurora Freight", "Boreal Health", "Cobalt Mining"))
    anna = ExecutiveFactory(user__first_name="Anna", user__last_name="Berg")
    bea = ExecutiveFactory(user__first_name="Bea", user__last_name="Holm")
    SurveyResponseFactory(
        customer=aurora, score=2, comment="Third OUTAGE this month. We are evaluating alternatives.",
        responded_at=NOW - timedelta(days=3),
    )  # fmt: skip
    SurveyResponseFactory(
        customer=boreal, score=4, comment="=HYPERLINK(\"http://x\") we were charged twice on the invoice",
        responded_at=NOW - timedelta(days=10),
    )  # fmt: skip
    SurveyResponseFactory(customer=cobalt, score=9, comment="Rapid and friendly.", responded_at=NOW - timedelta(days=4))
    TicketFactory(
        customer=boreal, subject="Webhooks stopped", tags=["outage", "weird-tag"], created_at=NOW - timedelta(days=5)
    )
    TicketFactory(customer=cobalt, subject="Outage on Monday", created_at=NOW - timedelta(weeks=10))  # previous period
    TicketFactory(customer=cobalt, subject="Outage again", created_at=NOW - timedelta(weeks=12))  # previous period
    a_call(
        anna, aurora, notes="Angry about the outage; apologised.", promise="Send the written postmortem of the outage"
    )
    a_call(bea, boreal, notes=PRIVATE, private=True)
    return {"aurora": aurora, "boreal": boreal, "cobalt": cobalt, "anna": anna, "bea": bea}


def rows_of(response) -> dict:
    return {row.topic.name: row for row in response.context["report"].rows}


def test_who_may_open_it(client, topics):
    client.logout()
    assert client.get("/program/topics/").url.startswith("/accounts/login/")
    for user, status in (
        (AdminFactory(), 200),
        (ExecutiveFactory().user, 200),
        (LeadFactory(), 403),
        (UserFactory(), 403),
    ):
        client.force_login(user)
        assert client.get("/program/topics/").status_code == status
        assert client.get("/program/topics/?format=csv").status_code == status


def test_topics_count_mentions_customers_and_trend(client, said):
    client.force_login(AdminFactory())
    response = client.get("/program/topics/")
    assert response.status_code == 200
    rows = rows_of(response)
    outages = rows["Outages & reliability"]
    # survey (Aurora), ticket tag (Boreal), Anna's note (Aurora), the promise (Aurora), Bea's private note (Boreal)
    assert (outages.mentions, outages.customers, outages.previous) == (5, 2, 2)
    assert outages.trend == "+150 %" and outages.direction == "up"
    assert outages.weekly[-2:] == [2, 3]  # survey (Sun) and ticket (Fri) last week; the call's three this week
    assert [p.promise for p in outages.promises] == ["Send the written postmortem of the outage"]
    assert outages.promises[0].status_label == "open"
    assert rows["Billing"].mentions == 1 and rows["Billing"].trend == "new"
    assert "Performance" not in rows  # "Rapid" does not start with "api", nor anything else
    html = response.content.decode()
    assert "Third OUTAGE this month." in html and 'href="/customers/' in html
    assert PRIVATE.split(": ")[1] in html  # admins read every note
    assert "weird-tag · 1" in html  # a tag no topic covers
    assert "Onboarding" in html.split('id="topics-quiet"')[1]


def test_an_executive_never_sees_or_counts_another_executives_private_note(client, said):
    client.force_login(said["anna"].user)
    response = client.get("/program/topics/")
    outages = rows_of(response)["Outages & reliability"]
    assert outages.mentions == 4 and outages.by_source["note"] == 1
    assert "biggest client" not in response.content.decode()
    csv_text = client.get("/program/topics/?format=csv").content.decode()
    assert "biggest client" not in csv_text
    client.force_login(said["bea"].user)  # her own private note: hers to read
    assert "biggest client" in client.get("/program/topics/").content.decode()


def test_csv_has_the_same_rows_and_guards_formulas(client, said):
    client.force_login(AdminFactory())
    page = rows_of(client.get("/program/topics/?weeks=4"))
    response = client.get("/program/topics/?weeks=4&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="topics-2026-11-02-to-2026-11-23.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    assert header[:6] == ["Topic", "Keywords", "Mentions", "Customers", "Mentions in the previous period", "Change"]
    assert header[-4:] == ["Week of 2026-11-02", "Week of 2026-11-09", "Week of 2026-11-16", "Week of 2026-11-23"]
    by_topic = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert list(by_topic) == list(page)
    assert by_topic["Outages & reliability"]["Mentions"] == "5"
    billing_quote = by_topic["Billing"]["Latest survey comment"]
    assert billing_quote.startswith("'=HYPERLINK(")  # the formula guard: shown as text, never run
    assert by_topic["Outages & reliability"]["Latest survey comment"] == "Third OUTAGE this month."
    assert "apologised" not in response.content.decode()  # no CSV carries call notes


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=nope", "start: give a date as YYYY-MM-DD."),
        ("start=0001-01-01", "start: give a date between 1900 and 2999"),
        ("start=2026-11-23&end=2026-11-02", "is after end"),
        ("start=2020-01-06&end=2026-11-23", "Choose at most 104 weeks"),
        ("weeks=0", "weeks: give at least 1."),
        ("format=xlsx", "is not a format; leave it out, or give csv."),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, topics, query, message):
    client.force_login(AdminFactory())
    response = client.get(f"/program/topics/?{query}")
    assert response.status_code == 400 and message in response.content.decode()
    if "format" not in query:
        csv_response = client.get(f"/program/topics/?{query}&format=csv")
        assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_empty_states(client, topics):
    client.force_login(ExecutiveFactory().user)
    html = client.get("/program/topics/").content.decode()
    assert "Nothing customers said in these weeks matches a topic" in html
    Topic.objects.all().delete()
    html = client.get("/program/topics/").content.decode()
    assert "No topics are defined yet" in html


def test_queries_do_not_grow_with_the_data(client, said, django_assert_max_num_queries):
    admin = AdminFactory()
    client.force_login(admin)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/program/topics/").status_code == 200
    for n in range(15):
        customer = CustomerFactory()
        SurveyResponseFactory(
            customer=customer, comment=f"Invoice {n} wrong, and slow", responded_at=NOW - timedelta(days=1)
        )
        TicketFactory(customer=customer, subject=f"Outage {n}", tags=["billing", f"tag{n}"])
        a_call(said["anna"], customer, notes=f"Pricing worry {n}", promise=f"Refund invoice {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/program/topics/?weeks=13")
    assert response.status_code == 200
    assert rows_of(response)["Billing"].mentions >= 45
    assert len(rows_of(response)["Billing"].quotes) == 3 and len(rows_of(response)["Billing"].promises) == 5
    assert Commitment.objects.count() == 16


def test_the_program_page_and_the_nav_link_to_it(client, topics):
    client.force_login(AdminFactory())
    assert 'id="topics-link"' in client.get("/program/").content.decode()
    assert 'href="/program/topics/"' in client.get("/program/topics/").content.decode()
    client.force_login(ExecutiveFactory().user)
    assert 'href="/program/topics/"' in client.get("/customers/").content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["start", "end", "weeks", "format"]), st.text(max_size=12), max_size=4))
def test_any_query_string_is_a_page_or_a_400_never_a_500(client, topics, params):
    client.force_login(AdminFactory(email="hypo@example.com"))
    response = client.get("/program/topics/", params)
    assert response.status_code in (200, 400)
