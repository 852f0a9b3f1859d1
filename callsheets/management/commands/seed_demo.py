import logging
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from callsheets.demo import demo_loaded, demo_seed
from callsheets.demo.people import demo_logins


@contextmanager
def _quiet_task_log():
    """The replayed past runs tasks in-process (the lead's e-mail after each flagged call): no line for each."""
    trace = logging.getLogger("celery.app.trace")
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        trace.setLevel(level)


class Command(BaseCommand):
    help = (
        "Loads realistic demo data (customers, tickets, surveys, flags, executives, past calls and commitments) once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300, help="How many customers (default 300).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, customers, seed, logins, **opts):
        if logins:
            return self.print_logins()
        started = time.monotonic()
        try:
            with _quiet_task_log():
                summary = demo_seed(customers=customers, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not summary.loaded:
            self.stdout.write(
                "Demo data is already loaded: nothing changed. (Use a fresh database to load another seed.)"
            )
            return
        self.stdout.write(
            f"Demo data loaded (seed {seed}): {summary.customers} customers, {summary.contacts} contacts, "
            f"{summary.tickets} tickets, {summary.surveys} survey responses, {summary.flags} flags, "
            f"{summary.sheets} sheets (eight past weeks and this one), {summary.calls} calls, "
            f"{summary.commitments} commitments; {time.monotonic() - started:.0f} s."
        )

    def print_logins(self):
        rows = demo_logins()
        if not rows or not demo_loaded():
            self.stdout.write("No demo data in this database: run `manage.py seed_demo` first.")
            return
        self.stdout.write(f"\nDemo logins (password for all: {rows[0][2]})")
        for role, email, _ in rows:
            self.stdout.write(f"  {role:<15} {email}")
