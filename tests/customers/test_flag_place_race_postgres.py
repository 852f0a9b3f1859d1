"""An admin's placement and a build of the same week at once: the placement waits for the build's
lock, lands where the admin put it, and the sheet stays one entry per customer, unique positions."""

import threading
import time as clock
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection

from callsheets.builder import build_week, service
from callsheets.models import SheetEntry
from customers.models import Flag
from customers.services.flag_paths import flag_place
from tests.factories import (
    AdminFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    ScoringPolicyFactory,
    SurveyResponseFactory,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
WEEK = date(2026, 11, 23)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_placement_during_a_build_waits_for_it_and_keeps_its_place(monkeypatch):
    ScoringPolicyFactory()
    executive = ExecutiveFactory(timezone="Europe/London", weekday=1, start_time=time(10))
    for _ in range(8):
        c = CustomerFactory(timezone="Europe/London")
        ContactFactory(customer=c)
        SurveyResponseFactory(customer=c, score=1, responded_at=NOW)
    chosen = CustomerFactory(timezone="Europe/London")
    ContactFactory(customer=chosen)
    flag = FlagFactory(customer=chosen)
    admin = AdminFactory()

    original, timeline = service._plan, {}

    def slow_plan(*args, **kwargs):
        timeline["build_planning"] = clock.monotonic()
        clock.sleep(0.6)  # hold the lock: the placement must wait for it
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_plan", slow_plan)
    errors = []

    def build():
        try:
            build_week(WEEK, now=NOW)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def place():
        try:
            while "build_planning" not in timeline:
                clock.sleep(0.01)
            flag_place(flag_id=flag.pk, by=admin, executive_id=executive.pk, week=WEEK, reason="Asked.", now=NOW)
            timeline["placed"] = clock.monotonic()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build), threading.Thread(target=place)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert timeline["placed"] - timeline["build_planning"] >= 0.55  # it waited for the build's commit
    entries = list(SheetEntry.objects.filter(week_start=WEEK).order_by("is_backup", "position"))
    assert len({e.customer_id for e in entries}) == len(entries)
    assert len({e.position for e in entries}) == len(entries)
    placed = next(e for e in entries if e.customer_id == chosen.pk)
    assert (placed.position, placed.is_backup, placed.pinned) == (1, False, True)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.SCHEDULED
    # And a rebuild afterwards keeps it first.
    monkeypatch.setattr(service, "_plan", original)
    build_week(WEEK, now=NOW)
    placed.refresh_from_db()
    assert placed.position == 1 and SheetEntry.objects.filter(customer=chosen, week_start=WEEK).count() == 1
