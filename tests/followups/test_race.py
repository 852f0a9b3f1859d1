"""Two sends of one follow-up at the same moment (two tabs, a double click through a slow proxy): one e-mail."""

import threading
import time

import pytest
import time_machine
from django.core import mail
from django.db import connection

from callsheets.models import CallFollowUp
from callsheets.services import followups

from .test_follow_up import NOW, make_call

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@time_machine.travel(NOW, tick=False)
def test_two_sends_at_once_send_one_e_mail(monkeypatch):
    call = make_call()
    original = followups.EmailMessage.send

    def slow_send(self, *args, **kwargs):
        time.sleep(0.3)  # the first is still sending when the second claims
        return original(self, *args, **kwargs)

    monkeypatch.setattr(followups.EmailMessage, "send", slow_send)
    start, errors, results = threading.Barrier(2), [], []

    def run(subject):
        try:
            start.wait()
            results.append(followups.follow_up_send(call_id=call.pk, by=call.executive.user, subject=subject, body="b"))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in ("First", "Second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(sent_now for _, sent_now in results) == [False, True]
    assert len(mail.outbox) == 1
    assert CallFollowUp.objects.get().status == "sent" and CallFollowUp.objects.count() == 1
