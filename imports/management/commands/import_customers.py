from imports.services import customers_import

from ._base import ImportCommand


class Command(ImportCommand):
    help = "Imports customers and their contacts from a CSV file (CONTRACT §4); all or nothing."

    def run_import(self, *, file_format, **kwargs):
        return customers_import(**kwargs)
