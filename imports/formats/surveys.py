"""Survey formats: our CSV, Delighted's response export, and webhook JSON (Delighted or ours)."""

from functools import partial

from customers.models import SurveyResponse

from ..fastrows import survey_row_reader
from ..fields import FieldError, storable
from ..records import SCORE_RANGES, RecordInvalid, SurveyRecord, Values, clean_survey
from .base import CsvFormat

KINDS = {"nps": SurveyResponse.Kind.NPS, "csat": SurveyResponse.Kind.CSAT}


def _clean(source: str):
    def clean(values: Values) -> SurveyRecord:
        return clean_survey(values, source=source, kinds=KINDS)

    return clean


SURVEYS_CSV = CsvFormat(
    entity="surveys",
    name="csv",
    source=SurveyResponse.Source.CSV,
    title="Survey responses: CSV",
    columns={
        "external_id": ("external_id",),
        "customer_external_id": ("customer_external_id",),
        "email": ("email",),
        "kind": ("kind",),
        "score": ("score",),
        "comment": ("comment",),
        "responded_at": ("responded_at",),
    },
    required=("external_id", "score", "responded_at"),
    any_of=("customer_external_id", "email"),
    clean=_clean(SurveyResponse.Source.CSV),
    reader=partial(survey_row_reader, kinds=KINDS, ranges=SCORE_RANGES),
)

DELIGHTED_CSV = CsvFormat(
    entity="surveys",
    name="delighted",
    source=SurveyResponse.Source.DELIGHTED,
    title="Survey responses: Delighted export",
    columns={
        "external_id": ("Response ID", "Response Id", "id"),
        "customer_external_id": ("customer_external_id", "Customer external id"),
        "email": ("Email", "Person email"),
        "company": ("Company", "Company name"),
        "kind": ("Survey type",),
        "score": ("Score",),
        "comment": ("Comment",),
        "responded_at": ("Date", "Created at", "Response date"),
    },
    required=("external_id", "score", "responded_at"),
    any_of=("customer_external_id", "email"),
    clean=_clean(SurveyResponse.Source.DELIGHTED),
    reader=partial(survey_row_reader, kinds=KINDS, ranges=SCORE_RANGES),
)

SURVEY_FORMATS = {f.name: f for f in (DELIGHTED_CSV, SURVEYS_CSV)}


def from_json(payload) -> tuple[SurveyRecord, str, str]:
    """A survey webhook -> (record, event type, the sender's event id or "").

    Delighted: `{"event_type": "survey_response.created"|"…updated", "event_id", "event_data":
    {"id", "person": {"email"}, "survey_type", "score", "comment", "created_at" (Unix seconds),
    "person_properties": {…}}}`. Ours: the CSV columns of CONTRACT §4 as one JSON object.
    """
    if not isinstance(payload, dict):
        raise RecordInvalid([("body", "must be a JSON object")])
    if "event_data" not in payload:
        values = Values(labels={ours: ours for ours in SURVEYS_CSV.columns})
        for ours in SURVEYS_CSV.columns:
            if ours in payload:
                values.put(ours, ours, payload[ours])
        return clean_survey(values, source=SurveyResponse.Source.CSV, kinds=KINDS), "response", ""
    data = payload["event_data"]
    event_type = _header_text(payload, "event_type")
    event_id = _header_text(payload, "event_id")
    if not isinstance(data, dict):
        raise RecordInvalid([("event_data", "must be a JSON object")])
    if event_type and not event_type.startswith("survey_response."):
        raise RecordInvalid([("event_type", f"“{event_type}” is not a survey_response event")])
    values = Values(labels={"external_id": "event_data.id", "email": "event_data.person.email"})
    for ours, key in [
        ("external_id", "id"),
        ("kind", "survey_type"),
        ("score", "score"),
        ("comment", "comment"),
        ("responded_at", "created_at"),
    ]:
        if key in data:
            values.put(ours, f"event_data.{key}", data[key])
    if "comment" in values and values["comment"][1] is None:
        del values["comment"]  # Delighted sends null until the person writes one: keep what we have
    if isinstance(data.get("person"), dict) and "email" in data["person"]:
        values.put("email", "event_data.person.email", data["person"]["email"])
    properties = data.get("person_properties") if isinstance(data.get("person_properties"), dict) else {}
    for key, ours in [("customer_external_id", "customer_external_id"), ("Company", "company"), ("company", "company")]:
        if key in properties:
            values.put(ours, f"event_data.person_properties.{key}", properties[key])
    record = clean_survey(values, source=SurveyResponse.Source.DELIGHTED, kinds=KINDS)
    return record, event_type, event_id


def _header_text(payload: dict, key: str) -> str:
    """`event_type` or `event_id`: a string (or a whole number), any length, without NUL."""
    raw = payload.get(key)
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise RecordInvalid([(key, "must be a string")])
    try:
        return storable(str(raw))
    except FieldError as exc:
        raise RecordInvalid([(key, str(exc))]) from None
