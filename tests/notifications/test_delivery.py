"""Once per recipient and period, failures recorded and contained, preferences respected."""

import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail

from notifications import services
from notifications.models import EmailDelivery, EmailKind, NotificationPreference
from tests.factories import AdminFactory, CallLogFactory, CommitmentFactory, FlagFactory, UserFactory

from .factories import executive_in, sheet_with

pytestmark = pytest.mark.django_db

TODAY = date(2027, 5, 10)
REFUSING = "tests.notifications.backends.RefusingBackend"


def send(user, period="2027-05-10"):
    return services.email_send_once(
        kind=EmailKind.OVERDUE_DIGEST,
        recipient=user,
        period_key=period,
        template="overdue_digest",
        context={"today": TODAY, "commitments": [], "commitments_url": "https://x.example/commitments/"},
    )


def test_a_rerun_never_sends_the_same_email_twice():
    user = UserFactory()
    assert send(user) == "sent"
    assert send(user) == "skipped"
    assert send(user, period="2027-05-11") == "sent"
    assert len(mail.outbox) == 2
    delivery = EmailDelivery.objects.get(period_key="2027-05-10")
    assert (delivery.status, delivery.attempts, delivery.to) == ("sent", 1, user.email)
    assert delivery.sent_at is not None and delivery.subject


def test_the_claim_is_won_once():
    user = UserFactory()
    first = services.delivery_claim(kind=EmailKind.PROGRAM_WEEKLY, recipient=user, period_key="2027-W18")
    assert first is not None and first.status == EmailDelivery.Status.SENDING
    # A second worker (a retry, a re-run) racing for the same e-mail gets nothing, even while
    # the first one has not finished sending.
    assert services.delivery_claim(kind=EmailKind.PROGRAM_WEEKLY, recipient=user, period_key="2027-W18") is None
    assert EmailDelivery.objects.count() == 1


def test_a_failed_email_is_retried_by_the_next_run_up_to_three_attempts(settings):
    user = UserFactory(email="gone@invalid.example")
    settings.EMAIL_BACKEND = REFUSING
    assert send(user) == "failed"
    assert send(user) == "failed"
    user.email = "back@example.com"
    user.save()
    assert send(user) == "sent"
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.to, delivery.error) == ("sent", 3, "back@example.com", "")
    assert [m.to for m in mail.outbox] == [["back@example.com"]]

    other = UserFactory(email="never@invalid.example")
    for _ in range(5):
        send(other)
    assert EmailDelivery.objects.get(recipient=other).attempts == EmailDelivery.MAX_ATTEMPTS


def test_one_bad_address_does_not_fail_the_batch(settings, caplog):
    settings.EMAIL_BACKEND = REFUSING
    owners = [
        UserFactory(email="a@example.com"),
        UserFactory(email="b@invalid.example"),
        UserFactory(email="c@example.com"),
    ]
    for owner in owners:
        CommitmentFactory(owner=owner, due_date=TODAY - timedelta(days=2))

    with caplog.at_level(logging.ERROR, logger="notifications"):
        assert services.overdue_digests_send(today=TODAY) == {"sent": 2, "failed": 1}

    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "c@example.com"]
    failed = EmailDelivery.objects.failed().get()
    assert failed.to == "b@invalid.example"
    assert "SMTPRecipientsRefused" in failed.error and "No such user" in failed.error
    assert "b@invalid.example" in caplog.text


def test_users_without_an_address_are_skipped_without_a_row():
    CommitmentFactory(owner=UserFactory(email=""), due_date=TODAY - timedelta(days=1))
    assert services.overdue_digests_send(today=TODAY) == {"skipped": 1}
    assert not EmailDelivery.objects.exists()


def test_each_email_is_skipped_for_people_who_turned_it_off():
    owner = UserFactory()
    CommitmentFactory(owner=owner, due_date=TODAY - timedelta(days=1))
    services.preference_update(user=owner, overdue_digest=False)
    assert services.overdue_digests_send(today=TODAY) == {"off": 1}

    admin = AdminFactory()
    NotificationPreference.objects.create(user=admin, program_weekly=False)
    assert services.program_weekly_send(today=TODAY) == {"off": 1}

    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))
    sheet_with(executive, date(2027, 3, 22))
    services.preference_update(user=executive.user, weekly_briefing=False)
    # (The executive of the commitment above has a Tuesday slot too, but no sheet.)
    assert services.briefings_send_due(now=datetime(2027, 3, 23, 6, 30, tzinfo=UTC)) == {"off": 1, "no_sheet": 1}

    flag = FlagFactory(call=CallLogFactory(), status="called")
    services.preference_update(user=flag.raised_by, flag_outcome=False)
    assert services.flag_outcome_send(flag_id=flag.pk) == "off"

    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_turning_one_email_off_keeps_the_others():
    owner = UserFactory()
    services.preference_update(user=owner, weekly_briefing=False)
    CommitmentFactory(owner=owner, due_date=TODAY - timedelta(days=1))
    assert services.overdue_digests_send(today=TODAY) == {"sent": 1}


def test_batch_queries_do_not_grow_with_recipients(django_assert_max_num_queries):
    for _ in range(8):
        CommitmentFactory(due_date=TODAY - timedelta(days=1))
    # Per owner: claim (savepoint + insert) and the sent update; the reads are shared.
    with django_assert_max_num_queries(2 + 8 * 4):
        assert services.overdue_digests_send(today=TODAY) == {"sent": 8}
