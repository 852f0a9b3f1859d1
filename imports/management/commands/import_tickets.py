from imports.services import tickets_import

from ._base import ImportCommand


class Command(ImportCommand):
    help = "Imports support tickets from a Zendesk or Freshdesk export or our CSV; all or nothing."
    formats = ("zendesk", "freshdesk", "csv")

    def run_import(self, **kwargs):
        return tickets_import(**kwargs)
