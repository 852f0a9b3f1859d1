"""The build reads its signals with a fixed number of queries, whatever the data size."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callsheets.builder import build_week, explain_customer
from callsheets.models import CallSheet
from customers.models import Flag
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import (
    CallLogFactory,
    CommitmentFactory,
    ExecutiveFactory,
    FlagFactory,
    SurveyResponseFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30


def make_data(n: int, executives: list) -> None:
    """n customers of each kind: flagged, detractors, ticket trouble, overdue promises, reached, quiet."""
    for i in range(n):
        FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT if i % 5 == 0 else "normal")
        SurveyResponseFactory(customer=callable_customer(), score=i % 7, responded_at=NOW - timedelta(days=3))
        troubled = callable_customer()
        TicketFactory(customer=troubled, priority="urgent", reopen_count=i % 3, escalated=bool(i % 2))
        TicketFactory(customer=troubled, priority="high", created_at=NOW - timedelta(days=20))
        call = CallLogFactory(
            executive=executives[i % 2], customer=callable_customer(), called_at=NOW - timedelta(days=9)
        )
        CommitmentFactory(call=call, due_date=NOW.date() - timedelta(days=2))
        CallLogFactory(executive=executives[i % 2], customer=callable_customer(), called_at=NOW - timedelta(days=9))
        callable_customer()


def count_build(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        build_week(NEXT_WEEK, now=NOW, **kwargs)
    return len(ctx.captured_queries)


def test_build_queries_do_not_grow_with_customers_and_tickets(policy, django_assert_max_num_queries):
    executives = [ExecutiveFactory(timezone="America/Chicago", weekday=d) for d in (1, 2)]
    make_data(2, executives)  # small: every kind of customer fits on the two sheets, so every read runs
    build_week(NEXT_WEEK, now=NOW)
    small_dry, small = count_build(dry_run=True), count_build()
    assert small <= MAX_QUERIES
    make_data(20, executives)  # 11× the customers, tickets, surveys, flags, calls and commitments
    with django_assert_max_num_queries(small_dry):
        result = build_week(NEXT_WEEK, now=NOW, dry_run=True)
    assert len(result.skipped) > 50
    with django_assert_max_num_queries(small):
        build_week(NEXT_WEEK, now=NOW)
    assert CallSheet.objects.count() == 2


def test_explain_customer_queries_are_fixed(policy, django_assert_max_num_queries):
    executives = [ExecutiveFactory(timezone="America/Chicago", weekday=d) for d in (1, 2)]
    make_data(20, executives)
    customer = callable_customer()
    SurveyResponseFactory(customer=customer, score=1, responded_at=NOW - timedelta(days=3))
    TicketFactory(customer=customer, priority="urgent")
    with django_assert_max_num_queries(13):  # 13th: the company's tiers and their multipliers, one read
        outlook = explain_customer(customer, now=NOW)
    assert outlook.state == "would_be_listed"
