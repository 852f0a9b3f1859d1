"""The executives' and admins' e-mails: who gets which, for which period. Each is sent at most once per
period. The leads' flag e-mails are in flag_emails."""

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from callsheets.models import CallSheet, Executive, week_start_of
from callsheets.selectors.speed import speed_for_weeks

from .. import selectors
from ..models import EmailKind
from .delivery import email_send_once, preferences_for, site_url, wants

logger = logging.getLogger(__name__)


def sheet_path(week_start: date) -> str:
    return f"/sheet/{week_start:%Y-%m-%d}/"


def briefing_is_due(*, executive: Executive, now: datetime) -> date | None:
    """The week whose briefing is due for this executive at `now`, or None.

    Due on the slot's day in the executive's own zone, from NOTIFY_BRIEFING_HOUR (or an hour
    before the slot, if that is earlier) until the slot ends: a briefing after the calls is no use.
    """
    if not executive.has_slot:
        return None
    local = timezone.localtime(now, executive.zoneinfo)
    week = week_start_of(local.date())
    start, end = executive.slot_start(week), executive.slot_end(week)
    if local.date() != start.date() or local >= end:
        return None
    if local.hour < settings.NOTIFY_BRIEFING_HOUR and local < start - timedelta(hours=1):
        return None
    return week


def briefings_send_due(*, now: datetime | None = None) -> dict[str, int]:
    """Sends each executive whose slot day it is their week's sheet; a week without a sheet waits."""
    now = now or timezone.now()
    counts = Counter()
    executives = list(Executive.objects.with_slot().select_related("user"))
    preferences = preferences_for(e.user for e in executives)
    for executive in executives:
        week = briefing_is_due(executive=executive, now=now)
        if week is None:
            continue
        if not wants(preferences, executive.user, EmailKind.WEEKLY_BRIEFING):
            counts["off"] += 1
            continue
        sheet = selectors.sheets_with_entries(executive=executive, weeks=[week]).get(week)
        if sheet is None:
            logger.info("No briefing for %s yet: no sheet for the week of %s.", executive, week)
            counts["no_sheet"] += 1
            continue
        counts[briefing_send(executive=executive, sheet=sheet)] += 1
    return dict(counts)


def their_time(entry, slot_start: datetime) -> str:
    """The slot's start on the contact's clock ("03:00", "Mon 23:00"), when it differs from the executive's."""
    if entry.contact is None or entry.contact.effective_timezone == str(slot_start.tzinfo):
        return ""
    theirs = slot_start.astimezone(ZoneInfo(entry.contact.effective_timezone))
    return f"{theirs:%H:%M}" if theirs.date() == slot_start.date() else f"{theirs:%a %H:%M}"


def briefing_send(*, executive: Executive, sheet: CallSheet) -> str:
    entries = list(sheet.entries.all())
    slot_start = executive.slot_start(sheet.week_start)
    for entry in entries:
        entry.their_time = their_time(entry, slot_start)
    context = {
        "executive": executive,
        "sheet": sheet,
        "slot_start": slot_start,
        "slot_end": executive.slot_end(sheet.week_start),
        "main_entries": [e for e in entries if not e.is_backup],
        "backup_entries": [e for e in entries if e.is_backup],
        "sheet_url": site_url(sheet_path(sheet.week_start)),
        "print_url": site_url(f"{sheet_path(sheet.week_start)}print/"),
    }
    return email_send_once(
        kind=EmailKind.WEEKLY_BRIEFING,
        recipient=executive.user,
        period_key=sheet.week_start.isoformat(),
        template="weekly_briefing",
        context=context,
    )


def overdue_digests_send(*, today: date | None = None) -> dict[str, int]:
    """One e-mail per owner listing all their overdue commitments; at most one per owner a day."""
    today = today or timezone.localdate()
    counts = Counter()
    by_owner = selectors.overdue_commitments_by_owner(today=today)
    preferences = preferences_for(by_owner)
    for owner, commitments in by_owner.items():
        if not owner.is_active:
            continue
        if not wants(preferences, owner, EmailKind.OVERDUE_DIGEST):
            counts["off"] += 1
            continue
        context = {
            "today": today,
            "commitments": [(c, (today - c.due_date).days) for c in commitments],
            "commitments_url": site_url(f"/commitments/?owner={owner.pk}&overdue=1"),
        }
        counts[
            email_send_once(
                kind=EmailKind.OVERDUE_DIGEST,
                recipient=owner,
                period_key=today.isoformat(),
                template="overdue_digest",
                context=context,
            )
        ] += 1
    return dict(counts)


def program_weekly_send(*, today: date | None = None) -> dict[str, int]:
    """The last full week (Monday to Sunday, in TIME_ZONE) in numbers, to every program admin."""
    today = today or timezone.localdate()
    week = week_start_of(today) - timedelta(days=7)
    numbers = selectors.program_week_numbers(week_start=week, today=today)
    speed = speed_for_weeks(week, week)
    year, number, _ = week.isocalendar()
    counts = Counter()
    admins = list(selectors.program_admins())
    preferences = preferences_for(admins)
    for admin in admins:
        if not wants(preferences, admin, EmailKind.PROGRAM_WEEKLY):
            counts["off"] += 1
            continue
        counts[
            email_send_once(
                kind=EmailKind.PROGRAM_WEEKLY,
                recipient=admin,
                period_key=f"{year}-W{number:02d}",
                template="program_weekly",
                context={
                    "numbers": numbers,
                    "speed": speed,
                    "today": today,
                    "program_url": site_url(_program_week_path(week)),
                },
            )
        ] += 1
    return dict(counts)


def _program_week_path(week: date) -> str:
    """/program/ showing exactly the week the e-mail counts."""
    return f"{reverse('program:page')}?start={week.isoformat()}&end={week.isoformat()}"
