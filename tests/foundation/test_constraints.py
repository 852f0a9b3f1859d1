"""The database itself refuses bad rows, whatever code writes them."""

from datetime import time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from callsheets.models import Commitment, Executive, ScoringPolicy, SheetEntry
from customers.models import Contact, Customer, Flag, SupportTicket, SurveyResponse
from tests.factories import (
    CallSheetFactory,
    CommitmentFactory,
    ContactFactory,
    CustomerFactory,
    FlagFactory,
    ScoringPolicyFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
    TicketFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.parametrize(("kind", "score"), [("nps", 11), ("nps", -1), ("csat", 0), ("csat", 6)])
def test_survey_score_out_of_range_for_its_kind(kind, score):
    refused(lambda: SurveyResponseFactory(kind=kind, score=score))


@pytest.mark.parametrize(("kind", "score"), [("nps", 0), ("nps", 10), ("csat", 1), ("csat", 5)])
def test_survey_scores_at_the_edges_are_kept(kind, score):
    assert SurveyResponseFactory(kind=kind, score=score).pk


def test_survey_and_ticket_are_unique_per_source():
    survey = SurveyResponseFactory()
    refused(lambda: SurveyResponseFactory(source=survey.source, external_id=survey.external_id))
    ticket = TicketFactory()
    refused(lambda: TicketFactory(source=ticket.source, external_id=ticket.external_id))
    assert TicketFactory(source=SupportTicket.Source.FRESHDESK, external_id=ticket.external_id).pk


def test_ticket_cannot_be_updated_before_it_was_created():
    now = timezone.now()
    refused(lambda: TicketFactory(created_at=now, updated_at=now - timedelta(days=1)))


def test_one_primary_contact_and_unique_email_per_customer():
    contact = ContactFactory(is_primary=True, email="Ann@acme.example")
    refused(lambda: ContactFactory(customer=contact.customer, is_primary=True))
    refused(lambda: ContactFactory(customer=contact.customer, is_primary=False, email="ann@ACME.example"))
    assert Contact.objects.filter(customer=contact.customer).count() == 1


def test_customer_revenue_and_external_id():
    refused(lambda: CustomerFactory(annual_revenue=-1))
    CustomerFactory(external_id="ACME-1")
    refused(lambda: CustomerFactory(external_id="ACME-1"))
    refused(lambda: Customer.objects.create(external_id="", name="Nameless"))


def test_one_active_flag_per_customer_but_history_is_fine():
    flag = FlagFactory()
    refused(lambda: FlagFactory(customer=flag.customer))
    Flag.objects.filter(pk=flag.pk).update(status=Flag.Status.CLOSED)
    assert FlagFactory(customer=flag.customer).pk


def test_dismissed_flag_needs_a_reason():
    refused(lambda: FlagFactory(status=Flag.Status.DISMISSED, dismissed_reason=""))


def test_customer_is_on_one_sheet_per_week_across_executives():
    entry = SheetEntryFactory()
    other_sheet = CallSheetFactory(week_start=entry.sheet.week_start)
    refused(lambda: SheetEntryFactory(sheet=other_sheet, customer=entry.customer))
    next_week = CallSheetFactory(executive=entry.sheet.executive, week_start=entry.sheet.week_start + timedelta(days=7))
    assert SheetEntryFactory(sheet=next_week, customer=entry.customer).pk


def test_sheet_positions_and_weeks_are_unique():
    entry = SheetEntryFactory(position=1)
    refused(lambda: SheetEntryFactory(sheet=entry.sheet, position=1))
    refused(lambda: CallSheetFactory(executive=entry.sheet.executive, week_start=entry.sheet.week_start))
    assert SheetEntry.objects.count() == 1


def test_commitment_status_and_completion_agree():
    commitment = CommitmentFactory()
    refused(lambda: Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.DONE))
    Commitment.objects.filter(pk=commitment.pk).update(status=Commitment.Status.DONE, completed_at=timezone.now())
    refused(lambda: CommitmentFactory(promise=""))


def test_executive_slot_must_be_whole_and_fit():
    user = UserFactory()
    refused(lambda: Executive.objects.create(user=user, weekday=1, start_time=None))
    refused(lambda: Executive.objects.create(user=user, weekday=7, start_time=time(10)))
    refused(lambda: Executive.objects.create(user=user, weekday=1, start_time=time(10), minutes_per_call=90))
    assert Executive.objects.create(user=user, weekday=None, start_time=None).capacity == 4


def test_scoring_policy_one_active_no_negative_weights():
    ScoringPolicyFactory()
    refused(lambda: ScoringPolicy.objects.create(name="Second", is_active=True))
    refused(lambda: ScoringPolicy.objects.create(name="Bad", is_active=False, weight_flag=-5))
    refused(
        lambda: ScoringPolicy.objects.create(name="Bad", is_active=False, business_hours_start=18, business_hours_end=9)
    )
    assert ScoringPolicy.objects.filter(is_active=True).count() == 1


def test_survey_kinds_are_what_the_builder_expects():
    assert {k for k, _ in SurveyResponse.Kind.choices} == {"nps", "csat"}
