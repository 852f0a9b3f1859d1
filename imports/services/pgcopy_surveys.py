"""Survey responses through COPY (PostgreSQL, file imports): the same outcome as SurveyWriter's
ORM path. A comment the row lacks is "" on a new response and left alone on a stored one; the
customer and contact are always set from the match."""

from customers.models import SurveyResponse

from ..records import MISSING, SurveyRecord
from .pgcopy import copy_upsert
from .runner import ImportResult

FIELDS = ["kind", "score", "responded_at", "comment"]
COLUMNS = ["source", "external_id", "customer", "contact", *FIELDS]


def surveys_copy(matched: list[tuple[SurveyRecord, int, int | None]], *, result: ImportResult) -> None:
    groups: dict[bool, list] = {}
    for item in matched:
        groups.setdefault(item[0].comment is not MISSING, []).append(item)
    for with_comment, items in groups.items():
        update = ["kind", "score", "responded_at", *(["comment"] if with_comment else []), "customer", "contact"]
        rows = (
            [r.source, r.external_id, customer_id, contact_id, r.kind, r.score, r.responded_at,
             "" if r.comment is MISSING else r.comment]
            for r, customer_id, contact_id in items
        )  # fmt: skip
        created, updated = copy_upsert(model=SurveyResponse, columns=COLUMNS, rows=rows, update=update)
        result.created += created
        result.updated += updated
        result.unchanged += len(items) - created - updated
