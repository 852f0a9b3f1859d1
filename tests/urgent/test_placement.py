"""urgent_place: the customer first on the soonest sheet in the window, at once, without a rebuild."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from callsheets.builder import build_week
from callsheets.models import CallSheet, SheetEntry, UrgentCall
from callsheets.services.urgent import urgent_place
from customers.models import Customer, Flag
from customers.services.flags import flag_add_note, flag_raise
from tests.factories import (
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    ContactFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
)

from .conftest import WEEK, callable_customer

pytestmark = pytest.mark.django_db


def _raise(customer, reason="CFO says they will not renew unless someone senior calls this week."):
    return flag_raise(customer_id=customer.pk, by=LeadFactory(), reason=reason, urgency=Flag.Urgency.URGENT)


def test_a_leads_urgent_flag_is_first_on_a_sheet_made_for_the_week(
    policy, maya, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag = _raise(customer)
    entry = SheetEntry.objects.get(customer=customer)
    assert (entry.sheet.executive, entry.week_start, entry.position, entry.is_backup) == (maya, WEEK, 1, False)
    assert entry.urgent_placed_at is not None and entry.flag == flag
    assert entry.contact.name == "Ada Park"
    flag.refresh_from_db()
    assert (flag.status, flag.sheet, flag.not_placed_reason) == (Flag.Status.SCHEDULED, entry.sheet, "")
    assert flag.urgent_handled_at is not None
    assert "CFO says" in entry.reasons[0]["text"]
    [email] = mail.outbox
    assert email.to == ["maya@example.com"]
    assert "Urgent: call Northwind Traders" in email.subject
    body = email.body
    assert "CFO says they will not renew" in body
    assert "tel:+13125550101" in body
    assert "Tue 1 Dec at 10:00 (America/Chicago), first on your sheet" in body
    assert "Their local time now: Mon 08:00 (America/Chicago)" in body
    assert "Deadline: Tue 1 Dec 17:00 (America/Chicago)" in body


def test_the_last_untouched_main_becomes_a_backup_and_a_logged_call_never_moves(policy, maya, customer):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK, entries=6)  # 4 main calls, 2 backups
    before = {e.position: e for e in sheet.entries.all()}
    CallLogFactory(entry=before[2], executive=maya, customer=before[2].customer, called_at=timezone.now())
    before[2].status = SheetEntry.Status.CALLED
    before[2].save()
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())

    outcome = urgent_place(flag_id=flag.pk)

    assert outcome.state == "placed"
    after = {e.position: (e.customer_id, e.is_backup) for e in sheet.entries.all()}
    assert after == {
        1: (customer.pk, False),
        2: (before[2].customer_id, False),  # logged: stays
        3: (before[1].customer_id, False),
        4: (before[3].customer_id, False),
        5: (before[4].customer_id, True),  # the lowest-ranked untouched main call becomes the first backup
        6: (before[5].customer_id, True),
        7: (before[6].customer_id, True),
    }


def test_the_same_alarm_twice_places_once(policy, maya, customer):
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    first = urgent_place(flag_id=flag.pk)
    second = urgent_place(flag_id=flag.pk)
    assert (first.state, second.state) == ("placed", "already")
    assert SheetEntry.objects.filter(customer=customer).count() == 1
    assert CallSheet.objects.count() == 1


def test_two_alarms_for_different_customers_both_land_in_order(policy, maya, customer):
    other = callable_customer(name="Contoso")
    first = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    second = FlagFactory(customer=other, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=first.pk)
    urgent_place(flag_id=second.pk)
    positions = dict(SheetEntry.objects.values_list("customer_id", "position"))
    assert positions == {customer.pk: 1, other.pk: 2}


def test_a_customer_already_on_the_sheet_moves_up_instead_of_being_listed_twice(policy, maya, customer):
    sheet = CallSheetFactory(executive=maya, week_start=WEEK, entries=3)
    SheetEntryFactory(sheet=sheet, customer=customer, position=4)
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    entry = SheetEntry.objects.get(customer=customer)
    assert (entry.sheet_id, entry.position, entry.is_backup, entry.flag_id) == (sheet.pk, 1, False, flag.pk)
    assert sorted(sheet.entries.values_list("position", flat=True)) == [1, 2, 3, 4]


def test_a_customer_on_another_sheet_that_week_is_moved_not_duplicated(policy, maya, customer):
    later = ExecutiveFactory(timezone="America/Chicago", weekday=3, start_time=time(10, 0))  # Thursday: too late
    SheetEntryFactory(sheet=CallSheetFactory(executive=later, week_start=WEEK), customer=customer, position=1)
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    [entry] = SheetEntry.objects.filter(customer=customer)
    assert entry.sheet.executive == maya


def test_the_executive_owed_a_promise_is_preferred_when_their_slot_is_in_time(policy, maya, customer):
    sooner = ExecutiveFactory(timezone="America/Chicago", weekday=0, start_time=time(15, 0))  # Mon 15:00: sooner
    CommitmentFactory(call=CallLogFactory(executive=maya, customer=customer, called_at=timezone.now() - timedelta(30)))
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    assert SheetEntry.objects.get(customer=customer).sheet.executive == maya
    assert not CallSheet.objects.filter(executive=sooner).exists()


def test_without_a_preference_the_soonest_slot_wins(policy, maya, customer):
    sooner = ExecutiveFactory(timezone="America/Chicago", weekday=0, start_time=time(15, 0))
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    assert SheetEntry.objects.get(customer=customer).sheet.executive == sooner


def test_a_later_full_rebuild_keeps_the_placement(policy, maya, customer):
    for n in range(8):
        c = callable_customer(name=f"Flagged {n}")
        FlagFactory(customer=c, reason=f"Unhappy {n}")
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    build_week(WEEK)
    entry = SheetEntry.objects.get(customer=customer)
    assert (entry.position, entry.is_backup, entry.urgent_placed_at is not None) == (1, False, True)
    # The build filled the other places around it (one main place is held for a listening call).
    assert SheetEntry.objects.filter(sheet=entry.sheet).exclude(customer=customer).count() == 4
    flag.refresh_from_db()
    assert (flag.status, flag.sheet_id) == (Flag.Status.SCHEDULED, entry.sheet_id)


def test_no_slot_in_time_gives_the_best_executive_an_urgent_call(policy, customer, django_capture_on_commit_callbacks):
    thursday = ExecutiveFactory(timezone="America/Chicago", weekday=3, start_time=time(10, 0), user__email="t@x.com")
    with django_capture_on_commit_callbacks(execute=True):
        flag = _raise(customer)
    urgent_call = UrgentCall.objects.get(flag=flag)
    assert urgent_call.executive == thursday
    assert timezone.localtime(urgent_call.deadline, customer.zoneinfo).strftime("%a %d %H:%M") == "Tue 01 17:00"
    assert not SheetEntry.objects.exists()
    flag.refresh_from_db()
    assert (flag.status, flag.sheet) == (Flag.Status.SCHEDULED, None)
    [email] = mail.outbox
    assert email.to == ["t@x.com"] and "outside your weekly slot" in email.body
    # A rebuild leaves it to the urgent call.
    build_week(WEEK)
    assert not SheetEntry.objects.filter(customer=customer).exists()


def test_a_slot_outside_calling_hours_in_the_contacts_zone_is_not_used(policy, maya):
    customer = Customer.objects.create(external_id="T1", name="Tokyo KK", timezone="Asia/Tokyo")
    ContactFactory(customer=customer, phone="+81 3 5555 0101")
    # Tue 10:00 Chicago is Wed 01:00 in Tokyo: no call then.
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    assert urgent_place(flag_id=flag.pk).state == "urgent_call"


def test_a_churned_customer_is_explained_not_placed(policy, maya, customer):
    customer.lifecycle_status = Customer.Lifecycle.CHURNED
    customer.save()
    flag = _raise(customer)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    assert "churned" in flag.not_placed_reason
    assert not SheetEntry.objects.exists() and not UrgentCall.objects.exists()


def test_a_customer_called_today_is_explained_not_placed(policy, maya, customer):
    CallLogFactory(executive=maya, customer=customer, called_at=timezone.now() - timedelta(minutes=30))
    flag = _raise(customer)
    flag.refresh_from_db()
    assert "already called Northwind Traders today at 07:30" in flag.not_placed_reason
    assert not SheetEntry.objects.exists()


def test_no_callable_contact_is_explained(policy, maya):
    customer = Customer.objects.create(external_id="N1", name="Nobody Inc")
    flag = _raise(customer)
    flag.refresh_from_db()
    assert "no callable contact" in flag.not_placed_reason


def test_a_flag_made_urgent_by_a_note_is_placed(policy, maya, customer):
    flag = FlagFactory(customer=customer)
    flag_add_note(flag_id=flag.pk, by=LeadFactory(), text="Now they threaten to leave.", make_urgent=True)
    flag.refresh_from_db()
    assert flag.urgent_since is not None and flag.status == Flag.Status.SCHEDULED
    assert SheetEntry.objects.get(customer=customer).position == 1


def test_the_placement_reads_a_fixed_number_of_queries(policy, maya, customer, django_assert_max_num_queries):
    CallSheetFactory(executive=maya, week_start=WEEK, entries=6)
    for _ in range(30):
        callable_customer()
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    with django_assert_max_num_queries(22):
        assert urgent_place(flag_id=flag.pk).state == "placed"


def test_calling_hours_are_judged_on_the_contacts_clock_across_a_dst_change(policy, frozen_clock):
    """Oslo leaves summer time on 25 Oct 2026, New York on 1 Nov. Monday 26 Oct 02:00 in New York is
    07:00 in Oslo (it would be 08:00 with Oslo's summer offset): outside calling hours; 03:00 is 08:00."""
    from datetime import UTC, datetime

    frozen_clock.move_to(datetime(2026, 10, 23, 12, 0, tzinfo=UTC))  # Friday: due Monday 17:00 in Oslo
    too_early = ExecutiveFactory(timezone="America/New_York", weekday=0, start_time=time(2, 0))
    in_hours = ExecutiveFactory(timezone="America/New_York", weekday=0, start_time=time(3, 0))
    customer = Customer.objects.create(external_id="OSL", name="Fjord AS", timezone="Europe/Oslo")
    ContactFactory(customer=customer, phone="+47 22 00 00 00")
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    assert urgent_place(flag_id=flag.pk).state == "placed"
    entry = SheetEntry.objects.get(customer=customer)
    assert entry.sheet.executive == in_hours and entry.sheet.executive != too_early
    local = timezone.localtime(entry.sheet.slot_starts_at, customer.zoneinfo)
    assert (local.strftime("%a %d %b %H:%M"), local.utcoffset()) == ("Mon 26 Oct 08:00", timedelta(hours=1))


def test_when_earlier_urgent_alarms_fill_the_main_calls_the_next_sheet_in_time_takes_it(policy, maya, customer):
    monday = ExecutiveFactory(timezone="America/Chicago", weekday=0, start_time=time(15, 0))  # sooner
    for _ in range(4):  # Monday's four main places go to earlier alarms
        flag = FlagFactory(customer=callable_customer(), urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
        urgent_place(flag_id=flag.pk)
    flag = FlagFactory(customer=customer, urgency=Flag.Urgency.URGENT, urgent_since=timezone.now())
    urgent_place(flag_id=flag.pk)
    entry = SheetEntry.objects.get(customer=customer)
    assert (entry.sheet.executive, entry.position, entry.is_backup) == (maya, 1, False)
    assert SheetEntry.objects.filter(sheet__executive=monday, is_backup=False).count() == 4
