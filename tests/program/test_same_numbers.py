"""One dataset, and every place that shows a number about it says the same: the admin's home,
/program/ (page and CSV), /commitments/?overdue=1 (page and CSV), the weekly program e-mail and the
customer list (its Alarms column and its "Has an alarm" filter). Where two numbers really differ
("overdue now" against "made in these weeks and now overdue"), each says which it is."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from callsheets.builder.signals import latest_low_answers
from callsheets.models import CallLog, Commitment, ScoringPolicy, SheetEntry
from customers.models import Customer, SurveyResponse
from notifications import services as emails
from tests.factories import (
    AdminFactory,
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday; TIME_ZONE is UTC
TODAY = NOW.date()
THIS_WEEK, LAST_WEEK = date(2026, 11, 30), date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def data():
    """Two executives, last week's and this week's sheets, calls, promises, surveys and a flag."""
    c = {
        name: CustomerFactory(name=name)
        for name in [
            "Alder",
            "Birch",
            "Cedar",
            "Dogwood",
            "Elm",
            "Fir",
            "Gum",
            "Hazel",
            "Ivy",
            "Juniper",
            "Kapok",
            "Larch",
            "Maple",
        ]
    }
    erin = ExecutiveFactory(user__first_name="Erin", timezone="Europe/Oslo")
    dan = ExecutiveFactory(user__first_name="Dan", timezone="America/New_York", weekday=2)

    # Last week: Erin planned Alder, Birch, Cedar (+ Dogwood as a backup). She reached Alder on the
    # sheet and again two days later off it (one customer called), left Birch a voicemail; Dan
    # reached Elm off any sheet. Made 3 customers, reached 2; four calls were logged.
    last = CallSheetFactory(executive=erin, week_start=LAST_WEEK)
    alder = SheetEntryFactory(sheet=last, customer=c["Alder"], position=1, status=SheetEntry.Status.CALLED)
    birch = SheetEntryFactory(sheet=last, customer=c["Birch"], position=2, status=SheetEntry.Status.CALLED)
    SheetEntryFactory(sheet=last, customer=c["Cedar"], position=3)
    SheetEntryFactory(sheet=last, customer=c["Dogwood"], position=4, is_backup=True)
    alder_call = CallLogFactory(
        executive=erin, customer=c["Alder"], entry=alder, called_at=at(LAST_WEEK + timedelta(1), 9)
    )
    CallLogFactory(executive=erin, customer=c["Alder"], called_at=at(LAST_WEEK + timedelta(3), 9))
    CallLogFactory(
        executive=erin,
        customer=c["Birch"],
        entry=birch,
        called_at=at(LAST_WEEK + timedelta(1), 9),
        outcome=CallLog.Outcome.VOICEMAIL,
    )
    elm_call = CallLogFactory(executive=dan, customer=c["Elm"], called_at=at(LAST_WEEK + timedelta(2), 15))

    # This week: Fir is #1 on Erin's sheet with two promises overdue since October, Gum a listening
    # call (no alarm), Hazel a backup. Dan reached Ivy twice, off any sheet.
    this = CallSheetFactory(executive=erin, week_start=THIS_WEEK)
    SheetEntryFactory(sheet=this, customer=c["Fir"], position=1)
    SheetEntryFactory(sheet=this, customer=c["Gum"], position=2, is_listening=True, reasons=[])
    SheetEntryFactory(sheet=this, customer=c["Hazel"], position=3, is_backup=True)
    CallLogFactory(executive=dan, customer=c["Ivy"], called_at=at(THIS_WEEK, 15))
    CallLogFactory(executive=dan, customer=c["Ivy"], called_at=at(THIS_WEEK + timedelta(1), 15))

    # Promises. Overdue now: Fir's two (made ten weeks ago, before /program/'s 8 weeks), one from
    # Alder's call, one from Elm's call = 4; of those, made in the last 8 weeks: 2.
    old_call = CallLogFactory(executive=erin, customer=c["Fir"], called_at=NOW - timedelta(weeks=10))
    for due in (date(2026, 10, 1), date(2026, 10, 15)):
        CommitmentFactory(call=old_call, due_date=due, created_at=old_call.called_at)
    CommitmentFactory(call=alder_call, due_date=date(2026, 11, 27), created_at=alder_call.called_at)
    CommitmentFactory(call=alder_call, due_date=date(2026, 12, 10), created_at=alder_call.called_at)
    CommitmentFactory(call=alder_call, due_date=TODAY, created_at=alder_call.called_at)  # due today: not late yet
    CommitmentFactory(
        call=alder_call, due_date=date(2026, 11, 25), created_at=alder_call.called_at, status="done", completed_at=NOW
    )
    CommitmentFactory(call=elm_call, due_date=date(2026, 12, 1), created_at=elm_call.called_at)

    # Surveys on the edge of the detractor rule, and one waiting flag.
    for name, kind, score in (("Juniper", "nps", 6), ("Kapok", "nps", 7), ("Larch", "csat", 2), ("Maple", "csat", 3)):
        SurveyResponseFactory(customer=c[name], kind=kind, score=score, responded_at=NOW - timedelta(days=1))
    FlagFactory(customer=c["Cedar"])
    return c


def test_every_page_email_and_csv_agree(client, data):
    admin = AdminFactory(email="rita@example.com")
    client.force_login(admin)
    assert Commitment.objects.overdue().count() == 4

    # The admin's home.
    home = client.get("/").content.decode()
    assert re.search(r'id="overdue-now">4<', home) and "commitments overdue now</a>, whenever made" in home
    assert re.search(r'id="calls-made">1 <span[^>]*>of 2</span>', home)  # this week: Ivy, of Fir and Gum

    # /program/: the same "overdue now", beside the promises made in its weeks and now overdue.
    program = client.get("/program/")
    m = program.context["m"]
    assert (m.overdue_now, m.total.overdue) == (4, 2)
    html = program.content.decode()
    assert "2 made in these weeks and now overdue" in html and ">4 overdue now</a>, whenever made" in html
    assert (m.by_week[THIS_WEEK].made, m.by_week[THIS_WEEK].planned, m.by_week[THIS_WEEK].reached) == (1, 2, 1)
    last = m.by_week[LAST_WEEK]
    assert (last.planned, last.made, last.reached) == (3, 3, 2)
    rows = list(
        csv.DictReader(io.StringIO(client.get("/program/", {"format": "csv", "table": "calls"}).content.decode()))
    )
    assert [(r["Planned"], r["Made"], r["Reached"]) for r in rows if r["Week of"] == LAST_WEEK.isoformat()] == [
        ("3", "3", "2")
    ]

    # /commitments/?overdue=1, the page and its CSV.
    listing = client.get("/commitments/", {"overdue": "1"})
    assert listing.context["page"].paginator.count == 4 and listing.context["totals"]["overdue"] == 4
    exported = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get("/commitments/", {"overdue": "1", "format": "csv"}).streaming_content).decode()
            )
        )
    )
    assert len(exported) == 4 and {r["overdue"] for r in exported} == {"yes"}

    # The weekly e-mail about last week: /program/'s numbers for that week, and today's "overdue now".
    assert emails.program_weekly_send(today=TODAY) == {"sent": 1}
    text = mail.outbox[0].body
    assert "3 customers called of 3 planned, by 2 executives; 2 reached" in text
    assert "4 promises overdue now in all, whenever made" in text
    assert "5 made: 1 kept so far, 0 dropped, 2 now overdue" in text  # the promises made last week
    week = client.get("/program/", {"start": LAST_WEEK.isoformat(), "end": LAST_WEEK.isoformat()}).context["m"]
    assert (week.total.made, week.total.reached, week.total.promises, week.total.overdue) == (3, 2, 5, 2)
    assert week.overdue_now == 4

    # The customer list: its Alarms column and its filter are one definition.
    page = client.get("/customers/", {"q": "Fir"}).content.decode()
    assert "2 overdue promises" in page and "#1 on this week&#x27;s sheet" in page
    everyone = client.get("/customers/").context["rows"]
    with_alarm_column = {customer.name for customer, alarms in everyone if alarms}
    filtered = {customer.name for customer, _ in client.get("/customers/", {"alarm": "1"}).context["rows"]}
    assert with_alarm_column == filtered == {"Alder", "Cedar", "Elm", "Fir", "Hazel", "Juniper", "Larch"}


def test_one_detractor_rule_everywhere(data):
    for kind, scores in (("nps", range(11)), ("csat", range(1, 6))):
        for score in scores:
            SurveyResponseFactory(kind=kind, score=score, responded_at=NOW - timedelta(days=2))
    answers = list(SurveyResponse.objects.all())
    by_queryset = set(SurveyResponse.objects.detractors().values_list("pk", flat=True))
    assert by_queryset == {r.pk for r in answers if r.is_detractor}
    assert {(r.kind, r.score) for r in answers if r.is_detractor} == {("nps", s) for s in range(7)} | {
        ("csat", 1),
        ("csat", 2),
    }
    # The builder reads each customer's latest answer with the same rule.
    latest = {a.customer_id for a in latest_low_answers(ScoringPolicy.objects.active(), NOW)}
    assert {Customer.objects.get(pk=pk).name for pk in latest if pk in {c.pk for c in data.values()}} == {
        "Juniper",
        "Larch",
    }
