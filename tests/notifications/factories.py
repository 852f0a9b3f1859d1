"""Rows the e-mail and feed tests need beyond tests/factories.py."""

from datetime import time

from callsheets.models import CallSheet
from tests.factories import CallSheetFactory, ExecutiveFactory, SheetEntryFactory, UserFactory


def executive_in(zone: str = "Europe/Oslo", weekday: int = 1, start: time = time(10, 0), **user):
    return ExecutiveFactory(
        timezone=zone, weekday=weekday, start_time=start, user=UserFactory(roles=["Executives"], **user)
    )


def sheet_with(executive, week_start, customers: int = 3, backups: int = 1) -> CallSheet:
    sheet = CallSheetFactory(executive=executive, week_start=week_start)
    for position in range(1, customers + backups + 1):
        SheetEntryFactory(sheet=sheet, position=position, is_backup=position > customers)
    return sheet
