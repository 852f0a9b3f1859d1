"""An urgent flag not reached stays urgent: the retry stays inside the urgent window, outside the slot
when no slot is left in it; and a call corrected to "not reached" carries the flag over the same way."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from callsheets.models import CallLog, SheetEntry, UrgentCall
from callsheets.services.calls import call_correct, call_log
from customers.models import Flag
from customers.plan import flag_plan
from customers.services.flags import flag_raise
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_1005 = datetime(2026, 12, 1, 10, 5, tzinfo=CHICAGO)  # Maya's slot, first call
WEDNESDAY_CLOSE = datetime(2026, 12, 2, 17, 0, tzinfo=CHICAGO)  # a day after the failed attempt


@pytest.fixture
def placed(policy, maya, customer, django_capture_on_commit_callbacks):
    """An urgent flag raised Monday 08:00 Chicago: first on Maya's Tuesday sheet (her only slot)."""
    lead = LeadFactory(first_name="Sam", email="sam@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        flag = flag_raise(customer_id=customer.pk, by=lead, reason="CFO will not renew.", urgency="urgent")
    entry = SheetEntry.objects.get(flag=flag, urgent_placed_at__isnull=False)
    assert entry.position == 1 and entry.sheet.executive == maya
    mail.outbox.clear()
    return flag, entry


def test_a_voicemail_with_no_slot_left_in_the_window_gives_the_same_executive_an_urgent_call(
    client, placed, maya, django_capture_on_commit_callbacks
):
    flag, entry = placed
    with (
        time_machine.travel(TUESDAY_1005, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_log(entry_id=entry.pk, by=maya.user, outcome=CallLog.Outcome.VOICEMAIL)
    with time_machine.travel(TUESDAY_1005, tick=False):
        flag.refresh_from_db()
        urgent_call = UrgentCall.objects.get(flag=flag)
        # Not next week's slot: the window, counted from the voicemail, ends Wednesday's close.
        assert (urgent_call.executive, urgent_call.deadline) == (maya, WEDNESDAY_CLOSE)
        assert flag.status == Flag.Status.SCHEDULED and flag.sheet is None
        assert not SheetEntry.objects.filter(flag=flag, status=SheetEntry.Status.PENDING).exists()
        assert flag_plan(flag).sentence == (
            "Voicemail left Tue 1 Dec (Maya Lindqvist); Maya Lindqvist tries again outside the weekly slot, "
            "by Wed 2 Dec at 17:00, Chicago time."
        )
        assert "tries again outside the slot, by Wed 2 Dec 17:00" in flag.notes.last().text
        client.force_login(maya.user)
        for week in ("", "2026-12-07/"):
            assert f'id="urgent-{urgent_call.pk}"' in client.get(f"/sheet/{week}").content.decode()
    [to_maya] = [m for m in mail.outbox if maya.user.email in m.to]
    assert "Northwind Traders" in to_maya.subject + to_maya.body and "outside your weekly slot" in to_maya.body
    [to_lead] = [m for m in mail.outbox if "sam@example.com" in m.to]
    assert "Maya Lindqvist tries again outside the weekly slot, by Wed 2 Dec at 17:00" in to_lead.body


def test_a_call_corrected_from_reached_to_voicemail_carries_the_flag_over_as_logging_it_so_does(
    placed, maya, django_capture_on_commit_callbacks
):
    flag, entry = placed
    with time_machine.travel(TUESDAY_1005, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call = call_log(entry_id=entry.pk, by=maya.user, outcome=CallLog.Outcome.REACHED)
        flag.refresh_from_db()
        assert flag.status == Flag.Status.CALLED
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            call_correct(call_id=call.pk, by=maya.user, outcome=CallLog.Outcome.VOICEMAIL)
        flag.refresh_from_db()
        urgent_call = UrgentCall.objects.get(flag=flag)
        assert (flag.status, urgent_call.executive, urgent_call.deadline) == (
            Flag.Status.SCHEDULED,
            maya,
            WEDNESDAY_CLOSE,
        )
        assert flag_plan(flag).sentence.startswith("Voicemail left Tue 1 Dec (Maya Lindqvist); Maya Lindqvist tries")
    [to_lead] = [m for m in mail.outbox if "sam@example.com" in m.to]
    assert "Maya Lindqvist tries again outside the weekly slot, by Wed 2 Dec at 17:00" in to_lead.body

    # And back: reached after all answers the flag; the urgent call it was given is no longer open.
    with time_machine.travel(TUESDAY_1005 + timedelta(minutes=5), tick=False):
        call_correct(call_id=call.pk, by=maya.user, outcome=CallLog.Outcome.REACHED)
    flag.refresh_from_db()
    assert (flag.status, flag.call) == (Flag.Status.CALLED, call)
    assert not UrgentCall.objects.open().filter(flag=flag).exists()
