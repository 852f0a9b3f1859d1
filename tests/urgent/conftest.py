from datetime import UTC, date, datetime, time

import pytest
import time_machine

from tests.factories import ContactFactory, CustomerFactory, ExecutiveFactory, ScoringPolicyFactory

# Monday 30 Nov 2026, 14:00 UTC = 08:00 in Chicago. An alarm now is due by Tuesday 1 Dec, 17:00 Chicago.
NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
WEEK = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def policy(db):
    return ScoringPolicyFactory()


@pytest.fixture
def maya(db):
    """Tuesday 10:00–11:00 in Chicago (four calls of 15 minutes): inside the window."""
    return ExecutiveFactory(
        timezone="America/Chicago",
        weekday=1,
        start_time=time(10, 0),
        user__first_name="Maya",
        user__last_name="Lindqvist",
        user__email="maya@example.com",
    )


@pytest.fixture
def customer(db):
    """A Chicago customer with a callable primary contact."""
    customer = CustomerFactory(name="Northwind Traders", timezone="America/Chicago")
    ContactFactory(customer=customer, name="Ada Park", phone="+1 312 555 0101", is_primary=True)
    return customer


def callable_customer(**kwargs):
    customer = CustomerFactory(**kwargs)
    ContactFactory(customer=customer, phone="+1 312 555 0199", is_primary=True)
    return customer
