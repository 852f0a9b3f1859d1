"""A small sample file of every format, to download from the upload page: the columns as the
format reads them (the sender's own spelling) and two rows that import into the demo's shape."""

import io

from ceocalls.csvfiles import csv_writer

from .formats import CSV_FORMATS, CsvFormat, kind_of

EXAMPLES: dict[tuple[str, str], list[dict[str, str]]] = {
    ("customers", "csv"): [
        {"external_id": "C-100", "name": "Acme Logistics", "domain": "acme.example", "annual_revenue": "1250000",
         "tier": "Strategic", "timezone": "America/Chicago", "contact_name": "Dana Whitfield",
         "contact_email": "dana@acme.example", "contact_phone": "+1 312 555 0101", "contact_title": "COO",
         "contact_do_not_call": "false"},
        {"external_id": "C-200", "name": "Borealis Health", "domain": "borealis.example", "annual_revenue": "480000.50",
         "tier": "Key account", "timezone": "Europe/Oslo", "contact_name": "Ingrid Solberg",
         "contact_email": "ingrid@borealis.example", "contact_phone": "+47 22 12 34 56", "contact_title": "CIO",
         "contact_do_not_call": "false"},
    ],
    ("tickets", "csv"): [
        {"external_id": "T-1", "customer_external_id": "C-100", "requester_email": "dana@acme.example",
         "subject": "Invoices show the wrong VAT", "status": "open", "priority": "urgent",
         "created_at": "2026-11-02T09:00:00Z", "updated_at": "2026-11-02T10:00:00Z", "solved_at": "",
         "escalated": "true", "reopen_count": "1", "tags": "billing ceo-call"},
        {"external_id": "T-2", "customer_external_id": "", "requester_email": "ingrid@borealis.example",
         "subject": "Export to CSV times out", "status": "solved", "priority": "normal",
         "created_at": "2026-11-01 08:30", "updated_at": "2026-11-03 12:00", "solved_at": "2026-11-03 12:00",
         "escalated": "false", "reopen_count": "0", "tags": "exports"},
    ],
    ("tickets", "zendesk"): [
        {"external_id": "4812", "requester_email": "dana@acme.example", "company": "Acme Logistics",
         "subject": "Billing says we owe $400", "status": "Open", "priority": "Urgent",
         "created_at": "2026-11-02 09:00:00", "updated_at": "2026-11-02 10:00:00", "solved_at": "",
         "reopen_count": "2", "tags": "billing ceo-call", "satisfaction": "Bad"},
        {"external_id": "4820", "requester_email": "ingrid@borealis.example", "company": "Borealis Health",
         "subject": "Exports time out", "status": "Solved", "priority": "Normal",
         "created_at": "2026-11-01 08:30:00", "updated_at": "2026-11-03 12:00:00", "solved_at": "2026-11-03 12:00:00",
         "reopen_count": "0", "tags": "exports", "satisfaction": "Good"},
    ],
    ("tickets", "freshdesk"): [
        {"external_id": "812", "requester_email": "dana@acme.example", "company": "Acme Logistics",
         "subject": "Barcode scanners drop the connection", "status": "Open", "priority": "High",
         "created_at": "2026-11-01 08:00:00", "updated_at": "2026-11-02 09:30:00", "solved_at": "",
         "closed_at": "", "escalated": "false", "tags": "scanners, ceo-call"},
        {"external_id": "813", "requester_email": "ingrid@borealis.example", "company": "Borealis Health",
         "subject": "Monthly report is empty", "status": "Closed", "priority": "Medium",
         "created_at": "2026-10-28 10:00:00", "updated_at": "2026-10-29 15:00:00", "solved_at": "2026-10-28 15:00:00",
         "closed_at": "2026-10-29 15:00:00", "escalated": "false", "tags": "reports"},
    ],
    ("surveys", "csv"): [
        {"external_id": "R-1", "customer_external_id": "C-100", "email": "dana@acme.example", "kind": "nps",
         "score": "2", "comment": "Third outage this month.", "responded_at": "2026-11-04T15:20:00Z"},
        {"external_id": "R-2", "customer_external_id": "", "email": "ingrid@borealis.example", "kind": "csat",
         "score": "5", "comment": "", "responded_at": "2026-11-05"},
    ],
    ("surveys", "delighted"): [
        {"external_id": "88123", "email": "dana@acme.example", "company": "Acme Logistics", "kind": "nps",
         "score": "2", "comment": "Third outage this month.", "responded_at": "2026-11-04 15:20:00 +0000"},
        {"external_id": "88124", "email": "ingrid@borealis.example", "company": "Borealis Health", "kind": "nps",
         "score": "10", "comment": "", "responded_at": "2026-11-05 09:00:00 +0100"},
    ],
}  # fmt: skip


def sample_name(fmt: CsvFormat) -> str:
    """The sample's file name, also its URL: customers.csv, tickets-zendesk.csv, …"""
    return f"{kind_of(fmt).replace(':', '-')}.csv"


SAMPLES = {sample_name(fmt): key for key, fmt in CSV_FORMATS.items()}


def sample_csv(name: str) -> str | None:
    """The sample file of that name as CSV text, or None when there is none."""
    key = SAMPLES.get(name)
    if key is None:
        return None
    fmt, rows = CSV_FORMATS[key], EXAMPLES[key]
    columns = [ours for ours in fmt.columns if any(ours in row for row in rows)]
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([fmt.columns[ours][0] for ours in columns])
    for row in rows:
        writer.writerow([row.get(ours, "") for ours in columns])
    return out.getvalue()


def sample_links() -> list[tuple[str, str]]:
    """(title, file name) of every sample, for the upload page."""
    return [(fmt.title, sample_name(fmt)) for fmt in CSV_FORMATS.values()]
