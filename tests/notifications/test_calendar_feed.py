from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from notifications.services.calendar_feed import event_uid
from tests.factories import ExecutiveFactory

from .factories import executive_in, sheet_with

pytestmark = pytest.mark.django_db

# Monday 8 March 2027, in Oslo; Europe moves its clocks on Sunday 28 March and Sunday 31 October 2027.
MARCH = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)
OCTOBER = datetime(2027, 10, 18, 12, 0, tzinfo=UTC)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_start(cal):
    return {ev.decoded("dtstart").date(): ev for ev in cal.walk("VEVENT")}


def test_feed_has_the_past_four_and_next_twelve_weeks_in_the_executives_zone(client, frozen_now):
    frozen_now(MARCH)
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))

    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))

    events = sorted(cal.walk("VEVENT"), key=lambda ev: ev.decoded("dtstart"))
    starts = [ev.decoded("dtstart") for ev in events]
    assert starts[0].date() == date(2027, 2, 9)  # four Tuesdays back
    assert starts[4].date() == date(2027, 3, 9)  # this week
    assert starts[-1].date() == date(2027, 6, 1)  # twelve weeks ahead
    assert len(events) == 17
    assert all(s.tzinfo is not None and str(s.tzinfo) == "Europe/Oslo" for s in starts)
    assert all(ev.decoded("dtend") - ev.decoded("dtstart") == timedelta(hours=1) for ev in events)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Oslo"


def test_slot_keeps_its_local_hour_across_the_march_and_october_changes(client, frozen_now):
    frozen_now(MARCH)
    executive = executive_in("Europe/Oslo", weekday=1, start=time(10, 0))
    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))
    # Read the times through the feed's own VTIMEZONE, as a calendar app without zoneinfo would.
    oslo = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    events = events_by_start(cal)

    before = events[date(2027, 3, 23)].decoded("dtstart")
    after = events[date(2027, 3, 30)].decoded("dtstart")
    assert before.replace(tzinfo=oslo).astimezone(UTC) == datetime(2027, 3, 23, 9, 0, tzinfo=UTC)
    assert after.replace(tzinfo=oslo).astimezone(UTC) == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)
    assert before.astimezone(UTC).hour == 9 and after.astimezone(UTC).hour == 8

    frozen_now(OCTOBER)
    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))
    oslo = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    events = events_by_start(cal)
    assert events[date(2027, 10, 26)].decoded("dtstart").replace(tzinfo=oslo).astimezone(UTC).hour == 8
    assert events[date(2027, 11, 2)].decoded("dtstart").replace(tzinfo=oslo).astimezone(UTC).hour == 9


def test_a_slot_on_the_changeover_sunday_is_a_real_time(client, frozen_now):
    frozen_now(MARCH)
    # 02:30 does not exist in Oslo on 28 March 2027: the clock jumps from 02:00 to 03:00.
    executive = executive_in("Europe/Oslo", weekday=6, start=time(2, 30))
    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))
    start = events_by_start(cal)[date(2027, 3, 28)].decoded("dtstart")
    assert start.astimezone(UTC) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert start.hour == 3 and start.minute == 30


def test_a_week_with_a_sheet_lists_its_customers_and_links_to_it(client, frozen_now, settings):
    settings.SITE_URL = "https://calls.example.com"
    frozen_now(MARCH)
    executive = executive_in("America/New_York", weekday=3, start=time(16, 0))
    sheet = sheet_with(executive, date(2027, 3, 15), customers=2, backups=1)
    names = [e.customer.name for e in sheet.entries.order_by("position")]

    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))

    event = events_by_start(cal)[date(2027, 3, 18)]
    assert str(event["URL"]) == "https://calls.example.com/sheet/2027-03-15/"
    assert str(event["SUMMARY"]) == "CEO customer calls: 2 customers"
    description = str(event["DESCRIPTION"])
    assert "https://calls.example.com/sheet/2027-03-15/" in description
    assert f"1. {names[0]}" in description and f"3. {names[2]} (backup)" in description
    other = events_by_start(cal)[date(2027, 3, 25)]
    assert str(other["SUMMARY"]) == "CEO customer calls"
    assert "URL" not in other


def test_uids_are_stable_between_fetches_and_unique_per_week(client, frozen_now):
    frozen_now(MARCH)
    executive = executive_in()
    first = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))
    frozen_now(MARCH + timedelta(days=7))
    second = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))

    uids_first = {str(ev["UID"]): ev.decoded("dtstart") for ev in first.walk("VEVENT")}
    uids_second = {str(ev["UID"]): ev.decoded("dtstart") for ev in second.walk("VEVENT")}
    assert len(uids_first) == 17
    shared = uids_first.keys() & uids_second.keys()
    assert len(shared) == 16  # the window moved by one week; the same weeks keep the same UID
    assert all(uids_first[uid] == uids_second[uid] for uid in shared)
    assert event_uid(executive, date(2027, 3, 8)) in uids_first


def test_a_wrong_or_replaced_token_is_404(client):
    executive = ExecutiveFactory()
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    old = executive.calendar_token
    client.force_login(executive.user)
    client.post(reverse("notifications:calendar_token_rotate", args=[executive.pk]))
    executive.refresh_from_db()
    assert executive.calendar_token != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    client.logout()
    assert client.get(f"/calendar/{executive.calendar_token}.ics").status_code == 200


def test_an_executive_without_a_slot_gets_a_valid_empty_calendar(client):
    executive = ExecutiveFactory(weekday=None, start_time=None)
    cal = parse(client.get(f"/calendar/{executive.calendar_token}.ics"))
    assert cal.walk("VEVENT") == []
    assert str(cal["VERSION"]) == "2.0"


def test_feed_queries_do_not_grow_with_sheets(client, frozen_now, django_assert_max_num_queries):
    frozen_now(MARCH)
    executive = executive_in()
    for weeks in range(-4, 4):
        sheet_with(executive, date(2027, 3, 8) + timedelta(weeks=weeks), customers=4, backups=2)
    with django_assert_max_num_queries(4):
        response = client.get(f"/calendar/{executive.calendar_token}.ics")
    assert len(parse(response).walk("VEVENT")) == 17
