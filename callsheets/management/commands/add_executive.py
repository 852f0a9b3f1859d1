from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from callsheets.services.executives import executive_upsert


class Command(BaseCommand):
    help = "Creates or updates an executive: the user, the Executives group, and the weekly one-hour slot."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help='Full name, e.g. "Ada Lovelace".')
        parser.add_argument("--slot", required=True, help='Weekday and local start, e.g. "tue 10:00".')
        parser.add_argument("--timezone", required=True, help="IANA time zone, e.g. Europe/Oslo.")
        parser.add_argument("--minutes-per-call", type=int, default=15)
        parser.add_argument("--duration", type=int, default=60, help="Length of the slot in minutes (default 60).")
        parser.add_argument("--title", default="", help='e.g. "CEO".')
        parser.add_argument("--password", help="Sets the password; without it a new user cannot sign in until reset.")

    def handle(self, *args, **opts):
        try:
            executive, created = executive_upsert(
                email=opts["email"],
                name=opts["name"],
                slot=opts["slot"],
                timezone=opts["timezone"],
                minutes_per_call=opts["minutes_per_call"],
                duration_minutes=opts["duration"],
                title=opts["title"],
                password=opts["password"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} executive {executive.user.email}: {executive.slot_label}, "
            f"{executive.capacity} calls of {executive.minutes_per_call} min."
        )
