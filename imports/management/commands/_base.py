import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports.services import ImportResult


class ImportCommand(BaseCommand):
    """FILE [--format F] [--dry-run]: every bad row on stderr, a summary line last, exit 1 on any error."""

    formats: tuple[str, ...] = ("csv",)
    default_format: str | None = "csv"
    flags_label = "ceo-call flags"  # what raises the flags this kind of file may raise
    # Each command defines run_import(*, stream, name, file_format, dry_run, on_error) -> ImportResult.

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file (UTF-8, comma-separated, header row)")
        if len(self.formats) > 1:
            parser.add_argument("--format", dest="file_format", choices=self.formats, required=True)
        parser.add_argument("--dry-run", action="store_true", help="validate and report; save nothing")

    def handle(self, *args, file, dry_run, file_format=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with path.open("rb") as stream:
                result = self.run_import(
                    stream=stream,
                    name=path.name,
                    file_format=file_format or self.default_format,
                    dry_run=dry_run,
                    on_error=lambda error: self.stderr.write(str(error)),
                )
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror})") from None
        self.report(result)

    def report(self, result: ImportResult) -> None:
        if result.flags_raised:
            verb = "would raise or note" if not result.saved else "raised or noted"
            self.stdout.write(f"{self.flags_label} {verb}: {result.flags_raised}")
        if result.ok:
            self.stdout.write(result.summary())
            return
        self.stdout.flush()
        self.stderr.write(result.summary())
        sys.exit(1)
