"""Who gets on a sheet: capacity, one sheet per customer per week, cooldown, contacts, listening, assignment."""

from datetime import time, timedelta

import pytest

from callsheets.builder import build_week
from callsheets.models import CallSheet, SheetEntry
from customers.models import Customer, Flag
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import (
    CallLogFactory,
    CommitmentFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    SurveyResponseFactory,
)

pytestmark = pytest.mark.django_db


def detractor(score=3, **kwargs):
    customer = callable_customer(**kwargs)
    SurveyResponseFactory(
        customer=customer, score=score, comment=f"Score {score}", responded_at=NOW - timedelta(days=3)
    )
    return customer


def test_capacity_is_slot_over_minutes_per_call_plus_backups_with_one_listening_call(executive, policy):
    angry = [detractor(score=i % 7) for i in range(10)]
    quiet = [callable_customer() for _ in range(5)]
    sheet = build_week(NEXT_WEEK, now=NOW).sheets[0]
    main = [e for e in sheet.ordered() if not e.is_backup]
    backups = [e for e in sheet.ordered() if e.is_backup]
    assert len(main) == 60 // 15 and len(backups) == policy.backups
    assert [e.position for e in sheet.ordered()] == [1, 2, 3, 4, 5, 6]
    assert [e.is_listening for e in main] == [False, False, False, True]
    assert main[-1].customer in quiet and main[-1].reasons[0]["code"] == "listening"
    assert {e.customer for e in main[:3] + backups} <= set(angry)
    scores = [e.score for e in main[:3] + backups]
    assert scores == sorted(scores, reverse=True)
    stored = SheetEntry.objects.filter(sheet__executive=executive)
    assert stored.count() == 6 and stored.backups().count() == 2 and stored.filter(is_listening=True).count() == 1


def test_customers_left_off_for_capacity_are_reported(executive, policy):
    for i in range(10):
        detractor(score=i % 7)
    result = build_week(NEXT_WEEK, now=NOW)
    capacity = [s for s in result.skipped if s.code == "capacity"]
    assert len(capacity) == 10 - 5  # 3 main places (one is for listening) and 2 backups
    assert capacity[0].text.startswith("No room: every sheet of the week of 23 Nov was full")
    inputs = CallSheet.objects.get().inputs
    assert inputs["counts"]["left_off"] == {"capacity": 5}
    assert [row["code"] for row in inputs["left_off"]] == ["capacity"] * 5
    assert inputs["policy"]["cooldown_days"] == 60


def test_a_customer_is_on_one_sheet_per_week_across_executives(executive, policy):
    ExecutiveFactory(timezone="America/Chicago", weekday=2)
    ExecutiveFactory(timezone="America/Chicago", weekday=3)
    for i in range(30):
        detractor(score=i % 7)
    for _ in range(10):
        callable_customer()
    result = build_week(NEXT_WEEK, now=NOW)
    customers = [e.customer.id for s in result.sheets for e in s.entries]
    assert len(customers) == len(set(customers)) == 18
    # Building one executive's sheet again keeps the others' customers off it.
    again = build_week(NEXT_WEEK, executive=executive, now=NOW)
    assert len(again.sheets) == 1
    week = SheetEntry.objects.filter(week_start=NEXT_WEEK)
    assert week.count() == 18 and week.values("customer").distinct().count() == 18


def test_cooldown_leaves_off_reached_customers_unless_urgent_or_overdue(executive, policy):
    reached = detractor()
    CallLogFactory(executive=executive, customer=reached, called_at=NOW - timedelta(days=20))
    urgent = detractor()
    CallLogFactory(executive=executive, customer=urgent, called_at=NOW - timedelta(days=20))
    FlagFactory(customer=urgent, urgency=Flag.Urgency.URGENT)
    owed = detractor()
    call = CallLogFactory(executive=executive, customer=owed, called_at=NOW - timedelta(days=20))
    CommitmentFactory(call=call, due_date=NOW.date() - timedelta(days=1))
    not_reached = detractor()
    CallLogFactory(executive=executive, customer=not_reached, called_at=NOW - timedelta(days=20), outcome="voicemail")
    long_ago = detractor()
    CallLogFactory(executive=executive, customer=long_ago, called_at=NOW - timedelta(days=61))
    ends_before_the_week = detractor()  # 60 days run out on Sunday: callable in the week built
    CallLogFactory(executive=executive, customer=ends_before_the_week, called_at=NOW - timedelta(days=59, hours=12))

    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    placed = {e.customer for s in result.sheets for e in s.entries}
    assert {urgent, owed, not_reached, long_ago, ends_before_the_week} <= placed and reached not in placed
    (skip,) = [s for s in result.skipped if s.customer == reached]
    assert skip.code == "cooldown"
    assert skip.text == f"In cooldown until 1 Jan: reached by {executive.name} on 2 Nov"


def test_only_callable_contacts_flag_then_survey_then_primary(executive, policy):
    nobody = CustomerFactory(name="Nobody callable")
    ContactFactory(customer=nobody, do_not_call=True)
    ContactFactory(customer=nobody, phone="", is_primary=False)
    SurveyResponseFactory(customer=nobody, score=0, responded_at=NOW - timedelta(days=1))
    flagged = callable_customer()
    named = ContactFactory(customer=flagged, is_primary=False, name="Named On Flag")
    FlagFactory(customer=flagged, contact=named)
    surveyed = callable_customer()
    answered = ContactFactory(customer=surveyed, is_primary=False, name="Answered Survey")
    SurveyResponseFactory(customer=surveyed, contact=answered, score=1, responded_at=NOW - timedelta(days=1))
    fallback = CustomerFactory()
    ContactFactory(customer=fallback, do_not_call=True)  # the primary may not be called
    other = ContactFactory(customer=fallback, is_primary=False, name="Zed Other")
    SurveyResponseFactory(customer=fallback, score=2, responded_at=NOW - timedelta(days=1))

    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    contacts = {e.customer: e.contact for s in result.sheets for e in s.entries}
    assert contacts[flagged] == named and contacts[surveyed] == answered and contacts[fallback] == other
    (skip,) = [s for s in result.skipped if s.customer == nobody]
    assert skip.code == "no_callable_contact"
    assert "do-not-call" in skip.text and nobody not in contacts


def test_churned_customers_are_not_called(executive, policy):
    gone = detractor(lifecycle_status=Customer.Lifecycle.CHURNED)
    quiet_but_gone = callable_customer(lifecycle_status=Customer.Lifecycle.CHURNED)
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    placed = {e.customer for s in result.sheets for e in s.entries}
    assert gone not in placed and quiet_but_gone not in placed
    assert [s.code for s in result.skipped if s.customer == gone] == ["churned"]


def test_listening_calls_are_random_but_seeded_by_the_week(executive, policy):
    ExecutiveFactory(timezone="America/Chicago", weekday=3)
    for _ in range(40):
        callable_customer()

    def listening(week):
        result = build_week(week, now=NOW, dry_run=True)
        return [(s.executive.id, e.customer.id) for s in result.sheets for e in s.entries if e.is_listening]

    this_week = listening(NEXT_WEEK)
    assert this_week == listening(NEXT_WEEK + timedelta(days=3))  # any day of the week, same draw
    assert this_week != listening(NEXT_WEEK + timedelta(days=7))
    assert len(this_week) == 2 * 6  # nothing alarming: every place goes to a quiet customer


def test_same_data_gives_the_same_sheets(executive, policy):
    ExecutiveFactory(timezone="America/Chicago", weekday=2)
    for _ in range(14):
        detractor(score=3)  # equal scores: ties break on the customer
    for _ in range(6):
        callable_customer()
    first = build_week(NEXT_WEEK, now=NOW, dry_run=True).as_json()
    second = build_week(NEXT_WEEK, now=NOW).as_json()
    for sheet in second:
        sheet["sheet_id"] = None
    assert first == second


def test_assignment_prefers_relationship_then_business_hours_then_load(policy):
    tokyo_morning = ExecutiveFactory(timezone="Asia/Tokyo", weekday=1, start_time=time(10, 0))
    chicago_morning = ExecutiveFactory(timezone="America/Chicago", weekday=1, start_time=time(10, 0))
    in_chicago = detractor(score=0, timezone="America/Chicago")
    in_tokyo = detractor(score=1, timezone="Asia/Tokyo")
    # Tokyo's Tuesday 10:00–11:00 is Monday 17:00–18:00 in Los Angeles: past business hours but
    # inside calling hours, so the relationship wins over Chicago's 08:00 there.
    old_friend = detractor(score=2, timezone="America/Los_Angeles")
    CallLogFactory(executive=tokyo_morning, customer=old_friend, called_at=NOW - timedelta(days=200))
    # Tokyo's slot is 19:00–20:00 in Chicago: outside calling hours, which beat the relationship.
    chicago_friend = detractor(score=2, timezone="America/Chicago")
    CallLogFactory(executive=tokyo_morning, customer=chicago_friend, called_at=NOW - timedelta(days=200))
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    where = {e.customer: s.executive for s in result.sheets for e in s.entries}
    assert where[in_chicago] == chicago_morning
    assert where[in_tokyo] == tokyo_morning
    assert where[old_friend] == tokyo_morning
    assert where[chicago_friend] == chicago_morning
    # With no preference at all, the load balances.
    loads = [sum(not e.is_listening for e in s.entries) for s in result.sheets]
    assert max(loads) - min(loads) <= 1


def test_flags_move_to_scheduled_or_say_why_not(executive, policy):
    placed = callable_customer()
    flag = FlagFactory(customer=placed)
    unreachable = CustomerFactory()
    ContactFactory(customer=unreachable, phone="")
    stuck = FlagFactory(customer=unreachable)
    build_week(NEXT_WEEK, now=NOW)
    flag.refresh_from_db()
    stuck.refresh_from_db()
    assert flag.status == Flag.Status.SCHEDULED and flag.sheet == CallSheet.objects.get() and flag.scheduled_at
    assert flag.sheet_entries.get().customer == placed
    assert stuck.status == Flag.Status.OPEN and stuck.sheet is None
    assert stuck.not_placed_reason.startswith("No callable contact")


def test_dry_run_writes_nothing(executive, policy):
    flag = FlagFactory(customer=callable_customer())
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    assert len(result.sheets[0].entries) == 1
    assert not CallSheet.objects.exists() and not SheetEntry.objects.exists()
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN


def test_executives_without_slot_or_inactive_get_no_sheet_and_a_message(executive, policy):
    ExecutiveFactory(weekday=None, start_time=None, user__email="noslot@example.com")
    ExecutiveFactory(is_active=False, user__email="gone@example.com")
    result = build_week(NEXT_WEEK, now=NOW)
    assert [s.executive for s in result.sheets] == [executive]
    assert result.messages == [
        "noslot@example.com has no weekly slot: no sheet",
        "gone@example.com is inactive: no sheet",
    ]
    assert CallSheet.objects.count() == 1
