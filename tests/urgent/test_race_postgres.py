"""Urgent placements at the same moment, on PostgreSQL where the build's lock is real."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from callsheets.builder import build_week
from callsheets.models import CallSheet, SheetEntry
from callsheets.services.urgent import urgent_place
from customers.models import Flag
from tests.factories import FlagFactory

from .conftest import WEEK, callable_customer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_two_alarms_at_once_for_different_customers_both_land_on_one_new_sheet(policy, maya):
    flags = [
        FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
        for _ in range(2)
    ]
    outcomes = _at_once(*(lambda f=f: urgent_place(flag_id=f.pk) for f in flags))
    assert sorted(o.state for o in outcomes) == ["placed", "placed"]
    assert CallSheet.objects.count() == 1
    assert sorted(SheetEntry.objects.values_list("position", flat=True)) == [1, 2]


def test_the_same_alarm_twice_at_once_places_once(policy, maya):
    flag = FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    outcomes = _at_once(lambda: urgent_place(flag_id=flag.pk), lambda: urgent_place(flag_id=flag.pk))
    assert sorted(o.state for o in outcomes) == ["already", "placed"]
    assert SheetEntry.objects.count() == 1


def test_a_placement_and_a_build_at_once_keep_the_urgent_customer_first(policy, maya):
    for n in range(6):
        FlagFactory(customer=callable_customer(name=f"Flagged {n}"))
    flag = FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    _at_once(lambda: urgent_place(flag_id=flag.pk), lambda: build_week(WEEK))
    entry = SheetEntry.objects.get(flag=flag)
    assert (entry.position, entry.is_backup) == (1, False)
    assert SheetEntry.objects.filter(customer=flag.customer).count() == 1
