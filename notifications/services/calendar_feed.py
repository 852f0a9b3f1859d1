"""An executive's weekly call slots as an iCalendar (RFC 5545) feed, and its secret token."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from callsheets.models import CallSheet, Executive, new_calendar_token

from .. import selectors

WEEKS_BACK = 4
WEEKS_AHEAD = 12


def feed_weeks(executive: Executive, now: datetime | None = None) -> list[date]:
    """The past four weeks, this week (in the executive's zone) and the twelve after it."""
    this_week = executive.current_week_start(now)
    return [this_week + timedelta(weeks=n) for n in range(-WEEKS_BACK, WEEKS_AHEAD + 1)]


def event_uid(executive: Executive, week_start: date) -> str:
    """Stable per executive and week, so calendar apps update an event instead of adding another."""
    host = urlparse(settings.SITE_URL).hostname or "ceocalls"
    return f"ceocalls-slot-{executive.pk}-{week_start:%Y%m%d}@{host}"


def calendar_feed_build(*, executive: Executive, now: datetime | None = None) -> bytes:
    """The feed's bytes: one event per week of the slot, in the executive's own zone (VTIMEZONE)."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//CEO Calls//Weekly call slots//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"CEO calls – {executive.name}")
    cal.add("x-wr-timezone", executive.timezone)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    if not executive.has_slot:
        return cal.to_ical()
    weeks = feed_weeks(executive, now)
    sheets = selectors.sheets_with_entries(executive=executive, weeks=weeks)
    for week in weeks:
        cal.add_component(slot_event(executive=executive, week=week, sheet=sheets.get(week), now=now))
    # Observances from a year before the first event to a year after the last: enough for any client.
    cal.add_missing_timezones(first_date=weeks[0] - timedelta(days=366), last_date=weeks[-1] + timedelta(days=366))
    return cal.to_ical()


def slot_event(*, executive: Executive, week: date, sheet: CallSheet | None, now: datetime) -> Event:
    # A built sheet keeps the start it was built for, even if the slot moved later.
    if sheet and sheet.slot_starts_at:
        start = timezone.localtime(sheet.slot_starts_at, executive.zoneinfo)
    else:
        start = executive.slot_start(week)
    event = Event()
    event.add("uid", event_uid(executive, week))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=executive.duration_minutes))
    event.add("transp", "OPAQUE")
    url = f"{settings.SITE_URL}/sheet/{week:%Y-%m-%d}/"
    if sheet is None:
        event.add("summary", "CEO customer calls")
        event.add("description", f"Your weekly customer-call hour. The call sheet is built the week before.\n{url}")
    else:
        entries = list(sheet.entries.all())
        main = [e for e in entries if not e.is_backup]
        event.add("summary", f"CEO customer calls: {len(main)} customer{'' if len(main) == 1 else 's'}")
        event.add("description", sheet_description(entries, url))
        event.add("url", url)
        event.add("last-modified", sheet.built_at.astimezone(UTC))
    return event


def sheet_description(entries, url: str) -> str:
    lines = ["Call sheet: " + url, ""]
    for entry in entries:
        backup = " (backup)" if entry.is_backup else ""
        lines.append(f"{entry.position}. {entry.customer.name}{backup}")
    if not entries:
        lines.append("No customers on this week's sheet.")
    return "\n".join(lines)


@transaction.atomic
def executive_rotate_calendar_token(*, executive: Executive) -> Executive:
    """Gives the executive a new secret feed URL; the old one answers 404 from now on."""
    executive = Executive.objects.select_for_update().get(pk=executive.pk)
    executive.calendar_token = new_calendar_token()
    executive.save(update_fields=["calendar_token", "updated_at"])
    return executive
