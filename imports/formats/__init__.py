"""The formats we read: each maps a sender's column (or JSON key) names and words onto ours.

`CSV_FORMATS[(entity, format)]` for files; `tickets.from_json` and `surveys.from_json` for webhooks.
Both paths end in the same `records.clean_*`, so a file row and a webhook are validated alike.
"""

from .base import CsvFormat, HeaderInvalid
from .customers import CUSTOMERS_CSV
from .surveys import SURVEY_FORMATS
from .tickets import TICKET_FORMATS

CSV_FORMATS: dict[tuple[str, str], CsvFormat] = {("customers", "csv"): CUSTOMERS_CSV}
CSV_FORMATS |= {("tickets", name): fmt for name, fmt in TICKET_FORMATS.items()}
CSV_FORMATS |= {("surveys", name): fmt for name, fmt in SURVEY_FORMATS.items()}


def kind_of(fmt: CsvFormat) -> str:
    """The ImportRun kind a format is uploaded as: "customers", "tickets:zendesk", …"""
    return fmt.entity if fmt.entity == "customers" else f"{fmt.entity}:{fmt.name}"


def recognise(header: list[str]) -> CsvFormat | None:
    """The format whose columns the header row holds: every required column there, and more of
    its columns than any other format's. None when no format fits, or two fit equally well."""
    fits = []
    for fmt in CSV_FORMATS.values():
        try:
            fits.append((len(fmt.bind(header)), fmt))
        except HeaderInvalid:
            continue
    fits.sort(key=lambda fit: -fit[0])
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None
    return fits[0][1]


__all__ = ["CSV_FORMATS", "CsvFormat", "kind_of", "recognise"]
