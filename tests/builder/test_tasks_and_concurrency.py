"""The Celery tasks (eager and through a real worker) and two builds of the same week at once."""

import threading
import time as clock
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from callsheets import tasks
from callsheets.builder import build_week, service
from callsheets.models import CallSheet, SheetEntry, week_start_of
from customers.models import Flag
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import ExecutiveFactory, FlagFactory, ScoringPolicyFactory, SurveyResponseFactory


def some_customers(n=8):
    for score in range(n):
        customer = callable_customer()
        SurveyResponseFactory(customer=customer, score=score % 7, responded_at=timezone.now() - timedelta(days=2))
    for _ in range(4):
        callable_customer()


@pytest.mark.django_db
def test_build_week_task_returns_a_json_able_summary(executive, policy):
    some_customers()
    summary = tasks.build_week_task.delay("2026-11-25").get()
    assert summary["week"] == "2026-11-23" and summary["dry_run"] is False
    assert summary["sheets"] == [
        {
            "executive": "ceo@example.com",
            "sheet_id": CallSheet.objects.get().id,
            "entries": 4,
            "backups": 2,
            "listening": 1,
            "kept": 0,
        }
    ]
    assert summary["skipped"] == {"capacity": 3}


@pytest.mark.django_db
def test_build_next_week_builds_the_week_after_today(executive, policy):
    summary = tasks.build_next_week.delay().get()
    assert summary["week"] == week_start_of(timezone.localdate() + timedelta(days=7)).isoformat()
    assert CallSheet.objects.get().week_start.isoformat() == summary["week"]


def test_tasks_are_late_acked_retried_and_time_limited():
    for task in (tasks.build_week_task, tasks.build_next_week):
        # Their limits are the project's defaults (CELERY_TASK_TIME_LIMIT), below the visibility timeout.
        limit = task.time_limit or task.app.conf.task_time_limit
        assert task.acks_late is True and 0 < limit < task.app.conf.broker_transport_options["visibility_timeout"]
        assert task.max_retries == 5
        assert task.autoretry_for and task.retry_backoff


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_build_week_task_through_a_real_worker(celery_worker):
    ScoringPolicyFactory()
    ExecutiveFactory(timezone="America/Chicago", user__email="ceo@example.com")
    some_customers()
    summary = tasks.build_week_task.delay("2026-11-23").get(timeout=60)
    assert summary["sheets"][0]["entries"] == 4
    assert SheetEntry.objects.filter(week_start="2026-11-23").count() == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_builds_of_the_same_week_at_once_leave_one_consistent_sheet(monkeypatch):
    ScoringPolicyFactory()
    executives = [ExecutiveFactory(timezone="America/Chicago", weekday=d) for d in (1, 3)]
    some_customers(12)
    flag = FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT)

    original, overlapping = service._plan, []

    def slow_plan(*args, **kwargs):
        overlapping.append(clock.monotonic())
        clock.sleep(0.5)  # hold the lock long enough that the other build has surely started
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "_plan", slow_plan)
    start, errors, results = threading.Barrier(2), [], []

    def run():
        try:
            start.wait()
            results.append(build_week(NEXT_WEEK, now=NOW))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(results) == 2
    # The lock made the second build wait for the first to commit.
    assert abs(overlapping[1] - overlapping[0]) >= 0.45
    assert CallSheet.objects.filter(week_start=NEXT_WEEK).count() == 2
    entries = SheetEntry.objects.filter(week_start=NEXT_WEEK)
    assert entries.count() == 2 * 6 and entries.values("customer").distinct().count() == 12
    for executive in executives:
        positions = sorted(entries.filter(sheet__executive=executive).values_list("position", flat=True))
        assert positions == [1, 2, 3, 4, 5, 6]
    flag.refresh_from_db()
    assert flag.status == Flag.Status.SCHEDULED and entries.filter(flag=flag).count() == 1


@pytest.mark.django_db
def test_build_week_task_for_a_deleted_executive_says_so_and_builds_nothing(policy):
    summary = tasks.build_week_task.delay("2026-11-25", executive_id=987654).get()
    assert summary["messages"] == ["No executive with id 987654: nothing built."]
    assert summary["sheets"] == [] and not CallSheet.objects.exists()
