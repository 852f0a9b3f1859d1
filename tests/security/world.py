"""One small world for the permission matrix and the CSP browser test: every role, and one row of
each thing a URL can name, owned by executive A or by executive B."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from callsheets.models import BuildRun, CallLog, CallSheet, Commitment, Executive, SheetEntry, UrgentCall, week_start_of
from callsheets.models_topics import topics_seed_defaults
from callsheets.services.calls import PromiseInput, call_log
from callsheets.services.followups import follow_up_send
from customers.models import Customer, Flag, FlagNote
from imports.models import ImportRun
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
    TicketFactory,
    UserFactory,
)

PRIVATE_NOTE = "Kept to herself: the CFO is leaving in March"


@dataclass
class World:
    users: dict  # identity name → User (None for anonymous)
    exec_a: Executive
    exec_b: Executive
    week: object  # the Monday of this week's sheets
    sheet_a: CallSheet
    sheet_b: CallSheet
    entry_a: SheetEntry  # on A's sheet, called by A
    entry_a_pending: SheetEntry
    entry_b: SheetEntry  # on B's sheet, called by B, notes private
    entry_b_pending: SheetEntry
    call_a: CallLog
    call_b: CallLog  # its follow-up was sent
    commitment_a: Commitment  # made by A, owned by A
    commitment_b: Commitment  # made by B, owned by B
    commitment_b_for_lead: Commitment  # made by B, owned by the support lead
    customer_a: Customer
    customer_b: Customer
    customer_free: Customer  # never on a sheet
    flag_lead: Flag  # raised by the lead, answered by B's call
    flag_other_lead: Flag  # raised by another lead, open
    import_run: ImportRun
    build_run: BuildRun
    urgent_call_a: UrgentCall  # an urgent call outside the slot for A, open


def build_world(now: datetime | None = None) -> World:
    now = now or timezone.now()
    week = week_start_of(timezone.localdate(now))
    exec_a = ExecutiveFactory(user__first_name="Anna", user__last_name="Berg", user__email="anna@example.com")
    exec_b = ExecutiveFactory(user__first_name="Bea", user__last_name="Holm", user__email="bea@example.com")
    lead = LeadFactory(first_name="Sam", last_name="Torres", email="sam@example.com")
    other_lead = LeadFactory(first_name="Jules", last_name="Martin", email="jules@example.com")
    admin = AdminFactory(first_name="Rita", last_name="Okafor", email="rita@example.com")
    superuser = UserFactory(first_name="Root", email="root@example.com", is_superuser=True, is_staff=True)
    nobody = UserFactory(first_name="Nora", email="nora@example.com")  # signed in, no role yet

    customer_a = CustomerFactory(name="Aurora Freight")
    customer_b = CustomerFactory(name="Boreal Health")
    customer_free = CustomerFactory(name="Cobalt Mining")
    for customer in (customer_a, customer_b, customer_free):
        ContactFactory(customer=customer)
        TicketFactory(customer=customer, created_at=now - timedelta(days=3))
        SurveyResponseFactory(customer=customer, score=3, responded_at=now - timedelta(days=5))

    sheet_a = CallSheetFactory(executive=exec_a, week_start=week)
    sheet_b = CallSheetFactory(executive=exec_b, week_start=week)
    entry_a = SheetEntryFactory(sheet=sheet_a, customer=customer_a, position=1)
    entry_a_pending = SheetEntryFactory(sheet=sheet_a, customer=CustomerFactory(name="Aster Labs"), position=2)
    flag_lead = FlagFactory(customer=customer_b, raised_by=lead, status=Flag.Status.SCHEDULED, sheet=sheet_b)
    entry_b = SheetEntryFactory(sheet=sheet_b, customer=customer_b, position=1, flag=flag_lead)
    entry_b_pending = SheetEntryFactory(sheet=sheet_b, customer=CustomerFactory(name="Birch Retail"), position=2)
    due = timezone.localdate(now) + timedelta(days=14)
    called_at = now - timedelta(minutes=30)
    call_a = call_log(
        entry_id=entry_a.pk,
        by=exec_a.user,
        outcome="reached",
        notes="Happy with the new routes.",
        called_at=called_at,
        promises=[PromiseInput("Send the Q1 roadmap", exec_a.user, due)],
    )
    call_b = call_log(
        entry_id=entry_b.pk,
        by=exec_b.user,
        outcome="reached",
        notes=PRIVATE_NOTE,
        notes_private=True,
        called_at=called_at,
        promises=[
            PromiseInput("Credit the outage week", exec_b.user, due),
            PromiseInput("Support lead calls back Friday", lead, due),
        ],
    )
    flag_lead.refresh_from_db()
    # B's follow-up went out (its page is read-only); A's is still a draft. Topics for /program/topics/.
    follow_up_send(call_id=call_b.pk, by=exec_b.user, subject="Thank you for our call", body="Thank you, truly.")
    topics_seed_defaults()
    flag_other_lead = FlagFactory(customer=customer_free, raised_by=other_lead)
    FlagNote.objects.create(flag=flag_other_lead, author=other_lead, text="They wrote again today.")
    import_run = ImportRun.objects.create(
        kind=ImportRun.Kind.CUSTOMERS,
        file="imports/customers.csv",
        original_name="customers.csv",
        status=ImportRun.Status.INVALID,
        created_by=admin,
        rows=2,
        error_count=1,
        errors=[{"row": 2, "column": "domain", "message": "not a domain"}],
    )
    build_run = BuildRun.objects.create(
        week_start=week + timedelta(days=7), requested_by=admin, state=BuildRun.State.DONE, finished_at=now
    )
    urgent_customer = CustomerFactory(name="Dune Energy")
    urgent_flag = FlagFactory(
        customer=urgent_customer, raised_by=lead, urgency=Flag.Urgency.URGENT, status=Flag.Status.SCHEDULED
    )
    urgent_call_a = UrgentCall.objects.create(
        flag=urgent_flag,
        executive=exec_a,
        customer=urgent_customer,
        contact=ContactFactory(customer=urgent_customer),
        deadline=now + timedelta(days=1),
    )
    commitments_b = {c.owner_id: c for c in call_b.commitments.all()}
    return World(
        users={
            "anonymous": None,
            "exec_a": exec_a.user,
            "exec_b": exec_b.user,
            "lead": lead,
            "admin": admin,
            "superuser": superuser,
            "nobody": nobody,
        },
        exec_a=exec_a,
        exec_b=exec_b,
        week=week,
        sheet_a=sheet_a,
        sheet_b=sheet_b,
        entry_a=entry_a,
        entry_a_pending=entry_a_pending,
        entry_b=entry_b,
        entry_b_pending=entry_b_pending,
        call_a=call_a,
        call_b=call_b,
        commitment_a=call_a.commitments.get(),
        commitment_b=commitments_b[exec_b.user.pk],
        commitment_b_for_lead=commitments_b[lead.pk],
        customer_a=customer_a,
        customer_b=customer_b,
        customer_free=customer_free,
        flag_lead=flag_lead,
        flag_other_lead=flag_other_lead,
        import_run=import_run,
        build_run=build_run,
        urgent_call_a=urgent_call_a,
    )
