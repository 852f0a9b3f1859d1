from imports.services import surveys_import

from ._base import ImportCommand


class Command(ImportCommand):
    help = "Imports survey responses from a Delighted export or our CSV; all or nothing."
    formats = ("delighted", "csv")
    flags_label = "urgent flags (the scoring policy's survey line)"

    def run_import(self, **kwargs):
        return surveys_import(**kwargs)
