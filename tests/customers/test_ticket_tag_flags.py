"""Flags raised by a ticket tagged `ceo-call`: written by the lead's service, named by their ticket everywhere."""

from datetime import UTC, datetime

import pytest
import time_machine

from callsheets.builder import explain_customer
from customers.models import Flag, FlagNote, FlagQuerySet
from customers.services.flags import flag_raise_from_ticket
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    LeadFactory,
    SheetEntryFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ticket_flag(**ticket_kwargs) -> Flag:
    contact = ContactFactory(name="Dana Whitfield")
    ticket = TicketFactory(
        customer=contact.customer, requester=contact, external_id="4900", subject="Shipments stuck", **ticket_kwargs
    )
    flag = flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")
    assert isinstance(flag, Flag)
    return flag


def test_a_tagged_ticket_raises_a_flag_named_by_its_ticket():
    flag = ticket_flag(priority="urgent")

    assert (flag.origin, flag.raised_by, flag.urgency) == ("ticket_tag", None, "urgent")
    assert flag.contact.name == "Dana Whitfield" and flag.reason == "Tagged ceo-call: Shipments stuck"
    assert (flag.origin_label, flag.origin_phrase) == ("Zendesk ticket #4900", "from Zendesk ticket #4900")
    lead_flag = FlagFactory(raised_by=LeadFactory(first_name="Sam", last_name="Torres"))
    assert (lead_flag.origin_label, lead_flag.origin_phrase) == ("Sam Torres", "by Sam Torres")


def test_a_requester_who_asked_not_to_be_called_is_not_the_flags_contact():
    contact = ContactFactory(do_not_call=True)
    ticket = TicketFactory(customer=contact.customer, requester=contact)
    flag = flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")
    assert flag.contact is None


@pytest.mark.parametrize("viewer", ["lead", "admin"])
def test_the_flag_page_of_a_ticket_tag_flag_names_the_ticket(client, viewer):
    flag = ticket_flag()
    client.force_login(LeadFactory() if viewer == "lead" else AdminFactory())

    response = client.get(f"/flags/{flag.pk}/")

    assert response.status_code == 200
    assert "from Zendesk ticket #4900" in response.content.decode()


def test_the_admins_flag_list_with_a_ticket_tag_flag(client):
    ticket_flag()
    FlagFactory(raised_by=LeadFactory(first_name="Sam", last_name="Torres"))
    client.force_login(AdminFactory())

    response = client.get("/flags/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "from Zendesk ticket #4900" in body and "by Sam Torres" in body


def test_a_lead_who_added_to_a_ticket_tag_flag_follows_it_on_their_list(client):
    flag = ticket_flag()
    lead = LeadFactory()
    client.force_login(lead)
    response = client.post(f"/flags/{flag.pk}/notes/", {"text": "Their CFO called me too."})
    assert response.status_code == 302

    response = client.get("/flags/")
    assert response.status_code == 200
    assert "from Zendesk ticket #4900" in response.content.decode()
    assert client.get("/").status_code == 200


def test_flagging_a_customer_who_has_a_ticket_tag_flag_offers_to_add_to_it(client):
    flag = ticket_flag()
    client.force_login(LeadFactory())

    response = client.get("/flags/new/", {"customer": flag.customer.pk})

    assert response.status_code == 200
    assert (
        "is already flagged" in response.content.decode() and "from Zendesk ticket #4900" in response.content.decode()
    )


def test_the_customer_page_names_the_ticket_that_flagged_them(client):
    flag = ticket_flag()
    client.force_login(ExecutiveFactory().user)

    body = client.get(f"/customers/{flag.customer.pk}/").content.decode()

    assert "raised" in body and body.count("from Zendesk ticket #4900") >= 2  # the signal and the timeline


def test_the_sheet_card_and_the_builders_reason_name_the_ticket(client):
    flag = ticket_flag(priority="urgent")
    reasons = explain_customer(flag.customer).reasons
    assert reasons[0]["text"].startswith("Urgent flag from Zendesk ticket #4900 on 24 Nov")

    sheet = CallSheetFactory()
    SheetEntryFactory(sheet=sheet, position=1, customer=flag.customer, contact=flag.contact, flag=flag)
    client.force_login(sheet.executive.user)
    response = client.get(f"/sheet/{sheet.week_start:%Y-%m-%d}/")
    assert response.status_code == 200
    assert "Flagged from Zendesk ticket #4900 on" in response.content.decode()
    assert client.get(f"/sheet/{sheet.week_start:%Y-%m-%d}/print/").status_code == 200


def test_a_tagged_ticket_adds_a_note_to_the_active_flag_and_leaves_its_reason_alone():
    lead_flag = FlagFactory(reason="Lead: angry CFO.")
    ticket = TicketFactory(customer=lead_flag.customer, external_id="4901", subject="Invoices wrong", priority="urgent")

    note = flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")

    lead_flag.refresh_from_db()
    assert isinstance(note, FlagNote) and note.flag == lead_flag
    assert (note.ticket, note.author, note.made_urgent) == (ticket, None, True)
    assert note.text == "Tagged ceo-call: Invoices wrong" and note.origin_label == "Zendesk ticket #4901"
    assert lead_flag.reason == "Lead: angry CFO." and lead_flag.urgency == "urgent"
    assert lead_flag.ticket is None  # the lead's flag keeps what the lead chose


def test_importing_the_same_ticket_again_adds_nothing():
    lead_flag = FlagFactory()
    noted = TicketFactory(customer=lead_flag.customer)
    other_customer_ticket = TicketFactory()
    assert flag_raise_from_ticket(ticket_id=noted.pk, tag="ceo-call") is not None
    assert flag_raise_from_ticket(ticket_id=other_customer_ticket.pk, tag="ceo-call") is not None

    for _ in range(2):
        assert flag_raise_from_ticket(ticket_id=noted.pk, tag="ceo-call") is None
        assert flag_raise_from_ticket(ticket_id=other_customer_ticket.pk, tag="ceo-call") is None

    # Even once the flags are answered and closed, the same tickets raise nothing new.
    Flag.objects.update(status=Flag.Status.CLOSED)
    assert flag_raise_from_ticket(ticket_id=noted.pk, tag="ceo-call") is None
    assert flag_raise_from_ticket(ticket_id=other_customer_ticket.pk, tag="ceo-call") is None
    assert (Flag.objects.count(), FlagNote.objects.count()) == (2, 1)


def test_a_lead_flagging_between_the_check_and_the_insert_gets_the_ticket_as_a_note(monkeypatch):
    """The race the partial unique constraint settles: the ticket's insert fails, the note goes on the lead's flag."""
    customer = CustomerFactory()
    ticket = TicketFactory(customer=customer)
    original = FlagQuerySet.active
    raced = []

    def active_after_a_lead_flags(self):
        if not raced:  # the service's first look finds nothing; then a lead flags the customer
            raced.append(FlagFactory(customer=customer, reason="Lead was quicker."))
            return self.none()
        return original(self)

    monkeypatch.setattr(FlagQuerySet, "active", active_after_a_lead_flags)

    note = flag_raise_from_ticket(ticket_id=ticket.pk, tag="ceo-call")

    assert isinstance(note, FlagNote) and note.flag == raced[0] and note.ticket == ticket
    assert Flag.objects.get().reason == "Lead was quicker."


def test_the_migration_turns_old_reason_markers_into_ticket_notes():
    """Before 0004 a tagged ticket wrote "[Zendesk ticket #…]" into the reason; those become linked notes."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("customers.migrations.0004_flag_origin_ticket_notes")
    raised = TicketFactory(external_id="5101", subject="Stuck")
    noted = TicketFactory(customer=raised.customer, external_id="5102", subject="Worse")
    flag = FlagFactory(
        customer=raised.customer,
        raised_by=None,
        origin="ticket_tag",
        ticket=raised,
        reason="[Zendesk ticket #5101] Tagged “ceo-call”: Stuck\n\n[Zendesk ticket #5102] Tagged “ceo-call”: Worse",
    )

    migration.markers_to_notes(apps, None)
    migration.markers_to_notes(apps, None)  # twice changes nothing more

    flag.refresh_from_db()
    assert flag.reason == "Tagged “ceo-call”: Stuck"
    assert [(n.ticket, n.text) for n in flag.notes.all()] == [(noted, "Tagged “ceo-call”: Worse")]
    assert flag_raise_from_ticket(ticket_id=noted.pk, tag="ceo-call") is None


def test_the_weekly_briefing_says_who_or_what_flagged_each_customer():
    from django.core import mail

    from notifications.services import briefing_send

    flag = ticket_flag()
    lead_flag = FlagFactory(raised_by=LeadFactory(first_name="Sam", last_name="Torres"))
    sheet = CallSheetFactory(executive=ExecutiveFactory(timezone="Europe/Oslo"))
    SheetEntryFactory(sheet=sheet, position=1, customer=flag.customer, contact=flag.contact, flag=flag)
    SheetEntryFactory(sheet=sheet, position=2, customer=lead_flag.customer, flag=lead_flag)

    assert briefing_send(executive=sheet.executive, sheet=sheet) == "sent"

    text, html = mail.outbox[0].body, mail.outbox[0].alternatives[0][0]
    for part in (text, html):
        assert "flagged from Zendesk ticket #4900" in part and "flagged by Sam Torres" in part
