"""Two submits of the same card at once (two tabs, a double tap) make one call, not two."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from callsheets.models import CallLog
from callsheets.services.calls import call_log
from tests.factories import SheetEntryFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_logs_of_one_entry_make_one_call():
    entry = SheetEntryFactory()
    user = entry.sheet.executive.user
    barrier = threading.Barrier(2)
    results = []

    def log():
        try:
            barrier.wait()
            call_log(entry_id=entry.pk, by=user, outcome="reached", notes="double tap")
            results.append("logged")
        except ValidationError as exc:
            results.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=log) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results) == ["This call is already logged; correct it instead.", "logged"]
    assert CallLog.objects.filter(entry=entry).count() == 1
