"""Rebuilding a week after calls were logged, and weeks and slots across time zones and DST."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from callsheets.builder import build_week
from callsheets.models import CallSheet, SheetEntry
from customers.models import Flag
from tests.builder.conftest import NEXT_WEEK, NOW, callable_customer
from tests.factories import CallLogFactory, ExecutiveFactory, FlagFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_rebuild_keeps_entries_with_a_logged_call_and_recomputes_the_rest(executive, policy):
    for score in range(6):
        customer = callable_customer()
        SurveyResponseFactory(customer=customer, score=score, responded_at=NOW - timedelta(days=2))
    callable_customer()
    build_week(NEXT_WEEK, now=NOW)
    called, skipped, untouched = SheetEntry.objects.filter(is_backup=False).order_by("position")[:3]
    CallLogFactory(entry=called, executive=executive, customer=called.customer, called_at=NOW)
    SheetEntry.objects.filter(pk=called.pk).update(status=SheetEntry.Status.CALLED)
    SheetEntry.objects.filter(pk=skipped.pk).update(status=SheetEntry.Status.SKIPPED)
    newcomer = callable_customer(name="Newcomer")
    flag = FlagFactory(customer=newcomer, urgency=Flag.Urgency.URGENT)

    result = build_week(NEXT_WEEK, now=NOW + timedelta(hours=1))

    sheet = CallSheet.objects.get()
    entries = {e.customer_id: e for e in sheet.entries.all()}
    assert entries[called.customer_id].pk == called.pk and entries[called.customer_id].position == called.position
    assert entries[skipped.customer_id].pk == skipped.pk and entries[skipped.customer_id].position == skipped.position
    assert untouched.customer_id in entries and entries[untouched.customer_id].pk != untouched.pk
    assert newcomer.id in entries and entries[newcomer.id].position == 3  # the first free place: urgent first
    assert sheet.entries.count() == 6 and len(entries) == 6
    assert sum(e.kept for e in result.sheets[0].entries) == 2
    flag.refresh_from_db()
    assert flag.status == Flag.Status.SCHEDULED and flag.sheet == sheet


def test_rebuilding_twice_changes_nothing(executive, policy):
    for score in range(8):
        customer = callable_customer()
        SurveyResponseFactory(customer=customer, score=score % 7, responded_at=NOW - timedelta(days=2))
    build_week(NEXT_WEEK, now=NOW)
    before = list(SheetEntry.objects.values_list("customer_id", "position", "is_backup", "score", "reasons"))
    build_week(NEXT_WEEK, now=NOW)
    after = list(SheetEntry.objects.values_list("customer_id", "position", "is_backup", "score", "reasons"))
    assert before == after and CallSheet.objects.count() == 1


def test_a_flag_on_a_rebuilt_sheet_that_no_longer_fits_goes_back_to_open_with_the_reason(executive, policy):
    customer = callable_customer()
    flag = FlagFactory(customer=customer)
    build_week(NEXT_WEEK, now=NOW)
    customer.contacts.update(do_not_call=True)
    build_week(NEXT_WEEK, now=NOW)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and flag.sheet is None
    assert flag.not_placed_reason.startswith("No callable contact")


def test_any_day_of_the_week_builds_the_week_that_starts_on_its_monday(executive, policy):
    result = build_week(date(2026, 11, 29), now=NOW)  # a Sunday
    assert result.week_start == date(2026, 11, 23)
    assert CallSheet.objects.get().week_start == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("week", "utc_start"),
    [
        (date(2026, 3, 23), datetime(2026, 3, 23, 9, 0, tzinfo=UTC)),  # Oslo on CET, UTC+1
        (date(2026, 3, 30), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),  # after the 29 March change, UTC+2
        (date(2026, 10, 26), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),  # back on CET after 25 October
    ],
)
def test_slot_start_is_the_local_time_across_daylight_saving(policy, week, utc_start):
    oslo = ExecutiveFactory(timezone="Europe/Oslo", weekday=0, start_time=time(10, 0))
    build_week(week, now=NOW)
    sheet = CallSheet.objects.get(executive=oslo)
    assert sheet.slot_starts_at == utc_start
    local = sheet.slot_starts_at.astimezone(oslo.zoneinfo)
    assert (local.hour, local.minute, local.date()) == (10, 0, week)


def test_a_slot_in_the_skipped_hour_moves_to_the_real_time(policy):
    night_owl = ExecutiveFactory(timezone="Europe/Oslo", weekday=6, start_time=time(2, 30))
    (sheet,) = build_week(date(2026, 3, 23), now=NOW).sheets
    assert sheet.slot_starts_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, 02:30 does not exist
    assert sheet.slot_starts_at.astimezone(night_owl.zoneinfo).hour == 3


def test_executives_in_different_zones_share_the_monday_of_the_week(policy):
    auckland = ExecutiveFactory(timezone="Pacific/Auckland", weekday=0, start_time=time(9, 0))
    honolulu = ExecutiveFactory(timezone="Pacific/Honolulu", weekday=4, start_time=time(16, 0))
    result = build_week(NEXT_WEEK, now=NOW)
    starts = {s.executive: s.slot_starts_at for s in result.sheets}
    assert starts[auckland].astimezone(auckland.zoneinfo).date() == date(2026, 11, 23)
    assert starts[honolulu].astimezone(honolulu.zoneinfo).date() == date(2026, 11, 27)
    assert {s.week_start for s in CallSheet.objects.all()} == {date(2026, 11, 23)}
