"""When a call may happen, and by when an urgent alarm must be answered: one definition each.

Every door that places, promotes or carries over a call (the builder, an urgent placement, a skipped
call's backup, a voicemail carried to the next slot) asks `within_calling_hours`; every page, e-mail
and metric that speaks of an urgent alarm's deadline asks `urgent_deadline`. Both read the scoring
policy and work in the customer's (or contact's) own zone, so a DST change moves them with the clock
on the wall, not with UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone


@lru_cache(maxsize=1024)
def zone(tz_name: str) -> zoneinfo.ZoneInfo:
    """The zone by name; an unknown name (never stored: validators refuse it) reads as UTC."""
    try:
        return zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def within_calling_hours(start: datetime, minutes: int, tz_name: str, policy) -> bool:
    """Whether a call of `minutes` from `start` lies inside the policy's calling hours in that zone.

    Calling hours are a hard limit (default 08:00–19:00, any day); business hours are the builder's
    preference among sheets. A call that would run past midnight is outside.
    """
    local = start.astimezone(zone(tz_name))
    begin = local.hour * 60 + local.minute
    return begin >= policy.calling_hours_start * 60 and begin + max(minutes, 0) <= policy.calling_hours_end * 60


def is_business_day(day) -> bool:
    return day.weekday() < 5


def urgent_deadline(alarm_at: datetime, tz_name: str, policy) -> datetime:
    """The end of the urgent window: the close of business (the policy's business hours end) on the
    Nth business day after the alarm's day, in the customer's zone. Default N = 1: an alarm on
    Tuesday is due by Wednesday's close; on Friday, Saturday or Sunday by Monday's close."""
    tz = zone(tz_name)
    day = timezone.localtime(alarm_at, tz).date()
    remaining = max(policy.urgent_window_business_days, 1)
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    # Aware arithmetic within one zone is wall-clock arithmetic: 17:00 stays 17:00 across a DST change.
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=policy.business_hours_end)
