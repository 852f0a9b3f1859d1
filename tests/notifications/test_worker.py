"""The e-mail jobs through a real Celery worker on Redis (serialised arguments, its own DB connection)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from customers.models import Flag
from customers.services.flags import flag_mark_called
from notifications.models import EmailDelivery
from notifications.tasks import send_overdue_digests
from tests.factories import CallLogFactory, CommitmentFactory, FlagFactory, UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_for(condition, seconds=30):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_overdue_digests_beat_task_sends_once_through_the_worker(celery_worker):
    owner = UserFactory(email="owner@example.com")
    CommitmentFactory(owner=owner, due_date=timezone.localdate() - timedelta(days=2))

    assert send_overdue_digests.delay().get(timeout=30) == {"sent": 1}
    assert send_overdue_digests.delay().get(timeout=30) == {"skipped": 1}

    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert EmailDelivery.objects.sent().get().to == "owner@example.com"


def test_logging_the_call_on_a_flag_emails_the_lead_through_the_worker(celery_worker):
    flag = FlagFactory(raised_by=UserFactory(email="lead@example.com", roles=["Support leads"]))
    with transaction.atomic():
        call = CallLogFactory(customer=flag.customer)
        flag_mark_called(flag=flag, call=call)
        CommitmentFactory(call=call, promise="Call back with the root cause")

    # The flag is stamped just after the delivery row is marked sent: wait for both.
    assert wait_for(lambda: Flag.objects.filter(pk=flag.pk, lead_notified_at__isnull=False).exists())
    assert EmailDelivery.objects.sent().exists()
    (message,) = mail.outbox
    assert message.to == ["lead@example.com"] and "Call back with the root cause" in message.body
