"""One definition of calling hours and of the urgent window, in the customer's own zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from callsheets.hours import urgent_deadline, within_calling_hours
from callsheets.models import ScoringPolicy

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def policy():
    return ScoringPolicy(name="Default")  # 08–19 calling hours, business hours end 17, window 1 day


@pytest.mark.parametrize(
    ("alarm", "due"),
    [
        (datetime(2026, 12, 1, 10, 0, tzinfo=OSLO), datetime(2026, 12, 2, 17, 0, tzinfo=OSLO)),  # Tue → Wed
        (datetime(2026, 12, 4, 16, 0, tzinfo=OSLO), datetime(2026, 12, 7, 17, 0, tzinfo=OSLO)),  # Fri → Mon
        (datetime(2026, 12, 5, 9, 0, tzinfo=OSLO), datetime(2026, 12, 7, 17, 0, tzinfo=OSLO)),  # Sat → Mon
        (datetime(2026, 12, 6, 23, 30, tzinfo=OSLO), datetime(2026, 12, 7, 17, 0, tzinfo=OSLO)),  # Sun → Mon
    ],
)
def test_the_urgent_window_ends_at_the_close_of_the_next_business_day(policy, alarm, due):
    assert urgent_deadline(alarm, "Europe/Oslo", policy) == due


def test_the_window_is_read_in_the_customers_zone_not_utc(policy):
    # 23:30 UTC on Tuesday is already Wednesday in Tokyo: due by Thursday's close there.
    alarm = datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    due = urgent_deadline(alarm, "Asia/Tokyo", policy)
    assert due == datetime(2026, 12, 3, 17, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_the_window_keeps_wall_clock_time_across_a_dst_change(policy):
    # Oslo leaves summer time on Sunday 25 Oct 2026: Friday's alarm is due Monday at 17:00 local (16:00 UTC).
    due = urgent_deadline(datetime(2026, 10, 23, 12, 0, tzinfo=OSLO), "Europe/Oslo", policy)
    assert due.astimezone(ZoneInfo("UTC")) == datetime(2026, 10, 26, 16, 0, tzinfo=ZoneInfo("UTC"))


def test_a_longer_window_counts_business_days(policy):
    policy.urgent_window_business_days = 3
    assert urgent_deadline(datetime(2026, 12, 3, 9, 0, tzinfo=OSLO), "Europe/Oslo", policy) == datetime(
        2026, 12, 8, 17, 0, tzinfo=OSLO
    )


@pytest.mark.parametrize(
    ("local", "minutes", "inside"),
    [
        ((8, 0), 15, True),
        ((7, 59), 15, False),
        ((18, 45), 15, True),
        ((18, 50), 15, False),
        ((2, 45), 15, False),
    ],
)
def test_calling_hours_are_read_in_the_contacts_zone(policy, local, minutes, inside):
    start = datetime(2026, 12, 1, *local, tzinfo=ZoneInfo("America/Chicago")).astimezone(ZoneInfo("UTC"))
    assert within_calling_hours(start, minutes, "America/Chicago", policy) is inside


def test_calling_hours_follow_a_dst_change(policy):
    # 07:30 UTC is 08:30 in Oslo in winter, 09:30 in summer: inside both; 06:30 UTC is 07:30 in winter.
    assert within_calling_hours(datetime(2026, 3, 30, 6, 30, tzinfo=ZoneInfo("UTC")), 15, "Europe/Oslo", policy)
    assert not within_calling_hours(datetime(2026, 3, 27, 6, 30, tzinfo=ZoneInfo("UTC")), 15, "Europe/Oslo", policy)
