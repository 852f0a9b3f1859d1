"""Upserting survey responses by (source, external id), from files and webhooks."""

from typing import BinaryIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import SurveyResponse

from ..formats.surveys import SURVEY_FORMATS
from ..matching import CustomerMatcher
from ..records import MISSING, SurveyRecord
from . import pgcopy
from .flags import flags_raise_for_surveys
from .pgcopy_surveys import FIELDS, surveys_copy  # the columns both writers write
from .runner import BATCH_SIZE, ImportResult, outcome_of, run_import, write_one
from .unmatched import ERROR, UnmatchedRows


class SurveyWriter:
    """Writes one batch of valid responses: a few reads, one bulk insert, one bulk update.

    A comment the sender did not supply (Delighted's `.created` before the person wrote one)
    keeps the stored comment, so `.updated` arriving first is not undone by a late `.created`.
    """

    def __init__(self, *, unmatched: UnmatchedRows | None = None):
        self.matcher = CustomerMatcher()
        self.copy = pgcopy.available()
        self.policy = None  # read once per file, when a COPY batch first needs the survey line
        self.unmatched = unmatched or UnmatchedRows(ERROR, hint=False)

    def write(self, batch: list[tuple[int | None, SurveyRecord]], result: ImportResult) -> None:
        self.matcher.prime([record.match for _, record in batch])
        if self.copy and batch[0][0] is not None:  # PostgreSQL, files (a webhook's row has no number)
            matched = self.unmatched.match_batch(batch, self.matcher, result)
            surveys_copy(matched, result=result)
            result.flags_raised += flags_raise_for_surveys(responses=self._near_survey_line(matched))
            return
        existing = _existing(record for _, record in batch)
        now = timezone.now()
        to_create, to_update = [], []
        for row, record in batch:
            matched = self.matcher.match(record.match) or self.unmatched.resolve(
                row, record.match, self.matcher, result
            )
            if matched is None:
                continue
            customer_id, contact_id = matched
            response = existing.get(record.key)
            if response is None:
                response = SurveyResponse(
                    source=record.source, external_id=record.external_id, customer_id=customer_id, contact_id=contact_id
                )
                _assign(response, record)
                to_create.append(response)
                result.count("created")
            elif _assign(response, record) | _relink(response, customer_id, contact_id):
                response.imported_at = now
                to_update.append(response)
                result.count("updated")
            else:
                result.count("unchanged")
        SurveyResponse.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if to_update:
            SurveyResponse.objects.bulk_update(
                to_update, [*FIELDS, "customer", "contact", "imported_at"], batch_size=BATCH_SIZE
            )
        if any(r.pk is None for r in to_create):  # a database that returns no ids from a bulk insert
            to_create = list(SurveyResponse.objects.filter(_keys_q(to_create)))
        result.flags_raised += flags_raise_for_surveys(responses=to_create + to_update)

    def _near_survey_line(self, matched) -> list[SurveyResponse]:
        """The stored answers of a COPY batch that may cross the policy's survey line (urgent alarms):
        the batch's scores are filtered here, so only the few low ones are read back."""
        from callsheets.models import ScoringPolicy

        if self.policy is None:
            self.policy = ScoringPolicy.objects.active()
        kind, most = self.policy.survey_alarm_kind, self.policy.survey_alarm_max_score
        near = [record for record, _, _ in matched if kind and record.kind == kind and record.score <= most]
        return list(SurveyResponse.objects.filter(_keys_q(near))) if near else []


def _existing(records) -> dict[tuple[str, str], SurveyResponse]:
    by_source: dict[str, list[str]] = {}
    for record in records:
        by_source.setdefault(record.source, []).append(record.external_id)
    query = Q()
    for source, ids in by_source.items():
        query |= Q(source=source, external_id__in=ids)
    return {(r.source, r.external_id): r for r in SurveyResponse.objects.filter(query)} if by_source else {}


def _keys_q(responses) -> Q:
    query = Q(pk__in=[])
    for r in responses:
        query |= Q(source=r.source, external_id=r.external_id)
    return query


def _assign(response: SurveyResponse, record: SurveyRecord) -> bool:
    changed = False
    for name in FIELDS:
        value = getattr(record, name)
        if value is MISSING:
            if response.pk:
                continue
            value = ""
        if getattr(response, name) != value:
            setattr(response, name, value)
            changed = True
    return changed


def _relink(response: SurveyResponse, customer_id: int, contact_id: int | None) -> bool:
    if (response.customer_id, response.contact_id) == (customer_id, contact_id):
        return False
    response.customer_id, response.contact_id = customer_id, contact_id
    return True


def surveys_import(
    *, stream: BinaryIO, name: str, file_format: str, dry_run: bool = False, unmatched: str = ERROR, **kwargs
) -> ImportResult:
    """Imports a survey file in `file_format` (delighted or csv); all or nothing.
    `unmatched`: error, skip or create (imports.services.unmatched)."""
    fmt = SURVEY_FORMATS[file_format]
    writer = SurveyWriter(unmatched=UnmatchedRows(unmatched))
    return run_import(stream=stream, name=name, fmt=fmt, writer=writer, dry_run=dry_run, **kwargs)


@transaction.atomic
def survey_upsert(*, record: SurveyRecord, writer: "SurveyWriter | None" = None) -> str:
    """Applies one response from a webhook; returns what it did. Raises ValidationError (no customer).

    `writer`: a SurveyWriter shared by a batch of events, so its matcher's cache is too."""
    result = write_one(writer or SurveyWriter(), record)
    flag = ", urgent flag raised" if result.flags_raised else ""
    return f"survey response {record.source} {record.external_id} {outcome_of(result)}{flag}"
