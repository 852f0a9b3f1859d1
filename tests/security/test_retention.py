"""Nothing grows for ever: webhook bodies, e-mail deliveries, sign-in logs and expired sessions are pruned
after their retention, in batches, by the daily beat job and by `manage.py prune`; pending events never."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command

from ceocalls.retention import records_prune
from ceocalls.tasks import prune_old_records
from imports.models import WebhookEvent
from notifications.models import EmailDelivery, EmailKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 1, 4, 40, tzinfo=UTC)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def event(status: str, received: datetime, applied: datetime | None = None) -> WebhookEvent:
    with time_machine.travel(received, tick=False):
        return WebhookEvent.objects.create(
            source="tickets",
            idempotency_key=f"{status}-{received.isoformat()}-{applied}",
            body='{"id": 1}',
            status=status,
            applied_at=applied,
        )


def delivery(claimed: datetime, n: int = 0) -> EmailDelivery:
    return EmailDelivery.objects.create(
        kind=EmailKind.choices[0][0],
        recipient=UserFactory(),
        period_key=f"p-{claimed:%Y%m%d}-{n}",
        to="someone@example.com",
        status=EmailDelivery.Status.SENT,
        claimed_at=claimed,
        sent_at=claimed,
    )


def signin(at: datetime) -> AccessLog:
    with time_machine.travel(at, tick=False):
        return AccessLog.objects.create(username="maya@example.com", ip_address="10.0.0.1", user_agent="x")


def session(expires: datetime) -> None:
    Session.objects.create(session_key=f"k{expires.timestamp():.0f}", session_data="", expire_date=expires)


def test_the_defaults():
    assert (
        settings.WEBHOOK_RETENTION_DAYS,
        settings.EMAIL_DELIVERY_RETENTION_DAYS,
        settings.SIGNIN_LOG_RETENTION_DAYS,
    ) == (90, 365, 90)
    job = settings.CELERY_BEAT_SCHEDULE["prune-old-records"]
    assert job["task"] == "ceocalls.tasks.prune_old_records"
    assert job["schedule"].hour == {4} and job["schedule"].minute == {40}  # daily, outside 01:00-03:00


def test_each_kind_goes_after_its_retention_and_pending_events_never():
    kept = {
        event("applied", days_ago(100), applied=days_ago(89)),  # applied late: 90 days from when it was applied
        event("failed", days_ago(89)),
        event("pending", days_ago(400)),  # its data is not in yet: the sweeper still applies it
        event("pending", days_ago(2)),
    }
    gone = {event("applied", days_ago(120), applied=days_ago(91)), event("failed", days_ago(91))}
    kept_mail, gone_mail = delivery(days_ago(364)), delivery(days_ago(366))
    kept_log, gone_log = signin(days_ago(89)), signin(days_ago(91))
    session(NOW + timedelta(hours=1))
    session(NOW - timedelta(seconds=1))

    with time_machine.travel(NOW, tick=False):
        counts = prune_old_records.delay().get()

    assert counts == {
        "webhook events": 2,
        "e-mail deliveries": 1,
        "sign-in logs": 1,
        "failed sign-in logs": 0,
        "expired sessions": 1,
    }
    assert set(WebhookEvent.objects.all()) == kept and not gone & set(WebhookEvent.objects.all())
    assert list(EmailDelivery.objects.all()) == [kept_mail] and gone_mail.pk
    assert list(AccessLog.objects.all()) == [kept_log] and gone_log.pk
    assert Session.objects.count() == 1


def test_it_deletes_in_batches_and_a_second_run_finds_nothing(django_assert_num_queries):
    for n in range(7):
        delivery(days_ago(400 + n), n)
    with time_machine.travel(NOW, tick=False):
        # 7 rows, 3 at a time: three batches of (select ids, delete) and a last empty select;
        # one empty select for each other kind.
        with django_assert_num_queries(3 * 2 + 1 + 4):
            assert records_prune(batch_size=3)["e-mail deliveries"] == 7
        assert records_prune(batch_size=3) == {
            "webhook events": 0,
            "e-mail deliveries": 0,
            "sign-in logs": 0,
            "failed sign-in logs": 0,
            "expired sessions": 0,
        }


def test_zero_keeps_a_kind_for_ever(settings):
    settings.EMAIL_DELIVERY_RETENTION_DAYS = 0
    delivery(days_ago(4000))
    with time_machine.travel(NOW, tick=False):
        assert "e-mail deliveries" not in records_prune()
    assert EmailDelivery.objects.count() == 1


def test_the_command_prints_one_summary_line(capsys):
    event("applied", days_ago(200), applied=days_ago(200))
    with time_machine.travel(NOW, tick=False):
        call_command("prune", "--batch-size", "1")
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "Pruned 1 webhook events, 0 e-mail deliveries, 0 sign-in logs, 0 failed sign-in logs, 0 expired sessions."
    )
