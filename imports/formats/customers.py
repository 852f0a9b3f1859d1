"""The customers CSV of CONTRACT §4: one contact per row, customer columns repeated."""

from ..records import clean_customer
from .base import CsvFormat

COLUMNS = (
    "external_id",
    "name",
    "domain",
    "annual_revenue",
    "tier",
    "timezone",
    "country",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_title",
    "contact_do_not_call",
)

CUSTOMERS_CSV = CsvFormat(
    entity="customers",
    name="csv",
    source="csv",
    title="Customers: CSV",
    columns={name: (name,) for name in COLUMNS},
    required=("external_id", "name"),
    clean=clean_customer,
)
