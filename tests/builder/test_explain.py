"""explain_customer: the builder's verdict on one customer, for the customer page."""

from datetime import date, timedelta

import pytest

from callsheets.builder import build_week, explain_customer
from customers.models import Customer, Flag
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import CallLogFactory, CustomerFactory, FlagFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_would_be_listed_quotes_the_strongest_reason(policy):
    customer = callable_customer()
    SurveyResponseFactory(customer=customer, score=2, comment="Slow and buggy.", responded_at=NOW - timedelta(days=10))
    outlook = explain_customer(customer, now=NOW)
    assert outlook.state == "would_be_listed"
    assert outlook.sentence == 'Would be on a sheet: NPS 2 on 12 Nov: "Slow and buggy."'
    assert outlook.reasons[0]["code"] == "nps_detractor" and outlook.score > 0 and outlook.cooldown_until is None


def test_cooldown_says_until_when_and_who(policy, executive):
    customer = callable_customer()
    SurveyResponseFactory(customer=customer, score=2, responded_at=NOW - timedelta(days=10))
    CallLogFactory(executive=executive, customer=customer, called_at=NOW - timedelta(days=7))
    outlook = explain_customer(customer, now=NOW)
    assert outlook.state == "cooldown"
    assert outlook.sentence == f"In cooldown until 14 Jan: reached by {executive.name} on 15 Nov"
    assert outlook.cooldown_until == date(2027, 1, 14)


def test_an_urgent_flag_breaks_the_cooldown(policy, executive):
    customer = callable_customer()
    CallLogFactory(executive=executive, customer=customer, called_at=NOW - timedelta(days=7))
    FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, reason="Outage again")
    outlook = explain_customer(customer, now=NOW)
    assert outlook.state == "would_be_listed" and outlook.sentence.endswith(': "Outage again"')
    assert outlook.cooldown_until == date(2027, 1, 14)


def test_no_callable_contact_no_signal_and_churned(policy):
    mute = CustomerFactory()
    SurveyResponseFactory(customer=mute, score=0, responded_at=NOW - timedelta(days=1))
    assert explain_customer(mute, now=NOW).state == "no_callable_contact"
    calm = callable_customer()
    outlook = explain_customer(calm, now=NOW)
    assert (outlook.state, outlook.sentence) == (
        "no_signal",
        "No signal: could be drawn at random for a listening call.",
    )
    gone = callable_customer(lifecycle_status=Customer.Lifecycle.CHURNED)
    assert explain_customer(gone, now=NOW).state == "churned"


def test_on_sheet_names_the_executive_and_week(policy, executive):
    customer = callable_customer()
    SurveyResponseFactory(customer=customer, score=1, comment="Bad", responded_at=NOW - timedelta(days=1))
    build_week(NEXT_WEEK, now=NOW)
    outlook = explain_customer(customer, now=NOW)
    assert outlook.state == "on_sheet"
    assert outlook.sentence == f'On {executive.name}\'s sheet for the week of 23 Nov (call 1): NPS 1 on 21 Nov: "Bad"'
