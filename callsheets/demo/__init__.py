"""Demo data that a person believes, made by `manage.py seed_demo` (and `make run`)."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from customers.models import Customer

from ..models_topics import topics_seed_defaults
from .clock import at
from .generate import make_contacts, make_customers, make_surveys, make_tickets
from .history import make_history
from .people import create_demo_users

MARKER_EXTERNAL_ID = "DEMO-00001"
MAX_CUSTOMERS = 100_000
BEFORE_HISTORY_DAYS = 190  # the oldest ticket is about six months old


@dataclass
class SeedSummary:
    loaded: bool
    customers: int = 0
    contacts: int = 0
    tickets: int = 0
    surveys: int = 0
    flags: int = 0
    sheets: int = 0
    calls: int = 0
    commitments: int = 0


def demo_loaded() -> bool:
    return Customer.objects.filter(external_id=MARKER_EXTERNAL_ID).exists()


def demo_seed(
    *, customers: int = 300, seed: int = 42, today: date | None = None, now: datetime | None = None
) -> SeedSummary:
    """Loads the demo data once: same seed and same clock, same data; a second run changes nothing.

    The clock is `now` (default: the real time; with only `today`, 07:30 that day). Tickets and
    surveys go six months back from it; then the past eight weeks and this week so far are replayed
    with the product's own builder and services, each at its own time (see `history`). Everything
    is written in one transaction. The flag-outcome e-mails of the past go to an in-memory outbox:
    they are recorded as sent (the leads were told then), not printed again now.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"--customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers}.")
    if demo_loaded():
        return SeedSummary(loaded=False)
    if now is None:
        now = timezone.make_aware(datetime.combine(today, time(7, 30))) if today else timezone.now()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        return _seed(customers, seed, now)


def _seed(customers: int, seed: int, now: datetime) -> SeedSummary:
    rng = random.Random(seed)
    topics_seed_defaults()  # /program/topics/ reads them; a flushed database has lost migration 0009's
    with at(now - timedelta(days=BEFORE_HISTORY_DAYS)):  # people and accounts existed before their tickets
        users = create_demo_users()
        demo_customers = make_customers(rng, customers)
        contacts = make_contacts(rng, demo_customers)
    tickets = make_tickets(rng, demo_customers, now)
    surveys = make_surveys(rng, demo_customers, tickets, now)
    counts = make_history(rng, demo_customers, users, now)
    return SeedSummary(
        loaded=True,
        customers=len(demo_customers),
        contacts=contacts,
        tickets=len(tickets),
        surveys=len(surveys),
        **counts,
    )
