"""Each signal gives its points and a sentence a person can read."""

from datetime import timedelta

import pytest

from callsheets.builder import build_week
from callsheets.models import SheetEntry
from customers.models import Customer, SurveyResponse
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import (
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db


def entry_of(result, customer):
    return next(e for s in result.sheets for e in s.entries if e.customer.id == customer.id)


def reason(entry, code):
    return next(r for r in entry.reasons if r["code"] == code)


def test_nps_detractor_quotes_the_comment_and_lower_weighs_more(executive, policy):
    angry = callable_customer(name="Angry")
    SurveyResponseFactory(
        customer=angry,
        score=0,
        comment="Don't bother, you guys are absolute idiots",
        responded_at=NOW - timedelta(days=10),
    )
    grumpy = callable_customer(name="Grumpy")
    SurveyResponseFactory(customer=grumpy, score=5, comment="Meh.", responded_at=NOW - timedelta(days=10))
    result = build_week(NEXT_WEEK, now=NOW)
    top = reason(entry_of(result, angry), "nps_detractor")
    assert top["text"] == 'NPS 0 on 12 Nov: "Don\'t bother, you guys are absolute idiots"'
    assert top["points"] == 7 * policy.weight_nps_detractor
    assert reason(entry_of(result, grumpy), "nps_detractor")["points"] == 2 * policy.weight_nps_detractor
    assert entry_of(result, angry).position < entry_of(result, grumpy).position


def test_a_later_good_answer_replaces_a_detractor_and_old_answers_fall_out_of_the_window(executive, policy):
    changed_mind = callable_customer()
    SurveyResponseFactory(customer=changed_mind, score=1, responded_at=NOW - timedelta(days=20))
    SurveyResponseFactory(customer=changed_mind, score=9, responded_at=NOW - timedelta(days=2))
    long_ago = callable_customer()
    SurveyResponseFactory(customer=long_ago, score=0, responded_at=NOW - timedelta(days=policy.survey_window_days + 1))
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    alarmed = {e.customer.id for s in result.sheets for e in s.entries if not e.is_listening}
    assert alarmed == set()


def test_low_csat_is_a_signal(executive, policy):
    customer = callable_customer()
    SurveyResponseFactory(
        customer=customer, kind=SurveyResponse.Kind.CSAT, score=1, comment="", responded_at=NOW - timedelta(days=3)
    )
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    assert reason(entry, "csat_low") == {
        "code": "csat_low",
        "text": "CSAT 1 of 5 on 19 Nov, no comment",
        "points": 2 * policy.weight_csat_low,
    }


def noisy_help_desk(customer):
    when = NOW - timedelta(days=20)
    TicketFactory(
        customer=customer,
        external_id="4812",
        subject="Billing says we owe $400",
        priority="urgent",
        reopen_count=2,
        created_at=when,
    )
    TicketFactory(customer=customer, external_id="4813", subject="SSO broken", priority="urgent", created_at=when)
    TicketFactory(customer=customer, external_id="4814", subject="Slow", priority="urgent", created_at=when)
    TicketFactory(customer=customer, external_id="4815", subject="Export fails", escalated=True, status="solved")
    TicketFactory(customer=customer, external_id="4816", subject="High one", priority="high", status="closed")


def test_ticket_points_are_capped_together(executive, policy):
    customer = callable_customer()
    noisy_help_desk(customer)
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    tickets = [r for r in entry.reasons if r["code"].endswith("_tickets")]
    assert sum(r["points"] for r in tickets) == pytest.approx(policy.ticket_points_cap, abs=0.05)
    assert entry.signals["ticket_points_before_cap"] == 36 + 5 + 10 + 12 + 12


def test_tickets_give_one_reason_per_kind_naming_the_tickets(executive, policy):
    policy.ticket_points_cap = 0  # no cap: each kind's own points
    policy.save()
    customer = callable_customer()
    when = NOW - timedelta(days=20)
    TicketFactory(
        customer=customer,
        external_id="4812",
        subject="Billing says we owe $400",
        priority="urgent",
        reopen_count=2,
        created_at=when,
    )
    TicketFactory(customer=customer, external_id="4813", subject="SSO broken", priority="urgent", created_at=when)
    TicketFactory(customer=customer, external_id="4814", subject="Slow", priority="urgent", created_at=when)
    TicketFactory(customer=customer, external_id="4815", subject="Export fails", escalated=True, status="solved")
    TicketFactory(customer=customer, external_id="4816", subject="High one", priority="high", status="closed")
    # Outside the window and solved: not counted.
    TicketFactory(customer=customer, priority="urgent", status="solved", created_at=NOW - timedelta(days=90))
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    assert reason(entry, "urgent_tickets")["text"] == (
        '3 urgent tickets: #4812 "Billing says we owe $400", #4813 "SSO broken" and 1 more'
    )
    assert reason(entry, "urgent_tickets")["points"] == 3 * policy.weight_urgent_ticket
    assert reason(entry, "reopened_tickets")["text"] == '#4812 "Billing says we owe $400" reopened twice'
    assert reason(entry, "escalated_tickets")["text"] == '#4815 "Export fails" escalated'
    assert reason(entry, "high_tickets")["text"] == '1 high-priority ticket: #4816 "High one"'
    old = reason(entry, "old_open_tickets")
    assert (
        old["text"]
        == '3 tickets open over 14 days: #4812 "Billing says we owe $400" (20 days), #4813 "SSO broken" (20 days) and 1 more'
    )
    assert entry.signals["tickets"] == {"urgent": 3, "high": 1, "escalated": 1, "reopens": 2, "old_open": 3}


def test_overdue_commitment_brings_a_follow_up_call_to_the_executive_who_made_it(executive, policy):
    other = ExecutiveFactory(timezone="America/Chicago", weekday=1)
    customer = callable_customer()
    call = CallLogFactory(executive=other, customer=customer, called_at=NOW - timedelta(days=20))
    CommitmentFactory(call=call, promise="Credit the March invoice", due_date=NOW.date() - timedelta(days=5))
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    entry = entry_of(result, customer)
    assert reason(entry, "overdue_commitment")["text"] == (
        'Follow through on the follow-up: "Credit the March invoice" was due 17 Nov (5 days overdue)'
    )
    sheet = next(s for s in result.sheets if entry in s.entries)
    assert sheet.executive == other  # relationship; and the overdue commitment beats the 60-day cooldown


def test_carried_over_when_last_weeks_slot_passed_without_reaching_the_customer(executive, policy):
    customer = callable_customer()
    last_week = CallSheetFactory(
        executive=executive, week_start=NEXT_WEEK - timedelta(days=7), built_at=NOW - timedelta(days=9)
    )
    SheetEntryFactory(sheet=last_week, customer=customer, contact=customer.contacts.first(), position=1)
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    assert reason(entry, "carried_over")["text"] == (
        f"Carried over: on {executive.name}'s sheet for the week of 16 Nov but not reached"
    )


def test_a_sheet_built_after_its_slot_carries_nothing_over(executive, policy):
    customer = callable_customer()
    late = CallSheetFactory(executive=executive, week_start=NEXT_WEEK - timedelta(days=7), built_at=NOW)
    SheetEntryFactory(sheet=late, customer=customer, contact=customer.contacts.first(), position=1)
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    assert all(r["code"] != "carried_over" for s in result.sheets for e in s.entries for r in e.reasons)


def test_reached_last_week_is_not_carried_over(executive, policy):
    customer = callable_customer()
    last_week = CallSheetFactory(executive=executive, week_start=NEXT_WEEK - timedelta(days=7))
    entry = SheetEntryFactory(
        sheet=last_week,
        customer=customer,
        contact=customer.contacts.first(),
        position=1,
        status=SheetEntry.Status.CALLED,
    )
    CallLogFactory(entry=entry, executive=executive, customer=customer, called_at=NOW - timedelta(days=4))
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    assert [s.code for s in result.skipped if s.customer.id == customer.id] == []
    assert all(e.customer.id != customer.id or e.is_listening for s in result.sheets for e in s.entries)


def test_urgent_flag_outranks_everything_and_signals_merge_strongest_first(executive, policy):
    loud = callable_customer(tier=Customer.Tier.STRATEGIC, annual_revenue=50_000_000)
    SurveyResponseFactory(customer=loud, score=0, comment="Terrible", responded_at=NOW - timedelta(days=1))
    for _ in range(5):
        TicketFactory(customer=loud, priority="urgent", escalated=True)
    flagged = callable_customer(tier=Customer.Tier.SMB, annual_revenue=0)
    FlagFactory(customer=flagged, urgency="urgent", reason="CFO threatens to leave")
    SurveyResponseFactory(customer=flagged, score=4, comment="Slow", responded_at=NOW - timedelta(days=1))
    result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    first = result.sheets[0].ordered()[0]
    assert first.customer == flagged
    assert [r["code"] for r in first.reasons] == ["urgent_flag", "nps_detractor"]
    assert first.reasons[0]["text"].startswith("Urgent flag from ")
    assert first.reasons[0]["text"].endswith(': "CFO threatens to leave"')
    second = entry_of(result, loud)
    points = [r["points"] for r in second.reasons]
    assert second.reasons[-1]["code"] == "account_value"  # it scales the others, so it comes last
    assert points[:-1] == sorted(points[:-1], reverse=True)
    assert sum(points) == pytest.approx(second.score, abs=0.05)


def test_account_value_scales_the_score_by_the_documented_formula(executive, policy):
    customer = callable_customer(tier=Customer.Tier.STRATEGIC, annual_revenue=1_000_000)
    SurveyResponseFactory(customer=customer, score=2, comment="", responded_at=NOW - timedelta(days=1))
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    # base 5 × 8 = 40; multiplier 1.5 × (1 + 0.25 × log10(1,000,000 / 10,000)) = 1.5 × 1.5 = 2.25
    assert entry.score == 90.0
    assert entry.signals["multiplier"] == 2.25
    value = reason(entry, "account_value")
    assert value["text"] == "Strategic account, $1,000,000 a year: score × 2.25"
    assert value["points"] == 50.0


def test_the_worked_example_of_the_readme(executive, policy):
    customer = callable_customer(name="Northwind", tier=Customer.Tier.ENTERPRISE, annual_revenue=500_000)
    FlagFactory(customer=customer, reason="Asked for the CEO by name")
    SurveyResponseFactory(
        customer=customer, score=2, comment="Third outage this month.", responded_at=NOW - timedelta(days=10)
    )
    TicketFactory(
        customer=customer, external_id="4812", subject="Billing says we owe $400", priority="urgent", reopen_count=2
    )
    TicketFactory(customer=customer, external_id="4820", subject="Exports time out", priority="urgent")
    entry = entry_of(build_week(NEXT_WEEK, now=NOW, dry_run=True), customer)
    assert [(r["code"], r["points"]) for r in entry.reasons] == [
        ("flag", 60.0),
        ("nps_detractor", 40.0),
        ("urgent_tickets", 24.0),
        ("reopened_tickets", 12.0),
        ("account_value", 115.9),
    ]
    assert entry.signals["multiplier"] == 1.8522 and entry.score == 251.9
    assert entry.reasons[2]["text"] == '2 urgent tickets: #4812 "Billing says we owe $400", #4820 "Exports time out"'
