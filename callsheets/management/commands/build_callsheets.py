import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from callsheets.builder import build_week
from callsheets.models import FIRST_YEAR, LAST_YEAR, BuildRun, Executive, year_in_range
from callsheets.services import builds


def _week(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--week {value!r} is not a date like 2026-11-23 (YYYY-MM-DD).") from None
    if not year_in_range(day):  # year 1 has no week before it: an OverflowError deep in the builder
        raise CommandError(f"--week {value!r} is outside the years a call sheet can have ({FIRST_YEAR}–{LAST_YEAR}).")
    return day


class Command(BaseCommand):
    help = "Builds each executive's call sheet for the week containing --week (default: next week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="Any date of the week, YYYY-MM-DD (default: the same day next week).")
        parser.add_argument("--executive", help="Build only this executive's sheet (their e-mail address).")
        parser.add_argument("--dry-run", action="store_true", help="Print the sheets, save nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        week = _week(opts["week"]) if opts["week"] else timezone.localdate() + timedelta(days=7)
        executive = None
        if opts["executive"]:
            email = opts["executive"].strip()
            executive = Executive.objects.select_related("user").filter(user__email__iexact=email).first()
            if executive is None:
                raise CommandError(f"--executive {email!r}: no executive has that e-mail address.")
        if opts["dry_run"]:
            result = build_week(week=week, executive=executive, dry_run=True)
        else:  # on record as a build run, like the program page's and the weekly job's
            run = builds.build_run_create(week=week, executive=executive, origin=BuildRun.Origin.COMMAND)
            run, result = builds.build_run_execute(run_id=run.pk)
            if result is None:
                raise CommandError(f"The build of the week of {run.week_start.isoformat()} failed: {run.error}")
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
            for message in result.messages:
                self.stderr.write(message)
            return
        for message in result.messages:
            self.stdout.write(message)
        for sheet in result.sheets:
            self.stdout.write(self._sheet_text(sheet))
        self.stdout.write(result.summary_line())

    def _sheet_text(self, sheet) -> str:
        start = sheet.slot_starts_at
        lines = [
            f"\n{sheet.executive.name} <{sheet.executive.user.email}>, week of {sheet.week_start.isoformat()}, "
            f"slot {start:%a %d %b %H:%M} {sheet.executive.timezone}"
        ]
        if not sheet.entries:
            lines.append("  (no customer to call)")
        for e in sheet.ordered():
            mark = "backup " if e.is_backup else ("listen " if e.is_listening else "")
            kept = " [call logged, kept]" if e.kept else ""
            lines.append(f"  {e.position:>2}. {mark}{e.customer.name} ({e.score:g}): {e.top_reason}{kept}")
        return "\n".join(lines)
