"""The formats we read: each maps a sender's column (or JSON key) names and words onto ours.

`CSV_FORMATS[(entity, format)]` for files; `tickets.from_json` and `surveys.from_json` for webhooks.
Both paths end in the same `records.clean_*`, so a file row and a webhook are validated alike.
"""

from .base import CsvFormat
from .customers import CUSTOMERS_CSV
from .surveys import SURVEY_FORMATS
from .tickets import TICKET_FORMATS

CSV_FORMATS: dict[tuple[str, str], CsvFormat] = {("customers", "csv"): CUSTOMERS_CSV}
CSV_FORMATS |= {("tickets", name): fmt for name, fmt in TICKET_FORMATS.items()}
CSV_FORMATS |= {("surveys", name): fmt for name, fmt in SURVEY_FORMATS.items()}

__all__ = ["CSV_FORMATS", "CsvFormat"]
