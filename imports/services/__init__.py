from .customers import customers_import
from .runner import ImportResult, RowError
from .surveys import survey_upsert, surveys_import
from .tickets import ticket_upsert, tickets_import

__all__ = [
    "ImportResult",
    "RowError",
    "customers_import",
    "survey_upsert",
    "surveys_import",
    "ticket_upsert",
    "tickets_import",
]
