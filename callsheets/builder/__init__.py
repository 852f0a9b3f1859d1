"""The call-list builder: each executive's weekly sheet from flags, surveys, tickets and commitments.

from callsheets.builder import build_week, explain_customer
result = build_week(week=date, executive=None, dry_run=False, now=None)
outlook = explain_customer(customer, now=None)
"""

from .explain import explain_customer
from .result import BuildResult, Outlook, PlannedEntry, PlannedSheet, Skipped
from .service import build_week

__all__ = ["BuildResult", "Outlook", "PlannedEntry", "PlannedSheet", "Skipped", "build_week", "explain_customer"]
