from datetime import UTC, date, datetime, time

import pytest
import time_machine

from tests.factories import ContactFactory, CustomerFactory, ExecutiveFactory, ScoringPolicyFactory

# Sunday 22 Nov 2026, 12:00 UTC: the week being built is Monday 23 Nov – Sunday 29 Nov.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NEXT_WEEK = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every builder test runs at NOW: factories' times (timezone.now() - 3 days) stay relative to it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def policy(db):
    return ScoringPolicyFactory()


@pytest.fixture
def executive(db):
    # Tuesday 10:00 in Chicago: inside the business hours of the factories' customers (America/Chicago).
    return ExecutiveFactory(
        timezone="America/Chicago", weekday=1, start_time=time(10, 0), user__email="ceo@example.com"
    )


def callable_customer(**kwargs):
    """A customer with a callable primary contact."""
    customer = CustomerFactory(**kwargs)
    ContactFactory(customer=customer)
    return customer
