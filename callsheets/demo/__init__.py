"""Demo data that a person believes, made by `manage.py seed_demo` (and `make run`)."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from customers.models import Customer

from .generate import make_contacts, make_customers, make_surveys, make_tickets
from .history import make_history
from .people import create_demo_users

MARKER_EXTERNAL_ID = "DEMO-00001"
MAX_CUSTOMERS = 100_000


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


@transaction.atomic
def demo_seed(*, customers: int = 300, seed: int = 42, today: date | None = None) -> SeedSummary:
    """Loads the demo data once: same seed and same day, same data; a second run changes nothing.

    Times are laid out backwards from `today` (six months of tickets and surveys, eight weeks of
    calls), so the signals are always recent. Everything is written in one transaction.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"--customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers}.")
    if demo_loaded():
        return SeedSummary(loaded=False)
    today = today or timezone.localdate()
    now = timezone.make_aware(datetime.combine(today, time(7, 30)))
    rng = random.Random(seed)
    users = create_demo_users()
    demo_customers = make_customers(rng, customers)
    contacts = make_contacts(rng, demo_customers)
    tickets = make_tickets(rng, demo_customers, now)
    surveys = make_surveys(rng, demo_customers, tickets, now)
    counts = make_history(rng, demo_customers, tickets, surveys, users, today)
    return SeedSummary(
        loaded=True,
        customers=len(demo_customers),
        contacts=contacts,
        tickets=len(tickets),
        surveys=len(surveys),
        **counts,
    )
